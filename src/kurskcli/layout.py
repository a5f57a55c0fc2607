"""What a store of user datasets is on disk, shared by its writer (``index``) and its reader
(``store``): the format, the tables, the keys of its description, and the digests its rows
carry (what they guard against is said in ``store``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kurskcli.searcher import WEIGHTS
from kurskcli.tables import views
from kurskcli.text import WORD, fold

if TYPE_CHECKING:
    import sqlite3

FORMAT = "kurskcli-search-index/14"
_BLAKE2B: Any = None


def digest_of(*parts: bytes | str | int) -> bytes:
    """A 16-byte BLAKE2b of ``parts``, each as its length and its bytes (str as UTF-8, int as
    decimal): every row of the store carries one, and is checked by it when read."""
    global _BLAKE2B
    if _BLAKE2B is None:  # imported once, on first use
        try:
            from _blake2 import blake2b  # what hashlib.blake2b is, without hashlib's OpenSSL (3-4 ms)
        except ImportError:  # a Python without the module
            from hashlib import blake2b
        _BLAKE2B = blake2b
    h = _BLAKE2B(digest_size=16)
    update = h.update
    for part in parts:
        if isinstance(part, str):
            raw = part.encode("utf-8", "surrogateescape")
        elif isinstance(part, int):
            raw = str(part).encode()
        else:
            raw = part
        update(len(raw).to_bytes(8, "little"))
        update(raw)
    return bytes(h.digest())


def record_digest(rid: int, rec_id: str, data: str) -> bytes:
    """The digest of a record's row: ``digest_of``'s, in one call (a row of every record is
    written), the parts joined by NUL, which neither an id nor a record's JSON holds."""
    if _BLAKE2B is None:
        digest_of()
    return bytes(_BLAKE2B(f"{rid}\0{rec_id}\0{data}".encode("utf-8", "surrogateescape"), digest_size=16).digest())


META_KEYS = (
    "format",
    "key",
    "deps",
    "lexicon",  # the digest of "vocab" (the words) and "docs" (in how many records each is: 4 bytes a word)
    "sizes",  # how many records of each kind (``TYPE_ORDER``): each kind is numbered in one run
    "renderings",
    "sources",
    "lengths",
    "infos",
    "mentions",  # how many records name each actor (the records are in the mentions table)
    "counts",  # in what roles they name it (query.actor_counts)
)
SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID",
    # The search index: a record's folded words, one column per field weight (``searcher.WEIGHTS``);
    # the row id is the record's kind and its number within the kind (``fts_rowid``). The words
    # are given as Python's ``\w+`` finds them, so the tokenizer splits where the searcher does.
    "CREATE VIRTUAL TABLE words USING fts5(w0, w1, w2, w3, content='', columnsize=0, detail=column,"
    " tokenize=\"unicode61 remove_diacritics 0 categories 'L* N* Pc'\")",
    # ``sort``: where a quote, claim or event falls in the timeline (``query.order_text``)
    "CREATE TABLE records (rid INTEGER PRIMARY KEY, id TEXT, type TEXT, sort TEXT, data TEXT, digest BLOB)",
    "CREATE TABLE texts (id TEXT, part INTEGER, text TEXT, digest BLOB, PRIMARY KEY (id, part)) WITHOUT ROWID",
    "CREATE TABLE mentions (actor TEXT PRIMARY KEY, rids BLOB, digest BLOB) WITHOUT ROWID",
    # the dataset as the SQLite export has it, for sqlite3 and Datasette; kurskcli reads the rows
    *views(),
)
# made once the records are in: an index kept up row by row slows the writing by a fifth
INDEXES = ("CREATE INDEX records_id ON records (id)", "CREATE INDEX records_when ON records (type, sort)")
_EXPECTED: list[tuple[Any, ...]] = []


def fts_rowid(code: int, n: int) -> int:
    """The search index's row of the ``n``-th record of the kind numbered ``code`` (``TYPE_ORDER``)."""
    return code << 32 | n


def indexed_words(fields: Sequence[tuple[str, str, float]]) -> list[str]:
    """A record's row of the search index from its fields (``searcher.fields_of``): a column per
    weight (``WEIGHTS``), each holding the words of the fields of that weight, as the searcher
    folds them. ASCII text goes as it is: the tokenizer lowers its letters and splits it where
    ``\\w+`` does, which is all folding does to its words. Any other is folded, and given as the
    words ``\\w+`` finds."""
    columns: list[list[str]] = [[] for _ in WEIGHTS]
    for _, text, weight in fields:
        columns[WEIGHTS.index(weight)].append(text if text.isascii() else " ".join(WORD.findall(fold(text))))
    return ["\n".join(texts) for texts in columns]


def layout_of(con: sqlite3.Connection) -> list[tuple[Any, ...]]:
    return con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()


def expected_layout() -> list[tuple[Any, ...]]:
    """What sqlite_master holds in an index that ``write`` made: nothing more, nothing less."""
    if not _EXPECTED:
        import sqlite3

        con = sqlite3.connect(":memory:")
        for statement in (*SCHEMA, *INDEXES):
            con.execute(statement)
        _EXPECTED.extend(layout_of(con))
        con.close()
    return _EXPECTED
