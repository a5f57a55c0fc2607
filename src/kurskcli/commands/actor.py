"""``kurskcli actor``: one actor's summary."""

from typing import TYPE_CHECKING, Annotated

import typer

from kurskcli.cli import with_shared_options
from kurskcli.inputs import DataSource
from kurskcli.present import Output

if TYPE_CHECKING:
    from rich.console import Console


@with_shared_options(header=True)
def actor(
    name: Annotated[str, typer.Argument(help="Name, id or alias, in any script.")],
    *,
    out: Output,
    inputs: DataSource,
) -> None:
    """Summarize one actor: role, affiliation, quotes, claims, events, dates.

    \b
    Examples:
      kurskcli actor zakharova
      kurskcli actor КНДР --json | jq '.counts'
    """
    from kurskcli import output, query

    ds, who = inputs.naming(name, ["quote", "claim", "event"])
    s = query.summarize_actor(ds, who)
    lines: list[list[object]] = [["actor", *output.plain_item(s.actor, ds)]]
    lines += [[label, *output.plain_item(r, ds)] for label, recs in s.sections() for r in recs]
    lines += [["source", *output.plain_item(ds.sources[sid], ds)] for sid in s.sources if sid in ds.sources]

    def rich(con: "Console") -> None:
        from kurskcli.render import render_actor

        render_actor(con, s, ds)

    out.emit_one(output.summary_dict(s, ds), lines, rich, ("section", *output.ITEM_COLUMNS))
