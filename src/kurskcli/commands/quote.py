"""``kurskcli quote``: quotes by a speaker, verbatim."""

from itertools import islice
from typing import TYPE_CHECKING, Annotated

import typer

from kurskcli.cli import limit_option, with_shared_options
from kurskcli.errors import Fail
from kurskcli.exits import EXIT_USAGE
from kurskcli.inputs import DataSource
from kurskcli.present import Output

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rich.console import Console

    from kurskcli.model import Dataset, Quote


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
    from kurskcli import query

    if seed is not None and not random:
        raise Fail("--seed only applies with --random", EXIT_USAGE)
    if speaker is None:
        # every quote, read in date order as it is printed: `--limit` or `| head` reads few
        with inputs.in_date_order(["quote"]) as (ds, in_order):
            quotes = query.grouped(in_order(None), ds)
            _emit(out, ds, quotes, ds.counts()["quotes"], random, seed, limit, "no quotes in the data")
        return
    ds, who = inputs.naming(speaker, ["quote"], members=True)
    chosen = query.quotes_by(ds, who.id, members=not only)
    none = f"no quotes by {who.name} ({who.id}) in the data"
    if only and not chosen and not random:
        wider = len(query.quotes_by(ds, who.id, members=True))
        none += f"; {wider} by its members and officials without --only" if wider else ""
    _emit(out, ds, iter(chosen), len(chosen), random, seed, limit, none)


def _emit(
    out: Output,
    ds: "Dataset",
    quotes: "Iterator[Quote]",
    count: int,
    random: bool,
    seed: int | None,
    limit: int | None,
    none: str,
) -> None:
    """The quotes (one at random, or the first ``limit``) in the chosen output; JSON Lines and
    plain lines as they are read."""
    from kurskcli import output, query

    if random:
        quotes = iter(query.pick_random(quotes, count, seed))
    shown = out.some(islice(quotes, limit) if limit else quotes, none)

    def rich(con: "Console") -> None:
        from kurskcli.render import render_quotes

        render_quotes(con, list(shown), ds)

    out.emit_list(
        shown, lambda r: output.record_dict(r, ds), lambda r: output.plain_record(r, ds), rich, output.QUOTE_COLUMNS
    )
