"""The dataset format, declared once as msgspec Structs.

msgspec checks a whole document against these declarations in one pass in C: types, required
and unknown fields, id and date patterns, the kinds and statuses. The JSON Schema shipped
beside the bundled data (``data/schema.json``) is generated from them (``python -m
kurskcli.schema``), and the field list the loader's own checks walk (``dataset.FIELDS``) is
tested against them.

What a declaration cannot say stays with the loader, written once there: that a source has
exactly one of ``text`` and ``file``, that a span is not empty, that references resolve and
ids are unique, that quoted words match the source text, that dates parse.

Importing msgspec and building these types costs more than checking a small file by hand,
so the loader uses them only for large files (``dataset.DECLARED_FROM_BYTES``).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta, Struct

from kurskcli.model import ID, SHA256, VERSION
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
Offset = Annotated[int, Meta(ge=0)]

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
    description: Text | None = None
    license: Text | None = None


class Source(_Object):
    """A published text; its words inline (``text``) or in a file beside the dataset (``file``)."""

    id: Id
    title: Text
    author: Text
    type: Literal["source"] = "source"
    author_actor: Id | None = None
    date: Edtf | None = None
    publisher: Text | None = None
    language: Text | None = None
    file: Annotated[Text, Meta(description="path relative to the dataset file, inside its folder")] | None = None
    text: Text | None = None
    sha256: Annotated[str, Meta(pattern=SHA256_PATTERN)] | None = None
    length: Offset | None = None
    url: Text | None = None
    stored: Stored | None = None
    channel: Channel | None = None
    note: Text | None = None


class Actor(_Object):
    """A person, organization, state or outlet."""

    id: Id
    name: Text
    kind: ActorKind
    role: Text | None = None
    affiliation: Id | None = None
    aliases: list[Text] = []


class Quote(_Object):
    """Words as one source printed them, verbatim."""

    id: Id
    speaker: Id
    text: Text
    kind: QuoteKind
    source: Span
    type: Literal["quote"] = "quote"
    date: Edtf | None = None
    via: Id | None = None
    context: Text | None = None
    language: Text | None = None
    renders: Id | None = None
    note: Text | None = None


class Claim(_Object):
    """An assertion the source reports, attributed to whoever makes it."""

    id: Id
    kind: ClaimKind
    text: Text
    source: Span
    type: Literal["claim"] = "claim"
    claimant: Id | None = None
    date: Edtf | None = None
    verbatim: bool = False
    status: ClaimStatus | None = None
    disputed_by: list[Id] = []
    actors: list[Id] = []
    context: Text | None = None


class Witness(_Object):
    """A source's own date for an event, and where it gives it."""

    date: Edtf
    source: Span


class Event(_Object):
    """Something that happened, with the spans that report it."""

    id: Id
    title: Text
    sources: Annotated[list[Span], Meta(min_length=1)]
    type: Literal["event"] = "event"
    date: Edtf | None = None
    summary: Text | None = None
    actors: list[Id] = []
    dated_by: list[Witness] = []


class Document(_Object):
    """A kurskcli dataset: sourced quotes, claims, events and actors (schema version 1.x)."""

    schema_version: Annotated[str, Meta(pattern=VERSION_PATTERN)]
    dataset: Info
    schema: Text | None = msgspec.field(default=None, name="$schema")
    sources: list[Source] = []
    actors: list[Actor] = []
    quotes: list[Quote] = []
    claims: list[Claim] = []
    events: list[Event] = []


RECORDS: dict[str, type[_Object]] = {
    "source": Source,
    "actor": Actor,
    "quote": Quote,
    "claim": Claim,
    "event": Event,
}
OBJECTS: dict[str, type[_Object]] = {
    "document": Document,
    "dataset": Info,
    **RECORDS,
    "witness": Witness,
    "span": Span,
}


def fields(struct: type[Struct]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(required, optional) field names of ``struct`` as they appear in JSON."""
    info = msgspec.structs.fields(struct)
    required = tuple(f.encode_name for f in info if f.required)
    return required, tuple(f.encode_name for f in info if not f.required)


def valid(obj: Any, struct: type[Struct]) -> bool:
    """Whether ``obj`` (decoded JSON) is what ``struct`` declares."""
    try:
        msgspec.convert(obj, struct)
    except (msgspec.ValidationError, UnicodeError):  # a lone surrogate is not text
        return False
    return True


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a dataset document, generated from the declarations."""
    schema: dict[str, Any] = msgspec.json.schema(Document)
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://kurskcli.invalid/schema/dataset-1.json",
        "title": "kurskcli dataset",
        **schema,
    }
    for definition in schema["$defs"].values():
        definition["additionalProperties"] = False
    # what a Struct cannot declare: exactly one of an inline text and a file with its digest
    schema["$defs"]["Source"]["oneOf"] = [
        {"required": ["text"], "not": {"required": ["file"]}},
        {"required": ["file", "sha256"], "not": {"required": ["text"]}},
    ]
    return schema


def main() -> None:
    print(json.dumps(json_schema(), indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
