"""Where a command's data comes from: the bundled dataset, the user's dataset files, and the
store saved from them. The one place that decides which of them answers a question; it knows
nothing of the terminal (progress and notes go to what the caller hands it)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from kurskcli.check import CheckResult
    from kurskcli.model import Actor, Claim, Dataset, Event, Quote, Record, Reread, Source
    from kurskcli.searcher import Hits
    from kurskcli.store import DiskIndex

T = TypeVar("T")
InOrder = Callable[["set[str] | None"], Iterator["Quote | Claim | Event"]]
"""Given actor ids (or None), records in date order: from a store only those naming one of the
actors, read through its list for each actor; otherwise every record (``query.timeline_of``
keeps those that name one)."""
Progress = Callable[[str, int, int], None]
"""Told (phase, done, total) as long work goes on; ``index.Progress``."""
ProgressBar = Callable[[str], contextlib.AbstractContextManager["Progress | None"]]


@contextlib.contextmanager
def _no_bar(label: str) -> Iterator[None]:
    yield None


def _ignore(line: str) -> None:
    pass


class DataSource:
    """Where a command's data comes from: KURSKCLI_DATA, --data, and whether the bundled dataset
    is in. ``progress_bar(label)`` gives what long work reports its progress to (or None), for
    as long as the work lasts; ``note`` and ``debug`` take one line each."""

    def __init__(
        self,
        data: list[Path],
        bundled: bool,
        *,
        progress_bar: ProgressBar = _no_bar,
        note: Callable[[str], None] = _ignore,
        debug: Callable[[str], None] = _ignore,
    ) -> None:
        self.data, self.bundled = data, bundled
        self.progress_bar, self.note, self.debug = progress_bar, note, debug
        self._dataset: Dataset | None = None
        self._no_store = False

    def paths(self) -> list[Path]:
        from kurskcli.env import data_paths

        return [*data_paths(), *self.data]

    def load(self, verify_hashes: bool = False, kinds: Sequence[str] | None = None) -> Dataset:
        """Every record. User datasets come from their store (reading it is faster than reading
        and checking the files); ``verify_hashes`` (as `verify` asks) always reads the files
        themselves. With ``kinds``, only the records of those kinds and the actors are needed:
        a store reads no other (the files hold them all)."""
        if not verify_hashes:
            stored = self._from_store(lambda disk: disk.dataset(kinds))
            if stored and kinds is not None:
                return stored[0]
            if stored:
                self._dataset = stored[0]
        if self._dataset is None:
            from kurskcli.dataset import load_dataset

            with self._reading("kurskcli") as progress:
                self._dataset = load_dataset(
                    self.paths(), bundled=self.bundled, verify_hashes=verify_hashes, progress=progress
                )
        return self._dataset

    @contextlib.contextmanager
    def in_date_order(self, kinds: Sequence[str]) -> Iterator[tuple[Dataset, InOrder]]:
        """Every actor, source and event, and what gives the records of ``kinds`` (quotes,
        claims, events) in date order (``query.sort_key``), all of them or those naming any of
        the actors it is given: user datasets read from their store as they are asked for, so
        that a reader who stops early (``| head``) waits for little."""
        # what is read before the first record is printed is read here, where damage means a rebuild
        with self._kept_open(
            lambda disk: (disk.beside_timeline(kinds), lambda actors: disk.in_order(kinds, actors))
        ) as stored:
            if stored is not None:
                yield stored
                return
        from kurskcli.query import in_date_order

        loaded = self.load(kinds=kinds)
        records = in_date_order(loaded, kinds)
        yield loaded, lambda actors: iter(records)

    @contextlib.contextmanager
    def exported(self, kinds: Sequence[str]) -> Iterator[tuple[Sequence[Record] | Reread, Dataset]]:
        """The records an export of ``kinds`` writes (each kind in id order) and what writing
        them needs: user datasets read from their store as they are written (``Reread``), the
        source texts a part at a time, as they are asked for."""
        with self._kept_open(lambda disk: disk.exported(kinds)) as stored:
            if stored is not None:
                yield stored
                return
        ds = self.load()
        tables: list[dict[str, Record]] = [getattr(ds, kind + "s") for kind in kinds]
        yield [rec for table in tables for rec in sorted(table.values(), key=lambda r: r.id)], ds

    def verified_counts(self) -> dict[str, int]:
        """Every check of the data, against the files themselves (never the store), and how
        many records of each kind it holds; raises DatasetError as ``load`` does."""
        from kurskcli.index import verified_counts

        with self._reading("verify") as progress:
            return verified_counts(self.paths(), bundled=self.bundled, progress=progress)

    @contextlib.contextmanager
    def _reading(self, label: str) -> Iterator[Callable[[int, int], None] | None]:
        """What JSON Lines read in full report to: the share read, on a progress bar."""
        with self.progress_bar(label) as bar:
            yield None if bar is None else lambda done, total: bar("reading", done, total)

    def overview(self) -> Dataset:
        """Every actor and source and how many records of each kind there are (``counts``): user
        datasets from their store, without reading the records."""
        stored = self._from_store(lambda disk: disk.overview())
        return stored[0] if stored else self.load()

    def actor_counts(self) -> tuple[Dataset, dict[str, dict[str, int]]]:
        """Every actor and source, and ``query.actor_counts``: user datasets from their store,
        built first if need be, where the counts were made as it was written."""
        stored = self._from_store(lambda disk: (disk.context([]), disk.actor_counts()))
        if stored:
            return stored[0]
        from kurskcli.query import actor_counts

        ds = self.load()
        return ds, actor_counts(ds)

    def on_source(self, choose: Callable[[Dataset], Source]) -> tuple[Dataset, Source]:
        """The source ``choose`` picks among every source, with its text, and a dataset holding
        it and every record with a span on it; user datasets from their store, where only those
        records are kept."""
        stored = self._from_store(lambda disk: disk.on_source(choose))
        if stored:
            return stored[0]
        ds = self.load()
        return ds, choose(ds)

    def naming(self, name: str, kinds: Sequence[str], *, members: bool = False) -> tuple[Dataset, Actor]:
        """The actor ``name`` resolves to, and a dataset with every actor and source and the
        records of ``kinds`` that name it (with ``members``, it or any actor affiliated with it);
        user datasets from their store, without reading every record."""
        from kurskcli.query import members_of, resolve_actor

        chosen: list[Actor] = []

        def choose(actors: Dataset) -> set[str]:
            chosen.append(resolve_actor(actors, name))
            return members_of(actors, chosen[0].id) if members else {chosen[0].id}

        stored = self._from_store(lambda disk: disk.about_actors(choose, kinds))
        if stored:
            return stored[0], chosen[0]
        ds = self.load()
        return ds, resolve_actor(ds, name)

    def _from_store(self, on_disk: Callable[[DiskIndex], T], *, keep_open: bool = False) -> list[T]:
        """``[on_disk(store)]`` for user datasets, from their store (built first if it is not saved
        and current; with ``keep_open``, left open for the caller to close); ``[]`` with the cache
        off, once the data is loaded, or where there can be no store, and the data is then loaded
        whole (once: the store is not tried again)."""
        if self._dataset is not None or self._no_store or not self._stored():
            return []
        from kurskcli import index

        with self._store_options() as options:
            answer = index.stored(self.paths(), self.bundled, on_disk, keep_open=keep_open, **options)
        self._no_store = not answer
        return answer

    @contextlib.contextmanager
    def _kept_open(self, on_disk: Callable[[DiskIndex], T]) -> Iterator[T | None]:
        """``on_disk(store)`` for user datasets, their store left open until the block ends, for
        what it gave to read from; None where there is no store and the data is loaded whole."""
        stored = self._from_store(lambda disk: (disk, on_disk(disk)), keep_open=True)
        if not stored:
            yield None
            return
        disk, answer = stored[0]
        try:
            yield answer
        finally:
            disk.con.close()

    def _stored(self) -> bool:
        """Whether to go through the store: for user datasets, unless the cache is off."""
        from kurskcli.env import cache_enabled

        return bool(self.paths()) and cache_enabled()

    @contextlib.contextmanager
    def _store_options(self) -> Iterator[dict[str, Any]]:
        """How the store reports: a progress bar on a terminal while the data is read or the
        store built, notes, debug lines."""
        with self.progress_bar("kurskcli") as progress:
            yield {"progress": progress, "warn": self.note, "debug": self.debug}

    def search(self, query: str, types: list[str] | None, limit: int) -> tuple[Hits, Dataset]:
        """Ranked hits and a dataset that can show them; user datasets through their store."""
        from kurskcli.searcher import normalize_query

        normalize_query(query)  # a bad query fails before any work
        stored = self._from_store(lambda disk: disk.shown_hits(query, types, limit))
        if stored:
            return stored[0]
        from kurskcli.searcher import SearchIndex

        ds = self.load()
        with self.progress_bar("kurskcli") as bar:
            indexing = (lambda done, total: bar("indexing", done, total)) if bar else None
            return SearchIndex(ds.records(), ds.passage, indexing).search(query, types=types, limit=limit), ds

    def check(self, text: str) -> tuple[CheckResult, Dataset]:
        """``check.check_quote`` of ``text``, and a dataset that can show the verdict; user
        datasets through their store (``DiskIndex.checked``), which reads only what the
        verdict needs."""
        from kurskcli.check import check_quote, checkable

        checkable(text)  # a text that cannot be checked fails before any work
        stored = self._from_store(lambda disk: disk.checked(text))
        if stored:
            return stored[0]
        ds = self.load()
        return check_quote(ds, text), ds

    def lookup(
        self, record_ids: Sequence[str], on_missing: Callable[[Dataset, list[str]], None] | None = None
    ) -> tuple[list[Record], Dataset]:
        """Records by id and a dataset that can show them; user datasets through their store, so
        that a large file is not read again. Ids that name no record fail with suggestions,
        after ``on_missing`` (given a dataset with every actor) has had its say."""
        stored = self._from_store(lambda disk: disk.shown_records(record_ids))
        if stored:
            recs, ds, ids = stored[0]
        else:
            ds = self.load()
            recs, ids = [ds.get(rid) for rid in record_ids], ds.ids
        missing = [rid for rid, rec in zip(record_ids, recs, strict=True) if rec is None]
        if missing:
            if on_missing is not None:
                on_missing(ds, missing)
            from kurskcli.query import UnknownIds

            raise UnknownIds(missing, ids())
        return [rec for rec in recs if rec is not None], ds
