"""Evidence page, importing: files, a folder or SD card, the camera. Hashing and encryption run on the store's
worker with progress and cancel; what could not be imported is named a file a line and nothing of it is stored;
what capture noted in the signed items (a doubtful clock, EXIF unread) is shown as signed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel

    from app.ui.steps.base import StepPage as _Page
else:
    _Page = object

MAX_FOLDER_FILES = 2000


class ImportActions(_Page):
    """Mixed into ``EvidencePage`` (its strings keep that page's translation context)."""

    if TYPE_CHECKING:
        import_state: QLabel
        last_import: list[str]

        def _meta(self, name: str) -> Any: ...

    def choose_files(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(self, QCoreApplication.translate("EvidencePage", "Import evidence files"))
        if paths:
            self.import_paths([Path(p) for p in paths])

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, QCoreApplication.translate("EvidencePage", "Import a folder or SD card"))
        if folder:
            self.import_folder(Path(folder))

    def import_folder(self, folder: Path) -> None:
        """Every file of ``folder`` and its subfolders (hidden ones left out). More than ``MAX_FOLDER_FILES`` is
        refused with the count: cutting the list silently left the rest of the card behind, unsaid."""
        files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
        if len(files) > MAX_FOLDER_FILES:
            from app.ui.widgets.errors import UserError, show_error

            show_error(self, UserError(
                f"文件夹“{folder.name}”中有 {len(files)} 个文件，超过一次导入的上限 {MAX_FOLDER_FILES} 个，未导入任何文件。"
                "请分别导入其中的子文件夹。",
                f"The folder '{folder.name}' holds {len(files)} files, more than the {MAX_FOLDER_FILES} one import "
                "takes; nothing was imported. Import its subfolders one at a time."))
            return
        if not files:
            from app.ui.widgets.errors import UserError, show_error

            show_error(self, UserError(f"文件夹“{folder.name}”中没有可导入的文件。",
                                       f"The folder '{folder.name}' holds no file to import."))
            return
        self.import_paths(files)

    def import_paths(self, paths: list[Path]) -> None:
        """Each file becomes one evidence item, signed by both inspectors; progress and cancel in a dialog.

        One file reports its bytes (a 2 GB video); several go through ``capture_batch`` (read, hash, encrypt and
        thumbnail ahead on worker threads), where a file that cannot be imported is named and the rest go on."""
        from app.evidence.capture import CaptureSource, IngestCancelled, capture

        jobs = [(CaptureSource(p.name, path=p), self._meta(p.stem)) for p in paths]
        if len(jobs) == 1:
            self._run_capture(jobs, IngestCancelled, capture)
        elif jobs:
            self._run_batch(jobs)

    def _run_batch(self, jobs: list[tuple[Any, Any]]) -> None:
        case_id = self.case_id

        def work(store: Any, ctx: Any) -> tuple[list[str], list[tuple[str, BaseException]], list[str]]:
            from app.evidence.capture_batch import capture_batch

            results = capture_batch(store, case_id, jobs, progress=ctx.report, cancelled=lambda: ctx.cancelled)
            ids = [r.item_id for r in results if not isinstance(r, BaseException)]
            failed: list[tuple[str, BaseException]] = [
                (str(jobs[i][0].name), r) for i, r in enumerate(results) if isinstance(r, BaseException)]
            notes = [f"{jobs[i][0].name}: {n}" for i, r in enumerate(results) if not isinstance(r, BaseException)
                     for n in r.notes]
            return ids, failed, notes

        def finished(outcome: tuple[list[str], list[tuple[str, BaseException]], list[str]]) -> None:
            ids, failed, notes = outcome
            self.last_import = ids
            text = QCoreApplication.translate("EvidencePage", "%1 item(s) imported and signed by both inspectors.").replace("%1", str(len(ids)))
            text += self._notes_text(notes)
            if failed:
                from app.ui.i18n import pick

                def line(name: str, exc: BaseException) -> str:  # a file a line, named once
                    reason = pick(getattr(exc, "message_zh", str(exc)), getattr(exc, "message_en", str(exc)))
                    return f"· {reason if reason.startswith(name) else f'{name}: {reason}'}"

                names = "\n".join(line(name, exc) for name, exc in failed[:5])
                more = "\n" + QCoreApplication.translate("EvidencePage", " and %1 more").replace("%1", str(len(failed) - 5)) if len(failed) > 5 else ""
                text += "\n" + QCoreApplication.translate("EvidencePage", "Not imported (nothing of these files was stored): %1").replace(
                    "%1", "\n" + names + more)
            self._say(text)
            self.acted.emit("import")

        self._say(QCoreApplication.translate("EvidencePage", "Importing…"))
        self.ws.run_ctx(self, work, finished, busy=QCoreApplication.translate("EvidencePage", "Importing evidence…"), cancellable=True)

    def import_bytes(self, name: str, data: bytes) -> None:
        from app.evidence.capture import CaptureSource, IngestCancelled, capture

        self._run_capture([(CaptureSource(name, data=data), self._meta(Path(name).stem))], IngestCancelled, capture)

    def _run_capture(self, jobs: list[tuple[Any, Any]], cancelled_exc: type[Exception], capture: Any) -> None:
        case_id = self.case_id

        def work(store: Any, ctx: Any) -> tuple[list[str], list[str]]:
            # sized here, not on the GUI thread: a file gone since it was chosen, a link or a device is refused
            # with its reason like any other import failure (raised in a slot it was a crash report)
            total = sum(src.size() for src, _m in jobs) or 1
            done_ids: list[str] = []
            notes: list[str] = []
            base = 0
            for src, meta in jobs:
                def progress(done: int, _total: int, base: int = base, name: str = src.name) -> None:
                    if ctx.cancelled:
                        raise cancelled_exc()
                    ctx.report(base + done, total, name)

                result = capture(store, case_id, [src], meta, progress)
                done_ids.append(result.item_id)
                notes.extend(f"{src.name}: {n}" for n in result.notes)
                base += src.size()
                if ctx.cancelled:
                    break
            return done_ids, notes

        def finished(outcome: tuple[list[str], list[str]]) -> None:
            ids, notes = outcome
            self.last_import = ids
            self._say(QCoreApplication.translate("EvidencePage", "%1 item(s) imported and signed by both inspectors.")
                                      .replace("%1", str(len(ids))) + self._notes_text(notes))
            self.acted.emit("import")

        self._say(QCoreApplication.translate("EvidencePage", "Importing…"))
        self.ws.run_ctx(self, work, finished, busy=QCoreApplication.translate("EvidencePage", "Importing evidence…"), cancellable=True)

    def _say(self, text: str) -> None:
        """What the last import did, under the import buttons; no empty line when there is nothing to say."""
        self.import_state.setText(text)
        self.import_state.setVisible(bool(text))

    def _notes_text(self, notes: list[str]) -> str:
        """What capture wrote into the items' signed notes (kept as a plain file, EXIF unread, a doubtful clock),
        shown where the inspector sees it, as signed (each note is bilingual)."""
        if not notes:
            return ""
        shown = "；".join(notes[:5])
        more = QCoreApplication.translate("EvidencePage", " and %1 more").replace("%1", str(len(notes) - 5)) if len(notes) > 5 else ""
        return "\n" + QCoreApplication.translate("EvidencePage", "Noted in the signed items: %1").replace("%1", shown + more)

    def take_photo(self) -> None:
        from app.ui.steps.camera import CameraDialog

        dialog = CameraDialog(self)
        dialog.captured.connect(lambda data: self.import_bytes("camera.jpg", data))
        dialog.open()
