"""The bundled dataset: its file in the package, and reading it as it ships. The tests and
`verify` read it through the declaration as any file (``dataset``); every other command reads
it as it is, without msgspec, whose import would cost a command more than the rest of its
start-up. Standard library and the model only."""

from __future__ import annotations

import json
from typing import Any, Protocol

import kurskcli.data
from kurskcli.dates import parse_edtf
from kurskcli.model import Actor, Claim, Dataset, DatasetInfo, Event, Quote, Record, Source, Span, Witness
from kurskcli.text import fold_space

BUNDLED_NAME = "kursk-2025.json"
BUNDLED_ORIGIN = "<bundled>/" + BUNDLED_NAME


def bundled_bytes() -> bytes:
    return kurskcli.data.read(BUNDLED_NAME)


class Keeper(Protocol):
    """What the records go to (``dataset._Loader``)."""

    ds: Dataset
    owner: dict[str, tuple[str, str]]

    def keep(self, table: str, rec: Record) -> None: ...

    def taken_text(self, source_id: str, text: str) -> str: ...


def read_as_is(build: Keeper) -> None:
    """Hand every record of the bundled dataset to ``build``, each id owned by its place."""
    doc = json.loads(kurskcli.data.read(BUNDLED_NAME))
    info = doc["dataset"]
    description = info.get("description") or ""
    said = (info["id"], info["version"], info["title"], description, doc["schema_version"], BUNDLED_ORIGIN)
    build.ds.infos.append(DatasetInfo(*said, info.get("license")))
    for i, d in enumerate(doc.get("sources", [])):
        text = d.get("text")
        if text is None:
            text = kurskcli.data.read(d["file"]).decode("utf-8")
        build.owner[d["id"]] = (BUNDLED_ORIGIN, f"$.sources[{i}]")
        build.keep("sources", _source(d, build.taken_text(d["id"], text)))
    for table, make in (("actors", _actor), ("quotes", _quote), ("claims", _claim), ("events", _event)):
        for i, d in enumerate(doc.get(table, [])):
            build.owner[d["id"]] = (BUNDLED_ORIGIN, f"$.{table}[{i}]")
            build.keep(table, make(d))


def _span(d: dict[str, Any]) -> Span:
    return Span(d["id"], d["start"], d["end"])


def _source(d: dict[str, Any], text: str) -> Source:
    date = d.get("date")
    said = (d["id"], d["title"], d["author"], d.get("author_actor"), date, d.get("publisher"), d.get("language"))
    rest = (d.get("sha256"), text, parse_edtf(date), BUNDLED_ORIGIN, d.get("url"), d.get("stored") or "full")
    return Source(*said, *rest, d.get("channel"), d.get("note"))


def _actor(d: dict[str, Any]) -> Actor:
    aliases = tuple(d.get("aliases", []))
    return Actor(d["id"], d["name"], d["kind"], d.get("role"), d.get("affiliation"), aliases, BUNDLED_ORIGIN)


def _quote(d: dict[str, Any]) -> Quote:
    said = (d["id"], d["speaker"], d.get("date"), parse_edtf(d.get("date")), fold_space(d["text"]), d["kind"])
    rest = (d.get("via"), d.get("context") or "", d.get("language"), _span(d["source"]), BUNDLED_ORIGIN)
    return Quote(*said, *rest, d.get("renders"), d.get("note"), d.get("related"))


def _claim(d: dict[str, Any]) -> Claim:
    said = (d["id"], d.get("claimant"), d["kind"], d.get("date"), parse_edtf(d.get("date")), fold_space(d["text"]))
    rest = (bool(d.get("verbatim")), d.get("status"), tuple(d.get("disputed_by", [])), _span(d["source"]))
    more = (tuple(d.get("actors", [])), fold_space(d.get("context") or ""), tuple(d.get("outcomes", [])))
    return Claim(*said, *rest, BUNDLED_ORIGIN, *more)


def _event(d: dict[str, Any]) -> Event:
    said = (d["id"], d.get("date"), parse_edtf(d.get("date")), d["title"], d.get("summary") or "")
    spans = tuple(map(_span, d["sources"]))
    witnesses = tuple(Witness(w["date"], parse_edtf(w["date"]), _span(w["source"])) for w in d.get("dated_by", []))
    return Event(*said, tuple(d.get("actors", [])), spans, BUNDLED_ORIGIN, witnesses, tuple(d.get("outcomes", [])))
