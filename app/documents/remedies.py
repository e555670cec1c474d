"""The party's rights and remedies as the forms print them, with the bodies named from the agency file.

* 陈述、申辩 before a decision (条例 Art. 31; 行政处罚法 Art. 44–45; for the 经办机构's agreement handling
  条例 Art. 13 para. 1), addressed to the body that issued the form.
* 听证 where a penalty reaches the province's 较大数额 (the agency file's ``hearing_threshold_fen``) or suspends
  services (行政处罚法 Art. 63), requested within 5 days of the notice (Art. 64(一)); the hearing is notified 7
  days ahead (Art. 64(二)).
* 行政复议 within 60 days (行政复议法 Art. 20) to the body's review body, or 行政诉讼 within 6 months
  (行政诉讼法 Art. 46) before its court (条例 Art. 31; for the 经办机构 条例 Art. 13 para. 2).
"""

from __future__ import annotations

from app.citations import FUND_13_2, FUND_31, LIT_46, PEN_64, REC_20, join_citations
from app.documents.config import AgencyConfig, Body

REVIEW_DAYS = 60  # 行政复议法 Art. 20
LITIGATION_MONTHS = 6  # 行政诉讼法 Art. 46
HEARING_REQUEST_DAYS = 5  # 行政处罚法 Art. 64(一)
HEARING_NOTICE_DAYS = 7  # 行政处罚法 Art. 64(二)


def review_route(body: Body, document: str) -> str:
    """行政复议 / 行政诉讼 sentence for a decision of ``body`` (``document``: 本决定书, 本通知书 …)."""
    basis = FUND_31 if body.key == "department" else FUND_13_2
    return (
        f"如不服{document}，可以自收到{document}之日起六十日内向{body.review_body}申请行政复议，"
        f"或者自收到{document}之日起六个月内向{body.court}提起行政诉讼"
        f"（{join_citations((basis, REC_20, LIT_46))}）。"
    )


def objection_route(body: Body, days: int) -> str:
    """Objection to a 稽核结果告知书: to the body that issued it, then 复议 / 诉讼."""
    c = body.contact
    where = f"（地址：{c.address}）" if c.address else ""
    return (
        f"如对本稽核结果有异议，可以自收到本告知书之日起{days}日内向{body.name}{where}书面提出，"
        "并提供相关证明材料；逾期未提出的，视为无异议。"
    )


def defence_right(body: Body, working_days: int, you: str = "你单位") -> str:
    """陈述、申辩 to the issuing body within the deadline (001 Art. 22: 5 working days); ``you`` is how the form
    addresses the party (``Party.you``)."""
    return (
        f"{you}有权进行陈述和申辩。{you}可以自收到本告知书之日起{working_days}个工作日内，向{body.name}"
        "提出书面陈述、申辩意见，并提供相关证据材料；也可以到本机关口头陈述、申辩，由本机关制作笔录。"
        f"逾期未提出的，视为放弃陈述和申辩的权利。本机关不因{you}陈述、申辩而给予更重的处罚。"
    )


def hearing_applies(cfg: AgencyConfig, fine_fen: int, suspends_services: bool) -> bool:
    """行政处罚法 Art. 63: a large fine (at or above the province's threshold) or a suspension."""
    return suspends_services or fine_fen >= cfg.hearing_threshold_fen


def hearing_right(body: Body, you: str = "你单位") -> str:
    return (
        f"根据{join_citations((PEN_64,))}等规定，{you}有要求举行听证的权利。要求听证的，"
        f"应当自收到本告知书之日起五日内向{body.name}提出；本机关将在举行听证的七日前通知听证的时间、地点。"
        "逾期未提出的，视为放弃听证权利。"
    )
