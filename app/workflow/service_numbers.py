"""Which document a recorded 送达 serves: its 文号, and whether it was served already.

A service is recorded per served document (:func:`app.workflow.printing_data.record_service`), keyed by the
document's own 文号: the number of the issued document in force for the form (a document re-issued before service
has its new number), for a 更正（补正）通知书 the number of one of the correction notices issued (each has its own:
``…〔2026〕17号``, ``…17-2号``), and for a document not issued yet the number it will bear. The inspector need not
type it; a number typed that is not that of the document the app issued is refused, naming the right one (for a
document the app has not issued, e.g. a notice issued on paper by the office, the number typed is kept, and the
送达回证 checks it against the document's number when it is printed, as before).

One service per document: a second service of the same 文号 is refused with the number and when and how it was
served (the rule and its reason: ``record_service``). A service recorded before services were kept per 文号 (a
legacy entry, keyed by form) counts for the document its receipt names: its recorded number, else the form's
number now; a legacy service of a correction notice without a number names no particular notice and blocks none.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.documents.form_registry import FORMS
from app.errors import UserError
from app.models.profile import Store
from app.workflow.steps_base import InvalidInput, get_case

CORRECTION = "correction"


def _document_number(session: Session, store: Store, case_id: str, form: str) -> tuple[str, bool]:
    """The 文号 of the document of ``form`` the party holds, and whether the app issued it: the issued one in
    force, else the one it will bear ('' when the case cannot make it yet, e.g. a form its issuing body does not
    issue)."""
    from app.documents.config import load_agency_config
    from app.documents.context import DocumentError
    from app.documents.form_blocks import doc_number
    from app.workflow.issuing import current_document
    from app.workflow.print_context import build_context

    doc = current_document(session, case_id, form, {"form": form})
    if doc is not None and doc.number:
        return doc.number, True
    cfg = load_agency_config()
    try:
        return doc_number(build_context(session, store, case_id, "service-receipt", cfg), cfg, form), False
    except (DocumentError, UserError):
        return "", False


def _served(session: Session, store: Store, case_id: str) -> list[tuple[str, str, str, str]]:
    """(form, 文号, served at, method) of every service recorded; a legacy entry without a number: the form's
    number now ('' for a correction notice, whose number it never named)."""
    from app.workflow.print_context import served_entries

    out = []
    for e in served_entries(get_case(session, case_id)):
        number = e.number
        if e.legacy and not number and e.service.form != CORRECTION:
            number = _document_number(session, store, case_id, e.service.form)[0]
        out.append((e.service.form, number, e.service.served_at.strftime("%Y-%m-%d %H:%M"), e.service.method))
    return out


def served_number(session: Session, store: Store, case_id: str, form: str, typed: str) -> str:
    """The 文号 of the document a service of ``form`` serves (``typed``: the number the inspector gave, if any);
    refused when it is not that document's, or when that document was served already."""
    from app.workflow.print_context import correction_numbers

    title = FORMS[form].title
    served = _served(session, store, case_id)
    if form == CORRECTION:
        issued = list(correction_numbers(session, case_id))
        if not issued:
            raise InvalidInput("document_form", "本案尚未出具更正（补正）通知书，无从送达。",
                               "No correction notice was issued in this case; there is none to serve.")
        if typed and typed not in issued:
            raise InvalidInput("document_number", f"本案的更正（补正）通知书中没有文号“{typed}”（已出具：{'、'.join(issued)}）。",
                               f"No correction notice of this case is numbered '{typed}' (issued: "
                               f"{', '.join(issued)}).")
        done = {n for f, n, _at, _m in served if f == CORRECTION}
        pending = [n for n in issued if n not in done]
        if not typed and len(pending) > 1:
            raise InvalidInput("document_number", f"有{len(pending)}份更正（补正）通知书尚未送达（{'、'.join(pending)}），"
                               "请填写所送达的那一份的文号。",
                               f"{len(pending)} correction notices are not served yet ({', '.join(pending)}); give the "
                               "number of the one served.")
        number = typed or (pending[0] if pending else issued[-1])
    else:
        expected, issued_here = _document_number(session, store, case_id, form)
        if typed and issued_here and typed != expected:
            raise InvalidInput("document_number", f"文号“{typed}”不是本案《{title}》的文号（应为{expected}）。",
                               f"'{typed}' is not the number of this case's {form} document (it is {expected}).")
        number = typed or expected
    for f, n, at, method in served:
        if f == form and n == number:
            named = f"《{title}》" + (f"（{number}）" if number else "")
            raise ServedAlready(
                f"{named}已于{at}{method}，不再登记第二次送达：每份文书只登记一次生效的送达，陈述申辩、复议等期限自该次"
                "送达起算。送达未成功的（如邮件被退回）不登记为送达，送达成功后登记一次。",
                f"The {form} document{f' ({number})' if number else ''} was served on {at} ({method}); a second "
                "service of the same document is not recorded: each document has one service that took effect, "
                "from which the periods for statement, defence and review run. An attempt that failed (a letter "
                "returned) is not a service and is not recorded as one; the service that succeeds is recorded once.",
                code="service.duplicate")
    return number


class ServedAlready(InvalidInput):
    """A second service of a document already served (``code`` ``service.duplicate``)."""

    def __init__(self, message_zh: str, message_en: str, *, code: str) -> None:
        super().__init__("document_number", message_zh, message_en, code=code)
