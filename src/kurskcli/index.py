"""The store of user datasets: one SQLite file per set of dataset files, so that no command
reads and checks them again until they change.

The first command over a set of dataset files writes it in the user's cache folder
(``$XDG_CACHE_HOME/kurskcli``, else ``~/.cache/kurskcli``), then answers from it; every later
command reads only the records, words and postings it needs. JSON Lines are written to it as
they are read, a line at a time, so memory stays flat; a JSON document is read whole first.
Building a store removes the stores no kurskcli of this version can use.

The cache is a copy, never the truth:

* it is keyed by the tool and format version and by every file the data came from (the
  dataset files and any source texts they name): path, device, inode, size, modification and
  change times as they were before the file was read, and a checksum of its first and last
  64 KiB; any difference means a rebuild;
* every row carries a BLAKE2 digest of its content, and the table layout must be exactly the
  one written; a row or layout that does not match means a rebuild, and so does a query that
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

import datetime as dt
import json
import os
import re
import stat
import time
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from kurskcli import __version__
from kurskcli.dates import DateRange
from kurskcli.env import private_cache_dir
from kurskcli.model import (
    PART,
    Actor,
    Claim,
    Dataset,
    DatasetInfo,
    Event,
    Mentions,
    Quote,
    Record,
    Source,
    Span,
    StoredDataset,
    Witness,
    add_mentions,
    from_parts,
    in_parts,
    paused_gc,
)
from kurskcli.searcher import (
    TYPE_ORDER,
    Hits,
    IndexBase,
    ScanIndex,
    SearchIndex,
    Tables,
    add_postings,
    folded_fields,
    normalize_query,
)

if TYPE_CHECKING:
    import sqlite3

FORMAT = "kurskcli-search-index/9"
QUERY_SECONDS = 10.0  # a saved index that takes longer than this to answer is not used
_T = TypeVar("_T")
_TYPE_NAMES = {code: name for name, code in TYPE_ORDER.items()}

Progress = Callable[[str, int, int], None]
"""Called with (phase, done, total) while an index is built; total 0 means unknown."""


class CacheUnusable(Exception):
    """The cached index cannot be trusted (stale, corrupt, or another format)."""


# What reading a damaged cache can raise besides sqlite3.Error (imported only when needed).
_DAMAGE = (CacheUnusable, EOFError, KeyError, ValueError, TypeError, IndexError, UnicodeError, AttributeError)
_CLASSES: dict[str, Any] = {"quote": Quote, "claim": Claim, "event": Event, "actor": Actor, "source": Source}


# ----------------------------------------------------------------------------- records as plain values


def _unpack_dates(value: Sequence[Any]) -> DateRange:
    earliest, latest, uncertain = value
    return DateRange(
        dt.date.fromisoformat(earliest) if earliest else None,
        dt.date.fromisoformat(latest) if latest else None,
        bool(uncertain),
    )


def unpack(kind: str, values: Sequence[Any]) -> Record:
    """The record whose JSON (as msgspec writes a named tuple: an array, dates as ISO strings)
    gave ``values``; raises ValueError or TypeError on the wrong shape. Search, show and cite
    read a few rows this way, without paying for msgspec's import; reading the whole store,
    msgspec decodes each row itself (``DiskIndex.dataset``)."""
    cls = _CLASSES[kind]
    args: dict[str, Any] = {}
    for name, value in zip(cls._fields, values, strict=True):
        if name == "dates":
            value = _unpack_dates(value)
        elif name == "dated_by":
            value = tuple(Witness(date, _unpack_dates(dates), Span(*span)) for date, dates, span in value)
        elif name == "spans":
            value = tuple(Span(*s) for s in value)
        elif name == "span":
            value = Span(*value)
        elif isinstance(value, list):
            value = tuple(value)
        args[name] = value
    rec: Record = cls(**args)
    if rec.type != kind:
        raise ValueError(f"record of type {rec.type!r} stored as {kind!r}")
    return rec


# ----------------------------------------------------------------------------- where and what


def _bundled_fingerprint() -> list[Any]:
    import kurskcli.data
    from kurskcli.dataset import BUNDLED_NAME
    from kurskcli.reading import fingerprint

    here = getattr(kurskcli.data, "__file__", None)
    fp = fingerprint(Path(here).parent / BUNDLED_NAME) if here else None
    return ["bundled", __version__, fp]


def _name(paths: Sequence[Path], bundled: bool) -> str:
    """The cache file's name, from where the data lives."""
    where = json.dumps([FORMAT, __version__, bundled, [os.path.realpath(p) for p in paths]])
    return f"search-{zlib.crc32(where.encode('utf-8', 'surrogateescape')):08x}.sqlite"


def _key(bundled_fp: list[Any] | None, dataset_fps: Sequence[list[Any] | None]) -> str:
    """The content key: what the data files were when they were read."""
    return json.dumps([FORMAT, __version__, bundled_fp, list(dataset_fps)])


def _current_key(paths: Sequence[Path], bundled: bool) -> str:
    from kurskcli.reading import fingerprint

    return _key(_bundled_fingerprint() if bundled else None, [fingerprint(p) for p in paths])


_BLAKE2B: Any = None


def _digest(*parts: bytes | str | int) -> bytes:
    """A 16-byte BLAKE2b of ``parts``, each as its length and its bytes (str as UTF-8, int as
    decimal): every row of the store carries one, and is checked by it when read."""
    global _BLAKE2B
    if _BLAKE2B is None:  # imported once, on first use
        try:
            from _blake2 import blake2b  # what hashlib.blake2b is, without hashlib's OpenSSL (3-4 ms)
        except ImportError:  # a Python without the module
            from hashlib import blake2b
        _BLAKE2B = blake2b
    h = _BLAKE2B(digest_size=16)
    update = h.update
    for part in parts:
        if isinstance(part, str):
            raw = part.encode("utf-8", "surrogateescape")
        elif isinstance(part, int):
            raw = str(part).encode()
        else:
            raw = part
        update(len(raw).to_bytes(8, "little"))
        update(raw)
    return bytes(h.digest())


_META_KEYS = (
    "format",
    "key",
    "deps",
    "vocab",
    "types",
    "renderings",
    "sources",
    "lengths",
    "infos",
    "mentions",  # how many records name each actor (the records are in the mentions table)
    "counts",  # in what roles they name it (query.actor_counts)
)
SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID",
    "CREATE TABLE postings (word TEXT PRIMARY KEY, rids BLOB, weights BLOB, digest BLOB) WITHOUT ROWID",
    "CREATE TABLE records (rid INTEGER PRIMARY KEY, id TEXT, data TEXT, digest BLOB)",
    "CREATE INDEX records_id ON records (id)",
    "CREATE TABLE texts (id TEXT, part INTEGER, text TEXT, digest BLOB, PRIMARY KEY (id, part)) WITHOUT ROWID",
    "CREATE TABLE mentions (actor TEXT PRIMARY KEY, rids BLOB, digest BLOB) WITHOUT ROWID",
)
_LAYOUT: list[tuple[Any, ...]] = []


def _layout(con: sqlite3.Connection) -> list[tuple[Any, ...]]:
    return con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()


def _expected_layout() -> list[tuple[Any, ...]]:
    """What sqlite_master holds in an index that ``write`` made: nothing more, nothing less."""
    if not _LAYOUT:
        import sqlite3

        con = sqlite3.connect(":memory:")
        for statement in SCHEMA:
            con.execute(statement)
        _LAYOUT.extend(_layout(con))
        con.close()
    return _LAYOUT


# ----------------------------------------------------------------------------- reading


class DiskIndex(IndexBase):
    """A search index read on demand from a cache file written by ``write``; every row is checked."""

    def __init__(self, con: sqlite3.Connection):
        self.con = con
        if _layout(con) != _expected_layout():
            raise CacheUnusable("not the layout this version writes")
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("format") != FORMAT:
            raise CacheUnusable("another format")
        if meta.get("digest") != _digest(*(meta[k] for k in _META_KEYS)):
            raise CacheUnusable("the index's description does not match its digest")
        self.meta = meta
        self.vocab = meta["vocab"].split("\n") if meta["vocab"] else []
        self.types: bytes = meta["types"]
        self.size = len(self.types)
        self._records: dict[int, Record] = {}
        self._texts: StoredDataset | None = None  # the parts of the texts read so far

    def postings_of(self, word: str) -> dict[int, float]:
        row = self.con.execute("SELECT rids, weights, digest FROM postings WHERE word = ?", (word,)).fetchone()
        if row is None:
            raise CacheUnusable(f"no postings for {word!r}")  # only words of the vocabulary are asked for
        raw, weights, digest = row
        if digest != _digest(word, raw, weights):
            raise CacheUnusable(f"the postings of {word!r} do not match their digest")
        rids = array("I")
        rids.frombytes(raw)
        if len(rids) != len(weights) or (rids and max(rids) >= self.size):
            raise CacheUnusable("postings out of range")
        share = {w: w / 100 for w in set(weights)}  # a handful of weights: one number each, not one a record
        return dict(zip(rids, map(share.__getitem__, weights), strict=True))

    def type_of(self, rid: int) -> str:
        return _TYPE_NAMES[self.types[rid]]

    def _row(self, rid: int) -> Record:
        row = self.con.execute("SELECT id, data, digest FROM records WHERE rid = ?", (rid,)).fetchone()
        if row is None:
            raise CacheUnusable(f"record {rid} missing")
        rec_id, data, digest = row
        if digest != _digest(rid, rec_id, data):
            raise CacheUnusable(f"record {rid} does not match its digest")
        rec = unpack(self.type_of(rid), json.loads(data))
        if rec.id != rec_id:
            raise CacheUnusable(f"record {rid} holds another id")
        self._records[rid] = rec
        return rec

    def fields_at(self, rid: int) -> Sequence[tuple[str, str, float]]:
        """Folded from the record as the index was (a search reads a few hundred at most), the
        source passages of claims and events from the stored texts."""
        if self._texts is None:
            self._texts = StoredDataset(json.loads(self.meta["lengths"]))
            self._texts.parts = _OnDemand(self.part_of)
        return folded_fields(self.record_at(rid), self._texts.passage)

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
                if digest != _digest(rid, rec_id, data):
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
        codes = {TYPE_ORDER[kind] for kind in kinds}
        wanted = set(actor_ids)
        rids: set[int] = set()
        for actor in sorted(wanted):
            if actor not in counts:
                continue  # an actor no record names
            row = self.con.execute("SELECT rids, digest FROM mentions WHERE actor = ?", (actor,)).fetchone()
            if row is None or row[1] != _digest(actor, row[0]):
                raise CacheUnusable(f"the records naming {actor!r} are missing or do not match their digest")
            found = array("I")
            found.frombytes(row[0])
            if len(found) != counts[actor] or (found and max(found) >= self.size):
                raise CacheUnusable(f"the records naming {actor!r} are out of range")
            rids.update(rid for rid in found if self.types[rid] in codes)
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
        if row is None or row[1] != _digest(source_id, part, row[0]):
            raise CacheUnusable(f"part {part} of the text of {source_id!r} is missing or does not match its digest")
        return str(row[0])

    def lookup(self, record_id: str) -> Record | None:
        """The record with this id, or None."""
        row = self.con.execute("SELECT rid FROM records WHERE id = ?", (record_id,)).fetchone()
        if row is not None:
            return self.record_at(int(row[0]))
        return self._sources().get(record_id)  # without its text, like every source here

    def dataset(self, kinds: Iterable[str] | None = None) -> Dataset:
        """Everything the store holds, as a full load would give it: every record in the order
        it was read, every source with its whole text, and what each dataset file says of itself.
        With ``kinds``, only the records of those kinds and the actors, and no source text: the
        sources' lengths alone (what the timeline and the claims show of a source)."""
        with paused_gc():
            return self._dataset(None if kinds is None else {*kinds, "actor"})

    def _dataset(self, kinds: set[str] | None) -> Dataset:
        import msgspec  # turns each row back into its record in C: a quarter of unpack's time

        decoders = {code: msgspec.json.Decoder(_CLASSES[name]) for code, name in _TYPE_NAMES.items()}
        lengths: dict[str, int] = json.loads(self.meta["lengths"])
        ds = Dataset() if kinds is None else StoredDataset(lengths)
        ds.infos = [DatasetInfo(*values) for values in json.loads(self.meta["infos"])]
        for code, name in sorted(_TYPE_NAMES.items()):
            if kinds is not None and name not in kinds:
                continue
            # records are numbered by kind (quotes, claims, events, actors): each kind is one run
            first, last = self.types.find(bytes([code])), self.types.rfind(bytes([code]))
            if first < 0:
                continue
            if self.types.count(bytes([code])) != last - first + 1:
                raise CacheUnusable(f"the {name}s are not numbered in one run")
            select = "SELECT rid, id, data, digest FROM records WHERE rid BETWEEN ? AND ? ORDER BY rid"
            rows = self.con.execute(select, (first, last))
            expected = first
            table: dict[str, Any] = getattr(ds, name + "s")
            decode = decoders[code].decode
            for rid, rec_id, data, digest in rows:
                if rid != expected or digest != _digest(rid, rec_id, data):
                    raise CacheUnusable(f"record {rid} is missing or does not match its digest")
                expected += 1
                rec = decode(data)
                if rec.id != rec_id:
                    raise CacheUnusable(f"record {rid} holds another id")
                table[rec.id] = rec
            if expected != last + 1:
                raise CacheUnusable("records are missing")
        if kinds is None and sum(len(getattr(ds, name + "s")) for name in _TYPE_NAMES.values()) != self.size:
            raise CacheUnusable("records of an unknown kind")
        if kinds is not None:
            ds.sources.update(self._sources())
            return ds
        for src in self._sources().values():
            text = "".join(self.part_of(src.id, part) for part in range(-(-lengths[src.id] // PART)))
            if len(text) != lengths[src.id]:
                raise CacheUnusable(f"the text of {src.id!r} has the wrong length")
            ds.sources[src.id] = src._replace(text=text)
        return ds

    def about_actors(self, choose: Callable[[Dataset], Iterable[str]], kinds: Iterable[str]) -> StoredDataset:
        """Every actor and source, and the records of ``kinds`` that name the actors ``choose``
        picks given the actors (quotes with their other renderings)."""
        return self.context(self.naming(list(choose(self.context([]))), kinds))

    def actor_counts(self) -> dict[str, dict[str, int]]:
        """``query.actor_counts`` of the data, as counted when the store was written."""
        from kurskcli.query import COUNTS

        stored: Counts = json.loads(self.meta["counts"])
        first = self.types.find(bytes([TYPE_ORDER["actor"]]))
        actors = [self.record_at(rid).id for rid in range(first, self.size)] if first >= 0 else []
        counts = {aid: {name: stored.get(aid, {}).get(name, 0) for name in COUNTS} for aid in actors}
        if any(aid not in counts or set(got) - set(COUNTS) for aid, got in stored.items()):
            raise CacheUnusable("counts of unknown actors")
        return counts

    def overview(self) -> StoredDataset:
        """What ``about`` shows, without reading a quote, claim or event: every actor and source
        (without its text), what each dataset file says of itself, and how many records of each
        kind the store holds."""
        ds = self.context([])
        ds.infos = [DatasetInfo(*values) for values in json.loads(self.meta["infos"])]
        kinds = {name: self.types.count(bytes([code])) for code, name in _TYPE_NAMES.items()}
        if len(ds.actors) != kinds["actor"]:
            raise CacheUnusable("actors are missing")
        ds.tallies = {"sources": len(ds.sources), "actors": len(ds.actors)}
        ds.tallies.update((name + "s", kinds[name]) for name in ("quote", "claim", "event"))
        return ds

    def context(self, records: Sequence[Record], *, texts: bool = False) -> StoredDataset:
        """What ``records`` need to be shown as a full load would show them: every actor, every
        source, the other renderings of each quote and the statement it names as ``related``
        (those naming it are not looked for), the events a record names as ``outcomes``; with
        ``texts``, the parts of the source
        texts around each span of those records and renderings (no source comes with its text)."""
        ds = StoredDataset(json.loads(self.meta["lengths"]))
        first = self.types.find(bytes([TYPE_ORDER["actor"]]))
        for rid in range(first, self.size) if first >= 0 else ():
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


class _OnDemand(dict[tuple[str, int], str]):
    """Parts of the stored texts, each read (and checked) the first time it is asked for."""

    def __init__(self, part_of: Callable[[str, int], str]) -> None:
        super().__init__()
        self.part_of = part_of

    def __missing__(self, key: tuple[str, int]) -> str:
        value = self[key] = self.part_of(*key)
        return value


def connect_bounded(path: Path) -> sqlite3.Connection:
    """A read-only connection on which every statement is interrupted after QUERY_SECONDS in all."""
    import sqlite3

    con = sqlite3.connect(path, check_same_thread=False)
    deadline = time.monotonic() + QUERY_SECONDS
    con.set_progress_handler(lambda: time.monotonic() > deadline, 1000)
    con.execute("PRAGMA query_only = 1")
    con.execute("PRAGMA trusted_schema = 0")
    return con


def _open(path: Path, key: str) -> DiskIndex:
    """The saved index at ``path`` if it is ours, intact and current; else CacheUnusable."""
    import sqlite3

    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid():
            raise CacheUnusable("not a regular file of this user's")
        con = connect_bounded(path)
    except (OSError, sqlite3.Error) as exc:
        raise CacheUnusable(str(exc)) from None
    try:
        index = DiskIndex(con)
        if index.meta.get("key") != key:
            raise CacheUnusable("stale")
        from kurskcli.reading import fingerprint

        for fp in json.loads(index.meta["deps"]):
            if fingerprint(fp[0]) != fp:
                raise CacheUnusable(f"{fp[0]} changed")
    except (sqlite3.Error, *_DAMAGE) as exc:
        con.close()
        raise CacheUnusable(str(exc)) from None
    return index


# ----------------------------------------------------------------------------- writing


def write(
    index: SearchIndex,
    target: Path,
    key: str,
    deps: Sequence[list[Any]],
    sources: Sequence[Source],
    infos: Sequence[DatasetInfo],
    progress: Progress | None = None,
) -> None:
    """Write ``index`` of records whose texts are ``sources`` to ``target`` (mode 0600)
    atomically: a private temporary file, then a rename."""
    from kurskcli.files import write_atomically

    def fill(tmp: Path, _fd: int) -> None:
        with paused_gc():
            _fill(index, tmp, key, deps, progress, sources, infos)

    write_atomically(target, fill, force=True, mode=0o600)


def _fill(
    index: SearchIndex,
    path: Path,
    key: str,
    deps: Sequence[list[Any]],
    progress: Progress | None,
    sources: Sequence[Source],
    infos: Sequence[DatasetInfo],
) -> None:
    con = _new_store(path)
    try:
        import msgspec  # writes a record in C: named tuples as arrays, dates as ISO strings

        encode = msgspec.json.encode
        total = len(index.records)

        def rows() -> Iterator[tuple[int, str, str]]:
            for rid, rec in enumerate(index.records):
                if progress is not None and rid % 1000 == 0:
                    progress("saving", rid, total)
                yield rid, rec.id, encode(rec).decode()

        _insert_records(con, rows())
        tables = list(index.tables.items())
        _insert_postings(con, index.vocab, lambda word: [(weight, table.get(word)) for weight, table in tables])
        types = bytes(TYPE_ORDER[rec.type] for rec in index.records)
        lengths = _insert_texts(con, ((src.id, [src.text]) for src in sources))
        from kurskcli.query import count_record, involved

        mentions: Mentions = {}
        counts: Counts = {}
        for rid, rec in enumerate(index.records):
            if isinstance(rec, (Quote, Claim, Event)):
                add_mentions(mentions, rid, involved(rec))
                count_record(counts, rec)
        groups = _groups(index.records)
        _finish_store(con, key, deps, index.vocab, types, groups, sources, lengths, infos, mentions, counts)
    finally:
        con.close()


def _new_store(path: Path) -> sqlite3.Connection:
    """A connection to a new, empty store at ``path``, made for writing it fast."""
    import sqlite3

    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")  # the finished file is synced before it is put in place
        for statement in SCHEMA:
            con.execute(statement)
    except BaseException:
        con.close()
        raise
    return con


def _insert_records(con: sqlite3.Connection, rows: Iterable[tuple[int, str, str]]) -> None:
    """Store (record number, id, record JSON) rows, each with its digest. A record's search
    fields are not stored: they are folded from it again when a search reads it."""
    con.executemany(
        "INSERT INTO records VALUES (?, ?, ?, ?)",
        ((rid, rec_id, data, _digest(rid, rec_id, data)) for rid, rec_id, data in rows),
    )


def _insert_postings(
    con: sqlite3.Connection, vocab: Sequence[str], lists: Callable[[str], Iterable[tuple[float, array[int] | None]]]
) -> None:
    """Store each word's postings: ``lists(word)`` gives (weight, record numbers) pairs."""

    def postings() -> Iterator[tuple[str, bytes, bytes, bytes]]:
        for word in vocab:
            found, weights = array("I"), bytearray()
            for weight, rids in lists(word):
                if rids:
                    found.extend(rids)
                    weights += bytes([round(weight * 100)]) * len(rids)
            raw, weight_bytes = found.tobytes(), bytes(weights)
            yield word, raw, weight_bytes, _digest(word, raw, weight_bytes)

    con.executemany("INSERT INTO postings VALUES (?, ?, ?, ?)", postings())


Counts = dict[str, dict[str, int]]
"""Actor id -> what ``query.actor_counts`` counts for it."""


def _insert_texts(con: sqlite3.Connection, texts: Iterable[tuple[str, Iterable[str]]]) -> dict[str, int]:
    """Store each (source id, pieces of its text) in parts of PART characters; their lengths."""
    lengths: dict[str, int] = {}

    def parts() -> Iterator[tuple[str, int, str, bytes]]:
        for source_id, pieces in texts:
            length = 0
            for part, text in enumerate(in_parts(pieces)):
                length += len(text)
                yield source_id, part, text, _digest(source_id, part, text)
            lengths[source_id] = length

    con.executemany("INSERT INTO texts VALUES (?, ?, ?, ?)", parts())
    return lengths


def _finish_store(
    con: sqlite3.Connection,
    key: str,
    deps: Sequence[list[Any]],
    vocab: Sequence[str],
    types: bytes,
    groups: dict[str, list[str]],
    sources: Sequence[Source],
    lengths: dict[str, int],
    infos: Sequence[DatasetInfo],
    mentions: Mentions,
    counts: Counts,
) -> None:
    """Store the records naming each actor and the description of the store (with each actor's
    counts), and commit."""
    import msgspec

    rows = ((actor, rids.tobytes()) for actor, rids in mentions.items())
    con.executemany("INSERT INTO mentions VALUES (?, ?, ?)", ((a, raw, _digest(a, raw)) for a, raw in rows))

    meta: dict[str, Any] = {
        "format": FORMAT,
        "key": key,
        "deps": json.dumps(list(deps)),
        "vocab": "\n".join(vocab),
        "types": types,
        "renderings": json.dumps(groups),
        "sources": msgspec.json.encode([src._replace(text="") for src in sources]).decode(),
        "lengths": json.dumps(lengths),
        "infos": json.dumps([list(info) for info in infos], ensure_ascii=False),
        "mentions": json.dumps({actor: len(rids) for actor, rids in mentions.items()}, sort_keys=True),
        "counts": json.dumps(counts, sort_keys=True),
    }
    meta["digest"] = _digest(*(meta[k] for k in _META_KEYS))
    con.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    con.commit()


def _groups(records: Sequence[Record]) -> dict[str, list[str]]:
    """Quote id -> the ids of every rendering of its utterance, for utterances with more than one."""
    quotes = [(rid, rec) for rid, rec in enumerate(records) if isinstance(rec, Quote)]
    rendered = {rec.renders for _, rec in quotes if rec.renders is not None}
    # only the quotes of an utterance with more renderings than one: most quotes have none
    return _grouped(
        (rid, rec.renders or rec.id, rec.id) for rid, rec in quotes if rec.renders is not None or rec.id in rendered
    )


def _grouped(quotes: Iterable[tuple[int, str, str]]) -> dict[str, list[str]]:
    """What ``_groups`` gives, from (record number, the utterance's first quote, id) triples in
    any order: the groups in the order of their first record, each in record order."""
    members: dict[str, list[tuple[int, str]]] = {}
    for rid, root, rec_id in sorted(quotes):
        members.setdefault(root, []).append((rid, rec_id))
    return {root: [rec_id for _, rec_id in ids] for root, ids in members.items() if len(ids) > 1}


class _Streamed:
    """Writes the store while the data is read: each record goes to its row and its postings as
    soon as it is checked, and is dropped (``dataset.stream_dataset`` hands them over), and each
    source text goes to its parts as it is read. What stays in memory is the postings, the
    actors and a few parts of the texts: for a million quotes, 245 MiB at the peak against
    2,191 MiB for the records as objects.

    Record numbers follow ``Dataset.records()``: every quote, then every claim, event and actor,
    each in the order read. A quote's number is known when it is read; the others wait in a
    temporary table until the quotes are counted.
    """

    BATCH = 1000

    def __init__(self, con: sqlite3.Connection, progress: Progress | None) -> None:
        import msgspec

        from kurskcli.query import count_record, involved

        self.con = con
        self.count_record, self.involved = count_record, involved
        self.encode = msgspec.json.encode
        self.progress = progress
        self.counts = [0] * len(TYPE_ORDER)
        self.tables: list[Tables] = [{} for _ in TYPE_ORDER]  # by type; numbers within the type
        self.batch: list[tuple[int, int, str, str]] = []
        self.renderings: dict[str, list[tuple[int, str]]] = {}  # what a quote renders -> (number, id)
        self.mentions: list[Mentions] = [{} for _ in TYPE_ORDER]  # by type; numbers within the type
        self.actor_counts: Counts = {}
        self.parts: dict[tuple[str, int], str] = {}  # parts of the texts read back lately
        con.execute(
            "CREATE TEMP TABLE waiting (type INTEGER, n INTEGER, id TEXT, data TEXT, "
            "PRIMARY KEY (type, n)) WITHOUT ROWID"
        )

    def add(self, rec: Record, ds: Dataset) -> None:
        code = TYPE_ORDER[rec.type]
        n = self.counts[code]
        self.counts[code] = n + 1
        add_postings(self.tables[code], folded_fields(rec, ds.passage), n)
        self.batch.append((code, n, rec.id, self.encode(rec).decode()))
        if isinstance(rec, (Quote, Claim, Event)):
            add_mentions(self.mentions[code], n, self.involved(rec))
            self.count_record(self.actor_counts, rec)
        if isinstance(rec, Quote) and rec.renders is not None:
            self.renderings.setdefault(rec.renders, []).append((n, rec.id))
        if len(self.batch) >= self.BATCH:
            self._flush()

    def add_all(self, recs: Sequence[Record], ds: Dataset) -> None:
        for rec in recs:
            self.add(rec, ds)

    def _flush(self) -> None:
        _insert_records(self.con, ((n, rec_id, data) for code, n, rec_id, data in self.batch if not code))
        self.con.executemany("INSERT INTO waiting VALUES (?, ?, ?, ?)", (row for row in self.batch if row[0]))
        self.batch.clear()

    def consistent(self, sources: Iterable[str], quotes: Iterable[str]) -> bool:
        self._flush()
        offsets = self.offsets()
        rows = self.con.execute("SELECT type, n, id, data FROM waiting ORDER BY type, n")
        _insert_records(self.con, ((offsets[code] + n, rec_id, data) for code, n, rec_id, data in rows))
        self.con.execute("DROP TABLE waiting")
        if self.con.execute("SELECT 1 FROM records GROUP BY id HAVING count(*) > 1 LIMIT 1").fetchone():
            return False
        for rec_id in sources:
            if self.con.execute("SELECT 1 FROM records WHERE id = ?", (rec_id,)).fetchone():
                return False
        for rec_id in quotes:
            row = self.con.execute("SELECT rid FROM records WHERE id = ?", (rec_id,)).fetchone()
            if row is None or row[0] >= self.counts[0]:
                return False
        return True

    def offsets(self) -> list[int]:
        """The number of each type's first record."""
        out, total = [], 0
        for count in self.counts:
            out.append(total)
            total += count
        return out

    def finish(self, key: str, deps: Sequence[list[Any]], ds: Dataset) -> None:
        """Store the postings and the description, once the data is read whole."""
        offsets = self.offsets()
        weights = sorted({weight for tables in self.tables for weight in tables}, reverse=True)
        vocab = sorted(set().union(*(table for tables in self.tables for table in tables.values())))

        def lists(word: str) -> Iterator[tuple[float, array[int] | None]]:
            for weight in weights:
                for tables, offset in zip(self.tables, offsets, strict=True):
                    rids = tables[weight].get(word) if weight in tables else None
                    if rids and offset:
                        rids = array("I", [rid + offset for rid in rids])
                    yield weight, rids

        if self.progress is not None:
            self.progress("saving", 0, 0)
        _insert_postings(self.con, vocab, lists)
        types = b"".join(bytes([code]) * count for code, count in enumerate(self.counts))
        quotes = [(n, root, rec_id) for root, members in self.renderings.items() for n, rec_id in members]
        for root in self.renderings:
            (rid,) = self.con.execute("SELECT rid FROM records WHERE id = ?", (root,)).fetchone()
            quotes.append((rid, root, root))
        renderings = _grouped(quotes)
        lengths = {source_id: ds.text_length(source_id) for source_id in ds.sources}
        sources = list(ds.sources.values())
        mentions: Mentions = {}
        for by_type, offset in zip(self.mentions, offsets, strict=True):  # in type order: record order
            for actor, numbers in by_type.items():
                mentions.setdefault(actor, array("I")).extend(n + offset for n in numbers)
        _finish_store(
            self.con, key, deps, vocab, types, renderings, sources, lengths, ds.infos, mentions, self.actor_counts
        )

    def text(self, source_id: str, chunks: Iterable[str], *, whole: bool = False) -> int:
        return _insert_texts(self.con, [(source_id, chunks)])[source_id]

    def excerpt(self, source_id: str, start: int, end: int) -> str:
        return from_parts(lambda part: self._part(source_id, part), start, end)

    def _part(self, source_id: str, part: int) -> str:
        cached = self.parts.get((source_id, part))
        if cached is None:
            if len(self.parts) >= 16:  # spans are mostly read in order: a few parts are enough
                self.parts.clear()
            row = self.con.execute("SELECT text FROM texts WHERE id = ? AND part = ?", (source_id, part)).fetchone()
            cached = self.parts[source_id, part] = row[0]
        return cached


def _streamed(
    paths: Sequence[Path], bundled: bool, target: Path, progress: Progress | None, debug: Callable[[str], None]
) -> bool:
    """Write the store of ``paths`` (and the bundled data) at ``target`` while reading them, and
    say whether it was written. It is not (and nothing is left behind) where the data has to be
    loaded whole: a problem, which the whole load reports exactly, or a record naming a source
    given after it. The caller holds the build lock, and has swept the folder (``_sweep``)."""
    import sqlite3

    from kurskcli.dataset import DatasetError, NotStreamed
    from kurskcli.files import OutputFileError
    from kurskcli.reading import DataFileError

    debug(f"building the search index {target} as the data is read")
    try:
        _stream(paths, bundled, target, _bundled_fingerprint() if bundled else None, progress)
    except (NotStreamed, DataFileError, DatasetError, OSError, OutputFileError, sqlite3.Error) as exc:
        debug(f"loading the data whole: {exc}")
        return False
    return True


def _stream(
    paths: Sequence[Path], bundled: bool, target: Path, bundled_fp: list[Any] | None, progress: Progress | None
) -> None:
    """Write the store of ``paths`` (and the bundled data) at ``target`` while reading them; raise
    ``dataset.NotStreamed`` (and leave nothing behind) where the data has to be loaded whole."""
    from kurskcli.dataset import stream_dataset
    from kurskcli.files import write_atomically

    def fill(tmp: Path, _fd: int) -> None:
        con = _new_store(tmp)
        try:
            with paused_gc():
                sink = _Streamed(con, progress)
                read = (lambda done, total: progress("streaming", done, total)) if progress else None
                ds = stream_dataset(paths, sink, bundled=bundled, progress=read)
                key, deps = _key_and_deps(paths, bundled_fp, ds)
                sink.finish(key, deps, ds)
        finally:
            con.close()

    write_atomically(target, fill, force=True, mode=0o600)


def _key_and_deps(paths: Sequence[Path], bundled_fp: list[Any] | None, ds: Dataset) -> tuple[str, list[list[Any]]]:
    """The store's key and the other files it rests on (source texts), from the files ``ds`` read."""
    read = {fp[0]: fp for fp in ds.files}
    mains = {os.path.realpath(p) for p in paths}
    deps = [fp for real, fp in read.items() if real not in mains]
    return _key(bundled_fp, [read.get(os.path.realpath(p)) for p in paths]), deps


_STORE_NAME = re.compile(r"search-[0-9a-f]{8}\.sqlite")


def _sweep(target: Path) -> None:
    """Before the store at ``target`` is built: remove what a killed kurskcli left in its folder,
    and the other stores no kurskcli of this version can use again (``_usable``), each only
    while no kurskcli is building it. A store of a large dataset can take more room than the
    data, and a new version of kurskcli, or a dataset moved or deleted, would leave it there.
    Two versions of kurskcli sharing the folder remove each other's stores as they build
    theirs: that costs a rebuild, never an answer."""
    import fcntl

    from kurskcli.files import sweep_stale

    folder = target.parent
    sweep_stale(folder)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name == target.name or not _STORE_NAME.fullmatch(entry.name):
            continue
        path = Path(entry.path)
        try:
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or _usable(path):
                continue
            fd = os.open(f"{path}.lock", os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:  # no lock: nobody has built it or is building it
            _unlink(path)
            continue
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            _unlink(path)
            _unlink(Path(f"{path}.lock"))
        except OSError:
            pass  # being built by another kurskcli
        finally:
            os.close(fd)  # which releases the lock


def _unlink(path: Path) -> None:
    with suppress(OSError):
        path.unlink()


def _usable(path: Path) -> bool:
    """Whether the store at ``path`` may serve a kurskcli of this version again: written by it,
    readable, and over dataset and text files that are all still there (once they are gone it
    can never be current again; a file put back in the same place gets a new store)."""
    import sqlite3

    try:
        con = connect_bounded(path)
        try:
            meta = dict(con.execute("SELECT key, value FROM meta WHERE key IN ('format', 'key', 'deps')").fetchall())
        finally:
            con.close()
        if meta.get("format") != FORMAT:
            return False
        fmt, version, _, fps = json.loads(meta["key"])
        files = [*fps, *json.loads(meta["deps"])]
        return (fmt, version) == (FORMAT, __version__) and all(fp and os.path.exists(fp[0]) for fp in files)
    except (sqlite3.Error, *_DAMAGE):
        return False


def _open_lock(folder: Path, name: str) -> int:
    """The lock file of the store ``name`` in ``folder``, made if missing (flocked while it is built)."""
    return os.open(folder / f"{name}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)


# How long a command waits for another kurskcli building the same store before it answers from
# the files without it: a builder stopped with Ctrl-Z, or a lock held by anything else, must not
# leave every later command waiting for ever.
LOCK_WAIT = 10.0


@contextmanager
def _build_lock(folder: Path, name: str, warn: Callable[[str], None]) -> Iterator[bool]:
    """Hold ``name``'s lock in ``folder`` while its index is built, so that it is built once:
    True once it is held (or where no lock can be had at all), False if another process held
    it for LOCK_WAIT seconds (``warn`` says so), and the caller is to do without the store."""
    import fcntl
    import time

    try:
        fd = _open_lock(folder, name)
    except OSError:
        yield True  # no lock to be had: build without one
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            warn("waiting for another kurskcli that is building this search index")
            deadline = time.monotonic() + LOCK_WAIT
            while True:
                time.sleep(0.05)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        warn(
                            f"another kurskcli has held this search index's lock for {LOCK_WAIT:g} s"
                            " (stopped, or still building); answering from the files without it"
                        )
                        yield False
                        return
        yield True
    finally:
        os.close(fd)


# ----------------------------------------------------------------------------- the entry point


def stored(
    paths: Sequence[Path],
    bundled: bool,
    on_disk: Callable[[DiskIndex], _T],
    *,
    progress: Progress | None = None,
    warn: Callable[[str], None] = lambda message: None,
    debug: Callable[[str], None] = lambda message: None,
) -> list[_T]:
    """``[on_disk(store)]`` from the store of ``paths`` (and the bundled data), built first if it
    is not saved and current: the one way user datasets are answered. ``[]`` where there can be
    no store (no private cache folder, a lock held too long, a folder that cannot be written:
    ``warn`` says which), and the caller answers from the data loaded whole. Raises what
    ``load_dataset`` raises when the data is invalid or unreadable."""
    folder, why = private_cache_dir()
    if folder is None:
        warn(f"{why}; answering without a saved index")
        return []
    name = _name(paths, bundled)
    target = folder / name
    answer = _ask(target, paths, bundled, on_disk, debug)
    if answer:
        return answer
    with _build_lock(folder, name, warn) as held:
        if not held:
            return []
        answer = _ask(target, paths, bundled, on_disk, debug)  # built by another kurskcli while this one waited
        if answer:
            return answer
        if _save(paths, bundled, target, progress, warn, debug):
            return _ask(target, paths, bundled, on_disk, debug)
    return []


def _ask(
    target: Path, paths: Sequence[Path], bundled: bool, on_disk: Callable[[DiskIndex], _T], debug: Callable[[str], None]
) -> list[_T]:
    """``[on_disk(store)]`` if the store at ``target`` is there, ours, intact and current; else ``[]``."""
    if not os.path.lexists(target):
        return []
    import sqlite3

    try:
        disk = _open(target, _current_key(paths, bundled))
        try:
            return [on_disk(disk)]
        finally:
            disk.con.close()
    except (sqlite3.Error, *_DAMAGE) as exc:
        debug(f"not using the saved search index: {exc}")
        return []


def search(
    paths: Sequence[Path],
    bundled: bool,
    query: str,
    *,
    types: Sequence[str] | None = None,
    limit: int | None = 20,
    progress: Progress | None = None,
    warn: Callable[[str], None] = lambda message: None,
    debug: Callable[[str], None] = lambda message: None,
) -> tuple[Hits, Dataset]:
    """Search the bundled data (if ``bundled``) and ``paths`` through their store, or with the
    data loaded whole where there can be none. Returns the hits and a dataset that can name
    their actors."""
    normalize_query(query)  # a bad query fails before any work

    def on_disk(disk: DiskIndex) -> tuple[Hits, Dataset]:
        hits = disk.search(query, types=types, limit=limit)
        return hits, disk.context([h.record for h in hits])

    answer = stored(paths, bundled, on_disk, progress=progress, warn=warn, debug=debug)
    if answer:
        return answer[0]
    ds = _load(paths, bundled, progress)
    return ScanIndex(ds.records(), ds.passage, progress).search(query, types=types, limit=limit), ds


def lookup(
    paths: Sequence[Path],
    bundled: bool,
    record_ids: Sequence[str],
    *,
    progress: Progress | None = None,
    warn: Callable[[str], None] = lambda message: None,
    debug: Callable[[str], None] = lambda message: None,
) -> tuple[list[Record | None], Dataset, Callable[[], list[str]]]:
    """Records by id through the store: each record (None where there is none), a dataset with
    what showing them needs (their actors, sources, the parts of the source texts around them,
    their other renderings), and a function giving every id (for suggestions)."""

    def on_disk(disk: DiskIndex) -> tuple[list[Record | None], Dataset, Callable[[], list[str]]]:
        recs = [disk.lookup(rid) for rid in record_ids]
        ids = disk.ids() if None in recs else []
        return recs, disk.context([r for r in recs if r is not None], texts=True), lambda: ids

    answer = stored(paths, bundled, on_disk, progress=progress, warn=warn, debug=debug)
    if answer:
        return answer[0]
    ds = _load(paths, bundled, progress)
    return [ds.get(rid) for rid in record_ids], ds, ds.ids


def _save(
    paths: Sequence[Path],
    bundled: bool,
    target: Path,
    progress: Progress | None,
    warn: Callable[[str], None],
    debug: Callable[[str], None],
) -> bool:
    """Save the store of ``paths`` at ``target``, its lock held, and say whether it was saved
    (``warn`` says why not). JSON Lines are written as they are read, a line at a time, so
    memory stays flat; a JSON document is held whole by its parser anyway, and so is data
    that cannot be written as it is read (a record naming a source given after it)."""
    import sqlite3

    from kurskcli.files import OutputFileError
    from kurskcli.reading import JSONL_SUFFIXES

    _sweep(target)
    if any(p.suffix.lower() in JSONL_SUFFIXES for p in paths) and _streamed(paths, bundled, target, progress, debug):
        return True
    debug(f"building the search index {target}")
    bundled_fp = _bundled_fingerprint() if bundled else None
    ds = _load(paths, bundled, progress)
    index = SearchIndex(
        ds.records(), ds.passage, (lambda done, total: progress("indexing", done, total)) if progress else None
    )
    key, deps = _key_and_deps(paths, bundled_fp, ds)
    try:
        write(index, target, key, deps, list(ds.sources.values()), ds.infos, progress)
    except UnicodeEncodeError:  # a record names the file it came from, and that name is not text
        warn("cannot save the search index: a dataset file's name is not valid UTF-8; answering without it")
    except (OSError, OutputFileError, sqlite3.Error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        warn(f"cannot save the search index in {target.parent}: {reason}; answering without it")
    else:
        return True
    return False


def _load(paths: Sequence[Path], bundled: bool, progress: Progress | None) -> Dataset:
    from kurskcli.dataset import load_dataset

    if progress is None:
        return load_dataset(paths, bundled=bundled)
    progress("reading", 0, 0)
    return load_dataset(paths, bundled=bundled, progress=lambda done, total: progress("reading", done, total))
