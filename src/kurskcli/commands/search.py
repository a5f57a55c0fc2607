"""``kurskcli search``: ranked, typo-tolerant search, through the saved index for user datasets."""

from typing import TYPE_CHECKING, Annotated

import typer

from kurskcli.cli import (
    DataSource,
    Output,
    parse_types,
    with_shared_options,
)
from kurskcli.errors import Fail
from kurskcli.exits import EXIT_USAGE

if TYPE_CHECKING:
    from rich.console import Console


@with_shared_options()
def search(
    query: Annotated[str, typer.Argument(help="Words or a phrase; case, accents and typos are forgiven.")],
    type: Annotated[
        list[str] | None,
        typer.Option(
            "--type", "-t", help="Only these record types: quote, claim, event, actor (repeatable or comma-separated)."
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=10000, help="At most this many hits.")] = 20,
    *,
    out: Output,
    inputs: DataSource,
) -> None:
    """Search quotes, claims, events and actors, best match first.

    Exact phrases and whole words rank above prefixes and typos; each hit has
    a score from 0 to 100.

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

    def rich(con: "Console") -> None:
        from kurskcli.render import render_hits

        render_hits(con, hits, ds)

    out.emit_list(
        hits,
        lambda h: output.hit_dict(h, ds),
        lambda h: [h.score, h.record.type, *output.plain_record(h.record, ds)],
        rich,
    )
