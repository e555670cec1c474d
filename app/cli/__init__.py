"""The headless command line: ``python -m app.cli COMMAND``, the contract of ARCHITECTURE.md."""
