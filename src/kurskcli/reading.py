"""Reading dataset files and the source texts they name, safely: only regular files within the
byte limits, a source's text only inside its dataset's folder and without following a link, and
each file's fingerprint (what the store is keyed by), and how much of the JSON Lines is read.
Standard library only."""

from __future__ import annotations

import errno
import os
import stat
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from kurskcli.env import max_data_bytes
from kurskcli.exits import EXIT_NOINPUT


class DataFileError(Exception):
    """A dataset file cannot be read (exit 66)."""

    exit_code = EXIT_NOINPUT


JSONL_SUFFIXES = (".jsonl", ".ndjson")


def read_lines(
    path: Path,
    limit: int | None = None,
    *,
    seen: list[list[Any]] | None = None,
) -> Iterator[tuple[int, bytes]]:
    """The lines of a regular file of at most ``limit`` bytes, numbered from 1, read as they are
    needed; like ``read_limited``, with its fingerprint added to ``seen`` once it is read."""
    return enumerate(_read_pieces(path, limit, seen, None), 1)


BLOCK_BYTES = 1 << 20


def read_blocks(
    path: Path, limit: int | None = None, *, seen: list[list[Any]] | None = None, inside: Path | None = None
) -> Iterator[bytes]:
    """``read_lines``, but the file's bytes a block of BLOCK_BYTES at a time, for a text that
    is not read by the line; ``inside`` as for ``read_limited``."""
    return _read_pieces(path, limit, seen, BLOCK_BYTES, inside=inside)


def _read_pieces(
    path: Path,
    limit: int | None,
    seen: list[list[Any]] | None,
    size: int | None,
    inside: Path | None = None,
) -> Iterator[bytes]:
    """The lines (``size`` None) or blocks of ``size`` bytes of ``read_lines``' file."""
    if limit is None:
        limit = max_data_bytes()
    fh = _open_regular(path, limit, inside)
    with fh:
        st = os.fstat(fh.fileno())
        head = os.pread(fh.fileno(), SAMPLE_BYTES, 0)
        tail = os.pread(fh.fileno(), SAMPLE_BYTES, max(st.st_size - SAMPLE_BYTES, SAMPLE_BYTES))
        total = 0
        try:
            for piece in fh if size is None else iter(partial(fh.read, size), b""):
                total += len(piece)
                if total > limit:
                    raise DataFileError(f"{path}: more than the {limit:,}-byte limit")
                yield piece
        except OSError as exc:
            raise DataFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if seen is not None:
        seen.append(fingerprint_of(path, st, head + tail))


def _open_regular(path: Path, limit: int, inside: Path | None = None) -> BinaryIO:
    """``path`` opened for reading, if it is a regular file within ``limit`` bytes; else
    DataFileError. With ``inside``, a folder ``path`` lies in, no symbolic link below that folder
    is followed: a link in a dataset's folder could name any file its user can read."""
    if inside is None:
        return _open_checked(path, limit, lambda: os.stat(path), lambda: open(path, "rb"))
    try:
        folder, name = _folder_below(inside, path)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    try:
        return _open_checked(
            path,
            limit,
            lambda: os.stat(name, dir_fd=folder, follow_symlinks=False),
            lambda: open(name, "rb", opener=_opener_in(folder)),
        )
    finally:
        os.close(folder)


def _open_checked(
    path: Path, limit: int, status: Callable[[], os.stat_result], opening: Callable[[], BinaryIO]
) -> BinaryIO:
    try:
        st = status()
    except OSError as exc:
        raise _unreadable(path, exc) from None
    if stat.S_ISLNK(st.st_mode):
        raise DataFileError(f"{path}: is a symbolic link, which is not followed")
    if stat.S_ISDIR(st.st_mode):
        raise DataFileError(f"{path}: is a directory, not a dataset file")
    if not stat.S_ISREG(st.st_mode):
        raise DataFileError(f"{path}: not a regular file")
    if st.st_size > limit:
        raise DataFileError(
            f"{path}: {st.st_size:,} bytes is more than the {limit:,}-byte limit "
            "(set KURSKCLI_MAX_DATA_BYTES to raise it)"
        )
    try:
        fh = opening()
    except OSError as exc:
        raise _unreadable(path, exc) from None
    if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
        fh.close()
        raise DataFileError(f"{path}: not a regular file")
    return fh


def _unreadable(path: Path, exc: OSError) -> DataFileError:
    if isinstance(exc, FileNotFoundError):
        return DataFileError(f"{path}: no such file")
    if exc.errno == errno.ELOOP:
        return DataFileError(f"{path}: it or a folder on its way is a symbolic link, which is not followed")
    return DataFileError(f"{path}: cannot read: {exc.strerror or exc}")


def _folder_below(top: Path, path: Path) -> tuple[int, str]:
    """The open folder that holds ``path`` (a descriptor, for the caller to close), reached from
    ``top`` one folder at a time without following a link, and the file's name in it."""
    *parts, name = path.relative_to(top).parts
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in parts:
            if stat.S_ISLNK(os.stat(part, dir_fd=fd, follow_symlinks=False).st_mode):
                raise OSError(errno.ELOOP, "a folder on its way is a symbolic link")
            below = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd)
            os.close(fd)
            fd = below
    except BaseException:
        os.close(fd)
        raise
    return fd, name


def _opener_in(folder: int) -> Callable[[str, int], int]:
    """An ``open()`` opener for a name in ``folder`` that never follows a link (nor waits on a FIFO)."""
    return lambda name, flags: os.open(name, flags | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)


SAMPLE_BYTES = 64 * 1024


def fingerprint_of(path: str | os.PathLike[str], st: os.stat_result, data: bytes) -> list[Any]:
    """What identifies a file's content: where it is, its status before it was read, and a
    CRC-32 of the first and last 64 KiB of what was read. ``fingerprint`` gives the same list
    for the same file as long as it has not changed."""
    head = data[:SAMPLE_BYTES]
    tail = data[-SAMPLE_BYTES:] if len(data) > 2 * SAMPLE_BYTES else data[SAMPLE_BYTES : 2 * SAMPLE_BYTES]
    crc = zlib.crc32(tail, zlib.crc32(head))
    return [os.path.realpath(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, crc]


def fingerprint(path: str | os.PathLike[str]) -> list[Any] | None:
    """A file's current fingerprint, reading only its first and last 64 KiB; None if it cannot be read."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            return None
        with open(path, "rb") as fh:
            head = fh.read(SAMPLE_BYTES)
            if st.st_size > 2 * SAMPLE_BYTES:
                fh.seek(-SAMPLE_BYTES, os.SEEK_END)
            tail = fh.read(SAMPLE_BYTES)
    except OSError:
        return None
    return fingerprint_of(path, st, head + tail)


def read_limited(
    path: Path, limit: int | None = None, *, seen: list[list[Any]] | None = None, inside: Path | None = None
) -> bytes:
    """Read a regular file of at most ``limit`` bytes (default: the setting), or raise DataFileError.

    With ``seen``, the file's fingerprint (its status taken before reading) is added to it. With
    ``inside``, a folder that holds ``path``, no symbolic link below it is followed.
    """
    if limit is None:
        limit = max_data_bytes()
    fh = _open_regular(path, limit, inside)
    try:
        with fh:
            st = os.fstat(fh.fileno())  # the file actually opened, before a byte of it is read
            # read(n) allocates n bytes up front: ask for the size stat() gave, plus one byte
            # to notice a file that grew past the limit since.
            data: bytes = fh.read(min(st.st_size, limit) + 1)
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise DataFileError(f"{path}: more than the {limit:,}-byte limit")
    if seen is not None:
        seen.append(fingerprint_of(path, st, data))
    return data


# ----------------------------------------------------------------------------- checking


def _jsonl_bytes(paths: Sequence[str | os.PathLike[str]]) -> int:
    """How many bytes the JSON Lines files among ``paths`` hold; OSError where one cannot be asked."""
    return sum(os.stat(p).st_size for p in paths if Path(p).suffix.lower() in JSONL_SUFFIXES)


def progress_reporter(
    paths: Sequence[str | os.PathLike[str]], progress: Callable[[int, int], None]
) -> Callable[[Iterable[tuple[int, bytes]]], Iterator[tuple[int, bytes]]]:
    """Wraps the lines of each JSON Lines file of ``paths`` in turn, telling ``progress`` every
    thousand lines how many bytes of all of them have been read, and out of how many."""
    try:
        total = _jsonl_bytes(paths)
    except OSError:
        total = 0  # reading the file fails, and says why
    done = 0

    def report(lines: Iterable[tuple[int, bytes]]) -> Iterator[tuple[int, bytes]]:
        nonlocal done
        for number, raw in lines:
            done += len(raw)
            if number % 1000 == 0:
                progress(done, max(total, done))
            yield number, raw

    return report
