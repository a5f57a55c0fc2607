"""The checked copy of the bundled dataset in the cache folder: used when current, never trusted otherwise."""

from __future__ import annotations

import json
import marshal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kurskcli import __version__, cache
from kurskcli import data as package
from kurskcli.dataset import BUNDLED_NAME, load_dataset
from kurskcli.model import Dataset

from .conftest import MINI, Result

TABLES = ("sources", "actors", "quotes", "claims", "events")
DOCTORED = "A sentence nobody said."


def copy_file(folder: Path) -> Path:
    return folder / f"bundled-{__version__}.marshal"


def assert_same(a: Dataset, b: Dataset) -> None:
    for table in TABLES:
        assert getattr(a, table) == getattr(b, table), table
        assert list(getattr(a, table)) == list(getattr(b, table)), f"{table} order"
    assert a.infos == b.infos


def doctor(folder: Path, change: Callable[[list[Any]], None]) -> None:
    """Rewrite the saved copy through ``change`` (which gets it as nested lists)."""
    path = copy_file(folder)
    data = list(marshal.loads(path.read_bytes()))
    change(data)
    path.write_bytes(marshal.dumps(tuple(data)))


def putin_text(data: list[Any]) -> None:
    """Put DOCTORED in place of the text of q-putin-tribute (tables: sources, actors, quotes, ...)."""
    for row in data[4][2]:
        if row[0] == "q-putin-tribute":
            row[4] = DOCTORED


def putin_quote(run: Callable[..., Result], **env: str) -> str:
    r = run("show", "q-putin-tribute", "--json", env=env)
    assert r.code == 0, r.err
    text = r.json()["text"]  # type: ignore[index]
    assert isinstance(text, str)
    return text


def test_a_full_load_saves_a_copy_that_reads_back_the_same(private_cache: Path) -> None:
    full = load_dataset()
    assert copy_file(private_cache).is_file()
    copied = cache.load_bundled()
    assert copied is not None
    assert_same(copied, full)
    assert_same(copied, load_dataset(verify_hashes=True))


def test_every_record_prints_the_same_from_the_copy(run: Callable[..., Result], private_cache: Path) -> None:
    cold = run("export", "-", "--format", "jsonl", env={"KURSKCLI_CACHE": "off"})
    assert not copy_file(private_cache).exists()
    run("about")  # saves the copy
    assert copy_file(private_cache).is_file()
    warm = run("export", "-", "--format", "jsonl")
    assert cold.code == warm.code == 0
    assert warm.out == cold.out and len(warm.out.splitlines()) > 50
    assert run("timeline").out == run("timeline", env={"KURSKCLI_CACHE": "off"}).out


def test_the_copy_is_what_later_runs_read(run: Callable[..., Result], private_cache: Path) -> None:
    real = putin_quote(run)
    doctor(private_cache, putin_text)
    assert putin_quote(run) == DOCTORED  # proof that the copy, not the JSON, was read
    assert putin_quote(run, KURSKCLI_CACHE="off") == real
    assert run("verify").code == 0  # verify always reads the package in full
    assert real in run("show", "q-putin-tribute", "--data", str(MINI)).out  # so does any user dataset


def test_a_changed_package_file_is_noticed(
    run: Callable[..., Result], private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = putin_quote(run)
    original = package.read

    def edited(name: str) -> bytes:
        data = original(name)
        if name == BUNDLED_NAME:
            doc = json.loads(data)
            for q in doc["quotes"]:
                if q["id"] == "q-putin-tribute":
                    q["context"] = "Edited after the copy was saved."
            data = json.dumps(doc).encode()
        return data

    monkeypatch.setattr(package, "read", edited)
    assert cache.load_bundled() is None
    r = run("show", "q-putin-tribute", "--json")
    assert r.json()["context"] == "Edited after the copy was saved."  # type: ignore[index]
    assert putin_quote(run) == real


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"not marshal data at all",
        b"\x00" * 100,
        "truncated",
        marshal.dumps((1, 2, 3)),
        marshal.dumps(["kurskcli-bundled/1", __version__, [], [], [[], [], [["too", "few"]], [], []]]),
        marshal.dumps(("another-format/9", __version__, [], [], [[], [], [], [], []])),
        marshal.dumps((cache.FORMAT, "0.0.0-other", [], [], [[], [], [], [], []])),
        "stale checksum",
    ],
)
def test_a_damaged_or_stale_copy_is_ignored_and_replaced(
    damage: bytes | str, run: Callable[..., Result], private_cache: Path
) -> None:
    want = run("timeline", "--json").out
    path = copy_file(private_cache)
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:-500])
    elif damage == "stale checksum":

        def stale(data: list[Any]) -> None:
            putin_text(data)
            data[2][0][1][1] ^= 1

        doctor(private_cache, stale)
    else:
        assert isinstance(damage, bytes)
        path.write_bytes(damage)
    assert cache.load_bundled() is None
    r = run("timeline", "--json")
    assert r.code == 0 and r.err == "" and r.out == want
    assert DOCTORED not in run("show", "q-putin-tribute").out
    assert cache.load_bundled() is not None  # saved again by the full load


def test_no_copy_is_written_when_caching_is_off(run: Callable[..., Result], private_cache: Path) -> None:
    assert run("timeline", env={"KURSKCLI_CACHE": "off"}).code == 0
    assert not private_cache.exists()


def test_an_unwritable_cache_folder_changes_nothing(run: Callable[..., Result], private_cache: Path) -> None:
    private_cache.parent.mkdir(parents=True, exist_ok=True)
    private_cache.write_text("a file where the folder should be")
    for _ in range(2):
        r = run("quote", "putin", "--json")
        assert r.code == 0 and r.err == "" and r.json()
    assert private_cache.read_text() == "a file where the folder should be"


def test_saving_leaves_no_temporary_file(private_cache: Path) -> None:
    load_dataset()
    assert [p.name for p in private_cache.iterdir()] == [copy_file(private_cache).name]
