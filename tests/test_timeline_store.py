"""The timeline of a user's dataset, read from its store in date order as it is printed."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kurskcli.dates import DateRange
from kurskcli.model import Dataset, Span
from kurskcli.query import order_text, sort_key

from .conftest import MINI, Result, count_rows_read
from .test_index import caches

Run = Callable[..., Result]

VARIANTS = [
    ["--quotes"],
    ["--quotes", "--claims", "--jsonl"],
    ["--claims", "--json"],
    ["--quotes", "--since", "2025-04-28", "--strict"],
    ["--quotes", "--actor", "putin", "--header"],
    ["--quotes", "--limit", "7", "--json"],
    ["--quotes", "--claims", "--color", "always"],
]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "mini.json"
    shutil.copy(MINI, path)
    return path


@pytest.mark.parametrize("args", VARIANTS, ids=" ".join)
def test_the_timeline_from_the_store_is_the_timeline_of_the_files(
    run: Run, data: Path, private_cache: Path, args: list[str]
) -> None:
    expected = run("timeline", *args, "--data", str(data), env={"KURSKCLI_CACHE": "off"})
    assert expected.code == 0 and expected.out
    first = run("timeline", *args, "--data", str(data))  # builds the store, then reads it
    assert caches(private_cache)
    again = run("timeline", *args, "--data", str(data))
    assert (first.code, first.out, first.err) == (again.code, again.out, again.err) == (0, expected.out, "")


@pytest.mark.parametrize(
    "args",
    [
        ["--jsonl"],
        ["--disputed"],
        ["--kind", "figure", "--json"],
        ["--claimant", "petrov", "--limit", "1"],
        ["--color", "always"],
    ],
    ids=" ".join,
)
def test_the_claims_from_the_store_are_the_claims_of_the_files(run: Run, data: Path, args: list[str]) -> None:
    expected = run("claims", *args, "--data", str(data), env={"KURSKCLI_CACHE": "off"})
    got = run("claims", *args, "--data", str(data))
    assert (got.code, got.out, got.err) == (expected.code, expected.out, expected.err)
    assert expected.code in (0, 1)


@pytest.fixture
def rows_read(run: Run, data: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The numbers of the store's records read (each checked by its digest), once it is saved."""
    assert run("search", "bridge", "--data", str(data)).code == 0
    return count_rows_read(monkeypatch)


TIMELINE = ["timeline", "--quotes", "--claims", "--jsonl"]


def test_the_timeline_reads_no_more_of_the_store_than_it_prints(run: Run, data: Path, rows_read: list[int]) -> None:
    whole = run(*TIMELINE, "--data", str(data))
    read_whole = len(rows_read)
    rows_read.clear()
    got = run(*TIMELINE, "--data", str(data), "--limit", "2")
    assert got.code == whole.code == 0 and got.out.splitlines() == whole.out.splitlines()[:2]
    # every row printed is read once; beside them, the events and renderings that showing them needs
    printed = len(whole.out.splitlines())
    assert printed > 50
    assert len(rows_read) <= read_whole - (printed - 2 - 3)  # 2 printed, and the next of each of 3 kinds


def test_the_timeline_of_an_actor_reads_only_the_records_naming_it(run: Run, data: Path, rows_read: list[int]) -> None:
    every = run(*TIMELINE, "--data", str(data))
    read_every = len(rows_read)
    rows_read.clear()
    got = run(*TIMELINE, "--data", str(data), "--actor", "petrov")
    expected = run(*TIMELINE, "--data", str(data), "--actor", "petrov", env={"KURSKCLI_CACHE": "off"})
    assert got.code == 0 and got.out == expected.out and 0 < len(got.out.splitlines()) < len(every.out.splitlines())
    # besides what showing them needs, the records naming him, not every quote and claim
    printed = len(every.out.splitlines()) - len(got.out.splitlines())
    assert len(rows_read) <= read_every - printed


def test_a_timeline_out_of_order_in_the_store_is_refused_and_the_store_removed(
    run: Run, data: Path, private_cache: Path
) -> None:
    expected = run("timeline", "--quotes", "--data", str(data), env={"KURSKCLI_CACHE": "off"})
    assert run("timeline", "--quotes", "--data", str(data)).out == expected.out
    [saved] = caches(private_cache)
    con = sqlite3.connect(saved)
    con.execute("UPDATE records SET sort = '0' || sort WHERE id = 'q-putin-tribute'")  # first of all, wrongly
    con.commit()
    con.close()
    got = run("timeline", "--quotes", "--data", str(data))
    assert got.code == 74
    assert got.err.startswith("kurskcli: the saved index of these datasets is damaged")
    assert got.err.count("\n") == 1 and "run the command again" in got.err
    assert caches(private_cache) == []
    assert run("timeline", "--quotes", "--data", str(data)).out == expected.out


# few days and sources, so that records tie on them and the later parts of the order count
_days = st.one_of(
    st.none(),
    st.sampled_from([dt.date(1, 1, 1), dt.date(2025, 4, 26), dt.date(2025, 4, 30), dt.date(9999, 12, 31)]),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
)
_ids = st.one_of(st.sampled_from(["s", "s-2", "s.2", "S"]), st.from_regex(r"[a-z0-9][a-z0-9.:-]{0,8}", fullmatch=True))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(_days, _days, _ids, _ids, st.one_of(st.integers(0, 20), st.integers(0, 10**9))),
        min_size=2,
        max_size=12,
    )
)
def test_the_order_the_store_keeps_is_the_timeline_order(
    bundled: Dataset, picks: list[tuple[dt.date | None, dt.date | None, str, str, int]]
) -> None:
    quote = next(iter(bundled.quotes.values()))
    recs = [
        quote._replace(id=f"{rec_id}-{i}", dates=DateRange(a, b), span=Span(source, start, start + 1))
        for i, (a, b, rec_id, source, start) in enumerate(picks)
    ]
    assert sorted(recs, key=order_text) == sorted(recs, key=sort_key)
