"""``kurskcli quote``: quotes by a speaker, verbatim."""

from typing import TYPE_CHECKING, Annotated

import typer

from kurskcli.cli import (
    DataSource,
    Output,
    resolve,
    with_shared_options,
)

if TYPE_CHECKING:
    from rich.console import Console


@with_shared_options()
def quote(
    speaker: Annotated[
        str | None, typer.Argument(help="Name, id or alias, in any script; typos are tolerated.")
    ] = None,
    random: Annotated[bool, typer.Option("--random", "-r", help="Pick one quote at random.")] = False,
    seed: Annotated[int | None, typer.Option(help="Seed for --random, for a repeatable pick.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="At most this many.")] = None,
    *,
    out: Output,
    inputs: DataSource,
) -> None:
    """Show a speaker's quotes, verbatim (no speaker: all quotes).

    \b
    Examples:
      kurskcli quote putin
      kurskcli quote Путин
      kurskcli quote "state department" --json
      kurskcli quote --random
    """
    from kurskcli import output, query

    ds = inputs.load()
    who = resolve(ds, speaker) if speaker else None
    quotes = query.quotes_by(ds, who.id if who else None)
    if random:
        quotes = query.pick_random(quotes, seed)
    quotes = quotes[:limit] if limit else quotes
    if not quotes:
        out.none_found(f"no quotes by {who.name} ({who.id}) in the data" if who else "no quotes in the data")

    def rich(con: "Console") -> None:
        from kurskcli.render import render_quotes

        render_quotes(con, quotes, ds)

    out.emit_list(quotes, lambda r: output.record_dict(r, ds), lambda r: output.plain_record(r, ds), rich)
