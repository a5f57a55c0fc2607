"""Nothing kurskcli finds on disk can change an answer, crash it, or make it write where it should not."""

from __future__ import annotations

import marshal
import os
from pathlib import Path

import pytest

from .conftest import run_process


@pytest.mark.parametrize(
    "planted",
    [
        b"\xe3\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",  # 12 bytes that crashed marshal.loads
        marshal.dumps(("kurskcli-bundled/1", "0.1.0", [], [], [[], [], [], [], []])),
        "fifo",
    ],
    ids=["crashing bytes", "a doctored copy", "a fifo"],
)
@pytest.mark.parametrize("args", [("quote", "putin", "--json"), ("timeline", "--json"), ("search", "monument")])
def test_files_in_the_cache_folder_never_stand_in_for_the_bundled_data(
    planted: bytes | str, args: tuple[str, ...], tmp_path: Path
) -> None:
    honest = run_process(*args, env={"KURSKCLI_CACHE": "off"})
    folder = tmp_path / "kurskcli"
    folder.mkdir(mode=0o700)
    for name in ("bundled-0.1.0.marshal", "bundled.marshal"):
        target = folder / name
        if planted == "fifo":
            os.mkfifo(target)
        else:
            assert isinstance(planted, bytes)
            target.write_bytes(planted)
    r = run_process(*args, env={"XDG_CACHE_HOME": str(tmp_path)})
    assert (r.returncode, r.stdout, r.stderr) == (honest.returncode, honest.stdout, honest.stderr)
    assert r.returncode == 0
