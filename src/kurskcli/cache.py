"""The cache folder's housekeeping: what a store is named and keyed by, opening one only where
it is ours, intact and current, the lock under which a store is built once, however many
commands ask for it at a time, and the clearing of stores no kurskcli of this version can use
again (``index`` builds and reads the stores; ``store`` says what one holds)."""

from __future__ import annotations

import json
import os
import re
import stat
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from kurskcli import __version__
from kurskcli.layout import FORMAT
from kurskcli.store import _DAMAGE, CacheUnusable, DiskIndex, connect_bounded


def bundled_fingerprint() -> list[Any]:
    """What the bundled dataset file is, for the key of a store that holds its records."""
    import kurskcli.data
    from kurskcli.bundled import BUNDLED_NAME
    from kurskcli.reading import fingerprint

    here = getattr(kurskcli.data, "__file__", None)
    fp = fingerprint(Path(here).parent / BUNDLED_NAME) if here else None
    return ["bundled", __version__, fp]


def store_name(paths: Sequence[Path], bundled: bool) -> str:
    """The cache file's name, from where the data lives."""
    where = json.dumps([FORMAT, __version__, bundled, [os.path.realpath(p) for p in paths]])
    return f"search-{zlib.crc32(where.encode('utf-8', 'surrogateescape')):08x}.sqlite"


def store_key(bundled_fp: list[Any] | None, dataset_fps: Sequence[list[Any] | None]) -> str:
    """The content key: what the data files were when they were read."""
    return json.dumps([FORMAT, __version__, bundled_fp, list(dataset_fps)])


def current_key(paths: Sequence[Path], bundled: bool) -> str:
    from kurskcli.reading import fingerprint

    return store_key(bundled_fingerprint() if bundled else None, [fingerprint(p) for p in paths])


def open_store(path: Path, key: str) -> DiskIndex:
    """The saved index at ``path`` if it is ours, intact and current; else CacheUnusable."""
    import sqlite3

    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid():
            raise CacheUnusable("not a regular file of this user's")
        con = connect_bounded(path)
    except (OSError, sqlite3.Error) as exc:
        raise CacheUnusable(str(exc)) from None
    try:
        index = DiskIndex(con)
        if index.meta.get("key") != key:
            raise CacheUnusable("stale")
        from kurskcli.reading import fingerprint

        for fp in json.loads(index.meta["deps"]):
            if fingerprint(fp[0]) != fp:
                raise CacheUnusable(f"{fp[0]} changed")
    except (sqlite3.Error, *_DAMAGE) as exc:
        con.close()
        raise CacheUnusable(str(exc)) from None
    return index


def _open_lock(folder: Path, name: str) -> int:
    """The lock file of the store ``name`` in ``folder``, made if missing (flocked while it is built)."""
    return os.open(folder / f"{name}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)


# How long a command waits for another kurskcli building the same store before it answers from
# the files without it: a builder stopped with Ctrl-Z, or a lock held by anything else, must not
# leave every later command waiting for ever.
LOCK_WAIT = 10.0


@contextmanager
def build_lock(folder: Path, name: str, warn: Callable[[str], None]) -> Iterator[bool]:
    """Hold ``name``'s lock in ``folder`` while its index is built, so that it is built once:
    True once it is held (or where no lock can be had at all), False if another process held
    it for LOCK_WAIT seconds (``warn`` says so), and the caller is to do without the store."""
    import fcntl

    try:
        fd = _open_lock(folder, name)
    except OSError:
        yield True  # no lock to be had: build without one
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            warn("waiting for another kurskcli that is building this search index")
            deadline = time.monotonic() + LOCK_WAIT
            while True:
                time.sleep(0.05)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        warn(
                            f"another kurskcli has held this search index's lock for {LOCK_WAIT:g} s"
                            " (stopped, or still building); answering from the files without it"
                        )
                        yield False
                        return
        yield True
    finally:
        os.close(fd)


# ----------------------------------------------------------------------------- stores no longer of use


_STORE_NAME = re.compile(r"search-[0-9a-f]{8}\.sqlite")


def sweep(target: Path) -> None:
    """Before the store at ``target`` is built: remove what a killed kurskcli left in its folder,
    and the other stores no kurskcli of this version can use again (``_usable``), each only
    while no kurskcli is building it. A store of a large dataset can take more room than the
    data, and a new version of kurskcli, or a dataset moved or deleted, would leave it there.
    Two versions of kurskcli sharing the folder remove each other's stores as they build
    theirs: that costs a rebuild, never an answer."""
    import fcntl

    from kurskcli.files import sweep_stale

    folder = target.parent
    sweep_stale(folder)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name == target.name or not _STORE_NAME.fullmatch(entry.name):
            continue
        path = Path(entry.path)
        try:
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or _usable(path):
                continue
            fd = os.open(f"{path}.lock", os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:  # no lock: nobody has built it or is building it
            _unlink(path)
            continue
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            _unlink(path)
            _unlink(Path(f"{path}.lock"))
        except OSError:
            pass  # being built by another kurskcli
        finally:
            os.close(fd)  # which releases the lock


def _unlink(path: Path) -> None:
    with suppress(OSError):
        path.unlink()


def _usable(path: Path) -> bool:
    """Whether the store at ``path`` may serve a kurskcli of this version again: written by it,
    readable, and over dataset and text files that are all still there (once they are gone it
    can never be current again; a file put back in the same place gets a new store)."""
    import sqlite3

    try:
        con = connect_bounded(path)
        try:
            meta = dict(con.execute("SELECT key, value FROM meta WHERE key IN ('format', 'key', 'deps')").fetchall())
        finally:
            con.close()
        if meta.get("format") != FORMAT:
            return False
        fmt, version, _, fps = json.loads(meta["key"])
        files = [*fps, *json.loads(meta["deps"])]
        return (fmt, version) == (FORMAT, __version__) and all(fp and os.path.exists(fp[0]) for fp in files)
    except (sqlite3.Error, *_DAMAGE):
        return False
