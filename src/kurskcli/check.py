"""Checking a quotation someone saw elsewhere against the quotes in the data."""

from __future__ import annotations

import difflib
import re
from typing import NamedTuple

from kurskcli.model import Dataset, Quote, Source
from kurskcli.searcher import MAX_QUERY_CHARS, QueryError
from kurskcli.text import fold, has_word

NEAR_CUTOFF = 75.0  # partial_ratio (0-100) a passage needs to count as a near match
MAX_CHECK_CHARS = MAX_QUERY_CHARS * 8
_WORDS = re.compile(r"\S+")


class Change(NamedTuple):
    """One word-level difference: what the text said against what the quote says."""

    op: str  # "changed"; "added": words the text adds; "omitted": words of the quote it leaves out
    said: str
    actual: str


class CheckResult(NamedTuple):
    verdict: str  # "verbatim", "near", "in_source" or "not_found"
    text: str
    quote: Quote | None = None
    score: int = 0
    partial: bool = False
    changes: tuple[Change, ...] = ()
    source: Source | None = None
    start: int | None = None


def _wordfold(text: str) -> list[str]:
    return [re.sub(r"^\W+|\W+$", "", w) or w for w in fold(text).split()]


def check_quote(dataset: Dataset, text: str) -> CheckResult:
    """Say whether ``text`` is a verbatim quote, a near match (with word differences), or not in the data."""
    if len(text) > MAX_CHECK_CHARS:
        raise QueryError(f"the text is longer than {MAX_CHECK_CHARS} characters; check a shorter passage")
    if not has_word(text):
        raise QueryError("the text has no letters or digits to check")
    said = " ".join(_wordfold(text))
    quotes = [(q, " ".join(_wordfold(q.text))) for q in sorted(dataset.quotes.values(), key=lambda q: q.id)]
    for q, actual in quotes:
        if re.search(r"(?<!\S)" + re.escape(said) + r"(?!\S)", actual):
            return CheckResult("verbatim", text, q, 100, partial=said != actual)
    from rapidfuzz import fuzz

    best: tuple[float, Quote] | None = None
    for q, actual in quotes:
        score = fuzz.partial_ratio(said, actual)
        if best is None or score > best[0]:
            best = (score, q)
    if best is not None and best[0] >= NEAR_CUTOFF:
        score, q = best
        changes, partial = diff_words(text, q.text)
        return CheckResult("near", text, q, round(score), partial=partial, changes=tuple(changes))
    for src in sorted(dataset.sources.values(), key=lambda s: s.id):
        pos = " ".join(_wordfold(src.text)).find(said)
        if pos >= 0 and len(said) >= 12:
            return CheckResult("in_source", text, source=src, score=100)
    return CheckResult("not_found", text, score=round(best[0]) if best else 0)


_OPS = {"replace": "changed", "delete": "added", "insert": "omitted"}


def diff_words(said: str, actual: str) -> tuple[list[Change], bool]:
    """Word differences between ``said`` and the stretch of ``actual`` it best lines up with."""
    a_raw, b_raw = _WORDS.findall(said), _WORDS.findall(actual)
    a, b = _wordfold(said), _wordfold(actual)
    # Line the text up with the window of the quote it matches best, so that a short
    # misquote of a long quote is not reported as leaving out the rest of it.
    blocks = [blk for blk in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_matching_blocks() if blk.size]
    starts = sorted({max(0, blk.b - blk.a) for blk in blocks} | {blk.b for blk in blocks} | {0})
    # Score a window by the words it shares with the text, less a little for every word of
    # length it differs by: an elision still lines up with the whole stretch it skips.
    best = (-1.0, 0, len(b))
    for lo in starts:
        for hi in range(lo + 1, min(len(b), lo + 2 * len(a) + 5) + 1):
            shared = sum(
                blk.size for blk in difflib.SequenceMatcher(a=a, b=b[lo:hi], autojunk=False).get_matching_blocks()
            )
            score = 2 * shared - 0.25 * abs((hi - lo) - len(a))
            if score > best[0]:
                best = (score, lo, hi)
    _, lo, hi = best
    changes = []
    sm = difflib.SequenceMatcher(a=a, b=b[lo:hi], autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op != "equal":
            changes.append(Change(_OPS[op], " ".join(a_raw[i1:i2]), " ".join(b_raw[lo + j1 : lo + j2])))
    return changes, lo > 0 or hi < len(b)
