"""The dataset format, declared once as msgspec Structs: msgspec decodes every dataset file into
them (``decoding``), checking types, required and unknown fields, kinds, statuses and patterns in
one pass, and the JSON Schema shipped beside the bundled data (``data/schema.json``) is
generated from them (``python -m kurskcli.schema``).

What a declaration cannot say stays with the loader (``dataset``), written once there: that a
source has exactly one of ``text`` and ``file``, that a span is not empty, that references
resolve and ids are unique, that quoted words match the source text, that dates parse. Fields
that may be left out default to ``UNSET``; what leaving one out means is documented in the JSON
Schema (``meaning_if_absent``).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, get_args, get_origin

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from kurskcli.model import ID, SHA256, VERSION, WEB_URL
from kurskcli.vocab import ACTOR_KINDS, CLAIM_KINDS, CLAIM_STATUSES, QUOTE_KINDS, SOURCE_CHANNELS, SOURCE_STORED

# Patterns are written for both Python (which checks them here) and the JSON Schema dialect of
# JavaScript: ASCII classes only, and "(?!\n)$" for the end, since Python's "$" also matches
# before a final line break and "\Z" means nothing in JavaScript.
_END = r"(?!\n)$"
ID_PATTERN = rf"^{ID.pattern}{_END}"
_EDTF_DAY = r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?[?~%]?"
EDTF_PATTERN = rf"^(({_EDTF_DAY})|((({_EDTF_DAY})|\.\.)?/(({_EDTF_DAY})|\.\.)?)){_END}"
SHA256_PATTERN = rf"^{SHA256.pattern}{_END}"
VERSION_PATTERN = rf"^{VERSION.pattern}{_END}"
WEB_URL_PATTERN = rf"^{WEB_URL.pattern}"

Id = Annotated[str, Meta(pattern=ID_PATTERN)]
Text = Annotated[str, Meta(pattern=r"\S")]  # not empty, not only white space
Edtf = Annotated[
    str,
    Meta(
        pattern=EDTF_PATTERN,
        description="EDTF: YYYY, YYYY-MM, YYYY-MM-DD, optionally ending in ? ~ or %, "
        "or an interval A/B where either end may be '..' (open)",
    ),
]
Offset = Annotated[int, Meta(ge=0, le=10**18 - 1)]  # 18 digits at most: SQLite and JSON readers keep it exact
WebUrl = Annotated[str, Meta(pattern=WEB_URL_PATTERN, description="an http or https address")]
FilePath = Annotated[Text, Meta(description="path relative to the dataset file, inside its folder")]

# Literal types built from the shared vocabulary, so that a new kind is added in one place.
ActorKind = Literal[ACTOR_KINDS]  # type: ignore[valid-type]
QuoteKind = Literal[QUOTE_KINDS]  # type: ignore[valid-type]
ClaimKind = Literal[CLAIM_KINDS]  # type: ignore[valid-type]
ClaimStatus = Literal[CLAIM_STATUSES]  # type: ignore[valid-type]
Stored = Literal[SOURCE_STORED]  # type: ignore[valid-type]
Channel = Literal[SOURCE_CHANNELS]  # type: ignore[valid-type]


class _Object(Struct, forbid_unknown_fields=True, omit_defaults=True):
    pass


class Span(_Object):
    """Where words are in a source: character offsets [start, end) into its text."""

    id: Id
    start: Offset
    end: Offset


class Info(_Object):
    """What the dataset is."""

    id: Id
    version: Text
    title: Text
    description: Text | UnsetType | None = UNSET
    license: Text | UnsetType | None = UNSET


class Source(_Object):
    """A published text; its words inline (``text``) or in a file beside the dataset (``file``)."""

    id: Id
    title: Text
    author: Text
    type: Literal["source"] | UnsetType = UNSET
    author_actor: Id | UnsetType | None = UNSET
    date: Edtf | UnsetType | None = UNSET
    publisher: Text | UnsetType | None = UNSET
    language: Text | UnsetType | None = UNSET
    file: FilePath | UnsetType | None = UNSET
    text: Text | UnsetType | None = UNSET
    sha256: Annotated[str, Meta(pattern=SHA256_PATTERN)] | UnsetType | None = UNSET
    length: Offset | UnsetType | None = UNSET
    url: WebUrl | UnsetType | None = UNSET
    stored: Stored | UnsetType | None = UNSET
    channel: Channel | UnsetType | None = UNSET
    note: Text | UnsetType | None = UNSET


class Actor(_Object):
    """A person, organization, state or outlet."""

    id: Id
    name: Text
    kind: ActorKind
    role: Text | UnsetType | None = UNSET
    affiliation: Id | UnsetType | None = UNSET
    aliases: list[Text] | UnsetType = UNSET


class Quote(_Object):
    """Words as one source printed them, verbatim."""

    id: Id
    speaker: Id
    text: Text
    kind: QuoteKind
    source: Span
    type: Literal["quote"] | UnsetType = UNSET
    date: Edtf | UnsetType | None = UNSET
    via: Id | UnsetType | None = UNSET
    context: Text | UnsetType | None = UNSET
    language: Text | UnsetType | None = UNSET
    renders: Id | UnsetType | None = UNSET
    note: Text | UnsetType | None = UNSET
    related: Id | UnsetType | None = UNSET


class Claim(_Object):
    """An assertion the source reports, attributed to whoever makes it."""

    id: Id
    kind: ClaimKind
    text: Text
    source: Span
    type: Literal["claim"] | UnsetType = UNSET
    claimant: Id | UnsetType | None = UNSET
    date: Edtf | UnsetType | None = UNSET
    verbatim: bool | UnsetType = UNSET
    status: ClaimStatus | UnsetType | None = UNSET
    disputed_by: list[Id] | UnsetType = UNSET
    actors: list[Id] | UnsetType = UNSET
    context: Text | UnsetType | None = UNSET
    outcomes: list[Id] | UnsetType = UNSET


class Witness(_Object):
    """A source's own date for an event, and where it gives it."""

    date: Edtf
    source: Span


class Event(_Object):
    """Something that happened, with the spans that report it."""

    id: Id
    title: Text
    sources: Annotated[list[Span], Meta(min_length=1)]
    type: Literal["event"] | UnsetType = UNSET
    date: Edtf | UnsetType | None = UNSET
    summary: Text | UnsetType | None = UNSET
    actors: list[Id] | UnsetType = UNSET
    dated_by: list[Witness] | UnsetType = UNSET
    outcomes: list[Id] | UnsetType = UNSET


class DatasetLine(_Object):
    """The first line of a JSON Lines dataset: what it is, and the format's version."""

    type: Literal["dataset"]
    schema_version: Annotated[str, Meta(pattern=VERSION_PATTERN)]
    id: Id
    version: Text
    title: Text
    description: Text | UnsetType | None = UNSET
    license: Text | UnsetType | None = UNSET


class Document(_Object):
    """A kurskcli dataset: sourced quotes, claims, events and actors (schema version 1.x)."""

    schema_version: Annotated[str, Meta(pattern=VERSION_PATTERN)]
    dataset: Info
    schema: Text | UnsetType | None = msgspec.field(default=UNSET, name="$schema")
    sources: list[Source] | UnsetType = UNSET
    actors: list[Actor] | UnsetType = UNSET
    quotes: list[Quote] | UnsetType = UNSET
    claims: list[Claim] | UnsetType = UNSET
    events: list[Event] | UnsetType = UNSET


RECORDS: dict[str, type[_Object]] = {
    "source": Source,
    "actor": Actor,
    "quote": Quote,
    "claim": Claim,
    "event": Event,
}


class _ActorLine(Actor):
    """An actor as a line of a JSON Lines dataset gives it: with its type, as every line."""

    type: Literal["actor"] | UnsetType = UNSET


LINE_RECORDS: dict[str, type[_Object]] = {**RECORDS, "actor": _ActorLine}  # a JSON Lines record of each type
OBJECTS: dict[str, type[_Object]] = {
    "document": Document,
    "dataset": Info,
    **RECORDS,
    "witness": Witness,
    "span": Span,
}


def meaning_if_absent(annotation: Any) -> Any:
    """What a field left out means (its type with ``UnsetType``): an empty list, the one value a
    literal allows, false for a flag, else null. Optional fields default to ``UNSET`` so that a
    decoded object tells which fields its JSON gave; the JSON Schema documents these instead."""
    kinds = [arg for arg in get_args(annotation) if arg not in (UnsetType, type(None))] or [annotation]
    kind = get_args(kinds[0])[0] if get_origin(kinds[0]) is Annotated else kinds[0]
    if get_origin(kind) is list:
        return []
    if get_origin(kind) is Literal and len(get_args(kind)) == 1:
        return get_args(kind)[0]
    if kind is bool:
        return False
    return None


def fields(struct: type[Struct]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(required, optional) field names of ``struct`` as they appear in JSON."""
    info = msgspec.structs.fields(struct)
    required = tuple(f.encode_name for f in info if f.required)
    return required, tuple(f.encode_name for f in info if not f.required)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a dataset document, generated from the declarations."""
    schema: dict[str, Any] = msgspec.json.schema(Document)
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://kurskcli.invalid/schema/dataset-1.json",
        "title": "kurskcli dataset",
        **schema,
    }
    structs = {struct.__name__: struct for struct in OBJECTS.values()}  # as msgspec names the definitions
    for name, definition in schema["$defs"].items():
        definition["additionalProperties"] = False
        for field in msgspec.structs.fields(structs[name]):
            if not field.required:
                definition["properties"][field.encode_name]["default"] = meaning_if_absent(field.type)
    # what a Struct cannot declare: exactly one of an inline text and a file with its digest
    schema["$defs"]["Source"]["oneOf"] = [
        {"required": ["text"], "not": {"required": ["file"]}},
        {"required": ["file", "sha256"], "not": {"required": ["text"]}},
    ]
    return schema


def notes_schema() -> dict[str, Any]:
    """The JSON Schema of the notes ``kurskcli locate`` reads: a dataset document in which a quote's
    or claim's ``source`` may be a source id, a reference that ``locate`` resolves (the source's
    ``id`` with a ``prefix``, ``suffix`` or W3C selectors), or a span; a speaker, relay or claimant
    may be a name; a source file's digest and the schema version may be left out."""
    import copy

    schema = copy.deepcopy(json_schema())
    schema["$id"] = "https://kurskcli.invalid/schema/notes-1.json"
    schema["title"] = "kurskcli notes"
    defs = schema["$defs"]
    defs["Document"]["required"] = [name for name in defs["Document"]["required"] if name != "schema_version"]
    identifier = defs["Span"]["properties"]["id"]
    selector = {"type": "object", "required": ["type"], "properties": {"type": {"enum": list(SELECTORS)}}}
    defs["Reference"] = {
        "title": "Reference",
        "description": "A source, and where in it the words stand (resolved by kurskcli locate).",
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": identifier,
            "prefix": {"type": "string"},
            "suffix": {"type": "string"},
            "start": {"type": "integer", "minimum": 0},
            "end": {"type": "integer", "minimum": 0},
            "type": {"enum": list(SELECTORS)},
            "exact": {"type": "string"},
            "selector": {"anyOf": [selector, {"type": "array", "items": selector}]},
        },
        "additionalProperties": False,
    }
    for name, people in (("Quote", ("speaker", "via")), ("Claim", ("claimant",))):
        properties = defs[name]["properties"]
        properties["source"] = {"anyOf": [identifier, {"$ref": "#/$defs/Reference"}]}
        for who in people:
            properties[who] = {"anyOf": [{"type": "string", "minLength": 1}, {"type": "null"}]}
    defs["Source"]["oneOf"] = [
        {"required": ["text"], "not": {"required": ["file"]}},
        {"required": ["file"], "not": {"required": ["text"]}},
    ]
    return schema


SELECTORS = ("TextQuoteSelector", "TextPositionSelector")  # the W3C Web Annotation selectors notes may give


def main() -> None:
    import sys

    chosen = notes_schema() if sys.argv[1:] == ["notes"] else json_schema()
    print(json.dumps(chosen, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
