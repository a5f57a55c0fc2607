"""JSON Lines datasets: one record a line, read as a stream; what `export --format jsonl` writes loads back."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kurskcli import reading
from kurskcli.dataset import DatasetError, load_dataset
from kurskcli.model import Dataset
from kurskcli.reading import DataFileError

from .conftest import MINI, Result

Run = Callable[..., Result]


def _records(ds: Dataset) -> dict[str, object]:
    return {
        rec.id: rec._replace(origin="")
        for table in (ds.sources, ds.actors, ds.quotes, ds.claims, ds.events)
        for rec in table.values()
    }


@pytest.mark.parametrize("suffix", [".jsonl", ".ndjson"])
def test_an_exported_dataset_loads_back_the_same(run: Run, tmp_path: Path, bundled: Dataset, suffix: str) -> None:
    out = tmp_path / f"kursk{suffix}"
    assert run("export", str(out)).code == 0
    back = load_dataset([out], bundled=False)
    assert _records(back) == _records(bundled)
    assert [i.id for i in back.infos] == ["kursk-2025"]
    # and the commands answer from it as from the bundled data
    for args in (
        ["quote", "putin", "--json"],
        ["search", "monument", "--json"],
        ["show", "e-kcna-cmc-statement", "--json"],
    ):
        assert run(*args, "--no-bundled", "--data", str(out)).json() == run(*args).json(), args


def test_a_user_dataset_round_trips_too(run: Run, tmp_path: Path, mini: Dataset) -> None:
    out = tmp_path / "mini.jsonl"
    assert run("export", str(out), "--data", str(MINI), "--no-bundled").code == 0
    assert _records(load_dataset([out], bundled=False)) == _records(mini)


def _write(tmp_path: Path, lines: list[object]) -> Path:
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n")
    return path


def _as_document(tmp_path: Path, lines: list[Any]) -> Path:
    """``lines`` (records of JSON Lines) written as one JSON document, each type in the order read."""
    head = lines[0]
    doc: dict[str, Any] = {"schema_version": head["schema_version"]}
    doc["dataset"] = {key: value for key, value in head.items() if key not in ("type", "schema_version")}
    for table in ("sources", "actors", "quotes", "claims", "events"):
        doc[table] = [{k: v for k, v in rec.items() if k != "type"} for rec in lines if rec["type"] + "s" == table]
    path = tmp_path / "d.json"
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), "utf-8")
    return path


def _mini_lines() -> list[object]:
    doc = json.loads(MINI.read_text("utf-8"))
    head = {"type": "dataset", "schema_version": doc["schema_version"], **doc["dataset"]}
    out: list[object] = [head]
    for table, kind in (
        ("sources", "source"),
        ("actors", "actor"),
        ("quotes", "quote"),
        ("claims", "claim"),
        ("events", "event"),
    ):
        out += [{"type": kind, **rec} for rec in doc.get(table, [])]
    return out


def test_problems_are_located_by_line_and_all_reported(tmp_path: Path) -> None:
    lines = _mini_lines()
    lines[3] = "{not json"
    lines.insert(
        5,
        {
            "type": "quote",
            "id": "q-x",
            "speaker": "nobody",
            "text": "x",
            "kind": "direct",
            "source": {"id": "mini-src", "start": 0, "end": 1},
        },
    )
    lines.append({"type": "planet", "id": "p"})
    lines.append([1, 2])
    path = _write(tmp_path, lines)
    with pytest.raises(DatasetError) as err:
        load_dataset([path], bundled=False)
    found = [str(p) for p in err.value.problems]
    assert any(f"{path}: line 4: invalid JSON at column 2" in m for m in found), found
    assert any(f"{path}: line 6.speaker: unknown actor 'nobody'" in m for m in found), found
    assert any(": line 6.text:" in m or ": line 6.source:" in m for m in found), found
    assert any(
        f"line {len(lines) - 1}.type: expected one of source, actor, quote, claim, event, got 'planet'" in m
        for m in found
    )
    assert any(f"line {len(lines)}: expected an object, got an array" in m for m in found)


def test_the_first_line_must_describe_the_dataset(tmp_path: Path, run: Run) -> None:
    lines = _mini_lines()
    path = _write(tmp_path, lines[1:])
    r = run("verify", "--data", str(path), "--no-bundled")
    assert r.code == 65 and 'line 1: the first line must describe the dataset: {"type": "dataset", ...}' in r.out
    assert run("verify", "--data", str(_write(tmp_path, ["", "  "])), "--no-bundled").code == 65


def test_lines_are_read_as_a_stream_and_the_limit_holds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, _mini_lines())
    seen: list[list[object]] = []
    reader = reading.read_lines(path, seen=seen)
    assert next(reader)[0] == 1 and seen == []  # nothing read past the first line yet
    rest = list(reader)
    assert rest[-1][0] == len(_mini_lines()) and seen == [reading.fingerprint(path)]
    size = path.stat().st_size
    with pytest.raises(DataFileError, match="byte limit"):
        list(reading.read_lines(path, size - 1))
    monkeypatch.setenv("KURSKCLI_MAX_DATA_BYTES", str(size - 1))
    with pytest.raises(DataFileError, match="KURSKCLI_MAX_DATA_BYTES"):
        load_dataset([path], bundled=False)


def test_completion_offers_ids_from_a_jsonl_dataset(tmp_path: Path) -> None:
    from kurskcli import complete

    path = _write(tmp_path, _mini_lines())
    offered = [v for v, _ in complete.candidates(["show", "--data", str(path), "--no-bundled", "q-"])]
    assert offered == ["q-open", "q-ready", "q-safe"]


def test_a_total_limit_holds_across_all_files(tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    one = _write(tmp_path, _mini_lines())
    two = tmp_path / "two.json"
    doc = json.loads(MINI.read_text("utf-8"))
    doc["dataset"]["id"] = "two"
    for table in ("sources", "actors", "quotes", "claims", "events"):
        for rec in doc.get(table, []):
            rec["id"] = f"two-{rec['id']}"
    two.write_text(json.dumps(doc))
    each = max(one.stat().st_size, two.stat().st_size)
    assert run("verify", "--data", str(one), "--data", str(two), "--no-bundled").code in (0, 65)
    monkeypatch.setenv("KURSKCLI_MAX_TOTAL_BYTES", str(each + 10))  # room for one file, not both
    r = run("verify", "--data", str(one), "--data", str(two), "--no-bundled")
    assert (
        r.code == 66
        and "on all dataset files and source texts together" in r.err
        and "KURSKCLI_MAX_TOTAL_BYTES" in r.err
    )
    assert run("verify", "--data", str(one), "--no-bundled").code in (0, 65)  # one file alone fits
    monkeypatch.setenv("KURSKCLI_MAX_TOTAL_BYTES", "lots")
    bad = run("verify", "--data", str(one), "--no-bundled")
    assert bad.code == 2 and "KURSKCLI_MAX_TOTAL_BYTES='lots' is not a whole number" in bad.err
