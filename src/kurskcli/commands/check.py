"""``kurskcli check``: is this quote real? Verbatim, typographic, in the source, near, or not found."""

from typing import TYPE_CHECKING, Annotated

import typer

from kurskcli.cli import with_shared_options
from kurskcli.errors import Fail
from kurskcli.exits import EXIT_NOTHING, EXIT_USAGE
from kurskcli.inputs import DataSource
from kurskcli.present import Output

if TYPE_CHECKING:
    from rich.console import Console

    from kurskcli.model import Quote


@with_shared_options()
def check(
    text: Annotated[str, typer.Argument(help="The quotation to check, as you saw it.")],
    *,
    out: Output,
    inputs: DataSource,
) -> None:
    """Check whether a quotation is real: verbatim, near (with the differences), or not in the data.

    Exits 0 only for a verbatim match; a near match or no match exits 1.

    Piped, the first line is the verdict, score, id and words; then "by" (speaker, via whom,
    the source's channel), "difference" lines, and a "rendering" line for each rendering of
    the same words (id, source, verdict, speaker, channel).

    \b
    Examples:
      kurskcli check "we will never forget our friends"
      kurskcli check "We will always honor the Korean soldiers" --json | jq .verdict
    """
    from kurskcli import output
    from kurskcli.searcher import QueryError

    try:
        result, ds = inputs.check(text)
    except QueryError as exc:
        raise Fail(f"cannot check: {exc}", EXIT_USAGE) from None
    if result.source is not None and result.start is not None and result.end is not None:
        words = " ".join(result.source.text[result.start : result.end].split())
        lines: list[list[object]] = [[result.verdict, result.score, result.record.id if result.record else None, words]]
        lines.append(["source", result.source.id, result.start, result.end])
    else:
        lines = [
            [
                result.verdict,
                result.score if result.verdict != "not_found" else None,  # no match: nothing to score
                result.quote.id if result.quote else None,
                result.quote.text if result.quote else None,
            ]
        ]

    def channel(quote: "Quote") -> str | None:
        src = ds.sources.get(quote.span.source)
        return src.channel if src else None

    if result.quote is not None:  # who said it, and how the source stands to the words
        lines.append(["by", ds.name_of(result.quote.speaker), ds.name_of(result.quote.via), channel(result.quote)])
    lines += [["difference", ch.op, ch.said, ch.actual] for ch in result.changes]
    lines += [
        ["rendering", m.quote.id, m.quote.span.source, m.verdict, ds.name_of(m.quote.speaker), channel(m.quote)]
        for m in result.renderings
    ]
    lines += [["also", q.id, q.date, ds.name_of(q.speaker), q.text] for q in result.also]

    def rich(con: "Console") -> None:
        from kurskcli.render_records import render_check

        render_check(con, result, ds)

    out.emit_one(output.check_dict(result, ds), lines, rich)
    if result.verdict != "verbatim":
        raise typer.Exit(EXIT_NOTHING)
