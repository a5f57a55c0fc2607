"""Run the command-line tool as ``python -m kurskcli``."""

from kurskcli.cli import main

main()
