"""What kurskcli reads from the environment: where things are, and the settings.

KURSKCLI_DATA names extra dataset files; XDG_CACHE_HOME (else HOME) places the cache folder;
KURSKCLI_CACHE=off turns the cache off; KURSKCLI_MAX_DATA_BYTES bounds a dataset file and
KURSKCLI_MAX_TOTAL_BYTES all of them together; KURSKCLI_PROGRESS_DELAY is how long work runs
before a progress bar appears. Each is read when it is needed, and a value that cannot be
used is a SettingError (exit 2) that names the variable. Standard library only, cheap to import.
"""

import contextlib
import os
import stat
from pathlib import Path

DEFAULT_MAX_DATA_BYTES = 256 * 1024 * 1024
DEFAULT_MAX_TOTAL_BYTES = 1024 * 1024 * 1024
_ON = ("", "1", "on", "yes", "true")
_OFF = ("0", "off", "no", "false")


class SettingError(ValueError):
    """An environment variable holds a value kurskcli cannot use (exit 2)."""


def data_paths() -> list[Path]:
    """Dataset paths named by KURSKCLI_DATA (separated by ':'; empty parts ignored)."""
    raw = os.environ.get("KURSKCLI_DATA", "")
    return [Path(p) for p in raw.split(os.pathsep) if p.strip()]


def max_data_bytes() -> int:
    """The largest dataset or source file to read (KURSKCLI_MAX_DATA_BYTES, else 256 MiB)."""
    return _bytes_setting("KURSKCLI_MAX_DATA_BYTES", DEFAULT_MAX_DATA_BYTES)


def max_total_bytes() -> int:
    """The most to read in all, over every dataset file and source text of one run
    (KURSKCLI_MAX_TOTAL_BYTES, else 1 GiB)."""
    return _bytes_setting("KURSKCLI_MAX_TOTAL_BYTES", DEFAULT_MAX_TOTAL_BYTES)


def _bytes_setting(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    text = raw.strip().replace("_", "")
    # 18 digits bound the value well below any size a file can have, and keep int() away from
    # Python's limit on converting very long digit strings.
    if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > 18 or int(text) < 1:
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        raise SettingError(
            f"{name}={shown!r} is not a whole number of bytes above 0,"
            f" of at most 18 digits (unset it for the default, {default})"
        )
    return int(text)


def progress_delay() -> float:
    """Seconds of work before a progress bar appears on a terminal (KURSKCLI_PROGRESS_DELAY,
    else 1), as git's GIT_PROGRESS_DELAY: a short job finishes before a bar would flash."""
    raw = os.environ.get("KURSKCLI_PROGRESS_DELAY")
    if raw is None or not raw.strip():
        return 1.0
    text = raw.strip()
    if len(text) > 10 or not text.replace(".", "", 1).isdigit() or not text.isascii():
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        raise SettingError(f"KURSKCLI_PROGRESS_DELAY={shown!r} is not a number of seconds (unset it for 1)")
    return float(text)


def cache_enabled() -> bool:
    """KURSKCLI_CACHE: on (the default) or off."""
    return _switch("KURSKCLI_CACHE")


def _switch(name: str) -> bool:
    raw = os.environ.get(name, "")
    value = raw.strip().lower()
    if value in _ON:
        return True
    if value in _OFF:
        return False
    raise SettingError(f"{name}={raw!r} is neither on nor off (use 1/on/yes or 0/off/no)")


def cache_dir() -> Path | None:
    """``$XDG_CACHE_HOME/kurskcli``, else ``~/.cache/kurskcli``; None when neither can be known."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if base and os.path.isabs(base):  # the XDG spec says to ignore a relative path
        return Path(base) / "kurskcli"
    home = os.environ.get("HOME", "")
    if home and os.path.isabs(home):
        return Path(home) / ".cache" / "kurskcli"
    return None


def private_cache_dir() -> tuple[Path | None, str]:
    """The cache folder, made (mode 0700) if missing, when it is safe to use; else None and why.

    Safe means a real folder (not a symbolic link), owned by this user, that nobody else can
    write to: otherwise another user could plant files or links that kurskcli would read or
    write through.
    """
    folder = cache_dir()
    if folder is None:
        return None, "no cache folder (set XDG_CACHE_HOME or HOME)"
    try:
        folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, 0o700)
        st = os.lstat(folder)
    except FileExistsError:
        return None, f"cannot make the cache folder {folder}: a file is in the way"
    except OSError as exc:
        return None, f"cannot make the cache folder {folder}: {exc.strerror or exc}"
    if stat.S_ISLNK(st.st_mode):
        return None, f"the cache folder {folder} is a symbolic link"
    if not stat.S_ISDIR(st.st_mode):
        return None, f"the cache folder {folder} is not a folder"
    if st.st_uid != os.geteuid():
        return None, f"the cache folder {folder} belongs to another user"
    if st.st_mode & 0o022:
        return None, f"others can write to the cache folder {folder}"
    return folder, ""
