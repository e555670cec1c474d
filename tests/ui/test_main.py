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
