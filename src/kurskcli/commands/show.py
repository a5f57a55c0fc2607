"""``kurskcli show``: records in full: their source passages and, for a quote, its other renderings."""

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kurskcli.cli import with_shared_options
from kurskcli.inputs import DataSource
from kurskcli.present import Output

if TYPE_CHECKING:
    from rich.console import Console

    from kurskcli.model import Dataset, Record


@with_shared_options()
def show(
    ids: Annotated[
        list[str], typer.Argument(metavar="ID...", help="Record ids (see the ID column of other commands).")
    ],
    *,
    out: Output,
    inputs: DataSource,
) -> None:
    """Show records in full, with their provenance and the source passage around them.

    With one id, --json prints one object; with several, an array of them.

    \b
    Examples:
      kurskcli show q-putin-tribute
      kurskcli show q-koo-sky q-koo-sky-ko
      kurskcli show c-contingent-size --json | jq '.passages[0].text'
    """
    recs, ds = inputs.lookup([i.strip() for i in ids])
    shown = [_shown(rec, ds) for rec in recs]
    if len(shown) == 1:
        out.emit_one(*shown[0])
    elif out.mode in ("json", "jsonl"):
        out.emit_list(shown, lambda one: one[0], lambda one: (), lambda con: None)
    elif out.mode == "plain":
        from kurskcli import output

        sys.stdout.writelines(output.plain_line(fields) + "\n" for _, lines, _ in shown for fields in lines)
    else:

        def draw(con: "Console") -> None:
            for i, (_, _, rich) in enumerate(shown):
                if i:
                    con.print()
                rich(con)

        out.terminal(draw)


def _shown(rec: "Record", ds: "Dataset") -> "tuple[dict[str, Any], list[list[object]], Callable[[Console], None]]":
    """One record as a JSON object, as plain lines, and as a terminal rendering."""
    from kurskcli import output, query
    from kurskcli.model import Claim, Event, Quote

    passages = query.passages(ds, rec)
    obj = output.record_dict(rec, ds)
    obj["passages"] = [p._asdict() for p in passages]
    comparisons, related = [], []
    if isinstance(rec, Quote):
        comparisons = query.compare_renderings(ds, rec)
        obj["renderings"] = [output.comparison_dict(cmp, ds) for cmp in comparisons]
        related = query.related_statements(ds, rec)
        obj["related_statements"] = [output.record_dict(cmp.quote, ds) for cmp in related]
    later: list[Event] = []
    if isinstance(rec, Claim | Event):
        later = [ds.events[eid] for eid in rec.outcomes if eid in ds.events]
        obj["later_reports"] = [output.record_dict(event, ds) for event in later]
    lines: list[list[object]] = [[*output.plain_record(rec, ds)]]
    if isinstance(rec, Quote | Claim) and rec.context:
        lines.append(["context", rec.context])
    lines += [["passage", p.source, p.start, p.end, p.before + p.text + p.after] for p in passages]
    for cmp in comparisons:
        src = cmp.source
        lines.append(
            [
                "rendering",
                cmp.quote.id,
                cmp.quote.span.source,
                cmp.quote.date,
                src.language if src else None,
                cmp.quote.text,
            ]
        )
        covers = cmp.coverage()
        if covers:
            lines.append(["covers", cmp.quote.id, f"{covers} only"])
        lines += [["difference", cmp.quote.id, output.RENDERING_OPS[ch.op], ch.said, ch.actual] for ch in cmp.changes]
        if cmp.note:
            lines.append(["note", cmp.quote.id, cmp.note])
    lines += [["related", q.id, q.span.source, q.date, q.text] for q in (cmp.quote for cmp in related)]
    lines += [["later", event.id, event.date, event.title] for event in later]

    def rich(con: "Console") -> None:
        from kurskcli.render_records import render_record

        render_record(con, rec, ds, passages, comparisons, related, later)

    return obj, lines, rich
