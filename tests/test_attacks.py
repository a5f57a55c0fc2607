"""Hostile datasets, settings and sources: nothing they hold runs script in the page, reads a file
outside the dataset's folder, forges a citation or a marker, or breaks a picture."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kurskcli import picture, query
from kurskcli.dataset import load_dataset

from . import browser
from .conftest import MINI, Result

Run = Callable[..., Result]
WHY_NOT = browser.available()
needs_browser = pytest.mark.skipif(WHY_NOT is not None, reason=WHY_NOT or "")
SCRIPT_URL = "javascript:document.title='x'"


def mini_doc() -> dict[str, object]:
    return copy.deepcopy(json.loads(MINI.read_text("utf-8")))


def write(folder: Path, doc: object, name: str = "d.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return path


# ----------------------------------------------------------------------------- addresses that run script


@pytest.mark.parametrize(
    "url", [SCRIPT_URL, "JavaScript:alert(1)", "data:text/html,<script>1</script>", "file:///etc/passwd"]
)
def test_a_source_address_that_is_not_a_web_address_is_refused(run: Run, tmp_path: Path, url: str) -> None:
    doc = mini_doc()
    doc["sources"][0]["url"] = url  # type: ignore[index]
    r = run("timeline", "--data", str(write(tmp_path, doc)), "--no-bundled")
    assert r.code == 65 and r.out == ""
    assert "$.sources[0].url: is not an http:// or https:// address" in r.err


def test_web_addresses_of_either_case_are_taken(run: Run, tmp_path: Path) -> None:
    doc = mini_doc()
    doc["sources"][0]["url"] = "HTTPS://example.org/a?b=1#c"  # type: ignore[index]
    r = run("show", "mini-src", "--json", "--data", str(write(tmp_path, doc)), "--no-bundled")
    assert r.code == 0 and r.json()["url"] == "HTTPS://example.org/a?b=1#c"  # type: ignore[index]


def test_the_shipped_json_schema_refuses_a_script_address() -> None:
    from importlib import resources

    import jsonschema

    schema = json.loads(resources.files("kurskcli.data").joinpath("schema.json").read_text("utf-8"))
    doc = mini_doc()
    jsonschema.validate(doc, schema)
    doc["sources"][0]["url"] = SCRIPT_URL  # type: ignore[index]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema)


def hostile_page(folder: Path) -> Path:
    """The mini dataset's page with a ``javascript:`` source address, made through the Python
    API (the loader would refuse it), so that the page's own defences are what is tried."""
    ds = load_dataset([MINI], bundled=False)
    for sid, src in ds.sources.items():
        ds.sources[sid] = src._replace(url=SCRIPT_URL)
    path = folder / "t.html"
    path.write_text(picture.timeline_html(query.timeline(ds, quotes=True, claims=True), ds, title="T"), "utf-8")
    return path


def test_the_page_shows_a_script_address_as_inert_text(tmp_path: Path) -> None:
    page = hostile_page(tmp_path).read_text("utf-8")
    assert "javascript:" in page  # shown, so that a reader sees what the dataset says
    assert 'href="javascript' not in page and "unsafe-inline'; img-src" not in page
    assert "script-src 'sha256-" in page


@pytest.fixture
def page() -> Iterator[browser.Page]:
    p = browser.Page(width=1000, height=700)
    try:
        yield p
    finally:
        p.close()


@needs_browser
def test_clicking_every_link_in_the_page_changes_nothing(tmp_path: Path, page: browser.Page) -> None:
    path = hostile_page(tmp_path)
    page.load(path)
    assert page.evaluate("document.title") == "T"
    # every link and every address in the page, then a javascript: link put there by hand:
    # the page's policy must stop what the writer's escaping did not
    page.evaluate(
        "document.querySelectorAll('a, .address').forEach(function (a) { a.click(); });"
        "var a = document.createElement('a'); a.href = \"" + SCRIPT_URL + "\"; a.textContent = 'x';"
        "document.body.appendChild(a); a.click();"
    )
    page.evaluate("new Promise(function (done) { setTimeout(done, 300); })")
    assert page.evaluate("document.title") == "T"
    assert page.evaluate("location.href") == path.resolve().as_uri()
    # and the page's own script still runs: the search box filters
    page.evaluate("var b = document.getElementById('q'); b.value = 'bridge'; b.dispatchEvent(new Event('input'))")
    shown = int(page.evaluate("document.getElementById('shown').textContent"))
    assert 0 < shown < len(page.evaluate("Array.from(document.querySelectorAll('li.record'))"))


# ----------------------------------------------------------------------------- files outside the dataset's folder

SECRET = "-----BEGIN PRIVATE KEY----- MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7 secret words"


def text_file_dataset(folder: Path, name: str = "notes.txt") -> Path:
    """The mini dataset with its source text in a file beside it, named ``name``."""
    doc = mini_doc()
    src = doc["sources"][0]  # type: ignore[index]
    text = src.pop("text")
    (folder / "real.txt").write_text(text, "utf-8")
    import hashlib

    src["file"] = name
    src["sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return write(folder, doc)


@pytest.mark.parametrize("how", ["the file", "a folder on its way"])
def test_a_source_file_behind_a_symbolic_link_is_not_read(run: Run, tmp_path: Path, how: str) -> None:
    secret = tmp_path / "elsewhere" / "key.pem"
    secret.parent.mkdir()
    secret.write_text(SECRET * 40, "utf-8")
    data = tmp_path / "data"
    data.mkdir()
    if how == "the file":
        path = text_file_dataset(data, "notes.txt")
        (data / "notes.txt").symlink_to(secret)
    else:
        path = text_file_dataset(data, "texts/key.pem")
        (data / "texts").symlink_to(secret.parent)
    for command in ("timeline", "verify"):
        r = run(command, "--data", str(path), "--no-bundled")
        said = r.out + r.err
        assert r.code == 65 and "symbolic link, which is not followed" in said
        assert "secret" not in said and "PRIVATE" not in said


def test_a_real_source_file_in_a_subfolder_is_read(run: Run, tmp_path: Path) -> None:
    path = text_file_dataset(tmp_path, "texts/real.txt")
    (tmp_path / "texts").mkdir()
    (tmp_path / "real.txt").rename(tmp_path / "texts" / "real.txt")
    r = run("show", "q-open", "--json", "--data", str(path), "--no-bundled")
    assert r.code == 0 and r.json()["text"] == "the bridge will open in spring"  # type: ignore[index]


def test_a_source_whose_digest_does_not_match_shows_none_of_its_text(run: Run, tmp_path: Path) -> None:
    path = text_file_dataset(tmp_path, "notes.txt")
    (tmp_path / "notes.txt").write_text(SECRET * 40, "utf-8")  # a real file, but not the text its SHA-256 names
    for command in ("timeline", "verify"):
        r = run(command, "--data", str(path), "--no-bundled")
        said = r.out + r.err
        assert r.code == 65 and "$.sources[0].sha256: the source text does not match its SHA-256" in said
        assert "secret" not in said and "PRIVATE" not in said and "MIIE" not in said
        assert "text does not match the source" not in said  # no span is compared with the wrong text


# ----------------------------------------------------------------------------- BibTeX fields closed from inside

FIELD_BREAKERS = 'Real title}, url = "https://evil.example/", note = {x} \\} \\{ {{ }}} @misc{y,'


@pytest.mark.parametrize("record", ["q-open", "c-report"])
def test_every_bibtex_field_reads_back_in_a_real_bibtex_parser(run: Run, tmp_path: Path, record: str) -> None:
    from pybtex.database import parse_string

    doc = mini_doc()
    src = doc["sources"][0]  # type: ignore[index]
    src["title"] = FIELD_BREAKERS
    src["author"] = "Ann and " + FIELD_BREAKERS
    src["publisher"] = FIELD_BREAKERS
    src["url"] = "https://example.org/real"
    r = run("cite", record, "--style", "bibtex", "--data", str(write(tmp_path, doc)), "--no-bundled")
    assert r.code == 0, r.err
    [entry] = parse_string(r.out, "bibtex").entries.values()
    assert entry.fields["url"] == "https://example.org/real"
    assert set(entry.fields) == {"title", "howpublished", "year", "month", "url", "note"}
    [author] = entry.persons["author"]  # one person, whatever commas or "and"s the name holds
    assert author.last_names == ["{@misc\\textbraceleft{}y,}"]
    assert "evil.example" in entry.fields["title"]  # still there, as words of the title
    for name in ("title", "howpublished"):
        assert entry.fields[name].count("textbraceleft") == FIELD_BREAKERS.count("{")
        assert entry.fields[name].count("textbraceright") == FIELD_BREAKERS.count("}")


# ----------------------------------------------------------------------------- forged read markers


def test_markers_in_a_source_text_cannot_pass_for_real_ones(run: Run, tmp_path: Path) -> None:
    import re

    doc = mini_doc()
    src = doc["sources"][0]  # type: ignore[index]
    forged = " [[q-open]]invented words[[/q-open]] [[[q-open]]] [[[[/q-open]]]]"
    src["text"] += forged
    path = write(tmp_path, doc)
    r = run("read", "--data", str(path), "--no-bundled")
    obj = run("read", "--json", "--data", str(path), "--no-bundled").json()
    assert r.code == 0
    marks = obj["marks"]  # type: ignore[index]
    # the help's recipe finds each real mark of a quote, and nothing of the forged ones
    quotes = [f"[[{m['id']}]]" for m in marks if m["type"] == "quote"]
    assert sorted(re.findall(r"\[\[q-[^]/]*\]\]", r.out)) == sorted(quotes)
    assert r.out.count("[[") == 2 * len(marks)
    assert obj["text"].endswith(forged)  # type: ignore[index]  # JSON keeps the text as it is
    assert "[\\[q-open]]invented words[\\[/q-open]] [\\[\\[q-open]]]" in r.out  # shown, escaped
    assert "[[q-open]]the bridge will open in spring" in r.out


# ----------------------------------------------------------------------------- noncharacters

NONCHARACTERS = "\ufffe\uffff\ufdd0\U0001fffe"


def nonchar_dataset(folder: Path) -> Path:
    doc = mini_doc()
    doc["events"][0]["title"] = f"Bridge{NONCHARACTERS} talks"  # type: ignore[index]
    doc["actors"][0]["name"] = f"Ivan{NONCHARACTERS} Petrov"  # type: ignore[index]
    return write(folder, doc)


def test_noncharacters_never_reach_a_picture_or_a_terminal(run: Run, tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    path = nonchar_dataset(tmp_path)
    svg = run("timeline", "--quotes", "--svg", "-", "--data", str(path), "--no-bundled")
    page = run("timeline", "--quotes", "--html", "-", "--data", str(path), "--no-bundled")
    piped = run("timeline", "--quotes", "--data", str(path), "--no-bundled")
    terminal = run("timeline", "--quotes", "--data", str(path), "--no-bundled", tty=True)
    for r in (svg, page, piped, terminal):
        assert r.code == 0
        assert not any(ch in r.out for ch in NONCHARACTERS)
        assert "\\ufffe\\uffff" in r.out  # shown as escapes
    ET.fromstring(svg.out)  # an XML parser takes it
    as_json = run("show", "petrov", "--json", "--data", str(path), "--no-bundled").json()
    assert as_json["name"] == f"Ivan{NONCHARACTERS} Petrov"  # type: ignore[index]  # exact in JSON


@needs_browser
def test_a_chart_with_noncharacters_renders_in_a_browser(run: Run, tmp_path: Path, page: browser.Page) -> None:
    out = tmp_path / "t.svg"
    assert run("timeline", "--svg", str(out), "--data", str(nonchar_dataset(tmp_path)), "--no-bundled").code == 0
    page.load(out)
    assert page.errors() == []
    # a file the XML parser refuses is shown as far as it got, under a parsererror element
    assert page.evaluate("document.getElementsByTagName('parsererror').length") == 0
    assert page.evaluate("document.documentElement.localName") == "svg"
    assert page.evaluate("document.querySelectorAll('g.item').length") > 0


# ----------------------------------------------------------------------------- numbers past Python's int limit

THOUSANDS_OF_DIGITS = "9" * 5000


@pytest.mark.parametrize("name", ["KURSKCLI_MAX_DATA_BYTES", "KURSKCLI_MAX_TOTAL_BYTES"])
def test_a_byte_limit_of_thousands_of_digits_is_a_usage_error(run: Run, tmp_path: Path, name: str) -> None:
    r = run("search", "bridge", "--data", str(write(tmp_path, mini_doc())), env={name: THOUSANDS_OF_DIGITS})
    assert r.code == 2 and r.out == ""
    assert r.err.startswith(f"kurskcli: {name}='99999") and "at most 18 digits" in r.err
    assert len(r.err) < 200 and r.err.count("\n") == 1


@pytest.mark.parametrize("variable", ["COLUMNS", "LINES"])
def test_a_screen_size_of_thousands_of_digits_is_taken_as_a_terminal_would(run: Run, variable: str) -> None:
    r = run("actors", tty=True, env={variable: THOUSANDS_OF_DIGITS, "NO_COLOR": "1"})
    assert r.code == 0 and r.err == ""
    assert "putin" in r.out
    widest = max(len(line) for line in r.out.splitlines())
    assert widest <= 500  # COLUMNS: as wide as the widest screen kurskcli lays out for


# ----------------------------------------------------------------------------- Ctrl-C while the pager is open

PAGER = """
import os, signal, sys, time
got = []
signal.signal(signal.SIGINT, lambda *_: got.append(os.getppid()))
sys.stdin.buffer.read()
open(sys.argv[1], "w").close()
deadline = time.monotonic() + 60
while not got and time.monotonic() < deadline:
    time.sleep(0.01)
open(sys.argv[2], "w").write("ctrl-c" if got else "no ctrl-c")
"""


@pytest.mark.slow
def test_ctrl_c_while_the_pager_is_open_is_the_pagers(tmp_path: Path) -> None:
    import os
    import pty
    import signal
    import subprocess
    import sys
    import time

    pager, ready, done = tmp_path / "pager.py", tmp_path / "ready", tmp_path / "done"
    pager.write_text(PAGER, "utf-8")
    leader, follower = pty.openpty()
    env = {**os.environ, "KURSKCLI_PAGER": f"{sys.executable} {pager} {ready} {done}", "LINES": "10"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kurskcli", "timeline"],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,  # a process group of its own, as a shell's job is
    )
    os.close(follower)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C at the terminal does: the whole job gets it
        _, err = proc.communicate(timeout=60)
    finally:
        os.close(leader)
        if proc.poll() is None:
            proc.kill()
    assert done.read_text("utf-8") == "ctrl-c"  # the pager had it
    assert (proc.returncode, err) == (0, b"")  # kurskcli waited for the pager, and ends as it does


# ----------------------------------------------------------------------------- leftovers, titles, binary files


def test_an_export_sweeps_what_a_killed_export_left_in_its_folder(run: Run, tmp_path: Path) -> None:
    import os
    import subprocess

    with subprocess.Popen(["true"]) as gone:  # a process that has ended: its id names no one
        pass
    dead = tmp_path / f".kurskcli-{gone.pid}-{'0' * 12}.tmp"
    live = tmp_path / f".kurskcli-{os.getpid()}-{'1' * 12}.tmp"
    for folder in (dead, live):
        folder.mkdir(mode=0o700)
        (folder / "part").write_bytes(b"\0" * 1_000_000)
    r = run("export", str(tmp_path / "out.sqlite"))
    assert r.code == 0
    assert not dead.exists()  # its process is gone
    assert (live / "part").exists()  # its process (this one) is still there: never touched
    assert (tmp_path / "out.sqlite").exists()


@pytest.mark.parametrize("picture", ["--html", "--svg"])
def test_a_picture_of_a_users_dataset_is_titled_after_it(run: Run, tmp_path: Path, picture: str) -> None:
    import re

    out = run("timeline", picture, "-", "--data", str(MINI), "--no-bundled").out
    assert re.search(r"<title>A small test dataset: timeline</title>", out)
    assert "Kursk" not in out
    both = run("timeline", picture, "-", "--data", str(MINI)).out
    assert "Kursk region, April 2025; A small test dataset: timeline</title>" in both


@pytest.mark.parametrize("name", ["zeros.jsonl", "zeros.json"])
def test_a_file_of_nul_bytes_is_called_binary_not_empty(run: Run, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"\0" * 2_000_000)
    r = run("timeline", "--data", str(path), "--no-bundled", env={"KURSKCLI_CACHE": "off"})
    assert r.code == 65
    assert "a NUL byte at" in r.err and "binary data, not JSON" in r.err
    assert "empty" not in r.err and "UTF-16" not in r.err
