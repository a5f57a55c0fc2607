"""Records as plain values, and a checked copy of the bundled dataset.

Every command reads the bundled dataset, and parsing and checking its JSON is the largest
part of what a command adds to starting Python and Typer. So the first full load saves the
checked records as marshal data (``bundled-<version>.marshal``, standard library, no import
cost); later runs read the packaged files they came from, and use the copy only when each
file's size and CRC-32 are those recorded. The copy is never the truth:

* any difference in the packaged files, another tool version or format, or a copy that
  cannot be read or has the wrong shape means a full load (and a new copy);
* it is written to a temporary file beside it and renamed into place, so readers never see
  half a file; if the folder cannot be written, commands run as before, silently;
* ``kurskcli verify``, user datasets and ``KURSKCLI_CACHE=off`` always load in full.

The search index of user datasets (``index.py``) lives in the same folder.
"""

import datetime as dt
import marshal
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kurskcli import __version__
from kurskcli.dates import DateRange, iso
from kurskcli.env import cache_dir, cache_enabled
from kurskcli.model import Actor, Claim, Dataset, DatasetInfo, Event, Quote, Record, Source, Span

FORMAT = "kurskcli-bundled/1"
_CLASSES: dict[str, Any] = {"quote": Quote, "claim": Claim, "event": Event, "actor": Actor, "source": Source}
_TABLES = (("sources", "source"), ("actors", "actor"), ("quotes", "quote"), ("claims", "claim"), ("events", "event"))

# What reading a damaged copy or record can raise (marshal: EOFError, ValueError, TypeError).
DAMAGE = (EOFError, KeyError, ValueError, TypeError, IndexError, UnicodeError, AttributeError)


# ----------------------------------------------------------------------------- records as plain values


def pack(rec: Record) -> list[Any]:
    """A record as plain JSON and marshal values: strings, numbers, booleans, None, lists."""
    values: list[Any] = []
    value: Any
    for name, value in zip(rec._fields, rec, strict=True):
        if name == "dates":
            value = [iso(value.earliest), iso(value.latest), value.uncertain]
        elif name == "spans":
            value = [list(s) for s in value]
        elif name == "span":
            value = list(value)
        values.append(value)
    return values


def unpack(kind: str, values: Sequence[Any]) -> Record:
    """The record ``pack`` made ``values`` from; raises ValueError or TypeError on the wrong shape."""
    cls = _CLASSES[kind]
    args: dict[str, Any] = {}
    for name, value in zip(cls._fields, values, strict=True):
        if name == "dates":
            earliest, latest, uncertain = value
            value = DateRange(
                dt.date.fromisoformat(earliest) if earliest else None,
                dt.date.fromisoformat(latest) if latest else None,
                bool(uncertain),
            )
        elif name == "spans":
            value = tuple(Span(*s) for s in value)
        elif name == "span":
            value = Span(*value)
        elif isinstance(value, list):
            value = tuple(value)
        args[name] = value
    rec: Record = cls(**args)
    if rec.type != kind:
        raise ValueError(f"record of type {rec.type!r} stored as {kind!r}")
    return rec


# ----------------------------------------------------------------------------- the bundled copy


def _copy_path() -> Path | None:
    folder = cache_dir()
    return folder / f"bundled-{__version__}.marshal" if folder is not None and cache_enabled() else None


def covers(paths: Sequence[object], bundled: bool, verify_hashes: bool) -> bool:
    """Whether a load may use (and save) the copy: the bundled dataset alone, hashes not checked."""
    return bundled and not paths and not verify_hashes


def checksum(data: bytes) -> list[int]:
    return [len(data), zlib.crc32(data)]


def load_bundled() -> Dataset | None:
    """The bundled dataset from the saved copy, or None if there is none that can be trusted."""
    path = _copy_path()
    if path is None:
        return None
    from kurskcli import data

    try:
        fmt, version, deps, infos, tables = marshal.loads(path.read_bytes())
        if fmt != FORMAT or version != __version__:
            return None
        for name, sums in deps:
            if checksum(data.read(name)) != sums:
                return None
        ds = Dataset()
        ds.infos = [DatasetInfo(*info) for info in infos]
        for (attr, kind), rows in zip(_TABLES, tables, strict=True):
            table = getattr(ds, attr)
            for values in rows:
                rec = unpack(kind, values)
                table[rec.id] = rec
    except (OSError, *DAMAGE):
        return None
    return ds


def save_bundled(ds: Dataset, deps: Sequence[tuple[str, list[int]]]) -> None:
    """Save the checked bundled dataset for later runs; quietly do nothing if that fails."""
    path = _copy_path()
    if path is None:
        return
    from kurskcli.files import OutputFileError, write_atomically

    data = marshal.dumps(
        (
            FORMAT,
            __version__,
            [[name, sums] for name, sums in deps],
            [list(info) for info in ds.infos],
            [[pack(rec) for rec in getattr(ds, attr).values()] for attr, _ in _TABLES],
        )
    )

    def fill(tmp: Path) -> None:
        tmp.write_bytes(data)

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomically(path, fill, force=True)
    except (OSError, OutputFileError):
        pass
