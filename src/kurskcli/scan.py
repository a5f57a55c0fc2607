"""Large JSON Lines (and large JSON documents, on two cores) answered as they are read, in the
memory of their ids.

A first command over a million quotes of JSON Lines has no store to answer from, and reading
the records whole would hold gigabytes. Here the records go by as they are checked, and each is
written to a temporary file (``_Spilled``); what stays in memory is what the checks need (the
ids), where each record is in the file, and what the command asks for:

* a search (``search``) keeps, per batch of records searched with ``ScanIndex``, the postings of
  the query's words alone; the ranking is then ``IndexBase.search``'s over them, and the few
  records it reads come back from the file. A typo is matched against every word of the data: a
  word is compared with the query's words when it is first seen, and followed from then on if it
  is close enough to count as a typo of one of them; once every query word has been found as it
  is, no typo is looked for, and the vocabulary is no longer kept.
* the other commands that go through the store (``kept``) keep the numbers of the records naming
  each actor and what each actor counts for, and read back the records they show, as the store
  would give them (``Kept`` answers as ``index.DiskIndex`` does).
"""

from __future__ import annotations

import bisect
import contextlib
import mmap
from array import array
from collections.abc import Callable, Iterable, Sequence
from itertools import groupby, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any, cast

from kurskcli.dataset import Counted, SpillFile
from kurskcli.model import Actor, Claim, Dataset, Event, Quote, Record, StoredDataset, add_mentions
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
_OTHER = 1 << 63  # marks a record's offset as one in the file of the second half (``_Spilled.other``)


class _Spilled(Counted):
    """The sink that writes each record to a temporary file, a batch at a time, besides
    ``Counted``'s checks of the ids. Records are numbered as ``Dataset.records()`` lists them:
    each within its type as read, the types in TYPE_ORDER (known once all are read)."""

    BATCH = 10_000

    def __init__(self) -> None:
        import msgspec

        super().__init__()
        self.numbers = [0] * len(TYPE_ORDER)
        self.where: list[array[int]] = [array("Q") for _ in TYPE_ORDER]  # record number -> offset in the file
        self.sizes: list[array[int]] = [array("I") for _ in TYPE_ORDER]
        self.quote_hashes = array("q")  # the hash of each quote's id, by number: a dict would take ten times the room
        self.renderings: dict[str, list[int]] = {}  # quote id -> numbers of the quotes rendering it
        self.records = SpillFile()
        self.other = SpillFile()  # a child's records, where the file is read in halves
        self.encode = msgspec.json.encode
        self.batch: list[Record] = []
        self.keys: list[int] = []
        self.raw: list[bytes] = []
        self.ds: Dataset | None = None

    def add_all(self, recs: Sequence[Record], ds: Dataset) -> None:
        super().add_all(recs, ds)
        code = TYPE_ORDER[recs[0].type]
        n = self.numbers[code]
        self.numbers[code] = n + len(recs)
        if code == TYPE_ORDER["quote"]:
            quotes = cast(Sequence[Quote], recs)
            self.quote_hashes.extend([hash(rec.id) for rec in quotes])
            for k, rec in enumerate(quotes):
                if rec.renders is not None:
                    self.renderings.setdefault(rec.renders, []).append(n + k)
        self.ds = ds
        self.batch += recs
        first = (code << _SHIFT) + n
        self.keys += range(first, first + len(recs))
        self.raw += map(self.encode, recs)
        if len(self.batch) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        """Write the batch's records to the file (and do with them what ``took`` does)."""
        if not self.batch:
            return
        from kurskcli.dataset import NotStreamed

        at = self.records.put(b"".join(self.raw))
        if at is None:
            raise NotStreamed("the records could not be written to a temporary file")
        for key, raw in zip(self.keys, self.raw, strict=True):
            self.where[key >> _SHIFT].append(at)
            self.sizes[key >> _SHIFT].append(len(raw))
            at += len(raw)
        self.took()
        self.batch, self.keys, self.raw = [], [], []

    def took(self) -> None:
        """What a kind of sink does with a batch (``self.batch``, ``self.keys``) once it is written."""

    def close(self) -> None:
        super().close()
        self.records.close()
        self.other.close()

    # Halves (``dataset._Halves``): the child writes its records to a second file, made before
    # the fork so that the parent can read them; their offsets are marked _OTHER in ``where``.

    def before_fork(self) -> None:
        from kurskcli.dataset import NotStreamed

        super().before_fork()
        self.flush()
        if not self.other.create():
            raise NotStreamed("the records could not be written to a temporary file")

    def in_child(self) -> None:
        super().in_child()
        self.numbers = [0] * len(TYPE_ORDER)
        self.where = [array("Q") for _ in TYPE_ORDER]
        self.sizes = [array("I") for _ in TYPE_ORDER]
        self.quote_hashes = array("q")
        self.renderings = {}
        self.records = self.other

    def half_state(self) -> Any:
        self.flush()
        return super().half_state(), self.numbers, self.where, self.sizes, self.quote_hashes, self.renderings

    def merge_half(self, state: Any) -> None:
        counted, numbers, where, sizes, quote_hashes, renderings = state
        self.flush()  # this half's last records first: the child's are numbered after them
        super().merge_half(counted)
        quotes = self.numbers[0]
        for code, count in enumerate(numbers):
            self.numbers[code] += count
            self.where[code].extend(at | _OTHER for at in where[code])
            self.sizes[code].extend(sizes[code])
        self.quote_hashes.extend(quote_hashes)
        for root, found in renderings.items():
            self.renderings.setdefault(root, []).extend(n + quotes for n in found)


class _Records:
    """The records a ``_Spilled`` sink wrote, read back by record number."""

    def __init__(self, sink: _Spilled, ds: Dataset) -> None:
        import msgspec

        self.sink, self.ds = sink, ds
        self.offsets: list[int] = []
        total = 0
        for count in sink.numbers:
            self.offsets.append(total)
            total += count
        self.size = total
        self._read: dict[int, Record] = {}
        self._decoders = [msgspec.json.Decoder(cls) for cls in _CLASSES]

    def split(self, rid: int) -> tuple[int, int]:
        """The code of the type of record ``rid``, and its number within the type."""
        code = bisect.bisect_right(self.offsets, rid) - 1  # a type with no record shares the next one's offset
        return code, rid - self.offsets[code]

    def type_of(self, rid: int) -> str:
        return _NAMES[self.split(rid)[0]]

    def at(self, rid: int) -> Record:
        """Record ``rid``, kept once read."""
        rec = self._read.get(rid)
        if rec is None:
            rec = self._read[rid] = self.read(*self.split(rid))
        return rec

    def read(self, code: int, n: int) -> Record:
        """Record ``n`` of the type of code ``code``, read from the file; NotStreamed where it
        cannot be read back as it was written."""
        from kurskcli.dataset import NotStreamed

        at = self.sink.where[code][n]
        spill = self.sink.other if at & _OTHER else self.sink.records
        raw = spill.get(at & ~_OTHER, self.sink.sizes[code][n])
        try:
            rec: Record = self._decoders[code].decode(raw)
        except ValueError as exc:  # msgspec.DecodeError
            raise NotStreamed(f"a record could not be read back from a temporary file: {exc}") from None
        return rec

    def quote_number(self, quote_id: str) -> int | None:
        """The number of the quote with this id, if there is one."""
        hashes, wanted, start = self.sink.quote_hashes, hash(quote_id), 0
        while True:
            try:
                n = hashes.index(wanted, start)
            except ValueError:
                return None
            if self.at(self.offsets[0] + n).id == quote_id:  # not another id with the same hash
                return n
            start = n + 1

    def context(self, records: Iterable[Record], *, texts: bool = False) -> StoredDataset:
        """What showing ``records`` needs, as ``DiskIndex.context`` gives it: every actor and
        source (with the length of its text, not the text), the records, and every other
        rendering of a quote among them; with ``texts``, the parts of the source texts around
        each span of those records."""
        ds = StoredDataset({source_id: self.ds.text_length(source_id) for source_id in self.ds.sources})
        ds.actors.update(self.ds.actors)
        ds.sources.update(self.ds.sources)
        shown = list(records)
        for rec in list(shown):
            if isinstance(rec, Quote):
                root = rec.renders or rec.id
                numbers = list(self.sink.renderings.get(root, ()))
                if numbers and (number := self.quote_number(root)) is not None:
                    numbers.append(number)
                for n in numbers:
                    other = self.at(self.offsets[0] + n)
                    ds.quotes[other.id] = other  # type: ignore[assignment]  # a quote
                    shown.append(other)
            table: dict[str, Any] = getattr(ds, rec.type + "s")
            table[rec.id] = rec
        if texts:
            ds.keep_parts(shown, lambda source_id, part: self.sink.texts[source_id].part(part))
        return ds


class _Searched(_Spilled):
    """The sink that searches: per batch of records, the postings of the words a query asks about."""

    def __init__(self, terms: Sequence[str]) -> None:
        super().__init__()
        self.terms = list(terms)
        self.unknown = {t for t in terms if len(t) >= 3}  # not found yet: a typo may stand for them
        # word -> field weight -> the keys of the records holding the word at that weight, 8 bytes
        # each (a dictionary entry and a number object each took the two halves of a million
        # quotes to 450 MiB together for "the of", against 368)
        self.found: dict[str, dict[float, array[int]]] = {}
        self.kept_here: set[str] = set()  # the words whose postings in the batch are kept
        self.longer: dict[str, set[str]] = {t: set() for t in self.unknown}
        self.seen: set[str] = set()  # every word read so far, while a typo is looked for
        self.followed: set[str] = set()  # words close enough to an unknown query word
        self.shared: mmap.mmap | None = None  # in halves, a byte a query word: found in either half

    def took(self) -> None:
        assert self.ds is not None
        scan = ScanIndex(self.batch, self.ds.passage)
        self.kept_here = set()
        for term in self.terms:
            longer = scan.longer_words(term) if len(term) >= 3 else []
            for word in [term, *longer]:
                self._keep(word, scan.postings_of(word))
            if longer:
                self.longer[term].update(longer)
            if term in self.found:
                self.unknown.discard(term)
        if self.shared is not None:
            self._share()
        if self.unknown:
            self._follow(scan)
        else:
            self._unfollow()

    def _unfollow(self) -> None:
        """Every word of the query is known: no typo will be looked for, and the words followed
        as possible typos are dropped."""
        if self.followed:
            needed = {*self.terms, *(w for words in self.longer.values() for w in words)}
            for word in self.followed - needed:
                self.found.pop(word, None)
            self.followed.clear()
            self.seen.clear()

    def before_fork(self) -> None:
        super().before_fork()
        with contextlib.suppress(OSError):  # without it, each half looks for typos on its own
            self.shared = mmap.mmap(-1, max(len(self.terms), 1))  # anonymous and shared: both halves see it

    def _share(self) -> None:
        """Tell the other half which query words this one has found, and stop looking for typos
        of those the other half found: once found in either half, a word has no typo (see
        merge_half)."""
        assert self.shared is not None
        for i, term in enumerate(self.terms):
            if term in self.found:
                self.shared[i] = 1
            elif self.shared[i]:
                self.unknown.discard(term)

    def close(self) -> None:
        super().close()
        if self.shared is not None:
            self.shared.close()
            self.shared = None

    def in_child(self) -> None:
        super().in_child()
        self.found = {}
        self.longer = {term: set() for term in self.longer}  # the words seen and followed stay: see merge_half

    def half_state(self) -> Any:
        """The postings go as they are kept, arrays of keys: a million postings of a common word
        are 8 MB to send."""
        spilled = super().half_state()  # the last batch searched first
        return spilled, self.found, self.longer, self.unknown, self.followed

    def merge_half(self, state: Any) -> None:
        """The child's postings, numbered after these. A word first seen in either half was
        compared with the query's unknown words there, and followed from then on, so the
        postings of every word followed are in one half or the other."""
        spilled, found, longer, unknown, followed = state
        before = list(self.numbers)
        super().merge_half(spilled)
        for word, groups in found.items():
            kept = self.found.setdefault(word, {})
            for weight, keys in groups.items():
                kept.setdefault(weight, array("Q")).extend([key + before[key >> _SHIFT] for key in keys])
        for term, words in longer.items():
            self.longer[term].update(words)
        self.unknown &= unknown
        self.followed |= followed
        if not self.unknown:
            self._unfollow()

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

    def _keep(self, word: str, post: dict[int, float]) -> None:
        """Keep the postings ``post`` of ``word`` in the batch (numbers in it, and weights), once."""
        if not post or word in self.kept_here:
            return
        self.kept_here.add(word)
        groups, keys = self.found.setdefault(word, {}), self.keys
        for weight, pairs in groupby(post.items(), key=itemgetter(1)):  # ScanIndex finds one weight's, then the next's
            groups.setdefault(weight, array("Q")).extend([keys[rid] for rid, _ in pairs])


class StreamedIndex(IndexBase):
    """The search over what ``_Searched`` kept: the postings of the query's words (and of their
    longer words and possible typos), and every record in a temporary file, read back on demand."""

    def __init__(self, sink: _Searched, ds: Dataset) -> None:
        self.sink, self.ds = sink, ds
        self.records = _Records(sink, ds)
        self.size = self.records.size
        self.vocab = []
        self._asked: dict[str, dict[int, float]] = {}

    def has_word(self, word: str) -> bool:
        return bool(self.sink.found.get(word))

    def postings_of(self, word: str) -> dict[int, float]:
        post = self._asked.get(word)
        if post is None:
            # A quote's key is its record number already; the others' keys are turned into their
            # numbers in place: a number so made is at least the number of quotes, so above any
            # quote's key, and below 2**32, so below any other key.
            post = self._asked[word] = {}
            for weight, keys in self.sink.found.get(word, {}).items():
                post.update(zip(keys, repeat(weight)))
            offsets, mask = self.records.offsets, (1 << _SHIFT) - 1
            for key in [key for key in post if key >> _SHIFT]:
                post[offsets[key >> _SHIFT] + (key & mask)] = post.pop(key)
        return post

    def longer_words(self, prefix: str) -> list[str]:
        return sorted(self.sink.longer.get(prefix, ()))

    def every_word(self) -> list[str]:
        """The words followed as possible typos: every word close enough to a query word never
        found as it is, which is all a typo of it can match, in the vocabulary's order."""
        return sorted(self.sink.followed)

    def type_of(self, rid: int) -> str:
        return self.records.type_of(rid)

    def record_at(self, rid: int) -> Record:
        return self.records.at(rid)

    def fields_at(self, rid: int) -> Sequence[tuple[str, str, float]]:
        return folded_fields(self.record_at(rid), self.ds.passage)


class _Kept(_Spilled):
    """The sink of ``kept``: besides each record in the file, the numbers of the records that
    name each actor, by type, and what each actor counts for (``query.actor_counts``)."""

    def __init__(self, wanted: Iterable[str] = ()) -> None:
        from kurskcli.query import count_record, involved

        super().__init__()
        self.add_mentions = add_mentions
        self.wanted = set(wanted)
        self.where_wanted: dict[str, tuple[int, int]] = {}  # id -> (type code, number)
        self.count_record, self.involved = count_record, involved
        self.mentions: list[dict[str, array[int]]] = [{} for _ in TYPE_ORDER]
        self.actor_counts: dict[str, dict[str, int]] = {}

    def add_all(self, recs: Sequence[Record], ds: Dataset) -> None:
        code = TYPE_ORDER[recs[0].type]
        n = self.numbers[code]
        super().add_all(recs, ds)
        for k, rec in enumerate(recs, n):
            if rec.id in self.wanted:
                self.where_wanted[rec.id] = (code, k)
            if isinstance(rec, (Quote, Claim, Event)):
                self.add_mentions(self.mentions[code], k, self.involved(rec))
                self.count_record(self.actor_counts, rec)

    def in_child(self) -> None:
        super().in_child()
        self.where_wanted = {}
        self.mentions = [{} for _ in TYPE_ORDER]
        self.actor_counts = {}

    def half_state(self) -> Any:
        return super().half_state(), self.where_wanted, self.mentions, self.actor_counts

    def merge_half(self, state: Any) -> None:
        spilled, where_wanted, mentions, actor_counts = state
        before = list(self.numbers)
        super().merge_half(spilled)
        for rid, (code, n) in where_wanted.items():
            self.where_wanted[rid] = (code, n + before[code])
        for code, table in enumerate(mentions):
            for actor, numbers in table.items():
                self.mentions[code].setdefault(actor, array("I")).extend(n + before[code] for n in numbers)
        for actor, counts in actor_counts.items():
            mine = self.actor_counts.setdefault(actor, {})
            for name, count in counts.items():
                mine[name] = mine.get(name, 0) + count


class Kept:
    """JSON Lines read by ``kept``, answering what the commands ask of the store
    (``index.DiskIndex``), with the same answers: the records come back from the file."""

    def __init__(self, sink: _Kept, ds: Dataset) -> None:
        self.sink, self.ds = sink, ds
        self.records = _Records(sink, ds)

    def context(self, records: Sequence[Record], *, texts: bool = False) -> StoredDataset:
        return self.records.context(records, texts=texts)

    def close(self) -> None:
        """Close (and so delete) the temporary files of the records and the texts."""
        self.sink.close()

    def lookup(self, record_id: str) -> Record | None:
        """The record with this id, if ``kept`` was asked for it, or the source; else None."""
        found = self.sink.where_wanted.get(record_id)
        if found is None:
            return self.ds.sources.get(record_id)  # without its text, as the store gives it
        code, n = found
        return self.records.at(self.records.offsets[code] + n)

    def naming(self, actor_ids: Iterable[str], kinds: Iterable[str]) -> list[Record]:
        """The records of ``kinds`` that name any of ``actor_ids``, in record order."""
        rids: set[int] = set()
        for kind in kinds:
            code = TYPE_ORDER[kind]
            for actor in actor_ids:
                rids.update(self.records.offsets[code] + n for n in self.sink.mentions[code].get(actor, ()))
        return [self.records.at(rid) for rid in sorted(rids)]

    def about_actors(self, choose: Callable[[Dataset], Iterable[str]], kinds: Iterable[str]) -> StoredDataset:
        return self.context(self.naming(list(choose(self.context([]))), kinds))

    def actor_counts(self) -> dict[str, dict[str, int]]:
        from kurskcli.query import COUNTS

        stored = self.sink.actor_counts
        return {aid: {name: stored.get(aid, {}).get(name, 0) for name in COUNTS} for aid in self.ds.actors}

    def overview(self) -> StoredDataset:
        ds = self.context([])
        ds.infos = list(self.ds.infos)
        ds.tallies = {"sources": len(ds.sources), "actors": len(ds.actors)}
        ds.tallies.update((name + "s", self.sink.numbers[TYPE_ORDER[name]]) for name in ("quote", "claim", "event"))
        return ds

    def dataset(self, kinds: Iterable[str] | None = None) -> Dataset:
        """The records of ``kinds`` and the actors, every source (without its text): what
        ``DiskIndex.dataset(kinds)`` gives. Every record with the texts (no ``kinds``) is read
        from the files whole, not this way."""
        if kinds is None:
            raise ValueError("no source text is kept: read every record from the files")
        ds = self.context([])
        ds.infos = list(self.ds.infos)
        for kind in kinds:
            if kind == "actor":
                continue
            code, table = TYPE_ORDER[kind], getattr(ds, kind + "s")
            for n in range(self.sink.numbers[code]):
                rec = self.records.read(code, n)
                table[rec.id] = rec
        return ds


def kept(
    paths: Sequence[Path],
    bundled: bool,
    progress: Callable[[str, int, int], None] | None = None,
    wanted: Iterable[str] = (),
) -> Kept | None:
    """``paths`` (and the bundled data) read as a stream into a temporary file (which ``close``
    closes); None where they cannot be read as a stream (see ``search``). The records whose ids
    are ``wanted`` can be looked up by id (``Kept.lookup``)."""
    sink = _Kept(wanted)
    ds = _read(paths, bundled, sink, (lambda done, total: progress("reading", done, total)) if progress else None)
    return None if ds is None else Kept(sink, ds)


def _read(
    paths: Sequence[Path], bundled: bool, sink: _Spilled, progress: Callable[[int, int], None] | None
) -> Dataset | None:
    """``stream_dataset`` into ``sink``, its last batch written; None (and the sink closed)
    where the data cannot be read as a stream."""
    from kurskcli.dataset import DataFileError, DatasetError, NotStreamed, stream_dataset

    try:
        ds = stream_dataset(paths, sink, bundled=bundled, progress=progress)
        sink.flush()
    except (NotStreamed, DataFileError, DatasetError, OSError):
        sink.close()
        return None
    sink.quote_ids, sink.other_ids = set(), set()  # checked: what answers needs them no more (100 MiB a million)
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
    from kurskcli.dataset import NotStreamed

    _, terms = normalize_query(query)
    sink = _Searched(terms)
    ds = _read(paths, bundled, sink, (lambda done, total: progress("searching", done, total)) if progress else None)
    if ds is None:
        return None
    try:
        index = StreamedIndex(sink, ds)
        hits = index.search(query, types=types, limit=limit)
        return hits, index.records.context([h.record for h in hits])
    except NotStreamed:  # a record could not be read back: the usual way answers
        return None
    finally:
        sink.close()  # the records and texts read back: nothing more is read from them
