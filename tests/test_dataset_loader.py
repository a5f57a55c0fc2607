"""Loading user datasets: every problem is reported with its file and JSON path."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from kurskcli.dataset import DatasetError, load_dataset
from kurskcli.reading import DataFileError

from .conftest import MINI


def mini_doc() -> dict[str, Any]:
    return copy.deepcopy(json.loads(MINI.read_text("utf-8")))


def write(tmp_path: Path, doc: Any, name: str = "data.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return p


def problems(path: Path) -> list[str]:
    with pytest.raises(DatasetError) as info:
        load_dataset([path], bundled=False)
    return [str(p) for p in info.value.problems]


def test_fixture_loads_cleanly(tmp_path: Path) -> None:
    ds = load_dataset([write(tmp_path, mini_doc())], bundled=False)
    assert ds.counts() == {"sources": 1, "actors": 5, "quotes": 3, "claims": 2, "events": 4}


def test_bad_json_names_file_line_and_column(tmp_path: Path) -> None:
    p = tmp_path / "broken.json"
    p.write_text('{"schema_version": "1.0",\n  "dataset": {,}\n}', "utf-8")
    (msg,) = problems(p)
    assert msg.startswith(f"{p}: $: invalid JSON at line 2, column 15")


def test_missing_field_is_located(tmp_path: Path) -> None:
    doc = mini_doc()
    del doc["quotes"][1]["speaker"]
    p = write(tmp_path, doc)
    assert f"{p}: $.quotes[1]: missing required field 'speaker'" in problems(p)


def test_dangling_reference_is_located(tmp_path: Path) -> None:
    doc = mini_doc()
    doc["events"][0]["actors"].append("nobody")
    p = write(tmp_path, doc)
    assert f"{p}: $.events[0].actors[2]: unknown actor 'nobody'" in problems(p)


def test_span_that_does_not_match_its_text(tmp_path: Path) -> None:
    doc = mini_doc()
    doc["quotes"][0]["text"] = "the bridge will close in spring"
    p = write(tmp_path, doc)
    (msg,) = problems(p)
    assert msg.startswith(f"{p}: $.quotes[0].source: text does not match the source at [")


def test_span_outside_the_source(tmp_path: Path) -> None:
    doc = mini_doc()
    doc["claims"][0]["source"]["end"] = 10_000
    p = write(tmp_path, doc)
    (msg,) = problems(p)
    assert "$.claims[0].source: span [" in msg and "lies outside source 'mini-src'" in msg


def test_duplicate_ids_across_types(tmp_path: Path) -> None:
    doc = mini_doc()
    doc["claims"][0]["id"] = "q-open"
    p = write(tmp_path, doc)
    assert f"{p}: $.claims[0].id: duplicate id 'q-open' (first defined at $.quotes[0])" in problems(p)


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    doc = mini_doc()
    doc["actors"][0]["kind"] = "robot"
    doc["quotes"][0]["date"] = "2024-13"
    doc["events"][0]["bogus"] = 1
    p = write(tmp_path, doc)
    found = problems(p)
    assert any("$.actors[0].kind: 'robot' is not one of person" in m for m in found)
    assert any("$.quotes[0].date: not a real date" in m for m in found)
    assert any("$.events[0].bogus: unknown field" in m for m in found)


def test_every_wrong_field_of_one_record_is_reported(tmp_path: Path) -> None:
    doc = mini_doc()
    quote = doc["quotes"][0]
    quote.update(kind="speech", text=" ", colour="red")
    quote["source"]["end"] = -1
    del quote["speaker"]
    expected = [
        "$.quotes[0].text: must not be empty",
        "$.quotes[0].kind: 'speech' is not one of direct, fragment, phrase",
        "$.quotes[0].source.end: expected a whole number >= 0",
        "$.quotes[0].colour: unknown field",
        "$.quotes[0]: missing required field 'speaker'",
    ]
    found = problems(write(tmp_path, doc))
    assert sorted(m.split(": ", 1)[1] for m in found) == sorted(expected)
    lines = [{"type": "dataset", "schema_version": "1.0", **doc["dataset"]}]
    lines += [{"type": kind[:-1], **rec} for kind in ("sources", "actors", "quotes") for rec in doc[kind]]
    jsonl = tmp_path / "data.jsonl"
    jsonl.write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
    n = 1 + len(doc["sources"]) + len(doc["actors"]) + 1
    in_lines = [m.replace("$.quotes[0]", f"line {n}") for m in expected]
    assert sorted(m.split(": ", 1)[1] for m in problems(jsonl)) == sorted(in_lines)


def test_wrong_types(tmp_path: Path) -> None:
    doc = mini_doc()
    doc["quotes"][0]["source"]["start"] = "12"
    doc["actors"] = {}
    p = write(tmp_path, doc)
    found = problems(p)
    assert any(m.endswith("$.quotes[0].source.start: expected a whole number >= 0") for m in found)
    assert any(m.endswith("$.actors: expected an array, got an object") for m in found)


_BIG_LENGTH = (
    b'{"schema_version": "1.0", "dataset": {"id": "x", "version": "1", "title": "t"}, '
    b'"sources": [{"id": "s", "title": "t", "author": "a", "length": '
)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b'{"schema_version": NaN}', "$: invalid JSON at line 1, column 20: invalid character"),
        (
            b'{"schema_version": "1.0",\n "dataset": 1,}',
            "$: invalid JSON at line 2, column 15: trailing comma in object",
        ),
        (_BIG_LENGTH + b"9" * 40 + b"}]}", "$.sources[0].length: number too large"),
        (b'{"dataset": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
        (b"[" * 100_000 + b"]" * 100_000, "$: expected an object, got an array"),
        (b'{"schema_version": "\xff"}', "$: invalid JSON at line 1, column 21: invalid UTF-8"),
        ('{"a": 1}'.encode("utf-16"), "looks like UTF-16"),
    ],
)
def test_hostile_json_is_refused_cleanly(tmp_path: Path, content: bytes, expected: str) -> None:
    p = tmp_path / "x.json"
    p.write_bytes(content)
    (msg,) = problems(p)
    assert expected in msg and msg.startswith(str(p))


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    p = tmp_path / "bom.json"
    p.write_bytes(b"\xef\xbb\xbf" + MINI.read_bytes())
    assert load_dataset([p], bundled=False).counts()["quotes"] == 3


def test_lone_surrogates_are_refused(tmp_path: Path) -> None:
    doc = mini_doc()
    p = tmp_path / "s.json"
    p.write_text(json.dumps(doc).replace('"Ivan Petrov"', '"Ivan \\ud800"'), "utf-8")
    (found,) = problems(p)
    assert found.endswith(": an escaped lone surrogate (not valid Unicode text)")
    assert found.startswith(f"{p}: $: invalid JSON at line 1, column ")


@pytest.mark.parametrize("kind", ["missing", "directory", "fifo", "devzero"])
def test_unreadable_files(tmp_path: Path, kind: str) -> None:
    import os

    path = {
        "missing": tmp_path / "nope.json",
        "directory": tmp_path,
        "devzero": Path("/dev/zero"),
        "fifo": tmp_path / "fifo",
    }[kind]
    if kind == "fifo":
        os.mkfifo(path)
    with pytest.raises(DataFileError):
        load_dataset([path], bundled=False)


def test_source_file_outside_the_dataset_folder_is_refused(tmp_path: Path) -> None:
    doc = mini_doc()
    del doc["sources"][0]["text"]
    doc["sources"][0]["file"] = "../../etc/passwd"
    p = write(tmp_path, doc)
    assert any("$.sources[0].file: must be a relative path inside the dataset's folder" in m for m in problems(p))


def test_source_file_hash_is_checked(tmp_path: Path) -> None:
    doc = mini_doc()
    text = doc["sources"][0].pop("text")
    (tmp_path / "src.txt").write_text(text, "utf-8")
    doc["sources"][0]["file"] = "src.txt"
    doc["sources"][0]["sha256"] = "0" * 64
    p = write(tmp_path, doc)
    assert f"{p}: $.sources[0].sha256: the source text does not match its SHA-256" in problems(p)


def test_user_data_may_refer_to_bundled_actors(tmp_path: Path) -> None:
    doc = mini_doc()
    doc["quotes"][0]["speaker"] = "putin"
    ds = load_dataset([write(tmp_path, doc)])
    assert ds.quotes["q-open"].speaker == "putin" and "q-putin-tribute" in ds.quotes


def test_schema_file_agrees_with_the_loader(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from importlib import resources

    schema = json.loads(resources.files("kurskcli.data").joinpath("schema.json").read_text("utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    bundled = json.loads(resources.files("kurskcli.data").joinpath("kursk-2025.json").read_text("utf-8"))
    assert not list(validator.iter_errors(bundled))
    assert not list(validator.iter_errors(mini_doc()))
    for mutate in (
        lambda d: d["quotes"][0].pop("speaker"),
        lambda d: d["actors"][0].update(kind="robot"),
        lambda d: d["events"][0].update(extra=1),
        lambda d: d["quotes"][0].update(date="26 April"),
    ):
        doc = mini_doc()
        mutate(doc)
        assert list(validator.iter_errors(doc))
        with pytest.raises(DatasetError):
            load_dataset([write(tmp_path, doc)], bundled=False)


@pytest.mark.parametrize("bad", ["q-open\n", "q-open\r\n", "\nq-open", "q open", "q-open\u0660"])
def test_an_id_with_a_line_break_or_other_stray_character_is_refused(tmp_path: Path, bad: str) -> None:
    doc = mini_doc()
    doc["quotes"].append({**doc["quotes"][0], "id": bad})
    found = problems(write(tmp_path, doc))
    assert any("$.quotes[3].id" in p and "is not a valid id" in p for p in found), found


def test_a_user_actor_id_with_a_trailing_newline_cannot_shadow_a_bundled_one(tmp_path: Path) -> None:
    from .conftest import run_process

    doc = {"schema_version": "1.0", "dataset": {"id": "x", "version": "1", "title": "X"}}
    doc["actors"] = [{"id": "putin\n", "name": "Someone Else", "kind": "person"}]  # type: ignore[assignment]
    r = run_process("quote", "putin", "--data", str(write(tmp_path, doc)))
    assert r.returncode == 65 and "$.actors[0].id" in r.stderr and r.stdout == ""


@pytest.mark.parametrize("value", ["abc", "", "1e9", "-1", "0", "12abc", "٣"])
def test_a_bad_size_limit_setting_is_a_usage_error_naming_it(value: str) -> None:
    from .conftest import run_process

    r = run_process("quote", "putin", "--data", str(MINI), env={"KURSKCLI_MAX_DATA_BYTES": value})
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("kurskcli: KURSKCLI_MAX_DATA_BYTES=") and r.stderr.count("\n") == 1


def test_the_size_limit_setting_is_honoured(tmp_path: Path) -> None:
    from .conftest import run_process

    data = write(tmp_path, mini_doc())
    r = run_process("quote", "--data", str(data), env={"KURSKCLI_MAX_DATA_BYTES": "100"})
    assert r.returncode == 66 and "100-byte limit" in r.stderr
    assert run_process("quote", "--data", str(data), env={"KURSKCLI_MAX_DATA_BYTES": "10_000_000"}).returncode == 0


def test_a_bad_cache_setting_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    from .conftest import run_process

    r = run_process("search", "bridge", "--data", str(MINI), env={"KURSKCLI_CACHE": "maybe"})
    assert r.returncode == 2 and r.stderr.startswith("kurskcli: KURSKCLI_CACHE=") and r.stderr.count("\n") == 1


def test_a_sha256_with_a_trailing_newline_is_refused(tmp_path: Path) -> None:
    import hashlib

    (tmp_path / "text.txt").write_bytes(b"the bridge will open in spring")
    doc = mini_doc()
    src = doc["sources"][0]
    src.pop("text")
    src["file"] = "text.txt"
    src["sha256"] = hashlib.sha256(b"the bridge will open in spring").hexdigest() + "\n"
    found = problems(write(tmp_path, doc))
    assert any("$.sources[0].sha256" in p and "64 lowercase hex digits" in p for p in found), found


def test_a_large_document_is_loaded_in_less_memory_than_json_load_takes_to_read_it(tmp_path: Path) -> None:
    """Its bytes are let go once decoded, before the text is parsed: json.load holds both."""
    import tracemalloc

    from .test_index import big_dataset

    path = big_dataset(tmp_path, 5_000)  # 2 MB: large enough to be checked against the declaration

    def json_load() -> object:
        with path.open("rb") as f:
            return json.load(f)

    peaks = []
    for load in (json_load, lambda: load_dataset([path], bundled=False)):
        tracemalloc.start()
        try:
            load()
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert peaks[1] < 0.95 * peaks[0]


def test_a_misplaced_text_is_said_to_be_where_it_really_is(tmp_path: Path) -> None:
    doc = mini_doc()
    quote = doc["quotes"][0]
    start, end = quote["source"]["start"], quote["source"]["end"]
    quote["source"] = {"id": quote["source"]["id"], "start": start - 3, "end": end - 3}
    doc["quotes"][1]["text"] = "the bridge is certainly not ready"
    with pytest.raises(DatasetError) as err:
        load_dataset([write(tmp_path, doc)], bundled=False)
    messages = [p.message for p in err.value.problems]
    assert any(m.endswith(f"; found at [{start}, {end})") for m in messages), messages
    assert any("; the nearest passage is [" in m and "% alike" in m for m in messages), messages
