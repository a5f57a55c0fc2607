"""``kurskcli search``: ranked, typo-tolerant search, through the saved index for user datasets."""

from typing import TYPE_CHECKING, Annotated

import typer

from kurskcli.cli import limit_option, parse_types, with_shared_options
from kurskcli.errors import Fail, stderr_line
from kurskcli.exits import EXIT_USAGE
from kurskcli.inputs import DataSource
from kurskcli.present import Output

if TYPE_CHECKING:
    from rich.console import Console


@with_shared_options(header=True)
def search(
    query: Annotated[str, typer.Argument(help="Words or a phrase; case, accents and typos are forgiven.")],
    type: Annotated[
        list[str] | None,
        typer.Option(
            "--type", "-t", help="Only these record types: quote, claim, event, actor (repeatable or comma-separated)."
        ),
    ] = None,
    limit: Annotated[int, limit_option("hits", 10_000)] = 20,
    *,
    out: Output,
    inputs: DataSource,
) -> None:
    """Search quotes, claims, events and actors, best match first.

    Exact phrases and whole words rank above prefixes and typos; each hit has
    a score from 0 to 100. When --limit leaves hits out, a note says how many
    there were (on stderr when piped; never with --json or --jsonl).

    \b
    Examples:
      kurskcli search monument
      kurskcli search "shoulder to shoulder" --type quote
      kurskcli search monumnet --json | jq -r '.[0].id'
    """
    from kurskcli import output
    from kurskcli.searcher import QueryError

    types = parse_types(type)
    try:
        hits, ds = inputs.search(query, types, limit)
    except QueryError as exc:
        raise Fail(f"cannot search: {exc}", EXIT_USAGE) from None
    if not hits:
        from kurskcli.text import safe

        out.none_found(f"nothing matches {safe(query)[:80]!r}")

    left_out = f"{len(hits)} of {hits.total} hits; --limit to see more" if hits.total > len(hits) else None

    def rich(con: "Console") -> None:
        from kurskcli.render import render_hits

        render_hits(con, hits, ds)
        if left_out:
            con.print(left_out, style="dim", highlight=False)

    out.emit_list(
        hits,
        lambda h: output.hit_dict(h, ds),
        lambda h: [h.score, *output.plain_item(h.record, ds)],
        rich,
        ("score", *output.ITEM_COLUMNS),
    )
    if left_out and out.mode == "plain":  # said on stderr, so that piped rows stay rows
        stderr_line(f"kurskcli: {left_out}")
