"""One module per command; ``kurskcli.cli`` imports only the one a run names."""
