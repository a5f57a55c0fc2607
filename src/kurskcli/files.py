"""Writing output files safely: never half a file, never over an existing one unasked."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable
from pathlib import Path


class OutputFileError(Exception):
    """An output file cannot be created (exit 73) or written (exit 74)."""

    def __init__(self, message: str, code: int = 73):
        super().__init__(message)
        self.code = code


def _mode_for(target: Path) -> int:
    try:
        return os.stat(target).st_mode & 0o7777  # replacing a file keeps its permissions
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _create_temporary(folder: Path, name: str) -> Path:
    """A new, empty, private file in ``folder``, as ``tempfile.mkstemp`` makes one.

    Written out because importing ``tempfile`` (which imports ``random``) costs a few
    milliseconds, and the saved copy of the bundled dataset is written at start-up.
    O_EXCL means an existing file or symbolic link of the same name is never opened.
    """
    for _ in range(100):
        tmp = folder / f".{name}.{os.urandom(6).hex()}.tmp"
        try:
            fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputFileError(f"{folder / name}: cannot create: {exc.strerror or exc}") from None
        os.close(fd)
        return tmp
    raise OutputFileError(f"{folder / name}: cannot create a temporary file beside it")


def write_atomically(target: Path, fill: Callable[[Path], None], *, force: bool = False) -> None:
    """Have ``fill`` write a temporary file beside ``target``, then move it into place.

    Without ``force`` an existing ``target`` is left alone (exit 73), including one that
    appears while the file is being written. If ``fill`` fails or is interrupted, the
    temporary file is removed and ``target`` is untouched.
    """
    if target.is_dir():
        raise OutputFileError(f"{target}: is a folder; name a file to write")
    if not force and (target.exists() or target.is_symlink()):
        raise OutputFileError(f"{target}: already exists; add --force to replace it")
    folder = target.parent
    if not folder.is_dir():
        raise OutputFileError(f"{target}: no such folder {str(folder)!r}")
    tmp = _create_temporary(folder, target.name)
    try:
        try:
            fill(tmp)
            os.chmod(tmp, _mode_for(target))
        except OSError as exc:
            raise OutputFileError(f"{target}: cannot write: {exc.strerror or exc}", 74) from None
        if force:
            os.replace(tmp, target)
            return
        try:
            os.link(tmp, target)  # fails if the target appeared meanwhile: no clobbering
        except FileExistsError:
            raise OutputFileError(f"{target}: already exists; add --force to replace it") from None
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise OutputFileError(f"{target}: cannot create: {exc.strerror or exc}") from None
            if target.exists():  # a file system without hard links: check, then rename
                raise OutputFileError(f"{target}: already exists; add --force to replace it") from None
            os.replace(tmp, target)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
