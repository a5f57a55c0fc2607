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

from kurskcli.dates import components, human_date
from kurskcli.model import Claim, Dataset, Quote, Source
from kurskcli.vocab import CITATION_STYLES

STYLES = CITATION_STYLES
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
    who: str | None  # the speaker or claimant; None for an unattributed claim
    via: str | None  # who relayed a quote, where the source says so
    when: str | None  # the statement's date in words, or None
    words: str
    verbatim: bool
    source: Source
    kind: str  # a quote's kind (direct, fragment, phrase) or a claim's (allegation, assessment, ...)
    disputed_by: tuple[str, ...] = ()  # names
    group_author: bool = False  # the source's author is an organization (an agency, a ministry), not a person
    caveat: str = ""  # the dataset's note on the attribution itself, which a citation must not drop

    @property
    def sentence(self) -> bool:
        """Whether the words are a whole statement, which a citation may introduce with "said"."""
        return self.kind == "direct"

    @property
    def lead(self) -> str:
        """Who, for the start of a citation: 'X', 'X (via Y)', or 'An unattributed allegation'."""
        if self.who is None:
            return f"An unattributed {self.kind}" if self.kind else "Unattributed"
        return self.who + (f" (via {self.via})" if self.via else "")

    @property
    def dispute(self) -> str:
        """' (disputed by A and B)', or nothing."""
        from kurskcli.output import join_names

        disputed = f" (disputed by {join_names(self.disputed_by)})" if self.disputed_by else ""
        return disputed + (f" [{self.caveat.rstrip('.')}]" if self.caveat else "")


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


def _untitled(src: Source) -> bool:
    """Whether the source shows no title: the dataset then gives a description in brackets."""
    return src.title.startswith("[") and src.title.endswith("]")


def _headline(src: Source) -> str:
    """A source's title as MLA and Chicago print it: headline capitals for an English title; one
    in another language keeps its own capitals (both styles follow the language's own rules)."""
    return title_case(src.title) if (src.language or "en") == "en" and not _untitled(src) else src.title


def _titled(src: Source, title: str, punct: str, *, brackets: bool = True) -> str:
    """``title`` in quotation marks with ``punct`` inside them; an untitled work's description
    stands without quotation marks (and, without ``brackets``, as MLA and Chicago print it,
    without its brackets)."""
    if _untitled(src):
        return f"{title if brackets else title[1:-1]}{punct}"
    return f"“{title}{punct}”"


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
    return _written_date(edtf) or human_date(edtf)


def _author_inverted(p: Parts) -> str:
    """'Konstantin Asmolov' -> 'Asmolov, Konstantin' (given names first, as the source prints
    them); an organization's name as it is."""
    bits = p.source.author.split()
    return f"{bits[-1]}, {' '.join(bits[:-1])}" if len(bits) > 1 and not p.group_author else p.source.author


def _author_apa(p: Parts) -> str:
    """'Asmolov, K.'; an organization's name ends with a period of its own: 'Reuters.'."""
    author = p.source.author
    bits = author.split()
    if p.group_author or len(bits) < 2:
        return author if author.endswith(".") else author + "."
    initials = " ".join(f"{b[0]}." for b in bits[:-1])
    return f"{bits[-1]}, {initials}"


def _surname(p: Parts) -> str:
    """The author's name in an in-text citation: a person's surname, an organization's name."""
    author = p.source.author
    return author if p.group_author or not author.split() else author.split()[-1]


def _short_title(src: Source) -> str:
    """A title for an in-text citation: up to its first four words, capitals as ``_headline``."""
    words = (src.title[1:-1] if _untitled(src) else src.title).split()
    short = " ".join(words[:4])
    headline = (src.language or "en") == "en" and not _untitled(src)
    return (title_case(short) if headline else short) + ("…" if len(words) > 4 else "")


def _is_group(ds: Dataset, src: Source) -> bool:
    """Whether a source's author is an organization: its actor is no person, or, with no actor
    named, it is the publisher itself (an agency publishing its own report)."""
    actor = ds.actors.get(src.author_actor) if src.author_actor else None
    if actor is not None:
        return actor.kind != "person"
    return bool(src.publisher) and src.author.strip().lower() == (src.publisher or "").strip().lower()


def parts(ds: Dataset, record_id: str) -> Parts:
    rec = ds.get(record_id)
    if isinstance(rec, Quote):
        who = ds.name_of(rec.speaker)
        src = ds.sources[rec.span.source]
        group = _is_group(ds, src)
        caveat = rec.note or "" if rec.renders is None else ""  # a rendering's note is on the rendering, not on who
        when = _statement_date(rec.date)
        return Parts(who, ds.name_of(rec.via), when, rec.text, True, src, rec.kind, (), group, caveat)
    if isinstance(rec, Claim):
        src = ds.sources[rec.span.source]
        disputers = tuple(ds.name_of(who) or who for who in rec.disputed_by)
        when = _statement_date(rec.date)
        group = _is_group(ds, src)
        return Parts(ds.name_of(rec.claimant), None, when, rec.text, rec.verbatim, src, rec.kind, disputers, group)
    kind = rec.type if rec is not None else "nothing"
    raise CiteError(f"{record_id!r} is a{'n' if kind[0] in 'aeiou' else ''} {kind}; only quotes and claims are cited")


def _inner(p: Parts) -> str:
    """The words without the final period, comma, colon or semicolon that a citation replaces."""
    return p.words.rstrip(".,;: ")


def _body(p: Parts, cited: str) -> str:
    """The first sentence of an author-date citation (APA, MLA): who, the words, where cited.

    A whole statement is introduced with "said"; a fragment or phrase, which the source
    quotes inside a sentence of its own, is not made into one, and an unattributed claim is
    put in no one's mouth: it is what the source reports.
    """
    if p.who is None:
        words = f"“{_inner(p)}”" if p.verbatim else _inner(p)
        return f"{p.lead}{p.dispute}: {words} ({cited})."
    if not p.verbatim:
        return f"{_inner(p)} ({p.lead}, {cited}){p.dispute}."
    if p.sentence:
        return f"{p.lead} said, “{_inner(p)}” ({cited}){p.dispute}."
    return f"{p.lead}, in words the source quotes: “{_inner(p)}” ({cited}){p.dispute}."


def cite(ds: Dataset, record_id: str, style: str) -> str:
    """The citation of one quote or claim in ``style`` (one of STYLES)."""
    p = parts(ds, record_id)
    src = p.source
    pub = src.publisher or ""
    when = f", {p.when}" if p.when else ""
    day = _written_date(src.date) or "undated"
    how = "quoted in" if p.verbatim and p.who is not None else "as reported in"
    own = p.group_author and pub.strip().lower() == src.author.strip().lower()  # published by its author
    if style == "plain":
        words = f"“{p.words}”" if p.verbatim else p.words
        where = f"{src.author}, {_titled(src, src.title, '')}{', ' + pub if pub and not own else ''}, {day}"
        where += f", {src.url}" if src.url else ""
        return f"{p.lead}{when}: {words} ({how} {where}){p.dispute}"
    if style == "markdown":
        from kurskcli.export import md

        title = md(src.title) if _untitled(src) else f"*{md(src.title)}*"
        credit = f"{md(p.lead)}{when}, {how} {md(src.author)}, {title}"
        credit += f"{', ' + md(pub) if pub and not own else ''}, {day}"
        credit += f", <{md(src.url)}>" if src.url else ""
        credit += (f" {md(p.dispute.strip())}" if p.dispute else "") + "."
        if p.verbatim:
            return f"> {md(p.words)}\n>\n> — {credit}"
        return f"{md(p.words)} — {credit}"
    if style == "apa":
        date = components(src.date)
        year = str(date[0]) if date else "n.d."
        stamp = year
        if date and date[1]:
            stamp += f", {_MONTHS[date[1] - 1]}" + (f" {date[2]}" if date[2] else "")
        verb = "as cited in" if p.who is not None else "as reported in"
        body = _body(p, f"{verb} {_surname(p)}, {year}")
        tail = (f" {pub}." if pub and not own else "") + (f" {src.url}" if src.url else "")
        return f"{body}\n\n{_author_apa(p)} ({stamp}). {src.title}.{tail}"
    if style == "mla":
        container = f" {pub}," if pub else ""
        url = f" {src.url}." if src.url else ""
        published = _written_date(src.date, abbreviate=True)
        # MLA leaves out a date the work does not give (no "n.d.")
        dated = f"{container} {published}." if published else f"{container.rstrip(',')}."
        entry = f"{_titled(src, _headline(src), '.', brackets=False)}{dated}{url}"
        if own:  # MLA: a work by the organization that publishes it starts with its title
            short = _titled(src, f"[{_short_title(src)}]" if _untitled(src) else _short_title(src), "", brackets=False)
            body = _body(p, f"{'qtd.' if p.who is not None else 'reported'} in {short}")
            return f"{body}\n\n{entry}"
        body = _body(p, f"{'qtd.' if p.who is not None else 'reported'} in {_surname(p)}")
        return f"{body}\n\n{_author_inverted(p).rstrip('.')}. {entry}"
    if style == "chicago":
        container = f" {pub}," if pub else ""
        published = _written_date(src.date, us=True) or "n.d."
        url = f" {src.url}." if src.url else ""
        said = f"“{_inner(p)},” " if p.verbatim else f"{_inner(p)}, "
        title = _headline(src)
        note = f"{p.lead}{p.dispute}{when}, {said}{how} {src.author}, {_titled(src, title, ',', brackets=False)}"
        note += f"{container} {published}.{url}"
        entry = f"{_titled(src, title, '.', brackets=False)}{container} {published}.{url}"
        bib = f"{_author_inverted(p).rstrip('.')}. {entry}"
        return f"{note}\n\n{bib}"
    if style == "bibtex":
        return _bibtex(record_id, p)
    raise CiteError(f"unknown style {style!r}; choose one of {', '.join(STYLES)}")


# BibTeX counts every brace, escaped or not, so "\{" would close a field early: a brace is
# written as a command whose own braces pair up.
_BIB_SPECIAL = {c: "\\" + c for c in "&%$#_"}
_BIB_SPECIAL.update(
    {
        "{": r"\textbraceleft{}",
        "}": r"\textbraceright{}",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
        "\\": r"\textbackslash{}",
    }
)


def _bib(text: str) -> str:
    return "".join(_BIB_SPECIAL.get(ch, ch) for ch in text)


def _bib_url(url: str) -> str:
    """A URL that cannot leave its field: braces, backslashes, spaces, controls and non-ASCII
    percent-encoded, as a URL may always be written (``%``, ``#`` and ``~`` are fine in a url field)."""
    return "".join(
        ch if ch.isascii() and ch.isprintable() and ch not in '{}\\ "' else "".join(f"%{b:02X}" for b in ch.encode())
        for ch in url
    )


def _bib_person(name: str) -> str:
    """'Konstantin Asmolov' -> 'Asmolov, Konstantin'. A part that holds a comma or the word
    "and" is braced, so that BibTeX reads neither as the start of another name or part."""
    bits = name.split()
    if len(bits) < 2:
        return _bib_name_part(name)
    return f"{_bib_name_part(bits[-1])}, {_bib_name_part(' '.join(bits[:-1]))}"


def _bib_name_part(text: str) -> str:
    return f"{{{_bib(text)}}}" if "," in text or re.search(r"(?i)\band\b", text) else _bib(text)


def _bibtex(record_id: str, p: Parts) -> str:
    src = p.source
    date = components(src.date)
    key = re.sub(r"[^A-Za-z0-9:-]", "", f"{_surname(p).lower()}{date[0] if date else ''}:{record_id}")
    said = f"``{_bib(p.words)}''" if p.verbatim else _bib(p.words)
    stated = f"{_bib(p.lead + p.dispute)}{', ' + _bib(p.when) if p.when else ''}"
    if p.who is None:
        stated += ", as reported"
    fields = [
        # an organization in braces, so that BibTeX does not take its last word for a surname
        ("author", f"{{{_bib(src.author)}}}" if p.group_author else _bib_person(src.author)),
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
