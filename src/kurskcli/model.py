"""The record types of a kurskcli dataset: immutable, standard library only.

Records are NamedTuples rather than frozen dataclasses: defining a frozen dataclass costs
many times what a NamedTuple does at import, and every command pays it at start-up. The
annotations are evaluated (no ``from __future__ import annotations``): given strings,
NamedTuple compiles a ForwardRef for every field.
"""

import contextlib
import datetime as dt
import gc
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from kurskcli.dates import DateRange

# What an id may be: letters, digits and . _ : -, starting with a letter or digit. Use fullmatch
# (a "$" would also match before a trailing newline).
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
SHA256 = re.compile(r"[0-9a-f]{64}")  # a source text's digest, as the format writes it
# A source's address: only the web's own schemes, so that no javascript:, data: or file:
# address ever becomes a link in a page or a citation.
WEB_URL = re.compile(r"[Hh][Tt][Tt][Pp][Ss]?://\S")  # how the address starts
VERSION = re.compile(r"1(\.[0-9]+)*")  # the schema versions this tool reads


class Span(NamedTuple):
    """A half-open character range ``[start, end)`` in a source's text."""

    source: str
    start: int
    end: int


class Source(NamedTuple):
    id: str
    title: str
    author: str
    author_actor: str | None
    date: str | None
    publisher: str | None
    language: str | None
    sha256: str | None
    text: str
    dates: DateRange
    origin: str  # the dataset file it came from
    url: str | None = None
    # "full": ``text`` is the whole work; "excerpts": only the speakers' words as the page
    # prints them (and what dates them), one passage after another
    stored: str = "full"
    # how the source stands to the words it prints: "article" (an author's own piece),
    # "speaker" (the speaker's own channel), "agency" (a news agency), "news", "reprint"
    channel: str | None = None
    note: str | None = None  # one neutral sentence about the source
    type: str = "source"


class Actor(NamedTuple):
    id: str
    name: str
    kind: str
    role: str | None
    affiliation: str | None
    aliases: tuple[str, ...]
    origin: str
    type: str = "actor"


class Quote(NamedTuple):
    id: str
    speaker: str
    date: str | None
    dates: DateRange
    text: str
    kind: str
    via: str | None
    context: str
    language: str | None
    span: Span
    origin: str
    renders: str | None = None  # the quote this one is another rendering of (the same utterance)
    note: str | None = None  # a short neutral note on how this rendering differs from that one
    related: str | None = None  # another statement of the speaker's this one bears on, in other words
    type: str = "quote"


class Claim(NamedTuple):
    id: str
    claimant: str | None
    kind: str
    date: str | None
    dates: DateRange
    text: str
    verbatim: bool
    status: str | None
    disputed_by: tuple[str, ...]
    span: Span
    origin: str
    actors: tuple[str, ...] = ()  # actors the claim mentions, besides its claimant and disputers
    context: str = ""  # one neutral sentence placing the claim, in the dataset's own words
    outcomes: tuple[str, ...] = ()  # events later pages report that bear on it (a forecast's)
    type: str = "claim"


class Witness(NamedTuple):
    """A source's own date for an event, and where in that source it is given."""

    date: str
    dates: DateRange
    span: Span


class Event(NamedTuple):
    id: str
    date: str | None
    dates: DateRange
    title: str
    summary: str
    actors: tuple[str, ...]
    spans: tuple[Span, ...]
    origin: str
    dated_by: tuple[Witness, ...] = ()  # each source's date, where sources date it differently
    outcomes: tuple[str, ...] = ()  # events later pages report that bear on it (a plan's)
    type: str = "event"


Record = Quote | Claim | Event | Actor | Source


def spans_of(rec: Record) -> tuple[Span, ...]:
    """Where a record stands in its sources: a quote's or claim's span, an event's spans, or none."""
    if isinstance(rec, (Quote, Claim)):
        return (rec.span,)
    if isinstance(rec, Event):
        return rec.spans
    return ()


class DatasetInfo(NamedTuple):
    id: str
    version: str
    title: str
    description: str
    schema_version: str
    origin: str
    license: str | None = None


class Dataset:
    """Every loaded record, merged from one or more dataset files, indexed by id."""

    __slots__ = ("actors", "claims", "events", "files", "infos", "quotes", "sources")

    def __init__(self) -> None:
        self.infos: list[DatasetInfo] = []
        # the fingerprint of every file read from disk (dataset files and source texts), in order
        self.files: list[list[Any]] = []
        self.sources: dict[str, Source] = {}
        self.actors: dict[str, Actor] = {}
        self.quotes: dict[str, Quote] = {}
        self.claims: dict[str, Claim] = {}
        self.events: dict[str, Event] = {}

    def get(self, record_id: str) -> Record | None:
        for table in (self.quotes, self.claims, self.events, self.actors, self.sources):
            rec = table.get(record_id)
            if rec is not None:
                return rec
        return None

    def ids(self) -> list[str]:
        """Every record id, sources included."""
        return [*self.quotes, *self.claims, *self.events, *self.actors, *self.sources]

    def name_of(self, actor_id: str | None) -> str | None:
        """An actor's display name: its name, else the id itself (for a dangling id); None for None."""
        if actor_id is None:
            return None
        actor = self.actors.get(actor_id)
        return actor.name if actor else actor_id

    def passage(self, span: Span) -> str:
        """The source text a span covers, white space folded."""
        return " ".join(self.excerpt(span.source, span.start, span.end).split())

    def excerpt(self, source_id: str, start: int, end: int) -> str:
        """Characters ``[start, end)`` of a source's text."""
        return self.sources[source_id].text[start:end]

    def text_length(self, source_id: str) -> int:
        return len(self.sources[source_id].text)

    def pieces(self, source_id: str) -> Iterator[str]:
        """A source's text, a piece at a time (a text kept elsewhere is read a part at a time)."""
        yield self.sources[source_id].text

    def records(self) -> list[Record]:
        out: list[Record] = []
        out.extend(self.quotes.values())
        out.extend(self.claims.values())
        out.extend(self.events.values())
        out.extend(self.actors.values())
        return out

    def counts(self) -> dict[str, int]:
        return {
            "sources": len(self.sources),
            "actors": len(self.actors),
            "quotes": len(self.quotes),
            "claims": len(self.claims),
            "events": len(self.events),
        }


PART = 65536
"""Texts kept outside a dataset (in the store, or while JSON Lines are checked as they are read)
are kept in parts of this many characters, so that a passage reads one or two."""


def in_parts(pieces: Iterable[str]) -> Iterator[str]:
    """The text that ``pieces`` make, in parts of PART characters, the last one shorter. Pieces
    (a text file read a block at a time, or a whole text) are gathered and joined once per part
    or more, never copied one by one."""
    held: list[str] = []
    size = 0
    for piece in pieces:
        held.append(piece)
        size += len(piece)
        if size >= PART:
            whole = "".join(held)
            cut = size - size % PART
            for start in range(0, cut, PART):
                yield whole[start : start + PART]
            held, size = [whole[cut:]], size - cut
    if size:
        yield "".join(held)


def from_parts(part_of: Callable[[int], str], start: int, end: int) -> str:
    """Characters ``[start, end)`` (``start < end``) of a text kept in parts of PART characters."""
    first, last = start // PART, (end - 1) // PART
    offset = first * PART
    if first == last:  # most spans: sliced from their part, not joined first (a third of the time)
        return part_of(first)[start - offset : end - offset]
    return "".join(part_of(part) for part in range(first, last + 1))[start - offset : end - offset]


class TextsElsewhere(Dataset):
    """A dataset whose sources carry no text: the length of each text is known, and its words
    are read where they are kept (``read``)."""

    __slots__ = ("lengths",)

    def __init__(self, lengths: dict[str, int] | None = None) -> None:
        super().__init__()
        self.lengths: dict[str, int] = {} if lengths is None else lengths

    def excerpt(self, source_id: str, start: int, end: int) -> str:
        start, end = max(0, start), min(end, self.lengths[source_id])
        return self.read(source_id, start, end) if start < end else ""

    def text_length(self, source_id: str) -> int:
        return self.lengths[source_id]

    def pieces(self, source_id: str) -> Iterator[str]:
        length = self.lengths[source_id]
        for start in range(0, length, PART):
            yield self.read(source_id, start, min(length, start + PART))

    def read(self, source_id: str, start: int, end: int) -> str:
        """Characters ``[start, end)`` of a text, ``0 <= start < end <= its length``."""
        raise NotImplementedError


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cycle collector while many records are made.

    Records hold no cycles, so it would find nothing; but it runs again and again while
    hundreds of thousands of objects are made, walking all of them each time. Pausing it
    halved loading 100,000 quotes (see benchmarks/load_scale.py).
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class PartsOnDemand(dict[tuple[str, int], str]):
    """Parts of the stored texts, each read (and checked) the first time it is asked for."""

    def __init__(self, part_of: Callable[[str, int], str]) -> None:
        super().__init__()
        self.part_of = part_of

    def __missing__(self, key: tuple[str, int]) -> str:
        value = self[key] = self.part_of(*key)
        return value


class StoredDataset(TextsElsewhere):
    """Records read from a saved index, with only the parts of the source texts that were read;
    with ``tallies``, the number of records of each kind the store holds, which ``counts`` gives."""

    __slots__ = ("parts", "tallies")

    def __init__(self, lengths: dict[str, int]) -> None:
        super().__init__(lengths)
        self.parts: dict[tuple[str, int], str] = {}
        self.tallies: dict[str, int] | None = None

    def counts(self) -> dict[str, int]:
        return dict(self.tallies) if self.tallies is not None else super().counts()

    def read(self, source_id: str, start: int, end: int) -> str:
        return from_parts(lambda part: self.parts[source_id, part], start, end)

    def keep_parts(self, records: Iterable[Record], part_of: Callable[[str, int], str]) -> None:
        """Keep the parts of the source texts (``part_of(source id, part)``) around each span
        of ``records``: the parts holding it and one part either side, room for any passage."""
        for rec in records:
            for sp in [] if isinstance(rec, Source) else spans_of(rec):
                if sp.source in self.lengths:
                    first, last = max(0, sp.start // PART - 1), sp.end // PART + 1
                    for part in range(first, min(last, (self.lengths[sp.source] - 1) // PART) + 1):
                        if (sp.source, part) not in self.parts:
                            self.parts[sp.source, part] = part_of(sp.source, part)


class Reread(Iterable["Record"]):
    """Records read again from the start each time they are iterated (``read()``), and how many
    there are: what an export of a store writes, holding one record at a time."""

    def __init__(self, read: Callable[[], Iterator[Record]], size: int) -> None:
        self.read, self.size = read, size

    def __iter__(self) -> Iterator[Record]:
        return self.read()

    def __len__(self) -> int:
        return self.size


Mentions = dict[str, "array[int]"]
"""Actor id -> the numbers of the quotes, claims and events that name it (``query.involved``),
in order."""


def add_mentions(mentions: Mentions, rid: int, actors: Iterable[str]) -> None:
    """List record number ``rid`` under each of ``actors``, the actors it names."""
    for actor in set(actors):
        found = mentions.get(actor)
        if found is None:
            found = mentions[actor] = array("I")
        found.append(rid)


RECORD_CLASSES: dict[str, Any] = {"quote": Quote, "claim": Claim, "event": Event, "actor": Actor, "source": Source}


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
    read a few rows of the store this way, without paying for msgspec's import; reading the
    whole store, msgspec decodes each row itself (``store.DiskIndex.dataset``)."""
    cls = RECORD_CLASSES[kind]
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
