"""Whole-dataset exports: CSV, JSON, JSON Lines, Markdown, SQLite and W3C Web Annotations."""

from __future__ import annotations

import errno
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from kurskcli import output
from kurskcli.dates import human_date
from kurskcli.model import Actor, Claim, Dataset, Event, Quote, Record, Source
from kurskcli.output import record_dict
from kurskcli.vocab import EXPORT_FORMATS

FORMATS = EXPORT_FORMATS
SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".md": "markdown"}
SUFFIXES.update({".sqlite": "sqlite", ".sqlite3": "sqlite", ".db": "sqlite", ".markdown": "markdown"})
SUFFIXES[".jsonld"] = "annotations"  # W3C Web Annotations, JSON-LD


def format_for(path: str) -> str | None:
    """The format a file name asks for by its suffix, if any."""
    return SUFFIXES.get(Path(path).suffix.lower())


# ----------------------------------------------------------------------------- JSON, JSON Lines


def write_json(records: Iterable[Record], ds: Dataset, out: IO[str]) -> None:
    output.write_json_list((record_dict(r, ds) for r in records), out)


def write_jsonl(records: Iterable[Record], ds: Dataset, out: IO[str]) -> None:
    """A JSON Lines dataset: a line describing it, then one record a line in the dataset format
    (source texts inline), so that the file loads with ``--data`` as it is."""
    for obj in dataset_lines(records, ds):
        out.write(json.dumps(obj, ensure_ascii=False))
        out.write("\n")


def dataset_lines(records: Iterable[Record], ds: Dataset) -> Iterable[dict[str, Any]]:
    from kurskcli.dataset import SCHEMA_VERSION

    infos = ds.infos
    described = ", ".join(f"{i.id} {i.version}" for i in infos) or "no dataset"
    head = {
        "type": "dataset",
        "schema_version": SCHEMA_VERSION,
        "id": infos[0].id if len(infos) == 1 else ".".join(i.id for i in infos)[:120] or "export",
        "version": infos[0].version if len(infos) == 1 else "1",
        "title": infos[0].title if len(infos) == 1 else f"Export of {described}",
        "description": infos[0].description if len(infos) == 1 else f"Records merged from {described}.",
        "license": infos[0].license if len(infos) == 1 else None,
    }
    yield {k: v for k, v in head.items() if v}
    for rec in records:
        if isinstance(rec, Source):  # its text, which a store keeps apart
            rec = rec._replace(text="".join(ds.pieces(rec.id)))
        yield {"type": rec.type, **dataset_fields(rec)}


def _dated(rec: Quote | Claim | Event | Source) -> dict[str, Any]:
    return {"date": rec.date} if rec.date is not None else {}


def _span_obj(span: Any) -> dict[str, Any]:
    return {"id": span.source, "start": span.start, "end": span.end}


def dataset_fields(rec: Record) -> dict[str, Any]:
    """A record's fields as a dataset file writes them (docs/dataset: the loader's input)."""
    if isinstance(rec, Source):
        out: dict[str, Any] = {"id": rec.id, "title": rec.title, "author": rec.author, **_dated(rec)}
        for name in ("author_actor", "publisher", "language", "url", "channel", "note", "sha256"):
            if getattr(rec, name) is not None:
                out[name] = getattr(rec, name)
        return {**out, "stored": rec.stored, "text": rec.text}
    if isinstance(rec, Actor):
        out = {"id": rec.id, "name": rec.name, "kind": rec.kind, "aliases": list(rec.aliases)}
        return out | {k: v for k, v in (("role", rec.role), ("affiliation", rec.affiliation)) if v is not None}
    if isinstance(rec, Quote):
        out = {"id": rec.id, "speaker": rec.speaker, **_dated(rec), "text": rec.text, "kind": rec.kind}
        for name in ("via", "context", "language", "renders", "note", "related"):
            if getattr(rec, name):
                out[name] = getattr(rec, name)
        return {**out, "source": _span_obj(rec.span)}
    if isinstance(rec, Claim):
        out = {"id": rec.id, "claimant": rec.claimant, "kind": rec.kind, **_dated(rec), "text": rec.text}
        out |= {"verbatim": rec.verbatim, "status": rec.status, "disputed_by": list(rec.disputed_by)}
        out |= {"actors": list(rec.actors)} | ({"context": rec.context} if rec.context else {})
        out |= {"outcomes": list(rec.outcomes)} if rec.outcomes else {}
        return {**out, "source": _span_obj(rec.span)}
    assert isinstance(rec, Event)
    out = {"id": rec.id, "title": rec.title, **_dated(rec), "summary": rec.summary, "actors": list(rec.actors)}
    out["sources"] = [_span_obj(s) for s in rec.spans]
    if rec.dated_by:
        out["dated_by"] = [{"date": w.date, "source": _span_obj(w.span)} for w in rec.dated_by]
    if rec.outcomes:
        out["outcomes"] = list(rec.outcomes)
    return out


# ----------------------------------------------------------------------------- CSV

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula (OWASP): prefix a quote mark."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _flat(obj: dict[str, Any]) -> dict[str, str]:
    row: dict[str, str] = {}
    for key, value in obj.items():
        if key == "source" and isinstance(value, dict):
            row["source_id"], row["source_start"], row["source_end"] = (
                value["id"],
                str(value["start"]),
                str(value["end"]),
            )
        elif key == "sources" and isinstance(value, list):
            row["source_spans"] = "; ".join(f"{s['id']}:{s['start']}-{s['end']}" for s in value)
        elif isinstance(value, list):
            row[key] = "; ".join(str(v) for v in value)
        elif isinstance(value, bool):
            row[key] = "true" if value else "false"
        elif value is None:
            row[key] = ""
        else:
            row[key] = str(value)
    return {key: neutralize(cell) for key, cell in row.items()}  # list cells too: "=x; y" is a formula


def write_csv(records: Iterable[Record], ds: Dataset, out: IO[str]) -> None:
    """One table with a ``type`` column; its columns are those the chosen record types have.
    ``records`` is read twice, for the columns and then for the rows, so that no row is held."""
    import csv

    header: dict[str, None] = {"type": None, "id": None}
    for rec in records:
        header.update(dict.fromkeys(_flat(_csv_fields(rec, ds))))
    writer = csv.DictWriter(out, fieldnames=list(header), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(_flat(_csv_fields(rec, ds)) for rec in records)


def _csv_fields(rec: Record, ds: Dataset) -> dict[str, Any]:
    """``record_dict``, but a quote's ``language`` is a code, as a source's is in the same
    column, and the dataset's note on it goes to ``language_note`` beside it (as in SQLite)."""
    obj = record_dict(rec, ds)
    if not isinstance(rec, Quote):
        return obj
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if key == "language":
            out["language"], out["language_note"] = _language_code(ds, rec), value
        else:
            out[key] = value
    return out


# ----------------------------------------------------------------------------- Markdown

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#"})


def md(text: str) -> str:
    """Text that Markdown shows as it is: no emphasis, links, HTML or tables from the data."""
    from kurskcli.text import safe

    return safe(" ".join(text.split())).translate(_MD_SPECIAL)


def _when(date: str | None) -> str:
    return human_date(date) if date else "undated"


def write_markdown(records: Iterable[Record], ds: Dataset, out: IO[str]) -> None:
    def name(actor_id: str | None) -> str:
        if actor_id is None:
            return "unattributed"
        actor = ds.actors.get(actor_id)
        return md(actor.name if actor else actor_id)

    titles = "; ".join(md(i.title) for i in ds.infos) or "kurskcli export"
    out.write(f"# {titles}\n")
    sections = {"source": "Sources", "actor": "Actors", "quote": "Quotes", "claim": "Claims", "event": "Events"}
    current = ""
    for rec in records:
        if rec.type != current:
            current = rec.type
            out.write(f"\n## {sections[current]}\n\n")
        if isinstance(rec, Quote):
            via = f", via {name(rec.via)}" if rec.via else ""
            out.write(f"> {md(rec.text)}\n>\n> — **{name(rec.speaker)}**, {_when(rec.date)}{via} (`{rec.id}`)\n\n")
        elif isinstance(rec, Claim):
            text = f"“{md(rec.text)}”" if rec.verbatim else md(rec.text)
            status = f", {rec.status}" if rec.status else ""
            disputed = f"; disputed by {', '.join(name(a) for a in rec.disputed_by)}" if rec.disputed_by else ""
            out.write(
                f"- **{name(rec.claimant)}** ({rec.kind}{status}, {_when(rec.date)}{disputed}): {text} (`{rec.id}`)\n"
            )
        elif isinstance(rec, Event):
            summary = f" {md(rec.summary)}" if rec.summary else ""
            out.write(f"- **{_when(rec.date)}**: {md(rec.title)}.{summary} (`{rec.id}`)\n")
        elif isinstance(rec, Actor):
            role = f"; {md(rec.role)}" if rec.role else ""
            aliases = f"; also {', '.join(md(a) for a in rec.aliases)}" if rec.aliases else ""
            out.write(f"- **{md(rec.name)}** ({rec.kind}{role}{aliases}) (`{rec.id}`)\n")
        elif isinstance(rec, Source):
            publisher = f", {md(rec.publisher)}" if rec.publisher else ""
            out.write(f"- {md(rec.author)}, “{md(rec.title)}”{publisher}, {_when(rec.date)} (`{rec.id}`)\n")


# ----------------------------------------------------------------------------- SQLite


def write_sqlite(records: Iterable[Record], ds: Dataset, path: Path) -> None:
    """A database of the dataset's tables (``tables``, the store's views), with keys and foreign
    keys, and an FTS5 index ``search`` over quotes and claims: a store of ``records`` is written
    beside ``path``, as they are read, and its tables copied. Sources and actors are always
    included, and the events a claim or event names as outcomes, since the other tables refer
    to them."""
    import sqlite3

    from kurskcli.index import write_records

    def stored() -> Iterator[Record]:
        given: set[str] = set()  # the events written
        named: set[str] = set()  # and those named as outcomes
        for rec in records:
            if isinstance(rec, Quote):
                yield rec
            elif isinstance(rec, (Claim, Event)):
                yield rec
                if isinstance(rec, Event):
                    given.add(rec.id)
                named.update(rec.outcomes)
        more: dict[str, Event] = {}
        todo = list(named - given)
        while todo:  # an event named may name others
            eid = todo.pop()
            if eid in ds.events and eid not in given and eid not in more:
                more[eid] = ds.events[eid]
                todo.extend(more[eid].outcomes)
        yield from sorted(more.values(), key=lambda e: e.id)
        yield from sorted(ds.actors.values(), key=lambda a: a.id)

    store = path.with_name(path.name + ".store")  # in the export's private folder, removed with it
    try:
        write_records(ds, stored(), store, words=False)
        _copy_tables(sqlite3.connect(path), store)
    except sqlite3.Error as exc:  # a full disk, a file size limit: the file cannot be written
        raise OSError(errno.EIO, f"SQLite: {exc}") from None
    finally:
        store.unlink(missing_ok=True)


def _copy_tables(con: Any, store: Path) -> None:
    from kurskcli.tables import EXPORT_EXTRAS, TABLES, tables

    try:
        con.execute("PRAGMA foreign_keys = ON")
        con.execute("ATTACH DATABASE ? AS store", (str(store),))
        # without it the views read the rows in the order written, each kind's in id order
        # (``selected``), where the index would have them in date order, or sorted at some cost
        con.execute("DROP INDEX store.records_when")
        for statement in tables():
            con.execute(statement)
        with con:
            con.execute("PRAGMA defer_foreign_keys = ON")  # actors may name an affiliation defined later
            for name in TABLES:
                con.execute(f"INSERT INTO main.{name} SELECT * FROM store.{name}")
            for statement in EXPORT_EXTRAS:
                con.execute(statement)
        problems = con.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise ValueError(f"the export broke its own foreign keys: {problems[:3]}")
        con.execute("DETACH DATABASE store")
    finally:
        con.close()


def _language_code(ds: Dataset, quote: Quote) -> str | None:
    source = ds.sources.get(quote.span.source)
    return source.language if source else None
