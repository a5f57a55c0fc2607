"""Building the store of user datasets (``store``) and answering from it: the first command over
a set of dataset files writes it (JSON Lines as they are read), under a lock, in the user's
private cache folder, then every command asks it (``stored``); where there can be no store, the
data is loaded whole. What the store holds and how it is checked is in ``store``.
"""

from __future__ import annotations

import json
import os
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from kurskcli.cache import build_lock, bundled_fingerprint, current_key, open_store, store_key, store_name, sweep
from kurskcli.env import private_cache_dir
from kurskcli.layout import FORMAT, INDEXES, META_KEYS, SCHEMA, digest_of, fts_rowid, indexed_words, record_digest
from kurskcli.model import (
    Claim,
    Dataset,
    DatasetInfo,
    Event,
    Mentions,
    Quote,
    Record,
    Source,
    add_mentions,
    from_parts,
    in_parts,
    paused_gc,
)
from kurskcli.searcher import TYPE_ORDER, fields_of
from kurskcli.store import _DAMAGE, Counts, DiskIndex, Progress

if TYPE_CHECKING:
    import sqlite3

_T = TypeVar("_T")

# ----------------------------------------------------------------------------- writing


def write(ds: Dataset, target: Path, key: str, deps: Sequence[list[Any]], progress: Progress | None = None) -> None:
    """Write the store of the loaded dataset ``ds`` to ``target`` (mode 0600) atomically: a
    private temporary file, then a rename. The writer is the one that writes JSON Lines as they
    are read, handed every record in turn."""
    from kurskcli.files import write_atomically

    write_atomically(
        target, lambda tmp, _fd: write_records(ds, ds.records(), tmp, key, deps, progress), force=True, mode=0o600
    )


def write_records(
    ds: Dataset,
    records: Collection[Record] | Iterator[Record],
    path: Path,
    key: str = "",
    deps: Sequence[list[Any]] = (),
    progress: Progress | None = None,
    *,
    words: bool = True,
) -> None:
    """Write a store at ``path`` (in place) of ``records`` (quotes, claims, events, actors) and
    every source of ``ds``, without its search index unless ``words``; the SQLite export reads
    its tables (``tables``) from one, of records it hands over as it reads them."""
    con = _new_store(path)
    total = len(records) if isinstance(records, Collection) else 0
    try:
        with paused_gc():
            writer = _Writer(con, progress, words=words)
            for src in ds.sources.values():
                writer.text(src.id, ds.pieces(src.id))
            for done, rec in enumerate(records):
                if progress is not None and done % 1000 == 0:
                    progress("indexing", done, total)
                writer.add(rec, ds)
            writer.place()
            writer.finish(key, deps, ds)
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
        # FTS5 merges its segments as rows come in unless told not to, which costs the build far
        # more than searches over the unmerged segments lose (docs/performance.md)
        con.execute("INSERT INTO words (words, rank) VALUES ('automerge', 0)")
    except BaseException:
        con.close()
        raise
    return con


def _insert_records(con: sqlite3.Connection, rows: Iterable[tuple[int, str, str, str | None, str]]) -> None:
    """Store (record number, id, type, place in the timeline, record JSON) rows, each with its
    digest. A record's search fields are not stored: they are folded from it again when a
    search reads it."""
    con.executemany(
        "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?)",
        ((rid, rec_id, kind, sort, data, record_digest(rid, rec_id, data)) for rid, rec_id, kind, sort, data in rows),
    )


def _insert_texts(con: sqlite3.Connection, texts: Iterable[tuple[str, Iterable[str]]]) -> dict[str, int]:
    """Store each (source id, pieces of its text) in parts of PART characters; their lengths."""
    lengths: dict[str, int] = {}

    def parts() -> Iterator[tuple[str, int, str, bytes]]:
        for source_id, pieces in texts:
            length = 0
            for part, text in enumerate(in_parts(pieces)):
                length += len(text)
                yield source_id, part, text, digest_of(source_id, part, text)
            lengths[source_id] = length

    con.executemany("INSERT INTO texts VALUES (?, ?, ?, ?)", parts())
    return lengths


def _finish_store(
    con: sqlite3.Connection,
    key: str,
    deps: Sequence[list[Any]],
    vocab: Sequence[str],
    docs: array[int],
    sizes: Sequence[int],
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
    con.executemany("INSERT INTO mentions VALUES (?, ?, ?)", ((a, raw, digest_of(a, raw)) for a, raw in rows))

    meta: dict[str, Any] = {
        "format": FORMAT,
        "key": key,
        "deps": json.dumps(list(deps)),
        "vocab": "\n" + "".join(word + "\n" for word in vocab),  # each word between newlines
        "docs": docs.tobytes(),
        "sizes": json.dumps(list(sizes)),
        "renderings": json.dumps(groups),
        "sources": msgspec.json.encode([src._replace(text="") for src in sources]).decode(),
        "lengths": json.dumps(lengths),
        "infos": json.dumps([list(info) for info in infos], ensure_ascii=False),
        "mentions": json.dumps({actor: len(rids) for actor, rids in mentions.items()}, sort_keys=True),
        "counts": json.dumps(counts, sort_keys=True),
    }
    meta["lexicon"] = digest_of(meta["vocab"], meta["docs"])
    meta["digest"] = digest_of(*(meta[k] for k in META_KEYS))
    con.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    con.commit()


def _grouped(quotes: Iterable[tuple[int, str, str]]) -> dict[str, list[str]]:
    """What ``_groups`` gives, from (record number, the utterance's first quote, id) triples in
    any order: the groups in the order of their first record, each in record order."""
    members: dict[str, list[tuple[int, str]]] = {}
    for rid, root, rec_id in sorted(quotes):
        members.setdefault(root, []).append((rid, rec_id))
    return {root: [rec_id for _, rec_id in ids] for root, ids in members.items() if len(ids) > 1}


class _Writer:
    """Writes the store as records are handed to it (``streaming.stream_dataset`` hands them over
    as they are read and checked, ``write`` those of a loaded dataset): each goes to its row and
    its words to the search index, a batch at a time, and is dropped; each source text goes to
    its parts. What stays in memory is the actors, who names whom, and a few parts of the texts.

    Record numbers follow ``Dataset.records()``: every quote, then every claim, event and actor,
    each in the order read. A quote's number is known when it is read; the others wait in a
    temporary table until the quotes are counted (``place``). The search index is keyed by kind
    and number within the kind (``fts_rowid``), known at once.
    """

    BATCH = 1000

    def __init__(
        self, con: sqlite3.Connection, progress: Progress | None, *, ids_only: bool = False, words: bool = True
    ) -> None:
        import msgspec

        from kurskcli.query import count_record, involved, order_text

        self.con = con
        self.ids_only = ids_only  # ``verify`` asks its store nothing else
        self.words_too = words  # False: no search index (the SQLite export reads the tables alone)
        self.count_record, self.involved, self.order_text = count_record, involved, order_text
        self.encode = msgspec.json.encode
        self.progress = progress
        self.counts = [0] * len(TYPE_ORDER)
        self.batch: list[tuple[int, int, str, str | None, str]] = []
        self.words: list[tuple[Any, ...]] = []
        self.renderings: dict[str, list[tuple[int, str]]] = {}  # what a quote renders -> (number, id)
        self.mentions: list[Mentions] = [{} for _ in TYPE_ORDER]  # by type; numbers within the type
        self.actor_counts: Counts = {}
        self.parts: dict[tuple[str, int], str] = {}  # parts of the texts read back lately
        con.execute(
            "CREATE TEMP TABLE waiting (type INTEGER, n INTEGER, id TEXT, sort TEXT, data TEXT, "
            "PRIMARY KEY (type, n)) WITHOUT ROWID"
        )

    def add(self, rec: Record, ds: Dataset) -> None:
        code = TYPE_ORDER[rec.type]
        n = self.counts[code]
        self.counts[code] = n + 1
        if self.ids_only:  # for the check that ids are unique (``repeated``)
            self.batch.append((code, n, rec.id, None, ""))
            if len(self.batch) >= self.BATCH:
                self._flush()
            return
        if self.words_too:
            self.words.append((fts_rowid(code, n), *indexed_words(fields_of(rec, ds.passage))))
        sort = self.order_text(rec) if isinstance(rec, (Quote, Claim, Event)) else None
        self.batch.append((code, n, rec.id, sort, self.encode(rec).decode()))
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

    def spare(self) -> None:
        self.ids_only = True

    def _flush(self) -> None:
        kinds = list(TYPE_ORDER)
        _insert_records(
            self.con, ((n, rec_id, kinds[code], sort, data) for code, n, rec_id, sort, data in self.batch if not code)
        )
        self.con.executemany("INSERT INTO waiting VALUES (?, ?, ?, ?, ?)", (row for row in self.batch if row[0]))
        self.con.executemany("INSERT INTO words (rowid, w0, w1, w2, w3) VALUES (?, ?, ?, ?, ?)", self.words)
        self.batch.clear()
        self.words.clear()

    def place(self) -> None:
        """Number and store the records that waited for the quotes to be counted."""
        self._flush()
        offsets = self.offsets()
        kinds = list(TYPE_ORDER)
        rows = self.con.execute("SELECT type, n, id, sort, data FROM waiting ORDER BY type, n")
        _insert_records(
            self.con, ((offsets[code] + n, rec_id, kinds[code], sort, data) for code, n, rec_id, sort, data in rows)
        )
        self.con.execute("DROP TABLE waiting")
        for statement in INDEXES:
            self.con.execute(statement)

    def repeated(self, sources: Iterable[str]) -> set[str]:
        self.place()
        found = {row[0] for row in self.con.execute("SELECT id FROM records GROUP BY id HAVING count(*) > 1")}
        given = self.con.execute
        return found | {
            rec_id for rec_id in sources if given("SELECT 1 FROM records WHERE id = ?", (rec_id,)).fetchone()
        }

    def quotes_among(self, ids: Iterable[str]) -> set[str]:
        found = set()
        for rec_id in ids:
            row = self.con.execute("SELECT rid FROM records WHERE id = ?", (rec_id,)).fetchone()
            if row is not None and row[0] < self.counts[0]:  # quotes are numbered first
                found.add(rec_id)
        return found

    def offsets(self) -> list[int]:
        """The number of each type's first record."""
        out, total = [], 0
        for count in self.counts:
            out.append(total)
            total += count
        return out

    def finish(self, key: str, deps: Sequence[list[Any]], ds: Dataset) -> None:
        """Store the description, once every record is placed."""
        if self.progress is not None:
            self.progress("saving", 0, 0)
        self.con.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, words, row)")
        vocab, docs = [], array("I")
        for term, count in self.con.execute("SELECT term, doc FROM temp.vocab ORDER BY term"):
            vocab.append(term)
            docs.append(count)
        self.con.execute("DROP TABLE temp.vocab")
        offsets = self.offsets()
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
            self.con,
            key,
            deps,
            vocab,
            docs,
            self.counts,
            renderings,
            sources,
            lengths,
            ds.infos,
            mentions,
            self.actor_counts,
        )

    def text(self, source_id: str, chunks: Iterable[str]) -> int:
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
    loaded whole: a problem the stream cannot place exactly, which the whole load reports, or a
    record naming a source in a later file. Raises DatasetError with every problem of data the
    stream read to the end. The caller holds the build lock, and has swept the folder (``cache.sweep``)."""
    import sqlite3

    from kurskcli.dataset import NotStreamed
    from kurskcli.files import OutputFileError
    from kurskcli.reading import DataFileError

    debug(f"building the search index {target} as the data is read")
    try:
        _stream(paths, bundled, target, bundled_fingerprint() if bundled else None, progress)
    except (NotStreamed, DataFileError, OSError, OutputFileError, sqlite3.Error, UnicodeError) as exc:
        debug(f"loading the data whole: {exc}")  # which reports what is wrong, or why it is not saved
        return False
    return True


def _stream(
    paths: Sequence[Path], bundled: bool, target: Path, bundled_fp: list[Any] | None, progress: Progress | None
) -> None:
    """Write the store of ``paths`` (and the bundled data) at ``target`` while reading them; raise
    ``dataset.NotStreamed`` (and leave nothing behind) where the data has to be loaded whole."""
    from kurskcli.files import write_atomically
    from kurskcli.streaming import Repeated, stream_dataset

    def fill(tmp: Path, fd: int, sources_first: bool) -> None:
        os.ftruncate(fd, 0)  # what a read that stopped wrote goes
        con = _new_store(tmp)
        try:
            with paused_gc():
                sink = _Writer(con, progress)
                read = None
                if progress is not None:
                    progress("streaming", 0, 0)  # under way; JSON Lines then say how much is read
                    read = lambda done, total: progress("streaming", done, total)  # noqa: E731
                try:
                    ds = stream_dataset(paths, sink, bundled=bundled, progress=read, sources_first=sources_first)
                except Repeated as exc:
                    _checked_again(paths, bundled, False, exc.ids, sources_first)
                key, deps = _key_and_deps(paths, bundled_fp, ds)
                sink.finish(key, deps, ds)
        finally:
            con.close()

    def filled(tmp: Path, fd: int) -> None:
        _sources_first_if_needed(lambda sources_first: fill(tmp, fd, sources_first))

    write_atomically(target, filled, force=True, mode=0o600)


def _sources_first_if_needed(read: Callable[[bool], _T]) -> _T:
    """``read(False)``; where a record names a source given after it, ``read(True)``, which reads
    each JSON Lines file twice, its sources first."""
    from kurskcli.streaming import SourcesLater

    try:
        return read(False)
    except SourcesLater:
        return read(True)


def verified_counts(
    paths: Sequence[Path], *, bundled: bool = True, progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """``load_dataset(paths, bundled=bundled, verify_hashes=True).counts()``: every check of the
    data, read from the files themselves (never a saved store), and how many records of each
    kind it holds. A set with JSON Lines is checked as it is read, into a throwaway store, so
    that memory stays flat, and its problems are reported as it found them; where it cannot
    take the data a record at a time, it is loaded whole, which reports every problem.
    ``progress`` is told how much of the JSON Lines is read."""
    from kurskcli.dataset import NotStreamed, load_dataset
    from kurskcli.reading import JSONL_SUFFIXES, DataFileError

    if any(p.suffix.lower() in JSONL_SUFFIXES for p in paths):
        import sqlite3

        from kurskcli.streaming import Repeated

        def read(sources_first: bool) -> tuple[Dataset, list[int]]:
            try:
                return _throwaway_stream(paths, bundled, True, progress, sources_first=sources_first)
            except Repeated as exc:
                _checked_again(paths, bundled, True, exc.ids, sources_first)

        try:
            ds, counts = _sources_first_if_needed(read)
            return {**ds.counts(), **{kind + "s": counts[TYPE_ORDER[kind]] for kind in ("quote", "claim", "event")}}
        except (NotStreamed, DataFileError, OSError, sqlite3.Error):
            pass  # the whole load below reports any problem exactly
    return load_dataset(paths, bundled=bundled, verify_hashes=True, progress=progress).counts()


def _throwaway_stream(
    paths: Sequence[Path],
    bundled: bool,
    verify_hashes: bool,
    progress: Callable[[int, int], None] | None = None,
    repeated: set[str] | None = None,
    *,
    sources_first: bool = False,
) -> tuple[Dataset, list[int]]:
    """``stream_dataset`` into a store of ids and texts alone, in a private temporary folder that
    goes with it: the dataset read, and how many records of each kind (``TYPE_ORDER``)."""
    import tempfile

    from kurskcli.streaming import stream_dataset

    with tempfile.TemporaryDirectory(prefix="kurskcli-check-") as folder:
        con = _new_store(Path(folder) / "check.sqlite")
        try:
            writer = _Writer(con, None, ids_only=True)
            ds = stream_dataset(
                paths,
                writer,
                bundled=bundled,
                verify_hashes=verify_hashes,
                progress=progress,
                repeated=repeated,
                sources_first=sources_first,
            )
        finally:
            con.close()
    return ds, writer.counts


def _checked_again(
    paths: Sequence[Path], bundled: bool, verify_hashes: bool, repeated: set[str], sources_first: bool
) -> NoReturn:
    """Read the data again, noting where each of the ``repeated`` ids is first given, and raise
    DatasetError with every problem as the whole load words them (NotStreamed if none is found:
    the files changed between the reads). Data read with its sources first is left to the whole
    load, which finds which record gave an id first in the files' order."""
    from kurskcli.dataset import NotStreamed

    if not sources_first:
        _throwaway_stream(paths, bundled, verify_hashes, repeated=repeated)
    raise NotStreamed("the ids given more than once were not found again")


def _key_and_deps(paths: Sequence[Path], bundled_fp: list[Any] | None, ds: Dataset) -> tuple[str, list[list[Any]]]:
    """The store's key and the other files it rests on (source texts), from the files ``ds`` read."""
    read = {fp[0]: fp for fp in ds.files}
    mains = {os.path.realpath(p) for p in paths}
    deps = [fp for real, fp in read.items() if real not in mains]
    return store_key(bundled_fp, [read.get(os.path.realpath(p)) for p in paths]), deps


# ----------------------------------------------------------------------------- the entry point


def stored(
    paths: Sequence[Path],
    bundled: bool,
    on_disk: Callable[[DiskIndex], _T],
    *,
    progress: Progress | None = None,
    warn: Callable[[str], None] = lambda message: None,
    debug: Callable[[str], None] = lambda message: None,
    keep_open: bool = False,
) -> list[_T]:
    """``[on_disk(store)]`` from the store of ``paths`` (and the bundled data), built first if it
    is not saved and current: the one way user datasets are answered. With ``keep_open``, the
    store is left open for the caller to read from and close (``on_disk`` gives it, or what
    reads it as it is asked). ``[]`` where there can be
    no store (no private cache folder, a lock held too long, a folder that cannot be written:
    ``warn`` says which), and the caller answers from the data loaded whole. Raises what
    ``load_dataset`` raises when the data is invalid or unreadable."""
    folder, why = private_cache_dir()
    if folder is None:
        warn(f"{why}; answering without a saved index")
        return []
    name = store_name(paths, bundled)
    target = folder / name
    answer = _ask(target, paths, bundled, on_disk, debug, keep_open)
    if answer:
        return answer
    with build_lock(folder, name, warn) as held:
        if not held:
            return []
        answer = _ask(target, paths, bundled, on_disk, debug, keep_open)  # built by another kurskcli meanwhile
        if answer:
            return answer
        if _save(paths, bundled, target, progress, warn, debug):
            return _ask(target, paths, bundled, on_disk, debug, keep_open)
    return []


def _ask(
    target: Path,
    paths: Sequence[Path],
    bundled: bool,
    on_disk: Callable[[DiskIndex], _T],
    debug: Callable[[str], None],
    keep_open: bool = False,
) -> list[_T]:
    """``[on_disk(store)]`` if the store at ``target`` is there, ours, intact and current; else
    ``[]``. With ``keep_open``, the store stays open for what ``on_disk`` gave to read from."""
    if not os.path.lexists(target):
        return []
    import sqlite3

    try:
        disk = open_store(target, current_key(paths, bundled))
        try:
            answer = [on_disk(disk)]
        except BaseException:
            disk.con.close()
            raise
        if not keep_open:
            disk.con.close()
        return answer
    except (sqlite3.Error, *_DAMAGE) as exc:
        debug(f"not using the saved search index: {exc}")
        return []


def _save(
    paths: Sequence[Path],
    bundled: bool,
    target: Path,
    progress: Progress | None,
    warn: Callable[[str], None],
    debug: Callable[[str], None],
) -> bool:
    """Save the store of ``paths`` at ``target``, its lock held, and say whether it was saved
    (``warn`` says why not). Records are written as they are read and checked (a line of JSON
    Lines, a record of a document, whose bytes alone stay in memory); data that cannot be
    written so (a problem the stream cannot place, a record naming a source in a later file) is
    loaded whole first. Raises DatasetError where the data has a problem."""
    import sqlite3

    from kurskcli.files import OutputFileError

    sweep(target)
    if _streamed(paths, bundled, target, progress, debug):
        return True
    debug(f"building the search index {target}")
    bundled_fp = bundled_fingerprint() if bundled else None
    ds = _load(paths, bundled, progress)
    key, deps = _key_and_deps(paths, bundled_fp, ds)
    try:
        write(ds, target, key, deps, progress)
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
