"""``kurskcli read``: a source's text with every quote, claim and event in it marked by id."""

from typing import TYPE_CHECKING, Annotated

import typer

from kurskcli.cli import with_shared_options
from kurskcli.errors import Fail
from kurskcli.exits import EXIT_NOTHING
from kurskcli.inputs import DataSource
from kurskcli.present import Output
from kurskcli.searcher import did_you_mean

if TYPE_CHECKING:
    from rich.console import Console

    from kurskcli.model import Dataset, Source


@with_shared_options()
def read(
    source: Annotated[
        str | None, typer.Argument(help="A source id (see 'kurskcli about'); default: the article.")
    ] = None,
    *,
    out: Output,
    inputs: DataSource,
) -> None:
    """Read a source with every quote, claim and event in it marked and labelled by id.

    On a terminal the marked words are coloured (quotes green, claims yellow,
    events cyan) after a dim [id], in a pager when long; piped, each span is
    wrapped in [[id]] ... [[/id]]. A "[[" in the source's own words is written
    "[\\[", so every "[[" piped out is a real mark.

    \b
    Examples:
      kurskcli read
      kurskcli read | grep -o '\\[\\[q-[^]/]*\\]\\]' | sort -u
      kurskcli read tass-2025-04-28-1950221
    """
    from kurskcli import output, query

    ds, src = inputs.on_source(lambda ds: _source(ds, source))
    found = query.marks(ds, src.id)
    obj = {
        "type": "reading",
        "source": output.source_dict(src, ds),
        "text": src.text,
        "marks": [{"id": m.record.id, "type": m.record.type, "start": m.start, "end": m.end} for m in found],
    }

    def rich(con: "Console") -> None:
        from kurskcli.render import render_reading

        render_reading(con, src, found)

    if out.mode == "plain":
        import sys

        from kurskcli.text import safe

        sys.stdout.write(safe(query.marked_text(src.text, found), keep_newlines=True).rstrip("\n") + "\n")
        return
    out.emit_one(obj, [], rich)


def _source(ds: "Dataset", wanted: str | None) -> "Source":
    """The source named, else the bundled article, else the first source stored in full."""
    from kurskcli.text import safe

    if wanted is not None:
        src = ds.sources.get(wanted.strip())
        if src is None:
            raise Fail(f"no source with id {safe(wanted)!r}{did_you_mean(list(ds.sources), wanted)}", EXIT_NOTHING)
        return src
    full = [s for s in ds.sources.values() if s.stored == "full"]
    if not full:
        raise Fail("no source is stored in full; name one (see 'kurskcli about')", EXIT_NOTHING)
    return full[0]
