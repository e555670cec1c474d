"""``python -m app [--profile DIR] [--demo] [--lang zh_CN|en]``: the desktop application.

``main()`` takes an optional ``services_factory``; by default ``app.ui.wiring.build_services`` connects the
profile's store. ``FIELDAUDIT_QUIT_WHEN_SHOWN=1`` quits as soon as the unlock page has been painted
(cold-start benchmark, smoke tests).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
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


NO_DESKTOP = ("fieldaudit: 需要图形桌面会话（未设置 DISPLAY 或 WAYLAND_DISPLAY），请在桌面中启动；命令行功能见 python3 -m app.cli"
              " | A desktop session is needed (neither DISPLAY nor WAYLAND_DISPLAY is set): start it from a desktop;"
              " the command line is python3 -m app.cli")


def desktop_missing(environ: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """True where Qt would abort for want of a display: on Linux and the BSDs with neither an X11 nor a Wayland
    display, unless ``QT_QPA_PLATFORM`` names a platform that needs none (offscreen, vnc, eglfs, ...)."""
    env = os.environ if environ is None else environ
    if (platform or sys.platform).startswith(("win", "darwin", "cygwin")):
        return False
    chosen = env.get("QT_QPA_PLATFORM", "").split(":")[0].split(";")[0]
    if chosen and not chosen.startswith(("xcb", "wayland")):
        return False
    return not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def build_demo_with_progress(profile_dir: Path) -> None:
    """Create the demo profile on a worker thread while a small window says so (the first start takes about ten
    seconds); an error is raised again here, on the GUI thread."""
    import threading

    from PySide6.QtCore import QEventLoop, QObject, Qt, Signal
    from PySide6.QtWidgets import QProgressDialog

    from app.ui.wiring import ensure_demo_profile

    class _Done(QObject):
        finished = Signal()

    done, loop, failure = _Done(), QEventLoop(), []
    done.finished.connect(loop.quit, Qt.ConnectionType.QueuedConnection)
    dialog = QProgressDialog("正在创建演示档案，约需十秒…\nCreating the demo profile (about ten seconds)…", "", 0, 0)
    dialog.setWindowTitle("FieldAudit 医保稽核现场取证")
    dialog.setCancelButton(None)  # type: ignore[arg-type]
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.show()

    def work() -> None:
        try:
            ensure_demo_profile(profile_dir)
        except BaseException as exc:  # handed to the GUI thread
            failure.append(exc)
        finally:
            done.finished.emit()

    worker = threading.Thread(target=work, name="demo-profile", daemon=True)
    worker.start()
    loop.exec()
    worker.join()
    dialog.close()
    dialog.deleteLater()
    if failure:
        raise failure[0]


def main(argv: Sequence[str] | None = None, services_factory: ServicesFactory | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if desktop_missing():
        print(NO_DESKTOP, file=sys.stderr)
        return 2
    from PySide6.QtCore import QTimer

    from app.ui.application import create_application
    from app.ui.i18n import TranslationError
    from app.ui.main_window import MainWindow
    from app.ui.wiring import build_services, default_profile_dir, list_profiles, log_dir, needs_demo_profile

    factory = services_factory or build_services
    profile_dir: Path = (args.profile or default_profile_dir(args.demo)).expanduser().resolve()
    try:
        app, _translators = create_application([sys.argv[0]], lang=args.lang, log_dir=log_dir(profile_dir))
    except TranslationError as exc:
        print(f"fieldaudit: {exc}", file=sys.stderr)
        return 2
    if args.demo and services_factory is None and needs_demo_profile(profile_dir):
        build_demo_with_progress(profile_dir)
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
