"""What the printed forms need and no procedure step records yet: the notice's time and materials, the
proposed handling and rectification, and the 送达 (service) of a document.

Each setter follows the step pattern (steps_base): the actor is assigned and unlocked, the details go into
``Case.data['documents']`` and a journal event signed by the actor records them. They stay possible after
closing (like printing, they add facts and change nothing recorded on site).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.models.profile import Store, utc_now
from app.models.validators import hidden_in
from app.workflow.steps_base import (
    InvalidInput,
    case_data,
    event,
    get_case,
    require_actor,
    require_not_future,
    require_text,
    require_visible,
    save_data,
    section,
)
from app.workflow.thresholds import InvalidAmount, check_amount_fen

DOCUMENTS = "documents"
SERVICE_METHODS = ("直接送达", "留置送达", "邮寄送达", "电子送达")
SERVICE_VERSION = 2  # a service entry kept per served document (文号): app.workflow.print_context.served_entries


def document_details(session: Session, case_id: str) -> dict[str, Any]:
    """``Case.data['documents']``: {'notice': {...}, 'outcome': {...}, 'service': [{...}, ...]}."""
    return dict(section(case_data(get_case(session, case_id)), DOCUMENTS))


def _visible(value: Any) -> None:
    """Every text a form prints from these details shows as it is stored (no reordering or invisible character);
    a refusal names the detail (``materials`` for ``materials.0``)."""
    found = hidden_in(value)
    if found is not None:
        where, text, _char = found
        require_visible(text, where.split(".")[0])


def _save(session: Session, store: Store, case_id: str, actor_id: str, key: str, value: Any, type_: str) -> None:
    _visible(value)
    case = get_case(session, case_id)
    require_actor(session, store, case, actor_id)
    data = case_data(case)
    docs = section(data, DOCUMENTS)
    if key == "service":
        docs.setdefault("service", []).append(value)
    else:
        docs[key] = value
    save_data(case, data)
    event(session, store, case, actor_id, type_, {key: value})


def set_notice_details(session: Session, store: Store, case_id: str, actor_id: str, *, audit_time: str,
                       materials: Sequence[str], place: str = "") -> None:
    """The 稽核通知书's hour (HH:MM on the planned day) and the materials the party is to prepare."""
    try:
        hh, mm = (int(x) for x in audit_time.split(":"))
        if not (0 <= hh < 24 and 0 <= mm < 60):
            raise ValueError
    except ValueError:
        raise InvalidInput("audit_time", f"时间“{audit_time}”无效，应为HH:MM。",
                           f"Invalid time '{audit_time}': expected HH:MM.") from None
    items = [m.strip() for m in materials if m.strip()]
    if not items:
        raise InvalidInput("materials", "请列出需被稽核单位准备的材料。", "List the materials the party is to prepare.")
    _save(session, store, case_id, actor_id, "notice",
          {"audit_time": f"{hh:02d}:{mm:02d}", "materials": items, "place": place.strip(), "recorded": utc_now()},
          "documents.notice_details")


def set_outcome_details(session: Session, store: Store, case_id: str, actor_id: str, *, handling: str,
                        rectification: Sequence[str] = (), rectification_deadline: date | None = None,
                        consequence: str = "", hearing_applies: bool = False, penalty: str = "",
                        fine_fen: int = 0, suspends_services: bool = False) -> None:
    """The proposed or decided handling and what the party is to correct by when (责令改正, 告知书); for the
    department's 行政处罚事先告知书 the proposed penalty's kind and fine (行政处罚法 Art. 44)."""
    text = require_text(handling, "handling", "处理意见", "handling")
    try:
        check_amount_fen(fine_fen)
    except InvalidAmount as exc:
        raise InvalidInput("fine_fen", f"罚款金额：{exc.message_zh}", f"The fine: {exc.message_en}") from None
    if fine_fen and not penalty.strip():
        raise InvalidInput("penalty", "请写明拟作出的处罚种类。", "Name the kind of the proposed penalty.")
    items = [r.strip() for r in rectification if r.strip()]
    if items and rectification_deadline is None:
        raise InvalidInput("rectification_deadline", "责令改正须写明改正期限。", "A rectification needs a deadline.")
    _save(session, store, case_id, actor_id, "outcome",
          {"handling": text, "rectification": items,
           "rectification_deadline": rectification_deadline.isoformat() if rectification_deadline else "",
           "consequence": consequence.strip(), "hearing_applies": hearing_applies, "penalty": penalty.strip(),
           "fine_fen": fine_fen, "suspends_services": suspends_services, "recorded": utc_now()},
          "documents.outcome_details")


def record_service(session: Session, store: Store, case_id: str, actor_id: str, *, document_form: str,
                   document_number: str, recipient: str, place: str, method: str, served_at: datetime,
                   servers: Sequence[str], refusal_reason: str = "", witness: str = "",
                   photos: Sequence[str] = (), received_by: str = "", consent: str = "",
                   address: str = "", today: date | None = None) -> None:
    """送达 of one document: one 送达回证 per served document, showing that document's own title and 文号.

    The entry is kept per served document, by its 文号 (``"v": 2``; :func:`app.workflow.print_context.
    served_entries`), so two documents of one form (two 更正（补正）通知书, a document re-issued before service)
    each keep their own 送达回证. The 文号 is the served document's own, never typed again: ``document_number``
    may be left empty and is then taken from the issued document (for a correction notice: the one not served
    yet; with several unserved, the number must be named); a number that is not that of the document issued is
    refused (:mod:`app.workflow.service_numbers`).

    **One service per document.** A second service of the same 文号 is refused, naming the number and when and how
    it was served: the service recorded is the one that took effect (陈述申辩、复议 and the other periods run from
    it, 行政处罚法 Art. 61), and two dates for one document would leave the period in doubt for the 法制审核. An
    attempt that failed (a letter returned, an e-mail that bounced) is not a service and is not recorded as one;
    the service that then succeeds is recorded once.

    电子送达 needs the party's recorded consent and its 送达地址确认书 (行政处罚法 Art. 61 para. 2): ``consent``
    names the signed confirmation, ``address`` the confirmed address. Not served after ``today`` (the laptop's
    date): what has not happened cannot be recorded as done."""
    from app.documents.form_table import FORM_NAMES as FORMS

    if document_form not in FORMS:
        raise InvalidInput("document_form", f"未知的文书：{document_form}。", f"Unknown form: {document_form}.")
    if method not in SERVICE_METHODS:
        raise InvalidInput("method", "送达方式应为直接送达、留置送达、邮寄送达或电子送达。",
                           "The method is direct, left at the premises, post or electronic.")
    names = [s.strip() for s in servers if s.strip()]
    if not names:
        raise InvalidInput("servers", "请填写送达人。", "Name who served the document.")
    require_not_future(served_at.date(), today or date.today(), "served_at", "送达时间", "time of service")
    if method == "留置送达" and not (refusal_reason.strip() and witness.strip()):
        raise InvalidInput("witness", "留置送达须注明拒收事由和见证人（民事诉讼法第八十九条）。",
                           "Leaving a document needs the refusal reason and a witness.")
    if method == "电子送达" and not (consent.strip() and address.strip()):
        raise InvalidInput("consent", "电子送达须经受送达人同意并签订送达地址确认书（行政处罚法第六十一条第二款）。",
                           "Electronic service needs the party's consent and a signed service-address "
                           "confirmation (Administrative Penalty Law Art. 61 para. 2).")
    entry = {"form": document_form, "recipient": require_text(recipient, "recipient", "受送达人", "recipient"),
             "place": require_text(place, "place", "送达地点", "place")}  # the typed text refused first
    from app.workflow.service_numbers import served_number

    number = served_number(session, store, case_id, document_form, document_number.strip())
    _save(session, store, case_id, actor_id, "service",
          {"v": SERVICE_VERSION, **entry, "number": number, "received_by": received_by.strip(),
           "consent": consent.strip(), "address": address.strip(), "method": method,
           "served_at": served_at.isoformat(timespec="minutes"), "servers": names,
           "refusal_reason": refusal_reason.strip(), "witness": witness.strip(), "photos": list(photos),
           "recorded": utc_now()},
          "document.served")
