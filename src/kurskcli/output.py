"""Machine output: record objects for JSON and JSON Lines, and tab-separated plain lines."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import IO, TYPE_CHECKING, Any

from kurskcli.dates import iso
from kurskcli.model import Actor, Claim, Dataset, Event, Quote, Record, Source, Span
from kurskcli.text import safe

if TYPE_CHECKING:
    from kurskcli.check import CheckResult
    from kurskcli.query import ActorSummary, Comparison
    from kurskcli.searcher import Hit


def _span(span: Span) -> dict[str, Any]:
    return {"id": span.source, "start": span.start, "end": span.end}


def _dated(rec: Quote | Claim | Event) -> dict[str, Any]:
    return {
        "date": rec.date,
        "date_earliest": iso(rec.dates.earliest),
        "date_latest": iso(rec.dates.latest),
    }


def record_dict(rec: Record, ds: Dataset) -> dict[str, Any]:
    """The JSON object of one record (the shape is documented in docs/json.md)."""
    if isinstance(rec, Quote):
        return {
            "id": rec.id,
            "type": "quote",
            **_dated(rec),
            "speaker": rec.speaker,
            "speaker_name": ds.name_of(rec.speaker),
            "text": rec.text,
            "kind": rec.kind,
            "via": rec.via,
            "via_name": ds.name_of(rec.via),
            "context": rec.context,
            "language": rec.language,
            "source": _span(rec.span),
            **_rendering_fields(rec, ds),
        }
    if isinstance(rec, Claim):
        return {
            "id": rec.id,
            "type": "claim",
            **_dated(rec),
            "claimant": rec.claimant,
            "claimant_name": ds.name_of(rec.claimant),
            "kind": rec.kind,
            "text": rec.text,
            "verbatim": rec.verbatim,
            "status": rec.status,
            "disputed_by": list(rec.disputed_by),
            "actors": list(rec.actors),
            "context": rec.context,
            "source": _span(rec.span),
            "outcomes": list(rec.outcomes),
        }
    if isinstance(rec, Event):
        return {
            "id": rec.id,
            "type": "event",
            **_dated(rec),
            "title": rec.title,
            "summary": rec.summary,
            "actors": list(rec.actors),
            "sources": [_span(s) for s in rec.spans],
            "dated_by": [
                {
                    "date": w.date,
                    "date_earliest": iso(w.dates.earliest),
                    "date_latest": iso(w.dates.latest),
                    "source": _span(w.span),
                }
                for w in rec.dated_by
            ],
            "outcomes": list(rec.outcomes),
        }
    if isinstance(rec, Actor):
        return {
            "id": rec.id,
            "type": "actor",
            "name": rec.name,
            "kind": rec.kind,
            "role": rec.role,
            "affiliation": rec.affiliation,
            "aliases": list(rec.aliases),
        }
    return source_dict(rec, ds)


def source_dict(src: Source, ds: Dataset) -> dict[str, Any]:
    return {
        "id": src.id,
        "type": "source",
        "title": src.title,
        "author": src.author,
        "author_actor": src.author_actor,
        "date": src.date,
        "date_earliest": iso(src.dates.earliest),
        "date_latest": iso(src.dates.latest),
        "publisher": src.publisher,
        "language": src.language,
        "url": src.url,
        "sha256": src.sha256,
        "length": ds.text_length(src.id),
        "stored": src.stored,
        "channel": src.channel,
        "note": src.note,
    }


def _rendering_fields(q: Quote, ds: Dataset) -> dict[str, Any]:
    from kurskcli.query import rendering_summary

    others, differ = rendering_summary(ds, q)
    return {
        "renders": q.renders,
        "note": q.note,
        "renderings": [o.id for o in others],
        "renderings_differ": differ,
        "related": q.related,
    }


def renderings_note(q: Quote, ds: Dataset) -> str | None:
    """'3 other renderings, which differ', or None when there is no other rendering."""
    from kurskcli.query import rendering_summary

    others, differ = rendering_summary(ds, q)
    if not others:
        return None
    if len(others) == 1:
        return "1 other rendering" + (", which differs" if differ else ", the same words")
    return f"{len(others)} other renderings" + (", which differ" if differ else ", the same words")


def disagreement(ev: Event) -> str | None:
    """'asmolov-2025-04-30: 2025-04-27' for each source whose date does not hold the event's date."""
    from kurskcli.dates import contains

    odd = [f"{w.span.source}: {w.date}" for w in ev.dated_by if not contains(w.dates, ev.dates)]
    return "; ".join(odd) or None


def hit_dict(hit: Hit, ds: Dataset) -> dict[str, Any]:
    return {
        **record_dict(hit.record, ds),
        "score": hit.score,
        "matched_field": hit.field,
        "matched_terms": sorted(hit.matched),
    }


def summary_dict(s: ActorSummary, ds: Dataset) -> dict[str, Any]:
    from kurskcli.query import COUNTS

    lists = dict(zip(COUNTS, (recs for _, recs in s.sections()), strict=True))  # quotes, relayed, claims, ...
    return {
        **record_dict(s.actor, ds),
        "affiliation_name": s.affiliation.name if s.affiliation else None,
        "first_date": iso(s.first),
        "last_date": iso(s.last),
        "counts": {name: len(recs) for name, recs in lists.items()},
        **{name: [record_dict(r, ds) for r in recs] for name, recs in lists.items()},
        "members": [m.id for m in s.members],
        "sources": list(s.sources),
    }


def comparison_dict(cmp: Comparison, ds: Dataset) -> dict[str, Any]:
    """Another rendering beside a quote: the record, its source, and the differences (for one language) or note."""
    src = cmp.source
    return {
        "quote": record_dict(cmp.quote, ds),
        "source": source_dict(src, ds) if src else None,
        "same_language": cmp.same_language,
        "differences": [{"op": RENDERING_OPS[c.op], "rendering": c.said, "quote": c.actual} for c in cmp.changes],
        "covers": {"sentences": [i + 1 for i in cmp.covers], "of": cmp.sentences} if cmp.sentences else None,
        "note": cmp.note,
    }


# A word difference between another rendering and the quote it stands beside.
RENDERING_OPS = {"changed": "changed", "added": "only_in_rendering", "omitted": "only_in_quote"}


def check_dict(r: CheckResult, ds: Dataset) -> dict[str, Any]:
    return {
        "type": "check",
        "verdict": r.verdict,
        "text": r.text,
        "score": r.score,
        "partial": r.partial,
        "quote": record_dict(r.quote, ds) if r.quote else None,
        "differences": [{"op": c.op, "said": c.said, "actual": c.actual} for c in r.changes],
        "source": r.source.id if r.source else None,
        "start": r.start,
        "end": r.end,
        "record": r.record.id if r.record else None,
        "renderings": [
            {"quote": m.quote.id, "source": m.quote.span.source, "verdict": m.verdict} for m in r.renderings
        ],
        "also_in": [q.id for q in r.also],
    }


def _encoding(out: IO[str]) -> str:
    """``out``'s encoding, lower case without dashes or underscores ("utf8")."""
    return (getattr(out, "encoding", None) or "utf-8").lower().replace("-", "").replace("_", "")


def carries_unicode(out: IO[str]) -> bool:
    """Whether ``out`` is encoded in a UTF (PYTHONIOENCODING=ascii makes it not)."""
    return _encoding(out).startswith("utf")


LONG_JSON = 1000  # a list this long is written by msgspec, which pays for its import at this length


def write_json(obj: Any, out: IO[str]) -> None:
    """``obj`` as indented JSON, in one write. The standard library's encoder works in Python
    once it indents; msgspec writes the same bytes about ten times as fast (a 100,000-quote
    list: 0.24 s against 2.6 s), so it writes long lists when the output takes UTF-8."""
    unicode = carries_unicode(out)
    if unicode and isinstance(obj, list) and len(obj) >= LONG_JSON:
        import msgspec

        data = msgspec.json.format(msgspec.json.encode(obj), indent=2)
        buffer = getattr(out, "buffer", None)
        if buffer is not None and _encoding(out) == "utf8":
            # the bytes are already UTF-8: decoding them to write them encoded again would hold
            # two more copies of the whole output (for a million quotes, 1.7 GB)
            out.flush()
            buffer.write(data)
            buffer.write(b"\n")
            buffer.flush()
            return
        text = data.decode("utf-8")
    else:
        import json  # here, not at the top: plain and terminal output do without it

        text = json.dumps(obj, ensure_ascii=not unicode, indent=2)
    out.write(text)
    out.write("\n")


def json_encoder(out: IO[str]) -> Callable[[Any], str]:
    """What writes one value as ``write_json`` writes it to ``out`` (without the line break)."""
    if carries_unicode(out):
        import msgspec

        return lambda obj: msgspec.json.format(msgspec.json.encode(obj), indent=2).decode("utf-8")
    import json

    return lambda obj: json.dumps(obj, indent=2)


def write_json_list(items: Iterable[Any], out: IO[str], *, level: int = 0) -> None:
    """``write_json`` of a list, written an item at a time: the same characters, without the
    list held (an export of a large store). At ``level`` above 0, the list is a value that deep
    in a document the caller writes around it, and no line break follows it."""
    encode = json_encoder(out)
    indent = "\n" + "  " * (level + 1)
    before = "[" + indent
    for obj in items:
        out.write(before)
        out.write(encode(obj).replace("\n", indent))  # a string in JSON holds no line break
        before = "," + indent
    out.write("[]" if before == "[" + indent else "\n" + "  " * level + "]")
    if level == 0:
        out.write("\n")


def write_jsonl(items: Iterable[Any], out: IO[str]) -> None:
    import json

    ascii_only = not carries_unicode(out)
    for item in items:
        out.write(json.dumps(item, ensure_ascii=ascii_only))
        out.write("\n")


# ----------------------------------------------------------------------------- plain


def cell(value: object) -> str:
    """A tab-separated field: never empty-looking, never with tabs, newlines or control codes."""
    if value is None or value == "":
        return "-"
    return safe(str(value))


def plain_record(rec: Record, ds: Dataset) -> list[str | None]:
    """The tab-separated fields of a record, most telling first."""
    if isinstance(rec, Quote):
        return [
            rec.id,
            rec.date,
            ds.name_of(rec.speaker),
            ds.name_of(rec.via),
            rec.kind,
            rec.span.source,
            renderings_note(rec, ds),
            rec.text,
        ]
    if isinstance(rec, Claim):
        return [rec.id, rec.date, ds.name_of(rec.claimant) or "unattributed", rec.kind, status_note(rec, ds), rec.text]
    if isinstance(rec, Event):
        return [rec.id, rec.date, rec.title, disagreement(rec)]
    if isinstance(rec, Actor):
        return [rec.id, rec.kind, rec.name, rec.role]
    return [rec.id, rec.date, rec.author, rec.title]


# The plain columns of each command (see the README). Commands that list one record type use
# that type's columns; those that mix types use ITEM_COLUMNS, the same for every type.
QUOTE_COLUMNS = ("id", "date", "speaker", "via", "kind", "source", "renderings", "text")
CLAIM_COLUMNS = ("id", "date", "claimant", "kind", "status", "text")
ACTOR_COLUMNS = ("id", "kind", "name", "role")
ITEM_COLUMNS = ("id", "date", "type", "who", "text", "note")


def plain_item(rec: Record, ds: Dataset) -> list[str | None]:
    """A record of any type in ITEM_COLUMNS: who speaks, claims, acts or wrote it, its words or
    title, and what qualifies it (via whom, kind and status, renderings, dates in dispute)."""
    if isinstance(rec, Quote):
        via = f"via {ds.name_of(rec.via)}" if rec.via else None
        note = "; ".join(n for n in (rec.kind, via, renderings_note(rec, ds)) if n)
        return [rec.id, rec.date, rec.type, ds.name_of(rec.speaker), rec.text, note]
    if isinstance(rec, Claim):
        note = "; ".join(n for n in (rec.kind, status_note(rec, ds)) if n)
        return [rec.id, rec.date, rec.type, ds.name_of(rec.claimant) or "unattributed", rec.text, note]
    if isinstance(rec, Event):
        actors = join_names([ds.name_of(a) or a for a in rec.actors]) if rec.actors else None
        return [rec.id, rec.date, rec.type, actors, rec.title, disagreement(rec)]
    if isinstance(rec, Actor):
        return [rec.id, None, rec.type, rec.kind, rec.name, rec.role]
    return [rec.id, rec.date, rec.type, rec.author, rec.title, rec.publisher]


def status_note(claim: Claim, ds: Dataset) -> str | None:
    """A claim's status in words: "disputed by A and B", "unconfirmed", or None."""
    if claim.status is None:
        return None
    if claim.disputed_by:
        return f"{claim.status} by {join_names([ds.name_of(who) or who for who in claim.disputed_by])}"
    return claim.status


def join_names(names: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def plain_line(fields: Iterable[object]) -> str:
    return "\t".join(cell(f) for f in fields)
