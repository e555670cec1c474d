"""Fills the demo audit with one item of every evidence type, an interview, an on-site record, a provider's
signature, a refusal and a correction. All of it is invented."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from app.evidence.capture import CaptureMeta, CaptureSource, Provider, capture
from app.evidence.provider import Signer, record_refusal, record_signature
from app.evidence.records import CLOSING_STATEMENT
from app.models.profile import Store
from app.workflow import demo_files as files
from app.workflow import procedure, steps
from app.workflow.steps_findings import Responsible, acknowledge_flags, add_finding
from app.workflow.steps_measures import MeasureItem, register_preservation, seal

PROVIDER = Provider("孙演示", "医保办主任", "", "")
SIGNER = Signer("孙演示", "证据提供者（医保办主任）")


@dataclass
class DemoEvidence:
    items: dict[str, str] = field(default_factory=dict)  # label -> item id
    records: dict[str, str] = field(default_factory=dict)


def _sign(store: Store, case_id: str, target: str, seed: int, page: int | None = None, statement: str = "",
          signer: Signer = SIGNER) -> None:
    strokes = files.signature_strokes(seed)
    record_signature(store, case_id, target, signer, strokes,
                     files.signature_png(strokes), page=page, statement=statement,
                     purpose="证据确认" if page is None else "笔录确认")


def _sign_page(store: Store, case_id: str, record_id: str, actor: str, seed: int, page: int, statement: str = "",
               signer: Signer = SIGNER) -> None:
    """The party signs one page of a record's document as read back (the document is issued first)."""
    from app.workflow.issuing import read_back, sign_record_page

    with store.session() as s:
        shown = read_back(s, store, case_id, record_id).sha256[page - 1]
    strokes = files.signature_strokes(seed)
    sign_record_page(store, case_id, record_id, actor, page, shown, signer, strokes, files.signature_png(strokes),
                     purpose="笔录确认", statement=statement)


def populate(store: Store, case_id: str, place: str, actor: str | None = None,
             audit_day: date | None = None) -> DemoEvidence:
    """Items captured during the visit (09:30–11:30), the on-site record of that visit, then the interview
    after it (11:40–12:15): no inspector in two sessions at once, every time after the notice's visit time."""
    from app.workflow.issuing import sign_record_and_issue

    out = DemoEvidence()
    actor = actor or store.unlocked_inspectors()[0]
    day = (audit_day or date(2026, 11, 23)).isoformat()
    signed_at = datetime.combine(audit_day or date(2026, 11, 23), time(23, 59))  # the demo is built as of its day's end

    def add(label: str, sources: list[CaptureSource], meta: CaptureMeta, *, refuse: str = "", seed: int = 0) -> str:
        result = capture(store, case_id, sources, meta)
        out.items[label] = result.item_id
        if refuse:
            record_refusal(store, case_id, result.item_id, refuse,
                           witness=Signer("周见证", "见证人（医院保卫科）"))
        else:
            _sign(store, case_id, result.item_id, seed)
        return result.item_id

    add("ward-photo-1", [CaptureSource("IMG_0001.jpg", data=files.photo("ward 3 bed 12 empty", (90, 110, 140)))],
        CaptureMeta("documentary", "record_media", "住院三病区 12 床空床照片", source="住院三病区现场拍摄",
                    provider=PROVIDER, place=place, original=True, quantity="1 张"), seed=1)
    add("ward-photo-2", [CaptureSource("IMG_0002.jpg", data=files.photo("bed card", (120, 90, 80)))],
        CaptureMeta("documentary", "record_media", "床头卡照片", source="住院三病区现场拍摄", provider=PROVIDER,
                    place=place, quantity="1 张"), seed=2)
    add("cost-list", [CaptureSource("scan-p1.jpg", data=files.photo("cost list p1", (230, 230, 230))),
                      CaptureSource("scan-p2.jpg", data=files.photo("cost list p2", (225, 225, 225)))],
        CaptureMeta("documentary", "request_material", "住院费用清单（复印件，2 页）", source="医院医保办提供",
                    provider=PROVIDER, place=place, original=False, quantity="2 页"), seed=3)
    add("his-export", [CaptureSource("his_settlement_2025.csv", data=files.csv_export())],
        CaptureMeta("electronic", "request_material", "HIS 住院结算数据导出", source="医院信息科",
                    source_system="医院 HIS 系统 v5（演示）", extraction_method="信息科工作人员在稽核人员监督下导出 CSV，当场计算哈希",
                    provider=PROVIDER, place="医院信息科机房", original=True, quantity="1 个文件"), seed=4)
    add("interview-audio", [CaptureSource("REC_0001.wav", data=files.wav_clip())],
        CaptureMeta("audiovisual", "record_media", "询问过程录音", source="执法记录仪", provider=PROVIDER,
                    place=place), seed=5)
    add("physical", [CaptureSource("IMG_0003.jpg", data=files.photo("drug box", (60, 130, 60)))],
        CaptureMeta("physical", "onsite_inspection", "药品包装盒（追溯码重复）", source="药房库存",
                    description="某药品包装盒 2 个，追溯码相同", provider=PROVIDER, place="医院门诊药房",
                    quantity="2 个"), seed=6)
    add("witness", [CaptureSource("witness.txt", data=files.text_document("证人证言：当日 3 病区 12 床无患者在床。"))],
        CaptureMeta("witness", "inquiry", "护士证人证言", source="住院三病区护士站", provider=Provider("吴演示", "护士"),
                    place=place), seed=7)
    add("party-statement", [CaptureSource("statement.txt", data=files.text_document("当事人陈述：患者请假回家。"))],
        CaptureMeta("party_statement", "inquiry", "医院医保办的陈述", source="医院医保办", provider=PROVIDER,
                    place=place), refuse="医院医保办负责人表示需请示院长，拒绝在陈述材料上签字")
    add("expert", [CaptureSource("opinion.txt", data=files.text_document("鉴定意见：病历记载与护理记录不符。"))],
        CaptureMeta("expert_opinion", "third_party", "病历审核专家意见", source="第三方病历审核专家",
                    provider=Provider("郑专家", "特邀专家"), place="稽核中心"), seed=8)
    add("onsite-photo", [CaptureSource("IMG_0004.jpg", data=files.photo("nurse station", (140, 140, 90)))],
        CaptureMeta("inspection_record", "onsite_inspection", "现场检查照片（护士站在院名单）",
                    source="住院三病区护士站", provider=PROVIDER, place=place), seed=9)
    # A correction: the first photo's place was entered wrongly; the earlier item stays and stays verifiable.
    corrected = capture(store, case_id, [CaptureSource("IMG_0001.jpg", data=files.photo("ward 3 bed 12 empty", (90, 110, 140)))],
                        CaptureMeta("documentary", "record_media", "住院三病区 12 床空床照片（更正拍摄地点）",
                                    source="住院三病区现场拍摄", provider=PROVIDER, place=place + " 住院楼 3 楼"),
                        supersedes=(out.items["ward-photo-1"], "拍摄地点记录有误，更正为住院楼 3 楼"))
    out.items["ward-photo-1-corrected"] = corrected.item_id
    _sign(store, case_id, corrected.item_id, 10)

    interview = sign_record_and_issue(store, case_id, "interview", {
        "sequence": 1, "start": f"{day}T11:40", "end": f"{day}T12:15", "place": place + " 医保办会议室",
        "interviewee": {"name": "钱演示", "sex": "女", "age": 41,
                        "id_number": _demo_id_number("19850304", "420102", "246"),
                        "employer": "某市虚构第一人民医院",
                        "post": "住院三病区护士长", "address": "某市某区", "phone": "13800000000",
                        "relation": "被稽核单位工作人员"},
        "opening": "我们是某市医疗保障基金稽核中心的稽核人员，这是我们的执法证件。请你如实回答问题，你有申请回避的权利。",
        "qa": [{"q": "你是否申请稽核人员回避？", "a": "不申请。"},
               {"q": "今天上午 9 时 40 分 12 床患者是否在院？", "a": "不在，患者请假回家了。"},
               {"q": "请假有无书面手续？", "a": "没有书面手续。"}],
        "closing_statement": CLOSING_STATEMENT, "corrections": [],
    }, actor, now=signed_at)
    out.records["interview"] = interview
    _sign_page(store, case_id, interview, actor, 11, 1, statement=CLOSING_STATEMENT, signer=Signer("钱演示", "被询问人"))
    onsite = sign_record_and_issue(store, case_id, "onsite", {
        "start": f"{day}T09:30", "end": f"{day}T11:30", "place": place,
        "present": [{"name": "孙演示", "post": "医保办主任"}],
        "credentials_shown": True, "rights_told": "已告知申请回避、配合检查、陈述申辩的权利和义务", "answer": "清楚，不申请回避",
        "findings_text": "检查住院三病区：在院名单 32 人，实到 29 人；12 床无患者，床头卡在位，护理记录当日 8 时有记录。",
        "attachments": sorted(out.items.values()),
    }, actor, now=signed_at)
    out.records["onsite"] = onsite
    _sign_page(store, case_id, onsite, actor, 12, 1, signer=Signer("孙演示", "被检查单位负责人（医保办主任）"))
    return out


def _demo_id_number(birth: str = "19800101", region: str = "420102", seq: str = "123") -> str:
    from app.models.validators import resident_id_check_char

    first17 = region + birth + seq
    return first17 + resident_id_check_char(first17)


def run_procedure(store: Store, case_id: str, a: str, b: str, place: str, audit_day: date) -> DemoEvidence:
    """Walk the demo audit through every step of the procedure (without printing and closing)."""
    from app.workflow.printing_data import record_service, set_notice_details, set_outcome_details

    with store.transaction() as s:
        set_notice_details(s, store, case_id, a, audit_time="09:30",
                           materials=["2025 年度住院结算明细", "住院病历及护理记录", "药品进销存台账", "医保协议"])
        steps.record_notice(s, store, case_id, a, audit_date=audit_day, served_on=audit_day - timedelta(days=5))
        steps.record_credentials_shown(s, store, case_id, a, statement="出示执法证，说明稽核内容和要求")
        steps.record_credentials_shown(s, store, case_id, b, statement="出示执法证")
        steps.identify_representative(s, store, case_id, a, name="孙演示", post="医保办主任",
                                      id_number=_demo_id_number(), phone="13800000000", today=audit_day)
        steps.record_rights_told(s, store, case_id, a, answer="清楚，不申请回避，会配合检查。")
        procedure.complete_step(s, store, case_id, a, "arrival")
        steps.declare_recusal(s, store, case_id, a, related=False)
        steps.declare_recusal(s, store, case_id, b, related=False)
        procedure.complete_step(s, store, case_id, a, "recusal")
    evidence = populate(store, case_id, place, a, audit_day)
    with store.transaction() as s:
        entries = steps.checklist_entries(s, case_id)
        for n, entry in enumerate(entries):
            if n == 0:
                steps.set_checklist_finding(s, store, case_id, a, entry["id"], finding="noncompliant",
                                            note="住院三病区 12 床挂床，护理记录与实际不符",
                                            evidence_ids=[evidence.items["ward-photo-1-corrected"],
                                                          evidence.items["ward-photo-2"]])
            else:
                steps.set_checklist_finding(s, store, case_id, a, entry["id"], finding="compliant" if n % 3 else "na")
        procedure.complete_step(s, store, case_id, a, "checklist")
        procedure.complete_step(s, store, case_id, a, "evidence")
        procedure.complete_step(s, store, case_id, a, "records")
        register_preservation(s, store, case_id, a, items=[MeasureItem("住院病历", "ZY100012", "1 册", "原件")],
                              approved_by="局长 刘演示", approved_on=audit_day, start_date=audit_day,
                              storage_place="医院病案室（加贴封条）", reason="病历可能被涂改")
        seal(s, store, case_id, a, items=[MeasureItem("2025 年 3 月处方底方", "", "120 张", "原件")],
             approved_by="局长 刘演示", approved_on=audit_day, start_date=audit_day,
             reason="处方底方可能被转移", storage_place="医院药剂科档案柜", taken_at="11:10",
             present="孙演示（医保办主任）", party_statement="对封存无异议。")
        record_service(s, store, case_id, a, document_form="sealing", document_number="",
                       recipient="某市虚构第一人民医院", received_by="孙演示（医保办主任）", place=place,
                       method="直接送达",
                       served_at=datetime.combine(audit_day, time(11, 20)), servers=["王建国", "李晓梅"])
        procedure.complete_step(s, store, case_id, a, "measures")
        add_finding(s, store, case_id, a, violation_code="ghost_bed", description="住院三病区挂床住院 3 人次，虚记护理费、床位费",
                    amount_fen=12_345_600, responsible=[Responsible("钱演示", "nurse", "住院三病区"),
                                                        Responsible("冯演示", "doctor", "住院三病区")],
                    evidence_ids=[evidence.items["ward-photo-1-corrected"], evidence.items["his-export"]])
        add_finding(s, store, case_id, a, violation_code="drug_resale", description="同一药品追溯码重复结算 2 次",
                    amount_fen=456_000, responsible=[Responsible("褚演示", "pharmacist", "门诊药房")],
                    evidence_ids=[evidence.items["physical"]])
        acknowledge_flags(s, store, case_id, b)
        procedure.complete_step(s, store, case_id, a, "findings")
        set_outcome_details(s, store, case_id, a, handling="责令退回医疗保障基金，责令限期改正，并处罚款",
                            penalty="罚款", fine_fen=12_801_600,
                            rectification=["规范住院患者管理，杜绝挂床住院", "建立药品追溯码核验制度"],
                            rectification_deadline=audit_day + timedelta(days=30),
                            consequence="逾期不改正的，依协议暂停医保结算")
    return evidence


def print_and_close(store: Store, case_id: str, a: str, b: str) -> None:
    """Print what must be handed over (kept only inside the store) and close with both inspectors."""
    import io

    from app.workflow.printing import print_case
    from app.workflow.steps_closing import close_case, required_forms

    with store.session() as s:
        forms = required_forms(s, case_id)
    for form in [*forms, "notice"]:
        print_case(store, case_id, form, io.BytesIO(), a)
    with store.transaction() as s:
        close_case(s, store, case_id, [a, b])
