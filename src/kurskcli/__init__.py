"""kurskcli: sourced quotes, claims and events about North Korean troops in the Kursk region."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "load_dataset", "resolve_actor", "search", "timeline"]


def __getattr__(name: str) -> object:
    # The public API is imported on first use so that `import kurskcli` stays cheap.
    if name == "load_dataset":
        from kurskcli.dataset import load_dataset

        return load_dataset
    if name in ("timeline", "resolve_actor"):
        from kurskcli import query

        return getattr(query, name)
    if name == "search":
        from kurskcli.searcher import search

        return search
    raise AttributeError(f"module 'kurskcli' has no attribute {name!r}")
