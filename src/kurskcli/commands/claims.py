"""``kurskcli claims``: the claims, with who makes them and who disputes them."""

from itertools import islice
from typing import TYPE_CHECKING, Annotated

import typer

from kurskcli.cli import choose, limit_option, with_shared_options
from kurskcli.inputs import DataSource
from kurskcli.model import Claim
from kurskcli.present import Output
from kurskcli.query import resolve_actor as resolve
from kurskcli.vocab import CLAIM_KINDS

if TYPE_CHECKING:
    from rich.console import Console


@with_shared_options(header=True)
def claims(
    claimant: Annotated[
        str | None, typer.Option("--claimant", "-c", help="Only claims this actor makes (name, id or alias).")
    ] = None,
    disputed: Annotated[bool, typer.Option("--disputed", help="Only claims that someone disputes.")] = False,
    kind: Annotated[
        str | None, typer.Option("--kind", help="Only claims of this kind: reported, figure, allegation, …")
    ] = None,
    limit: Annotated[int | None, limit_option("claims")] = None,
    *,
    out: Output,
    inputs: DataSource,
) -> None:
    """List the claims in date order: reported speech, figures, allegations, assessments, forecasts.

    Each claim says who makes it (or that the source does not say) and, for a
    disputed one, who disputes it. A claim known only by its end date
    ("by 30 April") sorts at that date.

    \b
    Examples:
      kurskcli claims --disputed
      kurskcli claims --claimant asmolov --kind forecast
      kurskcli claims --kind figure --json | jq -r '.[].text'
    """
    from kurskcli import output, query

    kind = choose(kind, CLAIM_KINDS, "--kind") if kind is not None else None
    with inputs.in_date_order(["claim"]) as (ds, in_order):
        who = resolve(ds, claimant) if claimant else None
        claimed = (c for c in in_order({who.id} if who else None) if isinstance(c, Claim))
        found = query.claims_of(claimed, claimant=who.id if who else None, disputed=disputed, kind=kind)
        found = islice(found, limit) if limit else found
        shown = out.some(found, "no claims match")

        def rich(con: "Console") -> None:
            from kurskcli.render import render_claims

            render_claims(con, list(shown), ds)

        out.emit_list(
            shown, lambda r: output.record_dict(r, ds), lambda r: output.plain_record(r, ds), rich, output.CLAIM_COLUMNS
        )
