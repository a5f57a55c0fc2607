"""One search over large JSON Lines as they are read, in the memory of their ids.

A first search over a million quotes of JSON Lines has no store to answer from, and reading the
records whole would hold gigabytes. Here the records go by in batches as they are checked: each
batch is searched with ``ScanIndex`` for the query's words alone, its records are written to a
temporary file, and only the postings of those words stay in memory, with the ids that the
checks need. The ranking is then ``IndexBase.search``'s, over those postings, and the few
records it reads come back from the file.

A typo is matched against every word of the data. A word is compared with the query's words when
it is first seen, and followed from then on if it is close enough to count as a typo of one of
them; once every query word has been found as it is, no typo is looked for, and the vocabulary
is no longer kept.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kurskcli.dataset import Counted, SpillFile
from kurskcli.model import Actor, Claim, Dataset, Event, Quote, Record, TextsElsewhere
from kurskcli.searcher import (
    FUZZY_CUTOFF,
    TYPE_ORDER,
    Hits,
    IndexBase,
    ScanIndex,
    folded_fields,
    normalize_query,
)

_CLASSES: tuple[type[Any], ...] = (Quote, Claim, Event, Actor)  # in TYPE_ORDER
_NAMES = tuple(TYPE_ORDER)
_SHIFT = 32  # a record read is known as (its type's code << _SHIFT) + its number within the type


class _Searched(Counted):
    """The sink that searches: ``Counted``'s checks of the ids, plus, per batch of records, the
    postings of the words a query asks about, and each record written to a temporary file."""

    BATCH = 10_000

    def __init__(self, terms: Sequence[str]) -> None:
        import msgspec

        super().__init__()
        self.terms = list(terms)
        self.unknown = {t for t in terms if len(t) >= 3}  # not found yet: a typo may stand for them
        self.found: dict[str, dict[int, float]] = {}  # word -> record key -> weight
        self.longer: dict[str, set[str]] = {t: set() for t in self.unknown}
        self.seen: set[str] = set()  # every word read so far, while a typo is looked for
        self.followed: set[str] = set()  # words close enough to an unknown query word
        self.numbers = [0] * len(TYPE_ORDER)
        self.where: list[array[int]] = [array("Q") for _ in TYPE_ORDER]  # record number -> offset in the file
        self.sizes: list[array[int]] = [array("I") for _ in TYPE_ORDER]
        self.quote_numbers: dict[str, int] = {}
        self.renderings: dict[str, list[int]] = {}  # quote id -> numbers of the quotes rendering it
        self.records = SpillFile()
        self.encode = msgspec.json.encode
        self.batch: list[Record] = []
        self.keys: list[int] = []
        self.raw: list[bytes] = []
        self.ds: Dataset | None = None

    def add(self, rec: Record, ds: Dataset) -> None:
        super().add(rec, ds)
        code = TYPE_ORDER[rec.type]
        n = self.numbers[code]
        self.numbers[code] = n + 1
        if isinstance(rec, Quote):
            self.quote_numbers[rec.id] = n
            if rec.renders is not None:
                self.renderings.setdefault(rec.renders, []).append(n)
        self.ds = ds
        self.batch.append(rec)
        self.keys.append((code << _SHIFT) + n)
        self.raw.append(self.encode(rec))
        if len(self.batch) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        """Search the batch, and write its records to the file."""
        if not self.batch:
            return
        from kurskcli.dataset import NotStreamed

        assert self.ds is not None
        at = self.records.put(b"".join(self.raw))
        if at is None:
            raise NotStreamed("the records could not be written to a temporary file")
        for key, raw in zip(self.keys, self.raw, strict=True):
            self.where[key >> _SHIFT].append(at)
            self.sizes[key >> _SHIFT].append(len(raw))
            at += len(raw)
        scan = ScanIndex(self.batch, self.ds.passage)
        for term in self.terms:
            longer = scan.longer_words(term) if len(term) >= 3 else []
            for word in [term, *longer]:
                self._keep(word, scan.postings_of(word))
            if longer:
                self.longer[term].update(longer)
            if term in self.found:
                self.unknown.discard(term)
        if self.unknown:
            self._follow(scan)
        elif self.followed:  # every word of the query is known: no typo will be looked for
            needed = {*self.terms, *(w for words in self.longer.values() for w in words)}
            for word in self.followed - needed:
                self.found.pop(word, None)
            self.followed.clear()
            self.seen.clear()
        self.batch, self.keys, self.raw = [], [], []

    def _follow(self, scan: ScanIndex) -> None:
        """Follow the words of the batch not seen before that could be typos of an unknown query
        word, and keep the postings in the batch of every word followed."""
        from rapidfuzz import fuzz, process

        words = scan.words()
        new = list(words - self.seen)
        self.seen.update(new)
        for term in self.unknown:
            for word, _, _ in process.extract(term, new, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=None):
                self.followed.add(word)
        for word in self.followed & words:
            self._keep(word, scan.postings_of(word))

    def close(self) -> None:
        super().close()
        self.records.close()

    def _keep(self, word: str, post: dict[int, float]) -> None:
        if post:
            kept = self.found.setdefault(word, {})
            keys = self.keys
            for rid, weight in post.items():
                kept[keys[rid]] = weight


class StreamedIndex(IndexBase):
    """The search over what ``_Searched`` kept: the postings of the query's words (and of their
    longer words and possible typos), and every record in a temporary file, read back on demand."""

    def __init__(self, sink: _Searched, ds: Dataset) -> None:
        import msgspec

        self.sink, self.ds = sink, ds
        self.offsets: list[int] = []
        total = 0
        for count in sink.numbers:
            self.offsets.append(total)
            total += count
        self.size = total
        self.vocab = []
        self._asked: dict[str, dict[int, float]] = {}
        self._records: dict[int, Record] = {}
        self._decoders = [msgspec.json.Decoder(cls) for cls in _CLASSES]

    def _split(self, rid: int) -> tuple[int, int]:
        code = bisect.bisect_right(self.offsets, rid) - 1  # a type with no record shares the next one's offset
        return code, rid - self.offsets[code]

    def has_word(self, word: str) -> bool:
        return bool(self.sink.found.get(word))

    def postings_of(self, word: str) -> dict[int, float]:
        post = self._asked.get(word)
        if post is None:
            offsets = self.offsets
            mask = (1 << _SHIFT) - 1
            kept = self.sink.found.get(word, {})
            post = self._asked[word] = {offsets[key >> _SHIFT] + (key & mask): w for key, w in kept.items()}
        return post

    def longer_words(self, prefix: str) -> list[str]:
        return sorted(self.sink.longer.get(prefix, ()))

    def every_word(self) -> list[str]:
        """The words followed as possible typos: every word close enough to a query word never
        found as it is, which is all a typo of it can match, in the vocabulary's order."""
        return sorted(self.sink.followed)

    def type_of(self, rid: int) -> str:
        return _NAMES[self._split(rid)[0]]

    def record_at(self, rid: int) -> Record:
        rec = self._records.get(rid)
        if rec is None:
            code, n = self._split(rid)
            raw = self.sink.records.get(self.sink.where[code][n], self.sink.sizes[code][n])
            rec = self._records[rid] = self._decoders[code].decode(raw)
        return rec

    def fields_at(self, rid: int) -> Sequence[tuple[str, str, float]]:
        return folded_fields(self.record_at(rid), self.ds.passage)

    def context(self, hits: Hits) -> Dataset:
        """What showing the hits needs: every actor and source (with the length of its text, not
        the text), what each file says of itself, the hits, and every other rendering of a quote
        among them."""
        ds = TextsElsewhere(dict(getattr(self.ds, "lengths", {})))
        ds.actors, ds.sources, ds.infos, ds.files = self.ds.actors, self.ds.sources, self.ds.infos, self.ds.files
        for hit in hits:
            rec = hit.record
            if isinstance(rec, Quote):
                root = rec.renders or rec.id
                numbers = list(self.sink.renderings.get(root, ()))
                if numbers and root in self.sink.quote_numbers:
                    numbers.append(self.sink.quote_numbers[root])
                for n in numbers:
                    other = self.record_at(self.offsets[0] + n)
                    ds.quotes[other.id] = other  # type: ignore[assignment]  # a quote
            table: dict[str, Any] = getattr(ds, rec.type + "s")
            table[rec.id] = rec
        return ds


def search(
    paths: Sequence[Path],
    bundled: bool,
    query: str,
    *,
    types: Sequence[str] | None = None,
    limit: int | None = 20,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[Hits, Dataset] | None:
    """Search ``paths`` (and the bundled data) as they are read, as ``SearchIndex`` would over
    the data loaded whole: the hits, and a dataset that can show them. None where the data
    cannot be read as a stream (a problem, which loading it whole reports exactly, or a record
    naming a source given after it)."""
    from kurskcli.dataset import DataFileError, DatasetError, NotStreamed, stream_dataset

    _, terms = normalize_query(query)
    sink = _Searched(terms)
    read = (lambda done, total: progress("searching", done, total)) if progress else None
    try:
        ds = stream_dataset(paths, sink, bundled=bundled, progress=read)
        sink.flush()
    except (NotStreamed, DataFileError, DatasetError, OSError):
        sink.close()
        return None
    try:
        index = StreamedIndex(sink, ds)
        hits = index.search(query, types=types, limit=limit)
        return hits, index.context(hits)
    finally:
        sink.close()  # the records and texts read back: nothing more is read from them
