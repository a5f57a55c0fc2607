"""Questions asked of a loaded dataset: the timeline, who someone is, what they said."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, NamedTuple

from kurskcli.dates import DateRange
from kurskcli.exits import EXIT_NOTHING, EXIT_USAGE
from kurskcli.model import Actor, Claim, Dataset, Event, Quote, Record, Source, spans_of
from kurskcli.text import Change, fold, safe

# A fuzzy name match must reach this score (0-100) to count at all ...
NAME_CUTOFF = 78.0
# ... and beat the runner-up (another actor) by this much to be "clearly best".
NAME_MARGIN = 6.0


class ResolveError(LookupError):
    """Base for name resolution failures."""

    exit_code = EXIT_NOTHING

    def message(self) -> str:
        """What went wrong, in one line fit for a terminal."""
        return str(self)


class UnknownName(ResolveError):
    """No actor matches; ``suggestions`` holds the nearest names."""

    exit_code = EXIT_NOTHING

    def __init__(self, name: str, suggestions: list[Actor]):
        self.name = name
        self.suggestions = suggestions
        super().__init__(name)

    def message(self) -> str:
        import shlex

        if self.suggestions:
            return f"no actor matches {safe(self.name)!r}; did you mean {' or '.join(a.id for a in self.suggestions)}?"
        # no name is near: the records that mention the word may still say who it stands for
        return (
            f"no actor matches {safe(self.name)!r} (see kurskcli actors); the records that mention it:"
            f" kurskcli search {safe(shlex.quote(self.name))}"
        )


class AmbiguousName(ResolveError):
    """Several actors match about equally well."""

    exit_code = EXIT_USAGE

    def __init__(self, name: str, candidates: list[Actor]):
        self.name = name
        self.candidates = candidates
        super().__init__(name)

    def message(self) -> str:
        names = ", ".join(f"{a.id} ({a.name})" for a in self.candidates[:8])
        return f"{safe(self.name)!r} could mean several actors: {names}; use an id"


class UnknownIds(ResolveError):
    """No record has these ids; ``known`` are the ids there are, to suggest the nearest from."""

    exit_code = EXIT_NOTHING

    def __init__(self, ids: Sequence[str], known: Sequence[str]):
        self.ids, self.known = list(ids), known
        super().__init__(", ".join(ids))

    def message(self) -> str:
        from kurskcli.searcher import did_you_mean

        return "; ".join(f"no record with id {safe(rid)!r}{did_you_mean(self.known, rid)}" for rid in self.ids)


def name_keys(actor: Actor) -> list[str]:
    """Every folded form an actor can be looked up by: id, name, aliases."""
    keys = [fold(actor.id), fold(actor.id.replace("-", " ")), fold(actor.name)]
    keys.extend(fold(a) for a in actor.aliases)
    return list(dict.fromkeys(k for k in keys if k))


def resolve_actor(dataset: Dataset, name: str) -> Actor:
    """Find the one actor ``name`` means: exact id or alias first, then a clearly best fuzzy match."""
    key = fold(name)
    if not key:
        raise UnknownName(name, [])
    exact = [a for a in dataset.actors.values() if key in name_keys(a)]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        id_match = [a for a in exact if fold(a.id) == key]
        if len(id_match) == 1:
            return id_match[0]
        raise AmbiguousName(name, sorted(exact, key=lambda a: a.id))
    ranked = rank_names(dataset.actors.values(), key)
    close = [(s, a) for s, a in ranked if s >= NAME_CUTOFF]
    if not close:
        raise UnknownName(name, [a for s, a in ranked[:3] if s >= 60])
    best_score = close[0][0]
    rivals = [a for s, a in close if s >= best_score - NAME_MARGIN]
    if len(rivals) == 1:
        return rivals[0]
    raise AmbiguousName(name, rivals)


def rank_names(actors: Iterable[Actor], key: str) -> list[tuple[float, Actor]]:
    """Actors by how well their best name matches the folded ``key``, best first, ties by id."""
    from rapidfuzz import fuzz

    scored = []
    for actor in actors:
        best = 0.0
        for cand in name_keys(actor):
            score = fuzz.ratio(key, cand)
            # a typed surname or first word of a longer name ("gerasimv" for "valery gerasimov")
            for part in cand.split():
                if len(part) >= 3:
                    score = max(score, fuzz.ratio(key, part) - 2)
                # a prefix ("zakh", "rus") counts, more the more of the word it covers
                if len(key) >= 3 and part.startswith(key):
                    score = max(score, 80 + 10 * len(key) / len(part))
            best = max(best, score)
        scored.append((best, actor))
    scored.sort(key=lambda sa: (-sa[0], sa[1].id))
    return scored


# ----------------------------------------------------------------------------- timeline

Dated = Quote | Event | Claim


def sort_key(rec: Dated) -> tuple[int, dt.date, dt.date, dt.date, str, int, str]:
    """Date order, by what is known: a record by its earliest day, or one known only by its
    end ("by 30 April", ``../2025-04-30``) by that end, where it comes before the records of
    that very day; then by latest day; undated records last.

    Records with the same range keep the order in which their source tells them (a source
    that says "later" and then "promptly" has put them in an order); then ids break ties.
    """
    d = rec.dates
    where = spans_of(rec)[0]
    if not d.known:
        return (1, dt.date.max, dt.date.max, dt.date.max, where.source, where.start, rec.id)
    known = d.earliest or d.latest or dt.date.max
    return (0, known, d.earliest or dt.date.min, d.latest or dt.date.max, where.source, where.start, rec.id)


def order_text(rec: Dated) -> str:
    """``sort_key`` as one string that sorts as the key does (SQLite's own order on text, byte
    by byte, is Python's on these strings): what the store orders its records by."""
    d = rec.dates
    where = spans_of(rec)[0]
    if not d.known:
        when = "1" + _iso(dt.date.max) * 3
    else:
        known = d.earliest or d.latest or dt.date.max
        when = "0" + _iso(known) + _iso(d.earliest or dt.date.min) + _iso(d.latest or dt.date.max)
    return f"{when}{where.source}\0{where.start:012d}\0{rec.id}"


_iso = functools.lru_cache(maxsize=4096)(dt.date.isoformat)  # a large dataset has few days, and many records on each


def _overlaps(d: DateRange, since: dt.date | None, until: dt.date | None) -> bool:
    if since is None and until is None:
        return True
    if not d.known:
        return False
    if since is not None and d.latest is not None and d.latest < since:
        return False
    return not (until is not None and d.earliest is not None and d.earliest > until)


def _within(d: DateRange, since: dt.date | None, until: dt.date | None) -> bool:
    """Whether every day ``d`` may mean lies in the window (an open or unknown end never does)."""
    if since is None and until is None:
        return True
    if since is not None and (d.earliest is None or d.earliest < since):
        return False
    return not (until is not None and (d.latest is None or d.latest > until))


def involved(rec: Dated) -> list[str]:
    """The actors a record involves: an event's actors, a quote's speaker and who relayed it, a
    claim's claimant, those who dispute it and those it mentions (see claim_role)."""
    if isinstance(rec, Event):
        return list(rec.actors)
    if isinstance(rec, Quote):
        return [a for a in (rec.speaker, rec.via) if a]
    return [a for a in (rec.claimant, *rec.disputed_by, *rec.actors) if a]


def involves(rec: Dated, actor_id: str) -> bool:
    return actor_id in involved(rec)


def claim_role(claim: Claim, actor_id: str) -> str | None:
    """How an actor figures in a claim: "made", "disputed", "mentioned", or None (not at all).

    One role each, in that order: an author who makes a claim and also names himself in it
    made it; someone who disputes a claim that mentions them disputed it.
    """
    if claim.claimant == actor_id:
        return "made"
    if actor_id in claim.disputed_by:
        return "disputed"
    if actor_id in claim.actors:
        return "mentioned"
    return None


def timeline(
    dataset: Dataset,
    *,
    actor: str | None = None,
    actors: Iterable[str] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    quotes: bool = False,
    claims: bool = False,
    strict: bool = False,
) -> list[Event | Quote | Claim]:
    """Events (and quotes, and claims, if asked) in date order: those involving ``actor`` or any of
    ``actors`` (ids), and whose dates may overlap ``since`` .. ``until`` (with ``strict``, lie
    certainly inside it)."""
    items = in_date_order(dataset, ["event", *(["quote"] if quotes else []), *(["claim"] if claims else [])])
    return list(timeline_of(items, actor=actor, actors=actors, since=since, until=until, strict=strict))


def in_date_order(dataset: Dataset, kinds: Iterable[str]) -> list[Dated]:
    """The records of ``kinds`` (quote, claim, event) in date order (``sort_key``)."""
    return sorted((rec for kind in kinds for rec in getattr(dataset, kind + "s").values()), key=sort_key)


def timeline_of(
    in_order: Iterable[Dated],
    *,
    actor: str | None = None,
    actors: Iterable[str] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    strict: bool = False,
) -> Iterator[Dated]:
    """What ``timeline`` keeps of records already in date order, as they come."""
    in_window = _within if strict else _overlaps
    wanted = {*(actors or ()), *((actor,) if actor else ())}
    for rec in in_order:
        if (not wanted or any(involves(rec, a) for a in wanted)) and in_window(rec.dates, since, until):
            yield rec


def claims_of(
    in_order: Iterable[Claim], *, claimant: str | None = None, disputed: bool = False, kind: str | None = None
) -> Iterator[Claim]:
    """Of claims already in date order, as they come: all, or those made by ``claimant``, only
    disputed ones, or those of one ``kind``."""
    for c in in_order:
        made = claimant is None or c.claimant == claimant
        if made and (not disputed or c.status == "disputed") and (kind is None or c.kind == kind):
            yield c


def members_of(dataset: Dataset, actor_id: str) -> set[str]:
    """The actor and every actor affiliated with it, directly or through others: a state's
    ministries, their officials, a party's commissions."""
    below: dict[str, list[str]] = {}
    for actor in dataset.actors.values():
        if actor.affiliation:
            below.setdefault(actor.affiliation, []).append(actor.id)
    found = {actor_id}
    todo = [actor_id]
    while todo:
        for member in below.get(todo.pop(), []):
            if member not in found:
                found.add(member)
                todo.append(member)
    return found


def quotes_by(dataset: Dataset, actor_id: str, *, members: bool = False) -> list[Quote]:
    """Quotes by one speaker and those the actor relayed (``via``), in date order. With
    ``members``, also the quotes of every actor affiliated with it, and those they relayed."""
    who = members_of(dataset, actor_id) if members else {actor_id}
    out = [q for q in dataset.quotes.values() if q.speaker in who or q.via in who]
    return sorted(out, key=lambda q: grouped_key(dataset, q))


def grouped(in_order: Iterable[Record], dataset: Dataset) -> Iterator[Quote]:
    """Quotes already in date order (``sort_key``), as they come, in ``grouped_key``'s order:
    each utterance's other renderings right after the quote they render, which ``dataset``
    holds (a rendering is never rendered in turn)."""
    renderings: dict[str, list[Quote]] = {}
    for q in dataset.quotes.values():
        if q.renders:
            renderings.setdefault(q.renders, []).append(q)
    for rec in in_order:
        if isinstance(rec, Quote) and not rec.renders:
            yield rec
            yield from sorted(renderings.get(rec.id, ()), key=sort_key)


def grouped_key(dataset: Dataset, q: Quote) -> tuple[Any, ...]:
    """Date order, with each utterance's other renderings right after the quote they render."""
    root = dataset.quotes.get(q.renders) if q.renders else None
    return (*sort_key(root or q), q.renders is not None, *sort_key(q))


# ----------------------------------------------------------------------------- source passages


class Passage(NamedTuple):
    """A record's words in its source, with what comes before and after, white space folded."""

    source: str
    start: int
    end: int
    before: str
    text: str
    after: str


def passages(dataset: Dataset, rec: Record, width: int = 240) -> list[Passage]:
    """Each span of ``rec`` in its source, with up to ``width`` characters either side ("…" where cut)."""
    out = []
    for sp in spans_of(rec):
        length = dataset.text_length(sp.source)
        lo, hi = max(0, sp.start - width), min(length, sp.end + width)
        cuts = ((lo, sp.start), (sp.start, sp.end), (sp.end, hi))
        head, body, tail = (dataset.excerpt(sp.source, a, b) for a, b in cuts)
        before = ("…" if lo > 0 else "") + " ".join(head.split()) + (" " if head[-1:].isspace() else "")
        inner = " ".join(body.split())
        after = (" " if tail[:1].isspace() else "") + " ".join(tail.split()) + ("…" if hi < length else "")
        out.append(Passage(sp.source, sp.start, sp.end, before, inner, after))
    return out


class Mark(NamedTuple):
    """A record's span in a source's text."""

    start: int
    end: int
    record: Record


def marks(dataset: Dataset, source_id: str) -> list[Mark]:
    """Every quote, claim and event span in one source, in reading order (outer spans first)."""
    records: list[Quote | Claim | Event] = [*dataset.quotes.values(), *dataset.claims.values()]
    records += dataset.events.values()
    out = [Mark(sp.start, sp.end, rec) for rec in records for sp in spans_of(rec) if sp.source == source_id]
    return sorted(out, key=lambda m: (m.start, -m.end, m.record.id))


def mark_edges(found: Sequence[Mark]) -> list[tuple[int, bool, Mark]]:
    """Where each mark opens and closes, (position, opens, mark), in reading order: at one place,
    what ends closes before what begins, inner spans close before outer ones and open after them."""
    edges = [(m.start, True, m) for m in found] + [(m.end, False, m) for m in found]
    return sorted(edges, key=lambda e: (e[0], e[1], -e[2].end if e[1] else -e[2].start))


def marked_text(text: str, found: Sequence[Mark]) -> str:
    """``text`` with ``[[id]]`` before and ``[[/id]]`` after each mark. Every ``[`` of the text
    that another ``[`` follows is written ``[\\``, so that the only ``[[`` are real marks."""
    parts, last = [], 0
    for pos, opens, m in mark_edges(found):
        parts += [_unmarked(text[last:pos]), f"[[{m.record.id}]]" if opens else f"[[/{m.record.id}]]"]
        last = pos
    parts.append(_unmarked(text[last:]))
    return "".join(parts)


def _unmarked(text: str) -> str:
    return _BRACKET_PAIR.sub(r"[\\", text) if "[[" in text else text


_BRACKET_PAIR = re.compile(r"\[(?=\[)")


# ----------------------------------------------------------------------------- renderings

_GROUPS: dict[int, tuple[Dataset, dict[str, list[Quote]]]] = {}


def rendering_groups(dataset: Dataset) -> dict[str, list[Quote]]:
    """Quote id -> every rendering of the same utterance, itself included: the rendered one first,
    then the others in date order. A quote with no other rendering is not a key (its group is
    itself alone). Computed once per dataset."""
    cached = _GROUPS.get(id(dataset))
    if cached is None or cached[0] is not dataset:
        others: dict[str, list[Quote]] = {}
        for q in dataset.quotes.values():
            if q.renders is not None:
                others.setdefault(q.renders, []).append(q)
        groups: dict[str, list[Quote]] = {}
        for rendered, later in others.items():
            head = dataset.quotes.get(rendered)  # absent only from a part of the data read from the store
            group = ([head] if head else []) + sorted(later, key=sort_key)
            for q in group:
                groups[q.id] = group
        cached = (dataset, groups)
        _GROUPS[id(dataset)] = cached
    return cached[1]


def renderings(dataset: Dataset, quote: Quote) -> list[Quote]:
    """The other renderings of the utterance ``quote`` is one rendering of."""
    return [q for q in rendering_groups(dataset).get(quote.id, [quote]) if q.id != quote.id]


def language_of(dataset: Dataset, quote: Quote) -> str | None:
    src = dataset.sources.get(quote.span.source)
    return src.language if src else None


def same_words(dataset: Dataset, a: Quote, b: Quote) -> bool:
    """Whether two renderings are in one language and the same words (typography and case aside)."""
    from kurskcli.text import words

    return language_of(dataset, a) == language_of(dataset, b) and words(a.text) == words(b.text)


def rendering_summary(dataset: Dataset, quote: Quote) -> tuple[list[Quote], bool]:
    """The other renderings of ``quote``, and whether any of them differs from it."""
    others = renderings(dataset, quote)
    return others, any(not same_words(dataset, quote, o) for o in others)


class Comparison(NamedTuple):
    """One other rendering of a quote, and how it differs from it."""

    quote: Quote
    source: Source | None
    same_language: bool
    changes: tuple[Change, ...]  # word differences, for renderings in one language
    note: str | None  # the rendering's own note on its link, whichever side it is on
    covers: tuple[int, ...] = ()  # the quote's sentences (from 0) a rendering in its language covers
    sentences: int = 0  # how many the quote has; 0 where the languages differ

    def coverage(self) -> str | None:
        """What part of the quote a rendering in its language covers, in words ("the first
        sentence"); None where it covers the whole, or the languages differ."""
        return coverage_words(self.covers, self.sentences)


def compare_renderings(dataset: Dataset, quote: Quote) -> list[Comparison]:
    """Every other rendering of ``quote``'s utterance beside it: word differences where the
    language is the same, the dataset's note where it is not. Nothing is ruled on."""
    from kurskcli.text import align_words, sentences

    out = []
    for other in renderings(dataset, quote):
        same = language_of(dataset, other) == language_of(dataset, quote)
        changes: tuple[Any, ...] = ()
        covers: tuple[int, ...] = ()
        count = 0
        if same and not same_words(dataset, quote, other):
            found, covered, count = align_words(other.text, quote.text)
            changes, covers = tuple(found), tuple(covered)
        elif same:
            count = len(sentences(quote.text)) or 1
            covers = tuple(range(count))
        # a note describes a rendering against the quote it renders: for the rendered one, it is ours
        note = other.note if other.renders is not None else quote.note
        out.append(Comparison(other, dataset.sources.get(other.span.source), same, changes, note, covers, count))
    return out


def related_statements(dataset: Dataset, quote: Quote) -> list[Comparison]:
    """The other statements of the speaker's that ``quote`` is linked with by ``related`` (either
    way): in other words, so beside it but never compared word by word."""
    linked = [dataset.quotes.get(quote.related)] if quote.related else []
    linked += [q for q in dataset.quotes.values() if q.related == quote.id]
    return [Comparison(q, dataset.sources.get(q.span.source), False, (), None) for q in linked if q is not None]


def coverage_words(covers: Sequence[int], total: int) -> str | None:
    """``covers`` (sentences of ``total``, from 0) in words, where it is not all of them:
    "the first sentence", "the last two sentences", "sentences 1 and 3 of 4", "no sentence"."""
    if (total <= 1 and covers) or set(covers) >= set(range(total)):
        return None
    if not covers:
        return "no sentence"
    counts = {1: "", 2: "two ", 3: "three ", 4: "four "}
    n = len(covers)
    plural = "s" if n > 1 else ""
    if n in counts and list(covers) == list(range(n)):
        return f"the first {counts[n]}sentence{plural}"
    if n in counts and list(covers) == list(range(total - n, total)):
        return f"the last {counts[n]}sentence{plural}"
    numbers = [str(i + 1) for i in covers]
    listed = numbers[0] if n == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]
    return f"sentence{plural} {listed} of {total}"


def earliest_rendering(dataset: Dataset, quote: Quote) -> Quote:
    """The rendering of ``quote``'s utterance whose source was published first (ties: the quote itself, then id)."""
    group = rendering_groups(dataset).get(quote.id, [quote])

    def published(q: Quote) -> tuple[dt.date, bool, str]:
        src = dataset.sources.get(q.span.source)
        day = src.dates.earliest if src and src.dates.earliest else dt.date.max
        return (day, q.id != quote.id, q.id)

    return min(group, key=published)


def own_channel_rendering(dataset: Dataset, quote: Quote) -> Quote | None:
    """The rendering printed by the speaker's own channel, if the dataset stores one; of several,
    the first in the quote's language."""
    own = [
        q
        for q in rendering_groups(dataset).get(quote.id, [quote])
        if (src := dataset.sources.get(q.span.source)) is not None and src.channel == "speaker"
    ]
    mine = language_of(dataset, quote)
    return min(own, key=lambda q: language_of(dataset, q) != mine, default=None)


def pick_random(quotes: Iterable[Quote], count: int, seed: int | None = None) -> list[Quote]:
    """One of the ``count`` quotes, read only as far as it: the one ``random.choice`` picks
    from them as a list, with the same seed."""
    if not count:
        return []
    import random  # only --random needs it

    picked = next(islice(quotes, random.Random(seed).randrange(count), None), None)
    return [picked] if picked is not None else []


class ActorSummary(NamedTuple):
    actor: Actor
    affiliation: Actor | None
    quotes: list[Quote]  # spoken by the actor
    relayed: list[Quote]  # spoken by others, published or relayed by the actor
    claims: list[Claim]  # made by the actor
    disputed: list[Claim]  # made by others (or unattributed), disputed by the actor
    mentioned: list[Claim]  # that mention the actor
    events: list[Event]
    members: list[Actor]
    first: dt.date | None
    last: dt.date | None
    sources: tuple[str, ...] = ()  # ids of the sources that print the actor's quotes (spoken or relayed)

    def sections(self) -> list[tuple[str, list[Quote] | list[Claim] | list[Event]]]:
        """The actor's records, list by list in display order, each under its plain-output label."""
        return [
            ("quote", self.quotes),
            ("relayed", self.relayed),
            ("claim", self.claims),
            ("disputed", self.disputed),
            ("mentioned", self.mentioned),
            ("event", self.events),
        ]


def summarize_actor(dataset: Dataset, actor: Actor) -> ActorSummary:
    """Everything the dataset holds about one actor, with the first and last dated appearance."""
    quotes = quotes_by(dataset, actor.id)
    claims: dict[str, list[Claim]] = {"made": [], "disputed": [], "mentioned": []}
    for claim in sorted(dataset.claims.values(), key=sort_key):
        role = claim_role(claim, actor.id)
        if role is not None:
            claims[role].append(claim)
    e = sorted((r for r in dataset.events.values() if actor.id in r.actors), key=sort_key)
    dated: list[Dated] = [*quotes, *claims["made"], *claims["disputed"], *claims["mentioned"], *e]
    days = [d for rec in dated for d in (rec.dates.earliest, rec.dates.latest) if d]
    members = sorted((a for a in dataset.actors.values() if a.affiliation == actor.id), key=lambda a: a.id)
    return ActorSummary(
        actor=actor,
        affiliation=dataset.actors.get(actor.affiliation) if actor.affiliation else None,
        quotes=[q for q in quotes if q.speaker == actor.id],
        relayed=[q for q in quotes if q.speaker != actor.id],
        claims=claims["made"],
        disputed=claims["disputed"],
        mentioned=claims["mentioned"],
        events=e,
        members=members,
        first=min(days) if days else None,
        last=max(days) if days else None,
        sources=tuple(sorted({q.span.source for q in quotes})),
    )


COUNTS = ("quotes", "relayed", "claims", "disputed", "mentioned", "events")


def actor_counts(dataset: Dataset) -> dict[str, dict[str, int]]:
    """Per actor id: quotes spoken and relayed; claims made, disputed and mentioning it; events."""
    counts = {aid: dict.fromkeys(COUNTS, 0) for aid in dataset.actors}
    for records in (dataset.quotes, dataset.claims, dataset.events):
        for rec in records.values():
            count_record(counts, rec)
    return counts


_CLAIM_COUNTS = {"made": "claims", "disputed": "disputed", "mentioned": "mentioned"}


def count_record(counts: dict[str, dict[str, int]], rec: Record) -> None:
    """Add to ``counts`` (see ``actor_counts``) what ``rec`` counts for each actor it names."""
    if isinstance(rec, Quote):
        counts.setdefault(rec.speaker, dict.fromkeys(COUNTS, 0))["quotes"] += 1
        if rec.via is not None and rec.via != rec.speaker:
            counts.setdefault(rec.via, dict.fromkeys(COUNTS, 0))["relayed"] += 1
    elif isinstance(rec, Claim):
        for who in set(involved(rec)):
            role = claim_role(rec, who)
            if role is not None:
                counts.setdefault(who, dict.fromkeys(COUNTS, 0))[_CLAIM_COUNTS[role]] += 1
    elif isinstance(rec, Event):
        for who in set(rec.actors):
            counts.setdefault(who, dict.fromkeys(COUNTS, 0))["events"] += 1
