"""The exit codes of DESIGN.md (sysexits where one fits); the core declares them on its errors."""

EXIT_OK, EXIT_NOTHING, EXIT_USAGE = 0, 1, 2
EXIT_DATAERR, EXIT_NOINPUT, EXIT_CANTCREAT, EXIT_IOERR, EXIT_INTERRUPT = 65, 66, 73, 74, 130
EXIT_INTERNAL = 70  # an unexpected fault (EX_SOFTWARE)
