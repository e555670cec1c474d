"""The main window: a stack of pages (unlock, lock, home and the lead's work pages) plus auto-lock.

Auto-lock: after ``idle_minutes`` without input, or on Ctrl+L, the window shows the lock page, emits
``locked`` (pages holding case data clear themselves on it) and asks the store to forget its keys.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QMainWindow,
    QScrollArea,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.ui.idle import IdleWatcher
from app.ui.memory import release_memory
from app.ui.operations import Operation
from app.ui.unlock import LockPage, UnlockPage
from app.ui.widgets.screen import fit_to_screen
from app.ui.wiring import Services

if TYPE_CHECKING:
    from app.models.profile import Store
    from app.ui.case_page import CasePage
    from app.ui.store_service import StoreUnlockService
    from app.ui.sync_actions import SyncController
    from app.ui.workspace import Workspace

PAGE_UNLOCK = "unlock"
PAGE_LOCK = "lock"
PAGE_HOME = "home"
PAGE_ENROL = "enrol"
PAGE_CASE = "case"
PREFERRED_SIZE = QSize(1366, 768)


class PlaceholderHome(QWidget):
    """Shown after unlocking until the case list is wired in (``MainWindow.set_page(PAGE_HOME, ...)``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._team: list[tuple[str, str]] = []
        self._label = QLabel()
        self._label.setProperty("role", "title")
        self._label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self._label)
        self._retranslate()

    def set_team(self, team: list[tuple[str, str]]) -> None:
        self._team = team
        self._retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        names = self.tr(", ").join(name for _id, name in self._team)
        self._label.setText(self.tr("Unlocked by %1").replace("%1", names) if names else "")


class CurrentPageStack(QStackedWidget):
    """A stack whose size is that of the page shown (a hidden page's least size must not make the window taller)."""

    def show_widget(self, page: QWidget) -> None:
        """Show ``page``; the window's scroll area then takes this page's size (no signal: a stack being
        destroyed also changes its current page)."""
        self.setCurrentWidget(page)
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        page = self.currentWidget()
        return page.sizeHint() if page is not None else super().sizeHint()

    def minimumSizeHint(self) -> QSize:
        page = self.currentWidget()
        return page.minimumSizeHint() if page is not None else super().minimumSizeHint()

    def hasHeightForWidth(self) -> bool:
        return False

    def heightForWidth(self, _width: int) -> int:
        # the window's scroll area asks this of a stack whose layout has height-for-width: the page's least
        # height, so it gets all the height there is and scrolls only when even that does not fit
        return self.minimumSizeHint().height()


class MainWindow(QMainWindow):
    """``unlocked(team)`` after both inspectors unlocked; ``locked()`` on auto-lock or Ctrl+L."""

    unlocked = Signal(list)
    locked = Signal()

    def __init__(
        self,
        services: Services,
        *,
        open_profile: Callable[[Path], Services] | None = None,
        profiles: list[Path] | None = None,
        idle_ms: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self._open_profile = open_profile
        self._team: list[tuple[str, str]] = []
        self._stack = CurrentPageStack()
        # on a screen too small for a page's least size (a 960×540 screen at 200 %) the page scrolls down inside
        # the window instead of the window growing past the screen
        self._outer = QScrollArea()
        self._outer.setWidgetResizable(True)
        self._outer.setFrameShape(QFrame.Shape.NoFrame)
        self._outer.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self._outer.setWidget(self._stack)
        self.setCentralWidget(self._outer)
        self._pages: dict[str, QWidget] = {}

        self.unlock_page = UnlockPage(
            services.unlock,
            pool=services.store_pool,
            profiles=profiles,
            current_profile=services.profile_dir,
        )
        self.lock_page = LockPage()
        self.home_page: QWidget = PlaceholderHome()
        self.set_page(PAGE_UNLOCK, self.unlock_page)
        self.set_page(PAGE_LOCK, self.lock_page)
        self.set_page(PAGE_HOME, self.home_page)
        self.unlock_page.unlocked.connect(self._on_unlocked)
        self.unlock_page.profile_chosen.connect(self._on_profile_chosen)
        self.lock_page.unlock_requested.connect(self._to_unlock)

        self.lock_action = QAction(self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.lock_action.triggered.connect(self.lock_now)
        self.addAction(self.lock_action)
        # 同步: sync with the archive (registration first on a laptop not yet registered)
        self.sync_action = QAction(self)
        self.sync_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.sync_action.triggered.connect(self.sync_now)
        self.sync_action.setEnabled(False)
        self.addAction(self.sync_action)
        self._toolbar = QToolBar()
        self._toolbar.setMovable(False)
        self._toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._toolbar.addAction(self.sync_action)
        self._toolbar.addAction(self.lock_action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self._toolbar)
        self._toolbar.hide()

        self.idle = IdleWatcher(idle_ms if idle_ms is not None else services.idle_minutes * 60_000, self)
        self.idle.idle.connect(self.lock_now)
        self.workspace: Workspace | None = None
        self.case_page: CasePage | None = None
        self.new_audit_dialog: QWidget | None = None
        self.sync_controller: SyncController | None = None
        fit_to_screen(self, PREFERRED_SIZE)  # again once shown, when the frame's size is known
        self._opening_size: QSize | None = self.size()
        self._retranslate()
        self.show_page(PAGE_UNLOCK)
        self._maybe_enrol()

    # --- the real store: enrolment, home, case pages
    def _store_service(self) -> StoreUnlockService | None:
        from app.ui.store_service import StoreUnlockService

        service = self.services.unlock
        return service if isinstance(service, StoreUnlockService) else None

    def _maybe_enrol(self) -> None:
        service = self._store_service()
        if service is None or not service.needs_enrolment():
            return
        from app.ui.enrol import EnrolmentPage

        page = EnrolmentPage(service, self.services.store_pool)
        page.finished.connect(self._enrolled)
        self.set_page(PAGE_ENROL, page)
        self.show_page(PAGE_ENROL)

    def _enrolled(self) -> None:
        self.unlock_page.set_service(self.services.unlock, self.services.store_pool)
        self._to_unlock()

    def _build_workspace(self) -> None:
        service = self._store_service()
        if service is None or not service.is_open():
            return
        from app.ui.home import HomePage
        from app.ui.sync_actions import SyncController
        from app.ui.workspace import Workspace

        self.workspace = Workspace(service, self.services.store_pool, self._team, self.services.printer, self)
        self.sync_controller = SyncController(self.workspace, self)
        home = HomePage(self.workspace)
        home.case_opened.connect(self.open_case)
        home.sync_requested.connect(self.sync_now)
        home.new_requested.connect(self.new_audit)
        self.set_page(PAGE_HOME, home)

    def open_case(self, case_id: str, *, show: bool = True) -> CasePage | None:
        """The page of ``case_id``, shown at once unless ``show`` is false (a resumed case: once on its step)."""
        if self.workspace is None:
            return None
        from app.ui.case_page import CasePage

        if self.case_page is not None:
            self.case_page.drafts.flush()  # the page it replaces keeps nothing typed only in its widgets
        page = CasePage(self.workspace, case_id)
        page.back_requested.connect(self._case_left)
        self.case_page = page
        self.set_page(PAGE_CASE, page)
        if show:
            self.show_page(PAGE_CASE)
        return page

    def new_audit(self) -> None:
        """新建稽核: load the parties and inspectors, then the dialog; the new case opens once created."""
        workspace = self.workspace
        if workspace is None:
            return
        from app.ui.new_audit import NewAuditChoices, NewAuditDialog, load_choices

        def show(result: tuple[NewAuditChoices, dict[str, Any]]) -> None:
            if self.workspace is not workspace:
                return  # locked meanwhile
            loaded, draft = result
            dialog = NewAuditDialog(workspace, loaded, self)
            dialog.created.connect(self.open_case)
            self.new_audit_dialog = dialog
            if draft:
                dialog.restore_draft_fields(draft)
            dialog.watch_draft()
            dialog.open()

        def load(store: Store) -> tuple[NewAuditChoices, dict[str, Any]]:
            from app.workflow.drafts import NEW_AUDIT, load_drafts

            return load_choices(store), load_drafts(store, NEW_AUDIT).get("new_audit", {})

        workspace.run(self, load, show, mutate=False)

    def _case_left(self) -> None:
        if self.case_page is not None:
            self.case_page.drafts.left()
        self.show_page(PAGE_HOME)

    def _resume(self, workspace: Workspace, place: tuple[str | None, str | None]) -> None:
        """After an unlock (the unlock page still shown): straight to the case the inspector was in, once its page
        stands on the step and drafts it was left with; else the list of audits. Never the list on the way."""
        if self.workspace is not workspace or not self._team or self.current_page_name() != PAGE_UNLOCK:
            return  # locked again meanwhile
        case_id, _step = place
        page = self.open_case(case_id, show=False) if case_id is not None and self.case_page is None else None
        if page is None:
            self.show_page(PAGE_HOME)
            return
        page.drafts_loading.finished.connect(lambda: self._land_on_case(page))

    def _land_on_case(self, page: CasePage) -> None:
        if self.case_page is page and self._team and self.current_page_name() == PAGE_UNLOCK:
            self.show_page(PAGE_CASE)

    def _flush_drafts(self) -> None:
        """Queue the save of what was typed on the store's worker, ahead of the lock that closes the store."""
        if self.case_page is not None:
            self.case_page.drafts.flush()
        dialog = getattr(self, "new_audit_dialog", None)
        if dialog is not None and dialog.isVisible():
            dialog.save_draft()  # type: ignore[attr-defined]

    def _drop_workspace(self) -> None:
        """Forget every page holding case data (after a lock the store is closed)."""
        self.sync_action.setEnabled(False)
        if self.sync_controller is not None:  # a running sync stops (resumable) before the store closes
            self.sync_controller.shutdown()
            self.sync_controller.deleteLater()
            self.sync_controller = None
        if self.workspace is None:
            return
        self.set_page(PAGE_HOME, PlaceholderHome())
        if PAGE_CASE in self._pages:
            page = self._pages.pop(PAGE_CASE)
            self._stack.removeWidget(page)
            page.deleteLater()
        self.case_page = None
        dialog = getattr(self, "new_audit_dialog", None)
        if dialog is not None:
            dialog.close()
            dialog.deleteLater()
            self.new_audit_dialog = None
        self.workspace.deleteLater()
        self.workspace = None

    # --- pages
    def set_page(self, name: str, widget: QWidget) -> None:
        """Add or replace the page called ``name``."""
        old = self._pages.get(name)
        if old is widget:
            return
        self._stack.addWidget(widget)
        self._pages[name] = widget
        if old is not None:
            was_current = self._stack.currentWidget() is old
            if was_current:
                self._stack.show_widget(widget)
            self._stack.removeWidget(old)
            old.deleteLater()
        if name == PAGE_HOME:
            self.home_page = widget

    def page(self, name: str) -> QWidget:
        return self._pages[name]

    def show_page(self, name: str) -> None:
        if name not in (PAGE_UNLOCK, PAGE_LOCK, PAGE_ENROL) and not self._team:
            raise PermissionError("pages with case data need both inspectors unlocked")
        self._stack.show_widget(self._pages[name])

    def current_page_name(self) -> str:
        current = self._stack.currentWidget()
        return next(name for name, widget in self._pages.items() if widget is current)

    def team(self) -> list[tuple[str, str]]:
        return list(self._team)

    def is_unlocked(self) -> bool:
        return bool(self._team)

    # --- locking
    def lock_now(self) -> None:
        """Clear the screen and forget the keys; nothing happens while already locked."""
        if not self._team:
            return
        self._flush_drafts()
        self._team = []
        self.idle.stop()
        self._toolbar.hide()
        self.show_page(PAGE_LOCK)
        self.locked.emit()
        self._drop_workspace()
        service = self.services.unlock
        Operation(self, lambda _ctx: service.lock()).success(lambda _r: release_memory()).run(self.services.store_pool)

    def _to_unlock(self) -> None:
        self.unlock_page.reset()
        self.show_page(PAGE_UNLOCK)

    def _on_unlocked(self, team: list[tuple[str, str]]) -> None:
        self._team = list(team)
        self._build_workspace()
        if isinstance(self.home_page, PlaceholderHome):
            self.home_page.set_team(self._team)
        self._toolbar.show()
        self.sync_action.setEnabled(self.sync_controller is not None)
        workspace = self.workspace
        if workspace is None:
            self.show_page(PAGE_HOME)
        else:  # the list, or the case left open: read first, then shown (no list flashing by on the way)
            from app.workflow.drafts import last_place

            workspace.run(self, last_place, lambda place: self._resume(workspace, place), mutate=False,
                          failed=lambda _exc: self._resume(workspace, (None, None)))
        self.idle.start()
        self.unlocked.emit(self._team)

    def sync_now(self) -> None:
        """The 同步 action: ask for the archive address (or register first) and sync on the store's worker."""
        if self._team and self.sync_controller is not None:
            self.sync_controller.sync()

    def _on_profile_chosen(self, path: Path) -> None:
        if self._open_profile is None or path == self.services.profile_dir:
            return
        try:
            services = self._open_profile(path)
        except Exception as exc:
            from app.ui.widgets.errors import show_error

            show_error(self, exc)
            return
        self.services = services
        self.idle.set_interval_ms(services.idle_minutes * 60_000)
        self.unlock_page.set_service(services.unlock, services.store_pool)
        self._maybe_enrol()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._opening_size is not None:
            if self.size() == self._opening_size:  # not resized by the caller meanwhile: fit with the frame known
                fit_to_screen(self, self.size())
            self._opening_size = None

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._team:
            self._flush_drafts()
            self._team = []
            self.idle.stop()
            self.locked.emit()
            self._drop_workspace()
            # forget the keys on the store's own thread, and wait for it before the window goes
            self.services.store_pool.start(self.services.unlock.lock)
            self.services.store_pool.waitForDone(10_000)
        super().closeEvent(event)

    # --- texts
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("FieldAudit — medical insurance on-site audit"))
        self.lock_action.setText(self.tr("Lock (Ctrl+L)"))
        self.sync_action.setText(self.tr("Sync (Ctrl+Shift+S)"))
        self._toolbar.setWindowTitle(self.tr("Main toolbar"))
