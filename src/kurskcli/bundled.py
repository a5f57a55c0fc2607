"""The bundled dataset: its file in the package, and reading it as it ships. The tests and
`verify` read it through the declaration as any file (``dataset``); every other command reads
it as it is, without msgspec, whose import would cost a command more than the rest of its
start-up. Standard library and the model only."""

from __future__ import annotations

import json
from collections.abc import Callable
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
    """What the records go to (``dataset._Build``)."""

    ds: Dataset
    owner: dict[str, tuple[str, str]]

    def keep(self, table: str, rec: Record) -> None: ...

    def taken_text(self, source_id: str, text: str) -> str: ...


def read_as_is(build: Keeper) -> None:
    """Hand every record of the bundled dataset to ``build``, each id owned by its place."""

    doc = json.loads(kurskcli.data.read(BUNDLED_NAME))
    o = BUNDLED_ORIGIN
    info = doc["dataset"]
    build.ds.infos.append(
        DatasetInfo(
            info["id"], info["version"], info["title"], info.get("description") or "", doc["schema_version"], o
        )._replace(license=info.get("license"))
    )

    def span(d: dict[str, Any]) -> Span:
        return Span(d["id"], d["start"], d["end"])

    for i, d in enumerate(doc.get("sources", [])):
        text = d.get("text")
        if text is None:
            text = kurskcli.data.read(d["file"]).decode("utf-8")
        text = build.taken_text(d["id"], text)
        fields = ("author_actor", "date", "publisher", "language", "sha256", "url", "channel", "note")
        rest = {name: d.get(name) for name in fields}
        build.owner[d["id"]] = (o, f"$.sources[{i}]")
        source = Source(d["id"], d["title"], d["author"], text=text, dates=parse_edtf(d.get("date")), origin=o, **rest)
        build.keep("sources", source._replace(stored=d.get("stored") or "full"))
    for table, make in (("actors", _bundled_actor), ("quotes", _bundled_quote), ("claims", _bundled_claim)):
        for i, d in enumerate(doc.get(table, [])):
            build.owner[d["id"]] = (o, f"$.{table}[{i}]")
            build.keep(table, make(d, span, o))
    for i, d in enumerate(doc.get("events", [])):
        build.owner[d["id"]] = (o, f"$.events[{i}]")
        witnesses = tuple(Witness(w["date"], parse_edtf(w["date"]), span(w["source"])) for w in d.get("dated_by", []))
        said = (d["id"], d.get("date"), parse_edtf(d.get("date")), d["title"], d.get("summary") or "")
        spans = tuple(map(span, d["sources"]))
        build.keep(
            "events", Event(*said, tuple(d.get("actors", [])), spans, o, witnesses, tuple(d.get("outcomes", [])))
        )


def _bundled_actor(d: dict[str, Any], span: Callable[[dict[str, Any]], Span], o: str) -> Actor:
    return Actor(d["id"], d["name"], d["kind"], d.get("role"), d.get("affiliation"), tuple(d.get("aliases", [])), o)


def _bundled_quote(d: dict[str, Any], span: Callable[[dict[str, Any]], Span], o: str) -> Quote:
    said = (d["id"], d["speaker"], d.get("date"), parse_edtf(d.get("date")), fold_space(d["text"]), d["kind"])
    rest = (d.get("via"), d.get("context") or "", d.get("language"), span(d["source"]), o)
    return Quote(*said, *rest, d.get("renders"), d.get("note"), d.get("related"))


def _bundled_claim(d: dict[str, Any], span: Callable[[dict[str, Any]], Span], o: str) -> Claim:
    said = (d["id"], d.get("claimant"), d["kind"], d.get("date"), parse_edtf(d.get("date")), fold_space(d["text"]))
    rest = (bool(d.get("verbatim")), d.get("status"), tuple(d.get("disputed_by", [])), span(d["source"]), o)
    more = (tuple(d.get("actors", [])), fold_space(d.get("context") or ""), tuple(d.get("outcomes", [])))
    return Claim(*said, *rest, *more)
