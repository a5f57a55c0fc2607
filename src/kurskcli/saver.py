"""Saves the search index of datasets, in a process of its own started by a command that
answered from the files (``index.save_later``): ``python -m kurskcli.saver bundled|no-bundled
PATH...``. It prints nothing and reports nothing; a store it cannot save is simply not there,
and the next command reads the files again."""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("bundled", "no-bundled"):
        return 2
    from kurskcli import index

    try:
        index.save([Path(p) for p in argv[1:]], argv[0] == "bundled")
    except Exception:  # bad data, a full disk: the store is left unsaved, as the docstring says
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
