from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from app.__main__ import parse_args

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        FIELDAUDIT_QUIT_WHEN_SHOWN="1",
        FIELDAUDIT_PROFILES_DIR=str(tmp_path),
        PYTHONPATH=str(ROOT),
    )
    return env


def test_parse_args():
    args = parse_args(["--profile", "/x/p", "--demo", "--lang", "en"])
    assert args.profile == Path("/x/p") and args.demo and args.lang == "en"
    args = parse_args([])
    assert args.profile is None and not args.demo and args.lang is None


def test_gui_starts_to_the_unlock_page(tmp_path: Path):
    for lang in ("zh_CN", "en"):
        done = subprocess.run(
            [sys.executable, "-m", "app", "--demo", "--lang", lang],
            check=False,
            cwd=ROOT,
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr


def test_main_takes_a_services_factory(tmp_path: Path):
    script = textwrap.dedent(
        """
        import sys
        from app.__main__ import main
        from app.ui.wiring import Services
        from tests.ui.fakes import two_inspectors

        calls = []

        def factory(profile_dir, demo):
            calls.append((profile_dir.name, demo))
            return Services(profile_dir=profile_dir, unlock=two_inspectors())

        code = main(["--profile", sys.argv[1], "--demo"], services_factory=factory)
        assert calls == [("chosen", True)], calls
        print("ok", code)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "chosen")],
        check=False,
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok 0"


def test_no_display_is_one_clear_line(tmp_path: Path):
    for platform in (None, "xcb", "wayland"):
        env = {k: v for k, v in _env(tmp_path).items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
        if platform:
            env["QT_QPA_PLATFORM"] = platform
        done = subprocess.run([sys.executable, "-m", "app", "--demo"], check=False, cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1 and "A desktop session is needed" in done.stderr, done.stderr
        assert "需要图形桌面会话" in done.stderr
        assert not (tmp_path / "demo").exists()  # refused before anything was built


def test_desktop_missing_rules():
    from app.__main__ import desktop_missing

    assert desktop_missing({}, "linux")
    assert desktop_missing({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert not desktop_missing({"DISPLAY": ":0"}, "linux")
    assert not desktop_missing({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not desktop_missing({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not desktop_missing({"QT_QPA_PLATFORM": "vnc:size=800x600"}, "linux")
    assert not desktop_missing({}, "win32")
    assert not desktop_missing({}, "darwin")


def test_the_demo_profile_is_built_behind_a_progress_window(qtbot, monkeypatch, tmp_path: Path):
    import threading

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QProgressDialog

    from app.__main__ import build_demo_with_progress
    from app.ui import wiring

    release = threading.Event()
    built: list[tuple[Path, str]] = []
    seen: list[str] = []

    def slow_build(profile_dir: Path) -> None:  # stands in for the ten seconds of Argon2id and signing
        assert release.wait(30)
        built.append((profile_dir, threading.current_thread().name))

    def look() -> None:
        seen.extend(w.labelText() for w in QApplication.topLevelWidgets()
                    if isinstance(w, QProgressDialog) and w.isVisible())
        release.set()

    monkeypatch.setattr(wiring, "ensure_demo_profile", slow_build)
    QTimer.singleShot(50, look)  # runs inside the progress window's event loop, while the build waits
    build_demo_with_progress(tmp_path / "demo")
    assert built == [(tmp_path / "demo", "demo-profile")]
    assert len(seen) == 1 and "Creating the demo profile" in seen[0] and "演示档案" in seen[0]
    assert not any(isinstance(w, QProgressDialog) and w.isVisible() for w in QApplication.topLevelWidgets())

    def broken(_profile_dir: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(wiring, "ensure_demo_profile", broken)
    try:
        build_demo_with_progress(tmp_path / "demo2")
    except OSError as exc:
        assert exc.errno == 28
    else:
        raise AssertionError("the build's error must reach the caller")
