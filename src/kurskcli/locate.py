"""Notes into a dataset: each quote's (or verbatim claim's) words found in its source, so that
nobody counts characters. A record's ``source`` may be just a source id, an object with the
source ``id`` and a ``prefix`` or ``suffix`` that chooses between places, a W3C Web Annotation
``TextQuoteSelector`` or ``TextPositionSelector`` (as ``export --format annotations`` writes
them, with the source ``id``), or a span already. A speaker may be a name. The words are found
as they are, else as the source prints them apart from white space and typography (quotation
marks, apostrophes, dashes, no-break spaces), and then taken as the source prints them: words
are never changed. Everything that cannot be placed is reported at once."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kurskcli.model import ID
from kurskcli.text import TYPOGRAPHY


class NotesError(ValueError):
    """Notes that cannot be read as a dataset to locate (the message says why)."""


@dataclass
class Located:
    """The dataset made, what was changed to make it (one line each), and what could not be placed."""

    doc: dict[str, Any]
    changes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _folded(text: str) -> tuple[str, list[int]]:
    """``text`` with typography mapped and every run of white space one space, and for each
    character of it the position of the character of ``text`` it comes from."""
    out: list[str] = []
    where: list[int] = []
    space = False
    for i, ch in enumerate(text):
        if ch.isspace() or unicodedata.category(ch) == "Zs":
            if not space and out:
                out.append(" ")
                where.append(i)
            space = True
            continue
        space = False
        out.append(ch.translate(TYPOGRAPHY))
        where.append(i)
    if out and out[-1] == " ":
        out.pop()
        where.pop()
    return "".join(out), where


def places(source: str, words: str) -> list[tuple[int, int]]:
    """Every place ``words`` stand in ``source``: as they are, else apart from white space and typography."""
    exact = [(m.start(), m.start() + len(words)) for m in re.finditer(re.escape(words), source)] if words else []
    if exact:
        return exact
    folded, where = _folded(source)
    target, _ = _folded(words)
    if not target:
        return []
    return [(where[m.start()], where[m.start() + len(target) - 1] + 1) for m in re.finditer(re.escape(target), folded)]


def _chosen(source: str, found: list[tuple[int, int]], prefix: str, suffix: str) -> list[tuple[int, int]]:
    """The places that the words before (``prefix``) and after (``suffix``) them choose."""
    before_words, after_words = _bare(prefix), _bare(suffix)
    keep = []
    for start, end in found:
        before = _bare(source[max(0, start - len(prefix) - 8) : start])
        after = _bare(source[end : end + len(suffix) + 8])
        if before.endswith(before_words) and after.startswith(after_words):
            keep.append((start, end))
    return keep


def _before(source: str, start: int) -> str:
    """The three words before ``start``: a prefix that would choose that place."""
    return " ".join(re.findall(r"\w+", source[max(0, start - 80) : start])[-3:])


def _bare(text: str) -> str:
    """``text``'s words alone, in lower case: a prefix or suffix chooses by its words, whatever
    marks and spaces stand between them and the quote."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def where_it_is(source: str, text: str, near: int) -> str:
    """Where a misplaced ``text`` is in ``source`` ("; found at [57, 83)", the place nearest
    offset ``near``, white space and typography aside), or the nearest passage and how alike it
    is: what the loader says of a span whose words are elsewhere."""
    if not source or not text.strip():
        return ""
    found = places(source, text)
    if not found:
        return f"; {nearest(source, text)}"
    start, end = min(found, key=lambda f: abs(f[0] - near))
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return f"; found at [{start}, {end}){more}"


def nearest(source: str, words: str) -> str:
    """The passage of ``source`` nearest ``words``, where it is and how alike, in words."""
    from rapidfuzz import fuzz

    near = fuzz.partial_ratio_alignment(words, source)
    if near is None or near.score == 0:
        return "nothing near"
    passage = " ".join(source[near.dest_start : near.dest_end].split())
    return f"the nearest passage is [{near.dest_start}, {near.dest_end}), {near.score:.0f}% alike: {passage[:80]!r}"


def slug(name: str) -> str:
    """An actor id from a name: 'Ann Lee' -> 'ann-lee' (letters of any script kept)."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    kept = "".join(ch if ch.isalnum() else "-" for ch in folded if not unicodedata.combining(ch))
    return re.sub(r"-{2,}", "-", kept).strip("-")[:60] or "actor"


def locate(notes: Any, base: Path, read_file: Any) -> Located:
    """The dataset ``notes`` stand for, with every span found; ``read_file(path)`` reads a source
    text file (a name beside the notes, in ``base``) as bytes, or raises."""
    if not isinstance(notes, dict):
        raise NotesError("the notes must be a JSON object, as a dataset is")
    doc = {key: value for key, value in notes.items()}
    doc.setdefault("schema_version", "1.0")
    out = Located(doc)
    texts = _source_texts(doc, base, read_file, out)
    _speakers(doc, out)
    for key in ("quotes", "claims"):
        for i, rec in enumerate(doc.get(key) or []):
            if isinstance(rec, dict):
                _place(rec, f"$.{key}[{i}]", texts, out, verbatim=key == "quotes" or bool(rec.get("verbatim")))
    return out


def _source_texts(doc: dict[str, Any], base: Path, read_file: Any, out: Located) -> dict[str, str]:
    texts: dict[str, str] = {}
    for i, src in enumerate(doc.get("sources") or []):
        if not isinstance(src, dict) or not isinstance(src.get("id"), str):
            continue
        if isinstance(src.get("text"), str):
            texts[src["id"]] = src["text"]
        elif isinstance(src.get("file"), str):
            try:
                raw = read_file(base / src["file"])
                texts[src["id"]] = raw.decode("utf-8")
            except (OSError, ValueError) as exc:
                out.problems.append(f"$.sources[{i}].file: {exc}")
                continue
            digest = hashlib.sha256(raw).hexdigest()
            if src.get("sha256") != digest:
                src["sha256"] = digest
                out.changes.append(f"$.sources[{i}].sha256: set from {src['file']}")
    return texts


def _speakers(doc: dict[str, Any], out: Located) -> None:
    """Speakers and claimants named by name become actor ids; a name no actor bears becomes an actor."""
    actors = [a for a in doc.setdefault("actors", []) if isinstance(a, dict)]
    known = {a["id"] for a in actors if isinstance(a.get("id"), str)}
    by_name: dict[str, str] = {}
    for a in actors:
        for name in [a.get("name"), *(a.get("aliases") or [])]:
            if isinstance(name, str) and isinstance(a.get("id"), str):
                by_name[name.casefold()] = a["id"]
    for key, role in (("quotes", "speaker"), ("quotes", "via"), ("claims", "claimant")):
        for i, rec in enumerate(doc.get(key) or []):
            who = rec.get(role) if isinstance(rec, dict) else None
            if not isinstance(who, str) or who in known:
                continue
            aid = by_name.get(who.casefold())
            if aid is None:
                aid = slug(who)
                while aid in known:
                    aid += "-2"
                doc["actors"].append({"id": aid, "name": who, "kind": "person"})
                known.add(aid)
                by_name[who.casefold()] = aid
                out.changes.append(f"$.actors: {aid!r} made for the name {who!r}")
            if aid != who:
                rec[role] = aid
                out.changes.append(f"$.{key}[{i}].{role}: {who!r} is actor {aid!r}")


def _place(rec: dict[str, Any], path: str, texts: dict[str, str], out: Located, *, verbatim: bool) -> None:
    given = rec.get("source")
    sid, prefix, suffix, position, exact = _reference(given)
    if sid is None:
        out.problems.append(f"{path}.source: expected a source id, or an object with the source's 'id'")
        return
    if sid not in texts:
        out.problems.append(f"{path}.source: no source {sid!r} with a text in the notes")
        return
    source = texts[sid]
    if not verbatim and exact is None and position is None:
        out.problems.append(
            f"{path}.source: a claim in the dataset's own words needs the source's: give a"
            " TextQuoteSelector's 'exact' or a span"
        )
        return
    words = exact if exact is not None else rec.get("text")
    if not isinstance(words, str) or not words.strip():
        out.problems.append(f"{path}.text: no words to find")
        return
    start, end = position or (0, 0)
    if position is not None and 0 <= start < end <= len(source) and _folded(source[start:end])[0] == _folded(words)[0]:
        found = [(start, end)]  # where the notes say, and the words are there
    else:
        found = _chosen(source, places(source, words), prefix, suffix)
    if not found:
        out.problems.append(f"{path}.text: not found in {sid!r}; {nearest(source, words)}")
        return
    if len(found) > 1:
        at = ", ".join(f"[{a}, {b}) after {_before(source, a)!r}" for a, b in found[:6])
        more = " …" if len(found) > 6 else ""
        out.problems.append(f"{path}.text: found {len(found)} times in {sid!r}, at {at}{more}; add a prefix or suffix")
        return
    start, end = found[0]
    printed = " ".join(source[start:end].split())
    span = {"id": sid, "start": start, "end": end}
    if given != span:
        rec["source"] = span
        out.changes.append(f"{path}.source: at [{start}, {end}) of {sid!r}")
    if verbatim and rec.get("text") != printed:
        if isinstance(rec.get("text"), str):
            out.changes.append(f"{path}.text: {rec['text']!r} taken as the source prints it: {printed!r}")
        rec["text"] = printed


def _reference(given: Any) -> tuple[str | None, str, str, tuple[int, int] | None, str | None]:
    """(source id, prefix, suffix, position, exact words) from a record's ``source`` in any form taken."""
    if isinstance(given, str) and ID.fullmatch(given):
        return given, "", "", None, None
    if not isinstance(given, dict) or not isinstance(given.get("id"), str):
        return None, "", "", None, None
    selectors = given.get("selector", [])
    selectors = selectors if isinstance(selectors, list) else [selectors]
    if given.get("type") in ("TextQuoteSelector", "TextPositionSelector"):
        selectors = [given, *selectors]

    def text(obj: dict[str, Any], key: str, default: str) -> str:
        value = obj.get(key)
        return value if isinstance(value, str) else default

    def place(obj: dict[str, Any]) -> tuple[int, int] | None:
        start, end = obj.get("start"), obj.get("end")
        return (start, end) if isinstance(start, int) and isinstance(end, int) else None

    prefix, suffix = text(given, "prefix", ""), text(given, "suffix", "")
    position, exact = place(given), None
    for sel in selectors:
        if isinstance(sel, dict) and sel.get("type") == "TextQuoteSelector" and isinstance(sel.get("exact"), str):
            exact, prefix, suffix = sel["exact"], text(sel, "prefix", prefix), text(sel, "suffix", suffix)
        elif isinstance(sel, dict) and sel.get("type") == "TextPositionSelector":
            position = place(sel) or position
    return str(given["id"]), prefix, suffix, position, exact


_TABLES = {"source": "sources", "actor": "actors", "quote": "quotes", "claim": "claims", "event": "events"}


def document_of(lines: list[dict[str, Any]]) -> dict[str, Any]:
    """Notes given as JSON Lines (a first line ``{"type": "dataset", ...}``, then one record a
    line with its ``type``) as the one document ``locate`` takes."""
    if not lines or lines[0].get("type") != "dataset":
        raise NotesError('the first line must describe the dataset: {"type": "dataset", ...}')
    head = {k: v for k, v in lines[0].items() if k != "type"}
    doc: dict[str, Any] = {"schema_version": head.pop("schema_version", "1.0"), "dataset": head}
    for number, line in enumerate(lines[1:], 2):
        table = _TABLES.get(line.get("type"))  # type: ignore[arg-type]
        if table is None:
            raise NotesError(f"line {number}: 'type' must be one of {', '.join(_TABLES)}")
        doc.setdefault(table, []).append({k: v for k, v in line.items() if k != "type"})
    return doc


def lines_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The dataset ``doc`` as JSON Lines records: what describes it, then each record with its ``type``."""
    out = [{"type": "dataset", "schema_version": doc.get("schema_version", "1.0"), **doc.get("dataset", {})}]
    for kind, table in _TABLES.items():
        out += [{"type": kind, **rec} for rec in doc.get(table) or []]
    return out
