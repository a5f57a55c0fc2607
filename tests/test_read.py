"""`kurskcli read`: a source with its records marked; long terminal output goes through a pager."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from kurskcli import present, query
from kurskcli.model import Dataset

from .conftest import Result, in_terminal, needs_script

Run = Callable[..., Result]
TAG = re.compile(r"\[\[(/?)([^\]]+)\]\]")


def test_read_marks_every_span_of_the_article_piped(run: Run, bundled: Dataset) -> None:
    r = run("read")
    assert r.code == 0
    art = bundled.sources["asmolov-2025-04-30"]
    # taking the tags out gives the text back, and each tag pair encloses its record's span
    assert TAG.sub("", r.out) == art.text.rstrip("\n") + "\n"
    opened = [m.group(2) for m in TAG.finditer(r.out) if not m.group(1)]
    closed = [m.group(2) for m in TAG.finditer(r.out) if m.group(1)]
    every = {m.record.id for m in query.marks(bundled, art.id)}
    assert sorted(opened) == sorted(closed) and set(opened) == every
    assert {"q-putin-tribute", "c-video-sergievsky", "e-kcna-cmc-statement"} <= every
    inner = r.out.split("[[q-cmc-monument]]", 1)[1].split("[[/q-cmc-monument]]", 1)[0]
    assert " ".join(TAG.sub("", inner).split()) == bundled.passage(bundled.quotes["q-cmc-monument"].span)


def test_nested_spans_close_inside_out() -> None:
    from kurskcli.dates import DateRange
    from kurskcli.model import Event, Span

    def ev(i: str, a: int, b: int) -> query.Mark:
        return query.Mark(a, b, Event(i, "t", None, DateRange(None, None), "", (), (Span("s", a, b),), "o"))

    text = "abcdefgh"
    marks = sorted([ev("outer", 1, 7), ev("inner", 3, 5), ev("next", 7, 8)], key=lambda m: (m.start, -m.end))
    assert query.marked_text(text, marks) == "a[[outer]]bc[[inner]]de[[/inner]]fg[[/outer]][[next]]h[[/next]]"


def test_read_json_and_other_sources(run: Run, bundled: Dataset) -> None:
    doc = run("read", "--json").json()
    assert doc["type"] == "reading" and doc["source"]["id"] == "asmolov-2025-04-30"  # type: ignore[index, call-overload]
    text = doc["text"]  # type: ignore[index, call-overload]
    for m in doc["marks"]:  # type: ignore[index, call-overload]
        rec = bundled.get(m["id"])
        assert rec is not None and rec.type == m["type"]
        assert " ".join(text[m["start"] : m["end"]].split()) == bundled.passage(
            next(sp for sp in query.spans_of(rec) if sp.start == m["start"])
        )
    tass = run("read", "tass-2025-04-28-1950221")
    assert tass.code == 0 and "[[q-putin-tribute-tass-en]]" in tass.out
    bad = run("read", "asmolov-2025")
    assert bad.code == 1 and "did you mean asmolov-2025-04-30" in bad.err


@needs_script
def test_read_on_a_terminal_colours_and_labels(tmp_path: Path) -> None:
    r = in_terminal("read", "--color", "always", env={"LINES": "10000"})
    assert r.returncode == 0
    assert "\x1b[2m[q-putin-tribute] \x1b[0m\x1b[32m" in r.stdout and "[[" not in r.stdout


def _fake_pager(tmp_path: Path) -> tuple[str, Path]:
    log = tmp_path / "paged.txt"
    script = tmp_path / "pager.sh"
    script.write_text(f'#!/bin/sh\necho "args: $*" > {log}\ncat >> {log}\necho PAGED\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return f"{script} --flag", log


@needs_script
def test_long_terminal_output_goes_through_the_pager(tmp_path: Path) -> None:
    pager, log = _fake_pager(tmp_path)
    r = in_terminal("timeline", env={"KURSKCLI_PAGER": pager, "LINES": "20"})
    assert r.returncode == 0 and "PAGED" in r.stdout
    paged = log.read_text("utf-8")
    assert paged.startswith("args: --flag\n") and "e-kpa-arrival" in paged
    log.unlink()
    r = in_terminal("actor", "biden", env={"KURSKCLI_PAGER": pager, "LINES": "200"})  # fits: no pager
    assert r.returncode == 0 and "PAGED" not in r.stdout and not log.exists()
    r = in_terminal("timeline", "--no-pager", env={"KURSKCLI_PAGER": pager, "LINES": "20"})
    assert "PAGED" not in r.stdout and "e-kpa-arrival" in r.stdout and not log.exists()
    r = in_terminal("timeline", env={"KURSKCLI_PAGER": "", "PAGER": pager, "LINES": "20"})  # empty: none
    assert "PAGED" not in r.stdout and not log.exists()


@needs_script
def test_pager_falls_back_to_pager_then_less(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pager, log = _fake_pager(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "KURSKCLI_PAGER"}
    monkeypatch.delenv("KURSKCLI_PAGER")
    r = in_terminal("timeline", env={**env, "PAGER": pager, "LINES": "20"})
    assert "PAGED" in r.stdout and log.exists()
    out = present.Output(False, False, "auto")
    monkeypatch.setattr(present, "stdout_is_terminal", lambda: True)
    monkeypatch.delenv("PAGER", raising=False)
    monkeypatch.setattr("shutil.which", lambda name: "/usr/bin/less" if name == "less" else None)
    assert out.pager_command() == ["less", "-FRX"]
    monkeypatch.setenv("PAGER", "cat")
    assert out.pager_command() is None
    monkeypatch.setattr(present, "stdout_is_terminal", lambda: False)
    monkeypatch.setenv("PAGER", "less")
    assert out.pager_command() is None  # never when piped


def test_a_missing_pager_is_a_note_and_the_output_still_shows(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    present.page("line\n" * 500, [str(tmp_path / "no-such-pager")])
    out, err = capfd.readouterr()
    assert out.count("line\n") == 500 and "cannot run the pager" in err


def test_a_source_read_from_the_store_is_the_source_read_from_the_files(
    run: Run, bundled: Dataset, tmp_path: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kurskcli import store

    data = tmp_path / "kursk.jsonl"  # the bundled data as a dataset of one's own
    assert run("export", str(data), env={"KURSKCLI_CACHE": "off"}).code == 0
    args = ["--no-bundled", "--data", str(data)]
    assert run("search", "monument", *args).code == 0  # the store is built
    whole = store.DiskIndex._dataset
    monkeypatch.setattr(store.DiskIndex, "_dataset", lambda *a: pytest.fail(f"every record read: {a[1:]}"))
    sources = ["", "asmolov-2025-04-30", "naenara-kcna-en", "no-such-source"]
    assert set(sources[1:3]) <= set(bundled.sources)
    for source in sources:
        for mode in (["--json"], [], ["--color", "always"]):
            read = ["read", *([source] if source else []), *mode, *args]
            got = run(*read, tty=mode == ["--color", "always"])
            monkeypatch.setattr(store.DiskIndex, "_dataset", whole)
            expected = run(*read, env={"KURSKCLI_CACHE": "off"}, tty=mode == ["--color", "always"])
            monkeypatch.setattr(store.DiskIndex, "_dataset", lambda *a: pytest.fail(f"every record read: {a[1:]}"))
            assert (got.code, got.out, got.err) == (expected.code, expected.out, expected.err), read
            assert got.code == (1 if source == "no-such-source" else 0)
