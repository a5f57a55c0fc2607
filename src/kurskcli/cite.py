"""Ready citations of a quote or claim and the article it comes from.

Every style cites the words as found in the source article (a secondary source): APA's
"as cited in", MLA's "qtd. in", Chicago's "quoted in". A claim the dataset words in its own
summary (not verbatim) is never put in quotation marks. Plain-text output cannot carry
italics, so titles that a style sets in italics are written as they are (Markdown output
uses *asterisks*).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from kurskcli.dates import components
from kurskcli.model import Claim, Dataset, Quote, Source

STYLES = ("plain", "markdown", "apa", "mla", "chicago", "bibtex")
_MINOR = {
    *("a", "an", "and", "as", "at", "but", "by", "down", "for", "from", "if", "in", "into", "like", "near"),
    *("nor", "of", "off", "on", "onto", "or", "over", "past", "so", "than", "that", "the", "to", "up"),
    *("upon", "via", "vs", "with", "yet"),
}
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


class CiteError(ValueError):
    """The record cannot be cited (not a quote or claim)."""


class Parts(NamedTuple):
    who: str  # the speaker or claimant, or the article's author
    when: str | None  # the statement's date in words, or None
    words: str
    verbatim: bool
    source: Source


def title_case(title: str) -> str:
    """Headline-style capitals (MLA, Chicago): major words capitalized, minor ones not, first and last always."""
    words = title.split()
    out = []
    for i, word in enumerate(words):
        if 0 < i < len(words) - 1 and word.lower() in _MINOR:
            out.append(word.lower())
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)


def _written_date(edtf: str | None, *, us: bool = False, abbreviate: bool = False) -> str | None:
    """'30 April 2025', or with ``us`` 'April 30, 2025'; with ``abbreviate``, MLA's months
    ('30 Apr. 2025': names longer than four letters shortened, September to 'Sept.')."""
    parts = components(edtf)
    if parts is None:
        return None
    year, month, day = parts
    if month is None:
        return str(year)
    name = _MONTHS[month - 1]
    if abbreviate and len(name) > 4:
        name = "Sept." if name == "September" else name[:3] + "."
    if not day:
        return f"{name} {year}"
    return f"{name} {day}, {year}" if us else f"{day} {name} {year}"


def _statement_date(edtf: str | None) -> str | None:
    if not edtf:
        return None
    from kurskcli.render import human_date

    return _written_date(edtf) or human_date(edtf)


def _author_inverted(author: str) -> str:
    """'Konstantin Asmolov' -> 'Asmolov, Konstantin' (given names first, as the source prints them)."""
    bits = author.split()
    return f"{bits[-1]}, {' '.join(bits[:-1])}" if len(bits) > 1 else author


def _author_apa(author: str) -> str:
    bits = author.split()
    if len(bits) < 2:
        return author
    initials = " ".join(f"{b[0]}." for b in bits[:-1])
    return f"{bits[-1]}, {initials}"


def _surname(author: str) -> str:
    return author.split()[-1] if author.split() else author


def parts(ds: Dataset, record_id: str) -> Parts:
    rec = ds.get(record_id)
    if isinstance(rec, Quote):
        who = ds.actors[rec.speaker].name if rec.speaker in ds.actors else rec.speaker
        return Parts(who, _statement_date(rec.date), rec.text, True, ds.sources[rec.span.source])
    if isinstance(rec, Claim):
        src = ds.sources[rec.span.source]
        if rec.claimant and rec.claimant in ds.actors:
            who = ds.actors[rec.claimant].name
        else:
            who = src.author
        return Parts(who, _statement_date(rec.date), rec.text, rec.verbatim, src)
    kind = rec.type if rec is not None else "nothing"
    raise CiteError(f"{record_id!r} is a{'n' if kind[0] in 'aeiou' else ''} {kind}; only quotes and claims are cited")


def _inner(p: Parts) -> str:
    """The words without the final period, comma, colon or semicolon that a citation replaces."""
    return p.words.rstrip(".,;: ")


def cite(ds: Dataset, record_id: str, style: str) -> str:
    """The citation of one quote or claim in ``style`` (one of STYLES)."""
    p = parts(ds, record_id)
    src = p.source
    pub = src.publisher or ""
    when = f", {p.when}" if p.when else ""
    day = _written_date(src.date) or "undated"
    how = "quoted in" if p.verbatim else "as reported in"
    if style == "plain":
        words = f"“{p.words}”" if p.verbatim else p.words
        return f"{p.who}{when}: {words} ({how} {src.author}, “{src.title}”{', ' + pub if pub else ''}, {day})"
    if style == "markdown":
        from kurskcli.export import md

        credit = f"{md(p.who)}{when}, {how} {md(src.author)}, *{md(src.title)}*{', ' + md(pub) if pub else ''}, {day}."
        if p.verbatim:
            return f"> {md(p.words)}\n>\n> — {credit}"
        return f"{md(p.words)} — {credit}"
    if style == "apa":
        date = components(src.date)
        year = str(date[0]) if date else "n.d."
        stamp = year
        if date and date[1]:
            stamp += f", {_MONTHS[date[1] - 1]}" + (f" {date[2]}" if date[2] else "")
        cited = f"as cited in {_surname(src.author)}, {year}"
        if p.verbatim:
            body = f"{p.who} said, “{_inner(p)}” ({cited})."
        else:
            body = f"{_inner(p)} ({p.who}, {cited})."
        tail = (f" {pub}." if pub else "") + (f" {src.url}" if src.url else "")
        return f"{body}\n\n{_author_apa(src.author)} ({stamp}). {src.title}.{tail}"
    if style == "mla":
        qtd = f"qtd. in {_surname(src.author)}"
        if p.verbatim:
            body = f"{p.who} said, “{_inner(p)}” ({qtd})."
        else:
            body = f"{_inner(p)} ({p.who}, {qtd})."
        container = f" {pub}," if pub else ""
        url = f" {src.url}." if src.url else ""
        published = _written_date(src.date, abbreviate=True) or "n.d."
        return f"{body}\n\n{_author_inverted(src.author)}. “{title_case(src.title)}.”{container} {published}.{url}"
    if style == "chicago":
        container = f" {pub}," if pub else ""
        published = _written_date(src.date, us=True) or "n.d."
        url = f" {src.url}." if src.url else ""
        said = f"“{_inner(p)},” " if p.verbatim else f"{_inner(p)}, "
        title = title_case(src.title)
        note = f"{p.who}{when}, {said}{how} {src.author}, “{title},”{container} {published}.{url}"
        bib = f"{_author_inverted(src.author)}. “{title}.”{container} {published}.{url}"
        return f"{note}\n\n{bib}"
    if style == "bibtex":
        return _bibtex(record_id, p)
    raise CiteError(f"unknown style {style!r}; choose one of {', '.join(STYLES)}")


_BIB_SPECIAL = {c: "\\" + c for c in "&%$#_{}"}
_BIB_SPECIAL.update({"~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}"})


def _bib(text: str) -> str:
    return "".join(_BIB_SPECIAL.get(ch, ch) for ch in text)


def _bib_url(url: str) -> str:
    """A URL that cannot leave its field: braces, backslashes, spaces, controls and non-ASCII
    percent-encoded, as a URL may always be written (``%``, ``#`` and ``~`` are fine in a url field)."""
    return "".join(
        ch if ch.isascii() and ch.isprintable() and ch not in "{}\\ \"" else "".join(f"%{b:02X}" for b in ch.encode())
        for ch in url
    )


def _bibtex(record_id: str, p: Parts) -> str:
    src = p.source
    date = components(src.date)
    key = re.sub(r"[^A-Za-z0-9:-]", "", f"{_surname(src.author).lower()}{date[0] if date else ''}:{record_id}")
    said = f"``{_bib(p.words)}''" if p.verbatim else _bib(p.words)
    stated = f"{_bib(p.who)}{', ' + _bib(p.when) if p.when else ''}"
    fields = [
        ("author", _bib(_author_inverted(src.author))),
        ("title", _bib(src.title)),
        ("howpublished", _bib(src.publisher or "")),
        ("year", str(date[0]) if date else ""),
        ("month", ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"][date[1] - 1])
        if date and date[1]
        else ("month", ""),
        ("url", _bib_url(src.url or "")),
        ("note", f"{stated}: {said}"),
    ]
    lines = []
    for name, value in fields:
        if not value:
            continue
        lines.append(f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}")
    return f"@misc{{{key},\n" + ",\n".join(lines) + "\n}"
