"""The dataset as SQL tables, declared once: the store shows them as views over its rows, and the
SQLite export writes them as tables, with keys and foreign keys, from those views
(docs/exports.md). Each column is read from a record as msgspec writes it, an array of its
fields in the order ``model`` declares them."""

from __future__ import annotations

from kurskcli.model import Actor, Claim, Event, Quote, Source


def _at(cls: type, field: str, rest: str = "", *, row: str = "r.data") -> str:
    """The SQL for a record's field (and a path within it) in its JSON array."""
    return f"json_extract({row}, '$[{cls._fields.index(field)}]{rest}')"  # type: ignore[attr-defined]


def _dates(cls: type, row: str = "r.data") -> list[tuple[str, str, str]]:
    return [
        ("date", "TEXT", _at(cls, "date", row=row)),
        ("date_earliest", "TEXT", _at(cls, "dates", "[0]", row=row)),
        ("date_latest", "TEXT", _at(cls, "dates", "[1]", row=row)),
    ]


def _span(cls: type) -> list[tuple[str, str, str]]:
    return [
        ("source_id", "TEXT NOT NULL REFERENCES sources(id)", _at(cls, "span", "[0]")),
        ("source_start", "INTEGER NOT NULL", _at(cls, "span", "[1]")),
        ("source_end", "INTEGER NOT NULL", _at(cls, "span", "[2]")),
    ]


def _listed(cls: type, field: str) -> str:
    """The rows of a list field of each record of ``cls``: ``j.value``, and ``j.key`` its place."""
    kind = cls._field_defaults["type"]  # type: ignore[attr-defined]
    return f"FROM records r, json_each(r.data, '$[{cls._fields.index(field)}]') j WHERE r.type = '{kind}'"  # type: ignore[attr-defined]


_SOURCES = "json_each((SELECT value FROM meta WHERE key = 'sources'))"
_SOURCE = f"(SELECT value FROM {_SOURCES} ORDER BY json_extract(value, '$[0]')) s"  # sorted before texts are read
# a quote's source's language: SQLite indexes this for the join, as it does not a sorted subquery
_LANGUAGE = (
    f"(SELECT {_at(Source, 'id', row='value')} AS id, {_at(Source, 'language', row='value')} AS language"
    f" FROM {_SOURCES}) s"
)
_TEXT = "(SELECT group_concat(t.text, '') FROM (SELECT text FROM texts WHERE id = {id} ORDER BY part) t)"
_ACTOR = "REFERENCES actors(id)"

# name: (columns as (name, declaration, value in the store), constraints, FROM clause in the store)
TABLES: dict[str, tuple[list[tuple[str, str, str]], str, str]] = {
    "sources": (
        [
            ("id", "TEXT PRIMARY KEY", _at(Source, "id", row="s.value")),
            ("title", "TEXT NOT NULL", _at(Source, "title", row="s.value")),
            ("author", "TEXT NOT NULL", _at(Source, "author", row="s.value")),
            ("author_actor", f"TEXT {_ACTOR}", _at(Source, "author_actor", row="s.value")),
            *_dates(Source, "s.value"),
            ("publisher", "TEXT", _at(Source, "publisher", row="s.value")),
            ("language", "TEXT", _at(Source, "language", row="s.value")),
            ("url", "TEXT", _at(Source, "url", row="s.value")),
            ("sha256", "TEXT", _at(Source, "sha256", row="s.value")),
            ("text", "TEXT NOT NULL", _TEXT.format(id=_at(Source, "id", row="s.value"))),
            ("stored", "TEXT NOT NULL", _at(Source, "stored", row="s.value")),
            ("channel", "TEXT", _at(Source, "channel", row="s.value")),
        ],
        "",
        f"FROM {_SOURCE}",
    ),
    "actors": (
        [
            ("id", "TEXT PRIMARY KEY", "r.id"),
            ("name", "TEXT NOT NULL", _at(Actor, "name")),
            ("kind", "TEXT NOT NULL", _at(Actor, "kind")),
            ("role", "TEXT", _at(Actor, "role")),
            ("affiliation", f"TEXT {_ACTOR}", _at(Actor, "affiliation")),
        ],
        "",
        "FROM records r WHERE r.type = 'actor'",
    ),
    "actor_aliases": (
        # an alias given twice is one row
        [("actor_id", f"TEXT NOT NULL {_ACTOR}", "DISTINCT r.id"), ("alias", "TEXT NOT NULL", "j.value")],
        "PRIMARY KEY (actor_id, alias)",
        _listed(Actor, "aliases"),
    ),
    "quotes": (
        [
            ("id", "TEXT PRIMARY KEY", "r.id"),
            ("speaker", f"TEXT NOT NULL {_ACTOR}", _at(Quote, "speaker")),
            ("via", f"TEXT {_ACTOR}", _at(Quote, "via")),
            *_dates(Quote),
            ("text", "TEXT NOT NULL", _at(Quote, "text")),
            ("kind", "TEXT NOT NULL", _at(Quote, "kind")),
            ("context", "TEXT", _at(Quote, "context")),
            # a code, as sources.language has it (the words are in the language of the page that
            # prints them), and the dataset's own note on the language apart
            ("language", "TEXT", "s.language"),
            ("language_note", "TEXT", _at(Quote, "language")),
            *_span(Quote),
            ("renders", "TEXT REFERENCES quotes(id)", _at(Quote, "renders")),
            ("note", "TEXT", _at(Quote, "note")),
            ("related", "TEXT REFERENCES quotes(id)", _at(Quote, "related")),
        ],
        "",
        f"FROM records r LEFT JOIN {_LANGUAGE} ON s.id = {_at(Quote, 'span', '[0]')} WHERE r.type = 'quote'",
    ),
    "claims": (
        [
            ("id", "TEXT PRIMARY KEY", "r.id"),
            ("claimant", f"TEXT {_ACTOR}", _at(Claim, "claimant")),
            ("kind", "TEXT NOT NULL", _at(Claim, "kind")),
            *_dates(Claim),
            ("text", "TEXT NOT NULL", _at(Claim, "text")),
            ("verbatim", "INTEGER NOT NULL", _at(Claim, "verbatim")),
            ("status", "TEXT", _at(Claim, "status")),
            ("context", "TEXT", f"nullif({_at(Claim, 'context')}, '')"),
            *_span(Claim),
        ],
        "",
        "FROM records r WHERE r.type = 'claim'",
    ),
    "claim_disputed_by": (
        [
            ("claim_id", "TEXT NOT NULL REFERENCES claims(id)", "r.id"),
            ("actor_id", f"TEXT NOT NULL {_ACTOR}", "j.value"),
        ],
        "PRIMARY KEY (claim_id, actor_id)",
        _listed(Claim, "disputed_by"),
    ),
    "claim_actors": (
        [
            ("claim_id", "TEXT NOT NULL REFERENCES claims(id)", "r.id"),
            ("actor_id", f"TEXT NOT NULL {_ACTOR}", "j.value"),
        ],
        "PRIMARY KEY (claim_id, actor_id)",
        _listed(Claim, "actors"),
    ),
    "events": (
        [
            ("id", "TEXT PRIMARY KEY", "r.id"),
            *_dates(Event),
            ("title", "TEXT NOT NULL", _at(Event, "title")),
            ("summary", "TEXT", _at(Event, "summary")),
        ],
        "",
        "FROM records r WHERE r.type = 'event'",
    ),
    "event_actors": (
        [
            ("event_id", "TEXT NOT NULL REFERENCES events(id)", "r.id"),
            ("actor_id", f"TEXT NOT NULL {_ACTOR}", "j.value"),
            ("position", "INTEGER NOT NULL", "j.key"),
        ],
        "PRIMARY KEY (event_id, actor_id)",
        _listed(Event, "actors"),
    ),
    "event_sources": (
        [
            ("event_id", "TEXT NOT NULL REFERENCES events(id)", "r.id"),
            ("source_id", "TEXT NOT NULL REFERENCES sources(id)", "json_extract(j.value, '$[0]')"),
            ("source_start", "INTEGER NOT NULL", "json_extract(j.value, '$[1]')"),
            ("source_end", "INTEGER NOT NULL", "json_extract(j.value, '$[2]')"),
            ("position", "INTEGER NOT NULL", "j.key"),
        ],
        "PRIMARY KEY (event_id, position)",
        _listed(Event, "spans"),
    ),
    "outcomes": (
        # no foreign key for record_id: it names a claim or an event
        [
            ("record_id", "TEXT NOT NULL", "r.id"),
            ("event_id", "TEXT NOT NULL REFERENCES events(id)", "j.value"),
            ("position", "INTEGER NOT NULL", "j.key"),
        ],
        "PRIMARY KEY (record_id, event_id)",
        f"FROM records r, json_each(r.data, '$[' || CASE r.type WHEN 'claim' THEN {Claim._fields.index('outcomes')}"
        f" ELSE {Event._fields.index('outcomes')} END || ']') j WHERE r.type IN ('claim', 'event')",
    ),
}

# what the export adds: lookups by speaker and claimant, and a full-text index of quotes and claims
EXPORT_EXTRAS = (
    "CREATE INDEX quotes_speaker ON quotes(speaker)",
    "CREATE INDEX claims_claimant ON claims(claimant)",
    "CREATE VIRTUAL TABLE search USING fts5(id UNINDEXED, type UNINDEXED, who, text,"
    " tokenize = 'unicode61 remove_diacritics 2')",
    "INSERT INTO search SELECT q.id, 'quote', coalesce(a.name, ''), q.text"
    " FROM quotes q LEFT JOIN actors a ON a.id = q.speaker ORDER BY q.rowid",
    "INSERT INTO search SELECT c.id, 'claim', coalesce(a.name, ''), c.text"
    " FROM claims c LEFT JOIN actors a ON a.id = c.claimant ORDER BY c.rowid",
)


def views() -> list[str]:
    """The store's views: each table, read from the store's rows."""
    return [
        f"CREATE VIEW {name} ({', '.join(c[0] for c in columns)}) AS SELECT {', '.join(c[2] for c in columns)} {where}"
        for name, (columns, _, where) in TABLES.items()
    ]


def tables() -> list[str]:
    """The export's tables: each with its columns' types, keys and foreign keys."""
    out = []
    for name, (columns, constraint, _) in TABLES.items():
        parts = [f"{column} {declaration}" for column, declaration, _ in columns]
        out.append(f"CREATE TABLE {name} ({', '.join(parts + ([constraint] if constraint else []))})")
    return out
