"""The window fits the screens inspectors have: 1366×768 at 100 %, 1920×1080 at 150 % and at 200 % scaling.

Each runs in a child process (QT_SCALE_FACTOR and the screen size are fixed when Qt starts) on a copy of the demo
profile: the enrolment and unlock pages, home, every step of the demo audit, its print preview, and a NEW audit
made through 新建稽核 with six photos (every step; the signature, batch signature and refusal dialogs) are shown
and checked by ``tests.ui.screen_fit.fit_problems`` — the window within the screen's available geometry, no
button cut off or narrower than its text, no page scrolling sideways, no box or photo viewer shorter than its
lines, the 尚缺 list at most a sixth of the page and never shown empty. On the new audit's evidence page, the
list shows whole thumbnails and the photo viewer has room (figures per screen below)."""

from __future__ import annotations

import json
import os
import shutil
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


#: On the new audit's evidence page: (whole thumbnails in view at least, list and photo side by side, the page
#: scrolls at all, the photo viewer's least width and height in logical pixels).
EVIDENCE = {
    "1": (4, True, False, (500, 300)),  # 1366×768: two columns of two, the photo beside them
    "1.5": (4, True, False, (450, 250)),  # 1280×720 logical
    "2": (4, False, True, (600, 250)),  # 960×540: the photo under two rows of thumbnails; the page scrolls to it
}


@pytest.mark.parametrize(("width", "height", "scale", "logical", "lang"), [
    (1366, 768, "1", (1366, 768), "zh_CN"),
    (1920, 1080, "1.5", (1280, 720), "zh_CN"),
    (1920, 1080, "2", (960, 540), "zh_CN"),
    (1920, 1080, "2", (960, 540), "en"),  # the longer English labels on the narrowest screen
])
def test_every_page_fits_the_screen(demo_profile: Path, tmp_path: Path, width: int, height: int, scale: str,
                                    logical: tuple[int, int], lang: str) -> None:
    profile = tmp_path / "demo"
    shutil.copytree(demo_profile, profile)  # the new audit made here stays out of the other screens' runs
    config = offscreen_config(width, height)
    try:
        env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}", QT_SCALE_FACTOR=scale,
                   PYTHONPATH=str(ROOT))
        run = subprocess.run([sys.executable, "-m", "tests.ui.screen_fit", str(profile), lang], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=600, check=False)
    finally:
        config.unlink()
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert tuple(result["screen"]) == logical and result["scale"] == float(scale)
    window = result["window"]
    assert window[0] <= logical[0] and window[1] <= logical[1], window  # never larger than the screen
    assert result["problems"] == []
    thumbnails, side_by_side, scrolls, (least_w, least_h) = EVIDENCE[scale]
    evidence = result["evidence"]
    assert evidence["thumbnails"] >= thumbnails, evidence
    assert evidence["side_by_side"] == side_by_side, evidence
    assert (evidence["scrolls"] > 0) == scrolls, evidence  # side by side, the list and photo fill the page
    assert evidence["viewer_in_view"], evidence  # scrolled to, the whole viewer is in view
    assert evidence["viewer"][0] >= least_w and evidence["viewer"][1] >= least_h, evidence
