"""The ``kurskcli`` command (also ``python -m kurskcli``).

Shell completion (``kurskcli __complete ...``) is answered here, before the CLI and Typer
are imported, so that pressing Tab stays fast.
"""

from __future__ import annotations

import sys


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "__complete":
        from kurskcli.complete import main as complete

        raise SystemExit(complete(sys.argv[2:]))
    from kurskcli.cli import main as run

    run()


if __name__ == "__main__":
    main()
