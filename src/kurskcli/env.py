"""What kurskcli reads from the environment about where things are.

KURSKCLI_DATA names extra dataset files; XDG_CACHE_HOME (else HOME) places the cache folder;
KURSKCLI_CACHE=off turns the cache off. Standard library only, cheap to import.
"""

import os
from pathlib import Path


def data_paths() -> list[Path]:
    """Dataset paths named by KURSKCLI_DATA (separated by ':'; empty parts ignored)."""
    raw = os.environ.get("KURSKCLI_DATA", "")
    return [Path(p) for p in raw.split(os.pathsep) if p.strip()]


def cache_dir() -> Path | None:
    """``$XDG_CACHE_HOME/kurskcli``, else ``~/.cache/kurskcli``; None when neither can be known."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if base and os.path.isabs(base):  # the XDG spec says to ignore a relative path
        return Path(base) / "kurskcli"
    home = os.environ.get("HOME", "")
    if home and os.path.isabs(home):
        return Path(home) / ".cache" / "kurskcli"
    return None


def cache_enabled() -> bool:
    return os.environ.get("KURSKCLI_CACHE", "").strip().lower() not in ("off", "0", "no", "false")
