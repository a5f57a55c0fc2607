"""Exports, citations, timeline pictures: what users take elsewhere, each written safely."""

from __future__ import annotations

import csv
import errno
import io
import json
import re
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kurskcli.model import Dataset

from .conftest import MINI, Result

Run = Callable[..., Result]
W = (
    "We pay tribute to the heroism, the high level of special training, and the selflessness of the Korean "
    "warriors, who defended our Motherland as their own, fighting shoulder to shoulder with Russian soldiers. "
    "We will always honor the Korean heroes who gave their lives for Russia, for our shared freedom, equally "
    "with their Russian brothers-in-arms"
)
TITLE = "Recognizing the assistance of the Korean military in the liberation of the occupied areas of Kursk Oblast"
TITLE_CASE = "Recognizing the Assistance of the Korean Military in the Liberation of the Occupied Areas of Kursk Oblast"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# ----------------------------------------------------------------------------- formats


def test_sqlite_export_is_a_real_database_with_full_text_search(run: Run, tmp_path: Path, bundled: Dataset) -> None:
    out = tmp_path / "kursk.sqlite"
    r = run("export", str(out))
    assert r.code == 0 and r.out == "" and "wrote" in r.err
    con = sqlite3.connect(out)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    hits = [row[0] for row in con.execute("SELECT id FROM search WHERE search MATCH 'monument' ORDER BY rank")]
    assert set(hits[:3]) == {"q-cmc-monument", "q-cmc-monument-5693", "q-cmc-monument-rt"}  # FTS5's own ranking
    renders = con.execute("SELECT renders FROM quotes WHERE id = 'q-cmc-monument-rt'").fetchone()
    assert renders == ("q-cmc-monument",)
    in_order = "SELECT id FROM quotes ORDER BY rowid"
    assert [row[0] for row in con.execute(in_order)] == sorted(bundled.quotes)  # each table in id order
    names = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE name NOT LIKE 'search_%'")}
    from kurskcli.tables import TABLES

    assert names == {*TABLES, "search", "quotes_speaker", "claims_claimant"} | {
        row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_autoindex%'")
    }  # the dataset's tables, not the store they were copied from
    assert con.execute("SELECT count(*) FROM quotes").fetchone() == (len(bundled.quotes),)
    assert con.execute("SELECT count(*) FROM claims").fetchone() == (len(bundled.claims),)
    assert con.execute("SELECT count(*) FROM events").fetchone() == (len(bundled.events),)
    name, text = con.execute(
        "SELECT actors.name, quotes.text FROM quotes JOIN actors ON actors.id = quotes.speaker WHERE quotes.id = ?",
        ("q-putin-tribute",),
    ).fetchone()
    assert name == "Vladimir Putin" and text == bundled.quotes["q-putin-tribute"].text
    # spans count characters, as SQLite's substr does
    (passage,) = con.execute(
        "SELECT substr(s.text, q.source_start + 1, q.source_end - q.source_start) "
        "FROM quotes q JOIN sources s ON s.id = q.source_id WHERE q.id = 'q-putin-tribute'"
    ).fetchone()
    assert " ".join(passage.split()) == bundled.quotes["q-putin-tribute"].text
    fks = {row[2] for row in con.execute("PRAGMA foreign_key_list(quotes)")}
    assert fks == {"actors", "sources", "quotes"}  # a rendering names the quote it renders
    query = "SELECT actor_id FROM claim_actors WHERE claim_id = 'c-author-factors' ORDER BY 1"
    mentioned = con.execute(query).fetchall()
    assert mentioned == [("trump",), ("yoon-suk-yeol",)]
    # a code in quotes.language as in sources.language; the prose apart
    codes = dict(con.execute("SELECT language, count(*) FROM quotes GROUP BY language").fetchall())
    assert codes == {"en": 29, "ko": 5, "ru": 6}
    assert con.execute(
        "SELECT count(*) FROM quotes q JOIN sources s ON s.id = q.source_id WHERE q.language IS NOT s.language"
    ).fetchone() == (0,)
    assert con.execute("SELECT language_note FROM quotes WHERE id = 'q-putin-tribute-tass-en'").fetchone() == (
        "English, as printed by TASS",
    )
    con.close()


def test_a_sqlite_export_of_claims_holds_the_events_they_name_as_outcomes(
    run: Run, tmp_path: Path, bundled: Dataset
) -> None:
    out = tmp_path / "claims.sqlite"
    assert run("export", str(out), "--type", "claim").code == 0
    con = sqlite3.connect(out)
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    named = {e for claim in bundled.claims.values() for e in claim.outcomes}
    assert named and {row[0] for row in con.execute("SELECT event_id FROM outcomes")} >= named
    events = [row[0] for row in con.execute("SELECT id FROM events ORDER BY rowid")]
    assert set(events) >= named and events == sorted(events)
    assert con.execute("SELECT count(*) FROM claims").fetchone() == (len(bundled.claims),)
    assert con.execute("SELECT count(*) FROM quotes").fetchone() == (0,)
    con.close()


@pytest.mark.parametrize("types", [[], ["--type", "claim"], ["--type", "quote", "--type", "event"]], ids=str)
def test_a_sqlite_export_read_from_the_store_is_the_export_of_the_files(
    run: Run, tmp_path: Path, private_cache: Path, types: list[str]
) -> None:
    from kurskcli.tables import TABLES

    data = tmp_path / "kursk.jsonl"  # the bundled data as a dataset of one's own
    assert run("export", str(data), env={"KURSKCLI_CACHE": "off"}).code == 0
    lines = [json.loads(line) for line in data.read_text("utf-8").splitlines()]
    events = sorted(line["id"] for line in lines if line["type"] == "event")
    for line in lines:  # a claim names two events out of order, and one of them a third
        if line["type"] == "claim" and not line.get("outcomes"):
            line["outcomes"] = [events[-1], events[0]]
            break
    next(line for line in lines if line.get("id") == events[0])["outcomes"] = [events[1]]
    data.write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
    args = ["--no-bundled", "--data", str(data)]
    assert run("search", "monument", *args).code == 0  # the store is built
    whole, streamed = tmp_path / "whole.sqlite", tmp_path / "streamed.sqlite"
    expected = run("export", str(whole), *types, *args, env={"KURSKCLI_CACHE": "off"})
    got = run("export", str(streamed), *types, *args)
    assert (got.code, got.err.replace("streamed", "whole")) == (expected.code, expected.err) == (0, expected.err)
    a, b = sqlite3.connect(whole), sqlite3.connect(streamed)
    names = [row[0] for row in a.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    assert "quotes" in names and "search" in names
    for name in names:  # each row, in the order stored (the search index's own tables too)
        assert list(a.execute(f"SELECT * FROM {name}")) == list(b.execute(f"SELECT * FROM {name}")), name
    for name in TABLES:
        assert list(a.execute(f"SELECT rowid FROM {name}")) == list(b.execute(f"SELECT rowid FROM {name}")), name
    exported = [row[0] for row in b.execute("SELECT id FROM events ORDER BY rowid")]
    assert exported == sorted(exported) and {events[-1], events[0], events[1]} <= set(exported)
    a.close()
    b.close()


def test_the_store_shows_the_tables_the_sqlite_export_writes(run: Run, tmp_path: Path, private_cache: Path) -> None:
    from kurskcli.model import PART
    from kurskcli.tables import TABLES

    from .test_index import big_dataset

    data = big_dataset(tmp_path, 400)  # beside the bundled data; its source's text is in two parts
    assert run("search", "item7", "--data", str(data)).code == 0
    (saved,) = private_cache.glob("*.sqlite")
    out = tmp_path / "all.sqlite"
    assert run("export", str(out), "--data", str(data)).code == 0
    exported, stored = sqlite3.connect(out), sqlite3.connect(saved)
    for name in TABLES:
        rows = sorted(exported.execute(f"SELECT * FROM {name}"), key=repr)
        assert rows and sorted(stored.execute(f"SELECT * FROM {name}"), key=repr) == rows, name
    (text,) = stored.execute("SELECT text FROM sources WHERE id = 'src'").fetchone()
    assert len(text) > PART and text == json.loads(data.read_text("utf-8"))["sources"][0]["text"]
    spoken = "SELECT actors.name FROM quotes JOIN actors ON actors.id = quotes.speaker WHERE quotes.id = 'q7'"
    assert stored.execute(spoken).fetchall() == [("Speaker",)]
    exported.close()
    stored.close()
    lines = run("export", "-", "--format", "jsonl", "--data", str(data))  # the text read a part at a time
    assert lines.out == run("export", "-", "--format", "jsonl", "--data", str(data), env={"KURSKCLI_CACHE": "off"}).out
    assert json.dumps(text, ensure_ascii=False) in lines.out


def test_csv_round_trips_and_neutralizes_formulas(run: Run, tmp_path: Path) -> None:
    doc = json.loads(MINI.read_text("utf-8"))
    doc["actors"][0]["role"] = '=HYPERLINK("http://evil","click")'
    doc["actors"][1]["role"] = "@SUM(A1)"
    doc["actors"][2]["role"] = "+1"
    doc["actors"][3]["role"] = "-2"
    data = tmp_path / "mini.json"
    data.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    out = tmp_path / "all.csv"
    assert run("export", str(out), "--data", str(data), "--no-bundled").code == 0
    raw = out.read_text("utf-8")
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    header, body = rows[0], rows[1:]
    assert header[:2] == ["type", "id"]
    assert all(len(row) == len(header) for row in body)
    by_id = {row[1]: dict(zip(header, row, strict=True)) for row in body}
    assert by_id["petrov"]["role"] == '\'=HYPERLINK("http://evil","click")'
    assert by_id["kim-min-ji"]["role"] == "'@SUM(A1)"
    assert by_id["city"]["role"] == "'+1" and by_id["alpha-news"]["role"] == "'-2"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in body for cell in row)
    assert by_id["q-open"]["text"] == "the bridge will open in spring"
    assert by_id["q-open"]["source_id"] == "mini-src" and by_id["q-open"]["speaker_name"] == "Ivan Petrov"
    assert by_id["petrov"]["aliases"] == "Петров; Иван Петров"


def test_csv_neutralizes_list_cells_too(run: Run, tmp_path: Path) -> None:
    doc = json.loads(MINI.read_text("utf-8"))
    doc["actors"][0]["aliases"] = ['=HYPERLINK("http://evil","x")', "Petrov"]
    doc["events"][0]["actors"] = ["petrov"]
    data = tmp_path / "mini.json"
    data.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    out = tmp_path / "all.csv"
    assert run("export", str(out), "--data", str(data), "--no-bundled").code == 0
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(out.read_text("utf-8"), newline=""))}
    assert rows["petrov"]["aliases"] == '\'=HYPERLINK("http://evil","x"); Petrov'
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows.values() for cell in row.values())


def test_csv_of_one_type_has_only_its_columns(run: Run, tmp_path: Path, bundled: Dataset) -> None:
    out = tmp_path / "quotes.csv"
    assert run("export", str(out), "--type", "quote").code == 0
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(bundled.quotes) and {r["type"] for r in rows} == {"quote"}
    assert "claimant" not in rows[0] and "speaker" in rows[0]


def test_jsonl_and_json_exports(run: Run, tmp_path: Path, bundled: Dataset) -> None:
    r = run("export", "-", "--format", "jsonl")
    lines = [json.loads(line) for line in r.out.splitlines()]
    total = sum(len(t) for t in (bundled.sources, bundled.actors, bundled.quotes, bundled.claims, bundled.events))
    assert r.code == 0 and len(lines) == total + 1  # and the line that describes the dataset
    assert lines[0]["type"] == "dataset" and lines[0]["id"] == "kursk-2025"
    assert {obj["type"] for obj in lines[1:]} == {"source", "actor", "quote", "claim", "event"}
    out = tmp_path / "claims.json"
    assert run("export", str(out), "--type", "claim").code == 0
    claims = json.loads(out.read_text("utf-8"))
    assert [c["id"] for c in claims] == sorted(bundled.claims)


def test_markdown_is_ready_to_paste(run: Run, tmp_path: Path) -> None:
    r = run("export", "-", "--format", "markdown", "--type", "quote")
    assert r.code == 0
    assert f"> {W}.\n>\n> — **Vladimir Putin**, 28 Apr 2025 (`q-putin-tribute`)\n" in r.out
    doc = json.loads(MINI.read_text("utf-8"))
    doc["events"][0]["title"] = "A *bold* [link](http://x) <b>tag</b>"
    data = tmp_path / "md.json"
    data.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    md = run("export", "-", "-f", "markdown", "--data", str(data), "--no-bundled", "--type", "event").out
    assert r"A \*bold\* \[link\](http://x) \<b\>tag\</b\>" in md


# ----------------------------------------------------------------------------- safe writing


def test_an_existing_file_survives_without_force(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "keep.csv"
    out.write_bytes(b"precious\x00bytes")
    r = run("export", str(out))
    assert r.code == 73 and r.out == "" and "--force" in r.err
    assert out.read_bytes() == b"precious\x00bytes"
    assert leftovers(tmp_path) == []
    assert run("export", str(out), "--force").code == 0
    assert out.read_text("utf-8").startswith("type,id,")


def test_a_failing_export_leaves_the_old_file_and_no_temporary_file(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kurskcli import export

    def half_then_fail(records: object, ds: object, out: io.TextIOBase) -> None:
        out.write("type,id\r\nquote,q-half")
        out.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export, "write_csv", half_then_fail)
    old = tmp_path / "old.csv"
    old.write_text("the old export\n", "utf-8")
    r = run("export", str(old), "--force")
    assert r.code == 74 and "No space left on device" in r.err and r.out == ""
    assert old.read_text("utf-8") == "the old export\n"
    new = tmp_path / "new.csv"
    assert run("export", str(new)).code == 74
    assert not new.exists()
    assert leftovers(tmp_path) == []


def test_a_link_planted_while_the_export_is_written_is_never_written_through(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kurskcli import export

    victim = tmp_path / "victim"
    victim.write_text("the victim's own file\n", "utf-8")
    victim.chmod(0o600)
    real = export.write_csv

    def swap_then_write(records: object, ds: object, out: io.TextIOBase) -> None:
        # what another user could do in a shared folder: put a link where the new file is
        [part] = tmp_path.glob(".kurskcli-*.tmp/part")
        part.unlink()
        part.symlink_to(victim)
        real(records, ds, out)  # type: ignore[arg-type]

    monkeypatch.setattr(export, "write_csv", swap_then_write)
    r = run("export", str(tmp_path / "out.csv"))
    assert r.code == 74 and "replaced while it was being written" in r.err
    assert victim.read_text("utf-8") == "the victim's own file\n" and victim.stat().st_mode & 0o777 == 0o600
    assert not (tmp_path / "out.csv").exists() and leftovers(tmp_path) == []


def test_a_link_in_the_way_of_the_temporary_folder_is_stepped_around(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep\n", "utf-8")
    names = iter([b"\x00" * 6, b"\x01" * 6])
    monkeypatch.setattr("kurskcli.files.os.urandom", lambda n: next(names))
    import os

    (tmp_path / f".kurskcli-{os.getpid()}-000000000000.tmp").symlink_to(tmp_path)
    assert run("export", str(tmp_path / "out.csv")).code == 0
    assert victim.read_text("utf-8") == "keep\n"
    assert (tmp_path / "out.csv").read_text("utf-8").startswith("type,id,")


def test_replacing_a_file_keeps_its_permission_bits_but_never_setuid(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_text("old\n", "utf-8")
    out.chmod(0o4750)
    assert run("export", str(out), "--force").code == 0
    assert out.stat().st_mode & 0o7777 == 0o750


def test_a_long_file_name_that_the_file_system_takes_is_written(run: Run, tmp_path: Path) -> None:
    out = tmp_path / ("q" * 250 + ".csv")
    r = run("export", str(out))
    assert r.code == 0, r.err
    assert out.read_text("utf-8").startswith("type,id,") and leftovers(tmp_path) == []


def test_the_file_and_its_folder_reach_the_disk_before_and_after_the_rename(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import stat

    events: list[str] = []
    real_fsync, real_link = os.fsync, os.link

    def fsync(fd: int) -> None:
        events.append("fsync folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync file")
        real_fsync(fd)

    def link(*args: object, **kw: object) -> None:
        events.append("link")
        real_link(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "link", link)
    assert run("export", str(tmp_path / "out.json")).code == 0
    assert events == ["fsync file", "link", "fsync folder"]


def test_a_full_disk_during_a_sqlite_export_is_exit_74(run: Run, tmp_path: Path) -> None:
    import resource
    import subprocess
    import sys

    out = tmp_path / "small.sqlite"
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))\n"
        "from kurskcli.cli import main\n"
        f"main(['export', {str(out)!r}])\n"
    )
    assert resource.getrlimit(resource.RLIMIT_FSIZE)[0] != 0
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 74, r.stderr
    assert r.stderr.startswith("kurskcli: ") and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert not out.exists() and leftovers(tmp_path) == []


def test_export_usage_errors(run: Run, tmp_path: Path) -> None:
    assert run("export", "-", "--format", "sqlite").code == 2
    unknown = run("export", str(tmp_path / "out.txt"))
    assert unknown.code == 2 and "--format" in unknown.err
    assert run("export", str(tmp_path / "x.csv"), "--type", "robot").code == 2
    assert run("export", str(tmp_path / "missing" / "x.csv")).code == 73
    assert run("export", str(tmp_path), "--format", "csv").code == 73  # a folder
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- citations

EXPECTED = {
    "plain": (
        f"Vladimir Putin, 28 April 2025: “{W}.” (quoted in Konstantin Asmolov, “{TITLE}”, www.afgazad.com, "
        "30 April 2025)"
    ),
    "markdown": (
        f"> {W}.\n>\n> — Vladimir Putin, 28 April 2025, quoted in Konstantin Asmolov, *{TITLE}*, www.afgazad.com, "
        "30 April 2025."
    ),
    "apa": (
        f"Vladimir Putin said, “{W}” (as cited in Asmolov, 2025).\n\n"
        f"Asmolov, K. (2025, April 30). {TITLE}. www.afgazad.com."
    ),
    "mla": (
        f"Vladimir Putin said, “{W}” (qtd. in Asmolov).\n\n"
        f"Asmolov, Konstantin. “{TITLE_CASE}.” www.afgazad.com, 30 Apr. 2025."
    ),
    "chicago": (
        f"Vladimir Putin, 28 April 2025, “{W},” quoted in Konstantin Asmolov, “{TITLE_CASE},” www.afgazad.com, "
        f"April 30, 2025.\n\nAsmolov, Konstantin. “{TITLE_CASE}.” www.afgazad.com, April 30, 2025."
    ),
    "bibtex": (
        "@misc{asmolov2025:q-putin-tribute,\n"
        "  author = {Asmolov, Konstantin},\n"
        f"  title = {{{TITLE}}},\n"
        "  howpublished = {www.afgazad.com},\n"
        "  year = {2025},\n"
        "  month = apr,\n"
        f"  note = {{Vladimir Putin, 28 April 2025: ``{W}.''}}\n"
        "}"
    ),
}


@pytest.mark.parametrize("style", sorted(EXPECTED))
def test_each_citation_style(run: Run, style: str) -> None:
    r = run("cite", "q-putin-tribute", "--style", style)
    assert r.code == 0 and r.err == ""
    assert r.out == EXPECTED[style] + "\n"


def test_a_paraphrased_claim_is_never_put_in_quotation_marks(run: Run, bundled: Dataset) -> None:
    claim = bundled.claims["c-putin-gratitude"]
    assert not claim.verbatim
    for style in EXPECTED:
        out = run("cite", claim.id, "--style", style).out
        assert f"“{claim.text}" not in out and f"``{claim.text}" not in out
        assert "quoted in" not in out
    assert "as reported in Konstantin Asmolov" in run("cite", claim.id).out


def test_citation_errors_and_json(run: Run) -> None:
    event = run("cite", "e-putin-tribute")
    assert event.code == 2 and "only quotes and claims" in event.err
    typo = run("cite", "q-putin-tribut")
    assert typo.code == 1 and "did you mean q-putin-tribute" in typo.err
    assert run("cite", "q-putin-tribute", "--style", "harvard").code == 2
    obj = run("cite", "q-cmc-monument", "--style", "apa", "--json").json()
    assert obj["type"] == "citation" and obj["style"] == "apa" and "(as cited in Asmolov, 2025)" in obj["text"]  # type: ignore[index]


def test_bibtex_escapes_special_characters(tmp_path: Path) -> None:
    from kurskcli.cite import _bib

    assert _bib("50% of R&D_costs {x} #1 $") == r"50\% of R\&D\_costs \textbraceleft{}x\textbraceright{} \#1 \$"


# ----------------------------------------------------------------------------- pictures


def nasty_data(tmp_path: Path) -> Path:
    doc = json.loads(MINI.read_text("utf-8"))
    doc["events"][0]["title"] = '<script>alert("x")</script> & ]]> \x1b[31mred'
    path = tmp_path / "nasty.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return path


def test_timeline_as_svg_and_html(run: Run, tmp_path: Path) -> None:
    svg, page = tmp_path / "t.svg", tmp_path / "t.html"
    r = run("timeline", "--quotes", "--svg", str(svg), "--html", str(page), "--data", str(nasty_data(tmp_path)))
    assert r.code == 0 and r.out == ""
    root = ET.fromstring(svg.read_text("utf-8"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = "".join(root.itertext())
    assert "e-briefing" in text.replace("\xa0", " ") and "<script>" in text.replace("\xa0", " ")

    class Collect(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[str] = []
            self.data: list[str] = []

        def handle_starttag(self, tag: str, attrs: object) -> None:
            self.tags.append(tag)

        def handle_data(self, data: str) -> None:
            self.data.append(data)

    html = page.read_text("utf-8")
    parser = Collect()
    parser.feed(html)
    # one script, the page's own (inline, for its filters); the data's "<script>" is text
    assert parser.tags.count("script") == 1 and "\x1b" not in html
    from kurskcli.picture import _SCRIPT

    assert html.count("<script>") == 1 and f"<script>{_SCRIPT}</script>" in html
    assert '<script>alert("x")</script>' in "".join(parser.data)
    assert "q-putin-tribute" in "".join(parser.data)


def test_pictures_are_not_written_over_existing_files(run: Run, tmp_path: Path) -> None:
    svg = tmp_path / "t.svg"
    svg.write_text("mine")
    assert run("timeline", "--svg", str(svg)).code == 73
    assert svg.read_text() == "mine"
    assert run("timeline", "--svg", str(svg), "--force").code == 0
    assert svg.read_text("utf-8").startswith("<svg")


def test_dates_and_titles_as_the_styles_write_them() -> None:
    from kurskcli.cite import _written_date, title_case

    assert _written_date("2025-09-03", abbreviate=True) == "3 Sept. 2025"
    assert _written_date("2025-06-01", abbreviate=True) == "1 June 2025"
    assert _written_date("2025-03", abbreviate=True) == "Mar. 2025"
    assert _written_date("2025-04-30", us=True) == "April 30, 2025"
    assert _written_date("2025-04-26/2025-04-30") is None  # a range is not one day
    assert title_case("a tale of two cities in the north") == "A Tale of Two Cities in the North"


@pytest.mark.slow
@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP"])
def test_a_signal_during_a_sqlite_export_leaves_nothing_behind(tmp_path: Path, sig: str) -> None:
    import signal
    import subprocess
    import sys
    import time

    from .test_index import big_dataset

    data = big_dataset(tmp_path, 30_000)
    out = tmp_path / "out" / "big.sqlite"
    out.parent.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kurskcli", "export", str(out), "--data", str(data), "--no-bundled"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not list(out.parent.glob(".kurskcli-*.tmp/part")):
        assert proc.poll() is None, "the export finished before the test could stop it"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    proc.send_signal(getattr(signal, sig))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + getattr(signal, sig)
    assert err == {"SIGTERM": "kurskcli: terminated\n", "SIGHUP": "kurskcli: hung up\n"}[sig]
    assert list(out.parent.iterdir()) == []


_JSON_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | _JSON_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_JSON_TEXT, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_JSON_VALUES, min_size=1, max_size=5))
def test_a_long_json_list_is_written_byte_for_byte_as_the_standard_library_writes_it(items: list[Any]) -> None:
    import io

    from kurskcli.output import LONG_JSON, write_json

    long_list = (items * LONG_JSON)[:LONG_JSON]  # long enough for the fast writer
    expected = json.dumps(long_list, ensure_ascii=False, indent=2) + "\n"
    text = io.StringIO()  # no bytes underneath: the writer decodes
    write_json(long_list, text)
    assert text.getvalue() == expected
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    stream.write("[before] ")  # what the text layer holds must come out first
    write_json(long_list, stream)  # UTF-8 bytes underneath: the writer writes them as they are
    stream.flush()
    assert raw.getvalue().decode("utf-8") == "[before] " + expected
    raw16 = io.BytesIO()
    stream16 = io.TextIOWrapper(raw16, encoding="utf-16", newline="")  # a UTF, but not UTF-8 bytes
    write_json(long_list, stream16)
    stream16.flush()
    assert raw16.getvalue().decode("utf-16") == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(_JSON_VALUES, max_size=5))
def test_a_json_list_written_an_item_at_a_time_is_the_standard_librarys(items: list[Any]) -> None:
    import io

    from kurskcli.output import write_json_list

    for encoding, level in [("utf-8", 0), ("ascii", 0), ("utf-8", 1), ("ascii", 2), ("utf-8", 3)]:
        # a list ``level`` deep in a document, written around it: {"k": {"k": [...]}}
        doc: Any = items
        for _ in range(level):
            doc = {"k": doc}
        raw = io.BytesIO()
        stream = io.TextIOWrapper(raw, encoding=encoding, newline="")
        stream.write("".join("{\n" + "  " * (i + 1) + '"k": ' for i in range(level)))
        write_json_list(iter(items), stream, level=level)
        stream.write("".join("\n" + "  " * i + "}" for i in reversed(range(level))) + ("\n" if level else ""))
        stream.flush()
        assert raw.getvalue().decode(encoding) == json.dumps(doc, ensure_ascii=encoding == "ascii", indent=2) + "\n"


def test_annotations_are_w3c_web_annotations_that_find_each_quote_in_its_source(
    run: Run, bundled: Dataset, tmp_path: Path
) -> None:
    r = run("export", "-", "--format", "annotations")
    collection = json.loads(r.out)
    assert r.out == json.dumps(collection, ensure_ascii=False, indent=2) + "\n"  # as every JSON export is laid out
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert collection["type"] == "AnnotationCollection" and collection["id"].startswith("urn:")
    page = collection["first"]
    assert page["type"] == "AnnotationPage" and collection["total"] == len(page["items"]) == len(bundled.quotes)
    iri = re.compile(r"^[a-z][a-z0-9+.-]*:\S+$")
    for anno in page["items"]:
        # what the model requires of an Annotation: an IRI, its type, at least one target
        assert iri.match(anno["id"]) and anno["type"] == "Annotation" and anno["target"]
        rid = next(b["value"] for b in anno["body"] if b["purpose"] == "tagging")
        quote = bundled.quotes[rid]
        src = bundled.sources[quote.span.source]
        target = anno["target"]
        assert iri.match(target["source"]) and target["source"] == (src.url or f"urn:kurskcli:source:{src.id}")
        kinds = {sel["type"]: sel for sel in target["selector"]}
        text = kinds["TextQuoteSelector"]
        assert text["exact"] and text["prefix"] + text["exact"] + text["suffix"] in src.text
        assert " ".join(text["exact"].split()) == quote.text
        if src.stored == "full":
            position = kinds["TextPositionSelector"]
            assert src.text[position["start"] : position["end"]] == text["exact"]
        else:  # an excerpt's positions are not the page's: no position is given
            assert "TextPositionSelector" not in kinds
        described = next(b for b in anno["body"] if b["purpose"] == "describing")
        assert described["type"] == "TextualBody" and bundled.name_of(quote.speaker) in described["value"]
    out = tmp_path / "quotes.jsonld"
    assert run("export", str(out)).code == 0 and json.loads(out.read_text("utf-8")) == collection
