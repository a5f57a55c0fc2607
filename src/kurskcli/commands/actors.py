"""``kurskcli actors``: the actors, with their counts."""

from typing import TYPE_CHECKING, Annotated

import typer

from kurskcli.cli import choose, with_shared_options
from kurskcli.inputs import DataSource
from kurskcli.present import Output
from kurskcli.vocab import ACTOR_KINDS

if TYPE_CHECKING:
    from rich.console import Console


@with_shared_options(header=True)
def actors(
    kind: Annotated[
        str | None, typer.Option(help="Only actors of this kind: person, organization, state, media.")
    ] = None,
    *,
    out: Output,
    inputs: DataSource,
) -> None:
    """List the actors with how many quotes, claims and events involve each.

    \b
    Examples:
      kurskcli actors
      kurskcli actors --kind person --json | jq -r '.[].name'
    """
    from kurskcli import output, query

    kind = choose(kind, ACTOR_KINDS, "--kind", {"people": "person"}) if kind is not None else None
    ds, counts = inputs.actor_counts()
    people = sorted((a for a in ds.actors.values() if kind is None or a.kind == kind), key=lambda a: a.id)
    if not people:
        out.none_found("no actors match")

    def rich(con: "Console") -> None:
        from kurskcli.render import render_actors

        render_actors(con, people, counts)

    out.emit_list(
        people,
        lambda a: {**output.record_dict(a, ds), "counts": counts[a.id]},
        lambda a: [*output.plain_record(a, ds), *counts[a.id].values()],
        rich,
        (*output.ACTOR_COLUMNS, *query.COUNTS),
    )
