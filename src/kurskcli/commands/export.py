"""``kurskcli export``: the whole dataset written as CSV, JSON, JSON Lines, SQLite or Markdown."""

import functools
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kurskcli.cli import choose, parse_types, with_shared_options, write_file
from kurskcli.errors import Fail, stderr_line
from kurskcli.exits import EXIT_USAGE
from kurskcli.inputs import DataSource
from kurskcli.present import Output
from kurskcli.vocab import EXPORT_TYPES

if TYPE_CHECKING:
    pass


@with_shared_options(output=False)
def export(
    target: Annotated[str, typer.Argument(metavar="OUT", help="The file to write, or - for standard output.")],
    format: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="csv, jsonl, json, sqlite, markdown or annotations (default: from OUT's suffix)."
        ),
    ] = None,
    type: Annotated[
        list[str] | None,
        typer.Option("--type", "-t", help="Only these record types: source, actor, quote, claim, event."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace OUT if it exists.")] = False,
    *,
    out: Output,  # the shared options give every command one; an export writes a file
    inputs: DataSource,
) -> None:
    """Write the whole dataset (or some record types) as CSV, JSON, JSON Lines, SQLite or Markdown.

    The file is written beside OUT and renamed into place when complete, so
    a failure never leaves half a file; an existing OUT is kept unless you
    add --force. CSV cells that a spreadsheet would run as a formula (=, +,
    -, @) start with a ' instead. SQLite has one table per record type with
    foreign keys and a full-text index, "search", over quotes and claims.
    Annotations (.jsonld) are the quotes as W3C Web Annotations, for
    annotation tools: each quote's words in its source, with the speaker
    and date.

    \b
    Examples:
      kurskcli export quotes.csv --type quote
      kurskcli export kursk.sqlite
      kurskcli export - --format jsonl | jq -r 'select(.type=="quote") | .text'
    """
    from kurskcli import export as ex
    from kurskcli.text import safe

    # a format by name, or by a suffix it is known by (md, ndjson, db), case aside
    aliases = {suffix[1:]: name for suffix, name in ex.SUFFIXES.items()}
    chosen = choose(format, ex.FORMATS, "--format", aliases) if format else ex.format_for(target)
    if chosen is None:
        raise Fail(f"cannot tell the format from {safe(target)!r}; add --format ({', '.join(ex.FORMATS)})", EXIT_USAGE)
    types = parse_types(type, allowed=EXPORT_TYPES)
    if chosen == "sqlite" and target == "-":
        raise Fail("a SQLite database cannot go to standard output; name a file", EXIT_USAGE)
    from kurskcli.annotations import write_annotations

    writers = {"csv": ex.write_csv, "jsonl": ex.write_jsonl, "json": ex.write_json, "markdown": ex.write_markdown}
    writers["annotations"] = write_annotations
    kinds = [kind for kind in EXPORT_TYPES if not types or kind in types]
    with inputs.exported(kinds) as (records, ds):
        if target == "-":
            writers[chosen](records, ds, sys.stdout)
            return
        if chosen == "sqlite":
            write_file(Path(target), lambda path, _fd: ex.write_sqlite(records, ds, path), force, binary=True)
        else:
            write = functools.partial(writers[chosen], records, ds)
            write_file(Path(target), write, force, newline="" if chosen == "csv" else "\n")
    stderr_line(f"kurskcli: wrote {len(records)} records to {safe(target)} ({chosen})")
