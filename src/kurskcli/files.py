"""Writing files safely: never half a file, never over an existing one unasked, never through a link.

A file is written inside a private folder (mode 0700) made next to its target, through the
descriptor that created it, flushed to disk, and then linked or renamed into place, as
renameio and SQLite do it. Nobody else can plant a link in that folder, and what is put in
place is checked to be the very file that was written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

TEMP_PREFIX = ".kurskcli-"
_TEMP_NAME = re.compile(r"\.kurskcli-([0-9]{1,10})-[0-9a-f]{12}\.tmp")
_PART = "part"  # the file inside the private folder (SQLite puts its journal beside it)
STALE_AFTER = 24 * 3600  # seconds after which a temporary folder is stale whoever made it


class OutputFileError(Exception):
    """An output file cannot be created (exit 73) or written (exit 74)."""

    def __init__(self, message: str, code: int = 73):
        super().__init__(message)
        self.code = code


def _mode_for(target: Path, mode: int | None) -> int:
    """The permission bits to give the new file: the replaced file's (never setuid, setgid or sticky)."""
    try:
        return os.stat(target).st_mode & 0o777
    except OSError:
        pass
    if mode is not None:
        return mode
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _private_folder(folder: Path, target: Path) -> Path:
    for _ in range(100):
        tmp = folder / f"{TEMP_PREFIX}{os.getpid()}-{os.urandom(6).hex()}.tmp"
        try:
            os.mkdir(tmp, 0o700)  # never follows a link; fails if the name exists in any form
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputFileError(f"{target}: cannot create: {exc.strerror or exc}") from None
        return tmp
    raise OutputFileError(f"{target}: cannot create a temporary folder beside it")


def _remove_private(tmp: Path) -> None:
    """Remove a temporary folder of ours and what is in it, following no link."""
    with contextlib.suppress(OSError), os.scandir(tmp) as entries:
        for entry in entries:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
    with contextlib.suppress(OSError):
        os.rmdir(tmp)


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomically(
    target: Path, fill: Callable[[Path, int], None], *, force: bool = False, mode: int | None = None
) -> None:
    """Have ``fill(path, fd)`` write a new file, then move it into place as ``target``.

    ``fill`` writes through ``fd`` (the descriptor that created the file), or opens ``path``
    itself (SQLite does); ``path`` lies in a folder only this process can write to. Without
    ``force`` an existing ``target`` is left alone (exit 73), including one that appears while
    the file is being written. The new file takes the permission bits of the file it replaces,
    else ``mode``, else those the umask allows. If ``fill`` fails or is interrupted, nothing
    is left behind and ``target`` is untouched.
    """
    if target.is_dir():
        raise OutputFileError(f"{target}: is a folder; name a file to write")
    if not force and (target.exists() or target.is_symlink()):
        raise OutputFileError(f"{target}: already exists; add --force to replace it")
    folder = target.parent
    if not folder.is_dir():
        raise OutputFileError(f"{target}: no such folder {str(folder)!r}")
    sweep_stale(folder)  # what an export killed outright (SIGKILL, a power cut) left here
    private = _private_folder(folder, target)
    path = private / _PART
    try:
        flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            fd = os.open(path, flags, 0o600)
        except OSError as exc:
            raise OutputFileError(f"{target}: cannot create: {exc.strerror or exc}") from None
        try:
            try:
                fill(path, fd)
                os.fchmod(fd, _mode_for(target, mode))
                os.fsync(fd)
                written, there = os.fstat(fd), os.lstat(path)
            except OSError as exc:
                raise OutputFileError(f"{target}: cannot write: {exc.strerror or exc}", 74) from None
        finally:
            os.close(fd)
        if (written.st_dev, written.st_ino) != (there.st_dev, there.st_ino) or not stat.S_ISREG(there.st_mode):
            raise OutputFileError(f"{target}: the file was replaced while it was being written", 74)
        _publish(path, target, force)
        _sync_folder(folder)
    finally:
        _remove_private(private)


def _publish(path: Path, target: Path, force: bool) -> None:
    if force:
        try:
            os.replace(path, target)
        except OSError as exc:
            raise OutputFileError(f"{target}: cannot create: {exc.strerror or exc}") from None
        return
    try:
        os.link(path, target, follow_symlinks=False)  # fails if the target appeared meanwhile: no clobbering
    except FileExistsError:
        raise OutputFileError(f"{target}: already exists; add --force to replace it") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise OutputFileError(f"{target}: cannot create: {exc.strerror or exc}") from None
        if target.exists() or target.is_symlink():  # a file system without hard links: check, then rename
            raise OutputFileError(f"{target}: already exists; add --force to replace it") from None
        os.replace(path, target)


def write_text_atomically(
    target: Path, write: Callable[[IO[str]], None], *, force: bool = False, newline: str | None = "\n"
) -> None:
    """``write_atomically`` for text: ``write`` gets a UTF-8 text stream on the new file's descriptor."""

    def fill(_path: Path, fd: int) -> None:
        with os.fdopen(os.dup(fd), "w", encoding="utf-8", newline=newline) as fh:
            write(fh)

    write_atomically(target, fill, force=force)


def sweep_stale(folder: Path) -> None:
    """Remove temporary folders of ours in ``folder`` that a killed process left behind.

    One is stale when the process named in it is gone, or when it is older than a day
    (a process id can be reused). Only folders owned by this user are touched.
    """
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        match = _TEMP_NAME.fullmatch(entry.name)
        if match is None:
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
            continue
        if now - st.st_mtime > STALE_AFTER or not _alive(int(match.group(1))):
            _remove_private(Path(entry.path))


def _alive(pid: int) -> bool:
    if pid <= 0 or pid == os.getpid():
        return pid > 0
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True  # it exists, owned by someone else (or cannot be asked about): leave it
    return True
