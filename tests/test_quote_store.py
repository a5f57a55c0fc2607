"""Every quote (``kurskcli quote`` with no speaker), in date order with each utterance's other
renderings after it: read from a user's store as it is printed, in the order and with the
random pick of the files."""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from kurskcli.model import Dataset
from kurskcli.query import grouped, grouped_key, in_date_order

from .conftest import Result, count_rows_read

Run = Callable[..., Result]
OFF = {"KURSKCLI_CACHE": "off"}


@pytest.fixture
def data(tmp_path: Path, bundled_lines: list[object], private_cache: Path) -> list[str]:
    """The bundled data (quotes in several renderings) as a user's JSON Lines dataset, alone."""
    path = tmp_path / "kursk.jsonl"
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in bundled_lines), "utf-8")
    return ["--data", str(path), "--no-bundled"]


def test_grouped_quotes_come_in_the_order_of_their_grouped_key(bundled: Dataset) -> None:
    expected = sorted(bundled.quotes.values(), key=lambda q: grouped_key(bundled, q))
    got = list(grouped(in_date_order(bundled, ["quote", "event"]), bundled))
    assert [q.id for q in got] == [q.id for q in expected]
    assert any(q.renders for q in got)  # renderings are placed, not only lone quotes


@pytest.mark.parametrize(
    "args",
    [[], ["--json"], ["--jsonl"], ["--limit", "3", "--header"], ["--limit", "14", "--json"], ["--only", "--jsonl"]],
    ids=" ".join,
)
def test_every_quote_from_the_store_is_every_quote_of_the_files(run: Run, data: list[str], args: list[str]) -> None:
    expected = run("quote", *args, *data, env=OFF)
    assert expected.code == 0 and expected.out
    for _ in range(2):  # the first builds the store
        got = run("quote", *args, *data)
        assert (got.code, got.out, got.err) == (0, expected.out, "")


def test_every_quote_on_a_terminal_from_the_store_is_as_from_the_files(run: Run, data: list[str]) -> None:
    expected = run("quote", "--limit", "5", "--color", "always", *data, env=OFF, tty=True)
    assert run("search", "x", *data).code in (0, 1)  # the store is built
    got = run("quote", "--limit", "5", "--color", "always", *data, tty=True)
    assert got.code == 0 and got.out == expected.out and "\x1b[" in got.out


def test_a_random_quote_is_the_pick_of_random_choice_over_every_quote_with_the_same_seed(
    run: Run, data: list[str], bundled: Dataset
) -> None:
    ordered = [q.id for q in sorted(bundled.quotes.values(), key=lambda q: grouped_key(bundled, q))]
    picks = set()
    for seed in range(12):
        expected = random.Random(seed).choice(ordered)
        for args in (data, ["--no-bundled", "--data", data[1]], []):  # the store twice, then the bundled data
            got = run("quote", "--random", "--seed", str(seed), "--json", *args)
            assert [q["id"] for q in json.loads(got.out)] == [expected], (seed, args)
        picks.add(expected)
    assert len(picks) > 3


def test_a_few_quotes_are_read_from_the_store_without_reading_every_quote(
    run: Run, tmp_path: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quotes, text = [], ""
    for n in range(200):
        words = f"Quote number {n} said."
        span = {"id": "s", "start": len(text), "end": len(text) + len(words)}
        quotes.append({"type": "quote", "id": f"q{n:03d}", "speaker": "a", "date": f"2025-04-{n % 28 + 1:02d}",
                       "text": words, "kind": "direct", "source": span})  # fmt: skip
        text += words + " "
    source = {"type": "source", "id": "s", "title": "S", "author": "A", "url": "https://example.org/s", "text": text}
    lines = [{"type": "dataset", "schema_version": "1.0", "id": "many", "version": "1", "title": "Many quotes"}]
    lines += [source, {"type": "actor", "id": "a", "name": "A", "kind": "person"}, *quotes]
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
    data = ["--data", str(path), "--no-bundled"]
    every = run("quote", "--jsonl", *data)
    assert every.code == 0 and len(every.out.splitlines()) == 200
    read = count_rows_read(monkeypatch)
    got = run("quote", "--jsonl", "--limit", "2", *data)
    assert got.code == 0 and got.out.splitlines() == every.out.splitlines()[:2]
    assert len(read) <= 2 + 1 + 1  # the two printed, the next in turn, the one actor


def test_a_dataset_without_quotes_has_none_to_show(run: Run, tmp_path: Path, bundled_lines: list[object]) -> None:
    path = tmp_path / "no-quotes.jsonl"
    kept = [line for line in bundled_lines if isinstance(line, dict) and line["type"] != "quote"]
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in kept), "utf-8")
    for env in (OFF, {}, {}):  # the files, then the store as it is built and once it is saved
        for args in (["--json"], ["--random"], []):
            got = run("quote", *args, "--data", str(path), "--no-bundled", env=env)
            assert (got.code, got.err) == (1, "kurskcli: no quotes in the data\n"), (env, args)
            assert got.out == ("[]\n" if args == ["--json"] else "")


def test_a_store_found_damaged_once_quotes_are_printed_is_removed_and_the_next_run_answers(
    run: Run, data: list[str], private_cache: Path, bundled_lines: list[object]
) -> None:
    expected = run("quote", "--jsonl", *data, env=OFF)
    assert run("quote", "--jsonl", *data).out == expected.out
    [saved] = [p for p in private_cache.glob("*") if p.suffix != ".lock"]
    last = [line["id"] for line in bundled_lines if isinstance(line, dict) and line["type"] == "quote"][-1]
    con = sqlite3.connect(saved)
    con.execute("UPDATE records SET sort = '0' || sort WHERE id = ?", (last,))  # out of its place
    con.commit()
    con.close()
    got = run("quote", "--jsonl", *data)
    assert got.code == 74 and got.err.count("\n") == 1 and "run the command again" in got.err
    assert not [p for p in private_cache.glob("*") if p.suffix != ".lock"]
    again = run("quote", "--jsonl", *data)
    assert (again.code, again.out) == (0, expected.out)
