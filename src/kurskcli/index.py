"""A search index on disk, so that searching a large user dataset does not re-read it every time.

Parsing and checking a dataset of 100,000 quotes takes seconds; a search over it takes
milliseconds. The first search over a set of dataset files builds the in-memory index as
usual and also writes it to an SQLite file in the user's cache folder
(``$XDG_CACHE_HOME/kurskcli``, else ``~/.cache/kurskcli``). Later searches over the same
files read only the words, postings and records they need from that file.

The cache is a copy, never the truth:

* it is keyed by the tool and format version and by every file the data came from (the
  dataset files and any source texts they name): path, device, inode, size, modification and
  change times, and a checksum of the first and last 64 KiB; any difference means a rebuild;
* it is only written after the data loaded without a problem, so it never hides an error;
* it is written to a temporary file in the cache folder and renamed into place, so an
  interrupted build leaves nothing behind and readers never see half a file;
* a cache that cannot be read (corrupt, truncated, wrong shape) is ignored and rebuilt;
* if the cache folder cannot be written, the search runs without it (and says so).

Both paths run the same algorithm (``searcher.IndexBase``), so they return the same hits.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import zlib
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kurskcli import __version__
from kurskcli.dates import DateRange, iso
from kurskcli.env import cache_dir
from kurskcli.model import Actor, Claim, Dataset, Event, Quote, Record, Source, Span
from kurskcli.searcher import TYPE_ORDER, Hit, IndexBase, SearchIndex, normalize_query

if TYPE_CHECKING:
    import sqlite3

FORMAT = "kurskcli-search-index/1"
SAMPLE_BYTES = 64 * 1024
_TYPE_NAMES = {code: name for name, code in TYPE_ORDER.items()}

Progress = Callable[[str, int, int], None]
"""Called with (phase, done, total) while an index is built; total 0 means unknown."""


class CacheUnusable(Exception):
    """The cached index cannot be trusted (stale, corrupt, or another format)."""


# What reading a damaged cache can raise besides sqlite3.Error (imported only when needed).
_DAMAGE = (CacheUnusable, EOFError, KeyError, ValueError, TypeError, IndexError, UnicodeError, AttributeError)
_CLASSES: dict[str, Any] = {"quote": Quote, "claim": Claim, "event": Event, "actor": Actor, "source": Source}


# ----------------------------------------------------------------------------- records as plain values


def pack(rec: Record) -> list[Any]:
    """A record as plain JSON and marshal values: strings, numbers, booleans, None, lists."""
    values: list[Any] = []
    value: Any
    for name, value in zip(rec._fields, rec, strict=True):
        if name == "dates":
            value = [iso(value.earliest), iso(value.latest), value.uncertain]
        elif name == "spans":
            value = [list(s) for s in value]
        elif name == "span":
            value = list(value)
        values.append(value)
    return values


def unpack(kind: str, values: Sequence[Any]) -> Record:
    """The record ``pack`` made ``values`` from; raises ValueError or TypeError on the wrong shape."""
    cls = _CLASSES[kind]
    args: dict[str, Any] = {}
    for name, value in zip(cls._fields, values, strict=True):
        if name == "dates":
            earliest, latest, uncertain = value
            value = DateRange(
                dt.date.fromisoformat(earliest) if earliest else None,
                dt.date.fromisoformat(latest) if latest else None,
                bool(uncertain),
            )
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


def fingerprint(path: str | os.PathLike[str]) -> list[Any] | None:
    """What identifies a file's current content without reading all of it; None if it is gone."""
    try:
        real = os.path.realpath(path)
        st = os.stat(real)
        with open(real, "rb") as fh:
            head = fh.read(SAMPLE_BYTES)
            if st.st_size > 2 * SAMPLE_BYTES:
                fh.seek(-SAMPLE_BYTES, os.SEEK_END)
            tail = fh.read(SAMPLE_BYTES)
    except OSError:
        return None
    crc = zlib.crc32(tail, zlib.crc32(head))
    return [real, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, crc]


def _bundled_fingerprint() -> list[Any]:
    import kurskcli.data
    from kurskcli.dataset import BUNDLED_NAME

    here = getattr(kurskcli.data, "__file__", None)
    fp = fingerprint(Path(here).parent / BUNDLED_NAME) if here else None
    return ["bundled", __version__, fp]


def _key(paths: Sequence[Path], bundled: bool) -> tuple[str, str]:
    """The cache file's name (from where the data lives) and its content key (from what it holds)."""
    where = json.dumps([FORMAT, __version__, bundled, [os.path.realpath(p) for p in paths]])
    files: list[list[Any] | None] = [_bundled_fingerprint()] if bundled else []
    files += [fingerprint(p) for p in paths]
    what = json.dumps([FORMAT, __version__, files])
    return f"search-{zlib.crc32(where.encode('utf-8', 'surrogateescape')):08x}.sqlite", what


# ----------------------------------------------------------------------------- reading


class DiskIndex(IndexBase):
    """A search index read on demand from a cache file written by ``write``."""

    def __init__(self, con: sqlite3.Connection):
        self.con = con
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("format") != FORMAT:
            raise CacheUnusable("another format")
        self.meta = meta
        self.vocab = meta["vocab"].split("\n") if meta["vocab"] else []
        self.types: bytes = meta["types"]
        self.size = len(self.types)
        self._records: dict[int, Record] = {}

    def postings_of(self, word: str) -> dict[int, float]:
        row = self.con.execute("SELECT rids, weights FROM postings WHERE word = ?", (word,)).fetchone()
        if row is None:
            return {}
        rids = array("I")
        rids.frombytes(row[0])
        weights = row[1]
        if len(rids) != len(weights) or (rids and max(rids) >= self.size):
            raise CacheUnusable("postings out of range")
        return {rid: w / 100 for rid, w in zip(rids, weights, strict=True)}

    def type_of(self, rid: int) -> str:
        return _TYPE_NAMES[self.types[rid]]

    def _row(self, rid: int) -> tuple[Record, list[tuple[str, str, float]]]:
        row = self.con.execute("SELECT data, fields FROM records WHERE rid = ?", (rid,)).fetchone()
        if row is None:
            raise CacheUnusable(f"record {rid} missing")
        rec = unpack(self.type_of(rid), json.loads(row[0]))
        self._records[rid] = rec
        return rec, [(name, text, float(weight)) for name, text, weight in json.loads(row[1])]

    def fields_at(self, rid: int) -> Sequence[tuple[str, str, float]]:
        return self._row(rid)[1]

    def record_at(self, rid: int) -> Record:
        return self._records.get(rid) or self._row(rid)[0]

    def actors(self) -> Dataset:
        """A dataset holding the actors only: what hits need to name speakers."""
        ds = Dataset()
        first = self.types.find(bytes([TYPE_ORDER["actor"]]))
        if first >= 0:
            for rid, data in self.con.execute("SELECT rid, data FROM records WHERE rid >= ?", (first,)):
                rec = unpack(self.type_of(rid), json.loads(data))
                if isinstance(rec, Actor):
                    ds.actors[rec.id] = rec
        return ds


def _open(path: Path, what: str) -> DiskIndex:
    import sqlite3

    try:
        con = sqlite3.connect(path, check_same_thread=False)
        con.execute("PRAGMA query_only = 1")
        index = DiskIndex(con)
        if index.meta.get("key") != what:
            raise CacheUnusable("stale")
        for dep, fp in json.loads(index.meta["deps"]):
            if fingerprint(dep) != fp:
                raise CacheUnusable(f"{dep} changed")
    except (sqlite3.Error, *_DAMAGE) as exc:
        raise CacheUnusable(str(exc)) from None
    return index


# ----------------------------------------------------------------------------- writing


def write(index: SearchIndex, target: Path, what: str, deps: Sequence[str], progress: Progress | None = None) -> None:
    """Write ``index`` to ``target`` atomically: a temporary file beside it, then a rename."""
    from kurskcli.files import write_atomically

    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomically(target, lambda tmp, _fd: _fill(index, tmp, what, deps, progress), force=True, mode=0o600)


def _fill(index: SearchIndex, path: Path, what: str, deps: Sequence[str], progress: Progress | None) -> None:
    import sqlite3

    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID")
        con.execute("CREATE TABLE postings (word TEXT PRIMARY KEY, rids BLOB, weights BLOB) WITHOUT ROWID")
        con.execute("CREATE TABLE records (rid INTEGER PRIMARY KEY, id TEXT, data TEXT, fields TEXT)")
        total = len(index.records)

        def rows() -> Any:
            for rid, rec in enumerate(index.records):
                if progress is not None and rid % 1000 == 0:
                    progress("saving", rid, total)
                fields = json.dumps(index.fields[rid], ensure_ascii=False)
                yield rid, rec.id, json.dumps(pack(rec), ensure_ascii=False), fields

        con.executemany("INSERT INTO records VALUES (?, ?, ?, ?)", rows())

        def postings() -> Any:
            for word in index.vocab:
                post = index.postings[word]
                yield word, array("I", post).tobytes(), bytes(round(w * 100) for w in post.values())

        con.executemany("INSERT INTO postings VALUES (?, ?, ?)", postings())
        types = bytes(TYPE_ORDER[rec.type] for rec in index.records)
        dep_fps = [[d, fingerprint(d)] for d in deps]
        con.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [
                ("format", FORMAT),
                ("key", what),
                ("deps", json.dumps(dep_fps)),
                ("vocab", "\n".join(index.vocab)),
                ("types", types),
            ],
        )
        con.commit()
    finally:
        con.close()


# ----------------------------------------------------------------------------- the entry point


def search(
    paths: Sequence[Path],
    bundled: bool,
    query: str,
    *,
    types: Sequence[str] | None = None,
    limit: int | None = 20,
    progress: Progress | None = None,
    warn: Callable[[str], None] | None = None,
) -> tuple[list[Hit], Dataset]:
    """Search the bundled data (if ``bundled``) and ``paths`` through the on-disk cache.

    Returns the hits and a dataset that can name their actors. Raises what ``load_dataset``
    raises when the cache has to be (re)built from data that is invalid or unreadable.
    """
    normalize_query(query)  # a bad query fails before any work
    folder = cache_dir()
    name, what = _key(paths, bundled)
    target = folder / name if folder is not None else None
    if target is not None and target.is_file():
        import sqlite3

        try:
            disk = _open(target, what)
            try:
                return disk.search(query, types=types, limit=limit), disk.actors()
            finally:
                disk.con.close()
        except (sqlite3.Error, *_DAMAGE):
            pass  # rebuilt below
    from kurskcli.dataset import load_dataset

    if progress is not None:
        progress("reading", 0, 0)
    ds = load_dataset(paths, bundled=bundled)
    index = SearchIndex(
        ds.records(), ds.passage, (lambda done, total: progress("indexing", done, total)) if progress else None
    )
    if target is None:
        if warn is not None:
            warn("no cache folder (set XDG_CACHE_HOME or HOME); searching without a saved index")
    else:
        import sqlite3

        from kurskcli.files import OutputFileError

        try:
            given = {str(p) for p in paths}
            write(index, target, what, [f for f in ds.files if f not in given], progress)
        except (OSError, OutputFileError, sqlite3.Error) as exc:
            if warn is not None:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                warn(f"cannot save the search index in {target.parent}: {reason}; searching without it")
    return index.search(query, types=types, limit=limit), ds
