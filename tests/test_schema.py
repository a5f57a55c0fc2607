"""The format declared once: the Structs, the shipped JSON Schema and the loader's checks agree."""

from __future__ import annotations

import contextlib
import copy
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kurskcli import schema
from kurskcli.dataset import (
    FIELDS,
    DatasetError,
    _Build,
    _typed_document,
    load_dataset,
    parse_json,
)

from .conftest import FIXTURES, MINI


def _escapes_surrogate(raw: bytes) -> bool:
    return re.search(rb"\\u[dD][89a-fA-F]", raw) is not None


def _declared(obj: Any, name: str) -> bool:
    """Whether ``obj`` (decoded JSON) is the object ``name`` of the declared format."""
    try:
        msgspec.convert(obj, schema.OBJECTS[name])
    except (msgspec.ValidationError, UnicodeError):  # a lone surrogate is not text
        return False
    return True


def mini_doc() -> dict[str, Any]:
    return copy.deepcopy(json.loads(MINI.read_text("utf-8")))


def test_the_shipped_json_schema_is_the_one_generated_from_the_declaration() -> None:
    shipped = json.loads(resources.files("kurskcli.data").joinpath("schema.json").read_text("utf-8"))
    assert shipped == schema.json_schema(), "run: python -m kurskcli.schema > src/kurskcli/data/schema.json"


def test_the_loaders_own_field_list_is_the_declarations() -> None:
    assert set(FIELDS) == set(schema.OBJECTS)
    for name, struct in schema.OBJECTS.items():
        required, optional = schema.fields(struct)
        assert set(FIELDS[name][0]) == set(required), name
        assert set(FIELDS[name][1]) == set(optional), name


def test_the_shipped_json_schema_names_exactly_the_fields_the_loader_reads() -> None:
    shipped = json.loads(resources.files("kurskcli.data").joinpath("schema.json").read_text("utf-8"))
    names = {"Document": "document", "Info": "dataset", "Witness": "witness", "Span": "span"}
    for title, definition in shipped["$defs"].items():
        required, optional = FIELDS[names.get(title, title.lower())]
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


# ----------------------------------------------------------------------------- the two paths agree


def _result(build: _Build, checker: Any) -> tuple[list[str], list[Any]]:
    """What a finished load gives: its problems and every table it built."""
    build.finish()
    ds = build.ds
    return [str(p) for p in checker.problems], [ds.infos, ds.sources, ds.actors, ds.quotes, ds.claims, ds.events]


def _outcome(doc: Any) -> tuple[list[str], list[Any]]:
    build = _Build(False)
    return _result(build, build.add_document(copy.deepcopy(doc), "mini.json", FIXTURES))


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


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(MINI_PLACES), st.sampled_from(VALUES)), min_size=1, max_size=3))
def test_a_document_the_declaration_accepts_loads_the_same_by_both_paths(changes: list[Any]) -> None:
    doc = mini_doc()
    for place, value in changes:
        with contextlib.suppress(KeyError, IndexError, TypeError):  # the place is gone after an earlier change
            _mutate(doc, place, value)
    raw = json.dumps(doc).encode()
    hand = _outcome(doc)
    typed = _typed_outcome(raw)
    if not _escapes_surrogate(raw) and _declared(doc, "document"):
        assert typed == hand  # the same records, or the same problems
    elif _declared(doc, "document"):
        assert b"\\ud" in raw  # only a surrogate escape sends a declared document the long way
        assert typed is None
    else:
        assert hand[0], "the declaration refuses what the loader accepts"
        assert typed is None


def _typed_outcome(raw: bytes) -> tuple[list[str], list[Any]] | None:
    """What a load through msgspec's decoding gives, if it takes the document."""
    doc = _typed_document(raw)
    if doc is None:
        return None
    build = _Build(False)
    return _result(build, build.add_typed(doc, "mini.json", FIXTURES))


def _dumps(value: Any, twice: int, again: Any, seen: list[int]) -> str:
    """JSON text of ``value`` in which the object numbered ``twice`` (counting from 0 in the order
    they are written) gives its last key a second time, with the value ``again``."""
    if isinstance(value, dict):
        number = len(seen)
        seen.append(number)
        pairs = [f"{json.dumps(k)}: {_dumps(v, twice, again, seen)}" for k, v in value.items()]
        if number == twice and value:
            pairs.append(f"{json.dumps(list(value)[-1])}: {json.dumps(again)}")
        return "{" + ", ".join(pairs) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_dumps(v, twice, again, seen) for v in value) + "]"
    return json.dumps(value)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 40), st.sampled_from(VALUES[1:]))
def test_msgspec_decoding_never_takes_a_document_that_gives_a_key_twice(twice: int, again: Any) -> None:
    doc = mini_doc()
    text = _dumps(doc, twice, again, [])
    if text == json.dumps(doc):
        return  # no object numbered so
    with pytest.raises(DatasetError, match="duplicate key"):
        parse_json(text, "mini.json")
    assert _typed_document(text.encode()) is None


def _with_key_twice(doc: dict[str, Any], place: tuple[Any, ...], key: str) -> str:
    """JSON text of ``doc`` in which the object at ``place`` gives ``key`` twice, as it is."""
    target: Any = doc
    for step in place:
        target = target[step]
    marker = "@@twice@@"
    target[marker] = None
    text = json.dumps(doc)
    del target[marker]
    return text.replace(f'"{marker}": null', f"{json.dumps(key)}: {json.dumps(target[key])}")


@pytest.mark.parametrize(
    ("place", "key"),
    [((), "dataset"), (("quotes", 0), "text"), (("quotes", 1, "source"), "end"), (("dataset",), "id")],
)
def test_a_key_given_twice_with_the_same_value_is_still_refused(place: tuple[Any, ...], key: str) -> None:
    text = _with_key_twice(mini_doc(), place, key)
    with pytest.raises(DatasetError, match="duplicate key"):
        parse_json(text, "mini.json")
    assert _typed_document(text.encode()) is None


def test_an_escaped_colon_keeps_a_document_from_msgspec_even_where_it_would_hide_a_repeated_key() -> None:
    doc = mini_doc()
    doc["quotes"][0]["context"] = "asked: when"
    plain = json.dumps(doc)
    assert _typed_document(plain.encode()) is not None
    escaped = plain.replace("asked: when", "asked\\u003a when")
    assert _typed_document(escaped.encode()) is None  # decoded the same; the long way reads it
    assert parse_json(escaped, "mini.json") == doc
    # one key given twice and one colon spelled as an escape: as many colons as msgspec writes
    hidden = _with_key_twice(doc, ("quotes", 1), "kind").replace("asked: when", "asked\\u003a when")
    assert _typed_document(hidden.encode()) is None


NUMBER_PLACES = [
    ("sources", 0, "length"),
    ("quotes", 0, "source", "start"),
    ("quotes", 1, "source", "end"),
    ("claims", 0, "source", "end"),
    ("events", 0, "sources", 0, "start"),
    ("events", 0, "dated_by", 0, "source", "end"),
]


def _typed_line(raw: bytes) -> Any:
    """The record msgspec decodes from one JSON Lines line, or None where the full checks read it."""
    from kurskcli.dataset import _LINE_KIND, _typed_lines

    found = _LINE_KIND.match(raw)
    items = _typed_lines()(found[1].decode(), [(1, raw)]) if found else None
    return items and items[0][1]


@pytest.mark.parametrize("place", NUMBER_PLACES)
def test_a_number_the_strict_parser_refuses_keeps_a_document_or_line_from_msgspec(place: tuple[Any, ...]) -> None:
    doc = mini_doc()
    doc["events"][0]["dated_by"] = [{"date": "2024-03-03", "source": {"id": "mini-src", "start": 0, "end": 5}}]
    for value, refused in ((10**18 - 1, False), (10**18, True)):
        _mutate(doc, place, value)
        text = json.dumps(doc)
        if refused:
            with pytest.raises(DatasetError, match="number too large"):
                parse_json(text, "mini.json")
        assert (_typed_document(text.encode()) is None) == refused
        record = doc[place[0]][place[1]]
        line = json.dumps({"type": place[0][:-1], **record}).encode()
        assert (_typed_line(line) is None) == refused


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda raw: raw.replace(b'"start": 0', b'"start": 12345678901234567890', 1), "number too large"),
        (lambda raw: raw.replace(b"xxxx", b"x\xffxx", 1), "invalid UTF-8 at line 1"),
        (lambda raw: b"\xef\xbb\xbf" + raw, None),  # a byte order mark is fine
    ],
)
def test_a_large_file_msgspec_refuses_gets_the_message_of_the_full_checks(
    tmp_path: Path, edit: Any, message: str | None
) -> None:
    doc = mini_doc()
    doc["dataset"]["description"] = "x" * (1 << 20)  # over the size from which msgspec decodes
    path = tmp_path / "large.json"
    path.write_bytes(edit(json.dumps(doc).encode()))
    assert _typed_document(path.read_bytes()) is None
    if message is None:
        assert load_dataset([path], bundled=False).quotes["q-open"].text == "the bridge will open in spring"
        return
    with pytest.raises(DatasetError) as info:
        load_dataset([path], bundled=False)
    [problem] = info.value.problems
    assert problem.path == "$" and message in problem.message, problem


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(list(schema.RECORDS)), st.sampled_from(VALUES), st.sampled_from(VALUES))
def test_a_json_lines_record_the_declaration_accepts_loads_the_same_by_both_paths(
    kind: str, first: Any, second: Any
) -> None:
    doc = mini_doc()
    records = [("source", r) for r in doc["sources"]] + [("actor", r) for r in doc["actors"]]
    records += [(k[:-1], r) for k in ("quotes", "claims", "events") for r in doc[k]]
    chosen = [r for k, r in records if k == kind]
    keys = sorted({key for r in chosen for key in r})
    _mutate(chosen[0], (keys[len(keys) // 2],), first)
    _mutate(chosen[-1], (keys[0],), second)
    head = {"type": "dataset", "schema_version": "1.0", **doc["dataset"]}
    lines = [json.dumps(head)] + [json.dumps({"type": k, **r}) for k, r in records]
    numbered = [(n, line.encode()) for n, line in enumerate(lines, 1)]

    def outcome(declared: bool) -> tuple[list[str], list[Any]]:
        build = _Build(False)
        return _result(build, build.add_lines(numbered, "mini.jsonl", FIXTURES, declared=declared))

    assert outcome(True) == outcome(False)


def _mini_lines() -> list[str]:
    doc = mini_doc()
    lines = [json.dumps({"type": "dataset", "schema_version": "1.0", **doc["dataset"]})]
    for key in ("sources", "actors", "quotes", "claims", "events"):
        lines += [json.dumps({"type": key[:-1], **record}) for record in doc[key]]
    return lines


def _lines_outcome(lines: list[str], declared: bool) -> tuple[list[str], list[Any]]:
    build = _Build(False)
    numbered = [(n, line.encode()) for n, line in enumerate(lines, 1)]
    return _result(build, build.add_lines(numbered, "mini.jsonl", FIXTURES, declared=declared))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_json_lines_record_that_gives_a_key_twice_is_refused_by_both_paths(data: st.DataObject) -> None:
    lines = _mini_lines()
    number = data.draw(st.integers(1, len(lines) - 1))
    record = json.loads(lines[number])
    key = data.draw(st.sampled_from(sorted(record)))
    again = data.draw(st.sampled_from([record[key], *VALUES[1:]]))
    lines[number] = lines[number][:-1] + f", {json.dumps(key)}: {json.dumps(again)}}}"
    typed, full = _lines_outcome(lines, True), _lines_outcome(lines, False)
    assert typed == full
    assert f"mini.jsonl: line {number + 1}: invalid JSON: duplicate key {key!r}" in full[0]


def test_json_lines_records_that_start_with_their_type_are_decoded_by_msgspec(monkeypatch: pytest.MonkeyPatch) -> None:
    from kurskcli import dataset

    expected = _lines_outcome(_mini_lines(), False)[1]
    read = []
    monkeypatch.setattr(dataset, "_decode_line", lambda ck, raw, where: read.append(where) or json.loads(raw))
    lines = _mini_lines()
    lines[-1] = json.dumps({k: v for k, v in json.loads(lines[-1]).items() if k != "type"} | {"type": "event"})
    lines[-2] = lines[-2].replace('"type": "', ' \t{ "type" :"', 1)[3:]  # white space is fine
    problems, tables = _lines_outcome(lines, True)
    assert not problems and tables == expected
    assert read == ["line 1", f"line {len(lines)}"]  # the first line, and the one whose type comes last


def test_a_large_file_is_checked_against_the_declaration_and_a_bad_one_still_gets_every_problem(
    tmp_path: Path,
) -> None:
    doc = mini_doc()
    doc["dataset"]["description"] = "x" * (1 << 20)  # over the size from which the declaration is used
    good = tmp_path / "good.json"
    good.write_text(json.dumps(doc), "utf-8")
    assert not _escapes_surrogate(good.read_bytes()) and _declared(doc, "document")
    with pytest.MonkeyPatch.context() as mp:  # msgspec decodes it; the hand-written walk is not needed
        mp.setattr(_Build, "add_document", None)
        assert load_dataset([good], bundled=False).quotes["q-open"].text == "the bridge will open in spring"
    stranger = copy.deepcopy(doc)  # decoded by msgspec, refused by the loader's own checks
    stranger["quotes"][0]["speaker"] = "nobody"
    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps(stranger), "utf-8")
    assert _typed_document(unknown.read_bytes()) is not None
    with pytest.raises(DatasetError) as refused:
        load_dataset([unknown], bundled=False)
    assert [str(p) for p in refused.value.problems] == [f"{unknown}: $.quotes[0].speaker: unknown actor 'nobody'"]
    twice = tmp_path / "twice.json"
    twice.write_text(_with_key_twice(doc, ("quotes", 1), "speaker"), "utf-8")
    with pytest.raises(DatasetError, match=r"twice.json: \$: invalid JSON: duplicate key 'speaker'"):
        load_dataset([twice], bundled=False)
    del doc["quotes"][1]["speaker"]
    doc["actors"][0]["kind"] = "robot"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(DatasetError) as info:
        load_dataset([bad], bundled=False)
    found = [str(p) for p in info.value.problems]
    assert f"{bad}: $.quotes[1]: missing required field 'speaker'" in found
    assert any(p.startswith(f"{bad}: $.actors[0].kind: 'robot' is not one of") for p in found)


@pytest.mark.parametrize(
    ("place", "value", "message"),
    [
        (("quotes", 0, "type"), "banana", "$.quotes[0].type: must be 'quote'"),
        (("sources", 0, "sha256"), "abc", "$.sources[0].sha256: expected 64 lowercase hex digits"),
        (("sources", 0, "length"), -1, "$.sources[0].length: expected a whole number >= 0"),
        (("$schema",), 5, "$.$schema: expected a string, got a number"),
        (("schema_version",), "1.x", "$.schema_version: unsupported schema version '1.x'"),
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
    assert not _declared(doc, "document")


@pytest.mark.parametrize("declared", [True, False])
def test_a_json_lines_file_with_too_many_problems_stops_being_read(declared: bool) -> None:
    from kurskcli.dataset import MAX_PROBLEMS

    lines = _mini_lines()
    quote = json.loads(next(line for line in lines if '"quote"' in line[:20]))
    many = 100 * MAX_PROBLEMS + 50
    lines += [json.dumps(quote)] * many  # each a duplicate id
    lines += ["not json"] * many
    problems, _ = _lines_outcome(lines, declared)
    assert (
        problems[-1]
        == f"mini.jsonl: line {len(lines) - 2 * many + 100 * MAX_PROBLEMS + 2}: too many problems; stopped reading"
    )
    assert all("duplicate id" in p for p in problems[:-1])


def test_the_bundled_data_loads_the_same_decoded_by_msgspec_as_a_document_and_as_lines() -> None:
    import kurskcli.data
    from kurskcli.dataset import BUNDLED_ORIGIN, bundled_bytes

    raw = bundled_bytes()
    decoded = _typed_document(raw)
    assert decoded is not None  # Cyrillic, Hangul, renderings, notes, witnesses: all as declared
    typed_build, full_build = _Build(False), _Build(False)
    typed = _result(typed_build, typed_build.add_typed(decoded, BUNDLED_ORIGIN, None))
    full = _result(full_build, full_build.add_document(json.loads(raw), BUNDLED_ORIGIN, None))
    assert typed == full and not full[0] and len(full[1][3]) > 30

    doc = json.loads(raw)
    lines = [json.dumps({"type": "dataset", "schema_version": doc["schema_version"], **doc["dataset"]})]
    for key in ("sources", "actors", "quotes", "claims", "events"):
        lines += [json.dumps({"type": key[:-1], **record}, ensure_ascii=False) for record in doc[key]]
    numbered = [(n, line.encode()) for n, line in enumerate(lines, 1)]
    folder = Path(kurskcli.data.__file__).parent
    by_line = {}
    for declared in (True, False):
        build = _Build(False)
        by_line[declared] = _result(build, build.add_lines(numbered, BUNDLED_ORIGIN, folder, declared=declared))
    assert by_line[True] == by_line[False] and not by_line[True][0]
    assert by_line[True][1][3] == full[1][3]  # the same quotes as the document gives


def test_a_json_lines_record_that_is_not_utf8_gets_the_message_of_the_full_checks() -> None:
    lines = _mini_lines()
    lines.append(json.dumps({"type": "actor", "id": "x", "name": "@", "kind": "person"}))
    numbered = [(n, line.encode().replace(b"@", b"\xff")) for n, line in enumerate(lines, 1)]
    assert _typed_line(numbered[-1][1]) is None
    outcomes = []
    for declared in (True, False):
        build = _Build(False)
        outcomes.append(_result(build, build.add_lines(numbered, "mini.jsonl", FIXTURES, declared=declared)))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == [f"mini.jsonl: line {len(lines)}: invalid UTF-8 at column 39"]


def _many_quote_lines(count: int) -> list[str]:
    """The mini data as JSON Lines, with ``count`` more quotes (copies of one, under new ids)."""
    lines = _mini_lines()
    quote = json.loads(next(line for line in lines if line.startswith('{"type": "quote"')))
    return lines + [json.dumps({**quote, "id": f"q-more-{i}"}) for i in range(count)]


def test_a_run_of_quote_lines_is_decoded_in_one_go(monkeypatch: pytest.MonkeyPatch) -> None:
    from kurskcli import dataset

    lines = _many_quote_lines(1200)  # more than two runs
    expected = _lines_outcome(lines, False)
    one_at_a_time = []
    typed_lines = dataset._typed_lines

    def counted() -> Any:
        typed = typed_lines()

        def each(kind: str, run: list[tuple[int, bytes]]) -> Any:
            if len(run) == 1:
                one_at_a_time.append(run[0][1])
            return typed(kind, run)

        return each

    monkeypatch.setattr(dataset, "_typed_lines", counted)
    outcome = _lines_outcome(lines, True)
    assert outcome == expected and not outcome[0] and len(outcome[1][3]) > 1200
    # only the records that are not quotes are decoded one at a time
    assert one_at_a_time and not any(raw.startswith(b'{"type": "quote"') for raw in one_at_a_time)


RUN_EDITS = [
    lambda line: line[:-1] + ', "speaker": "petrov"}',  # a key given twice
    lambda line: line.replace('"start": ', '"start": 1000000000000000000', 1),  # a number the strict parser refuses
    lambda line: line.replace('"kind": "', '"kind": "x', 1),  # not one of the kinds
    lambda line: line.replace('"speaker": "', '"speaker": "a b', 1),  # not an id
    lambda line: line.replace('"context": "', '"context": "\\u003a', 1),  # an escaped colon (a good record)
    lambda line: line[:-1],  # not JSON
    # a key given twice, and an escaped colon that would make up for it in a count of colons
    lambda line: line.replace('"context": "', '"context": "\\u003a', 1)[:-1] + ', "speaker": "alpha-news"}',
    lambda line: line.replace('"speaker": "', '"speaker": "no', 1),  # declared, but an unknown actor
    lambda line: re.sub('"id": "q-more-[0-9]+"', '"id": "q-open"', line, count=1),  # declared, but an id used twice
]


@pytest.mark.parametrize("edit", range(len(RUN_EDITS)))
@pytest.mark.parametrize("where", [0, 7, 499, 650, 1199])
def test_a_run_with_a_line_the_declaration_refuses_loads_as_line_by_line(edit: int, where: int) -> None:
    lines = _many_quote_lines(1200)
    at = len(lines) - 1200 + where
    lines[at], was = RUN_EDITS[edit](lines[at]), lines[at]
    assert lines[at] != was
    typed, full = _lines_outcome(lines, True), _lines_outcome(lines, False)
    assert typed == full
    assert bool(full[0]) == (edit != 4)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(schema.LINE_RECORDS)), st.data())
def test_a_record_decoded_without_patterns_holds_to_them_where_the_declaration_takes_it(
    kind: str, data: st.DataObject
) -> None:
    lines = [json.loads(line) for line in _mini_lines()[1:]]
    record = data.draw(st.sampled_from([line for line in lines if line["type"] == kind]))
    for place in data.draw(st.lists(st.sampled_from(_places(record)), min_size=1, max_size=2)):
        with contextlib.suppress(KeyError, IndexError, TypeError):
            _mutate(record, place, data.draw(st.sampled_from(VALUES)))
    raw = json.dumps(record).encode()
    strict = msgspec.json.Decoder(schema.LINE_RECORDS[kind])
    try:
        taken = strict.decode(raw)
    except msgspec.DecodeError:  # its validation errors too
        taken = None
    try:
        loose = schema.LINES[kind].decode(raw)
    except msgspec.DecodeError:
        assert taken is None  # what the twin refuses, the declaration refuses
        return
    assert schema.holds([loose], schema.LINE_RECORDS[kind]) == (taken is not None)
    if taken is not None:
        assert msgspec.json.encode(loose) == msgspec.json.encode(taken)
