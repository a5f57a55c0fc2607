"""The format declared once: the Structs, the shipped JSON Schema and the loader agree, and what
msgspec refuses is put in kurskcli's words."""

from __future__ import annotations

import contextlib
import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kurskcli import schema
from kurskcli.dataset import MAX_PROBLEMS, DatasetError, _Loader, load_dataset

from .conftest import FIXTURES, MINI


def _declared(obj: Any, name: str) -> bool:
    """Whether ``obj`` (decoded JSON) is the object ``name`` of the declared format."""
    try:
        msgspec.convert(obj, schema.OBJECTS[name])
    except (msgspec.ValidationError, UnicodeError):  # a lone surrogate is not text
        return False
    return True


def mini_doc() -> dict[str, Any]:
    return copy.deepcopy(json.loads(MINI.read_text("utf-8")))


def _mini_lines() -> list[str]:
    doc = mini_doc()
    lines = [json.dumps({"type": "dataset", "schema_version": doc["schema_version"], **doc["dataset"]})]
    for key in ("sources", "actors", "quotes", "claims", "events"):
        lines += [json.dumps({"type": key[:-1], **record}) for record in doc.get(key, [])]
    return lines


def _result(build: _Loader, checker: Any) -> tuple[list[str], list[Any]]:
    """What a finished load gives: its problems and every table it built."""
    build.finish()
    ds = build.ds
    return [str(p) for p in checker.problems], [ds.infos, ds.sources, ds.actors, ds.quotes, ds.claims, ds.events]


def _lines_outcome(lines: list[str] | list[bytes]) -> tuple[list[str], list[Any]]:
    build = _Loader(False)
    numbered = [(n, line if isinstance(line, bytes) else line.encode()) for n, line in enumerate(lines, 1)]
    return _result(build, build.add_lines(numbered, "mini.jsonl", FIXTURES))


def test_the_shipped_json_schema_is_the_one_generated_from_the_declaration() -> None:
    shipped = json.loads(resources.files("kurskcli.data").joinpath("schema.json").read_text("utf-8"))
    assert shipped == schema.json_schema(), "run: python -m kurskcli.schema > src/kurskcli/data/schema.json"


def test_the_shipped_json_schema_names_exactly_the_declared_fields() -> None:
    shipped = json.loads(resources.files("kurskcli.data").joinpath("schema.json").read_text("utf-8"))
    names = {"Document": "document", "Info": "dataset", "Witness": "witness", "Span": "span"}
    for title, definition in shipped["$defs"].items():
        required, optional = schema.fields(schema.OBJECTS[names.get(title, title.lower())])
        assert set(definition.get("required", [])) == set(required), title
        assert set(definition["properties"]) == set(required) | set(optional), title
        assert definition["additionalProperties"] is False, title


def test_the_shipped_json_schema_accepts_the_bundled_data_and_refuses_what_the_loader_refuses(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    shipped = json.loads(resources.files("kurskcli.data").joinpath("schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(shipped)
    validator = jsonschema.Draft202012Validator(shipped)
    bundled = json.loads(resources.files("kurskcli.data").joinpath("kursk-2025.json").read_text("utf-8"))
    assert not list(validator.iter_errors(bundled))
    for bad in ("q-open\n", "", " "):  # a trailing line break, empty, only white space
        doc = mini_doc()
        doc["quotes"][0]["id" if bad.strip() else "text"] = bad
        assert list(validator.iter_errors(doc)), repr(bad)
        path = tmp_path / "bad.json"
        path.write_text(json.dumps(doc), "utf-8")
        with pytest.raises(DatasetError):
            load_dataset([path], bundled=False)


# ----------------------------------------------------------------------------- what msgspec refuses


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a document a value sits at or could be added at."""
    out = [path] if path else []
    if isinstance(value, dict):
        out.append((*path, "extra"))
        for key in ("type", "date", "note", "context", "length", "sha256", "$schema", "verbatim", "file"):
            out.append((*path, key))
        for key, item in value.items():
            out.extend(_places(item, (*path, key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out.extend(_places(item, (*path, i)))
    return out


DELETE = object()
VALUES = [
    DELETE,
    *(None, "", " ", "\t", "x", "X y", "Ivan", "mini-src", "q-open", "q-open\n", "petrov", "q-ready", "city"),
    *("2024-03", "2024-03-03?", "2024/2025", "../2024", "2024-3", "1", "1.0", "1.x", "2.0", "٣"),
    *(0, 1, -1, 59, 89, 10**6, 1.0, 1.5, True, False, [], ["petrov"], [""], ["q open"], {}),
    *({"id": "mini-src", "start": 0, "end": 5}, {"id": "mini-src", "start": 5, "end": 5}, "a" * 200),
    *("full", "excerpts", "article", "direct", "phrase", "person", "state", "disputed", "figure"),
    *("source", "quote", "claim", "event", "0" * 64, "A" * 64, "text.txt", "\ud800"),
    *([{"date": "2024-03-03", "source": {"id": "mini-src", "start": 0, "end": 5}}], [{"date": None}]),
]
MINI_PLACES = _places(mini_doc())


def _mutate(doc: dict[str, Any], place: tuple[Any, ...], value: Any) -> None:
    *parents, last = place
    target: Any = doc
    for step in parents:
        target = target[step]
    if value is DELETE:
        if isinstance(target, dict):
            target.pop(last, None)
        elif isinstance(target, list) and last < len(target):
            del target[last]
    else:
        target[last] = copy.deepcopy(value)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(MINI_PLACES), st.sampled_from(VALUES)), min_size=1, max_size=3))
def test_a_document_the_declaration_refuses_gets_problems_in_kurskclis_words(changes: list[Any]) -> None:
    doc = mini_doc()
    for place, value in changes:
        with contextlib.suppress(KeyError, IndexError, TypeError):  # the place is gone after an earlier change
            _mutate(doc, place, value)
    build = _Loader(False)
    problems, tables = _result(build, build.add_document(json.dumps(doc).encode(), "mini.json", FIXTURES))
    if not _declared(doc, "document"):
        assert problems, "the loader takes what the declaration refuses"
    for problem in problems:
        where, message = problem.removeprefix("mini.json: ").split(": ", 1)
        assert where.startswith("$"), problem
        assert "`" not in message and not message[:1].isupper(), problem  # not msgspec's own words
    if not problems:
        assert _declared(doc, "document") and len(tables[3]) == len(doc.get("quotes", []))


@pytest.mark.parametrize(
    ("place", "value", "message"),
    [
        (("quotes", 0, "type"), "banana", "$.quotes[0].type: must be 'quote'"),
        (("quotes", 0, "kind"), "speech", "$.quotes[0].kind: 'speech' is not one of direct, fragment, phrase"),
        (("quotes", 0, "id"), "q open", "$.quotes[0].id: 'q open' is not a valid id (letters, digits, . _ : -)"),
        (("quotes", 0, "date"), "2024-13", "$.quotes[0].date: not a real date"),
        (("quotes", 0, "date"), "2024-3", "$.quotes[0].date: not an EDTF date"),
        (("quotes", 0, "text"), " ", "$.quotes[0].text: must not be empty"),
        (("quotes", 0, "text"), 5, "$.quotes[0].text: expected a string, got a number"),
        (("quotes", 0, "source", "end"), "9", "$.quotes[0].source.end: expected a whole number >= 0"),
        (("quotes", 0, "source", "end"), 10**19, "$.quotes[0].source.end: number too large"),
        (("quotes", 0, "source"), [], "$.quotes[0].source: expected an object, got an array"),
        (("claims", 0, "verbatim"), "yes", "$.claims[0].verbatim: expected true or false, got a string"),
        (("events", 0, "sources"), [], "$.events[0].sources: expected a non-empty array of spans"),
        (("sources", 0, "sha256"), "abc", "$.sources[0].sha256: expected 64 lowercase hex digits"),
        (("sources", 0, "url"), "javascript:x", "$.sources[0].url: is not an http:// or https:// address"),
        (("sources", 0, "length"), -1, "$.sources[0].length: expected a whole number >= 0"),
        (("$schema",), 5, "$.$schema: expected a string, got a number"),
        (("schema_version",), "1.x", "$.schema_version: unsupported schema version '1.x'"),
        (("quotes", 1, "bogus"), 1, "$.quotes[1].bogus: unknown field"),
        (("actors",), {}, "$.actors: expected an array, got an object"),
    ],
)
def test_the_loader_checks_what_the_declaration_declares(
    tmp_path: Path, place: tuple[Any, ...], value: Any, message: str
) -> None:
    doc = mini_doc()
    _mutate(doc, place, value)
    path = tmp_path / "data.json"
    path.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(DatasetError) as info:
        load_dataset([path], bundled=False)
    assert any(str(p).startswith(f"{path}: {message}") for p in info.value.problems), info.value.problems


def test_a_record_the_declaration_refuses_is_not_reported_again_where_it_is_named(tmp_path: Path) -> None:
    doc = mini_doc()
    doc["actors"][0]["kind"] = "robot"  # the actor every quote of hers names
    path = tmp_path / "data.json"
    path.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(DatasetError) as info:
        load_dataset([path], bundled=False)
    assert [p.path for p in info.value.problems] == ["$.actors[0].kind"]


def test_every_problem_of_a_file_is_reported_one_for_each_record(tmp_path: Path) -> None:
    doc = mini_doc()
    del doc["quotes"][1]["speaker"]
    doc["actors"][1]["kind"] = "robot"
    doc["quotes"][0]["speaker"] = "nobody"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(DatasetError) as info:
        load_dataset([bad], bundled=False)
    found = [str(p) for p in info.value.problems]
    assert f"{bad}: $.quotes[1]: missing required field 'speaker'" in found
    assert any(p.startswith(f"{bad}: $.actors[1].kind: 'robot' is not one of") for p in found)
    assert f"{bad}: $.quotes[0].speaker: unknown actor 'nobody'" in found


def test_a_key_given_twice_counts_as_its_last(tmp_path: Path) -> None:
    """msgspec's rule, and so the format's: the last of two equal keys of an object stands."""
    text = json.dumps(mini_doc()).replace(
        '"text": "the bridge will open in spring"', '"text": "x", "text": "the bridge will open in spring"', 1
    )
    path = tmp_path / "twice.json"
    path.write_text(text, "utf-8")
    assert load_dataset([path], bundled=False).quotes["q-open"].text == "the bridge will open in spring"


def test_a_json_lines_file_with_too_many_problems_stops_being_read() -> None:
    lines = _mini_lines()
    quote = json.loads(next(line for line in lines if '"quote"' in line[:20]))
    many = 100 * MAX_PROBLEMS + 50
    lines += [json.dumps({**quote, "kind": "speech"})] * many
    lines += ["not json"] * many
    problems, _ = _lines_outcome(lines)
    assert (
        problems[-1]
        == f"mini.jsonl: line {len(lines) - 2 * many + 100 * MAX_PROBLEMS + 2}: too many problems; stopped reading"
    )
    assert all("is not one of" in p for p in problems[:-1])


def test_the_bundled_data_loads_the_same_as_it_is_and_through_the_declaration_as_a_document_and_as_lines() -> None:
    import kurskcli.data
    from kurskcli.bundled import BUNDLED_ORIGIN, bundled_bytes

    raw = bundled_bytes()
    as_is, declared = _Loader(False), _Loader(False)
    as_is.add_bundled()
    full = _result(declared, declared.add_document(raw, BUNDLED_ORIGIN, None))
    assert not full[0] and len(full[1][3]) > 30  # Cyrillic, Hangul, renderings, notes, witnesses: all as declared
    assert full[1] == _result(as_is, as_is.checker(BUNDLED_ORIGIN))[1]
    doc = json.loads(raw)
    lines = [json.dumps({"type": "dataset", "schema_version": doc["schema_version"], **doc["dataset"]})]
    for key in ("sources", "actors", "quotes", "claims", "events"):
        lines += [json.dumps({"type": key[:-1], **record}, ensure_ascii=False) for record in doc[key]]
    build = _Loader(False)
    numbered = [(n, line.encode()) for n, line in enumerate(lines, 1)]
    by_line = _result(build, build.add_lines(numbered, BUNDLED_ORIGIN, Path(kurskcli.data.__file__).parent))
    assert not by_line[0] and by_line[1] == full[1]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            b'{"type": "actor", "id": "x", "name": "\xff", "kind": "person"}',
            "line 13: invalid JSON at column 39: invalid UTF-8",
        ),
        (
            b'{"type": "actor", "id": "x", "name": "y", "kind": "person",}',
            "line 13: invalid JSON at column 60: trailing comma in object",
        ),
        (b'["actor"]', "line 13: expected an object, got an array"),
        (
            b'{"id": "x", "name": "y", "kind": "person"}',
            "line 13.type: expected one of source, actor, quote, claim, event, got None",
        ),
        (b'{"name": "y", "type": "actor", "kind": "person"}', "line 13: missing required field 'id'"),
        (b'{"type": "actor", "id": "x", "name": "y", "kind": "robot"}', "line 13.kind: 'robot' is not one of person"),
    ],
)
def test_a_json_lines_record_msgspec_refuses_gets_its_line_and_column(line: bytes, message: str) -> None:
    lines: list[bytes] = [x.encode() for x in _mini_lines()]
    problems, _ = _lines_outcome([*lines, line])
    message = message.replace("line 13", f"line {len(lines) + 1}")
    assert problems and problems[0].startswith(f"mini.jsonl: {message}"), problems
