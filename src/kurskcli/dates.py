"""The subset of EDTF dates the datasets use, and partial dates typed on the command line."""

import datetime as dt
import functools
import re
from typing import NamedTuple

_PART = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?([?~%])?", re.ASCII)  # used with fullmatch


class DateError(ValueError):
    """A date string outside the supported EDTF subset."""


class DateRange(NamedTuple):
    """The earliest and latest day a date can mean; ``None`` where the bound is open or unknown."""

    earliest: dt.date | None
    latest: dt.date | None
    uncertain: bool = False

    @property
    def known(self) -> bool:
        return self.earliest is not None or self.latest is not None


UNDATED = DateRange(None, None)


def _part(text: str) -> tuple[dt.date, dt.date, bool]:
    m = _PART.fullmatch(text)
    if not m:
        raise DateError(f"not an EDTF date: {text!r} (expected YYYY, YYYY-MM or YYYY-MM-DD)")
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else None
    day = int(m.group(3)) if m.group(3) else None
    qualified = m.group(4) is not None
    try:
        if month is None:
            return dt.date(year, 1, 1), dt.date(year, 12, 31), qualified
        if day is None:
            first = dt.date(year, month, 1)
            following = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
            return first, following - dt.timedelta(days=1), qualified
        d = dt.date(year, month, day)
    except ValueError as exc:
        raise DateError(f"not a real date: {text!r} ({exc})") from None
    return d, d, qualified


@functools.lru_cache(maxsize=4096)  # a dataset repeats a few dates many times
def parse_edtf(text: str | None) -> DateRange:
    """Return the day range an EDTF string (level 0 and simple level 1 intervals) covers.

    >>> parse_edtf("2025-04")
    DateRange(earliest=datetime.date(2025, 4, 1), latest=datetime.date(2025, 4, 30), uncertain=False)
    """
    if text is None:
        return UNDATED
    if not isinstance(text, str) or not text or text != text.strip():
        raise DateError(f"not an EDTF date: {text!r}")
    if "/" not in text:
        lo, hi, q = _part(text)
        return DateRange(lo, hi, q)
    left, _, right = text.partition("/")
    if "/" in right:
        raise DateError(f"not an EDTF interval: {text!r}")
    earliest = latest = None
    uncertain = False
    if left not in ("..", ""):
        earliest, _, q = _part(left)
        uncertain |= q
    if right not in ("..", ""):
        _, latest, q = _part(right)
        uncertain |= q
    if earliest is None and latest is None:
        raise DateError(f"an interval needs at least one end: {text!r}")
    if earliest and latest and earliest > latest:
        raise DateError(f"interval ends before it starts: {text!r}")
    return DateRange(earliest, latest, uncertain)


def parse_partial(text: str, *, end: bool) -> dt.date:
    """Read a user's partial date (``2025``, ``2025-04``, ``2025-04-27``) as its first or last day."""
    text = text.strip()
    m = _PART.fullmatch(text)
    if not m or m.group(4):
        raise DateError(f"{text!r} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD")
    lo, hi, _ = _part(text)
    return hi if end else lo


def components(text: str | None) -> tuple[int, int | None, int | None] | None:
    """Year, month and day that a single EDTF date names (its qualifier aside); None for an interval."""
    m = _PART.fullmatch(text) if text and "/" not in text else None
    if not m:
        return None
    return int(m.group(1)), int(m.group(2)) if m.group(2) else None, int(m.group(3)) if m.group(3) else None


def contains(outer: DateRange, inner: DateRange) -> bool:
    """Whether every day ``inner`` may mean lies within ``outer`` (an open end contains everything on its side)."""
    if outer.earliest is not None and (inner.earliest is None or inner.earliest < outer.earliest):
        return False
    return not (outer.latest is not None and (inner.latest is None or inner.latest > outer.latest))


def best_supported(witnesses: list[tuple[str, DateRange]]) -> str:
    """Of the dates several sources give for one thing, the one most of them allow.

    Each candidate date is scored by how many witnesses' ranges hold it entirely; the highest
    score wins, then the narrower range, then the witness that comes first. "Later" (26-30
    April) and "26 April" give 26 April (both allow it); 27 April against two 28 Aprils gives 28.
    """

    def width(r: DateRange) -> int:
        if r.earliest is None or r.latest is None:
            return 1 << 30
        return (r.latest - r.earliest).days

    best: tuple[int, int, int] | None = None
    chosen = witnesses[0][0]
    for order, (text, rng) in enumerate(witnesses):
        score = sum(contains(other, rng) for _, other in witnesses)
        key = (-score, width(rng), order)
        if best is None or key < best:
            best, chosen = key, text
    return chosen


_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def human_date(edtf: str) -> str:
    """A short reading of an EDTF date: '26 Apr 2025', 'Apr 2025', 'by 30 Apr 2025', '9 May 2025?'.

    English month names whatever the locale, and no platform-specific strftime codes.
    """

    def one(part: str) -> str:
        m = _PART.fullmatch(part)
        if m is None:
            return part
        year, month, day, qualifier = m.groups()
        if month is None:
            text = year
        elif not 1 <= int(month) <= 12:
            return part
        elif day is None:
            text = f"{_MONTH_ABBR[int(month) - 1]} {year}"
        else:
            text = f"{int(day)} {_MONTH_ABBR[int(month) - 1]} {year}"
        return text + (qualifier or "")

    if "/" not in edtf:
        return one(edtf)
    left, right = edtf.split("/", 1)
    if left in ("", ".."):
        return f"by {one(right)}"
    if right in ("", ".."):
        return f"from {one(left)}"
    a, b = one(left), one(right)
    if a[-8:] == b[-8:] and a[:-8].strip().isdigit():  # same month: "26–30 Apr 2025"
        return f"{a[:-9]}–{b}"
    return f"{a} – {b}"


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def precision(text: str | None) -> str:
    """The finest unit a date string names: ``day``, ``month``, ``year`` or ``none``."""
    if not text:
        return "none"
    finest = "none"
    order = {"none": 0, "year": 1, "month": 2, "day": 3}
    for part in text.split("/"):
        m = _PART.fullmatch(part)
        if not m:
            continue
        p = "day" if m.group(3) else "month" if m.group(2) else "year"
        if order[p] > order[finest]:
            finest = p
    return finest


# A witness's words give a day outright (a number, a month) or relative to the page's own date
# (a weekday, "yesterday", "that day"), which the page must then give.
_ABSOLUTE_DAY = (
    r"\d|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(\b|$)"
    r"|январ|феврал|март|апрел|\bма[йя]\b|июн|июл|август|сентябр|октябр|ноябр|декабр"
)
_RELATIVE_DAY = (
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today)\b"
    r"|понедельник|вторник|\bсред[ау]\b|четверг|пятниц|суббот|воскресень|вчера|сегодня|어제|오늘|이날|그제"
)


@functools.cache
def _day_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Compiled when first asked: only checking a dataset asks, and every command imports this module."""
    return re.compile(_ABSOLUTE_DAY, re.IGNORECASE), re.compile(_RELATIVE_DAY, re.IGNORECASE)


def gives_a_day(words: str, *, page_dated: bool) -> bool:
    """Whether a witness's ``words`` give a day: outright, or relative to the page's own date
    where the page gives one (``page_dated``)."""
    absolute, relative = _day_patterns()
    return bool(absolute.search(words) or (page_dated and relative.search(words)))
