"""``kurskcli locate``: notes into a dataset, through the command line as a user runs it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import Result

Run = Callable[..., Result]
TEXT = "The mayor said “the bridge opens in May” and left — early. Later she said “the bridge opens in May” again."


def notes(tmp_path: Path, quotes: list[dict[str, Any]], **source: Any) -> Path:
    doc = {
        "dataset": {"id": "council", "version": "1", "title": "Town council, 3 March 2025"},
        "sources": [{"id": "minutes", "title": "Minutes", "author": "Town clerk", "date": "2025-03-03", **source}],
        "quotes": quotes,
    }
    path = tmp_path / "notes.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return path


def quote(qid: str, text: str, source: Any = "minutes", **more: Any) -> dict[str, Any]:
    return {"id": qid, "speaker": "Ann Lee", "kind": "fragment", "text": text, "source": source, **more}


def test_notes_become_a_dataset_that_searches_checks_and_cites(run: Run, tmp_path: Path) -> None:
    first = {"id": "minutes", "prefix": "The mayor said"}  # the words stand twice: the prefix chooses
    path = notes(
        tmp_path, [quote("q-bridge", "the bridge opens in May", first), quote("q-left", "and left")], text=TEXT
    )
    out = tmp_path / "council.json"
    r = run("locate", str(path), "-o", str(out))
    assert r.code == 0, r.err
    assert "$.actors: 'ann-lee' made for the name 'Ann Lee'" in r.err
    assert "$.quotes[0].source: at [16, 39) of 'minutes'" in r.err
    doc = json.loads(out.read_text("utf-8"))
    assert doc["quotes"][0]["source"] == {"id": "minutes", "start": 16, "end": 39}
    assert TEXT[16:39] == "the bridge opens in May" and doc["quotes"][0]["speaker"] == "ann-lee"
    data = ["--data", str(out), "--no-bundled"]
    assert run("search", "bridge", *data).out.startswith("100\tq-bridge\t")
    assert run("check", "the bridge opens in May", *data).code == 0
    assert "Ann Lee" in run("cite", "q-bridge", *data).out
    assert run("verify", *data).code == 0
    # the dataset made is complete: locating it again changes nothing
    again = run("locate", str(out), "--check")
    assert (again.code, again.err) == (0, "")
    assert run("locate", str(path), "--check").code == 1  # the notes would change


def test_typography_and_white_space_are_taken_as_the_source_prints_them_never_words(run: Run, tmp_path: Path) -> None:
    typed = quote("q-left", 'May" and  left - early', {"id": "minutes", "prefix": "mayor said the bridge opens in"})
    r = run("locate", str(notes(tmp_path, [typed], text=TEXT)))
    assert r.code == 0, r.err
    [made] = json.loads(r.out)["quotes"]
    assert made["text"] == "May” and left — early"
    assert "taken as the source prints it: 'May” and left — early'" in r.err
    changed = run("locate", str(notes(tmp_path, [quote("q-x", "the bridge closes in May")], text=TEXT)))
    assert changed.code == 65  # a word differs: not found, never changed


def test_every_text_that_cannot_be_placed_is_reported_at_once_and_nothing_is_written(run: Run, tmp_path: Path) -> None:
    path = notes(
        tmp_path, [quote("q-twice", "the bridge opens in May"), quote("q-none", "the tunnel opens")], text=TEXT
    )
    out = tmp_path / "out.json"
    r = run("locate", str(path), "-o", str(out))
    assert r.code == 65 and not out.exists()
    lines = r.err.splitlines()
    expected = "found 2 times in 'minutes', at [16, 39) after 'The mayor said', [75, 98) after 'Later she said'"
    assert f"$.quotes[0].text: {expected}; add a prefix or suffix" in lines[0]
    assert "$.quotes[1].text: not found in 'minutes'; the nearest passage is [" in lines[1] and "% alike" in lines[1]
    assert lines[-1] == f"kurskcli: 2 problems in {path}; nothing written"


def test_an_existing_output_is_kept_unless_forced(run: Run, tmp_path: Path) -> None:
    path = notes(tmp_path, [quote("q-left", "and left")], text=TEXT)
    out = tmp_path / "council.json"
    out.write_text("mine", "utf-8")
    kept = run("locate", str(path), "-o", str(out))
    assert kept.code == 73 and out.read_text("utf-8") == "mine" and "--force" in kept.err
    assert run("locate", str(path), "-o", str(out), "--force").code == 0
    assert json.loads(out.read_text("utf-8"))["quotes"][0]["source"]["start"] == TEXT.index("and left")


def test_a_source_file_beside_the_notes_is_read_and_its_hash_filled_in(run: Run, tmp_path: Path) -> None:
    (tmp_path / "minutes.txt").write_text(TEXT, "utf-8")
    r = run("locate", str(notes(tmp_path, [quote("q-left", "and left")], file="minutes.txt")))
    assert r.code == 0, r.err
    [src] = json.loads(r.out)["sources"]
    assert src["sha256"] == hashlib.sha256(TEXT.encode()).hexdigest() and "sha256: set from minutes.txt" in r.err


def test_annotations_exported_are_located_back_to_the_same_spans(run: Run, tmp_path: Path) -> None:
    path = notes(
        tmp_path, [quote("q-bridge", "the bridge opens in May", {"id": "minutes", "suffix": "again"})], text=TEXT
    )
    located = tmp_path / "council.json"
    assert run("locate", str(path), "-o", str(located)).code == 0
    annotations = json.loads(run("export", "-", "--format", "annotations", "--data", str(located), "--no-bundled").out)
    doc = json.loads(located.read_text("utf-8"))
    spans = {q["id"]: q["source"] for q in doc["quotes"]}
    for anno in annotations["first"]["items"]:
        rid = next(b["value"] for b in anno["body"] if b["purpose"] == "tagging")
        selectors = [s for s in anno["target"]["selector"] if s["type"] == "TextQuoteSelector"]  # no positions
        q = next(q for q in doc["quotes"] if q["id"] == rid)
        q["source"] = {"id": spans[rid]["id"], "selector": selectors}
    back = tmp_path / "back.json"
    back.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    r = run("locate", str(back))
    assert r.code == 0, r.err
    assert (
        {q["id"]: q["source"] for q in json.loads(r.out)["quotes"]}
        == spans
        == {"q-bridge": {"id": "minutes", "start": 75, "end": 98}}
    )


def test_a_claim_in_the_datasets_words_is_placed_by_the_sources_words(run: Run, tmp_path: Path) -> None:
    path = notes(tmp_path, [], text=TEXT)
    doc = json.loads(path.read_text("utf-8"))
    said = {"type": "TextQuoteSelector", "exact": "and left — early"}
    doc["claims"] = [
        {"id": "c-left", "claimant": "Ann Lee", "kind": "reported", "text": "She left.", "source": "minutes"},
        {"id": "c-early", "claimant": "Ann Lee", "kind": "reported", "text": "She left early.",
         "source": {"id": "minutes", "selector": said}},
    ]  # fmt: skip
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    bad = run("locate", str(path))
    assert bad.code == 65 and "$.claims[0].source: a claim in the dataset's own words needs the source's" in bad.err
    doc["claims"].pop(0)
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    r = run("locate", str(path))
    assert r.code == 0, r.err
    [claim] = json.loads(r.out)["claims"]
    assert (
        claim["text"] == "She left early." and TEXT[claim["source"]["start"] : claim["source"]["end"]] == said["exact"]
    )


def test_the_notes_format_ships_as_a_json_schema_that_the_readme_notes_meet(tmp_path: Path) -> None:
    import re
    from importlib import resources

    import jsonschema

    from kurskcli import schema

    shipped = json.loads(resources.files("kurskcli.data").joinpath("notes-schema.json").read_text("utf-8"))
    assert shipped == schema.notes_schema(), (
        "run: python -m kurskcli.schema notes > src/kurskcli/data/notes-schema.json"
    )
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    section = readme[readme.index("## Your own datasets") :]
    example = json.loads(re.search(r"```json\n(.*?)```", section, re.S)[1])  # type: ignore[index]
    jsonschema.validate(example, shipped)
    chosen = quote("q", "and left", {"id": "minutes", "selector": [{"type": "TextQuoteSelector", "exact": "and left"}]})
    jsonschema.validate(json.loads(notes(tmp_path, [chosen], text=TEXT).read_text("utf-8")), shipped)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            json.loads(notes(tmp_path, [quote("q", "and left", 5)], text=TEXT).read_text("utf-8")), shipped
        )


def test_notes_in_json_lines_give_a_dataset_in_json_lines(run: Run, tmp_path: Path) -> None:
    doc = json.loads(notes(tmp_path, [quote("q-left", "and left")], text=TEXT).read_text("utf-8"))
    lines = [{"type": "dataset", **doc["dataset"]}, *({"type": "source", **s} for s in doc["sources"])]
    lines += [{"type": "quote", **q} for q in doc["quotes"]]
    path = tmp_path / "notes.jsonl"
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), "utf-8")
    out = tmp_path / "council.jsonl"
    assert run("locate", str(path), "-o", str(out)).code == 0
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert rows[0]["type"] == "dataset" and rows[-1]["type"] == "quote"
    assert rows[-1]["source"] == {"id": "minutes", "start": TEXT.index("and left"), "end": TEXT.index("and left") + 8}
    assert run("check", "and left", "--data", str(out), "--no-bundled").code == 0
    path.write_text('{"type": "quote"}\n', "utf-8")
    bad = run("locate", str(path))
    assert bad.code == 65 and "the first line must describe the dataset" in bad.err
