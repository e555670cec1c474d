"""Long work off the GUI thread, as operation objects (in the style of Anki's ``CollectionOp``).

    Operation(parent, import_photos)          # fn(ctx: OpContext) -> result, runs on a worker thread
        .success(lambda result: ...)          # on the GUI thread
        .failure(lambda exc: ...)            # on the GUI thread; default: show_error(parent, exc)
        .progress(lambda p: ...)             # on the GUI thread, throttled
        .with_busy_dialog(tr("Importing..."))  # optional modal progress dialog with a cancel button
        .run()

The callable must never touch widgets; it reports through ``ctx.report(done, total, message)`` and polls
``ctx.cancelled`` (or calls ``ctx.raise_if_cancelled()``). A cancelled operation calls ``cancelled``
callbacks, not ``failure``. Pass a ``QThreadPool`` with one thread to serialise work on one resource
(the store).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QWidget

T = TypeVar("T")

PROGRESS_INTERVAL_S = 0.05

class OperationCancelled(Exception):
    """Raised inside an operation to stop it after the user pressed cancel."""


@dataclass(frozen=True)
class Progress:
    done: int
    total: int  # 0: unknown (indeterminate)
    message: str = ""


class OpContext:
    """What the worker sees: a progress reporter and the cancel flag. Thread-safe."""

    def __init__(self, emit: Callable[[int, int, str], None]) -> None:
        self._emit = emit
        self._cancel = threading.Event()
        self._last = 0.0

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def raise_if_cancelled(self) -> None:
        if self._cancel.is_set():
            raise OperationCancelled

    def report(self, done: int, total: int = 0, message: str = "") -> None:
        """Report progress; calls closer than 50 ms apart are dropped, except the final one."""
        now = time.monotonic()
        if done < total and now - self._last < PROGRESS_INTERVAL_S:
            return
        self._last = now
        self._emit(int(done), int(total), message)


class _Relay(QObject):
    """The one object worker threads emit on. It lives as long as the process, so a worker never emits on an object
    the GUI thread may be destroying (emitting on a QObject while another thread deletes it is undefined: it crashed).
    On the GUI thread it hands each outcome to its operation, if that operation still exists."""

    progressed = Signal(int, int, int, str)  # operation key, done, total, message
    ended = Signal(int, str, object)  # operation key, outcome ("success", "failure", "cancelled"), payload

    def __init__(self) -> None:
        super().__init__()
        self.live: dict[int, Operation[Any]] = {}
        self.progressed.connect(self._on_progress)
        self.ended.connect(self._on_ended)

    def _operation(self, key: int, *, last: bool) -> Operation[Any] | None:
        op = self.live.pop(key, None) if last else self.live.get(key)
        if op is None or not shiboken6.isValid(op):  # its owner was destroyed meanwhile: nobody is left to tell
            self.live.pop(key, None)
            return None
        return op

    @Slot(int, int, int, str)
    def _on_progress(self, key: int, done: int, total: int, message: str) -> None:
        op = self._operation(key, last=False)
        if op is not None:
            op._handle_progress(done, total, message)

    @Slot(int, str, object)
    def _on_ended(self, key: int, outcome: str, payload: object) -> None:
        op = self._operation(key, last=True)
        if op is None:
            return
        if outcome == "success":
            op._handle_success(payload)
        elif outcome == "failure":
            op._handle_failure(payload)  # type: ignore[arg-type]
        else:
            op._handle_cancelled()


_RELAY: _Relay | None = None
_KEYS = itertools.count(1)


def _relay() -> _Relay:
    """Created on first use, on the GUI thread (operations are built there), and never deleted."""
    global _RELAY
    if _RELAY is None:
        _RELAY = _Relay()
    return _RELAY


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[OpContext], Any], ctx: OpContext, key: int) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._ctx = ctx
        self._key = key

    def run(self) -> None:
        relay = _relay()
        try:
            result = self._fn(self._ctx)
        except OperationCancelled:
            relay.ended.emit(self._key, "cancelled", None)
        except BaseException as exc:
            relay.ended.emit(self._key, "failure", exc)
        else:
            relay.ended.emit(self._key, "cancelled" if self._ctx.cancelled else "success", result)
        finally:
            self._fn = None  # type: ignore[assignment]  # drop the closure here, not when Qt deletes the runnable


class Operation(QObject, Generic[T]):
    """One piece of background work. Build it with the chained setters, then ``run()`` it once."""

    finished = Signal()  # after any outcome, on the GUI thread

    def __init__(self, parent: QWidget | QObject | None, fn: Callable[[OpContext], T]) -> None:
        super().__init__(parent)
        self._fn = fn
        self._on_success: list[Callable[[T], None]] = []
        self._on_failure: list[Callable[[BaseException], None]] = []
        self._on_progress: list[Callable[[Progress], None]] = []
        self._on_cancelled: list[Callable[[], None]] = []
        self._busy_label: str | None = None
        self._busy_cancellable = True
        self._busy_delay_ms = 300
        self._dialog: Any = None
        self._key = next(_KEYS)
        relay = _relay()
        key = self._key
        self._ctx = OpContext(lambda done, total, message: relay.progressed.emit(key, done, total, message))
        self._started = False
        self._done = False

    # --- building
    def success(self, fn: Callable[[T], None]) -> Operation[T]:
        self._on_success.append(fn)
        return self

    def failure(self, fn: Callable[[BaseException], None]) -> Operation[T]:
        self._on_failure.append(fn)
        return self

    def progress(self, fn: Callable[[Progress], None]) -> Operation[T]:
        self._on_progress.append(fn)
        return self

    def cancelled(self, fn: Callable[[], None]) -> Operation[T]:
        self._on_cancelled.append(fn)
        return self

    def with_busy_dialog(self, label: str, *, cancellable: bool = True, delay_ms: int = 300) -> Operation[T]:
        """Show a window-modal progress dialog (after ``delay_ms``, so quick work does not flash)."""
        self._busy_label = label
        self._busy_cancellable = cancellable
        self._busy_delay_ms = delay_ms
        return self

    # --- running
    def run(self, pool: QThreadPool | None = None) -> Operation[T]:
        if self._started:
            raise RuntimeError("an operation runs once")
        self._started = True
        if self._busy_label is not None:
            from app.ui.widgets.busy import BusyDialog

            parent = self.parent()
            self._dialog = BusyDialog(
                parent if isinstance(parent, QWidget) else None,
                self._busy_label,
                cancellable=self._busy_cancellable,
            )
            self._dialog.cancel_requested.connect(self.cancel)
            self._dialog.show_after(self._busy_delay_ms)
        _relay().live[self._key] = self  # also keeps an operation without a Qt parent alive until it ends
        (pool or QThreadPool.globalInstance()).start(_Runnable(self._fn, self._ctx, self._key))
        return self

    def cancel(self) -> None:
        """Ask the work to stop; it stops at its next ``raise_if_cancelled``/``cancelled`` check."""
        self._ctx.cancel()

    @property
    def is_cancel_requested(self) -> bool:
        return self._ctx.cancelled

    @property
    def is_done(self) -> bool:
        return self._done

    @property
    def busy_dialog(self) -> Any:
        return self._dialog

    # --- outcomes (GUI thread, called by the relay)
    def _handle_progress(self, done: int, total: int, message: str) -> None:
        if self._done:
            return
        progress = Progress(done, total, message)
        if self._dialog is not None:
            self._dialog.set_progress(progress)
        for fn in self._on_progress:
            fn(progress)

    def _finish(self) -> None:
        self._done = True
        # a finished operation is not kept by its parent: a day of thumbnail batches and reloads would pile up
        # thousands of them (deleted on the next event-loop turn, after the callbacks below have run)
        if self.parent() is not None:
            self.deleteLater()
        if self._dialog is not None:
            self._dialog.finish()
            self._dialog = None

    def _handle_success(self, result: Any) -> None:
        self._finish()
        for fn in self._on_success:
            fn(result)
        self.finished.emit()

    def _handle_failure(self, exc: BaseException) -> None:
        self._finish()
        if self._on_failure:
            for fn in self._on_failure:
                fn(exc)
        else:
            from app.ui.widgets.errors import show_error

            parent = self.parent()
            show_error(parent if isinstance(parent, QWidget) else None, exc)
        self.finished.emit()

    def _handle_cancelled(self) -> None:
        self._finish()
        for fn in self._on_cancelled:
            fn()
        self.finished.emit()


def single_thread_pool(parent: QObject | None = None) -> QThreadPool:
    """A pool with one worker: everything run on it is serialised (one owner of the store connection)."""
    pool = QThreadPool(parent)
    pool.setMaxThreadCount(1)
    return pool
