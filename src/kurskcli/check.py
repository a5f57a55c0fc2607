"""Checking a quotation someone saw elsewhere against the quotes in the data."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import NamedTuple

from kurskcli.model import Dataset, Quote, Record, Source, spans_of
from kurskcli.searcher import MAX_QUERY_CHARS, QueryError
from kurskcli.text import Change, diff_words, fold, fold_space, fold_words, has_word, is_word_char

NEAR_CUTOFF = 75.0  # partial_ratio (0-100) a passage needs to count as a near match
MAX_CHECK_CHARS = MAX_QUERY_CHARS * 8


class CheckResult(NamedTuple):
    # "verbatim": the exact words of a quote; "typographic": a quote's words, written with other
    # quotation marks, dashes, apostrophes, case or accents; "in_source": words the source prints
    # but not inside a quote; "near": close to a quote (the differences listed); "not_found"
    verdict: str
    text: str
    quote: Quote | None = None
    score: int = 0
    partial: bool = False
    changes: tuple[Change, ...] = ()
    source: Source | None = None
    start: int | None = None
    end: int | None = None
    record: Record | None = None  # for in_source: the record whose span holds the words, if any
    # for a quote found: every rendering of the same utterance, and whether the text is in it
    renderings: tuple[RenderingMatch, ...] = ()
    # for a quote found: the other quotes the text also stands in (other utterances), in date order
    also: tuple[Quote, ...] = ()


class RenderingMatch(NamedTuple):
    quote: Quote
    verdict: str  # "verbatim", "typographic" or "differs"


def _in_quote(q: Quote, said: str, exact: str, folded: str | None = None) -> tuple[Change, ...] | None:
    """Whether the text's folded words ``said`` stand in ``q`` (whose folded words are ``folded``)
    as whole words: None if they do not, else how ``exact`` (the text as typed) differs in
    typography (nothing for a verbatim match)."""
    folded = " ".join(fold_words(q.text)) if folded is None else folded
    if said not in folded or re.search(r"(?<!\S)" + re.escape(said) + r"(?!\S)", folded) is None:
        return None
    return tuple(typographic_changes(exact, q.text))


def _verdicts(dataset: Dataset, said: str, exact: str, quote: Quote) -> tuple[RenderingMatch, ...]:
    """For every rendering of ``quote``'s utterance: is the text in it verbatim, apart from typography, or not?"""
    from kurskcli.query import rendering_groups

    group = rendering_groups(dataset).get(quote.id, [quote])
    if len(group) < 2:
        return ()
    out = []
    for q in group:
        changes = _in_quote(q, said, exact)
        verdict = "differs" if changes is None else "typographic" if changes else "verbatim"
        out.append(RenderingMatch(q, verdict))
    return tuple(out)


_EDGES = "\"'“”‘’«»„‚ \t\n"


def checkable(text: str) -> None:
    """Raise QueryError where ``text`` cannot be checked."""
    if len(text) > MAX_CHECK_CHARS:
        raise QueryError(f"the text is longer than {MAX_CHECK_CHARS} characters; check a shorter passage")
    if not has_word(text):
        raise QueryError("the text has no letters or digits to check")


def check_quote(dataset: Dataset, text: str) -> CheckResult:
    """Say whether ``text`` is a quote verbatim, apart from typography, printed elsewhere in a
    source, a near match (with word differences), or not in the data."""
    checkable(text)
    quotes = folded_quotes(dataset.quotes.values())
    return in_quotes(dataset, text, quotes) or _elsewhere(dataset, text, quotes)


def folded_quotes(quotes: Iterable[Quote]) -> list[tuple[Quote, str]]:
    """Each quote with its folded words, in id order: what a text is looked for in."""
    return [(q, " ".join(fold_words(q.text))) for q in sorted(quotes, key=lambda q: q.id)]


def in_quotes(dataset: Dataset, text: str, quotes: list[tuple[Quote, str]]) -> CheckResult | None:
    """``check_quote``'s verdict where ``text`` is the words of one of ``quotes`` (``folded_quotes``),
    verbatim or apart from typography; None where it is none's. ``dataset`` holds the other
    renderings of each."""
    said = " ".join(fold_words(text))
    exact = fold_space(text).strip(_EDGES)
    matches = []
    for q, actual in quotes:
        typography = _in_quote(q, said, exact, actual)
        if typography is not None:
            # an exact match beats a typographic one; the rendered quote beats its renderings
            matches.append(((bool(typography), q.renders is not None, q.id), q, typography, said != actual))
    if matches:
        from kurskcli.query import rendering_groups, sort_key

        _, q, typography, partial = min(matches, key=lambda m: m[0])
        verdict = "typographic" if typography else "verbatim"
        group = {g.id for g in rendering_groups(dataset).get(q.id, [q])}
        # the other utterances the text stands in, each once: the rendered quote, or the first
        # of its renderings found
        others: dict[str, Quote] = {}
        for m in sorted(matches, key=lambda m: (m[1].renders is not None, m[1].id)):
            other: Quote = m[1]
            if other.id not in group and other.renders not in group:
                others.setdefault(other.renders or other.id, other)
        return CheckResult(
            verdict,
            text,
            q,
            100,
            partial=partial,
            changes=typography,
            renderings=_verdicts(dataset, said, exact, q),
            also=tuple(sorted(others.values(), key=sort_key)),
        )
    return None


def _elsewhere(dataset: Dataset, text: str, quotes: list[tuple[Quote, str]]) -> CheckResult:
    """``check_quote``'s verdict for a text that is no quote's words."""
    found = find_in_sources(sorted(dataset.sources.values(), key=lambda s: s.id), text)
    if found is not None:
        return in_source(text, *found, [*dataset.quotes.values(), *dataset.claims.values(), *dataset.events.values()])
    return near(dataset, text, nearest(text, quotes))


def nearest(text: str, quotes: Iterable[tuple[Quote, str]]) -> tuple[float, Quote] | None:
    """The quote of ``quotes`` (each with its folded words) most like ``text`` (rapidfuzz's
    ``partial_ratio``) and its score, the first in id order of those most like it; None if
    there is none."""
    from rapidfuzz import fuzz

    said = " ".join(fold_words(text))
    best: tuple[float, Quote] | None = None
    for q, actual in quotes:
        # a quote scoring under the best so far scores 0, sooner
        score = fuzz.partial_ratio(said, actual, score_cutoff=best[0] if best else 0)
        if best is None or score > best[0] or (score == best[0] and q.id < best[1].id):
            best = (score, q)
    return best


def near(dataset: Dataset, text: str, best: tuple[float, Quote] | None) -> CheckResult:
    """``check_quote``'s verdict for a text whose nearest quote is ``best`` (``nearest``): a near
    match if it is near enough, with the other renderings ``dataset`` holds, else not found."""
    if best is None or best[0] < NEAR_CUTOFF:
        return CheckResult("not_found", text, score=round(best[0]) if best else 0)
    score, q = best
    changes, partial = diff_words(text, q.text)
    said, exact = " ".join(fold_words(text)), fold_space(text).strip(_EDGES)
    return CheckResult(
        "near",
        text,
        q,
        round(score),
        partial=partial,
        changes=tuple(changes),
        renderings=_verdicts(dataset, said, exact, q),
    )


def in_source(text: str, src: Source, start: int, end: int, records: Iterable[Record]) -> CheckResult:
    """``check_quote``'s verdict for a text ``src`` prints at [start, end), not inside a quote:
    with the record of ``records`` whose span holds those words most tightly, if any."""
    best: tuple[int, str, Record] | None = None
    for rec in records:
        for sp in spans_of(rec):
            if sp.source == src.id and sp.start <= start and end <= sp.end:
                size = sp.end - sp.start
                if best is None or (size, rec.id) < (best[0], best[1]):
                    best = (size, rec.id, rec)
    return CheckResult("in_source", text, score=100, source=src, start=start, end=end, record=best[2] if best else None)


def typographic_changes(said: str, quote: str) -> list[Change]:
    """Where ``said`` writes a stretch of ``quote`` with other characters that fold the same.

    Empty when ``said`` is in ``quote`` character for character. The stretch is found by
    sliding a window of ``said``'s length (typographic variants are one character for one).
    """
    if said in quote:
        return []
    target = fold(said)
    for length in (len(said), len(said) - 1, len(said) + 1):
        for start in range(0, len(quote) - length + 1):
            window = quote[start : start + length]
            if fold(window) == target:
                return _char_runs(said, window)
    return [Change("typography", said, quote)]


def _char_runs(said: str, actual: str) -> list[Change]:
    out = []
    sm = difflib.SequenceMatcher(a=said, b=actual, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op != "equal":
            out.append(Change("typography", said[i1:i2], actual[j1:j2]))
    return out


class _FoldedChars(dict[int, str]):
    """A ``str.translate`` table folding each character on its own, as ``fold`` folds it (one
    that folds to nothing is kept), and white space to a space; filled as characters come."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        folded = self[code] = " " if ch.isspace() else fold(ch) or ch
        return folded


_FOLDED_CHARS = _FoldedChars()


def find_in_sources(sources: Iterable[Source], text: str) -> tuple[Source, int, int] | None:
    """Where the first of ``sources`` to print ``text`` (folded, as whole words) prints it, as
    (source, start, end); None if none does."""
    needle = fold(text).strip(_EDGES + ".,;:!?")
    if not needle:
        return None
    # The source is folded a character at a time, so that each folded character knows where it
    # came from, with its white space as it stands: a space of the needle matches any run of it.
    # The word boundary before is tested by hand: a pattern that starts with its words lets the
    # regular expression engine skip ahead to them.
    pattern = re.compile(" +".join(map(re.escape, needle.split(" "))) + r"(?!\w)")
    for src in sources:
        folded = src.text.translate(_FOLDED_CHARS)
        m = pattern.search(folded)
        while m is not None and m.start() > 0 and is_word_char(folded[m.start() - 1]):
            m = pattern.search(folded, m.start() + 1)
        if m is not None:
            grown = _grown(src.text)
            return src, _origin(m.start(), grown), _origin(m.end() - 1, grown) + 1
    return None


def _grown(text: str) -> list[tuple[int, int]]:
    """Each character of ``text`` that folds to more than one, as (its offset, how many more)."""
    longer = "".join(chr(code) for code, folded in list(_FOLDED_CHARS.items()) if len(folded) > 1)
    if not longer:
        return []
    return [(m.start(), len(_FOLDED_CHARS[ord(m.group())]) - 1) for m in re.finditer(f"[{re.escape(longer)}]", text)]


def _origin(at: int, grown: list[tuple[int, int]]) -> int:
    """The offset in a text of the character whose folding gave its folded character ``at``."""
    shift = 0
    for offset, more in grown:
        if offset + shift > at:
            break
        if at <= offset + shift + more:
            return offset
        shift += more
    return at - shift
