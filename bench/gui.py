#!/usr/bin/env python
"""Cold start of the GUI to the unlock page, and memory with a 500-photo case open, beside a bare Qt window.

    python bench/gui.py [--runs N] [--photos N] [--no-memory]

All children run from compiled bytecode, as an installed app does (``PYTHONPYCACHEPREFIX`` in the temporary
directory, filled by warm-up runs; ``PYTHONDONTWRITEBYTECODE`` is ignored for them): compiling the sources on
every start measured the compiler, not the app.

Cold start: each run is a fresh interpreter (``python -m app`` with FIELDAUDIT_QUIT_WHEN_SHOWN=1, which quits
once the unlock page has been painted; the baseline quits once its empty QMainWindow has been painted). Wall
time from process start to exit and the peak RSS (``wait4``) of each; medians over the runs.

Memory: a temporary profile with two inspectors and one case holding ``--photos`` (500) 1600×1200 JPEGs
captured with ``app.evidence.capture_batch``; then a fresh interpreter runs the real ``MainWindow`` at
1366×768 on that profile: both inspectors unlocked, the case opened on the evidence step with the first photo in
the viewer, the list scrolled screenful by screenful to its end (every thumbnail decoded once) and back to the
top. Once that has been painted and the app has settled, it prints its resident set (``VmRSS``): that is "the
memory with a 500-photo case open" of the target. The process's peak RSS (``wait4``) is printed too; it is
higher because each unlock runs Argon2id with 128 MiB (a security parameter, freed when the unlock returns).

The last line is one JSON object: ``ratio`` is app / bare start time (target ≤ 3), ``rss_ratio`` the resident
set with the 500-photo case open / the bare Qt window's peak RSS (target ≤ 3), ``peak_rss_ratio`` the case
process's peak / the bare window's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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


OPEN_CASE = """
import os, sys, time
from pathlib import Path
from PySide6.QtCore import QTimer
from app.ui.application import create_application
from app.ui.main_window import MainWindow
from app.ui.wiring import build_services

root, case_id, expected = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
secrets = Path(os.environ["FIELDAUDIT_BENCH_PASSFILE"]).read_text(encoding="utf-8").splitlines()
app, _translators = create_application([sys.argv[0]])
services = build_services(root, False)
window = MainWindow(services, idle_ms=3_600_000)
window.resize(1366, 768)
window.show()
team = services.unlock.inspectors()
for (inspector_id, _name), secret in zip(team, secrets, strict=True):
    services.unlock.unlock(inspector_id, secret)
window._on_unlocked(team)
app.processEvents()
t_open = time.perf_counter()  # the inspector opens the case and goes to its evidence
page = window.open_case(case_id)
state = {"shown": False, "phase": 0, "pages": 0, "stable": 0, "first": 0.0, "scroll_start": 0.0}

def screen_shown(evidence):
    # the rows the list shows have their thumbnails decoded (or known to have none) and nothing is in flight
    return (evidence.model.rowCount() == expected and not evidence.model.missing_thumbnails()
            and evidence.model.thumbnail_count() > 0 and window.workspace.idle())

def settled(evidence):
    return screen_shown(evidence) and window.workspace.settled() and evidence.viewer.has_image()

def poll():
    if page.snap is not None and not state["shown"]:
        page.show_step("evidence")
        state["shown"] = True
    evidence = page.page("evidence")
    if state["shown"] and not state["first"] and screen_shown(evidence):
        evidence.list.viewport().repaint()  # painted: a repaint asks for nothing new
        if screen_shown(evidence):
            state["first"] = time.perf_counter()
            print("first_screen_s", round(state["first"] - t_open, 4), flush=True)
    if state["phase"] == 0 and state["pages"] and screen_shown(evidence):
        # scrolling through: as soon as a screenful is shown, the next one (as fast as the list can follow)
        bar = evidence.list.verticalScrollBar()
        evidence.list.viewport().repaint()
        if screen_shown(evidence):
            if bar.value() < bar.maximum():
                bar.setValue(bar.value() + bar.pageStep())
                state["pages"] += 1
            else:
                print("scroll_through_s", round(time.perf_counter() - state["scroll_start"], 4),
                      "screens", state["pages"] + 1, flush=True)
                state["phase"] = 1
                state["back_start"] = time.perf_counter()
                bar.setValue(0)
        QTimer.singleShot(1, poll)
        return
    state["stable"] = state["stable"] + 1 if state["shown"] and settled(evidence) else 0
    if state["stable"] >= 2:  # settled on two polls in a row: the screen was painted and what it wanted is loaded
        state["stable"] = 0
        # the first screenful is shown; then scroll through the whole case to its end and back to the top, as
        # an inspector looking for one photo would, and measure once everything has settled again
        bar = evidence.list.verticalScrollBar()
        if state["phase"] == 0 and not state["pages"]:
            state["scroll_start"] = time.perf_counter()
            bar.setValue(bar.value() + bar.pageStep())  # one screenful further down
            state["pages"] += 1
        elif state["phase"] == 1 and "back_s" not in state:
            state["back_s"] = time.perf_counter() - state["back_start"]
            print("back_to_top_s", round(state["back_s"], 4), flush=True)
        else:
            window.repaint()
            status = Path("/proc/self/status")
            if status.exists():  # the resident set while the case is shown (the peak also holds the Argon2id unlocks)
                rss = [line.split()[1] for line in status.read_text().splitlines() if line.startswith("VmRSS:")]
                print("rss_kib", rss[0] if rss else 0, flush=True)
            print("screens", state["pages"] + 1, "thumbnails_in_memory", evidence.model.thumbnail_count(), flush=True)
            QTimer.singleShot(50, app.quit)
            return
        evidence.list.viewport().update()
    QTimer.singleShot(1, poll)

QTimer.singleShot(0, poll)
sys.exit(app.exec())
"""


def make_photo_case(root: Path, photos: int, secrets: tuple[str, str]) -> str:
    """A profile with two inspectors and one case with ``photos`` captured 1600×1200 JPEGs; the case id."""
    import io
    import random

    from PIL import Image, ImageDraw

    from app.evidence.capture import CaptureMeta, CaptureSource
    from app.evidence.capture_batch import capture_batch
    from app.models.profile import Profile
    from app.workflow.cases import CaseSpec, add_institution, create_case

    profile = Profile.init(root)
    a = profile.enroll("王建国", "42010020260001", "某市医疗保障基金稽核中心", secrets[0])
    b = profile.enroll("李晓梅", "42010020260002", "某市医疗保障基金稽核中心", secrets[1], unlock_passphrase=secrets[0])
    rng = random.Random(7)
    with Profile.open(root).unlock(secrets[0]) as store:
        store.unlock_inspector(secrets[1])
        with store.transaction() as s:
            inst = add_institution(s, name="某市虚构第一医院（测试）", kind="designated_hospital",
                                   address="某市某区测试路 1 号")
            case_id = create_case(s, store, a, CaseSpec(
                institution_id=inst.id, kind="special", inspector_ids=[a, b], title="住院费用专项稽核（基准）",
                planned_date="2026-11-23", notice_served_on="2026-11-18", place="某市某区测试路 1 号")).id
        batch = 50
        for start in range(0, photos, batch):
            items = []
            for n in range(start, min(photos, start + batch)):
                image = Image.new("RGB", (1600, 1200), (rng.randrange(160, 250), rng.randrange(160, 250), 220))
                draw = ImageDraw.Draw(image)
                for _ in range(12):
                    x, y = rng.randrange(0, 1500), rng.randrange(0, 1100)
                    draw.rectangle((x, y, x + rng.randrange(40, 400), y + rng.randrange(40, 300)),
                                   outline=(40, 40, 90), width=6)
                buffer = io.BytesIO()
                image.save(buffer, "JPEG", quality=80)
                items.append((CaptureSource(f"IMG_{n:04d}.JPG", data=buffer.getvalue()),
                              CaptureMeta(kind="audiovisual", measure="onsite_inspection", title=f"现场照片 {n + 1}",
                                          source="住院三病区", place="某市某区测试路 1 号")))
            for result in capture_batch(store, case_id, items):
                if isinstance(result, Exception):
                    raise SystemExit(f"capture failed: {result}")
            print(f"  captured {min(photos, start + batch)}/{photos} photos", file=sys.stderr)
    return case_id


def run_once(cmd: list[str], env: dict[str, str], timeout_s: float = 300,
             out: list[str] | None = None) -> tuple[float, float]:
    """Seconds to exit and peak RSS in MiB of one child process (its stdout lines appended to ``out``)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE if out is not None else subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    watchdog = threading.Timer(timeout_s, proc.kill)  # a child that never paints must not hang the bench
    watchdog.start()
    try:
        _pid, status, usage = os.wait4(proc.pid, 0)
    finally:
        watchdog.cancel()
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if out is not None and proc.stdout is not None:
        out.extend(proc.stdout.read().decode("utf-8", "replace").splitlines())
        proc.stdout.close()
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr}")
    rss_mib = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 1024 / 1024
    return elapsed, rss_mib


def main() -> int:
    if len(sys.argv) == 6 and sys.argv[1] == "--make-case":
        print(make_photo_case(Path(sys.argv[2]), int(sys.argv[3]), (sys.argv[4], sys.argv[5])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--photos", type=int, default=500)
    parser.add_argument("--no-memory", action="store_true", help="only the cold start")
    args = parser.parse_args()
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["FIELDAUDIT_QUIT_WHEN_SHOWN"] = "1"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    with tempfile.TemporaryDirectory(prefix="fieldaudit-bench-") as tmp:
        # an installed app runs from compiled bytecode (pip and PyInstaller both ship it): the children write and
        # reuse .pyc files in a private cache (the warm-up runs fill it), even where the environment turns that off
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        env["FIELDAUDIT_PROFILES_DIR"] = tmp
        # an enrolled profile (two inspectors): a start shows the unlock page, not the enrolment wizard
        secrets = ("bench passphrase 甲 1", "bench passphrase 乙 2")
        profile = Path(tmp) / "photos"
        photos = 0 if args.no_memory else args.photos
        t0 = time.perf_counter()
        # built in a child: a forked child's peak RSS (wait4) includes its parent's pages before exec, so the
        # measuring process stays small
        made = subprocess.run([sys.executable, __file__, "--make-case", str(profile), str(photos), *secrets],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, check=True, text=True)
        case_id = made.stdout.strip().splitlines()[-1]
        setup_s = time.perf_counter() - t0
        app_cmd = [sys.executable, "-m", "app", "--profile", str(profile)]
        bare_cmd = [sys.executable, "-c", BARE]
        run_once(bare_cmd, env)  # warm the OS file cache for both, as a second start on a laptop would be
        run_once(app_cmd, env)
        if photos:  # and compile what opening a case imports (bytecode of the step pages, the workflow)
            warm_env = dict(env, FIELDAUDIT_BENCH_PASSFILE=str(Path(tmp) / "secrets.txt"))
            Path(warm_env["FIELDAUDIT_BENCH_PASSFILE"]).write_text("\n".join(secrets) + "\n", encoding="utf-8")
            run_once([sys.executable, "-c", OPEN_CASE, str(profile), case_id, str(photos)], warm_env, out=[])
        app_runs: list[tuple[float, float]] = []
        bare_runs: list[tuple[float, float]] = []
        for _ in range(args.runs):  # interleaved, so drift affects both alike
            bare_runs.append(run_once(bare_cmd, env))
            app_runs.append(run_once(app_cmd, env))
        case_rss: list[float] = []
        case_s = shown_rss = first_s = scroll_s = back_s = 0.0
        screens: list[int] = []
        if photos:
            passfile = Path(tmp) / "secrets.txt"  # throwaway passphrases of the temporary bench profile
            passfile.write_text("\n".join(secrets) + "\n", encoding="utf-8")
            case_env = dict(env, FIELDAUDIT_BENCH_PASSFILE=str(passfile))
            case_cmd = [sys.executable, "-c", OPEN_CASE, str(profile), case_id, str(photos)]
            lines: list[str] = []
            runs = [run_once(case_cmd, case_env, out=lines) for _ in range(3)]
            case_s = statistics.median(r[0] for r in runs)
            case_rss = [r[1] for r in runs]
            shown = [int(x.split()[1]) / 1024 for x in lines if x.startswith("rss_kib ")]
            shown_rss = statistics.median(shown) if shown else 0.0

            def figure(name: str) -> float:
                values = [float(x.split()[1]) for x in lines if x.startswith(name + " ")]
                return statistics.median(values) if values else float("nan")

            first_s, scroll_s, back_s = figure("first_screen_s"), figure("scroll_through_s"), figure("back_to_top_s")
            screens = [int(x.split()[3]) for x in lines if x.startswith("scroll_through_s ")]
    app_s = statistics.median(r[0] for r in app_runs)
    bare_s = statistics.median(r[0] for r in bare_runs)
    app_rss = statistics.median(r[1] for r in app_runs)
    bare_rss = statistics.median(r[1] for r in bare_runs)
    print(f"bare Qt main window : {bare_s * 1000:7.1f} ms  peak RSS {bare_rss:6.1f} MiB")
    print(f"FieldAudit unlock   : {app_s * 1000:7.1f} ms  peak RSS {app_rss:6.1f} MiB")
    print(f"start ratio {app_s / bare_s:.2f} (target <= 3), unlock-page memory ratio {app_rss / bare_rss:.2f}")
    result: dict[str, object] = {
        "bench": "gui",
        "runs": args.runs,
        "cold_start_s": round(app_s, 4),
        "bare_qt_s": round(bare_s, 4),
        "ratio": round(app_s / bare_s, 3),
        "unlock_rss_mib": round(app_rss, 1),
        "bare_qt_rss_mib": round(bare_rss, 1),
        "target_ratio": 3.0,
        # the machine's load while measuring (the times are wall clock: on a busy machine they say less)
        "loadavg_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }
    if case_rss:
        print(f"500-photo case: first screen of thumbnails {first_s:.3f} s after opening it (target <= 1 s)")
        print(f"500-photo case: scrolled through once, {screens[0] if screens else 0} screens, in {scroll_s:.3f} s "
              f"(target <= 5 s); back to the top {back_s:.3f} s")
        result.update({"first_screen_s": round(first_s, 3), "scroll_through_s": round(scroll_s, 3),
                       "back_to_top_s": round(back_s, 3), "target_first_screen_s": 1.0,
                       "target_scroll_through_s": 5.0})
        peak = statistics.median(case_rss)
        print(f"case of {args.photos} photos captured in {setup_s:.1f} s; opened, scrolled through and back in "
              f"{case_s:.2f} s (incl. unlocking two inspectors)")
        print(f"500-photo case open : resident {shown_rss:6.1f} MiB, ratio {shown_rss / bare_rss:.2f} (target <= 3)")
        print(f"  peak RSS of that process {peak:6.1f} MiB (runs: {', '.join(f'{r:.1f}' for r in case_rss)}), "
              f"ratio {peak / bare_rss:.2f}: the peak holds an Argon2id unlock's 128 MiB")
        result.update({"photos": args.photos, "rss_500_photos_mib": round(shown_rss, 1),
                       "rss_ratio": round(shown_rss / bare_rss, 3), "peak_rss_500_photos_mib": round(peak, 1),
                       "peak_rss_ratio": round(peak / bare_rss, 3), "open_case_s": round(case_s, 3)})
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
