"""Ranked, typo-tolerant search over quotes, claims, events and actors.

How a hit is scored (0-100):

* 100: the whole query appears in a field as a phrase on word boundaries;
* otherwise each query word is matched against the index's vocabulary: the same word
  counts 1.0, a word it is a prefix of 0.9, a typo of it (rapidfuzz ``ratio``) up to 0.85;
  the record's score is 90 times the rarity-weighted mean of its query words' best matches,
  blended for multi-word queries with ``partial_ratio`` of the phrase against the field.

A word found in more than 5% of the records (and in over 1,000 of them), such as "the",
only adds to the scores of records that the query's rarer words found, so that a phrase
stays fast on large data; a query made only of such words still searches every record.

Field weights keep a word in a quote's own text above the same word in its context line.
Ties break by record type (quote, claim, event, actor), then, for a query of several words, by
how much of the field the phrase covers (the text it is most of first), then by id.
"""

from __future__ import annotations

import bisect
import heapq
import math
import re
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import NamedTuple

from kurskcli.model import Actor, Claim, Dataset, Event, Quote, Record, Span, paused_gc
from kurskcli.text import WORD, fold, is_word_char, words

MAX_QUERY_CHARS = 256
MAX_QUERY_WORDS = 16
TYPE_ORDER = {"quote": 0, "claim": 1, "event": 2, "actor": 3}
PREFIX_QUALITY = 0.9
FUZZY_QUALITY = 0.85
FUZZY_CUTOFF = 75.0  # rapidfuzz ratio a vocabulary word needs to count as a typo of a query word

MIN_SCORE = 40  # weaker hits are noise: a stray common word, a far-fetched typo
RESCORE_POOL = 400  # candidates rescored in full, chosen by the cheap word score (more for a larger --limit)
# A record's rescored score is its word score, or its phrase match (only where it holds every query
# word as it is), or, for several words, a blend of its word score with how much of the phrase a
# field holds: at most 90 * (0.7 * word score + 0.3). Below this word score no blend reaches MIN_SCORE.
_BLEND_FLOOR = (MIN_SCORE / 90.0 - 0.3) / 0.7
COMMON_FRACTION = 0.05  # a word in more than this share of records is common...
COMMON_MIN_DF = 1000  # ...once it is in more than this many


WEIGHTS = (1.0, 0.95, 0.8, 0.75)  # every field weight fields_of gives, highest first
FIRST_FIELD = {"quote": "text", "claim": "text", "event": "title", "actor": "name"}  # as fields_of lists them


class QueryError(ValueError):
    """A query that cannot be searched (empty, or only punctuation)."""


class Hit(NamedTuple):
    """One search result: the record, its score, the folded words that matched, the field that
    scored, and how much of that field a query of several words covers where it stands there
    whole (0 otherwise), which breaks ties within a type: of two quotes that hold the phrase, the
    one it is more of comes first. (A single word would only put short texts first.)"""

    record: Record
    score: int
    matched: frozenset[str]
    field: str
    cover: float = 0.0


def fields_of(rec: Record, passage: Callable[[Span], str] | None = None) -> list[tuple[str, str, float]]:
    """The searchable (field name, text, weight) triples of a record.

    With ``passage``, claims and events are also found by the source words they rest on.
    """
    if isinstance(rec, Quote):
        return [("text", rec.text, 1.0), ("context", rec.context, 0.75)]
    if isinstance(rec, Claim):
        fields = [("text", rec.text, 1.0), ("context", rec.context, 0.75)]
        if passage and not rec.verbatim:
            fields.append(("source", passage(rec.span), 0.8))
        return fields
    if isinstance(rec, Event):
        fields = [("title", rec.title, 1.0), ("summary", rec.summary, 0.95)]
        if passage:
            fields.extend(("source", passage(sp), 0.8) for sp in rec.spans)
        return fields
    if isinstance(rec, Actor):
        fields = [("name", rec.name, 1.0)]
        fields.extend(("aliases", a, 1.0) for a in rec.aliases)
        if rec.role:
            fields.append(("role", rec.role, 0.8))
        return fields
    return []


def normalize_query(query: str) -> tuple[str, list[str]]:
    """Fold and cap a query; raise QueryError if nothing searchable is left."""
    folded = fold(query[: MAX_QUERY_CHARS * 4])[:MAX_QUERY_CHARS]
    terms = list(dict.fromkeys(words(folded)))[:MAX_QUERY_WORDS]
    if not terms:
        raise QueryError("the query has no letters or digits to search for")
    return " ".join(words(folded)[: MAX_QUERY_WORDS * 2]), terms


class Hits(list[Hit]):
    """The best hits, and how many there were in all before the limit cut them."""

    def __init__(self, hits: Sequence[Hit] = (), total: int = 0) -> None:
        super().__init__(hits)
        self.total = max(total, len(hits))


class IndexBase:
    """The search algorithm, over any store of postings, fields and records.

    A store provides ``size`` (record count), ``vocab`` (every indexed word, sorted) and the
    four look-ups below, so the in-memory index and the on-disk cache answer identically.
    """

    size: int
    vocab: list[str]
    rescore_all = False  # True: read every candidate's fields (the reference the tests hold the shortcut to)

    def has_word(self, word: str) -> bool:
        i = bisect.bisect_left(self.vocab, word)
        return i < len(self.vocab) and self.vocab[i] == word

    def postings_of(self, word: str) -> dict[int, float]:
        """Record number -> best field weight, for the records holding ``word``."""
        raise NotImplementedError

    def type_of(self, rid: int) -> str:
        raise NotImplementedError

    def fields_at(self, rid: int) -> Sequence[tuple[str, str, float]]:
        """The folded (field name, text, weight) triples of record ``rid``."""
        raise NotImplementedError

    def record_at(self, rid: int) -> Record:
        raise NotImplementedError

    def ids_of(self, rids: Sequence[int]) -> dict[int, str]:
        """Record number -> record id, for ``rids``."""
        return {rid: self.record_at(rid).id for rid in rids}

    def longer_words(self, prefix: str) -> list[str]:
        """The vocabulary's words that begin with ``prefix`` and are longer, in order."""
        vocab = self.every_word()
        i = bisect.bisect_left(vocab, prefix)
        out = []
        while i < len(vocab) and vocab[i].startswith(prefix):
            if vocab[i] != prefix:
                out.append(vocab[i])
            i += 1
        return out

    def every_word(self) -> list[str]:
        """The whole vocabulary, sorted (what a typo is matched against)."""
        return self.vocab

    def expand(self, term: str) -> dict[str, float]:
        """Vocabulary words that ``term`` stands for, with match quality 0-1."""
        out: dict[str, float] = {}
        known = self.has_word(term)
        if known:
            out[term] = 1.0
        if len(term) >= 3:
            out.update(dict.fromkeys(self.longer_words(term), PREFIX_QUALITY))
        if not known and len(term) >= 3:
            from rapidfuzz import fuzz, process

            for word, score, _ in process.extract(
                term, self.every_word(), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=20
            ):
                q = FUZZY_QUALITY * score / 100.0
                if q > out.get(word, 0.0):
                    out[word] = q
        return out

    def search(self, query: str, *, types: Sequence[str] | None = None, limit: int | None = 20) -> Hits:
        phrase, terms = normalize_query(query)
        n = max(self.size, 1)
        allowed = set(types) if types else None
        idf: dict[str, float] = {}
        expanded = []
        for term in terms:
            expansions = {word: (quality, self.postings_of(word)) for word, quality in self.expand(term).items()}
            df = sum(len(post) for _, post in expansions.values()) or 1
            idf[term] = math.log(1 + n / df)
            expanded.append((df, term, expansions))
        expanded.sort(key=lambda e: e[0])  # rarest first
        common = max(COMMON_MIN_DF, int(n * COMMON_FRACTION))
        # Per term, each record's best quality (weighted by field): a number a record and term,
        # where a dictionary and a set a record took 870 MiB for "the" over a million quotes.
        by_term: list[dict[int, float]] = []
        found: dict[int, float] = {}  # its keys: the records found by the words that are not common
        for df, _, expansions in expanded:
            # A very common word ("the", "to") only adds to the records the rarer words found.
            known = found if found and df > common else None
            per: dict[int, float] = {}
            for quality, post in expansions.values():
                pairs = ((rid, post[rid]) for rid in known if rid in post) if known is not None else post.items()
                for rid, weight in pairs:
                    if allowed is not None and self.type_of(rid) not in allowed:
                        continue
                    q = weight if quality == 1.0 else quality * weight  # the same number, not a copy
                    if q > per.get(rid, 0.0):
                        per[rid] = q
            if known is None:
                found = {**found, **per} if found else per
            by_term.append(per)
        total_idf = sum(idf.values()) or 1.0
        weighted = [(idf[term], per) for (_, term, _), per in zip(expanded, by_term, strict=True)]

        def word_score(rid: int) -> float:
            return sum(w * per[rid] for w, per in weighted if rid in per) / total_idf

        # the best by word score, as sorted(...)[:size] gives them, without a score kept for every record
        size = max(RESCORE_POOL, limit or len(found))
        pool = heapq.nsmallest(size, found, key=lambda r: (-word_score(r), r))
        cheap = {rid: word_score(rid) for rid in pool}
        matched: dict[int, set[str]] = {rid: set() for rid in pool}
        for _, _, expansions in expanded:
            for word, (_, post) in expansions.items():
                for rid in pool:
                    if rid in post:
                        matched[rid].add(word)
        # Rescoring reads a record's fields. One word can score above its word score only where
        # it stands in a field, and only a record holding that very word can hold it: the others
        # (found by a prefix or a typo) keep their word score, and are read only if they make the
        # cut. A typo over 1,000,000 quotes decoded about 300 records; now 20, and checks the ids
        # of the rest that tie at the cut.
        single = len(terms) == 1 and not self.rescore_all
        hits: list[Hit] = []
        waiting: list[tuple[int, int]] = []  # (score, rid) of records not read yet
        for rid in pool:
            if single and terms[0] not in matched[rid]:
                score = min(100, round(90.0 * cheap[rid]))
                if score >= MIN_SCORE:
                    waiting.append((score, rid))
                continue
            hit = self._rescore(rid, cheap[rid], phrase, terms, matched[rid])
            if hit.score >= MIN_SCORE:
                hits.append(hit)
        total = len(hits) + len(waiting) + self._hits_beyond(found, pool, word_score, phrase, terms, expanded)
        if waiting:
            scores = sorted([h.score for h in hits] + [score for score, _ in waiting], reverse=True)
            keep = limit if limit and limit <= len(scores) else 0  # 0: every hit is kept
            cut = scores[keep - 1] if keep else MIN_SCORE
            chosen = [(score, rid) for score, rid in waiting if score > cut or not keep]
            tied = [rid for score, rid in waiting if score == cut and keep]
            if tied:
                # Ties at the cut go as ``hit_order`` orders them (a record not read covers nothing):
                # the tied records' ids are read (and checked) in one go, and only the records that
                # make the cut are read whole.
                slots = keep - len(chosen) - sum(h.score > cut for h in hits)
                ids = self.ids_of(tied)
                group = [((TYPE_ORDER[h.record.type], -h.cover, h.record.id), -1) for h in hits if h.score == cut]
                group += [((TYPE_ORDER[self.type_of(rid)], 0.0, ids[rid]), rid) for rid in tied]
                group.sort()
                chosen += [(cut, rid) for _, rid in group[:slots] if rid >= 0]
            hits.extend(
                Hit(self.record_at(rid), score, frozenset(matched[rid]), FIRST_FIELD[self.type_of(rid)])
                for score, rid in chosen
            )
        hits.sort(key=hit_order)
        return Hits(hits[:limit] if limit else hits, total=total)

    def _hits_beyond(
        self,
        found: dict[int, float],
        pool: list[int],
        word_score: Callable[[int], float],
        phrase: str,
        terms: list[str],
        expanded: list[tuple[int, str, dict[str, tuple[float, dict[int, float]]]]],
    ) -> int:
        """How many of the records found but not rescored are hits all the same, so that "N of M
        hits" is exact: rescoring never lowers a word score, so those at MIN_SCORE are; of the
        others only a blend of several words can lift one, and those are rescored to see."""
        if len(pool) == len(found):
            return 0
        in_pool = set(pool)
        count = 0
        for rid in found:
            if rid in in_pool:
                continue
            cheap = word_score(rid)
            if round(90.0 * cheap) >= MIN_SCORE:
                count += 1
            elif len(terms) > 1 and cheap >= _BLEND_FLOOR:
                matched = {word for *_, expansions in expanded for word, (_, post) in expansions.items() if rid in post}
                count += self._rescore(rid, cheap, phrase, terms, matched).score >= MIN_SCORE
        return count

    def _rescore(self, rid: int, word_score: float, phrase: str, terms: list[str], matched: set[str]) -> Hit:
        fields = self.fields_at(rid)
        best_field, score, cover = "", 90.0 * word_score, 0.0
        pattern = re.compile(r"(?<!\w)" + r"\W+".join(re.escape(t) for t in phrase.split()) + r"(?!\w)")
        for name, text, weight in fields:
            found = pattern.search(text)
            if found:
                s = 100.0 * weight
                if s > score or not best_field:
                    best_field, score = name, max(score, s)
                    cover = round(len(found[0]) / len(text), 6) if len(terms) > 1 else 0.0
        if len(terms) > 1 and score < 100.0:
            from rapidfuzz import fuzz

            for name, text, weight in fields:
                pr = fuzz.partial_ratio(phrase, text) * weight
                blended = 90.0 * (0.7 * word_score + 0.3 * pr / 100.0)
                if blended > score:
                    best_field, score, cover = name, blended, 0.0
        if not best_field:
            best_field = fields[0][0] if fields else ""
        return Hit(self.record_at(rid), min(100, round(score)), frozenset(matched), best_field, cover)


class SearchIndex(IndexBase):
    """An in-memory inverted index from folded words to the records (and fields) that hold them."""

    def __init__(
        self,
        records: Iterable[Record],
        passage: Callable[[Span], str] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ):
        self.records: list[Record] = list(records)
        self.size = len(self.records)
        # Per field weight, each word's records, in order. A record is listed under the highest
        # weight it holds the word at, once: one append per word and record is all the work
        # (building 100,000 quotes' postings as one dict per word took four times as long), and
        # an array of record numbers takes half the memory of a list and is saved as it is.
        self.tables: Tables = {}
        self.fields: list[list[tuple[str, str, float]]] = []
        self._asked: dict[str, dict[int, float]] = {}
        with paused_gc():
            self._build(passage, progress)
        self.vocab = sorted(set().union(*self.tables.values()))  # sorted, for prefix look-ups by bisection

    def _build(self, passage: Callable[[Span], str] | None, progress: Callable[[int, int], None] | None) -> None:
        for i, rec in enumerate(self.records):
            if progress is not None and i % 1000 == 0:
                progress(i, self.size)
            flds = folded_fields(rec, passage)
            self.fields.append(flds)
            add_postings(self.tables, flds, i)

    def postings_of(self, word: str) -> dict[int, float]:
        post = self._asked.get(word)
        if post is None:  # made when a search first asks for the word, then kept
            post = self._asked[word] = {}
            for weight, table in self.tables.items():
                rids = table.get(word)
                if rids:
                    post.update(dict.fromkeys(rids, weight))
        return post

    def type_of(self, rid: int) -> str:
        return self.records[rid].type

    def fields_at(self, rid: int) -> Sequence[tuple[str, str, float]]:
        return self.fields[rid]

    def record_at(self, rid: int) -> Record:
        return self.records[rid]


Tables = dict[float, defaultdict[str, "array[int]"]]
"""Postings: per field weight, each word's record numbers in order; a record is listed under the
highest weight it holds the word at, once."""


def folded_fields(rec: Record, passage: Callable[[Span], str] | None) -> list[tuple[str, str, float]]:
    """``fields_of(rec, passage)``, each text folded as the index holds it."""
    return [(name, fold(text), w) for name, text, w in fields_of(rec, passage)]


_NON_WORD_ASCII = str.maketrans({c: " " for c in map(chr, range(128)) if not is_word_char(c)})


def word_set(text: str) -> set[str]:
    """The distinct words (``\\w+``) of a folded text.

    ASCII text, the common case, has its other characters made spaces and is split: the same
    words as the regular expression finds, in a third less time over a large dataset's index.
    """
    if text.isascii():
        return set(text.translate(_NON_WORD_ASCII).split())
    return set(WORD.findall(text))


def add_postings(tables: Tables, fields: list[tuple[str, str, float]], number: int) -> None:
    """List record ``number`` in ``tables`` under every word of its folded ``fields``."""
    seen: set[str] = set()
    for _, text, weight in sorted(fields, key=lambda f: -f[2]):
        found = word_set(text)
        found -= seen
        seen |= found
        table = tables.get(weight)
        if table is None:
            table = tables[weight] = defaultdict(partial(array, "I"))
        for word in found:
            table[word].append(number)


def hit_order(hit: Hit) -> tuple[int, int, float, str]:
    return (-hit.score, TYPE_ORDER.get(hit.record.type, 9), -hit.cover, hit.record.id)


_INDEX_CACHE: dict[int, tuple[Dataset, SearchIndex]] = {}


def index_for(dataset: Dataset) -> SearchIndex:
    """The search index of a dataset, built once per dataset object."""
    cached = _INDEX_CACHE.get(id(dataset))
    if cached is None or cached[0] is not dataset:
        cached = (dataset, SearchIndex(dataset.records(), dataset.passage))
        _INDEX_CACHE[id(dataset)] = cached
    return cached[1]


def search(dataset: Dataset, query: str, *, types: Sequence[str] | None = None, limit: int | None = 20) -> Hits:
    """Search every record of ``dataset``; best first, at most ``limit`` hits (None: all)."""
    return index_for(dataset).search(query, types=types, limit=limit)


def did_you_mean(ids: Sequence[str], record_id: str) -> str:
    """ "; did you mean X or Y?" for the ids nearest ``record_id``, or "" where none is near."""
    from rapidfuzz import fuzz, process

    # case aside: `show Q-PUTIN-TRIBUTE` suggests q-putin-tribute first
    matches = process.extract(
        record_id, sorted(ids), scorer=fuzz.WRatio, processor=str.casefold, limit=3, score_cutoff=60
    )
    near = [m[0] for m in matches]
    return f"; did you mean {' or '.join(near)}?" if near else ""
