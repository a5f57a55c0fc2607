"""Datasets checked as they are read, without holding their records: each record handed to a
``Sink`` (the store's writer) as soon as it is checked, and each source text as it is read.
Problems are collected as a whole load collects them, with the same words; where an id is
given twice (the stream does not keep where each was first given), ``Repeated`` sends the
caller to a second read, which says where; where a record names a source given after it,
``SourcesLater`` to a read that takes each file's sources first; where that source is in a later
file, or the stream cannot go on, ``NotStreamed`` to a whole load."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from kurskcli.dataset import (
    NotStreamed,
    _check_span_text,
    _check_witness_words,
    _check_witnesses,
    _Checker,
    _inside,
    _Loader,
    read_into,
)
from kurskcli.model import (
    Dataset,
    Quote,
    Record,
    Span,
    TextsElsewhere,
    Witness,
    paused_gc,
)
from kurskcli.reading import DataFileError, read_blocks
from kurskcli.text import fold_space


class Sink(Protocol):
    """Where ``stream_dataset`` puts each checked quote, claim, event and actor."""

    def add(self, rec: Record, ds: Dataset) -> None:
        """Take ``rec``; ``ds`` holds the sources and actors read so far."""

    def add_all(self, recs: Sequence[Record], ds: Dataset) -> None:
        """Take ``recs``, one or more records of one type, as ``add`` takes each in turn."""

    def repeated(self, sources: Iterable[str]) -> set[str]:
        """The ids two records taken share, or a record taken shares with one of ``sources``."""

    def quotes_among(self, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` are ids of quotes taken (once ``repeated`` has been asked)."""

    def text(self, source_id: str, chunks: Iterable[str]) -> int:
        """Take the text of a source, given in pieces; return its length in characters."""

    def excerpt(self, source_id: str, start: int, end: int) -> str:
        """Characters ``[start, end)`` of a text taken, ``0 <= start <= end <= length``."""

    def spare(self) -> None:
        """From now on keep of each record only what ``repeated`` asks: the data has a problem,
        and is checked to the end only to report every one."""


class Repeated(NotStreamed):
    """Ids given more than once, found once every record was read: a second read, told them
    (``stream_dataset``'s ``repeated``), finds where each was first given."""

    def __init__(self, ids: set[str]) -> None:
        super().__init__(f"ids given more than once: {', '.join(sorted(ids)[:3])}")
        self.ids = ids


class SourcesLater(NotStreamed):
    """A record names a source given after it: read each JSON Lines file again, its sources first."""


class _TextsInSink(TextsElsewhere):
    """The dataset of a streamed load: its sources carry no text; their texts are in the sink."""

    __slots__ = ("sink", "whole")

    def __init__(self, sink: Sink) -> None:
        super().__init__()
        self.sink = sink
        self.whole = ("", "")  # the last whole text read

    def read(self, source_id: str, start: int, end: int) -> str:
        if (start, end) == (0, self.lengths[source_id]):  # a whole text, where a span's words are looked for
            if self.whole[0] != source_id:
                self.whole = (source_id, self.sink.excerpt(source_id, start, end))
            return self.whole[1]
        return self.sink.excerpt(source_id, start, end)


class _StreamLoader(_Loader):
    """A load that hands each record to a sink as it is checked and keeps only the sources, the
    actors and what the later checks need: no record list grows with the data. A problem the
    stream cannot place exactly, and a span on a source not read yet, raise NotStreamed."""

    def __init__(self, verify_hashes: bool, sink: Sink, repeated: set[str] | None = None) -> None:
        super().__init__(verify_hashes)
        self.sink = sink
        self.repeated = repeated  # ids known to be given more than once: where first, is noted
        self.texts = _TextsInSink(sink)
        self.ds = self.texts  # what the build fills is this dataset, whose texts are in the sink
        self.renders: dict[str, str] = {}  # each quote that is a rendering -> what it renders
        self.event_ids: set[str] = set()  # the events read (few beside the quotes)
        self.checkers: list[_Checker] = []
        self.spared = False

    def checker(self, origin: str) -> _Checker:
        ck = super().checker(origin)
        self.checkers.append(ck)
        return ck

    def _sink(self) -> Sink:
        """The sink, told to spare its work once a problem is found (nothing will be saved)."""
        if not self.spared and any(ck.problems for ck in self.checkers):
            self.sink.spare()
            self.spared = True
        return self.sink

    def claim_id(self, ck: _Checker, path: str, rid: str) -> bool:
        """Ids are held unique by the sink, at the end; one known to be given more than once is
        claimed as the whole load claims it, so that a later record giving it is reported."""
        return self.repeated is None or rid not in self.repeated or super().claim_id(ck, path, rid)

    def taken_text(self, source_id: str, text: str) -> str:
        """The text goes to the sink; the source is kept with an empty text, and its length noted."""
        if source_id in self.texts.lengths:
            raise NotStreamed(f"two sources with the id {source_id!r}")
        self.texts.lengths[source_id] = self.sink.text(source_id, [text])
        return ""

    def source_text(self, ck: _Checker, path: str, s: Any, base: Path | None) -> str | None:
        """The text goes to the sink as it is read (a text file a block at a time)."""
        if base is None or not s.file or s.text:
            text = super().source_text(ck, path, s, base)
            return None if text is None else self.taken_text(s.id, text)  # None: a problem noted
        if s.id in self.texts.lengths:
            raise NotStreamed(f"{ck.origin}: {path}: two sources with one id")
        if not s.sha256:
            raise NotStreamed(f"{ck.origin}: {path}: a text file without its SHA-256")
        if not _inside(s.file):
            raise NotStreamed(f"{ck.origin}: {path}.file: not a relative path inside the dataset's folder")
        import codecs
        import hashlib

        where = base / s.file
        digest, decoder = hashlib.sha256(), codecs.getincrementaldecoder("utf-8")()

        def pieces() -> Iterator[str]:
            for raw in read_blocks(where, self.budget(where), seen=self.ds.files, inside=base):
                digest.update(raw)
                yield decoder.decode(raw)
            yield decoder.decode(b"", final=True)

        try:
            self.texts.lengths[s.id] = self.sink.text(s.id, pieces())
        except (DataFileError, UnicodeDecodeError) as exc:
            raise NotStreamed(f"{ck.origin}: {path}.file: {exc}") from None
        self.spent()
        if digest.hexdigest() != s.sha256:
            raise NotStreamed(f"{ck.origin}: {path}.sha256: does not match the text")
        return ""

    def keep(self, table: str, rec: Record) -> None:
        if table == "sources":
            self.ds.sources[rec.id] = rec  # type: ignore[assignment]  # a Source
            return
        if table == "actors":
            self.ds.actors[rec.id] = rec  # type: ignore[assignment]  # an Actor
        elif isinstance(rec, Quote) and rec.renders is not None:
            self.renders[rec.id] = rec.renders
        elif table == "events":
            self.event_ids.add(rec.id)
        self._sink().add(rec, self.ds)

    def keep_all(self, quotes: list[Quote]) -> None:
        self.renders.update((rec.id, rec.renders) for rec in quotes if rec.renders is not None)
        if quotes:
            self._sink().add_all(quotes, self.ds)

    def spans_hold(self, ck: _Checker, field: str, spans: Iterable[tuple[str, Span, str]]) -> None:
        """Each span's words read from the sink directly; a span whose words differ, or one that
        does not lie in its text, is reported by ``_check_span_text``."""
        lengths, excerpt = self.texts.lengths, self.sink.excerpt
        for path, span, text in spans:
            source, start, end = span
            if 0 <= start < end <= lengths.get(source, -1):
                words = excerpt(source, start, end)
                if words == text or fold_space(words) == fold_space(text):
                    continue
            _check_span_text(ck, path + field, span, text, self.ds)

    def ref(self, ck: _Checker, path: str, field: str, table: str, rid: str | None) -> None:
        """As the whole load notes a reference; one to a source not read yet cannot be taken,
        since the spans on it are checked as they are read."""
        if table == "sources" and rid is not None and rid not in self.ds.sources:
            raise SourcesLater(f"{ck.origin}: {path}{field} names source {rid!r} before it is read")
        super().ref(ck, path, field, table, rid)

    def span_check(self, ck: _Checker, path: str, field: str, span: Span, text: str | None) -> None:
        _check_span_text(ck, path + field, span, text, self.ds)  # its source is read: see ref

    def date_check(self, ck: _Checker, path: str, date: str, witnesses: list[Witness]) -> None:
        _check_witnesses(ck, path, date, witnesses)

    def witness_check(self, ck: _Checker, path: str, date: str, span: Span) -> None:
        if self.verify_hashes:
            _check_witness_words(ck, path, date, span, self.ds)  # its source is read: see ref

    def finish(self) -> None:
        """The references checked as the whole load checks them, the quotes and events named
        looked for among those taken. Ids given twice raise Repeated, for a second read to say
        where each was first given (the first read keeps no place)."""
        repeated = self.sink.repeated(self.ds.sources)
        if repeated and self.repeated is None:
            raise Repeated(repeated)
        if repeated:  # a second read that finds others: the files changed meanwhile
            raise NotStreamed("ids given more than once, found again")
        quotes = self.sink.quotes_among({rid for *_, table, rid in self.refs if table == "quotes"})
        known = {"quotes": quotes, "events": self.event_ids, "actors": self.ds.actors, "sources": self.ds.sources}
        self.check_refs(lambda table, rid: rid in known[table], self.renders.get)


def stream_dataset(
    paths: Sequence[str | os.PathLike[str]],
    sink: Sink,
    *,
    bundled: bool = True,
    verify_hashes: bool = False,
    progress: Callable[[int, int], None] | None = None,
    repeated: set[str] | None = None,
    sources_first: bool = False,
) -> Dataset:
    """Load as ``load_dataset`` does, but hand every quote, claim, event and actor to ``sink`` as
    it is checked instead of keeping it, and each source text too, as it is read: the dataset
    returned holds the sources (without their texts, whose lengths ``text_length`` gives and
    whose words ``excerpt`` reads from the sink), the actors (which went to the sink too), what
    each file says of itself and the files read, and no quote, claim or event.

    Raises DatasetError with every problem, in the words ``load_dataset`` would use, and
    DataFileError as it does; Repeated where ids are given more than once (read again, told
    them as ``repeated``, to say where each was first given); SourcesLater where a record names
    a source that comes after it, for a read with ``sources_first`` (each JSON Lines file read
    twice, its sources first), which raises it where that source is in a later file
    (``load_dataset`` then reads the data whole). ``progress`` is
    told, every thousand lines, how many bytes of the JSON Lines files have been read and how
    many they hold.
    """
    build = _StreamLoader(verify_hashes, sink, repeated)
    build.progress = progress
    with paused_gc():
        ds = read_into(paths, bundled, build, sources_first=sources_first)
    return ds
