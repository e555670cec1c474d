"""The window fits the screens inspectors have: 1366×768 at 100 %, 1920×1080 at 150 % and at 200 % scaling.

Each runs in a child process (QT_SCALE_FACTOR and the screen size are fixed when Qt starts) on the demo
profile: the unlock page, home and every step of the demo audit are shown and checked by
``tests.ui.screen_fit.fit_problems`` — the window within the screen's available geometry, no button cut off or
narrower than its text, no page scrolling sideways."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ui.screen_fit import offscreen_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from app.ui.store_service import DEMO_PASSPHRASES
    from app.workflow.demo import build_demo

    root = tmp_path_factory.mktemp("fit") / "demo"
    build_demo(root, *DEMO_PASSPHRASES)
    return root


@pytest.mark.parametrize(("width", "height", "scale", "logical"), [
    (1366, 768, "1", (1366, 768)),
    (1920, 1080, "1.5", (1280, 720)),
    (1920, 1080, "2", (960, 540)),
])
def test_every_page_fits_the_screen(demo_profile: Path, width: int, height: int, scale: str,
                                    logical: tuple[int, int]) -> None:
    config = offscreen_config(width, height)
    try:
        env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}", QT_SCALE_FACTOR=scale,
                   PYTHONPATH=str(ROOT))
        run = subprocess.run([sys.executable, "-m", "tests.ui.screen_fit", str(demo_profile)], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=600, check=False)
    finally:
        config.unlink()
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert tuple(result["screen"]) == logical and result["scale"] == float(scale)
    window = result["window"]
    assert window[0] <= logical[0] and window[1] <= logical[1], window  # never larger than the screen
    assert result["problems"] == []
