"""``kurskcli verify``: the data checked against its sources."""

from typing import TYPE_CHECKING

import typer

from kurskcli.cli import with_shared_options
from kurskcli.exits import EXIT_DATAERR
from kurskcli.inputs import DataSource
from kurskcli.present import Output

if TYPE_CHECKING:
    from rich.console import Console


@with_shared_options()
def verify(
    *,
    out: Output,
    inputs: DataSource,
) -> None:
    """Check the data against its sources: schema, ids, references, spans, quote text, hashes.

    Exits 0 when everything holds, 65 when anything does not.

    \b
    Examples:
      kurskcli verify
      kurskcli verify --data mydata.json --no-bundled --json
    """
    from kurskcli.dataset import DatasetError

    problems: list[str] = []
    counts: dict[str, int] = {}
    try:
        counts = inputs.verified_counts()
    except DatasetError as exc:
        problems = [str(p) for p in exc.problems]
    ok = not problems
    report = {"type": "verify", "ok": ok, "verdict": "ok" if ok else "invalid", "counts": counts, "problems": problems}
    lines: list[list[object]] = [["ok" if ok else "invalid", *(f"{k}={v}" for k, v in counts.items())]]
    lines += [["problem", p] for p in problems]

    def rich(con: "Console") -> None:
        from kurskcli.render import render_kv, render_lines

        if ok:
            render_kv(con, "✔ dataset verified", list(counts.items()), "green")
        else:
            render_lines(con, [f"✘ {len(problems)} problem{'s' if len(problems) != 1 else ''}"], "bold red")
            render_lines(con, problems)

    out.emit_one(report, lines, rich)
    if not ok:
        raise typer.Exit(EXIT_DATAERR)
