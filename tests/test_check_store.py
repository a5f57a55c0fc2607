"""The misquote checker over a user's dataset: a quote's words are found among the quotes the
store's search index finds holding them all, and every verdict is the one the files give."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from kurskcli.text import has_word

from .conftest import Result, count_rows_read

Run = Callable[..., Result]
OFF = {"KURSKCLI_CACHE": "off"}


@pytest.fixture
def data(tmp_path: Path, bundled_lines: list[object]) -> list[str]:
    """The bundled data as a user's JSON Lines dataset, alone, its store built."""
    path = tmp_path / "kursk.jsonl"
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in bundled_lines), "utf-8")
    return ["--data", str(path), "--no-bundled"]


def _texts(bundled_lines: list[object]) -> list[str]:
    """Texts to check: quotes whole and in part, in other typography, with a word changed, and
    words a source prints outside any quote, or none does."""
    rng = random.Random(7)
    quotes = [line["text"] for line in bundled_lines if isinstance(line, dict) and line.get("type") == "quote"]
    out = ["we will never forget our friends", "a sentence no one in these pages ever said at all"]
    for text in quotes:
        words = text.split()
        cut = rng.randrange(len(words))
        out += [text, " ".join(words[cut : cut + 4]), text.replace("'", "’").upper()]
        out.append(" ".join([*words[:cut], "zebra", *words[cut + 1 :]]))
    out.append("Russia had neither confirmed nor denied the presence of DPRK forces")  # the article's own words
    return [text for text in out if has_word(text)]


def test_every_verdict_from_the_store_is_the_verdict_of_the_files(
    run: Run, data: list[str], bundled_lines: list[object]
) -> None:
    assert run("search", "monument", *data).code == 0  # the store is built
    verdicts = set()
    for text in _texts(bundled_lines):
        got, expected = run("check", text, *data, "--json"), run("check", text, *data, "--json", env=OFF)
        assert (got.code, got.out) == (expected.code, expected.out), text
        verdicts.add(json.loads(got.out)["verdict"])
    assert verdicts == {"verbatim", "typographic", "near", "in_source", "not_found"}
    for args in (["--color", "never"], []):
        text = "we will never forget our friends"
        got, expected = run("check", text, *data, *args, tty=True), run("check", text, *data, *args, env=OFF, tty=True)
        assert got.out == expected.out and "Verbatim" in got.out
    plain = run("check", "we will never forget our friends", *data)  # piped: tab-separated lines
    assert plain.out == run("check", "we will never forget our friends", *data, env=OFF).out
    assert plain.out.startswith("verbatim\t100\t")


def test_a_quote_is_checked_without_reading_every_record(
    run: Run, data: list[str], monkeypatch: pytest.MonkeyPatch, bundled_lines: list[object]
) -> None:
    assert run("search", "monument", *data).code == 0
    read = count_rows_read(monkeypatch)
    records = sum(1 for line in bundled_lines if isinstance(line, dict) and line.get("type") != "dataset")
    assert run("check", "we will never forget our friends", *data).code == 0
    # the few quotes holding every word, the actors, and what showing the verdict needs
    actors = sum(1 for line in bundled_lines if isinstance(line, dict) and line.get("type") == "actor")
    assert len(read) < actors + 15 < records
    read.clear()
    assert run("check", "a sentence no one in these pages ever said at all", *data).code == 1
    # no quote holds it and no source prints it: every quote is compared with it, one at a
    # time, and no claim or event is read; the actors come with every verdict
    quotes = sum(1 for line in bundled_lines if isinstance(line, dict) and line.get("type") == "quote")
    assert len(set(read)) == quotes + actors
