"""``kurskcli cite``: a ready citation of a quote or claim, of the article's rendering or another."""

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from kurskcli.cli import (
    Color,
    DataSource,
    Output,
    did_you_mean,
    with_shared_options,
)
from kurskcli.errors import Fail, print_text
from kurskcli.exits import EXIT_NOTHING, EXIT_USAGE

if TYPE_CHECKING:
    from kurskcli.model import Dataset


@with_shared_options(color=Color.never)
def cite(
    record_id: Annotated[str, typer.Argument(metavar="ID", help="A quote or claim id (see search or quote).")],
    style: Annotated[
        str, typer.Option("--style", "-s", help="plain, markdown, apa, mla, chicago or bibtex.")
    ] = "plain",
    rendering: Annotated[
        str | None,
        typer.Option(
            "--rendering",
            metavar="WHICH",
            help="Cite another rendering of the quote: earliest, own (the speaker's channel) or a quote id.",
        ),
    ] = None,
    *,
    out: Output,
    inputs: DataSource,
) -> None:
    """Print a ready citation of a quote or claim and the article it is quoted in.

    The words are cited as found in the source article: APA's "as cited in",
    MLA's "qtd. in", Chicago's "quoted in". A claim in the dataset's own words
    is never put in quotation marks.

    \b
    Examples:
      kurskcli cite q-putin-tribute --style apa
      kurskcli cite q-cmc-monument --style bibtex >> refs.bib
    """
    from kurskcli import cite as citing
    from kurskcli.text import safe

    if style not in citing.STYLES:
        raise Fail(f"--style: {safe(style)!r} is not one of {', '.join(citing.STYLES)}", EXIT_USAGE)
    rec, ds, ids = inputs.lookup(record_id)
    if rec is None:
        raise Fail(f"no record with id {safe(record_id)!r}{did_you_mean(ids(), record_id)}", EXIT_NOTHING)
    if rendering is not None:
        record_id = _rendering_to_cite(ds, record_id, rendering)
    try:
        text = citing.cite(ds, record_id, style)
    except citing.CiteError as exc:
        raise Fail(safe(str(exc)), EXIT_USAGE) from None
    if out.mode in ("json", "jsonl"):
        from kurskcli import output

        obj = {"type": "citation", "id": record_id, "style": style, "text": text}
        (output.write_json if out.mode == "json" else lambda o, out: output.write_jsonl([o], out))(obj, sys.stdout)
        return
    print_text(text)


def _rendering_to_cite(ds: "Dataset", record_id: str, which: str) -> str:
    """The id of the rendering ``--rendering`` asks for: earliest, own, or one named by id."""
    from kurskcli import query
    from kurskcli.model import Quote
    from kurskcli.text import safe

    rec = ds.get(record_id)
    if not isinstance(rec, Quote):
        raise Fail(f"--rendering: {record_id!r} is not a quote", EXIT_USAGE)
    if which == "earliest":
        return query.earliest_rendering(ds, rec).id
    if which == "own":
        own = query.own_channel_rendering(ds, rec)
        if own is None:
            raise Fail(f"no rendering of {record_id} from the speaker's own channel is stored", EXIT_NOTHING)
        return own.id
    group = [q.id for q in query.rendering_groups(ds).get(rec.id, [rec])]
    if which not in group:
        raise Fail(
            f"--rendering: {safe(which)!r} is not earliest, own or a rendering of {record_id} ({', '.join(group)})",
            EXIT_USAGE,
        )
    return which
