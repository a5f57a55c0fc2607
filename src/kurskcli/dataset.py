"""Loading dataset files: each decoded into the declared format (``decoding``, by msgspec), then
checked for what no declaration says (references, unique ids, spans against the source texts,
dates against their witnesses), and merged into one Dataset."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

import kurskcli.data
from kurskcli.bundled import BUNDLED_ORIGIN, bundled_bytes
from kurskcli.dates import DateError, DateRange, best_supported, gives_a_day, parse_edtf
from kurskcli.env import max_data_bytes, max_total_bytes
from kurskcli.exits import EXIT_DATAERR
from kurskcli.model import (
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
    progress_reporter,
    read_limited,
    read_lines,
)
from kurskcli.text import fold_space

SCHEMA_VERSION = "1.0"  # what a dataset this tool writes declares
MAX_PROBLEMS = 20


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


# ----------------------------------------------------------------------------- checking


class NotStreamed(Exception):
    """Data that ``stream_dataset`` cannot take one record at a time, or a problem it cannot
    place exactly: a record that names a source given after it (``streaming.SourcesLater``), an
    id given twice (the whole load says where it was first given)."""


class _Checker:
    """Collects the problems of one file, each at its JSON path (or line)."""

    def __init__(self, origin: str, *, refused: set[Any] | None = None):
        self.origin = origin
        self.problems: list[Problem] = []
        self.refused_ids = set() if refused is None else refused

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.origin, path, message))

    def refused(self, rec_id: Any) -> None:
        self.refused_ids.add(rec_id if isinstance(rec_id, str) else None)

    def date(self, raw: str | None, path: str) -> tuple[str | None, DateRange]:
        """A record's date and the days it may mean; (None, undated) where it does not parse."""
        try:
            return raw, parse_edtf(raw)
        except DateError as exc:
            self.add(f"{path}.date", str(exc))
            return None, DateRange(None, None)

    def ordered(self, span: Any, path: str) -> Span | None:
        """A declared span as the model's, if it is not empty or reversed (no declaration can say so)."""
        if span.start >= span.end:
            self.add(path, f"empty or reversed span [{span.start}, {span.end})")
            return None
        return Span(span.id, span.start, span.end)


def read_json(raw: bytes, origin: str) -> Any:
    """Any JSON value (``kurskcli locate`` reads notes so), read by the rules datasets are read
    by; raises DatasetError where it is not JSON."""
    from kurskcli import decoding

    ck = _Checker(origin)
    value = decoding.any_json(raw, ck)
    if ck.problems:
        raise DatasetError(ck.problems)
    return value


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
    s: Any,
    verify_hashes: bool,
    read: Callable[[str], bytes],
    mismatched: Callable[[], None],
) -> str | None:
    """The text of the declared source ``s``, inline or from its file; ``mismatched`` is called
    when the file's bytes are not those its SHA-256 names."""
    inline, file, sha = s.text or None, s.file or None, s.sha256 or None
    if (inline is None) == (file is None):
        ck.add(path, "a source needs exactly one of 'text' or 'file'")
        return None
    if inline is not None or file is None:
        return inline
    if not _inside(file):
        ck.add(f"{path}.file", "must be a relative path inside the dataset's folder")
        return None
    try:
        data = read(file)
    except (OSError, DataFileError) as exc:
        ck.add(f"{path}.file", f"cannot read source text: {exc}")
        return None
    if sha is None:
        ck.add(path, "a source read from a file needs its 'sha256', so that its text can be verified")
    elif verify_hashes and _sha256(data) != sha:
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
        from kurskcli.locate import where_it_is

        where = where_it_is(ds.excerpt(span.source, 0, size), text, span.start)
        ck.add(
            path,
            f"text does not match the source at [{span.start}, {span.end}): source has {excerpt[:60]!r}{where}",
        )


def _check_witness_words(ck: _Checker, path: str, date: str, span: Span, ds: Dataset) -> None:
    """A witness must give its date in its words, or be the page's own date: what ``verify`` holds
    the data to, so that no witness says more than its page."""
    src = ds.sources.get(span.source)
    if src is None or (src.date is not None and date == src.date):
        return
    words = ds.passage(span)
    if gives_a_day(words, page_dated=src.date is not None):
        return
    ck.add(f"{path}.source", f"{words!r} gives no date, and {date!r} is not the date of {span.source!r}")


def _check_witnesses(ck: _Checker, path: str, date: str, witnesses: list[Witness]) -> None:
    best = best_supported([(w.date, w.dates) for w in witnesses])
    if best != date:
        ck.add(f"{path}.date", f"{date!r} is not the date its witnesses support best ({best!r})")


class _Loader:
    """Reads dataset files into one Dataset: each record checked for what the declaration does
    not say, and kept (``keep``); the checks that need every file read wait for ``finish``."""

    def __init__(self, verify_hashes: bool) -> None:
        self.verify_hashes = verify_hashes
        self.progress: Callable[[int, int], None] | None = None  # bytes of JSON Lines read, of all
        self.ds = Dataset()
        self.owner: dict[str, tuple[str, str]] = {}  # id -> (file, path) of its first definition
        # checker, path, field, and what is checked; the field's path is only put together for a problem
        self.refs: list[tuple[_Checker, str, str, str, str]] = []  # ..., wanted type, id
        self.span_checks: list[tuple[_Checker, str, str, Span, str | None]] = []  # ..., span, its words
        self.unverified: set[str] = set()  # sources whose text files do not match their SHA-256
        self.refused: set[Any] = set()  # ids of records the declaration refused (None: one without)
        self.date_checks: list[tuple[_Checker, str, str, list[Witness]]] = []
        self.witness_checks: list[tuple[_Checker, str, str, Span]] = []
        self.total = self.left = max_total_bytes()  # for all the user's files together
        self.reserved = 0  # the size of a JSON Lines file being read, not yet among ds.files
        self.ranges: dict[str | None, DateRange] = {}  # dates parsed for quotes, by their text

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

    def checker(self, origin: str) -> _Checker:
        return _Checker(origin, refused=self.refused)

    def source_text(self, ck: _Checker, path: str, s: Any, base: Path | None) -> str | None:
        """The text of the declared source ``s`` (None, with a problem noted, where there is none)."""
        return _read_source_text(
            ck, path, s, self.verify_hashes or base is not None, self.reader(base), lambda: self.unverified.add(s.id)
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

    def claim_id(self, ck: _Checker, path: str, rid: str) -> bool:
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

    def add_document(self, raw: bytes, origin: str, base: Path | None) -> _Checker:
        """Check and add a dataset document, a record at a time (``decoding``)."""
        from kurskcli import decoding

        ck = self.checker(origin)
        doc = decoding.document(raw, ck)
        if doc is None:
            return ck
        info = decoding.info(doc, ck)
        if info is not None:
            self._info(ck, info, doc.schema_version)
        for path, s in decoding.records(doc, "sources", ck):
            self._source(ck, path, s, base)
        for path, a in decoding.records(doc, "actors", ck):
            self._actor(ck, path, a)
        self._quotes(ck, decoding.records(doc, "quotes", ck))
        for path, c in decoding.records(doc, "claims", ck):
            self._claim(ck, path, c)
        for path, e in decoding.records(doc, "events", ck):
            self._event(ck, path, e)
        return ck

    QUOTE_RUN = 4096  # quotes checked together: their spans, then the records, go on at once
    LINE_RUN = 100  # quote lines held before they are checked: few, so that memory stays flat

    def _quotes(self, ck: _Checker, items: Iterable[tuple[str, Any]]) -> None:
        """Declared quotes checked and kept, a run of QUOTE_RUN at a time (``spans_hold``,
        ``keep_all``): most of a large dataset is quotes."""
        origin = ck.origin
        ref, claim_id = self.ref, self.claim_id
        ranges, actors, sources = self.ranges, self.ds.actors, self.ds.sources
        it = iter(items)
        while run := list(islice(it, self.QUOTE_RUN)):
            spans: list[tuple[str, Span, str]] = []
            kept: list[Quote] = []
            for path, q in run:
                date = q.date or None
                dates = ranges.get(date)
                if dates is None:
                    given = date
                    date, dates = ck.date(given, path)
                    if date == given:  # one that does not parse comes back as None, with a problem
                        ranges[date] = dates
                via, renders, related = q.via or None, q.renders or None, q.related or None
                # ``ref`` is only asked where it has something to do: a known actor or source is
                # looked up here, as it would look it up
                if renders is not None:
                    ref(ck, path, ".renders", "quotes", renders)
                if related is not None:
                    ref(ck, path, ".related", "quotes", related)
                if q.speaker not in actors:
                    ref(ck, path, ".speaker", "actors", q.speaker)
                if via is not None and via not in actors:
                    ref(ck, path, ".via", "actors", via)
                span = ck.ordered(q.source, f"{path}.source")
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

    def _info(self, ck: _Checker, info: Any, version: str) -> None:
        self.ds.infos.append(
            DatasetInfo(
                info.id, info.version, info.title, info.description or "", version, ck.origin, info.license or None
            )
        )

    def add_lines(
        self,
        lines: Iterable[tuple[int, bytes]],
        origin: str,
        base: Path,
        *,
        sources: bool | None = None,
        ck: _Checker | None = None,
    ) -> _Checker:
        """A JSON Lines dataset: a first line ``{"type": "dataset", "schema_version", "id",
        "version", "title", ...}``, then one record a line, each with its ``type``. Each line is
        decoded, checked and dropped as it is read: only the records built from it are kept;
        quotes go on a run at a time, as a document's do. Read in two passes, the first takes
        (``sources`` True) the first line and the sources, the second (False) the rest, given
        the checker the first returned: a line's problems are noted once."""
        from kurskcli import decoding, schema

        ck = ck or self.checker(origin)
        kinds = {struct: kind for kind, struct in schema.LINE_RECORDS.items()}
        quotes: list[tuple[str, Any]] = []
        first, seen = True, False
        for number, raw in lines:
            if not raw.strip():
                continue
            where = f"line {number}"
            seen = True
            if len(ck.problems) > 100 * MAX_PROBLEMS:
                ck.add(where, "too many problems; stopped reading")
                break
            # of two passes, the first notes the problems of the first line, the second the others'
            noted = ck if sources is None or first == sources else _Checker(origin)
            rec = decoding.line(raw, where, noted, first=first)
            if first:
                if rec is None:
                    return ck
                if sources is not False:
                    self._info(ck, rec, rec.schema_version)
                first = False
                continue
            kind = kinds.get(type(rec))
            if sources is not None and (kind == "source") != sources:
                continue
            if kind == "quote":
                quotes.append((where, rec))
                if len(quotes) < self.LINE_RUN:
                    continue
            if quotes:  # in the order read: a run of quotes before what follows it
                self._quotes(ck, quotes)
                quotes = []
            if kind == "source":
                self._source(ck, where, rec, base)
            elif kind == "actor":
                self._actor(ck, where, rec)
            elif kind == "claim":
                self._claim(ck, where, rec)
            elif kind == "event":
                self._event(ck, where, rec)
        self._quotes(ck, quotes)
        if not seen and sources is not False:
            ck.add("$", "the file is empty")
        return ck

    def _source(self, ck: _Checker, path: str, s: Any, base: Path | None) -> None:
        date, dates = ck.date(s.date or None, path)
        text = self.source_text(ck, path, s, base)
        author_actor = s.author_actor or None
        self.ref(ck, path, ".author_actor", "actors", author_actor)
        if text is not None and self.claim_id(ck, path, s.id):
            self.keep(
                "sources",
                Source(
                    id=s.id,
                    title=s.title,
                    author=s.author,
                    author_actor=author_actor,
                    date=date,
                    publisher=s.publisher or None,
                    language=s.language or None,
                    sha256=s.sha256 or None,
                    text=text,
                    dates=dates,
                    origin=ck.origin,
                    url=s.url or None,
                    stored=s.stored or "full",
                    channel=s.channel or None,
                    note=s.note or None,
                ),
            )

    def _actor(self, ck: _Checker, path: str, a: Any) -> None:
        affiliation = a.affiliation or None
        self.ref(ck, path, ".affiliation", "actors", affiliation)
        if self.claim_id(ck, path, a.id):
            aliases = tuple(a.aliases or ())
            self.keep("actors", Actor(a.id, a.name, a.kind, a.role or None, affiliation, aliases, ck.origin))

    def _claim(self, ck: _Checker, path: str, c: Any) -> None:
        claimant, status, verbatim = c.claimant or None, c.status or None, bool(c.verbatim)
        disputed_by, mentioned = tuple(c.disputed_by or ()), tuple(c.actors or ())
        for i, who in enumerate(mentioned):
            self.ref(ck, path, f".actors[{i}]", "actors", who)
        outcomes = self._outcomes(ck, c, path)
        date, dates = ck.date(c.date or None, path)
        self.ref(ck, path, ".claimant", "actors", claimant)
        for i, who in enumerate(disputed_by):
            self.ref(ck, path, f".disputed_by[{i}]", "actors", who)
        if disputed_by and status != "disputed":
            ck.add(f"{path}.status", "a claim with 'disputed_by' must have status 'disputed'")
        span = ck.ordered(c.source, f"{path}.source")
        if span:
            self.ref(ck, path, ".source.id", "sources", span.source)
            self.span_check(ck, path, ".source", span, c.text if verbatim else None)
        if span and self.claim_id(ck, path, c.id):
            text, context = fold_space(c.text), fold_space(c.context or "")
            said = (c.id, claimant, c.kind, date, dates, text, verbatim, status, disputed_by, span, ck.origin)
            self.keep("claims", Claim(*said, mentioned, context, outcomes))

    def _outcomes(self, ck: _Checker, rec: Any, path: str) -> tuple[str, ...]:
        """A claim's or an event's ``outcomes``: ids of events (checked once every file is read)."""
        outcomes = tuple(rec.outcomes or ())
        for i, eid in enumerate(outcomes):
            self.ref(ck, path, f".outcomes[{i}]", "events", eid)
        return outcomes

    def _event(self, ck: _Checker, path: str, e: Any) -> None:
        actors = tuple(e.actors or ())
        date, dates = ck.date(e.date or None, path)
        for i, who in enumerate(actors):
            self.ref(ck, path, f".actors[{i}]", "actors", who)
        outcomes = self._outcomes(ck, e, path)
        spans: list[Span] = []
        for i, item in enumerate(e.sources):
            span = ck.ordered(item, f"{path}.sources[{i}]")
            if span:
                spans.append(span)
                self.ref(ck, path, f".sources[{i}].id", "sources", span.source)
                self.span_check(ck, path, f".sources[{i}]", span, None)
        witnesses = self._witnesses(ck, e.dated_by or (), path)
        if witnesses and date is not None:
            self.date_check(ck, path, date, witnesses)
        if spans and self.claim_id(ck, path, e.id):
            said = (e.id, date, dates, e.title, e.summary or "", actors, tuple(spans), ck.origin)
            self.keep("events", Event(*said, tuple(witnesses), outcomes))

    def _witnesses(self, ck: _Checker, dated_by: Iterable[Any], path: str) -> list[Witness]:
        """An event's ``dated_by``: each source's own date, with the span where it gives it."""
        out = []
        for i, item in enumerate(dated_by):
            where = f"{path}.dated_by[{i}]"
            wdate, wdates = ck.date(item.date, where)
            span = ck.ordered(item.source, f"{where}.source")
            if span:
                self.ref(ck, where, ".source.id", "sources", span.source)
                self.span_check(ck, where, ".source", span, None)
                if wdate is not None:
                    self.witness_check(ck, where, wdate, span)
            if wdate is not None and span:
                out.append(Witness(wdate, wdates, span))
        return out

    def add_bundled(self) -> None:
        """The bundled dataset as it ships (``bundled.read_as_is``)."""
        from kurskcli.bundled import read_as_is

        read_as_is(self)

    def check_refs(self, known: Callable[[str, str], bool], renders_of: Callable[[str], str | None]) -> None:
        """Each reference noted (``ref``) to a record that is not there (``known(table, id)``;
        one the declaration refused is reported already) and each to a quote that is itself a
        rendering (``renders_of``) is a problem."""
        for ck, path, field, table, rid in self.refs:
            if not known(table, rid) and rid not in self.refused:
                ck.add(path + field, f"unknown {table[:-1]} {rid!r}")
        for ck, path, field, table, rid in self.refs:
            rendered = renders_of(rid) if table == "quotes" else None
            if rendered is not None:
                ck.add(path + field, f"{rid!r} is itself a rendering of {rendered!r}; name that one")

    def taken_text(self, source_id: str, text: str) -> str:
        """What a source keeps of its text (a streamed load hands it on instead)."""
        return text

    def finish(self) -> None:
        def renders_of(rid: str) -> str | None:
            quote = self.ds.quotes.get(rid)
            return quote.renders if quote else None

        self.check_refs(lambda table, rid: rid in getattr(self.ds, table), renders_of)
        for ck, path, date, witnesses in self.date_checks:
            _check_witnesses(ck, path, date, witnesses)
        for ck, path, date, span in self.witness_checks:
            _check_witness_words(ck, path, date, span, self.ds)
        for ck, path, field, span, text in self.span_checks:
            _check_span_text(ck, path + field, span, text, self.ds, self.unverified)


# ----------------------------------------------------------------------------- public API


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
    build = _Loader(verify_hashes)
    build.progress = progress
    with paused_gc():
        return read_into(paths, bundled, build)


def check_document(doc: Any, origin: str, base: Path | None) -> Dataset:
    """A dataset document made in memory (``kurskcli locate`` makes one), checked as a file of it
    would be: raises DatasetError with every problem."""
    from kurskcli import decoding

    build = _Loader(False)
    ck = build.checker(origin)
    raw = decoding.plain(doc, ck)
    if raw is not None:
        ck = build.add_document(raw, origin, base)
    build.finish()
    if ck.problems:
        raise DatasetError(ck.problems)
    return build.ds


def read_into(
    paths: Sequence[str | os.PathLike[str]], bundled: bool, build: _Loader, *, sources_first: bool = False
) -> Dataset:
    """The bundled data (if ``bundled``) and ``paths`` read, checked and added by ``build``, with
    ``sources_first`` each JSON Lines file twice, its sources first; raises DatasetError with
    every problem, or DataFileError."""
    checkers: list[_Checker] = []
    if bundled and build.verify_hashes:
        checkers.append(build.add_document(bundled_bytes(), BUNDLED_ORIGIN, None))
    elif bundled:
        build.add_bundled()
    report = progress_reporter(paths, build.progress) if build.progress is not None else None
    for p in paths:
        path = Path(p)
        if path.suffix.lower() in JSONL_SUFFIXES:
            limit = build.budget(path)
            with contextlib.suppress(OSError):
                build.reserved = os.stat(path).st_size  # its source texts count against what is left
            build.spent()
            ck: _Checker | None = None
            before: list[list[Any]] = []
            if sources_first:  # a first pass for the sources, which the records after it name
                ck = build.add_lines(read_lines(path, limit, seen=before), str(path), path.parent, sources=True)
            lines = read_lines(path, limit, seen=build.ds.files)
            if report is not None:
                lines = report(lines)
            checkers.append(build.add_lines(lines, str(path), path.parent, sources=False if ck else None, ck=ck))
            if before and before[-1] != build.ds.files[-1]:
                raise NotStreamed(f"{path} changed between its two readings")
            build.reserved = 0
        else:
            raw = read_limited(path, build.budget(path), seen=build.ds.files)
            checkers.append(build.add_document(raw, str(path), path.parent))
            del raw
        build.spent()
    build.finish()
    problems = [prob for ck in checkers for prob in sorted(ck.problems, key=_place)]
    if problems:
        raise DatasetError(problems)
    return build.ds


_ARRAYS = ("sources", "actors", "quotes", "claims", "events")
_RECORD = re.compile(r"line (\d+)|\$\.(\w+)\[(\d+)\]")


def _place(problem: Problem) -> tuple[int, int, str]:
    """Where in its file a problem is, for listing a file's problems in its order, whichever
    check found them when: its line, or its record's array and place in it; then its path."""
    m = _RECORD.match(problem.path)
    if m is None:  # the file as a whole, or what it says of itself
        return 0, 0, problem.path
    if m[1]:
        return int(m[1]), 0, problem.path
    return (_ARRAYS.index(m[2]) + 1 if m[2] in _ARRAYS else 0), int(m[3]), problem.path
