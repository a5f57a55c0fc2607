"""The store of user datasets on disk, read back (``DiskIndex``) with every row checked. What it
holds is declared in ``layout``; ``index`` builds it and decides when to.

The first command over a set of dataset files writes it in the user's cache folder
(``$XDG_CACHE_HOME/kurskcli``, else ``~/.cache/kurskcli``), then answers from it; every later
command reads only the records and words it needs: the records are rows of JSON, the search
index is SQLite's FTS5 (the words of each field weight in a column of their own). Records are
written to it as they are read and checked (``index``), so that memory stays flat.
Building a store removes the stores no kurskcli of this version can use.

The cache is a copy, never the truth:

* it is keyed by the tool and format version and by every file the data came from (the
  dataset files and any source texts they name): path, device, inode, size, modification and
  change times as they were before the file was read, and a checksum of its first and last
  64 KiB; any difference means a rebuild;
* every row carries a BLAKE2 digest of its content, and the table layout must be exactly the
  one written; the search index, which SQLite writes, is checked instead by the number of
  records each word asked for is in (kept with the vocabulary, under a digest) and by each
  hit's words against its record; a row or layout that does not match means a rebuild, and so does a query that
  runs longer than a few seconds (a hostile file cannot make a search hang). The digests find
  damage, not intent: whoever can write the cache folder can write a store with digests that
  match, which is why the folder must be this user's alone, and why ``verify`` reads the files;
* it is only written after the data loaded without a problem, so it never hides an error;
* it is written in a private temporary folder and renamed into place, so an interrupted
  build leaves nothing behind and readers never see half a file; a lock makes concurrent
  first searches build it once, and one held for LOCK_WAIT seconds is given up on;
* it lives only in a cache folder that is this user's alone (``env.private_cache_dir``);
  otherwise, or if the folder cannot be written, the command answers from the data loaded
  whole and says so (as it does with the cache off).

Every path runs the same algorithm (``searcher.IndexBase``), so they return the same hits.
"""

from __future__ import annotations

import bisect
import functools
import json
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from kurskcli.exits import EXIT_IOERR
from kurskcli.layout import FORMAT, META_KEYS, digest_of, expected_layout, layout_of, record_digest
from kurskcli.model import (
    PART,
    RECORD_CLASSES,
    Actor,
    Claim,
    Dataset,
    DatasetInfo,
    Event,
    PartsOnDemand,
    Quote,
    Record,
    Reread,
    Source,
    StoredDataset,
    paused_gc,
    spans_of,
    unpack,
)
from kurskcli.reading import DataFileError
from kurskcli.searcher import (
    TYPE_ORDER,
    WEIGHTS,
    Hits,
    IndexBase,
    folded_fields,
    word_set,
)
from kurskcli.text import WORD, fold, fold_words

if TYPE_CHECKING:
    import sqlite3

    from kurskcli.check import CheckResult

QUERY_SECONDS = 10.0  # a saved index that takes longer than this for a row is not used
_T = TypeVar("_T")
_TYPE_NAMES = {code: name for name, code in TYPE_ORDER.items()}

Progress = Callable[[str, int, int], None]
"""Called with (phase, done, total) while an index is built; total 0 means unknown."""


Counts = dict[str, dict[str, int]]
"""Actor id -> what ``query.actor_counts`` counts for it."""


class CacheUnusable(Exception):
    """The cached index cannot be trusted (stale, corrupt, or another format)."""


class StoreDamaged(DataFileError):
    """A store found damaged once part of an answer read from it was printed (exit 74)."""

    exit_code = EXIT_IOERR


# What reading a damaged cache can raise besides sqlite3.Error (imported only when needed).
_DAMAGE = (CacheUnusable, EOFError, KeyError, ValueError, TypeError, IndexError, UnicodeError, AttributeError)


# ----------------------------------------------------------------------------- reading


class DiskIndex(IndexBase):
    """A search index read on demand from a cache file written by ``write``; every row is checked."""

    def __init__(self, con: sqlite3.Connection):
        self.con = con
        self.more_time()
        con.set_progress_handler(lambda: time.monotonic() > self._deadline, 1000)
        if layout_of(con) != expected_layout():
            raise CacheUnusable("not the layout this version writes")
        meta = dict(con.execute("SELECT key, value FROM meta WHERE key NOT IN ('vocab', 'docs')").fetchall())
        if meta.get("format") != FORMAT:
            raise CacheUnusable("another format")
        if meta.get("digest") != digest_of(*(meta[k] for k in META_KEYS)):
            raise CacheUnusable("the index's description does not match its digest")
        self.meta = meta
        # records are numbered by kind (quotes, claims, events, actors), each kind one run
        self.counts: list[int] = json.loads(meta["sizes"])
        self.size = sum(self.counts)
        self.firsts: list[int] = [sum(self.counts[:code]) for code in range(len(TYPE_ORDER))]
        self._records: dict[int, Record] = {}
        self._held: dict[str, int] = {}  # words' record counts found so far (``_records_holding``)
        self._texts: StoredDataset | None = None  # the parts of the texts read so far

    def more_time(self) -> None:
        """Give the store QUERY_SECONDS more to answer: a row handed out is an answer, and the
        time its reader takes over it (a pager, a slow pipe) is not the store's."""
        self._deadline = time.monotonic() + QUERY_SECONDS

    @functools.cached_property
    def _lexicon(self) -> tuple[str, array[int]]:
        """Every word the search index holds, sorted, each after a newline and the last before
        one, as stored, and in how many records each is: read and checked by their own digest
        when a search first asks, since a large store's words take longer to read, check and
        split than the rest of a command. A word and a prefix are found in the words as stored;
        a typo's match splits them (``vocab``)."""
        stored = dict(self.con.execute("SELECT key, value FROM meta WHERE key IN ('vocab', 'docs')").fetchall())
        words: str = stored["vocab"]
        counts: bytes = stored["docs"]
        if digest_of(words, counts) != self.meta["lexicon"]:
            raise CacheUnusable("the search index's words do not match their digest")
        docs = array("I")
        docs.frombytes(counts)
        return words, docs

    @functools.cached_property
    def vocab(self) -> list[str]:  # type: ignore[override]
        words, docs = self._lexicon
        return words[1:-1].split("\n") if docs else []

    def _records_holding(self, word: str) -> int:
        """In how many records the search index holds ``word``; -1 where it holds it in none.
        A word's place is counted in the words once (``_held``): a search asks again for each."""
        held = self._held.get(word)
        if held is None:
            words, docs = self._lexicon
            at = words.find(f"\n{word}\n")
            held = self._held[word] = -1 if at < 0 else docs[words.count("\n", 0, at)]
        return held

    def has_word(self, word: str) -> bool:
        return f"\n{word}\n" in self._lexicon[0]

    def longer_words(self, prefix: str) -> list[str]:
        """``IndexBase.longer_words``, each word's record count noted as the run is walked, so
        that a prefix standing for thousands of words counts their places once, not each."""
        (words, docs), out = self._lexicon, []
        at = words.find("\n" + prefix)  # the first of the words it begins, which follow in order
        place = words.count("\n", 0, at) if at >= 0 else 0
        while at >= 0 and words.startswith(prefix, at + 1):
            end = words.index("\n", at + 1)
            word = words[at + 1 : end]
            self._held[word] = docs[place]
            if len(word) > len(prefix):
                out.append(word)
            at, place = end, place + 1
        return out

    def postings_of(self, word: str) -> dict[int, float]:
        post: dict[int, float] = {}
        for column, weight in enumerate(WEIGHTS):  # a record counts at the highest weight it holds the word at
            rows = self.con.execute("SELECT rowid FROM words WHERE words MATCH ?", (f'w{column} : "{word}"',))
            for (row,) in rows:
                post.setdefault(self._rid(row), weight)
        # The search index has no digests of its own: each word's records are counted against
        # the count the description (which has one) gives.
        if self._records_holding(word) != len(post):
            raise CacheUnusable(f"the search index does not hold {word!r} as written")
        return post

    def _rid(self, row: int) -> int:
        """The record number of the search index's row ``row`` (``fts_rowid``)."""
        code, n = row >> 32, row & 0xFFFFFFFF
        if code >= len(self.firsts) or n >= self.counts[code]:
            raise CacheUnusable("a search index row out of range")
        return self.firsts[code] + n

    def search(self, query: str, *, types: Sequence[str] | None = None, limit: int | None = 20) -> Hits:
        """``IndexBase.search``, each hit's words checked against its record: the search index
        has no digests of its own, so a hit its record does not bear out means damage."""
        hits = super().search(query, types=types, limit=limit)
        for hit in hits:
            held = set().union(*(word_set(text) for _, text, _ in self._folded(hit.record)))
            if not hit.matched <= held:
                raise CacheUnusable(f"the search index finds words {hit.record.id!r} does not hold")
        return hits

    def _numbers(self, kind: str) -> range:
        """The record numbers of a kind."""
        code = TYPE_ORDER[kind]
        return range(self.firsts[code], self.firsts[code] + self.counts[code])

    def type_of(self, rid: int) -> str:
        return _TYPE_NAMES[bisect.bisect_right(self.firsts, rid) - 1]

    def _row(self, rid: int) -> Record:
        row = self.con.execute("SELECT id, data, digest FROM records WHERE rid = ?", (rid,)).fetchone()
        if row is None:
            raise CacheUnusable(f"record {rid} missing")
        rec_id, data, digest = row
        if digest != record_digest(rid, rec_id, data):
            raise CacheUnusable(f"record {rid} does not match its digest")
        rec = unpack(self.type_of(rid), json.loads(data))
        if rec.id != rec_id:
            raise CacheUnusable(f"record {rid} holds another id")
        self._records[rid] = rec
        return rec

    def fields_at(self, rid: int) -> Sequence[tuple[str, str, float]]:
        """Folded from the record as the index was (a search reads a few hundred at most), the
        source passages of claims and events from the stored texts."""
        return self._folded(self.record_at(rid))

    def _folded(self, rec: Record) -> list[tuple[str, str, float]]:
        if self._texts is None:
            self._texts = StoredDataset(self._lengths)
            self._texts.parts = PartsOnDemand(self.part_of)
        return folded_fields(rec, self._texts.passage)

    def record_at(self, rid: int) -> Record:
        return self._records.get(rid) or self._row(rid)

    def ids_of(self, rids: Sequence[int]) -> dict[int, str]:
        """The ids of the records ``rids``, each row checked against its digest, in one query
        a few hundred at a time; the records themselves are not decoded."""
        out: dict[int, str] = {}
        wanted = list(dict.fromkeys(rids))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.con.execute(f"SELECT rid, id, data, digest FROM records WHERE rid IN ({marks})", chunk)
            for rid, rec_id, data, digest in rows:
                if digest != record_digest(rid, rec_id, data):
                    raise CacheUnusable(f"record {rid} does not match its digest")
                out[rid] = rec_id
        if len(out) != len(wanted):
            raise CacheUnusable("records are missing")
        return out

    def naming(self, actor_ids: Iterable[str], kinds: Iterable[str] = TYPE_ORDER) -> list[Record]:
        """The records of ``kinds`` that name any of ``actor_ids`` (``query.involved``), in
        record order, read through the mentions table; the description says how many each
        actor has."""
        from kurskcli.query import involved

        counts: dict[str, int] = json.loads(self.meta["mentions"])
        named_kinds = set(kinds)
        wanted = set(actor_ids)
        rids: set[int] = set()
        for actor in sorted(wanted):
            if actor not in counts:
                continue  # an actor no record names
            row = self.con.execute("SELECT rids, digest FROM mentions WHERE actor = ?", (actor,)).fetchone()
            if row is None or row[1] != digest_of(actor, row[0]):
                raise CacheUnusable(f"the records naming {actor!r} are missing or do not match their digest")
            found = array("I")
            found.frombytes(row[0])
            if len(found) != counts[actor] or (found and max(found) >= self.size):
                raise CacheUnusable(f"the records naming {actor!r} are out of range")
            rids.update(rid for rid in found if self.type_of(rid) in named_kinds)
        out: list[Record] = []
        for rid in sorted(rids):
            rec = self.record_at(rid)
            if not isinstance(rec, (Quote, Claim, Event)) or not wanted.intersection(involved(rec)):
                raise CacheUnusable(f"record {rid} names none of those actors")
            out.append(rec)
        return out

    def rid_of(self, record_id: str) -> int:
        row = self.con.execute("SELECT rid FROM records WHERE id = ?", (record_id,)).fetchone()
        if row is None:
            raise CacheUnusable(f"no record {record_id!r}")
        return int(row[0])

    def ids(self) -> list[str]:
        """Every record id, sources included (for "did you mean")."""
        return [row[0] for row in self.con.execute("SELECT id FROM records")] + list(self._sources())

    def _sources(self) -> dict[str, Source]:
        out = {}
        for values in json.loads(self.meta["sources"]):
            src = unpack("source", values)
            out[src.id] = src
        return out  # type: ignore[return-value]  # unpack("source") makes a Source

    def part_of(self, source_id: str, part: int) -> str:
        row = self.con.execute("SELECT text, digest FROM texts WHERE id = ? AND part = ?", (source_id, part)).fetchone()
        if row is None or row[1] != digest_of(source_id, part, row[0]):
            raise CacheUnusable(f"part {part} of the text of {source_id!r} is missing or does not match its digest")
        return str(row[0])

    def lookup(self, record_id: str) -> Record | None:
        """The record with this id, or None."""
        row = self.con.execute("SELECT rid FROM records WHERE id = ?", (record_id,)).fetchone()
        if row is not None:
            return self.record_at(int(row[0]))
        return self._sources().get(record_id)  # without its text, like every source here

    def shown_hits(self, query: str, types: Sequence[str] | None, limit: int | None) -> tuple[Hits, Dataset]:
        """A search's hits and what showing them needs (``context``)."""
        hits = self.search(query, types=types, limit=limit)
        return hits, self.context([h.record for h in hits])

    def checked(self, text: str) -> tuple[CheckResult, Dataset]:
        """``check.check_quote``'s verdict on ``text``, and what showing it needs."""
        from kurskcli.check import NEAR_CUTOFF, find_in_sources, in_source, near, nearest

        found = self._quoted(text)
        if found is not None:
            return found
        # no quote's words: read one at a time, each source's text, then every quote
        sources = sorted(self._sources().values(), key=lambda src: src.id)
        where = find_in_sources((src._replace(text=self._text(src.id)) for src in sources), text)
        if where is not None:
            records = (rec for kind in ("quote", "claim", "event") for rec in self._each(kind))
            result = in_source(text, *where, records)
            return result, self.context([result.record] if result.record else [])
        best = nearest(text, ((q, " ".join(fold_words(q.text))) for q in self._each("quote") if isinstance(q, Quote)))
        shown = self.context([best[1]] if best and best[0] >= NEAR_CUTOFF else [], texts=True)
        return near(shown, text, best), shown

    def _quoted(self, text: str) -> tuple[CheckResult, Dataset] | None:
        """``checked`` where ``text`` is the words of a quote (verbatim or apart from
        typography); None where it is not. Such a quote holds every word of the text, so only
        the quotes the search index finds holding them all are read, the rarest word first."""
        from kurskcli.check import folded_quotes, in_quotes

        found: set[int] | None = None
        for word in sorted(set(WORD.findall(fold(text))), key=self._records_holding):
            if self._records_holding(word) < 0:
                return None
            holding = {rid for rid in self.postings_of(word) if self.type_of(rid) == "quote"}
            found = holding if found is None else found & holding
            if not found:
                return None
        quotes = [self.record_at(rid) for rid in sorted(found or ())]
        result = in_quotes(self.context(quotes), text, folded_quotes(q for q in quotes if isinstance(q, Quote)))
        if result is None or result.quote is None:
            return None
        shown = [result.quote, *(m.quote for m in result.renderings), *result.also]
        return result, self.context(shown, texts=True)

    def shown_records(self, record_ids: Sequence[str]) -> tuple[list[Record | None], Dataset, Callable[[], list[str]]]:
        """Records by id (None where there is none), what showing them needs (``context`` with
        the parts of the texts around them), and a function giving every id, for suggestions."""
        recs = [self.lookup(rid) for rid in record_ids]
        ids = self.ids() if None in recs else []
        return recs, self.context([r for r in recs if r is not None], texts=True), lambda: ids

    def beside_timeline(self, kinds: Iterable[str]) -> StoredDataset:
        """What showing the timeline of ``kinds`` needs beside the records in it: every actor,
        source (without its text) and event (what later pages report), and with quotes every
        quote of an utterance given in more renderings than one (most quotes have none); its
        ``counts`` are the store's."""
        ds = self._tallied(self.dataset(["event"]))
        if "quote" in kinds:
            groups: dict[str, list[str]] = json.loads(self.meta["renderings"])
            for member in (member for members in groups.values() for member in members):
                rec = self.record_at(self.rid_of(member))
                if isinstance(rec, Quote):
                    ds.quotes[rec.id] = rec
        return ds

    def in_order(self, kinds: Iterable[str], actors: Iterable[str] | None = None) -> Iterator[Quote | Claim | Event]:
        """The records of ``kinds`` (quotes, claims, events) in date order, read as they are
        asked for, so that a reader who stops early has read little. Each row is checked by
        its digest, its kind and its place in the order; a kind read to its end, by its count.
        With ``actors``, only the records that name one of them, read through the list kept
        for each actor (``naming``) and put in order here."""
        from kurskcli.query import order_text

        if actors is not None:
            named: list[Any] = self.naming(actors, kinds)
            yield from sorted(named, key=order_text)
            return
        yield from self._in_order(kinds)

    def _in_order(self, kinds: Iterable[str]) -> Iterator[Quote | Claim | Event]:
        import heapq

        import msgspec

        from kurskcli.query import order_text

        def rows(kind: str) -> Iterator[tuple[str, int, Quote | Claim | Event]]:
            code = TYPE_ORDER[kind]
            decode = msgspec.json.Decoder(RECORD_CLASSES[kind]).decode
            select = "SELECT rid, id, sort, data, digest FROM records WHERE type = ? ORDER BY sort"
            seen = 0
            for rid, rec_id, sort, data, digest in self.con.execute(select, (kind,)):
                rec = decode(data)
                if self.type_of(rid) != kind or digest != record_digest(rid, rec_id, data) or rec.id != rec_id:
                    raise CacheUnusable(f"record {rid} does not match its digest")
                if sort != order_text(rec):
                    raise CacheUnusable(f"record {rid} is out of its place in the timeline")
                seen += 1
                self.more_time()
                yield sort, rid, rec
            if seen != self.counts[code]:
                raise CacheUnusable(f"{kind}s are missing from the timeline")

        merged = heapq.merge(*(rows(kind) for kind in dict.fromkeys(kinds)))
        yield from self._as_printed(rec for _, _, rec in merged)

    def _as_printed(self, records: Iterator[_T]) -> Iterator[_T]:
        """``records`` as part of an answer printed as they come: where one is damaged, part of
        the answer may be out already, so the store goes (the next run builds it anew) and the
        command ends (StoreDamaged)."""
        import sqlite3

        try:
            yield from records
        except (sqlite3.Error, *_DAMAGE) as exc:
            with suppress(OSError):
                Path(self.con.execute("PRAGMA database_list").fetchone()[2]).unlink()
            raise StoreDamaged(
                f"the saved index of these datasets is damaged ({exc}); it is removed: run the command again"
            ) from None

    def dataset(self, kinds: Iterable[str] | None = None) -> Dataset:
        """Everything the store holds, as a full load would give it: every record in the order
        it was read, every source with its whole text, and what each dataset file says of itself.
        With ``kinds``, only the records of those kinds and the actors, and no source text: the
        sources' lengths alone (what the timeline and the claims show of a source)."""
        with paused_gc():
            return self._dataset(None if kinds is None else {*kinds, "actor"})

    def _dataset(self, kinds: set[str] | None) -> Dataset:
        ds = Dataset() if kinds is None else StoredDataset(self._lengths)
        ds.infos = [DatasetInfo(*values) for values in json.loads(self.meta["infos"])]
        for name in TYPE_ORDER:
            if kinds is None or name in kinds:
                table: dict[str, Any] = getattr(ds, name + "s")
                table.update((rec.id, rec) for rec in self._each(name))
        if kinds is None and sum(len(getattr(ds, name + "s")) for name in TYPE_ORDER) != self.size:
            raise CacheUnusable("records of an unknown kind")
        for src in self._sources().values():  # with every record, every text
            ds.sources[src.id] = src if kinds is not None else src._replace(text=self._text(src.id))
        return ds

    def _each(self, name: str, *, by_id: bool = False) -> Iterator[Record]:
        """Every record of a kind, in the order it was read (or ``by_id``, in id order)."""
        import msgspec  # turns each row back into its record in C: a quarter of unpack's time

        code = TYPE_ORDER[name]
        first, count = self.firsts[code], self.counts[code]
        decode = msgspec.json.Decoder(RECORD_CLASSES[name]).decode
        select = (
            f"SELECT rid, id, data, digest FROM records WHERE rid BETWEEN ? AND ? ORDER BY {'id' if by_id else 'rid'}"
        )
        seen, previous = 0, ""
        for rid, rec_id, data, digest in self.con.execute(select, (first, first + count - 1)):
            # in id order each id comes after the one before (no row twice); else each number in turn
            in_turn = (seen == 0 or rec_id > previous) if by_id else rid == first + seen
            if not in_turn or digest != record_digest(rid, rec_id, data):
                raise CacheUnusable(f"record {rid} is missing or does not match its digest")
            seen, previous = seen + 1, rec_id
            self.more_time()
            rec = decode(data)
            if rec.id != rec_id:
                raise CacheUnusable(f"record {rid} holds another id")
            yield rec
        if seen != count:
            raise CacheUnusable("records are missing")

    def exported(self, kinds: Sequence[str]) -> tuple[Reread, Dataset]:
        """The records of ``kinds`` (sources, actors, quotes, claims, events), each kind in id
        order, read as they are written out (sources without their texts, whose parts the
        dataset reads as they are asked for), and what writing them needs (``beside_timeline``):
        an export holds one record at a time, and the parts of the texts it has read."""
        ds = self.beside_timeline(kinds)
        ds.parts = PartsOnDemand(self.part_of)
        sources = sorted(ds.sources.values(), key=lambda src: src.id)

        def records() -> Iterator[Record]:
            for kind in kinds:
                if kind == "source":
                    yield from sources
                else:
                    yield from self._each(kind, by_id=True)

        size = sum(len(sources) if kind == "source" else self.counts[TYPE_ORDER[kind]] for kind in kinds)
        return Reread(lambda: self._as_printed(records()), size), ds

    @functools.cached_property
    def _lengths(self) -> dict[str, int]:
        """Each source text's length, read once however many texts and datasets are made (no
        dataset made here changes it)."""
        lengths: dict[str, int] = json.loads(self.meta["lengths"])
        return lengths

    def _text(self, source_id: str) -> str:
        """A source's whole text."""
        length = self._lengths[source_id]
        text = "".join(self.part_of(source_id, part) for part in range(-(-length // PART)))
        if len(text) != length:
            raise CacheUnusable(f"the text of {source_id!r} has the wrong length")
        return text

    def on_source(self, choose: Callable[[Dataset], Source]) -> tuple[StoredDataset, Source]:
        """The source ``choose`` picks among every source, with its text, and a dataset holding
        every actor and source and the quotes, claims and events with a span on it: each record
        is read in turn, and kept only if it has one."""
        ds = self.context([])
        src = choose(ds)
        src = ds.sources[src.id] = src._replace(text=self._text(src.id))
        for kind in ("quote", "claim", "event"):
            table: dict[str, Any] = getattr(ds, kind + "s")
            table.update((r.id, r) for r in self._each(kind) if any(sp.source == src.id for sp in spans_of(r)))
        return ds, src

    def about_actors(self, choose: Callable[[Dataset], Iterable[str]], kinds: Iterable[str]) -> StoredDataset:
        """Every actor and source, and the records of ``kinds`` that name the actors ``choose``
        picks given the actors (quotes with their other renderings)."""
        return self.context(self.naming(list(choose(self.context([]))), kinds))

    def actor_counts(self) -> dict[str, dict[str, int]]:
        """``query.actor_counts`` of the data, as counted when the store was written."""
        from kurskcli.query import COUNTS

        stored: Counts = json.loads(self.meta["counts"])
        actors = [self.record_at(rid).id for rid in self._numbers("actor")]
        counts = {aid: {name: stored.get(aid, {}).get(name, 0) for name in COUNTS} for aid in actors}
        if any(aid not in counts or set(got) - set(COUNTS) for aid, got in stored.items()):
            raise CacheUnusable("counts of unknown actors")
        return counts

    def overview(self) -> StoredDataset:
        """What ``about`` shows, without reading a quote, claim or event: every actor and source
        (without its text), what each dataset file says of itself, and how many records of each
        kind the store holds."""
        ds = self._tallied(self.context([]))
        ds.infos = [DatasetInfo(*values) for values in json.loads(self.meta["infos"])]
        return ds

    def _tallied(self, ds: Dataset) -> StoredDataset:
        """``ds``, holding every actor and source, counting (``counts``) every record the store holds."""
        assert isinstance(ds, StoredDataset)  # as ``context`` and ``dataset`` of some kinds give it
        if len(ds.actors) != self.counts[TYPE_ORDER["actor"]]:
            raise CacheUnusable("actors are missing")
        ds.tallies = {"sources": len(ds.sources), "actors": len(ds.actors)}
        ds.tallies.update((name + "s", self.counts[TYPE_ORDER[name]]) for name in ("quote", "claim", "event"))
        return ds

    def context(self, records: Sequence[Record], *, texts: bool = False) -> StoredDataset:
        """What ``records`` need to be shown as a full load would show them: every actor, every
        source, the other renderings of each quote and the statement it names as ``related``
        (those naming it are not looked for), the events a record names as ``outcomes``; with
        ``texts``, the parts of the source
        texts around each span of those records and renderings (no source comes with its text)."""
        ds = StoredDataset(self._lengths)
        for rid in self._numbers("actor"):
            rec = self.record_at(rid)
            if isinstance(rec, Actor):
                ds.actors[rec.id] = rec
        ds.sources.update(self._sources())
        groups: dict[str, list[str]] = json.loads(self.meta["renderings"])
        shown = list(records)
        for rec in records:
            if isinstance(rec, Quote):
                linked = groups.get(rec.renders or rec.id, [])
                for member in [*linked, *([rec.related] if rec.related else [])]:
                    other = self.record_at(self.rid_of(member))
                    if isinstance(other, Quote):
                        ds.quotes[other.id] = other
                        shown.append(other)
            for eid in rec.outcomes if isinstance(rec, Claim | Event) else ():
                event = self.record_at(self.rid_of(eid))
                if isinstance(event, Event):
                    ds.events.setdefault(event.id, event)
            table: dict[str, Any] = getattr(ds, rec.type + "s")
            table[rec.id] = rec
        if texts:
            ds.keep_parts(shown, self.part_of)
        return ds


def connect_bounded(path: Path) -> sqlite3.Connection:
    """A read-only connection on which every statement is interrupted after QUERY_SECONDS in all
    (``DiskIndex`` gives it that much more for each row it hands out)."""
    import sqlite3

    con = sqlite3.connect(path, check_same_thread=False)
    deadline = time.monotonic() + QUERY_SECONDS
    con.set_progress_handler(lambda: time.monotonic() > deadline, 1000)
    con.execute("PRAGMA query_only = 1")
    con.execute("PRAGMA trusted_schema = 0")
    return con
