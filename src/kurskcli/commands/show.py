"""``kurskcli show``: one record in full: its source passage and, for a quote, its other renderings."""

from typing import TYPE_CHECKING, Annotated

import typer

from kurskcli.cli import (
    DataSource,
    Output,
    did_you_mean,
    with_shared_options,
)
from kurskcli.errors import Fail
from kurskcli.exits import EXIT_NOTHING

if TYPE_CHECKING:
    from rich.console import Console


@with_shared_options()
def show(
    id: Annotated[str, typer.Argument(help="A record id (see the ID column of other commands).")],
    *,
    out: Output,
    inputs: DataSource,
) -> None:
    """Show one record in full, with its provenance and the source passage around it.

    \b
    Examples:
      kurskcli show q-putin-tribute
      kurskcli show c-contingent-size --json | jq '.passages[0].text'
    """
    from kurskcli import output, query
    from kurskcli.model import Claim, Quote
    from kurskcli.text import safe

    rec, ds, ids = inputs.lookup(id.strip())
    if rec is None:
        raise Fail(f"no record with id {safe(id)!r}{did_you_mean(ids(), id)}", EXIT_NOTHING)
    passages = query.passages(ds, rec)
    obj = output.record_dict(rec, ds)
    obj["passages"] = [p._asdict() for p in passages]
    comparisons = []
    if isinstance(rec, Quote):
        comparisons = query.compare_renderings(ds, rec)
        obj["renderings"] = [output.comparison_dict(cmp, ds) for cmp in comparisons]
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
        lines += [["difference", cmp.quote.id, output.RENDERING_OPS[ch.op], ch.said, ch.actual] for ch in cmp.changes]
        if cmp.note:
            lines.append(["note", cmp.quote.id, cmp.note])

    def rich(con: "Console") -> None:
        from kurskcli.render import render_record

        render_record(con, rec, ds, passages, comparisons)

    out.emit_one(obj, lines, rich)
