"""Text folding shared by search, name resolution and the quote checker, the word differences
they show, and ``safe()``, the one rule for text that reaches a terminal."""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

# Typography that stands for the same character to a reader: quotation marks, apostrophes, dashes,
# the no-break space (matching, check, and locate's reading of notes all fold these alike).
TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u02bc": "'",
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
    }
)
WORD = re.compile(r"\w+")  # a word, as search, matching and the store split text
# Hangul syllables decompose under NFKD; they must be recomposed, not stripped.
_COMBINING_KEEP = re.compile(r"[\u1100-\u11ff]")


def fold_space(text: str) -> str:
    """Collapse every run of white space into one space and trim the ends.

    ``str.split`` and the regular expression ``\\s+`` know the same white space (``str.isspace``);
    the split is several times faster, which a large dataset's load feels (see the benchmarks).
    Text that is printable holds no white space but the ASCII space (every other white space
    character is a control or separator), so with no two spaces together and none at either end
    it is returned as it is, without being split: most quotes are, and are read ten times faster.
    """
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def fold(text: str) -> str:
    """Fold case, accents, curly quotes, dashes and white space for matching.

    Hangul and Cyrillic letters survive (й and ё fold to и and е, as Russian
    readers commonly type them).
    """
    if text.isascii():  # nothing to decompose or strip: the common case, 20 times faster
        return fold_space(text.replace("`", "'").lower())  # the one ASCII character TYPOGRAPHY maps
    return _fold_unicode(text.translate(TYPOGRAPHY))


def _fold_unicode(text: str) -> str:
    """``fold`` for text beyond ASCII, its quotes and dashes already mapped."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return fold_space(unicodedata.normalize("NFC", stripped).casefold())


def words(text: str) -> list[str]:
    """The folded words of a text, in order."""
    return WORD.findall(fold(text))


def has_word(text: str) -> bool:
    return WORD.search(text) is not None


def safe(text: str, *, keep_newlines: bool = False) -> str:
    """Make untrusted text inert for a terminal: control, format and bidi characters, and the
    noncharacters (U+FFFE, U+FFFF, U+FDD0..U+FDEF and their kin, which XML forbids or shuns),
    become visible escapes.

    Every piece of text kurskcli prints outside JSON passes through here (plain cells, the
    terminal renderer, citations, messages on stderr, completion descriptions). With
    ``keep_newlines``, line feeds stay line feeds (a citation has several lines); a tab is
    always a space.
    """
    if text.isprintable():  # no control, format, surrogate, private-use or line-separator character
        return text
    out = []
    for ch in text:
        if ch == "\t":
            out.append(" ")
        elif ch == "\n" and keep_newlines:
            out.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp") or _noncharacter(ch):
            out.append(f"\\u{ord(ch):04x}" if ord(ch) > 0xFF else f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return "".join(out)


def _noncharacter(ch: str) -> bool:
    code = ord(ch)
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


_WORD_EDGES = re.compile(r"^\W+|\W+$")


def is_word_char(ch: str) -> bool:
    """Whether ``ch`` is a word character (``\\w``), as the regular expression module decides."""
    return ch.isalnum() or ch == "_"


def fold_words(text: str) -> list[str]:
    """The folded words of ``text`` as written, each without the punctuation at its ends (a
    word of punctuation alone is kept whole)."""
    return [
        # most words begin and end with a word character (``is_word_char``, written out: a call
        # costs as much again), and the regular expression costs five times the test
        w if (w[0].isalnum() or w[0] == "_") and (w[-1].isalnum() or w[-1] == "_") else _WORD_EDGES.sub("", w) or w
        for w in fold(text).split()
    ]


class Change(NamedTuple):
    """One difference: what the text said against what the quote says."""

    # "changed", "added" (words the text adds), "omitted" (words of the quote it leaves out),
    # or "typography" (the same word, written with other characters: quotes, dashes, case)
    op: str
    said: str
    actual: str


_OPS = {"replace": "changed", "delete": "added", "insert": "omitted"}
_RAW_WORDS = re.compile(r"\S+")


def diff_words(said: str, actual: str) -> tuple[list[Change], bool]:
    """Word differences between ``said`` and the stretch of ``actual`` it best lines up with,
    and whether that stretch is less than the whole of ``actual``."""
    import difflib

    a_raw, b_raw = _RAW_WORDS.findall(said), _RAW_WORDS.findall(actual)
    a, b = fold_words(said), fold_words(actual)
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


# A sentence ends at . ! ? or … (and any closing quotation mark) before a space and a capital
# letter, a digit or an opening mark; not after initials such as "U.S.".
_SENTENCE_BREAK = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"”»’]))(?<![A-Z]\.[A-Z]\.)\s+(?=[\"“«(\[]?[A-ZА-ЯЁ0-9])")
_PAIRED = 0.3  # the share of words (difflib's ratio) two sentences need in common to be paired


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, as written."""
    return [part for part in _SENTENCE_BREAK.split(text.strip()) if part]


def align_words(said: str, actual: str) -> tuple[list[Change], list[int], int]:
    """Word differences between a rendering (``said``) and the quote it renders (``actual``),
    sentence by sentence: each sentence of ``said`` is compared with the sentence of ``actual``
    it has most words in common with, and one with none near enough is reported whole as
    added. Also: which sentences of ``actual`` (from 0) are paired, and how many it has, so
    that a rendering of part of a quote is said to cover that part rather than compared word
    by word with the rest."""
    import difflib

    ours, theirs = sentences(said), sentences(actual)
    if len(ours) <= 1 and len(theirs) <= 1:
        return diff_words(said, actual)[0], [0], 1
    folded = [fold_words(sentence) for sentence in theirs]
    free = set(range(len(theirs)))
    changes: list[Change] = []
    for sentence in ours:
        words = fold_words(sentence)
        scored = [(difflib.SequenceMatcher(a=words, b=folded[i], autojunk=False).ratio(), -i) for i in free]
        best, minus_i = max(scored, default=(0.0, 0))
        if best < _PAIRED:
            changes.append(Change("added", sentence, ""))
            continue
        free.discard(-minus_i)
        changes += diff_words(sentence, theirs[-minus_i])[0]
    return changes, sorted(set(range(len(theirs))) - free), len(theirs)
