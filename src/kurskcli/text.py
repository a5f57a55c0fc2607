"""Text folding shared by search, name resolution and the quote checker."""

from __future__ import annotations

import re
import unicodedata

_PUNCT_MAP = str.maketrans(
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
_WORD = re.compile(r"\w+", re.UNICODE)
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
        return fold_space(text.replace("`", "'").lower())  # the one ASCII character _PUNCT_MAP maps
    return _fold_unicode(text.translate(_PUNCT_MAP))


def _fold_unicode(text: str) -> str:
    """``fold`` for text beyond ASCII, its quotes and dashes already mapped."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return fold_space(unicodedata.normalize("NFC", stripped).casefold())


def words(text: str) -> list[str]:
    """The folded words of a text, in order."""
    return _WORD.findall(fold(text))


def has_word(text: str) -> bool:
    return _WORD.search(text) is not None


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
