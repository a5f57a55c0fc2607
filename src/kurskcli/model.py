"""The record types of a kurskcli dataset: plain, frozen, standard library only."""

from __future__ import annotations

from dataclasses import dataclass, field

from kurskcli.dates import DateRange

RECORD_TYPES = ("quote", "claim", "event", "actor", "source")


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range ``[start, end)`` in a source's text."""

    source: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Source:
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
    type: str = field(default="source", init=False)


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    name: str
    kind: str
    role: str | None
    affiliation: str | None
    aliases: tuple[str, ...]
    origin: str
    type: str = field(default="actor", init=False)


@dataclass(frozen=True, slots=True)
class Quote:
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
    type: str = field(default="quote", init=False)


@dataclass(frozen=True, slots=True)
class Claim:
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
    type: str = field(default="claim", init=False)


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    date: str | None
    dates: DateRange
    title: str
    summary: str
    actors: tuple[str, ...]
    spans: tuple[Span, ...]
    origin: str
    type: str = field(default="event", init=False)


Record = Quote | Claim | Event | Actor | Source


@dataclass(frozen=True, slots=True)
class DatasetInfo:
    id: str
    version: str
    title: str
    description: str
    schema_version: str
    origin: str
    license: str | None = None


@dataclass(slots=True)
class Dataset:
    """Every loaded record, merged from one or more dataset files, indexed by id."""

    infos: list[DatasetInfo] = field(default_factory=list)
    sources: dict[str, Source] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    quotes: dict[str, Quote] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)

    def get(self, record_id: str) -> Record | None:
        for table in (self.quotes, self.claims, self.events, self.actors, self.sources):
            rec = table.get(record_id)
            if rec is not None:
                return rec
        return None

    def passage(self, span: Span) -> str:
        """The source text a span covers, white space folded."""
        text = self.sources[span.source].text[span.start : span.end]
        return " ".join(text.split())

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
