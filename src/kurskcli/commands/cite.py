"""``kurskcli cite``: a ready citation of a quote or claim, of the article's rendering or another."""

from typing import TYPE_CHECKING, Annotated

import typer

from kurskcli.cli import Color, choose, with_shared_options
from kurskcli.errors import Fail, print_text
from kurskcli.exits import EXIT_NOTHING, EXIT_USAGE
from kurskcli.inputs import DataSource
from kurskcli.present import Output

if TYPE_CHECKING:
    from kurskcli.model import Dataset


@with_shared_options(color=Color.never)
def cite(
    record_ids: Annotated[list[str], typer.Argument(metavar="ID...", help="Quote or claim ids (see search or quote).")],
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
    """Print a ready citation of quotes or claims and the article they are quoted in.

    The words are cited as found in the source article: APA's "as cited in",
    MLA's "qtd. in", Chicago's "quoted in". A claim in the dataset's own words
    is never put in quotation marks.

    \b
    Examples:
      kurskcli cite q-putin-tribute --style apa
      kurskcli cite q-cmc-monument --style bibtex >> refs.bib
      kurskcli cite q-koo-sky c-contingent-size --style mla
    """
    from kurskcli import cite as citing
    from kurskcli.text import safe

    style = choose(style, citing.STYLES, "--style")
    recs, ds = inputs.lookup(record_ids, lambda known, missing: _actor_named(inputs, known, missing))
    _actor_named(inputs, ds, [r.id for r in recs if r.type == "actor"])
    if rendering is not None:
        if len(recs) > 1:
            raise Fail("--rendering takes one quote id", EXIT_USAGE)
        cited = [_rendering_to_cite(ds, recs[0].id, rendering)]
    else:
        cited = [r.id for r in recs]
    try:
        texts = [citing.cite(ds, rec_id, style) for rec_id in cited]
    except citing.CiteError as exc:
        raise Fail(safe(str(exc)), EXIT_USAGE) from None
    if out.mode in ("json", "jsonl"):
        objs = [{"type": "citation", "id": i, "style": style, "text": t} for i, t in zip(cited, texts, strict=True)]
        if out.mode == "jsonl":
            out.write_jsonl(objs)
        else:
            out.write_json(objs[0] if len(objs) == 1 else objs)
        return
    print_text(("\n\n" if any("\n" in t for t in texts) else "\n").join(texts))


def _actor_named(inputs: DataSource, known: "Dataset", names: list[str]) -> None:
    """When an argument is an actor's id or name rather than a quote's or claim's id, say so and
    offer their quotes. ``known`` holds every actor (a dataset from the store holds few quotes)."""
    from kurskcli import query
    from kurskcli.text import fold, safe

    for name in names:
        key = fold(name)
        actors = [a for a in known.actors.values() if key and key in query.name_keys(a)]
        if len(actors) == 1:
            who = actors[0]
            quotes = [q.id for q in query.quotes_by(inputs.naming(who.id, ["quote"])[0], who.id)]
            offer = f"; their quotes: {', '.join(quotes[:6])}{', …' if len(quotes) > 6 else ''}" if quotes else ""
            every = f"; to cite them all: kurskcli cite $(kurskcli quote {who.id} --only | cut -f1)" if quotes else ""
            raise Fail(f"{safe(name)!r} is an actor ({who.name}), not a quote or claim{offer}{every}", EXIT_USAGE)


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
