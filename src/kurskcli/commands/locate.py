"""``kurskcli locate``: notes made into a dataset, every quote found in its source."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from kurskcli.cli import with_shared_options, write_file
from kurskcli.errors import Fail, stderr_line
from kurskcli.exits import EXIT_DATAERR, EXIT_USAGE
from kurskcli.inputs import DataSource
from kurskcli.present import Output


@with_shared_options(output=False)
def locate(
    notes: Annotated[str, typer.Argument(metavar="NOTES", help="The notes: a dataset whose spans may be left out.")],
    output: Annotated[
        str | None, typer.Option("--output", "-o", metavar="OUT", help="Write the dataset here (default: stdout).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace OUT if it exists.")] = False,
    check: Annotated[bool, typer.Option("--check", help="Only say what would change; exit 1 if anything.")] = False,
    *,
    out: Output,  # the shared options give every command one; locate writes a dataset
    inputs: DataSource,
) -> None:
    """Turn notes into a dataset: find each quote's words in its source, so that no one counts characters.

    NOTES may be JSON or JSON Lines (.jsonl), as a dataset may; so may OUT.
    A quote's "source" may be just the source's id, {"id", "prefix", "suffix"} where the words
    stand more than once, a W3C TextQuoteSelector or TextPositionSelector with the source's
    "id" (as export --format annotations writes them), or a span. A speaker may be a name: an
    actor is made for a name no actor bears. Words that differ from the source only in white
    space or typography (quotation marks, apostrophes, dashes) are taken as the source prints
    them; words are never changed. Each change is said on stderr. Every text that cannot be
    placed is reported at once, with the nearest passage, and nothing is written (exit 65).

    \b
    Examples:
      kurskcli locate notes.json -o council.json
      kurskcli --no-bundled --data council.json search bridge
      kurskcli locate council.json --check
    """
    from kurskcli.dataset import DatasetError, check_document, read_json
    from kurskcli.locate import NotesError, document_of, lines_of
    from kurskcli.locate import locate as find
    from kurskcli.reading import JSONL_SUFFIXES, read_limited, read_lines
    from kurskcli.text import safe

    path = Path(notes)
    base = path.parent
    try:
        if path.suffix.lower() in JSONL_SUFFIXES:  # read as --data reads JSON Lines: a line at a time
            rows = [read_json(raw, f"{notes}: line {n}") for n, raw in read_lines(path) if raw.strip()]
            doc = document_of(rows)
        else:
            doc = read_json(read_limited(path), notes)
        located = find(doc, base, lambda file: read_limited(file, inside=base))
    except NotesError as exc:
        raise Fail(f"{safe(notes)}: {exc}", EXIT_DATAERR) from None
    problems = [f"{notes}: {p}" for p in located.problems]
    if not problems:
        try:
            check_document(located.doc, notes, base)
        except DatasetError as exc:
            problems = [str(p) for p in exc.problems]
    if problems:
        for line in problems:
            stderr_line(f"kurskcli: {safe(line)}")
        raise Fail(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {safe(notes)}; nothing written",
            EXIT_DATAERR,
        )
    for change in located.changes:
        stderr_line(f"kurskcli: {safe(notes)}: {safe(change)}")
    if check:
        if located.changes:
            raise typer.Exit(1)
        return
    import json

    if output is not None and Path(output).suffix.lower() in JSONL_SUFFIXES:
        text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in lines_of(located.doc))
    else:
        text = json.dumps(located.doc, ensure_ascii=False, indent=2) + "\n"
    if output is None or output == "-":
        sys.stdout.write(text)
        return
    if Path(output).resolve() == path.resolve() and not force:
        raise Fail(f"{safe(output)} is the notes file; add --force to replace it", EXIT_USAGE)
    write_file(Path(output), lambda stream: stream.write(text), force)
    stderr_line(f"kurskcli: wrote {safe(output)}")
