"""Loading dataset files: reading JSON safely, validating it, and merging it into one Dataset."""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import groupby, islice
from operator import attrgetter
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

import kurskcli.data
from kurskcli.dates import DateError, DateRange, best_supported, parse_edtf
from kurskcli.env import max_data_bytes, max_total_bytes
from kurskcli.exits import EXIT_DATAERR
from kurskcli.model import (
    ID,
    SHA256,
    VERSION,
    WEB_URL,
    Actor,
    Claim,
    Dataset,
    DatasetInfo,
    Event,
    Quote,
    Record,
    Source,
    Span,
    Witness,
    paused_gc,
)
from kurskcli.reading import (
    JSONL_SUFFIXES,
    DataFileError,
    read_limited,
    read_lines,
)
from kurskcli.text import fold_space
from kurskcli.vocab import ACTOR_KINDS, CLAIM_KINDS, CLAIM_STATUSES, QUOTE_KINDS, SOURCE_CHANNELS, SOURCE_STORED

BUNDLED_NAME = "kursk-2025.json"
BUNDLED_ORIGIN = "<bundled>/" + BUNDLED_NAME
SCHEMA_MAJOR = "1"
SCHEMA_VERSION = "1.0"  # what a dataset this tool writes declares
MAX_PROBLEMS = 20

# Escapes that keep a document from msgspec (``_typed_document``): of a UTF-16 surrogate (the
# only way a string can hold a lone one, which only the full checks find), and of a colon.
_TYPED_UNSAFE = re.compile(rb"\\u(?:[dD][89a-fA-F]|003[aA])")
DECLARED_FROM_BYTES = 1 << 20  # files this large are decoded into kurskcli.schema first
_LARGEST = 10**18  # the strict parser refuses a number of more digits (``_parse_int``)


class Problem(NamedTuple):
    """One thing wrong with a dataset file, located by a JSON path."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.message}"


class DatasetError(Exception):
    """A dataset is invalid (exit 65)."""

    exit_code = EXIT_DATAERR

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__(self.summary())

    def summary(self) -> str:
        n = len(self.problems)
        first = self.problems[0]
        more = f" (and {n - 1} more problem{'s' if n > 2 else ''})" if n > 1 else ""
        return f"invalid dataset: {first}{more}"

    def lines(self, limit: int = MAX_PROBLEMS) -> list[str]:
        shown = [str(p) for p in self.problems[:limit]]
        rest = len(self.problems) - limit
        if rest > 0:
            shown.append(f"... and {rest} more problem{'s' if rest != 1 else ''}")
        return shown


# ----------------------------------------------------------------------------- reading


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key!r}")
            seen.add(key)
    return out


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > 18:
        raise ValueError(f"number too large: {text[:20]}...")
    return int(text)


# One strict decoder for every document and line (json.loads with options makes a new one per call).
_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_reject_constant, parse_int=_parse_int)


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, col


def decode_json(data: bytes, origin: str) -> Any:
    """Parse dataset bytes strictly: UTF-8 (a BOM is fine), no duplicate keys, no NaN, no giant numbers."""
    return parse_json(utf8_text(data, origin), origin)


def utf8_text(data: bytes, origin: str) -> str:
    """A dataset file's text: UTF-8, with a BOM or without; not UTF-16, not empty."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(data) > 1 and (data[0] == 0) != (data[1] == 0)):
        raise DatasetError([Problem(origin, "$", "the file looks like UTF-16; save it as UTF-8")])
    if b"\0" in data:
        raise DatasetError([Problem(origin, "$", f"a NUL byte at byte {data.index(0)}: binary data, not JSON")])
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(data[: exc.start].decode("utf-8", "replace"), exc.start)
        raise DatasetError(
            [Problem(origin, "$", f"invalid UTF-8 at line {line}, column {col} (byte {exc.start})")]
        ) from None
    if not text.strip():
        raise DatasetError([Problem(origin, "$", "the file is empty")])
    return text


def parse_json(text: str, origin: str) -> Any:
    """A dataset file's text parsed strictly (see ``decode_json``)."""
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise DatasetError(
            [Problem(origin, "$", f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")]
        ) from None
    except RecursionError:
        raise DatasetError([Problem(origin, "$", "JSON nested too deeply")]) from None
    except ValueError as exc:
        raise DatasetError([Problem(origin, "$", f"invalid JSON: {exc}")]) from None


def _decode_line(ck: _Checker, raw: bytes, where: str) -> Any:
    """One line of a JSON Lines file, as strictly as a whole file; None (with a problem noted) if bad."""
    if b"\0" in raw:
        ck.add(where, f"a NUL byte at column {raw.index(0) + 1}: binary data, not JSON")
        return None
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        ck.add(where, f"invalid UTF-8 at column {exc.start + 1}")
        return None
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        ck.add(where, f"invalid JSON at column {exc.colno}: {exc.msg}")
    except RecursionError:
        ck.add(where, "JSON nested too deeply")
    except ValueError as exc:
        ck.add(where, f"invalid JSON: {exc}")
    return None


class NotStreamed(Exception):
    """Data that ``stream_dataset`` cannot take one record at a time: a problem (the whole load
    reports it exactly), or a record that names a source given only after it."""


class _Checker:
    """Collects problems for one file while walking its JSON document."""

    def __init__(self, origin: str, *, streaming: bool = False):
        self.origin = origin
        self.problems: list[Problem] = []
        self.streaming = streaming  # the first problem stops a streamed load

    def add(self, path: str, message: str) -> None:
        if self.streaming:
            raise NotStreamed(f"{self.origin}: {path}: {message}")
        self.problems.append(Problem(self.origin, path, message))

    def obj(self, value: Any, path: str, required: Iterable[str], optional: Iterable[str]) -> bool:
        if not isinstance(value, dict):
            self.add(path, f"expected an object, got {_kind(value)}")
            return False
        req = tuple(required)
        allowed = set(req) | set(optional)
        for key in req:
            if key not in value:
                self.add(path, f"missing required field {key!r}")
        for key in value:
            if key not in allowed:
                self.add(f"{path}.{key}", "unknown field")
        return True

    def string(
        self,
        d: dict[str, Any],
        key: str,
        path: str,
        *,
        nullable: bool = False,
        choices: Sequence[str] | None = None,
        empty: bool = False,
    ) -> str | None:
        value = d.get(key)
        where = f"{path}.{key}"
        if value is None:
            if not nullable and key in d:
                self.add(where, "must not be null")
            return None
        if not isinstance(value, str):
            self.add(where, f"expected a string, got {_kind(value)}")
            return None
        if not _encodable(value):
            self.add(where, "contains a lone surrogate (not valid Unicode text)")
            return None
        if not empty and not value.strip():
            self.add(where, "must not be empty")
            return None
        if choices is not None and value not in choices:
            self.add(where, f"{value!r} is not one of {', '.join(choices)}")
            return None
        return value

    def url(self, d: dict[str, Any], path: str) -> str | None:
        value = self.string(d, "url", path, nullable=True)
        if value is not None and not WEB_URL.match(value):
            self.add(f"{path}.url", "is not an http:// or https:// address")
            return None
        return value

    def ident(self, d: dict[str, Any], key: str, path: str, *, nullable: bool = False) -> str | None:
        value = self.string(d, key, path, nullable=nullable)
        if value is not None and not ID.fullmatch(value):
            self.add(f"{path}.{key}", f"{value!r} is not a valid id (letters, digits, . _ : -)")
            return None
        return value

    def ids(self, d: dict[str, Any], key: str, path: str) -> tuple[str, ...]:
        value = d.get(key, [])
        if not isinstance(value, list):
            self.add(f"{path}.{key}", f"expected an array, got {_kind(value)}")
            return ()
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not ID.fullmatch(item):
                self.add(f"{path}.{key}[{i}]", "expected an id string")
            else:
                out.append(item)
        return tuple(out)

    def date(self, d: dict[str, Any], path: str) -> tuple[str | None, DateRange]:
        raw = d.get("date")
        if raw is not None and not isinstance(raw, str):
            self.add(f"{path}.date", f"expected an EDTF string or null, got {_kind(raw)}")
            return None, DateRange(None, None)
        try:
            return raw, parse_edtf(raw)
        except DateError as exc:
            self.add(f"{path}.date", str(exc))
            return None, DateRange(None, None)

    def span(self, value: Any, path: str) -> Span | None:
        if not self.obj(value, path, *FIELDS["span"]):
            return None
        sid = self.ident(value, "id", path)
        start, end = value.get("start"), value.get("end")
        ok = True
        for key, num in (("start", start), ("end", end)):
            if not isinstance(num, int) or isinstance(num, bool) or num < 0:
                self.add(f"{path}.{key}", "expected a whole number >= 0")
                ok = False
        return self.ordered(Span(sid, start, end), path) if ok and sid else None

    def ordered(self, span: Span, path: str) -> Span | None:
        """``span`` if it is not empty or reversed (no declaration can say so)."""
        if span.start >= span.end:
            self.add(path, f"empty or reversed span [{span.start}, {span.end})")
            return None
        return span

    def kind(self, d: dict[str, Any], path: str, name: str) -> None:
        """A record may say what it is; if it does, it must say it right."""
        if "type" in d and d["type"] != name:
            self.add(f"{path}.type", f"must be {name!r}")


class _Declared(_Checker):
    """The checker for objects that passed the declared format (``kurskcli.schema``): what the
    declaration checked (types, fields, patterns, choices) is taken as it is, without a second
    look; the loader's own checks (spans, dates, references, quoted words) still run."""

    def obj(self, value: Any, path: str, required: Iterable[str], optional: Iterable[str]) -> bool:
        return True

    def string(
        self,
        d: dict[str, Any],
        key: str,
        path: str,
        *,
        nullable: bool = False,
        choices: Sequence[str] | None = None,
        empty: bool = False,
    ) -> str | None:
        return d.get(key)

    def ident(self, d: dict[str, Any], key: str, path: str, *, nullable: bool = False) -> str | None:
        return d.get(key)

    def ids(self, d: dict[str, Any], key: str, path: str) -> tuple[str, ...]:
        return tuple(d.get(key, ()))

    def span(self, value: Any, path: str) -> Span | None:
        return self.ordered(Span(value["id"], value["start"], value["end"]), path)

    def kind(self, d: dict[str, Any], path: str, name: str) -> None:
        pass


def _typed_document(raw: bytes) -> Any:
    """The document ``raw`` decoded by msgspec into the declared format in one pass in C
    (``kurskcli.schema.Document``), or None where only the full checks may read it: it is not
    what the format declares, it holds an escape of a surrogate or a colon, a number the strict
    parser refuses, or the same key twice in one object."""
    import msgspec

    from kurskcli import schema

    if _TYPED_UNSAFE.search(raw):
        return None
    try:
        doc = schema.DOCUMENT.decode(raw)
    except (msgspec.DecodeError, ValueError):  # not JSON, not UTF-8, or not the declared format
        return None
    rest = msgspec.structs.replace(doc, quotes=msgspec.UNSET)
    if not schema.holds([rest], schema.Document):  # a string that does not match its pattern
        return None
    if _largest_number(rest.sources or (), rest.claims or (), rest.events or ()) >= _LARGEST:
        return None
    key = doc.quotes is not msgspec.UNSET  # the colon after "quotes"
    colons = raw.count(b":") - _colons(rest) - key
    return doc if _quotes_hold(doc.quotes or []) == colons else None


def _quotes_hold(quotes: list[Any]) -> int | None:
    """How many colons msgspec writes for the decoded ``quotes`` (see ``_colons``); None where
    one has a string that does not match its pattern or a number the strict parser refuses."""
    import msgspec

    from kurskcli import schema

    if not schema.holds(quotes, schema.Quote) or _largest_number((), quotes, ()) >= _LARGEST:
        return None
    encode = msgspec.json.encode
    return sum(encode(quotes[i : i + 4096]).count(b":") for i in range(0, len(quotes), 4096))


_LINE_START = rb'\s*\{\s*"type"\s*:\s*"'  # how a record line starts, as written: its type first
_LINE_KIND = re.compile(_LINE_START + rb'([a-z]+)"')
_QUOTE_LINE = re.compile(_LINE_START + rb'quote"')
LINE_RUN = 100  # lines looked at together; a quote adds at most 3 problems as it is read, 300 a run


def _line_runs(lines: Iterable[tuple[int, bytes]], group: bool) -> Iterator[tuple[bool, list[tuple[int, bytes]]]]:
    """The numbered ``lines``, LINE_RUN at a time, each batch cut (with ``group``) into runs of
    lines that start as a quote's (True) and runs of other lines (False)."""
    it = iter(lines)
    is_quote = _QUOTE_LINE.match
    while batch := list(islice(it, LINE_RUN)):
        if not group:
            yield False, batch
            continue
        for quotes, run in groupby(batch, key=lambda line: is_quote(line[1]) is not None):
            yield quotes, list(run)


def _typed_lines() -> Callable[[str, list[tuple[int, bytes]]], list[tuple[str, Any]] | None]:
    """What decodes JSON Lines records of one type (a run of lines, or one line) into the
    declared format in one go, as ``_typed_document`` decodes a document: each record with its
    line's path, or None where a line must be read alone (by the full checks, if it is alone)."""
    import msgspec

    from kurskcli import schema

    decoders, encode, unsafe = schema.LINES, msgspec.json.encode, _TYPED_UNSAFE.search

    def typed(kind: str, run: list[tuple[int, bytes]]) -> list[tuple[str, Any]] | None:
        decoder = decoders.get(kind)
        raws = [raw for _, raw in run]
        joined = b"\n".join(raws)
        if decoder is None or unsafe(joined):
            return None
        try:
            records: list[Any] = list(map(decoder.decode, raws))
        except (msgspec.DecodeError, ValueError):
            return None
        if not schema.holds(records, schema.LINE_RECORDS[kind]):  # a string that does not match its pattern
            return None
        sources, events = (records if kind == "source" else []), (records if kind == "event" else [])
        if _largest_number(sources, records if kind in ("quote", "claim") else [], events) >= _LARGEST:
            return None
        # A key given twice (see _colons). With no colon escaped (looked for above), no record
        # writes a colon its line does not hold, so the counts of a run agree only where each
        # record's agrees with its line's.
        if encode(records).count(b":") != joined.count(b":"):
            return None
        return [(f"line {number}", record) for (number, _), record in zip(run, records, strict=True)]

    return typed


def _largest_number(sources: Iterable[Any], spanned: Sequence[Any], events: Iterable[Any]) -> int:
    """The largest number decoded records give: the lengths of ``sources``, the offsets of the
    span of each of ``spanned`` (quotes and claims), and of the spans of ``events`` and of their
    witnesses. The strict parser refuses a number of more than 18 digits; msgspec does not."""
    spans = list(map(attrgetter("source"), spanned))
    for event in events:
        spans += event.sources
        spans += map(attrgetter("source"), event.dated_by or ())
    lengths = [src.length for src in sources if isinstance(src.length, int)]
    return max([*lengths, *map(attrgetter("start"), spans), *map(attrgetter("end"), spans)], default=0)


def _colons(doc: Any) -> int:
    """How many colons msgspec writes for ``doc``, a batch of records at a time.

    msgspec keeps the last of two equal keys where the strict parser refuses them; this count
    finds them. A colon in JSON is either the one after a key or a character of a string (only
    the escape \\u003a spells one otherwise, and ``_typed_document`` turns that away). msgspec
    writes one colon for each key kept, no key for a field the text left out (UNSET), and each
    string's own colons. So the text has more colons than this exactly when a key was dropped.
    """
    import msgspec

    encode = msgspec.json.encode
    count, emptied = 0, dict[str, list[Any]]()
    for name in ("sources", "actors", "quotes", "claims", "events"):
        records = getattr(doc, name)
        if records:
            emptied[name] = []
            count += sum(encode(records[i : i + 4096]).count(b":") for i in range(0, len(records), 4096))
    return count + encode(msgspec.structs.replace(doc, **emptied)).count(b":")


def _plain(value: Any) -> Any:
    """Decoded records as the JSON objects they were decoded from, fields left out still out."""
    import msgspec

    return msgspec.to_builtins(value)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {
        dict: "an object",
        list: "an array",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


Items = Iterable[tuple[str, dict[str, Any]]]  # records, each with where it is (a JSON path, or a line)


def _items(ck: _Checker, doc: dict[str, Any], key: str, base: str = "$") -> list[tuple[str, dict[str, Any]]]:
    """The objects of the array ``doc[key]`` (missing: none), each with its JSON path under ``base``."""
    value = doc.get(key, [])
    if not isinstance(value, list):
        ck.add(f"{base}.{key}", f"expected an array, got {_kind(value)}")
        return []
    out = []
    for i, item in enumerate(value):
        path = f"{base}.{key}[{i}]"
        if not isinstance(item, dict):
            ck.add(path, f"expected an object, got {_kind(item)}")
        else:
            out.append((path, item))
    return out


# ----------------------------------------------------------------------------- building

# The dataset format, object by object: (required fields, optional fields), as the checks below
# read them. The JSON Schema shipped beside the bundled data is tested to name exactly these.
FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "document": (("schema_version", "dataset"), ("$schema", "sources", "actors", "quotes", "claims", "events")),
    "dataset": (("id", "version", "title"), ("description", "license")),
    "source": (
        ("id", "title", "author"),
        (
            *("type", "author_actor", "date", "publisher", "language", "file", "text", "sha256", "length", "url"),
            *("stored", "channel", "note"),
        ),
    ),
    "actor": (("id", "name", "kind"), ("role", "affiliation", "aliases")),
    "quote": (
        ("id", "speaker", "text", "kind", "source"),
        ("date", "via", "context", "language", "type", "renders", "note", "related"),
    ),
    "claim": (
        ("id", "kind", "text", "source"),
        ("claimant", "date", "verbatim", "status", "disputed_by", "actors", "context", "type", "outcomes"),
    ),
    "event": (("id", "title", "sources"), ("date", "summary", "actors", "type", "dated_by", "outcomes")),
    "witness": (("date", "source"), ()),
    "span": (("id", "start", "end"), ()),
}


def _sha256(data: bytes) -> str:
    import hashlib  # only `verify` and user files pay for it

    return hashlib.sha256(data).hexdigest()


def _inside(rel: str) -> bool:
    """Whether ``rel`` names a file inside the dataset's folder."""
    pure = PurePosixPath(rel)
    return not (pure.is_absolute() or ".." in pure.parts or "\\" in rel)


def _read_source_text(
    ck: _Checker,
    path: str,
    d: dict[str, Any],
    verify_hashes: bool,
    read: Callable[[str], bytes],
    mismatched: Callable[[], None],
) -> str | None:
    """A source's text, inline or from its file; ``mismatched`` is called when the file's bytes
    are not those its SHA-256 names."""
    inline, file, sha = d.get("text"), d.get("file"), d.get("sha256")
    if sha is not None and (not isinstance(sha, str) or not SHA256.fullmatch(sha)):
        ck.add(f"{path}.sha256", "expected 64 lowercase hex digits")
    if (inline is None) == (file is None):
        ck.add(path, "a source needs exactly one of 'text' or 'file'")
        return None
    if inline is not None:
        return ck.string(d, "text", path)
    rel = ck.string(d, "file", path)
    if rel is None:
        return None
    if not _inside(rel):
        ck.add(f"{path}.file", "must be a relative path inside the dataset's folder")
        return None
    try:
        data = read(rel)
    except (OSError, DataFileError) as exc:
        ck.add(f"{path}.file", f"cannot read source text: {exc}")
        return None
    if sha is None:
        ck.add(path, "a source read from a file needs its 'sha256', so that its text can be verified")
    elif isinstance(sha, str) and SHA256.fullmatch(sha) and verify_hashes and _sha256(data) != sha:
        ck.add(f"{path}.sha256", "the source text does not match its SHA-256")
        mismatched()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        ck.add(f"{path}.file", "source text is not valid UTF-8")
        return None


def _check_span_text(
    ck: _Checker, path: str, span: Span, text: str | None, ds: Dataset, unverified: Iterable[str] = ()
) -> None:
    if span.source not in ds.sources or span.source in unverified:
        # a dangling reference is reported as such; a text that is not the one its SHA-256
        # names is reported once, and never shown: it may be any file at all
        return
    size = ds.text_length(span.source)
    if span.end > size:
        ck.add(path, f"span [{span.start}, {span.end}) lies outside source {span.source!r} ({size} characters)")
        return
    if text is None:
        return
    words = ds.excerpt(span.source, span.start, span.end)
    if words != text and fold_space(words) != fold_space(text):
        excerpt = fold_space(words)
        where = _where_it_is(ds.sources[span.source].text, text, span)
        ck.add(
            path,
            f"text does not match the source at [{span.start}, {span.end}): source has {excerpt[:60]!r}{where}",
        )


def _where_it_is(source: str, text: str, span: Span) -> str:
    """Where a misplaced ``text`` is in ``source`` ("; found at [57, 83)", the place nearest the
    span given, white space and typography aside), or the nearest passage and how alike it is;
    nothing where the source text is not in memory (a streamed load keeps it elsewhere)."""
    if not source or not text.strip():
        return ""
    from kurskcli.locate import nearest, places

    found = places(source, text)
    if not found:
        return f"; {nearest(source, text)}"
    start, end = min(found, key=lambda f: abs(f[0] - span.start))
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return f"; found at [{start}, {end}){more}"


# A witness's words give a day outright (a number, a month) or relative to the page's own date
# (a weekday, "yesterday", "that day"), which the page must then give.
_ABSOLUTE_DAY = re.compile(
    r"\d|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(\b|$)"
    r"|январ|феврал|март|апрел|\bма[йя]\b|июн|июл|август|сентябр|октябр|ноябр|декабр",
    re.IGNORECASE,
)
_RELATIVE_DAY = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today)\b"
    r"|понедельник|вторник|\bсред[ау]\b|четверг|пятниц|суббот|воскресень|вчера|сегодня|어제|오늘|이날|그제",
    re.IGNORECASE,
)


def _check_witness_words(ck: _Checker, path: str, date: str, span: Span, ds: Dataset) -> None:
    """A witness must give its date in its words, or be the page's own date: what ``verify`` holds
    the data to, so that no witness says more than its page."""
    src = ds.sources.get(span.source)
    if src is None or (src.date is not None and date == src.date):
        return
    words = ds.passage(span)
    if _ABSOLUTE_DAY.search(words) or (src.date is not None and _RELATIVE_DAY.search(words)):
        return
    ck.add(f"{path}.source", f"{words!r} gives no date, and {date!r} is not the date of {span.source!r}")


def _check_witnesses(ck: _Checker, path: str, date: str, witnesses: list[Witness]) -> None:
    best = best_supported([(w.date, w.dates) for w in witnesses])
    if best != date:
        ck.add(f"{path}.date", f"{date!r} is not the date its witnesses support best ({best!r})")


class _Build:
    def __init__(self, verify_hashes: bool) -> None:
        self.verify_hashes = verify_hashes
        self.progress: Callable[[int, int], None] | None = None  # bytes of JSON Lines read, of all
        self.ds = Dataset()
        self.owner: dict[str, tuple[str, str]] = {}  # id -> (file, path) of its first definition
        # checker, path, field, and what is checked; the field's path is only put together for a problem
        self.refs: list[tuple[_Checker, str, str, str, str]] = []  # ..., wanted type, id
        self.span_checks: list[tuple[_Checker, str, str, Span, str | None]] = []  # ..., span, its words
        self.unverified: set[str] = set()  # sources whose text files do not match their SHA-256
        self.date_checks: list[tuple[_Checker, str, str, list[Witness]]] = []
        self.witness_checks: list[tuple[_Checker, str, str, Span]] = []
        self.total = self.left = max_total_bytes()  # for all the user's files together
        self.reserved = 0  # the size of a JSON Lines file being read, not yet among ds.files
        self.ranges: dict[str | None, DateRange] = {}  # dates parsed for quotes, by their text
        self.whole = False  # while a document read whole is added (``whole_document``)

    def budget(self, path: Path) -> int:
        """The most ``path`` may hold: the per-file limit, or what is left of the total."""
        per_file = max_data_bytes()
        if self.left >= per_file:
            return per_file
        with contextlib.suppress(OSError):
            size = os.stat(path).st_size
            if size > self.left:
                raise DataFileError(
                    f"{path}: {size:,} bytes would pass the {self.total:,}-byte limit on all dataset files "
                    "and source texts together (set KURSKCLI_MAX_TOTAL_BYTES to raise it)"
                )
        return self.left

    def spent(self) -> None:
        """Take what the last file read cost from what is left."""
        self.left = self.total - sum(fp[3] for fp in self.ds.files) - self.reserved

    def reader(self, base: Path | None) -> Callable[[str], bytes]:
        """How a document's files are read: from the package (``base`` None) or from ``base``.

        Files read from a user's folder are noted, for the search index of user datasets.
        """
        if base is None:
            return kurskcli.data.read
        folder = base

        def from_folder(name: str) -> bytes:
            data = read_limited(folder / name, self.budget(folder / name), seen=self.ds.files, inside=folder)
            self.spent()
            return data

        return from_folder

    def checker(self, origin: str, declared: bool = False) -> _Checker:
        return _Declared(origin) if declared else _Checker(origin)

    @contextlib.contextmanager
    def whole_document(self) -> Iterator[None]:
        """While a document read whole is added (its texts are in memory anyway)."""
        self.whole = True
        try:
            yield
        finally:
            self.whole = False

    def source_text(self, ck: _Checker, path: str, d: dict[str, Any], base: Path | None, sid: str | None) -> str | None:
        """The text of source ``d`` (None, with a problem noted, where there is none to be had)."""
        return _read_source_text(
            ck,
            path,
            d,
            self.verify_hashes or base is not None,
            self.reader(base),
            lambda: self.unverified.add(sid or ""),
        )

    def keep(self, table: str, rec: Record) -> None:
        """Add a checked record to the dataset."""
        getattr(self.ds, table)[rec.id] = rec

    def span_check(self, ck: _Checker, path: str, field: str, span: Span, text: str | None) -> None:
        """Check once every source is read that ``span`` lies in its source and, with ``text``, holds it."""
        self.span_checks.append((ck, path, field, span, text))

    def date_check(self, ck: _Checker, path: str, date: str, witnesses: list[Witness]) -> None:
        self.date_checks.append((ck, path, date, witnesses))

    def witness_check(self, ck: _Checker, path: str, date: str, span: Span) -> None:
        """With ``verify_hashes`` (as ``verify`` reads the data), check once every source is read
        that a witness's words give its date (``_check_witness_words``)."""
        if self.verify_hashes:
            self.witness_checks.append((ck, path, date, span))

    def claim_id(self, ck: _Checker, path: str, rid: str | None) -> bool:
        if rid is None:
            return False
        if rid in self.owner:
            f, p = self.owner[rid]
            where = p if f == ck.origin else f"{f}: {p}"
            ck.add(f"{path}.id", f"duplicate id {rid!r} (first defined at {where})")
            return False
        self.owner[rid] = (ck.origin, path)
        return True

    def ref(self, ck: _Checker, path: str, field: str, table: str, rid: str | None) -> None:
        """Check once every file is read that ``rid`` names a record of ``table``: at once, where
        it names an actor or source read already (tables only grow; only a reference to a quote
        is looked at again, in ``finish``)."""
        if rid is not None and (table == "quotes" or rid not in getattr(self.ds, table)):
            self.refs.append((ck, path, field, table, rid))

    def add_document(self, doc: Any, origin: str, base: Path | None) -> _Checker:
        """Check and add a dataset document, every field of it (see also ``add_typed``)."""
        ck = self.checker(origin)
        if not ck.obj(doc, "$", *FIELDS["document"]):
            return ck
        ck.string(doc, "$schema", "$", nullable=True)
        version = ck.string(doc, "schema_version", "$")
        if version is not None and not VERSION.fullmatch(version):
            ck.add("$.schema_version", f"unsupported schema version {version!r} (this tool reads {SCHEMA_MAJOR}.x)")
            return ck
        info = doc.get("dataset")
        if ck.obj(info, "$.dataset", *FIELDS["dataset"]):
            self._info(ck, info, "$.dataset", version)
        self._sources(ck, _items(ck, doc, "sources"), base)
        self._actors(ck, _items(ck, doc, "actors"))
        self._quotes(ck, _items(ck, doc, "quotes"))
        self._claims(ck, _items(ck, doc, "claims"))
        self._events(ck, _items(ck, doc, "events"))
        return ck

    def add_typed(self, doc: Any, origin: str, base: Path | None) -> _Checker:
        """Check and add a document msgspec decoded (``_typed_document``): the loader's own
        checks run as ``add_document`` runs them; what the declaration checked is not looked at
        again. Quotes, which make up most of a large dataset, are read from the decoded objects
        directly; the other records as plain objects."""
        ck = self.checker(origin, declared=True)

        def items(name: str) -> list[tuple[str, dict[str, Any]]]:
            return [(f"$.{name}[{i}]", d) for i, d in enumerate(_plain(getattr(doc, name) or []))]

        self._info(ck, _plain(doc.dataset), "$.dataset", doc.schema_version)
        self._sources(ck, items("sources"), base)
        self._actors(ck, items("actors"))
        self._typed_quotes(ck, ((f"$.quotes[{i}]", q) for i, q in enumerate(doc.quotes or [])))
        self._claims(ck, items("claims"))
        self._events(ck, items("events"))
        return ck

    TYPED_RUN = 4096  # quotes checked together: their spans, then the records, go on at once

    def _typed_quotes(self, ck: _Checker, items: Iterable[tuple[str, Any]]) -> None:
        """``_quotes`` for ``kurskcli.schema.Quote`` objects: the same checks and records, a run of
        TYPED_RUN quotes at a time (``spans_hold``, ``keep_all``)."""
        origin = ck.origin
        ref, claim_id = self.ref, self.claim_id
        ranges, actors, sources = self.ranges, self.ds.actors, self.ds.sources
        it = iter(items)
        while run := list(islice(it, self.TYPED_RUN)):
            spans: list[tuple[str, Span, str]] = []
            kept: list[Quote] = []
            for path, q in run:
                date = q.date or None
                dates = ranges.get(date)
                if dates is None:
                    given = date
                    date, dates = ck.date({"date": given}, path)
                    if date == given:  # one that does not parse comes back as None, with a problem
                        ranges[date] = dates
                via, renders = q.via or None, q.renders or None
                # ``ref`` is only asked where it has something to do: a known actor or source is
                # looked up here, as it would look it up
                if renders is not None:
                    ref(ck, path, ".renders", "quotes", renders)
                related = q.related or None
                if related is not None:
                    ref(ck, path, ".related", "quotes", related)
                if q.speaker not in actors:
                    ref(ck, path, ".speaker", "actors", q.speaker)
                if via is not None and via not in actors:
                    ref(ck, path, ".via", "actors", via)
                s = q.source
                if s.start < s.end:
                    span: Span | None = Span(s.id, s.start, s.end)
                else:
                    span = ck.ordered(Span(s.id, s.start, s.end), f"{path}.source")
                if span:
                    if span.source not in sources:
                        ref(ck, path, ".source.id", "sources", span.source)
                    spans.append((path, span, q.text))
                if span and claim_id(ck, path, q.id):
                    said = (q.id, q.speaker, date, dates, fold_space(q.text), q.kind, via, q.context or "")
                    kept.append(Quote(*said, q.language or None, span, origin, renders, q.note or None, related))
            self.spans_hold(ck, ".source", spans)
            self.keep_all(kept)

    def spans_hold(self, ck: _Checker, field: str, spans: Iterable[tuple[str, Span, str]]) -> None:
        """``span_check`` for each (path, span, words) of ``spans``."""
        for path, span, text in spans:
            self.span_check(ck, path, field, span, text)

    def keep_all(self, quotes: list[Quote]) -> None:
        """``keep`` each of ``quotes``."""
        for rec in quotes:
            self.keep("quotes", rec)

    def _info(self, ck: _Checker, info: dict[str, Any], path: str, version: str | None) -> None:
        ident = ck.ident(info, "id", path)
        ver = ck.string(info, "version", path)
        title = ck.string(info, "title", path)
        desc = ck.string(info, "description", path, nullable=True) or ""
        lic = ck.string(info, "license", path, nullable=True)
        if ident and ver and title:
            self.ds.infos.append(DatasetInfo(ident, ver, title, desc, version or "", ck.origin, lic))

    def add_lines(
        self,
        lines: Iterable[tuple[int, bytes]],
        origin: str,
        base: Path,
        *,
        declared: bool = False,
    ) -> _Checker:
        """A JSON Lines dataset: a first line ``{"type": "dataset", "schema_version", "id",
        "version", "title", ...}``, then one record a line, each with its ``type``. Each line is
        checked and dropped as it is read: only the records built from it are kept. With
        ``declared``, each record is first decoded into the declared format (``_typed_lines``)."""
        ck = self.checker(origin)
        fast = self.checker(origin, declared=True)  # for the lines that pass the declaration
        fast.problems = ck.problems  # one list, in the order the problems are found
        handlers: dict[str, Callable[[_Checker, Items], None]] = {
            "source": lambda c, items: self._sources(c, items, base),
            "actor": self._actors,
            "quote": self._quotes,
            "claim": self._claims,
            "event": self._events,
        }
        typed_lines = _typed_lines() if declared else None
        started = stopped = lines_seen = False
        for quotes, run in _line_runs(lines, typed_lines is not None):
            # A run of quote lines is decoded in one go while the file has shown no problem
            # (a run adds fewer problems than the limit below, which is then met where it would
            # have been line by line); any line the declaration refuses sends the run line by line.
            items = typed_lines("quote", run) if typed_lines and quotes and started and not ck.problems else None
            if items is not None:
                self._typed_quotes(fast, items)
                continue
            for number, raw in run:
                if not raw.strip():
                    continue
                where = f"line {number}"
                lines_seen = True
                if len(ck.problems) > 100 * MAX_PROBLEMS:
                    ck.add(where, "too many problems; stopped reading")
                    stopped = True
                    break
                found = _LINE_KIND.match(raw) if typed_lines and started else None
                items = typed_lines(found[1].decode(), [(number, raw)]) if typed_lines and found else None
                if items is not None:
                    [(_, record)] = items
                    if record.type == "quote":
                        self._typed_quotes(fast, items)
                    else:
                        handlers[record.type](fast, [(where, _plain(record))])
                    continue
                obj = _decode_line(ck, raw, where)
                if obj is None:
                    continue
                if not isinstance(obj, dict):
                    ck.add(where, f"expected an object, got {_kind(obj)}")
                    continue
                kind = obj.pop("type", None)
                if not started:
                    started = True
                    if kind != "dataset":
                        ck.add(where, 'the first line must describe the dataset: {"type": "dataset", ...}')
                        return ck
                    required, optional = FIELDS["dataset"]
                    if ck.obj(obj, where, ("schema_version", *required), optional):
                        version = ck.string(obj, "schema_version", where)
                        if version is not None and not VERSION.fullmatch(version):
                            ck.add(f"{where}.schema_version", f"unsupported schema version {version!r}")
                            return ck
                        self._info(ck, obj, where, version)
                    continue
                handler = handlers.get(kind) if isinstance(kind, str) else None
                if handler is None:
                    ck.add(f"{where}.type", f"expected one of {', '.join(handlers)}, got {kind!r}")
                    continue
                handler(ck, [(where, obj)])
            if stopped:
                break
        if not lines_seen:
            ck.add("$", "the file is empty")
        return ck

    def _sources(self, ck: _Checker, items: Items, base: Path | None) -> None:
        for path, d in items:
            if not ck.obj(d, path, *FIELDS["source"]):
                continue
            sid = ck.ident(d, "id", path)
            title = ck.string(d, "title", path)
            author = ck.string(d, "author", path)
            date, dates = ck.date(d, path)
            text = self.source_text(ck, path, d, base, sid)
            author_actor = ck.ident(d, "author_actor", path, nullable=True)
            self.ref(ck, path, ".author_actor", "actors", author_actor)
            ck.kind(d, path, "source")
            length = d.get("length")
            if length is not None and (not isinstance(length, int) or isinstance(length, bool) or length < 0):
                ck.add(f"{path}.length", "expected a whole number >= 0")
            if sid and title and author and text is not None and self.claim_id(ck, path, sid):
                self.keep(
                    "sources",
                    Source(
                        id=sid,
                        title=title,
                        author=author,
                        author_actor=author_actor,
                        date=date,
                        publisher=ck.string(d, "publisher", path, nullable=True),
                        language=ck.string(d, "language", path, nullable=True),
                        sha256=d.get("sha256") if isinstance(d.get("sha256"), str) else None,
                        text=text,
                        dates=dates,
                        origin=ck.origin,
                        url=ck.url(d, path),
                        stored=ck.string(d, "stored", path, nullable=True, choices=SOURCE_STORED) or "full",
                        channel=ck.string(d, "channel", path, nullable=True, choices=SOURCE_CHANNELS),
                        note=ck.string(d, "note", path, nullable=True),
                    ),
                )

    def _actors(self, ck: _Checker, items: Items) -> None:
        for path, d in items:
            if not ck.obj(d, path, *FIELDS["actor"]):
                continue
            aid = ck.ident(d, "id", path)
            name = ck.string(d, "name", path)
            kind = ck.string(d, "kind", path, choices=ACTOR_KINDS)
            role = ck.string(d, "role", path, nullable=True)
            aff = ck.ident(d, "affiliation", path, nullable=True)
            self.ref(ck, path, ".affiliation", "actors", aff)
            aliases: list[str] = []
            raw = d.get("aliases", [])
            if not isinstance(raw, list):
                ck.add(f"{path}.aliases", f"expected an array, got {_kind(raw)}")
            else:
                for i, _ in enumerate(raw):
                    alias = ck.string({"a": raw[i]}, "a", f"{path}.aliases[{i}]")
                    if alias:
                        aliases.append(alias)
            if aid and name and kind and self.claim_id(ck, path, aid):
                self.keep("actors", Actor(aid, name, kind, role, aff, tuple(aliases), ck.origin))

    def _quotes(self, ck: _Checker, items: Items) -> None:
        for path, d in items:
            if not ck.obj(d, path, *FIELDS["quote"]):
                continue
            ck.kind(d, path, "quote")
            qid = ck.ident(d, "id", path)
            speaker = ck.ident(d, "speaker", path)
            via = ck.ident(d, "via", path, nullable=True)
            renders = ck.ident(d, "renders", path, nullable=True)
            note = ck.string(d, "note", path, nullable=True)
            related = ck.ident(d, "related", path, nullable=True)
            self.ref(ck, path, ".renders", "quotes", renders)
            self.ref(ck, path, ".related", "quotes", related)
            text = ck.string(d, "text", path)
            kind = ck.string(d, "kind", path, choices=QUOTE_KINDS)
            context = ck.string(d, "context", path, nullable=True) or ""
            language = ck.string(d, "language", path, nullable=True)
            date, dates = ck.date(d, path)
            span = ck.span(d.get("source"), f"{path}.source")
            self.ref(ck, path, ".speaker", "actors", speaker)
            self.ref(ck, path, ".via", "actors", via)
            if span:
                self.ref(ck, path, ".source.id", "sources", span.source)
                self.span_check(ck, path, ".source", span, text)
            if qid and speaker and text and kind and span and self.claim_id(ck, path, qid):
                self.keep(
                    "quotes",
                    Quote(
                        qid,
                        speaker,
                        date,
                        dates,
                        fold_space(text),
                        kind,
                        via,
                        context,
                        language,
                        span,
                        ck.origin,
                        renders,
                        note,
                        related,
                    ),
                )

    def _claims(self, ck: _Checker, items: Items) -> None:
        for path, d in items:
            if not ck.obj(d, path, *FIELDS["claim"]):
                continue
            ck.kind(d, path, "claim")
            cid = ck.ident(d, "id", path)
            claimant = ck.ident(d, "claimant", path, nullable=True)
            kind = ck.string(d, "kind", path, choices=CLAIM_KINDS)
            text = ck.string(d, "text", path)
            context = ck.string(d, "context", path, nullable=True) or ""
            status = ck.string(d, "status", path, nullable=True, choices=CLAIM_STATUSES)
            verbatim = d.get("verbatim", False)
            if not isinstance(verbatim, bool):
                ck.add(f"{path}.verbatim", f"expected true or false, got {_kind(verbatim)}")
                verbatim = False
            disputed_by = ck.ids(d, "disputed_by", path)
            mentioned = ck.ids(d, "actors", path)
            for i, who in enumerate(mentioned):
                self.ref(ck, path, f".actors[{i}]", "actors", who)
            outcomes = self._outcomes(ck, d, path)
            date, dates = ck.date(d, path)
            span = ck.span(d.get("source"), f"{path}.source")
            self.ref(ck, path, ".claimant", "actors", claimant)
            for i, who in enumerate(disputed_by):
                self.ref(ck, path, f".disputed_by[{i}]", "actors", who)
            if disputed_by and status != "disputed":
                ck.add(f"{path}.status", "a claim with 'disputed_by' must have status 'disputed'")
            if span:
                self.ref(ck, path, ".source.id", "sources", span.source)
                self.span_check(ck, path, ".source", span, text if verbatim else None)
            if cid and kind and text and span and self.claim_id(ck, path, cid):
                self.keep(
                    "claims",
                    Claim(
                        cid,
                        claimant,
                        kind,
                        date,
                        dates,
                        fold_space(text),
                        verbatim,
                        status,
                        disputed_by,
                        span,
                        ck.origin,
                        mentioned,
                        fold_space(context),
                        outcomes,
                    ),
                )

    def _outcomes(self, ck: _Checker, d: dict[str, Any], path: str) -> tuple[str, ...]:
        """A claim's or an event's ``outcomes``: ids of events (checked once every file is read)."""
        outcomes = ck.ids(d, "outcomes", path)
        for i, eid in enumerate(outcomes):
            self.ref(ck, path, f".outcomes[{i}]", "events", eid)
        return outcomes

    def _events(self, ck: _Checker, items: Items) -> None:
        for path, d in items:
            if not ck.obj(d, path, *FIELDS["event"]):
                continue
            ck.kind(d, path, "event")
            eid = ck.ident(d, "id", path)
            title = ck.string(d, "title", path)
            summary = ck.string(d, "summary", path, nullable=True) or ""
            actors = ck.ids(d, "actors", path)
            date, dates = ck.date(d, path)
            for i, who in enumerate(actors):
                self.ref(ck, path, f".actors[{i}]", "actors", who)
            outcomes = self._outcomes(ck, d, path)
            spans: list[Span] = []
            raw = d.get("sources")
            if not isinstance(raw, list) or not raw:
                ck.add(f"{path}.sources", "expected a non-empty array of spans")
            else:
                for i, item in enumerate(raw):
                    span = ck.span(item, f"{path}.sources[{i}]")
                    if span:
                        spans.append(span)
                        self.ref(ck, path, f".sources[{i}].id", "sources", span.source)
                        self.span_check(ck, path, f".sources[{i}]", span, None)
            witnesses = self._witnesses(ck, d, path)
            if witnesses and date is not None:
                self.date_check(ck, path, date, witnesses)
            if eid and title and spans and self.claim_id(ck, path, eid):
                self.keep(
                    "events",
                    Event(
                        eid, date, dates, title, summary, actors, tuple(spans), ck.origin, tuple(witnesses), outcomes
                    ),
                )

    def _witnesses(self, ck: _Checker, d: dict[str, Any], path: str) -> list[Witness]:
        """An event's ``dated_by``: each source's own date, with the span where it gives it."""
        out = []
        for where, item in _items(ck, d, "dated_by", path):
            if not ck.obj(item, where, *FIELDS["witness"]):
                continue
            wdate, wdates = ck.date(item, where)
            span = ck.span(item.get("source"), f"{where}.source")
            if span:
                self.ref(ck, where, ".source.id", "sources", span.source)
                self.span_check(ck, where, ".source", span, None)
                if wdate is not None:
                    self.witness_check(ck, where, wdate, span)
            if wdate is None:
                ck.add(f"{where}.date", "a witness gives a date")
            elif span:
                out.append(Witness(wdate, wdates, span))
        return out

    def finish(self) -> None:
        for ck, path, field, table, rid in self.refs:
            if rid not in getattr(self.ds, table):
                ck.add(path + field, f"unknown {table[:-1]} {rid!r}")
        for ck, path, field, table, rid in self.refs:
            target = self.ds.quotes.get(rid) if table == "quotes" else None
            if target is not None and target.renders is not None:
                ck.add(path + field, f"{rid!r} is itself a rendering of {target.renders!r}; name that one")
        for ck, path, date, witnesses in self.date_checks:
            _check_witnesses(ck, path, date, witnesses)
        for ck, path, date, span in self.witness_checks:
            _check_witness_words(ck, path, date, span, self.ds)
        for ck, path, field, span, text in self.span_checks:
            _check_span_text(ck, path + field, span, text, self.ds, self.unverified)


# ----------------------------------------------------------------------------- public API


def bundled_bytes() -> bytes:
    return kurskcli.data.read(BUNDLED_NAME)


def load_dataset(
    paths: Sequence[str | os.PathLike[str]] = (),
    *,
    bundled: bool = True,
    verify_hashes: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Dataset:
    """Load the bundled dataset (unless ``bundled=False``) and every file in ``paths``, validated.

    Every check runs on every load. The SHA-256 of the bundled source text, which ships
    inside the same package as the dataset, is checked only with ``verify_hashes`` (as
    `kurskcli verify` does); source files beside user datasets are always hashed.
    Raises DatasetError (every problem, with file and JSON path) or DataFileError.
    ``progress`` is told as ``stream_dataset`` tells it how much of the JSON Lines is read.
    """
    build = _Build(verify_hashes)
    build.progress = progress
    with paused_gc():
        return read_into(paths, bundled, build)


def jsonl_bytes(paths: Sequence[str | os.PathLike[str]]) -> int:
    """How many bytes the JSON Lines files among ``paths`` hold; OSError where one cannot be asked."""
    return sum(os.stat(p).st_size for p in paths if Path(p).suffix.lower() in JSONL_SUFFIXES)


def _reporter(
    paths: Sequence[str | os.PathLike[str]], progress: Callable[[int, int], None]
) -> Callable[[Iterable[tuple[int, bytes]]], Iterator[tuple[int, bytes]]]:
    """Wraps the lines of each JSON Lines file of ``paths`` in turn, telling ``progress`` every
    thousand lines how many bytes of all of them have been read, and out of how many."""
    try:
        total = jsonl_bytes(paths)
    except OSError:
        total = 0  # reading the file fails, and says why
    done = 0

    def report(lines: Iterable[tuple[int, bytes]]) -> Iterator[tuple[int, bytes]]:
        nonlocal done
        for number, raw in lines:
            done += len(raw)
            if number % 1000 == 0:
                progress(done, max(total, done))
            yield number, raw

    return report


def check_document(doc: Any, origin: str, base: Path | None) -> Dataset:
    """A dataset document made in memory (``kurskcli locate`` makes one), checked as a file of it
    would be: raises DatasetError with every problem."""
    build = _Build(False)
    ck = build.add_document(doc, origin, base)
    build.finish()
    if ck.problems:
        raise DatasetError(ck.problems)
    return build.ds


def read_into(paths: Sequence[str | os.PathLike[str]], bundled: bool, build: _Build) -> Dataset:
    """The bundled data (if ``bundled``) and ``paths`` read, checked and added by ``build``; raises
    DatasetError with every problem, or DataFileError."""
    checkers: list[_Checker] = []
    if bundled:
        doc = decode_json(build.reader(None)(BUNDLED_NAME), BUNDLED_ORIGIN)
        checkers.append(build.add_document(doc, BUNDLED_ORIGIN, None))  # small: the declaration would cost more
    report = _reporter(paths, build.progress) if build.progress is not None else None
    for p in paths:
        path = Path(p)
        if path.suffix.lower() in JSONL_SUFFIXES:
            lines = read_lines(path, build.budget(path), seen=build.ds.files)
            if report is not None:
                lines = report(lines)
            with contextlib.suppress(OSError):
                build.reserved = os.stat(path).st_size  # its source texts count against what is left
            build.spent()
            large = build.reserved >= DECLARED_FROM_BYTES
            checkers.append(build.add_lines(lines, str(path), path.parent, declared=large))
            build.reserved = 0
        else:
            raw = read_limited(path, build.budget(path), seen=build.ds.files)
            doc = _typed_document(raw) if len(raw) >= DECLARED_FROM_BYTES else None
            if doc is not None:
                del raw  # the decoded document alone in memory, as json.load leaves it
                with build.whole_document():
                    checkers.append(build.add_typed(doc, str(path), path.parent))
            else:
                text = utf8_text(raw, str(path))
                del raw  # parsed, as json.load parses, with the text alone in memory
                doc = parse_json(text, str(path))
                del text
                with build.whole_document():
                    checkers.append(build.add_document(doc, str(path), path.parent))
            del doc
        build.spent()
    build.finish()
    problems = [prob for ck in checkers for prob in ck.problems]
    if problems:
        raise DatasetError(problems)
    return build.ds
