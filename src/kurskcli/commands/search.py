"""``kurskcli search``: ranked, typo-tolerant search, through the saved index for user datasets."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kurskcli.cli import (
    DataSource,
    Output,
    is_terminal,
    parse_types,
    with_shared_options,
)
from kurskcli.errors import Fail, debug_note, stderr_line
from kurskcli.exits import EXIT_USAGE

if TYPE_CHECKING:
    from rich.console import Console

    from kurskcli.model import Dataset
    from kurskcli.searcher import Hit


class _LazyProgress:
    """A progress bar that appears (and imports Rich) only if an index is actually built."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.bar is None:
            from kurskcli.render import BuildProgress

            self.bar = BuildProgress(sys.stderr, self.label)
        self.bar.update(phase, done, total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _cached_search(
    paths: list[Path], bundled: bool, query: str, types: list[str] | None, limit: int
) -> "tuple[list[Hit], Dataset]":
    """Search user datasets through the saved index in the cache folder (see kurskcli.index)."""
    from kurskcli import index

    progress = _LazyProgress("building the search index") if is_terminal(sys.stderr) else None
    try:
        return index.search(
            paths,
            bundled,
            query,
            types=types,
            limit=limit,
            progress=progress,
            warn=lambda message: stderr_line(f"kurskcli: note: {message}"),
            debug=debug_note,
        )
    finally:
        if progress is not None:
            progress.close()


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
    from kurskcli.searcher import search as run

    types = parse_types(type)
    paths = inputs.paths()
    try:
        from kurskcli.env import cache_enabled

        if paths and cache_enabled():
            hits, ds = _cached_search(paths, inputs.bundled, query, types, limit)
        else:
            ds = inputs.load()
            hits = run(ds, query, types=types, limit=limit)
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
