"""Quotes as W3C Web Annotations (https://www.w3.org/TR/annotation-model/): each quote's words
in its source, by a TextQuoteSelector (the exact characters, with what comes just before and
after them) and, where the source's whole text is stored, a TextPositionSelector (code points
from its start), so that annotation tools can show a dataset's quotes on the page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from kurskcli.dates import human_date
from kurskcli.model import Dataset, Quote, Record

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
AROUND = 32  # characters of prefix and suffix, within the same excerpt of the stored text


def _urn(*parts: str) -> str:
    from urllib.parse import quote

    return "urn:kurskcli:" + ":".join(quote(part, safe="-._~") for part in parts)


def annotation(q: Quote, ds: Dataset, collection: str) -> dict[str, Any]:
    """One quote as an Annotation: its target the source's address (or a ``urn:`` for a source
    without one), its body who said it and when."""
    src = ds.sources[q.span.source]
    exact = ds.excerpt(src.id, q.span.start, q.span.end)
    before = ds.excerpt(src.id, max(0, q.span.start - AROUND), q.span.start).rpartition("\n\n")[2]
    after = ds.excerpt(src.id, q.span.end, min(ds.text_length(src.id), q.span.end + AROUND)).partition("\n\n")[0]
    selectors: list[dict[str, Any]] = [{"type": "TextQuoteSelector", "exact": exact, "prefix": before, "suffix": after}]
    if src.stored == "full":  # positions in an excerpt would not be those of the page
        selectors.append({"type": "TextPositionSelector", "start": q.span.start, "end": q.span.end})
    who = ds.name_of(q.speaker) or q.speaker
    via = f", via {ds.name_of(q.via)}" if q.via else ""
    when = human_date(q.date) if q.date else "undated"
    return {
        "id": _urn(collection, q.id),
        "type": "Annotation",
        "motivation": "describing",
        "body": [
            {"type": "TextualBody", "purpose": "describing", "format": "text/plain", "value": f"{who}{via}, {when}"},
            {"type": "TextualBody", "purpose": "tagging", "value": q.id},
        ],
        "target": {"source": src.url or _urn("source", src.id), "selector": selectors},
    }


def write_annotations(records: Iterable[Record], ds: Dataset, out: IO[str]) -> None:
    """The quotes among ``records`` as one AnnotationCollection, its items on its first page.
    ``records`` is read twice, to count the quotes and then to write them, so that no item is
    held."""
    from kurskcli import output

    name = ".".join(info.id for info in ds.infos) or "export"
    label = "; ".join(info.title for info in ds.infos) or "kurskcli export"
    collection = {
        "@context": CONTEXT,
        "id": _urn(name),
        "type": "AnnotationCollection",
        "label": label,
        "total": sum(1 for rec in records if isinstance(rec, Quote)),
        "first": {"id": _urn(name, "page", "1"), "type": "AnnotationPage", "startIndex": 0, "items": []},
    }
    # the items are the last value of the document: what comes before them, then each in turn
    head = output.json_encoder(out)(collection).removesuffix("[]\n  }\n}")
    out.write(head)
    output.write_json_list((annotation(rec, ds, name) for rec in records if isinstance(rec, Quote)), out, level=2)
    out.write("\n  }\n}\n")
