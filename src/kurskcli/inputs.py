"""Where a command's data comes from: the bundled dataset, the user's dataset files, and the
store saved from them. The one place that decides which of them answers a question; it knows
nothing of the terminal (progress and notes go to what the caller hands it)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from kurskcli.index import Store
    from kurskcli.model import Actor, Dataset, Record
    from kurskcli.searcher import Hits

T = TypeVar("T")
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

    def paths(self) -> list[Path]:
        from kurskcli.env import data_paths

        return [*data_paths(), *self.data]

    def load(self, verify_hashes: bool = False, kinds: Sequence[str] | None = None) -> Dataset:
        """Every record. User datasets come from their store when one is saved and current
        (reading it is faster than reading and checking the files); ``verify_hashes`` (as
        `verify` asks) always reads the files themselves. With ``kinds``, only the records of
        those kinds and the actors are needed: a store reads no other (the files hold them all)."""
        if not verify_hashes:
            # every record: saving the store first would bound no memory, only add time
            stored = self._from_store(lambda disk: disk.dataset(kinds), build=kinds is not None)
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

    def verified_counts(self) -> dict[str, int]:
        """Every check of the data, against the files themselves (never the store), and how
        many records of each kind it holds; raises DatasetError as ``load`` does."""
        from kurskcli.dataset import verified_counts

        with self._reading("verify") as progress:
            return verified_counts(self.paths(), bundled=self.bundled, progress=progress)

    @contextlib.contextmanager
    def _reading(self, label: str) -> Iterator[Callable[[int, int], None] | None]:
        """What JSON Lines read in full report to: the share read, on a progress bar."""
        with self.progress_bar(label) as bar:
            yield None if bar is None else lambda done, total: bar("reading", done, total)

    def overview(self) -> Dataset:
        """Every actor and source and how many records of each kind there are (``counts``): user
        datasets from their store when one is saved and current, without reading the records."""
        stored = self._from_store(lambda disk: disk.overview())
        return stored[0] if stored else self.load()

    def actor_counts(self) -> tuple[Dataset, dict[str, dict[str, int]]]:
        """Every actor and source, and ``query.actor_counts``: user datasets from their store when
        one is saved and current, where the counts were made as it was written."""
        stored = self._from_store(lambda disk: (disk.context([]), disk.actor_counts()))
        if stored:
            return stored[0]
        from kurskcli.query import actor_counts

        ds = self.load()
        return ds, actor_counts(ds)

    def naming(self, name: str, kinds: Sequence[str], *, members: bool = False) -> tuple[Dataset, Actor]:
        """The actor ``name`` resolves to, and a dataset with every actor and source and the
        records of ``kinds`` that name it (with ``members``, it or any actor affiliated with it);
        user datasets from their store when one is saved and current, without reading every
        record. Loaded whole otherwise."""
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

    def _from_store(self, on_disk: Callable[[Store], T], build: bool = True) -> list[T]:
        """``[on_disk(store)]`` for user datasets whose store is saved and current, or (with
        ``build``, unless the data is loaded already) for large JSON Lines answered as they are
        read, or saved to the store as they are read; ``[]`` otherwise."""
        if self._dataset is not None or not self.paths():
            return []
        from kurskcli import index

        if not self._stored():
            found = self._as_read(lambda bar: index.as_read(self.paths(), self.bundled, on_disk, bar)) if build else []
            return found or []
        with self._store_options() as options:
            return index.stored(self.paths(), self.bundled, on_disk, build=build, **options)

    def _as_read(self, read: Callable[[Progress | None], T | None]) -> T | None:
        """With the cache off, ``read(progress bar)`` for large JSON Lines not loaded yet, which
        are answered as they are read; None for other data, and where ``read`` gives None."""
        if self._dataset is not None or not self.paths():
            return None
        from kurskcli import index

        if not index.streams(self.paths()):
            return None
        with self.progress_bar("kurskcli") as bar:
            return read(bar)

    def _stored(self) -> bool:
        """Whether to go through the saved index: for user datasets, unless the cache is off."""
        from kurskcli.env import cache_enabled

        return bool(self.paths()) and cache_enabled()

    @contextlib.contextmanager
    def _store_options(self) -> Iterator[dict[str, Any]]:
        """How the saved index reports: a progress bar on a terminal while the data is read or the
        index built, notes, debug lines."""
        with self.progress_bar("kurskcli") as progress:
            yield {"progress": progress, "warn": self.note, "debug": self.debug}

    def search(self, query: str, types: list[str] | None, limit: int) -> tuple[Hits, Dataset]:
        """Ranked hits and a dataset that can show them; user datasets through the saved index."""
        if not self._stored():
            from kurskcli.searcher import ScanIndex

            def as_read(bar: Progress | None) -> tuple[Hits, Dataset] | None:
                from kurskcli import scan

                return scan.search(self.paths(), self.bundled, query, types=types, limit=limit, progress=bar)

            found = self._as_read(as_read)
            if found is not None:
                return found
            ds = self.load()  # one search: scanning for its words is quicker than indexing them all
            with self.progress_bar("kurskcli") as bar:
                return ScanIndex(ds.records(), ds.passage, bar).search(query, types=types, limit=limit), ds
        from kurskcli import index

        with self._store_options() as options:
            return index.search(self.paths(), self.bundled, query, types=types, limit=limit, **options)

    def lookup(
        self, record_ids: Sequence[str], on_missing: Callable[[Dataset, list[str]], None] | None = None
    ) -> tuple[list[Record], Dataset]:
        """Records by id and a dataset that can show them; user datasets through the saved index,
        so that a large file is not read again. Ids that name no record fail with suggestions,
        after ``on_missing`` (given a dataset with every actor) has had its say."""

        def as_read(
            bar: Progress | None,
        ) -> tuple[list[Record | None], Dataset, Callable[[], list[str]]] | None:
            from kurskcli import index

            return index.lookup_as_read(self.paths(), self.bundled, record_ids, bar)

        found = self._as_read(as_read) if not self._stored() else None
        if found is not None:
            recs, ds, ids = found
        elif not self._stored():
            ds = self.load()
            recs, ids = [ds.get(rid) for rid in record_ids], ds.ids
        else:
            from kurskcli import index

            with self._store_options() as options:
                recs, ds, ids = index.lookup(self.paths(), self.bundled, record_ids, **options)
        missing = [rid for rid, rec in zip(record_ids, recs, strict=True) if rec is None]
        if missing:
            if on_missing is not None:
                on_missing(ds, missing)
            from kurskcli.query import UnknownIds

            raise UnknownIds(missing, ids())
        return [rec for rec in recs if rec is not None], ds
