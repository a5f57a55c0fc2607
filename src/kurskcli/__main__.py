"""The ``kurskcli`` command (also ``python -m kurskcli``).

Shell completion (``kurskcli __complete ...``) is answered here, before the CLI and Typer
are imported, so that pressing Tab stays fast.

Two things here are about start-up time, as ``benchmarks/startup.py`` measures it:

* The cyclic garbage collector is off while modules load (imports make many objects and
  no garbage), then the loaded objects are frozen out of its way and it is turned back on
  for the command itself, so that its passes over the import-time objects are not paid for.
* A command that has finished and flushed its output leaves with ``os._exit``, skipping the
  interpreter's teardown of every module and object, but only when nothing
  depends on that teardown: no ``atexit`` handler is registered (coverage tools, for one,
  register them), no other thread runs, and ``KURSKCLI_DEBUG`` is unset. Otherwise, and
  when ``cli.main`` is called from Python, the normal ``SystemExit`` path runs.
"""

import gc
import os
import sys


def main() -> None:
    gc.disable()
    try:
        if len(sys.argv) > 1 and sys.argv[1] == "__complete":
            from kurskcli.complete import main as complete

            code: object = complete(sys.argv[2:])
        else:
            from kurskcli.cli import main as run

            gc.freeze()
            gc.enable()
            try:
                run()
                code = 0
            except SystemExit as exc:
                code = exc.code
    finally:
        gc.enable()
    if isinstance(code, int) and _may_skip_teardown():
        os._exit(code)
    raise SystemExit(code)


def _may_skip_teardown() -> bool:
    """True when leaving without the interpreter's teardown loses nothing."""
    import atexit

    count = getattr(atexit, "_ncallbacks", None)
    if count is None or count() != 0 or os.environ.get("KURSKCLI_DEBUG", "") not in ("", "0"):
        return False
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() != 1:
        return False
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            return False  # the normal path reports it (or stays quiet, as it always has)
    return True


if __name__ == "__main__":
    main()
