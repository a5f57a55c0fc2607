"""Dataset files decoded by msgspec into the declared format (``schema``), whose rules are the
format's rules, and what msgspec says of what it refuses put as the loader's problems: where
(a JSON path, or a line and a path within it) and what is wrong, in kurskcli's own words.

A document is decoded a record at a time (its arrays first as raw JSON), so that every record
msgspec refuses is a problem of its own, and each field it refuses in one too (``refusals``); a
JSON Lines file a line at a time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import msgspec

from kurskcli import schema
from kurskcli.dates import DateError, parse_edtf
from kurskcli.model import VERSION
from kurskcli.vocab import ACTOR_KINDS, CLAIM_KINDS, CLAIM_STATUSES, QUOTE_KINDS, SOURCE_CHANNELS, SOURCE_STORED


class Problems(Protocol):
    """Where problems go (``dataset._Checker``)."""

    def add(self, path: str, message: str) -> None: ...

    def refused(self, rec_id: Any) -> None:
        """A record the declaration refused had this id (or none that could be read): a reference
        to it is not reported again as one to a record that is not there."""


class RawDocument(msgspec.Struct, forbid_unknown_fields=True):
    """A document with its records left as raw JSON, each decoded on its own."""

    schema_version: str
    dataset: msgspec.Raw
    schema: msgspec.Raw = msgspec.field(default=msgspec.Raw(b"null"), name="$schema")
    sources: msgspec.Raw = msgspec.Raw(b"[]")
    actors: msgspec.Raw = msgspec.Raw(b"[]")
    quotes: msgspec.Raw = msgspec.Raw(b"[]")
    claims: msgspec.Raw = msgspec.Raw(b"[]")
    events: msgspec.Raw = msgspec.Raw(b"[]")


_DOCUMENT = msgspec.json.Decoder(RawDocument)
_ARRAY = msgspec.json.Decoder(list[msgspec.Raw])
_INFO = msgspec.json.Decoder(schema.Info)
_SCHEMA_URL = msgspec.json.Decoder(schema.Text | None)
_IN_DOCUMENT = {kind: msgspec.json.Decoder(struct) for kind, struct in schema.RECORDS.items()}
_ON_A_LINE = {kind: msgspec.json.Decoder(struct) for kind, struct in schema.LINE_RECORDS.items()}
_DATASET_LINE = msgspec.json.Decoder(schema.DatasetLine)
_LINE_KIND = re.compile(rb'\s*\{\s*"type"\s*:\s*"([a-z]+)"')  # a line as written: its type first
_BOM = b"\xef\xbb\xbf"


def _text(raw: bytes, ck: Problems) -> bytes | None:
    """A JSON file's bytes without a BOM; None (a problem noted) where they cannot be JSON text."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(raw) > 1 and (raw[0] == 0) != (raw[1] == 0)):
        ck.add("$", "the file looks like UTF-16; save it as UTF-8")
        return None
    if b"\0" in raw:
        ck.add("$", f"a NUL byte at byte {raw.index(0)}: binary data, not JSON")
        return None
    return raw.removeprefix(_BOM)


def any_json(raw: bytes, ck: Problems) -> Any:
    """The JSON value ``raw`` holds, whatever it is; None (a problem noted) where it is not JSON."""
    text = _text(raw, ck)
    if text is None:
        return None
    try:
        return msgspec.json.decode(text)
    except (msgspec.DecodeError, RecursionError) as exc:
        ck.add("$", malformed(text, exc))
        return None


def document(raw: bytes, ck: Problems) -> RawDocument | None:
    """The document ``raw``, its records still raw; None (a problem noted) where it is not one."""
    text = _text(raw, ck)
    if text is None:
        return None
    try:
        doc = _DOCUMENT.decode(text)
    except msgspec.ValidationError as exc:
        ck.add(*refusal(str(exc), "$", text))
        return None
    except (msgspec.DecodeError, RecursionError) as exc:
        ck.add("$", malformed(text, exc))
        return None
    if not VERSION.fullmatch(doc.schema_version):
        ck.add("$.schema_version", f"unsupported schema version {doc.schema_version!r} (this tool reads 1.x)")
        return None
    try:
        _SCHEMA_URL.decode(doc.schema)
    except msgspec.ValidationError as exc:
        ck.add(*refusal(str(exc), "$.$schema", doc.schema))
    return doc


def info(doc: RawDocument, ck: Problems) -> schema.Info | None:
    try:
        return _INFO.decode(doc.dataset)
    except msgspec.ValidationError as exc:
        ck.add(*refusal(str(exc), "$.dataset", doc.dataset))
        return None


def records(doc: RawDocument, name: str, ck: Problems) -> Iterator[tuple[str, Any]]:
    """The records of the array ``name`` of ``doc`` that the declaration takes, each with its
    JSON path, decoded as they are asked for; each it refuses is a problem."""
    raw: msgspec.Raw = getattr(doc, name)
    try:
        items = _ARRAY.decode(raw)
    except msgspec.ValidationError as exc:
        ck.add(*refusal(str(exc), f"$.{name}", raw))
        return
    decode = _IN_DOCUMENT[name[:-1]].decode
    for i, item in enumerate(items):
        try:
            record = decode(item)
        except msgspec.ValidationError as exc:
            for problem in refusals(str(exc), f"$.{name}[{i}]", item, schema.RECORDS[name[:-1]], name[:-1]):
                ck.add(*problem)
            ck.refused(_value_at(item, ".id"))
            continue
        except (msgspec.DecodeError, RecursionError) as exc:  # text a record's raw JSON was not checked for
            ck.add(f"$.{name}[{i}]", malformed(bytes(item), exc, line=True))
            ck.refused(None)
            continue
        yield f"$.{name}[{i}]", record


def line(raw: bytes, where: str, ck: Problems, *, first: bool) -> Any:
    """The record on one line of a JSON Lines file (the dataset's own on the first), or None
    where there is none to take (a problem noted; a blank line notes none)."""
    if b"\0" in raw:
        ck.add(where, f"a NUL byte at column {raw.index(0) + 1}: binary data, not JSON")
        return None
    raw = raw.removeprefix(_BOM)
    found = _LINE_KIND.match(raw)
    kind = found[1].decode() if found else None
    if kind is None:  # written otherwise: its type read from the decoded line
        try:
            value = msgspec.json.decode(raw)
        except (msgspec.DecodeError, RecursionError) as exc:
            ck.add(where, malformed(raw, exc, line=True))
            return None
        if not isinstance(value, dict):
            ck.add(where, f"expected an object, got {_a(type(value).__name__)}")
            return None
        kind = value.get("type")
    struct: type[msgspec.Struct]
    decoder: msgspec.json.Decoder[Any]
    if first:
        if kind != "dataset":
            ck.add(where, 'the first line must describe the dataset: {"type": "dataset", ...}')
            return None
        decoder, struct = _DATASET_LINE, schema.DatasetLine
    else:
        if not isinstance(kind, str) or kind not in _ON_A_LINE:
            ck.add(f"{where}.type", f"expected one of {', '.join(_ON_A_LINE)}, got {kind!r}")
            return None
        decoder, struct = _ON_A_LINE[kind], schema.LINE_RECORDS[kind]
    try:
        return decoder.decode(raw)
    except msgspec.ValidationError as exc:
        for problem in refusals(str(exc), where, raw, struct, kind):
            ck.add(*problem)
        ck.refused(_value_at(raw, ".id"))
    except (msgspec.DecodeError, RecursionError) as exc:
        ck.add(where, malformed(raw, exc, line=True))
    return None


# ----------------------------------------------------------------------------- msgspec's words, in kurskcli's


_AT = re.compile(r"(.*?)(?: - at `\$(.*)`)?", re.DOTALL)
_EXPECTED = re.compile(r"Expected `([^`]*)`, got `([^`]*)`")
_NAMES = {
    "str": "a string",
    "int": "a number",
    "float": "a number",
    "bool": "a boolean",
    "null": "null",
    "object": "an object",
    "array": "an array",
    "dict": "an object",
    "list": "an array",
}
_CHOICES = {
    ("actor", "kind"): ACTOR_KINDS,
    ("quote", "kind"): QUOTE_KINDS,
    ("claim", "kind"): CLAIM_KINDS,
    ("claim", "status"): CLAIM_STATUSES,
    ("source", "stored"): SOURCE_STORED,
    ("source", "channel"): SOURCE_CHANNELS,
}


def _a(name: str) -> str:
    return _NAMES.get(name, name)


_ALONE: dict[type, msgspec.json.Decoder[Any]] = {}


def refusals(
    message: str, base: str, raw: bytes | msgspec.Raw, struct: type[msgspec.Struct], kind: str | None
) -> list[tuple[str, str]]:
    """Each (path, message) for what is wrong with a record msgspec refused as ``struct`` (and
    said ``message`` of): msgspec stops at the first field it refuses, so each field is decoded
    again on its own, by the same declaration with every field optional, and each one missing
    is named."""
    value = _value_at(raw, "")
    if not isinstance(value, dict):
        return [refusal(message, base, raw, kind)]
    if struct not in _ALONE:
        info = msgspec.structs.fields(struct)
        loose = msgspec.defstruct(
            struct.__name__,
            [(f.name, f.type, msgspec.UNSET) for f in info],
            forbid_unknown_fields=True,
            rename={f.name: f.encode_name for f in info},
        )
        _ALONE[struct] = msgspec.json.Decoder(loose)
    out = []
    for name, field in value.items():
        try:
            _ALONE[struct].decode(msgspec.json.encode({name: field}))
        except msgspec.ValidationError as exc:
            out.append(refusal(str(exc), base, raw, kind))
        except (msgspec.DecodeError, RecursionError):  # no longer JSON once written again (half a surrogate pair)
            return [refusal(message, base, raw, kind)]
    required = [f.encode_name for f in msgspec.structs.fields(struct) if f.required]
    out += [(base, f"missing required field {name!r}") for name in required if name not in value]
    return out or [refusal(message, base, raw, kind)]


def refusal(message: str, base: str, raw: bytes | msgspec.Raw, kind: str | None = None) -> tuple[str, str]:
    """(path, message) for msgspec's ``message`` on ``raw``, found at ``base``; ``kind`` is the
    record's type, which names the choices a field allows."""
    said, at = _AT.fullmatch(message).groups()  # type: ignore[union-attr]  # the pattern takes any text
    path = base + (at or "")
    field = re.findall(r"\.([^.\[\]]+)", at or "")
    value: Callable[[], Any] = lambda: _value_at(raw, at or "")  # noqa: E731 - read only where a message needs it
    if said.startswith("Object missing required field `"):
        return path, f"missing required field {said.split('`')[1]!r}"
    if said.startswith("Object contains unknown field `"):
        return f"{path}.{said.split('`')[1]}", "unknown field"
    if said.startswith(("Invalid enum value ", "Invalid value ")) and field[-1:] == ["type"]:
        return path, f"must be {kind!r}"
    if said.startswith("Invalid enum value "):
        choices = _CHOICES.get((kind or "", field[-1] if field else ""), ())
        return path, f"{value()!r} is not one of {', '.join(choices)}" if choices else said[0].lower() + said[1:]
    if said.startswith("Expected `int`") or said.startswith("Expected `int | null`"):
        too_large = "<=" in said  # the declared bound on offsets
        return path, "number too large (at most 18 digits)" if too_large else "expected a whole number >= 0"
    if said == "Number out of range":
        return path, "number too large (at most 18 digits)"
    if said.startswith("Expected `array` of length >= 1"):
        return path, "expected a non-empty array of spans"
    if "matching regex" in said:
        return path, _pattern_refused(said, value)
    expected = _EXPECTED.fullmatch(said)
    if expected:
        wanted = [_a(name) for name in expected[1].split(" | ") if name != "null"] or ["null"]
        if wanted == ["a boolean"]:
            return path, f"expected true or false, got {_a(expected[2])}"
        return path, f"expected {' or '.join(wanted)}, got {_a(expected[2])}"
    return path, said[0].lower() + said[1:]


def _pattern_refused(said: str, value: Callable[[], Any]) -> str:
    pattern = said.split(" matching regex ", 1)[1][1:-1]  # as msgspec writes it: repr's inside
    if pattern == repr(schema.ID_PATTERN)[1:-1]:
        return f"{value()!r} is not a valid id (letters, digits, . _ : -)"
    if pattern == repr(schema.EDTF_PATTERN)[1:-1]:
        try:
            parse_edtf(value())
        except DateError as exc:
            return str(exc)
        return "not an EDTF date"
    if pattern == repr(schema.SHA256_PATTERN)[1:-1]:
        return "expected 64 lowercase hex digits"
    if pattern == repr(schema.WEB_URL_PATTERN)[1:-1]:
        return "is not an http:// or https:// address"
    if pattern == repr(schema.VERSION_PATTERN)[1:-1]:
        return f"unsupported schema version {value()!r} (this tool reads 1.x)"
    return "must not be empty"  # Text: some character that is not white space


def _value_at(raw: bytes | msgspec.Raw, at: str) -> Any:
    """The value at ``at`` (``.key`` and ``[i]`` steps) in the JSON ``raw``; None where there is none."""
    try:
        value = msgspec.json.decode(raw)
        for key, index in re.findall(r"\.([^.\[\]]+)|\[(\d+)\]", at):
            value = value[key] if key else value[int(index)]
    except (msgspec.DecodeError, KeyError, IndexError, TypeError, RecursionError):
        return None
    return value


_HIGH, _LOW = rb"\\u[dD][89abAB][0-9a-fA-F]{2}", rb"\\u[dD][c-fC-F][0-9a-fA-F]{2}"
_SURROGATE = re.compile(_HIGH + b"(?!" + _LOW + b")|(?<!" + _HIGH + b")" + _LOW)  # an escape of half a pair alone


def malformed(raw: bytes, exc: Exception, *, line: bool = False) -> str:
    """What is wrong with JSON msgspec cannot read, and where: a line and column (a column on a
    line of JSON Lines)."""
    if isinstance(exc, RecursionError):
        return "JSON nested too deeply"
    said = str(exc)
    byte = re.search(r"\(byte (\d+)\)$", said)
    reason = re.sub(r"^JSON is malformed: | \(byte \d+\)$", "", said)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as bad:  # msgspec does not say where
        at, reason = bad.start, "invalid UTF-8"
    else:
        lone = _SURROGATE.search(raw)
        if lone is not None and (byte is None or lone.start() <= int(byte[1])):
            at, reason = lone.start(), "an escaped lone surrogate (not valid Unicode text)"
        elif byte is not None:
            at = int(byte[1])
        elif not raw.strip():
            return "the file is empty"
        else:
            return f"invalid JSON: {reason[0].lower() + reason[1:]}"
    before = raw[:at].decode("utf-8", "replace")
    column = at - (raw.rfind(b"\n", 0, at) + 1) + 1
    column = len(raw[at - column + 1 : at].decode("utf-8", "replace")) + 1  # in characters
    if line:
        return f"invalid JSON at column {column}: {reason}"
    return f"invalid JSON at line {before.count(chr(10)) + 1}, column {column}: {reason}"


def plain(doc: Any, ck: Problems) -> bytes | None:
    """A document made in memory (``kurskcli locate`` makes one) as the bytes a file of it holds."""
    try:
        return json.dumps(doc).encode()
    except (TypeError, ValueError) as exc:
        ck.add("$", f"cannot be written as JSON: {exc}")
        return None
