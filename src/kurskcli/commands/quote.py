"""``kurskcli quote``: quotes by a speaker, verbatim."""

from typing import TYPE_CHECKING, Annotated

import typer

from kurskcli.cli import limit_option, with_shared_options
from kurskcli.errors import Fail
from kurskcli.exits import EXIT_USAGE
from kurskcli.inputs import DataSource
from kurskcli.present import Output

if TYPE_CHECKING:
    from rich.console import Console


@with_shared_options(header=True)
def quote(
    speaker: Annotated[
        str | None, typer.Argument(help="Name, id or alias, in any script; typos are tolerated.")
    ] = None,
    random: Annotated[bool, typer.Option("--random", "-r", help="Pick one quote at random.")] = False,
    seed: Annotated[int | None, typer.Option(help="Seed for --random, for a repeatable pick.")] = None,
    limit: Annotated[int | None, limit_option("quotes")] = None,
    only: Annotated[
        bool, typer.Option("--only", help="Only the actor's own quotes and those it relayed, not its members'.")
    ] = False,
    *,
    out: Output,
    inputs: DataSource,
) -> None:
    """Show a speaker's quotes, verbatim (no speaker: all quotes).

    A state or body's quotes include those of its bodies and officials (by
    affiliation: South Korea's include its Ministry of Unification's official)
    and those they relayed; each quote names who actually spoke. --only keeps
    the actor's own.

    \b
    Examples:
      kurskcli quote putin
      kurskcli quote Путин
      kurskcli quote "state department" --json
      kurskcli quote "north korea"
      kurskcli quote pyongyang --only
      kurskcli quote --random
    """
    from kurskcli import output, query

    if seed is not None and not random:
        raise Fail("--seed only applies with --random", EXIT_USAGE)
    ds, who = inputs.naming(speaker, ["quote"], members=True) if speaker else (inputs.load(), None)
    quotes = query.quotes_by(ds, who.id if who else None, members=not only)
    if random:
        quotes = query.pick_random(quotes, seed)
    quotes = quotes[:limit] if limit else quotes
    if not quotes:
        hint = ""
        if who and only and not random:
            wider = len(query.quotes_by(ds, who.id, members=True))
            hint = f"; {wider} by its members and officials without --only" if wider else ""
        out.none_found(f"no quotes by {who.name} ({who.id}) in the data{hint}" if who else "no quotes in the data")

    def rich(con: "Console") -> None:
        from kurskcli.render import render_quotes

        render_quotes(con, quotes, ds)

    out.emit_list(
        quotes, lambda r: output.record_dict(r, ds), lambda r: output.plain_record(r, ds), rich, output.QUOTE_COLUMNS
    )
