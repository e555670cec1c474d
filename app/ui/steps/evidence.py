"""Evidence: the description of the next import, the list of items with thumbnails decoded in memory from the
encrypted store, the photo viewer and the selected item's source, provider and measure. Importing lives in
``evidence_import``, the provider's signature or refusal in ``evidence_provider``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QImage, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QSplitter,
    QToolButton,
    QWidget,
)

from app.ui.labels import evidence_kind_label, local_time, measure_label
from app.ui.snapshot import CaseSnapshot, EvidenceInfo
from app.ui.steps.base import BatchSignatureDialog, RefusalDialog, SignatureDialog, StepPage, note_label
from app.ui.steps.evidence_import import ImportActions
from app.ui.steps.evidence_model import THUMB, EvidenceModel, ThumbnailDelegate, load_thumbnails
from app.ui.steps.evidence_provider import ProviderActions
from app.ui.widgets.flow import FlowLayout
from app.ui.widgets.photo_decode import PhotoDecodeError, PhotoInfo, read_photo
from app.ui.widgets.photo_viewer import PhotoViewer
from app.ui.workspace import Workspace

#: Below this page width the list and the selected photo are stacked, not side by side.
NARROW_PAGE_PX = 820


class _FillSplitter(QSplitter):
    """The list and the photo take the height the page has, no more: the page's word-wrapped notes make its
    scroll area size it by preferred heights, and a splitter prefers the sum of what its children prefer."""

    def __init__(self, resized: Callable[[], None]) -> None:
        super().__init__()
        self._resized = resized

    def sizeHint(self) -> QSize:
        return super().sizeHint().boundedTo(QSize(16_777_215, self.minimumSizeHint().height()))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._resized()


class EvidencePage(ImportActions, ProviderActions, StepPage):
    step = "evidence"
    wants_height = True

    def __init__(self, workspace: Workspace, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(workspace, case_id, parent)
        from app.workflow.reference_entries import evidence_kinds, onsite_measures

        # what the next import describes: folded away once the case has evidence, so the list and the viewer
        # get the screen (a 1366×768 laptop)
        self.describe_box, form = self.group(self.tr("Describe what you import"))
        self.kind = QComboBox()
        for e in evidence_kinds():
            self.kind.addItem(evidence_kind_label(e.code), e.code)
        self.kind.setCurrentIndex(max(0, self.kind.findData("audiovisual")))
        self.measure = QComboBox()
        for m in onsite_measures():
            self.measure.addItem(measure_label(m.code), m.code)
        self.measure.setCurrentIndex(max(0, self.measure.findData("record_media")))
        self.title = QLineEdit()
        self.title.setPlaceholderText(self.tr("Title (default: the file name)"))
        self.source = QLineEdit()
        self.source.setPlaceholderText(self.tr("Where and from whom, e.g. 住院部三病区护士站"))
        self.provider_name = QLineEdit()
        self.provider_role = QLineEdit()
        self.provider_id = QLineEdit()
        self.place = QLineEdit()
        self.original = QCheckBox(self.tr("Original (not a copy)"))
        self.original.setChecked(True)
        row = QHBoxLayout()
        row.addWidget(self.kind, 1)
        row.addWidget(self.measure, 1)
        form.addRow(self.tr("Kind / measure"), row)
        form.addRow(self.tr("Title"), self.title)
        form.addRow(self.tr("Source"), self.source)
        row = QHBoxLayout()
        row.addWidget(self.provider_name, 1)
        row.addWidget(self.provider_role, 1)
        row.addWidget(self.provider_id, 1)
        self.provider_name.setPlaceholderText(self.tr("Provider's name"))
        self.provider_role.setPlaceholderText(self.tr("Post"))
        self.provider_id.setPlaceholderText(self.tr("ID number"))
        form.addRow(self.tr("Provider"), row)
        form.addRow(self.tr("Place"), self.place)
        form.addRow("", self.original)
        self.describe_toggle = QToolButton()
        self.describe_toggle.setCheckable(True)
        self.describe_toggle.setChecked(True)
        self.describe_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.describe_toggle.toggled.connect(self._fold_description)
        self._folded_once = False
        # the import buttons and the description's fold on one row, wrapping where the page is narrow: the height
        # goes to the list and the photo
        buttons = FlowLayout(spacing=8)
        self.import_buttons = [
            self.button(self.tr("Import files… (Ctrl+I)"), self.choose_files, primary=True, shortcut="Ctrl+I"),
            self.button(self.tr("Import folder / SD card…"), self.choose_folder)]
        self.camera_button = self.button(self.tr("Take photo"), self.take_photo)
        self.import_buttons.append(self.camera_button)
        from app.ui.steps.camera import camera_available

        if not camera_available():
            self.camera_button.setProperty("blocked", True)
            self.camera_button.setToolTip(self.tr("No camera found on this computer"))
        for b in self.import_buttons:
            buttons.addWidget(b)
        buttons.addWidget(self.describe_toggle)
        self._import_row = buttons
        at = self.body.indexOf(self.describe_box)
        self.body.insertLayout(at, buttons)
        self.body.setSpacing(8)  # tighter than a form's: on a 1280×720 screen (150 %) the photo needs every line
        self.import_state = note_label()
        self.import_state.hide()  # shown with something to say
        self.body.insertWidget(at + 2, self.import_state)
        self._had_evidence = False
        self._fold_description(True)

        # the list and the selected item
        self.model = EvidenceModel(self)
        self.model.thumbnailsWanted.connect(self._load_thumbnails)
        self._thumbs_loading = False
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setItemDelegate(ThumbnailDelegate(self.list))
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(QSize(THUMB, THUMB))
        self.list.setGridSize(QSize(THUMB + 96, THUMB + 64))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setMinimumHeight(THUMB + 64 + 8)  # a full row of thumbnails
        self.list.setMinimumWidth(THUMB + 96 + 28)  # one column of thumbnails and a scroll bar; more when wide
        self.viewer = PhotoViewer()  # at least its tools and the EXIF box's lines (PhotoViewer._fit_exif)
        self.detail = note_label()
        self.detail.installEventFilter(self)  # its least height follows its width (_fit_detail)
        detail = QWidget()
        self._detail = detail
        from PySide6.QtWidgets import QVBoxLayout

        dl = QVBoxLayout(detail)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.setSpacing(4)
        dl.addWidget(self.detail)
        dl.addWidget(self.viewer, 1)
        sign_row = QHBoxLayout()
        self.sign_button = self.button(self.tr("Provider signs (Ctrl+G)"), self.sign, primary=True, shortcut="Ctrl+G")
        self.refuse_button = self.button(self.tr("Record refusal"), self.refuse)
        self.batch_button = self.button(self.tr("Provider signs a list…"), self.sign_batch)
        self.batch_button.setToolTip(self.tr("The provider signs once for several items, as on a paper evidence list"))
        sign_row.addWidget(self.sign_button)
        sign_row.addWidget(self.batch_button)
        sign_row.addWidget(self.refuse_button)
        sign_row.addStretch(1)
        dl.addLayout(sign_row)
        splitter = _FillSplitter(self._split)
        self.splitter = splitter
        splitter.addWidget(self.list)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        self._split_by_user = False  # once the inspector drags the handle, the page keeps their split
        splitter.splitterMoved.connect(lambda _pos, _i: setattr(self, "_split_by_user", True))
        self.body.addWidget(splitter, 1)
        self.list.selectionModel().currentChanged.connect(lambda cur, _prev: self._show_item(cur.row()))
        self.sign_dialog: SignatureDialog | None = None
        self.batch_dialog: BatchSignatureDialog | None = None
        self.refusal_dialog: RefusalDialog | None = None
        self.last_import: list[str] = []
        self._first_thumbnails_shown = False  # until then the selected photo waits (the list comes first)
        self._viewer_pending: Callable[[], None] | None = None

    # --- importing
    def _meta(self, name: str) -> Any:
        from app.evidence.capture import CaptureMeta, Provider

        provider = (Provider(self.provider_name.text().strip(), self.provider_role.text().strip(),
                             self.provider_id.text().strip()) if self.provider_name.text().strip() else None)
        title = self.title.text().strip()
        return CaptureMeta(kind=self.kind.currentData(), measure=self.measure.currentData(),
                           title=f"{title} {name}".strip() if title else name, source=self.source.text().strip(),
                           provider=provider, place=self.place.text().strip(), original=self.original.isChecked())

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Side by side where there is room; on a narrow screen (200 % scaling) the photo goes below the list
        and the page scrolls down, never sideways."""
        super().resizeEvent(event)
        wide = event.size().width() >= NARROW_PAGE_PX
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.splitter.orientation() != orientation:
            self.splitter.setOrientation(orientation)
            if wide:
                self.list.setMinimumHeight(THUMB + 64 + 8)  # a full row of thumbnails
        self._fold_description(self.describe_toggle.isChecked())

    def _split(self) -> None:
        """Side by side, the list gets as many whole columns of thumbnails as half the width holds (two on a
        1366×768 screen), the photo the rest; once the inspector drags the handle, their split stays."""
        if self._split_by_user:
            return
        if self.splitter.orientation() == Qt.Orientation.Vertical:
            self._stack_split()
            return
        width = self.splitter.width() - self.splitter.handleWidth()
        column = self.list.gridSize().width()
        extra = self.list.minimumWidth() - column  # the scroll bar and the frame
        columns = max(1, (width // 2 - extra) // column)
        self.splitter.setSizes([columns * column + extra, width - columns * column - extra])

    def _stack_split(self) -> None:
        """Stacked (a narrow page): two rows of thumbnails, and under them the item's lines, the whole photo
        viewer and the signing buttons, each at least as tall as it needs; the page scrolls down to the photo."""
        rows = 2 * self.list.gridSize().height() + 2 * self.list.frameWidth() + 8
        if self.list.minimumHeight() != rows:
            self.list.setMinimumHeight(rows)
        self.splitter.setSizes([rows, self.splitter.height() - rows - self.splitter.handleWidth()])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.detail and event.type() == QEvent.Type.Resize:
            self._fit_detail()
        return super().eventFilter(watched, event)

    def _fit_detail(self) -> None:
        """The item's lines never shorter than they wrap to at the width they have (the splitter asks its
        children's least heights, and a wrapped label's is one line per paragraph)."""
        needed = self.detail.heightForWidth(self.detail.width()) if self.detail.text() else 0
        if needed != self.detail.minimumHeight():
            self.detail.setMinimumHeight(max(0, needed))

    def _start_viewer(self) -> None:
        start, self._viewer_pending = self._viewer_pending, None
        if start is not None:
            start()

    # --- the selected item
    def current(self) -> EvidenceInfo | None:
        row = self.list.currentIndex().row()
        return self.model.item(row) if 0 <= row < self.model.rowCount() else None

    def focus_field(self, field: str) -> bool:
        """A missing-list code naming an item (``evidence.provider.<id>``): select that item."""
        item_id = field.rsplit(".", 1)[-1]
        if self.snap is not None and self.snap.evidence_by_id(item_id) is not None:
            self.select_item(item_id)
            self.list.setFocus()
            return True
        return False

    def select_item(self, item_id: str) -> None:
        for row in range(self.model.rowCount()):
            if self.model.item(row).id == item_id:
                self.list.setCurrentIndex(self.model.index(row))
                return

    def _show_item(self, row: int) -> None:
        if not 0 <= row < self.model.rowCount():
            self.detail.setText("")
            self._fit_detail()
            self.viewer.clear()
            return
        e = self.model.item(row)
        provider = e.provider or {}
        kind_l, measure_l, source_l = self.tr("Kind"), self.tr("Measure"), self.tr("Source")
        obtained_l, provider_l, none_l = self.tr("Obtained"), self.tr("Provider"), self.tr("none")
        signatures_l = self.tr("Inspector signatures")
        sha = f"　SHA-256: {e.streams[0]['sha256'][:16]}…" if e.streams else ""
        lines = [  # three lines where the page is wide: the height goes to the photo
            f"<b>{e.title}</b>　{self.model.state_text(e)}{sha}",
            f"{kind_l}: {evidence_kind_label(e.kind)}　{measure_l}: {measure_label(e.measure)}　"
            f"{source_l}: {e.source}",
            f"{obtained_l}: {local_time(e.obtained_at)}　"
            f"{provider_l}: {provider.get('name', '') or none_l} {provider.get('role', '')}　"
            f"{signatures_l}: {e.inspector_signatures}",
        ]
        self.detail.setText("<br>".join(line for line in lines if line))
        self._fit_detail()
        closed = self.snap is not None and self.snap.is_closed
        self.sign_button.setEnabled(not closed and e.provider_state is None and e.superseded_by is None)
        self.refuse_button.setEnabled(not closed and e.provider_state is None and e.superseded_by is None)
        self.batch_button.setEnabled(not closed)
        self.viewer.clear()
        if e.is_image and e.streams:
            sha = e.streams[0]["sha256"]
            item_id = e.id

            edge = self.viewer.preview_edge()

            def read(store: Any) -> tuple[QImage, PhotoInfo, bytes] | None:
                from app.evidence.blobstore import BlobStore

                data = BlobStore(store).read(sha)
                try:  # decoded here, on the worker, at screen size: a 12 MP photo is 48 MB of pixels
                    return (*read_photo(data, edge), data)
                except PhotoDecodeError:
                    return None

            def shown(photo: tuple[QImage, PhotoInfo, bytes] | None) -> None:
                current = self.current()
                if current is not None and current.id == item_id:
                    if photo is None:
                        self.viewer.show_undecodable()
                    else:
                        self.viewer.set_photo(*photo)

            def start() -> None:
                self.ws.run(self, read, shown, mutate=False)

            if self._first_thumbnails_shown or not self.model.rowCount():
                start()
            else:  # the list's first screen of thumbnails goes first; the photo follows (or after 0.4 s at most)
                self._viewer_pending = start
                QTimer.singleShot(400, self, self._start_viewer)  # with the page as context: not after it is gone

    # --- showing
    def _fold_description(self, shown: bool) -> None:
        self.describe_box.setVisible(shown)
        self.describe_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        if shown:
            self.describe_toggle.setText(self.tr("Description of the next import"))
        else:
            summary = " · ".join(x for x in (self.kind.currentText(), self.source.text().strip(),
                                             self.provider_name.text().strip()) if x)
            text = self.tr("Description of the next import: %1").replace("%1", summary)
            # beside the import buttons where they leave room for most of it, else on a line of its own
            spacing = self._import_row.spacing()
            used = sum(b.sizeHint().width() + spacing for b in self.import_buttons)
            margins = self.body.contentsMargins()
            scroll_bar = self._scroll.verticalScrollBar().sizeHint().width()
            page = self.width() - margins.left() - margins.right() - scroll_bar - 64
            room = page - used if page - used >= 240 else max(120, page)
            self.describe_toggle.setToolTip(text)
            self.describe_toggle.setText(self.describe_toggle.fontMetrics().elidedText(
                text, Qt.TextElideMode.ElideRight, room))

    def _load_thumbnails(self) -> None:
        """Decode the thumbnails the list asked for, one batch at a time on the store's worker."""
        if self._thumbs_loading:
            return  # the batch in flight asks for the next when it lands
        shas = self.model.take_wanted()
        if not shas:
            return
        self._thumbs_loading = True

        def loaded(images: dict[str, QImage]) -> None:
            self._thumbs_loading = False
            self.model.add_thumbnails(shas, images)
            self._first_thumbnails_shown = True
            self._start_viewer()

        def failed(_exc: BaseException) -> None:
            self._thumbs_loading = False
            self.model.loading_failed(shas)
            self._start_viewer()

        self.ws.run(self, lambda store: load_thumbnails(store, shas), loaded, mutate=False, failed=failed)

    def show_snapshot(self, snap: CaseSnapshot) -> None:
        current = self.current()
        keep = current.id if current else (self.last_import[0] if self.last_import else None)
        self.model.set_items(snap.evidence)
        if not self._folded_once:  # the first time: fold the description away if the case already has evidence
            self._folded_once = True
            self.describe_toggle.setChecked(not snap.evidence)
        elif snap.evidence and not self._had_evidence:  # the first import: from now on the list needs the room
            self.describe_toggle.setChecked(False)
        self._had_evidence = bool(snap.evidence)
        if keep:
            self.select_item(keep)
        elif self.model.rowCount():
            self.list.setCurrentIndex(self.model.index(0))
        if self.current() is not None:
            self._show_item(self.list.currentIndex().row())
