"""What the pages of one unlocked profile share: the store (through its one worker thread), the team, printing.

Pages never call the store on the GUI thread. ``Workspace.run(parent, fn, done)`` runs ``fn(store)`` on the
store's worker as an ``Operation``; ``fn`` is a facade call (``app.facade``: read models and step actions, each
owning its session or transaction; pages never open one, ``tests/test_layers.py``). A mutation (the default) emits
``changed`` afterwards so every page reloads its snapshot. Errors are shown plainly by the operation
(``show_error``), or passed to ``failed``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtWidgets import QWidget

from app.ui.memory import ReleaseScheduler
from app.ui.operations import OpContext, Operation

if TYPE_CHECKING:
    from app.models.profile import Store
    from app.ui.store_service import StoreUnlockService
    from app.ui.wiring import Printer

T = TypeVar("T")


def _ended(op: Operation[Any]) -> bool:
    """Done, or gone with the page that started it (a page replaced while its work ran: nobody waits for it)."""
    return op.is_done or not shiboken6.isValid(op)


class Workspace(QObject):
    """``changed`` after every successful mutation; ``closed`` when the store is locked."""

    changed = Signal()

    def __init__(self, service: StoreUnlockService, pool: QThreadPool, team: list[tuple[str, str]],
                 printer: Printer, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.pool = pool
        self.team = list(team)
        self.printer = printer
        self.operations: list[Operation[Any]] = []
        # gives back what finished work left behind (the store's page cache too), once things calm down
        self.memory = ReleaseScheduler(self, first=self._release_store, pool=pool)

    @property
    def actor(self) -> str:
        """The inspector who acts by default (the first to unlock)."""
        return self.team[0][0]

    def team_ids(self) -> list[str]:
        return [iid for iid, _name in self.team]

    def run(self, parent: QWidget, fn: Callable[[Store], T], done: Callable[[T], None] | None = None, *,
            mutate: bool = True, failed: Callable[[BaseException], None] | None = None,
            busy: str | None = None) -> Operation[T]:
        """Run ``fn(store)`` on the store's worker; ``done(result)`` on the GUI thread."""
        return self.run_ctx(parent, lambda store, _ctx: fn(store), done, mutate=mutate, failed=failed, busy=busy)

    def run_ctx(self, parent: QWidget, fn: Callable[[Store, OpContext], T],
                done: Callable[[T], None] | None = None, *, mutate: bool = True,
                failed: Callable[[BaseException], None] | None = None, busy: str | None = None,
                cancellable: bool = False) -> Operation[T]:
        """Like ``run`` with the operation's context (progress, cancel) passed to ``fn``."""
        service = self.service

        def work(ctx: OpContext) -> T:
            return fn(service.store, ctx)

        op: Operation[T] = Operation(parent, work)
        if done is not None:
            op.success(done)
        if mutate:
            op.success(lambda _r: self.changed.emit())
        if failed is not None:
            op.failure(failed)
        if busy is not None:
            op.with_busy_dialog(busy, cancellable=cancellable)
        op.finished.connect(self.memory.poke)
        self.operations = [o for o in self.operations if not _ended(o)] + [op]
        op.run(self.pool)
        return op

    def _release_store(self) -> None:
        """(The store's worker) the store's idle connections give back their page cache."""
        self.service.store.release_memory()

    def idle(self) -> bool:
        """No operation of this workspace is running (tests wait for this)."""
        return all(_ended(o) for o in self.operations)

    def settled(self) -> bool:
        """Idle, and the memory left by the last operations has been given back (the GUI bench waits for this)."""
        return self.idle() and not self.memory.pending()
