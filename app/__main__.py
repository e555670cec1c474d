"""``python -m app [--profile DIR] [--demo] [--lang zh_CN|en]``: the desktop application.

``main()`` takes an optional ``services_factory``; by default ``app.ui.wiring.build_services`` connects the
profile's store. ``FIELDAUDIT_QUIT_WHEN_SHOWN=1`` quits as soon as the unlock page has been painted
(cold-start benchmark, smoke tests).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.ui.wiring import ServicesFactory

QUIT_WHEN_SHOWN_ENV = "FIELDAUDIT_QUIT_WHEN_SHOWN"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app", description="FieldAudit (医保稽核现场取证)")
    parser.add_argument("--profile", type=Path, help="profile directory (default: the standard data folder)")
    parser.add_argument("--demo", action="store_true", help="open (creating if needed) a demo profile")
    parser.add_argument("--lang", choices=("zh_CN", "en"), help="interface language (default zh_CN)")
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def main(argv: Sequence[str] | None = None, services_factory: ServicesFactory | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from PySide6.QtCore import QTimer

    from app.ui.application import create_application
    from app.ui.i18n import TranslationError
    from app.ui.main_window import MainWindow
    from app.ui.wiring import build_services, default_profile_dir, list_profiles, log_dir

    factory = services_factory or build_services
    profile_dir: Path = (args.profile or default_profile_dir(args.demo)).expanduser().resolve()
    try:
        app, _translators = create_application([sys.argv[0]], lang=args.lang, log_dir=log_dir(profile_dir))
    except TranslationError as exc:
        print(f"fieldaudit: {exc}", file=sys.stderr)
        return 2
    services = factory(profile_dir, args.demo)
    window = MainWindow(
        services,
        open_profile=lambda path: factory(path, False),
        profiles=list_profiles(profile_dir.parent),
    )
    if os.environ.get(QUIT_WHEN_SHOWN_ENV) == "1":
        window.unlock_page.first_painted.connect(lambda: QTimer.singleShot(0, app.quit))
    window.show()
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
