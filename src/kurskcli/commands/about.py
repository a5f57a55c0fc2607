"""``kurskcli about``: where the data comes from."""

from typing import TYPE_CHECKING, Any

from kurskcli import __version__
from kurskcli.cli import with_shared_options
from kurskcli.inputs import DataSource
from kurskcli.present import Output

if TYPE_CHECKING:
    from rich.console import Console

    from kurskcli.model import Dataset


def _about(ds: "Dataset") -> dict[str, Any]:
    from kurskcli import output

    return {
        "type": "about",
        "tool_version": __version__,
        "datasets": [
            {
                "id": i.id,
                "version": i.version,
                "title": i.title,
                "description": i.description,
                "schema_version": i.schema_version,
                "license": i.license,
                "file": i.origin,
            }
            for i in ds.infos
        ],
        "sources": [output.source_dict(s, ds) for s in ds.sources.values()],
        "counts": ds.counts(),
    }


@with_shared_options()
def about(
    *,
    out: Output,
    inputs: DataSource,
) -> None:
    """Show where the data comes from: datasets, sources, hashes and counts.

    \b
    Examples:
      kurskcli about --json | jq '.sources[0].sha256'
    """
    ds = inputs.overview()
    info = _about(ds)
    lines: list[list[object]] = [
        ["dataset", d["id"], d["version"], d["schema_version"], d["title"]] for d in info["datasets"]
    ]
    lines += [
        [
            "source",
            s["id"],
            s["date"],
            s["author"],
            s["title"],
            s["publisher"],
            s["sha256"],
            s["stored"],
            s["channel"],
            s["url"],
        ]
        for s in info["sources"]
    ]
    lines += [["count", k, v] for k, v in info["counts"].items()]

    def rich(con: "Console") -> None:
        from kurskcli.render import address, render_kv

        for d in info["datasets"]:
            render_kv(
                con,
                f"dataset {d['id']}",
                [
                    ("Title", d["title"]),
                    ("Version", d["version"]),
                    ("Schema", d["schema_version"]),
                    ("About", d["description"]),
                    ("License", d["license"]),
                ],
            )
        for s in info["sources"]:
            render_kv(
                con,
                f"source {s['id']}",
                [
                    ("Title", s["title"]),
                    ("Author", s["author"]),
                    ("Date", s["date"]),
                    ("Publisher", s["publisher"]),
                    ("SHA-256", s["sha256"]),
                    ("Address", address(s["url"]) if s["url"] else None),
                    ("Stands as", s["channel"]),
                    (
                        "Stored",
                        "the full text" if s["stored"] == "full" else "excerpts: the speakers' words and dates only",
                    ),
                    ("About", s["note"]),
                    ("Characters", s["length"]),
                ],
            )
        render_kv(con, "counts", list(info["counts"].items()), "green")
        con.print(f"kurskcli {__version__}")

    out.emit_one(info, lines, rich)
