"""``kurskcli timeline``: the timeline: events (and quotes) in date order, on a terminal, piped, as JSON or as
a picture."""

import sys
from collections.abc import Sequence
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kurskcli.cli import limit_option, partial_date, with_shared_options, write_file
from kurskcli.errors import Fail, stderr_line
from kurskcli.exits import EXIT_USAGE
from kurskcli.inputs import DataSource
from kurskcli.present import Output
from kurskcli.query import resolve_actor as resolve

if TYPE_CHECKING:
    from rich.console import Console

    from kurskcli.model import Claim, Dataset, Event, Quote


@with_shared_options(header=True)
def timeline(
    actor: Annotated[
        list[str] | None,
        typer.Option(
            "--actor",
            "-a",
            help="Only items involving this actor (name, id or alias); repeat it or separate names with commas "
            "for items involving any of them.",
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only items that may fall on or after this date (YYYY[-MM[-DD]]).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Only items that may fall on or before this date.")] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="Only items that may fall on this day, month or year (YYYY[-MM[-DD]]).")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Keep only items whose dates lie certainly inside the window.")
    ] = False,
    limit: Annotated[int | None, limit_option("items")] = None,
    quotes: Annotated[bool, typer.Option("--quotes", "-q", help="Interleave quotes with events.")] = False,
    claims: Annotated[bool, typer.Option("--claims", help="Interleave claims with events.")] = False,
    svg: Annotated[
        Path | None,
        typer.Option("--svg", metavar="FILE", help="Write an SVG picture of the timeline instead (- for stdout)."),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option("--html", metavar="FILE", help="Write an HTML page of the timeline instead (- for stdout)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --svg or --html file.")] = False,
    *,
    out: Output,
    inputs: DataSource,
) -> None:
    """Show events (and with --quotes, quotes; with --claims, claims) in date order.

    Dates are as precise as the source: a range such as 2025-04-26/2025-04-30
    means "some day in that range". Items sort by what is known: one known
    only by its end (../2025-04-30, "by 30 April") at that end; undated items
    come last.

    \b
    Examples:
      kurskcli timeline
      kurskcli timeline --quotes --since 2025-04-27
      kurskcli timeline --quotes --claims --on 2025-04-27 --strict
      kurskcli timeline --actor putin --json | jq '.[].title'
      kurskcli timeline --quotes --svg timeline.svg
    """
    from kurskcli import output, query

    if on is not None and (since is not None or until is not None):
        raise Fail("--on is a window of its own; use it without --since and --until", EXIT_USAGE)
    lo = partial_date(on if on is not None else since, end=False, option="--on" if on is not None else "--since")
    hi = partial_date(on if on is not None else until, end=True, option="--on" if on is not None else "--until")
    if lo and hi and lo > hi:
        raise Fail("--since is after --until", EXIT_USAGE)
    if (svg or html) and out.mode in ("json", "jsonl"):
        raise Fail(f"--{out.mode} prints records and --{'svg' if svg else 'html'} draws them; choose one", EXIT_USAGE)
    kinds = ["event", *(["quote"] if quotes else []), *(["claim"] if claims else [])]
    with inputs.in_date_order(kinds) as (ds, in_order):
        names = [n.strip() for value in actor or [] for n in value.split(",") if n.strip()]
        actor_ids = {resolve(ds, n).id for n in names} or None
        found = query.timeline_of(in_order(actor_ids), actors=actor_ids, since=lo, until=hi, strict=strict)
        found = islice(found, limit) if limit else found
        items = out.some(found, "nothing in the timeline matches", as_read=not (svg or html))

        def rich(con: "Console") -> None:
            from kurskcli.render import render_timeline

            render_timeline(con, list(items), ds)

        if svg or html:
            write_pictures(list(items), ds, svg, html, force)
            return
        out.emit_list(
            items, lambda r: output.record_dict(r, ds), lambda r: output.plain_item(r, ds), rich, output.ITEM_COLUMNS
        )


def write_pictures(
    items: "Sequence[Event | Quote | Claim]", ds: "Dataset", svg: Path | None, html: Path | None, force: bool
) -> None:
    """Write the timeline chart as SVG and/or the page around it as HTML (``-``: standard output)."""
    from kurskcli import picture
    from kurskcli.text import safe

    if svg and html and (svg.resolve() == html.resolve() or str(svg) == str(html) == "-"):
        raise Fail("--svg and --html name the same file", EXIT_USAGE)
    # named after the datasets it shows, the bundled one or a user's own
    title = "; ".join(dict.fromkeys(info.title for info in ds.infos)) or "Timeline"
    title += ": timeline"
    for target, kind in ((svg, "SVG"), (html, "HTML")):
        if target is None:
            continue
        page = (picture.timeline_svg if kind == "SVG" else picture.timeline_html)(items, ds, title=title)
        if str(target) == "-":
            sys.stdout.write(page)
            continue
        write_file(target, lambda fh, page=page: fh.write(page), force)
        stderr_line(f"kurskcli: wrote the timeline to {safe(str(target))} ({kind})")
