"""The evidence list's model: one row per item, thumbnails decoded only for the rows the view shows.

A case may hold thousands of photos. The view asks for a row's decoration when it paints it; the model then
notes the thumbnail as wanted and, once per event-loop turn, emits ``thumbnailsWanted``. The page decrypts and
decodes what is wanted on the store's worker (``load_thumbnails``) and hands the images back
(``add_thumbnails``). At most ``THUMB_CACHE`` pixmaps are kept (least recently painted dropped first), so the
memory with a case open does not grow with the case; a row scrolled back into view is decoded again. Thumbnails
live in memory only, never in a cache on disk.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QBuffer,
    QByteArray,
    QIODevice,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QImage, QImageReader, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from app.ui.labels import evidence_kind_label, local_time, measure_label
from app.ui.snapshot import EvidenceInfo

Index = QModelIndex | QPersistentModelIndex
THUMB = 128
# Pixmaps kept: several screenfuls of the list (about 20 show at 1920×1080), far fewer than a case holds.
THUMB_CACHE = 96
# Thumbnails decoded per worker call, so the first screenful appears quickly and the worker stays responsive.
THUMB_BATCH = 24


class EvidenceModel(QAbstractListModel):
    """The case's evidence items, with thumbnails decoded on demand (``thumbnailsWanted``)."""

    ItemIdRole = Qt.ItemDataRole.UserRole + 1
    thumbnailsWanted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[EvidenceInfo] = []
        self._rows: dict[str, list[int]] = {}
        self._thumbs: OrderedDict[str, QPixmap] = OrderedDict()
        self._wanted: dict[str, None] = {}  # an ordered set: first painted, first decoded
        self._loading: set[str] = set()
        self._undecodable: set[str] = set()
        self._announce = QTimer(self)
        self._announce.setSingleShot(True)
        self._announce.setInterval(0)
        self._announce.timeout.connect(self.thumbnailsWanted)
        # shown until a thumbnail is decoded (and for items without one), so every cell has the same size from
        # the first paint (the view's uniform item sizes are measured once)
        self._placeholder = QPixmap(THUMB, THUMB * 3 // 4)
        self._placeholder.fill(QColor("#e6e6e6"))
        self._file_icons: dict[str, QPixmap] = {}

    def set_items(self, items: list[EvidenceInfo]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self._rows = {}
        for row, e in enumerate(self._items):
            if e.thumbnail_sha256:
                self._rows.setdefault(e.thumbnail_sha256, []).append(row)
        self._wanted.clear()
        for sha in [s for s in self._thumbs if s not in self._rows]:
            del self._thumbs[sha]
        self.endResetModel()

    def item(self, row: int) -> EvidenceInfo:
        return self._items[row]

    # --- thumbnails
    def missing_thumbnails(self) -> list[str]:
        """Thumbnails the view asked for that are not decoded yet (wanted or being loaded)."""
        return [*self._wanted, *self._loading]

    def thumbnail_count(self) -> int:
        """How many thumbnails are decoded in memory now (at most ``THUMB_CACHE``)."""
        return len(self._thumbs)

    def take_wanted(self, limit: int = THUMB_BATCH) -> list[str]:
        """Up to ``limit`` wanted thumbnails, now marked as loading (the caller must ``add_thumbnails``)."""
        taken = list(self._wanted)[:limit]
        for sha in taken:
            del self._wanted[sha]
            self._loading.add(sha)
        return taken

    def add_thumbnails(self, requested: list[str], images: dict[str, QImage]) -> None:
        """The decoded ``images`` for ``requested``; a requested sha without an image is not asked for again."""
        for sha in requested:
            self._loading.discard(sha)
            image = images.get(sha)
            if image is None or image.isNull():
                self._undecodable.add(sha)
                continue
            self._thumbs[sha] = QPixmap.fromImage(image)
            self._thumbs.move_to_end(sha)
        while len(self._thumbs) > THUMB_CACHE:
            self._thumbs.popitem(last=False)
        rows = sorted(r for sha in requested for r in self._rows.get(sha, []))
        if rows:
            self.dataChanged.emit(self.index(rows[0]), self.index(rows[-1]), [Qt.ItemDataRole.DecorationRole])
        if self._wanted:
            self._announce.start()

    def loading_failed(self, requested: list[str]) -> None:
        """The worker could not load ``requested`` (e.g. the store was locked): they may be asked for again."""
        for sha in requested:
            self._loading.discard(sha)

    def clear_thumbnails(self) -> None:
        self._thumbs.clear()
        self._wanted.clear()
        self._undecodable.clear()

    def _file_icon(self, e: EvidenceInfo) -> QPixmap:
        """For an item without a picture: a card with its file type (PDF, CSV, WAV…), one per type."""
        stream = e.streams[0] if e.streams else {}
        name, media = str(stream.get("name", "")), str(stream.get("media_type", ""))
        if "." in name.strip(".") and len(name.rsplit(".", 1)[1]) <= 5:
            label = name.rsplit(".", 1)[1].upper()  # the file's own extension says most
        else:
            subtype = media.rsplit("/", 1)[-1].split(";", maxsplit=1)[0].split("+", maxsplit=1)[0].upper()
            label = {"PLAIN": "TXT", "X-WAV": "WAV", "MPEG": "MP3"}.get(subtype, subtype)
            label = label if label and len(label) <= 5 else "FILE"
        icon = self._file_icons.get(label)
        if icon is None:
            icon = QPixmap(self._placeholder.size())
            icon.fill(QColor("#f4f1ea"))
            painter = QPainter(icon)
            painter.setPen(QColor("#8a8170"))
            painter.drawRect(icon.rect().adjusted(0, 0, -1, -1))
            font = painter.font()
            font.setBold(True)
            font.setPixelSize(icon.height() // 4)
            painter.setFont(font)
            painter.drawText(icon.rect(), Qt.AlignmentFlag.AlignCenter, label)
            painter.end()
            self._file_icons[label] = icon
        return icon

    def _thumbnail(self, sha: str | None) -> QPixmap:
        if not sha:
            return self._placeholder
        pixmap = self._thumbs.get(sha)
        if pixmap is not None:
            self._thumbs.move_to_end(sha)
            return pixmap
        if sha not in self._loading and sha not in self._undecodable and sha not in self._wanted:
            self._wanted[sha] = None
            self._announce.start()
        return self._placeholder

    # --- the model
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def state_text(self, e: EvidenceInfo) -> str:
        if e.superseded_by:
            return self.tr("corrected")
        if e.provider_state == "signed":
            return self.tr("signed by provider")
        if e.provider_state == "refused":
            return self.tr("refusal recorded")
        return self.tr("awaiting signature or refusal")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        e = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{e.title}\n{self.state_text(e)}"
        if role == self.ItemIdRole:
            return e.id
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbnail(e.thumbnail_sha256) if e.thumbnail_sha256 else self._file_icon(e)
        if role == Qt.ItemDataRole.ForegroundRole and not e.complete:
            return QColor("#b3261e")
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{evidence_kind_label(e.kind)} · {measure_label(e.measure)} · {local_time(e.obtained_at)}"
        return None



class ThumbnailDelegate(QStyledItemDelegate):
    """Paints a row's thumbnail itself: the default delegate wraps it in a ``QIcon``, whose painting keeps a copy of
    every pixmap it draws in Qt's global ``QPixmapCache`` (up to 10 MiB) on top of the model's ``THUMB_CACHE``, so
    scrolling through a large case filled that cache with copies nobody needs."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        opt.icon = QIcon()  # the layout keeps the decoration's size (decorationSize); only the drawing is ours
        widget = opt.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        if isinstance(pixmap, QPixmap) and not pixmap.isNull():
            area = style.subElementRect(QStyle.SubElement.SE_ItemViewItemDecoration, opt, widget)
            size = pixmap.deviceIndependentSize().toSize().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QStyle.alignedRect(opt.direction, Qt.AlignmentFlag.AlignCenter, size, area)  # type: ignore[attr-defined]
            painter.drawPixmap(target, pixmap)


def load_thumbnails(store: Any, shas: list[str]) -> dict[str, QImage]:
    """Decrypt and decode thumbnails in memory (worker thread; QImage is safe off the GUI thread).

    A thumbnail that cannot be read (damaged, or its blob purged after archiving) is left out; ``check`` and the
    verifier are where damage is reported, the list just shows no picture for it."""
    from app.errors import FieldAuditError
    from app.evidence.blobstore import BlobStore

    bs = BlobStore(store)
    out: dict[str, QImage] = {}
    for sha in shas:
        try:
            data = bs.read(sha, max_size=8 << 20)
        except (FieldAuditError, OSError):
            continue
        image = _decode_thumbnail(data)
        if not image.isNull():
            out[sha] = image
    return out


def _decode_thumbnail(data: bytes) -> QImage:
    """A thumbnail at the list's size, decoded at that size (a JPEG's DCT scaling): the stored thumbnail is
    larger, for the viewer, and decoding it whole only to shrink it costs memory and time for every row."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    # thumbnails are JPEG (``app.evidence.media``): naming the format loads only that decoder, where guessing
    # it loads every image plugin Qt has (PDF, SVG, TIFF, WebP and the libraries they link) to ask each
    reader = QImageReader(buffer, QByteArray(b"jpeg"))
    size = reader.size()
    if not size.isValid():  # not a JPEG after all: let Qt find out what it is
        buffer.seek(0)
        reader = QImageReader(buffer)
        size = reader.size()
    if size.isValid() and (size.width() > THUMB or size.height() > THUMB):
        reader.setScaledSize(size.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    buffer.close()
    return image
