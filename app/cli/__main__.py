"""Entry point: ``python -m app.cli COMMAND [...]``. Each command lives in a module that registers itself."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from app.cli.common import error_line, run

COMMAND_MODULES = (
    "app.cli.store_cmds",  # init, enroll, demo, cases, check
    "app.cli.package_cmds",  # export, verify
    "app.cli.print_cmd",  # print
    "app.cli.page_cmds",  # verify-page
    "app.cli.sync_cmds",  # register, sync
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app.cli", description="FieldAudit 医保稽核现场取证 — command line")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # a command module not written yet
                continue
            raise
        module.register(sub)
    return parser


def utf8_when_redirected(windows: bool = os.name == "nt") -> None:
    """On Windows a redirected stdout/stderr uses the ANSI code page (cp1252 on most systems), which cannot encode
    an institution's name: the CLI would fail mid-output. Redirected output is UTF-8 there, as on Linux; a console
    gets Unicode from Python anyway."""
    if not windows:
        return
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure") and not stream.isatty():
            stream.reconfigure(encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    utf8_when_redirected()
    try:
        parser = build_parser()
    except Exception as exc:
        print(error_line(exc), file=sys.stderr)
        return 3
    args = parser.parse_args(argv)
    return run(args.handler, args)


if __name__ == "__main__":
    sys.exit(main())
