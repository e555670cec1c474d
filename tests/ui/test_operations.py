from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QWidget

from app.ui.operations import OpContext, Operation, Progress, single_thread_pool
from app.ui.widgets.busy import BusyDialog

MAIN = threading.main_thread()


def _hash_chunks(ctx: OpContext, total: int = 200) -> int:
    """A real long-ish task: hash data chunk by chunk, reporting progress and honouring cancel."""
    import hashlib

    digest = hashlib.sha256()
    block = b"x" * 256 * 1024
    for i in range(total):
        ctx.raise_if_cancelled()
        digest.update(block)
        time.sleep(0.002)
        ctx.report(i + 1, total, f"{i + 1}/{total}")
    return total


def test_success_and_progress_on_gui_thread(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    progress: list[Progress] = []
    threads: list[bool] = []
    results: list[int] = []
    op = (
        Operation(parent, _hash_chunks)
        .progress(lambda p: (progress.append(p), threads.append(threading.current_thread() is MAIN)))
        .success(results.append)
    )
    with qtbot.waitSignal(op.finished, timeout=10_000):
        op.run()
    assert results == [200]
    assert progress, "progress arrived"
    assert progress[-1] == Progress(200, 200, "200/200")
    assert all(threads)
    assert [p.done for p in progress] == sorted(p.done for p in progress)
    assert len(progress) < 200  # throttled


def test_cancel_stops_the_work(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: list[int] = []
    cancelled: list[bool] = []
    results: list[int] = []
    op = Operation(parent, lambda ctx: _hash_chunks(ctx, 5000))
    op.progress(lambda p: seen.append(p.done)).cancelled(lambda: cancelled.append(True))
    op.success(results.append)
    op.run()
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    op.cancel()
    with qtbot.waitSignal(op.finished, timeout=5000):
        pass
    assert cancelled == [True]
    assert results == []
    assert seen[-1] < 5000


def test_failure_callback_gets_the_exception(qtbot):
    errors: list[BaseException] = []

    def boom(_ctx: OpContext) -> None:
        raise ValueError("bad input")

    op = Operation(None, boom).failure(errors.append)
    with qtbot.waitSignal(op.finished, timeout=5000):
        op.run()
    assert len(errors) == 1 and isinstance(errors[0], ValueError)


def test_busy_dialog_shows_progress_and_cancel_button(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    op = Operation(parent, lambda ctx: _hash_chunks(ctx, 5000)).with_busy_dialog("正在导入照片", delay_ms=0)
    cancelled: list[bool] = []
    op.cancelled(lambda: cancelled.append(True))
    op.run()
    dialog = op.busy_dialog
    assert isinstance(dialog, BusyDialog)
    assert dialog.isVisible()
    assert dialog.cancel_button().text() == "取消"
    qtbot.waitUntil(lambda: dialog.progress_value()[1] == 5000 and dialog.progress_value()[0] > 0)
    with qtbot.waitSignal(op.finished, timeout=5000):
        qtbot.mouseClick(dialog.cancel_button(), Qt.MouseButton.LeftButton)
    assert cancelled == [True]
    assert op.busy_dialog is None


def test_single_thread_pool_serialises(qtbot):
    pool = single_thread_pool()
    active = 0
    peak = 0
    lock = threading.Lock()

    def work(_ctx: OpContext) -> None:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.02)
        with lock:
            active -= 1

    ops = [Operation(None, work).run(pool) for _ in range(4)]
    qtbot.waitUntil(lambda: all(o.is_done for o in ops), timeout=5000)
    assert peak == 1
    pool.waitForDone()


def test_operation_runs_once(qtbot):
    op = Operation(None, lambda ctx: 1)
    with qtbot.waitSignal(op.finished):
        op.run(QThreadPool.globalInstance())
    with pytest.raises(RuntimeError):
        op.run()


_OWNER_DELETED_WHILE_REPORTING = r"""
import sys
from PySide6.QtCore import QCoreApplication, QEvent, QThreadPool
from PySide6.QtWidgets import QApplication, QWidget
from app.ui.operations import Operation

app = QApplication([])
pool = QThreadPool()
pool.setMaxThreadCount(2)
delivered = []
for _ in range(int(sys.argv[1])):
    owner = QWidget()
    for _ in range(20):
        Operation(owner, lambda ctx: [ctx.report(k, 50) for k in range(50)]).success(delivered.append).run(pool)
    app.processEvents()
    owner.deleteLater()  # while its operations' workers are still reporting
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()
pool.waitForDone()
app.processEvents()
print("finished", len(delivered))
"""


def test_an_owner_deleted_while_its_workers_report_does_not_crash(tmp_path):
    """Workers used to emit on the operation's own QObject; the GUI thread deleting it meanwhile crashed the
    process (SIGSEGV within a few hundred rounds). Run in a child process so a crash fails this test only."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = tmp_path / "owner_deleted.py"
    script.write_text(_OWNER_DELETED_WHILE_REPORTING, encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    done = subprocess.run([sys.executable, str(script), "800"], check=False, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert done.stdout.startswith("finished")


def test_release_scheduler_runs_its_first_step_on_the_pool_then_trims(qtbot, monkeypatch):
    from app.ui import memory

    order: list[str] = []
    threads: list[threading.Thread] = []
    monkeypatch.setattr(memory, "release_memory", lambda: order.append("trim"))

    def first() -> None:
        threads.append(threading.current_thread())
        order.append("store")

    pool = single_thread_pool()
    scheduler = memory.ReleaseScheduler(delay_ms=10, first=first, pool=pool)
    scheduler.poke()
    assert scheduler.pending()
    qtbot.waitUntil(lambda: not scheduler.pending(), timeout=5000)
    assert order == ["store", "trim"]
    assert threads[0] is not threading.main_thread()
    pool.waitForDone()


def test_release_scheduler_trims_even_when_the_store_is_gone(qtbot, monkeypatch):
    from app.ui import memory

    order: list[str] = []
    monkeypatch.setattr(memory, "release_memory", lambda: order.append("trim"))

    def first() -> None:
        raise RuntimeError("locked meanwhile")

    scheduler = memory.ReleaseScheduler(delay_ms=10, first=first)
    scheduler.poke()
    qtbot.waitUntil(lambda: not scheduler.pending(), timeout=5000)
    assert order == ["trim"]
