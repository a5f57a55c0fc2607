"""The EDTF subset: earliest and latest days, intervals, uncertainty, and typed partial dates."""

from __future__ import annotations

import datetime as dt

import pytest

from kurskcli.dates import DateError, parse_edtf, parse_partial, precision

D = dt.date


@pytest.mark.parametrize(
    ("text", "lo", "hi", "uncertain"),
    [
        ("2025-04-26", D(2025, 4, 26), D(2025, 4, 26), False),
        ("2025-04", D(2025, 4, 1), D(2025, 4, 30), False),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29), False),
        ("2025", D(2025, 1, 1), D(2025, 12, 31), False),
        ("2025-04-26/2025-04-30", D(2025, 4, 26), D(2025, 4, 30), False),
        ("../2025-04-26", None, D(2025, 4, 26), False),
        ("2025-04-27/..", D(2025, 4, 27), None, False),
        ("2025-05-09?", D(2025, 5, 9), D(2025, 5, 9), True),
    ],
)
def test_parse(text: str, lo: dt.date | None, hi: dt.date | None, uncertain: bool) -> None:
    r = parse_edtf(text)
    assert (r.earliest, r.latest, r.uncertain) == (lo, hi, uncertain)


def test_null_is_undated() -> None:
    assert not parse_edtf(None).known


@pytest.mark.parametrize(
    "bad", ["", " 2025", "2025-13", "2025-02-30", "26 April", "2025/2024", "../..", "2025-04-30/2025-04-01", "1/2/3"]
)
def test_rejects(bad: str) -> None:
    with pytest.raises(DateError):
        parse_edtf(bad)


def test_partial_dates_for_filters() -> None:
    assert parse_partial("2025-04", end=False) == D(2025, 4, 1)
    assert parse_partial("2025-04", end=True) == D(2025, 4, 30)
    assert parse_partial("2025", end=True) == D(2025, 12, 31)
    with pytest.raises(DateError):
        parse_partial("2025-13", end=False)


def test_precision() -> None:
    assert precision("2025-04-26/2025-04-30") == "day"
    assert precision("2025-04") == "month"
    assert precision(None) == "none"
