#!/usr/bin/env python
"""Cold start of the GUI to the unlock page, beside a bare Qt main window started the same way.

    python bench/gui.py [--runs N]

Each run is a fresh interpreter (``python -m app`` with FIELDAUDIT_QUIT_WHEN_SHOWN=1, which quits once the
unlock page has been painted; the baseline quits once its empty QMainWindow has been painted). Wall time from
process start to exit and the peak RSS (``wait4``) of each; medians over the runs. The last line is one JSON
object; ``ratio`` is app / bare start time (target ≤ 3).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BARE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

class Central(QWidget):
    painted = False
    def paintEvent(self, event):
        super().paintEvent(event)
        if not Central.painted:
            Central.painted = True
            QTimer.singleShot(0, app.quit)

app = QApplication(sys.argv)
window = QMainWindow()
window.setCentralWidget(Central())
window.resize(1366, 768)
window.show()
sys.exit(app.exec())
"""


def run_once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds to exit and peak RSS in MiB of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr}")
    rss_mib = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 1024 / 1024
    return elapsed, rss_mib


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["FIELDAUDIT_QUIT_WHEN_SHOWN"] = "1"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    with tempfile.TemporaryDirectory(prefix="fieldaudit-bench-") as tmp:
        env["FIELDAUDIT_PROFILES_DIR"] = tmp
        app_cmd = [sys.executable, "-m", "app", "--profile", str(Path(tmp) / "bench")]
        bare_cmd = [sys.executable, "-c", BARE]
        run_once(bare_cmd, env)  # warm the OS file cache for both, as a second start on a laptop would be
        run_once(app_cmd, env)
        app_runs: list[tuple[float, float]] = []
        bare_runs: list[tuple[float, float]] = []
        for _ in range(args.runs):  # interleaved, so drift affects both alike
            bare_runs.append(run_once(bare_cmd, env))
            app_runs.append(run_once(app_cmd, env))
    app_s = statistics.median(r[0] for r in app_runs)
    bare_s = statistics.median(r[0] for r in bare_runs)
    app_rss = statistics.median(r[1] for r in app_runs)
    bare_rss = statistics.median(r[1] for r in bare_runs)
    print(f"bare Qt main window : {bare_s * 1000:7.1f} ms  peak RSS {bare_rss:6.1f} MiB")
    print(f"FieldAudit unlock   : {app_s * 1000:7.1f} ms  peak RSS {app_rss:6.1f} MiB")
    print(f"start ratio {app_s / bare_s:.2f} (target <= 3), memory ratio {app_rss / bare_rss:.2f}")
    result = {
        "bench": "gui_cold_start",
        "runs": args.runs,
        "app_start_s": round(app_s, 4),
        "bare_start_s": round(bare_s, 4),
        "ratio": round(app_s / bare_s, 3),
        "app_peak_rss_mib": round(app_rss, 1),
        "bare_peak_rss_mib": round(bare_rss, 1),
        "rss_ratio": round(app_rss / bare_rss, 3),
        "target_ratio": 3.0,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
