"""A realistic, fictitious case to print every form with: for the sample PDFs, the benchmark and the tests.

Names, numbers and facts are invented. Sizes are parameters so tests can stress the layout (a 30-question
interview, a 60-item evidence list, a long on-site record).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from app.documents.context import (
    QA,
    CaseInfo,
    Correction,
    Decision,
    DocumentContext,
    EvidenceItem,
    Finding,
    HeldItem,
    Holding,
    Inspector,
    Interview,
    NoticeInfo,
    OnsiteRecord,
    Outcome,
    Party,
    Person,
    Service,
    SignatureMark,
)

PARTY_NAME = "某市某某区人民医院（某某医疗集团有限责任公司第二附属综合医院）"
CASE_ID = "0193a7c2-5b1e-7cc0-9f3a-2d4e5f607182"
CHECKPOINT = "42-3F9A-07C1-DD25-B816"
# What the sample records hold as recorded (a record prints only what was recorded).
SAMPLE_INTERVIEW_OPENING = (
    "我们是某市医疗保障基金稽核中心的稽核人员欧阳明轩、司马晓燕，这是我们的执法证件（出示证件）。现依法就有关问题"
    "向你进行询问调查，你应当如实回答，对与本案无关的问题有拒绝回答的权利；如认为询问人员与本案有直接利害关系或者"
    "其他关系可能影响公正的，有权申请回避。你是否申请回避？"
)
SAMPLE_ONSITE_OPENING = (
    "我们是某市医疗保障基金稽核中心的稽核人员欧阳明轩、司马晓燕，这是我们的执法证件（出示证件）。现依法进行现场检查，"
    "请予配合。你是否看清楚我们的执法证件？"
)

_QUESTIONS = (
    (
        "请介绍一下你的工作职责。",
        "我是医院医保办主任，负责医保政策落实、医保结算审核和与医保经办机构的对接工作，已在该岗位工作六年。",
    ),
    ("你院住院部现有多少张实际开放床位？", "核定床位四百张，实际开放三百八十二张，其中骨科病区四十二张。"),
    ("今天上午九时三十分检查时，骨科病区在院患者名单上有多少人？", "系统显示在院三十九人。"),
    (
        "检查人员现场清点在床患者为多少人？",
        "现场清点在床二十六人，另有五人外出检查，八人不在病区，也说不清去向。",
    ),
    (
        "这八名不在病区的患者，是否办理了请假手续？",
        "我了解到没有书面请假记录，护士说有的患者晚上回家住，白天来输液。",
    ),
    (
        "患者晚上回家、白天来输液的情况，你院是否知情？",
        "科室应该知道，医保办之前没有掌握这个情况，这是我们管理上的疏漏。",
    ),
)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _qa(count: int) -> tuple[QA, ...]:
    out: list[QA] = []
    for k in range(count):
        q, a = _QUESTIONS[k % len(_QUESTIONS)]
        if k >= len(_QUESTIONS):
            q = f"（第{k + 1}问）{q}"
            a = a + "以上情况我再补充一点：相关的护理记录、体温单和床头卡都可以调取核对，我们会积极配合。"
        out.append(QA(q, a))
    return tuple(out)


def _findings_text(paragraphs: int) -> str:
    base = (
        "2026年11月23日09时30分，稽核人员在该院医保办主任张某某陪同下进入住院部骨科病区（住院楼六层），"
        "调取了当时的在院患者名单（系统显示在院39人），逐床核对床头卡、患者本人及其医保凭证。"
        "现场在床26人，外出检查5人（有检查申请单可查），另有8名患者不在病区，床头卡在位，床铺整洁，无个人物品，"
        "其中3张床位的体温单最近三日记录笔迹、数值完全相同。稽核人员对空床及床头卡拍照（照片编号P001—P018），"
        "并复制了上述8名患者的住院病历首页、长期医嘱单、护理记录和费用明细清单（共计216页，经被检查单位核对盖章）。"
    )
    extra = (
        "稽核人员随后到护士站调取护理交班本，交班本记载的夜间在床人数与系统在院人数不一致，"
        "当班护士王某某称部分患者“晚上回家住，白天回来输液”，并在现场询问中予以确认。"
        "检查过程中，被检查单位提供了网络和场地，未影响医院正常诊疗秩序。"
    )
    return "\n".join([base] + [extra] * (paragraphs - 1))


def sample_context(
    *,
    interview_questions: int = 12,
    evidence_items: int = 8,
    onsite_paragraphs: int = 3,
    held_items: int = 6,
    track: str = "department",
) -> DocumentContext:
    """The sample case; ``track`` "agency" makes it a 稽核中心 audit under the agreement (no coercive measures,
    its 稽核结果告知书 instead of 责令改正 and 行政处罚事先告知书)."""
    org = "某市医疗保障局" if track == "department" else "某市医疗保障基金稽核中心"
    insp = (
        Inspector("欧阳明轩", "医保执法（2026）第0000123号", org),
        Inspector("司马晓燕", "医保执法（2026）第0000456号", org),
    )
    case = CaseInfo(
        case_id=CASE_ID,
        year=2026,
        seq=17,
        kind="专项稽核",
        form="实地稽核",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2026, 9, 30),
        matters=("医保服务协议履行情况", "住院费用结算和收费项目标准执行情况", "挂床住院、分解住院等问题"),
        scope="住院部骨科、康复医学科、心血管内科病区的住院结算费用，以及相应的药品、医用耗材进销存记录",
        track=track,
    )
    party = Party(
        name=PARTY_NAME,
        address="某省某市某某区某某大道东段一千二百三十四号（某某医疗健康产业园区）住院综合楼",
        credit_code="12345678MB0123456X",
        representative="诸葛长青",
        representative_title="法定代表人",
        phone="0000-87654321",
        kind="定点医疗机构",
    )
    head = Person(
        "张某某",
        "医保办主任",
        "110101198001011234",
        "13800000001",
        "男",
        45,
        PARTY_NAME,
        "某市某区某路1号",
        "被检查单位医保办负责人",
    )
    present = (
        head,
        Person("王某某", "骨科病区护士长", "110101198502022345", "13800000002", "女", 40),
        Person("李某某", "信息科工程师", "110101199003033456", "13800000003", "男", 35),
    )
    sig_refused = SignatureMark(
        "证据提供人",
        "张某某",
        refusal_reason="称需请示院领导后再签字，稽核人员已当场告知其义务",
        witness="刘某某（某某街道办事处工作人员）",
    )
    interviews = (
        Interview(
            number=1,
            start=dt.datetime(2026, 11, 23, 14, 0),
            end=dt.datetime(2026, 11, 23, 16, 25),
            place="某市某某区人民医院行政楼三楼会议室",
            interviewers=insp,
            recorder="司马晓燕",
            interviewee=head,
            qa=_qa(interview_questions),
            opening=SAMPLE_INTERVIEW_OPENING,
            recusal_answer="不申请回避。",
        ),
    )
    evidence = tuple(
        EvidenceItem(
            seq=k,
            name=f"骨科病区第{k}床住院病历首页及长期医嘱单（复印件，经核对盖章）"
            if k % 3
            else f"现场照片：空床及床头卡（P{k:03d}）",
            kind="书证" if k % 3 else "视听资料",
            source="被检查单位病案室" if k % 3 else "稽核人员现场拍摄",
            provider="张某某" if k % 3 else "",
            original=k % 3 == 0,
            quantity=f"{k % 7 + 2}页" if k % 3 else "1张",
            obtained_at=dt.datetime(2026, 11, 23, 10, k % 60),
            obtained_place="住院部骨科病区护士站",
            sha256=_sha(f"evidence-{k}"),
            measure="复制" if k % 3 else "照相",
        )
        for k in range(1, evidence_items + 1)
    )
    held = tuple(
        HeldItem(
            k, f"2026年{(k - 1) % 12 + 1}月住院患者护理记录本", f"HL-2026-{k:03d}", "1本", "完好", "原件"
        )
        for k in range(1, held_items + 1)
    )
    outcome = Outcome(
        findings=(
            Finding(
                "2025年1月至2026年9月，骨科病区存在挂床住院行为，涉及患者8人次，违规结算住院费用",
                "",
                10_000_050,
                "ghost_bed",
            ),
            Finding("超标准收取护理费、床位费", "", 100_500, "overcharging"),
            Finding("将不属于医保基金支付范围的医用耗材串换为可支付项目结算", "", 2_345_678, "substitution"),
        ),
        handling="追回违规结算的医保基金，按照服务协议约定支付违约金，并约谈医院主要负责人。",
        rectification=(
            "建立住院患者在床核查制度，每日核对在院名单与在床情况，杜绝挂床住院",
            "对照医疗服务价格目录全面自查收费项目，清退超标准收费",
            "完善医用耗材进销存管理，确保结算耗材与实际使用一致",
        ),
        rectification_deadline=dt.date(2026, 12, 31),
        consequence="逾期不改正的，本机关将依照医疗保障服务协议的约定暂停相关科室医保结算，并依法依规作进一步处理。",
        penalty="罚款",
        fine_fen=12_446_228,
    )
    sealing_served = Service(
        document_title="",
        document_number="",
        recipient=PARTY_NAME,
        place="某市某某区人民医院住院综合楼六层骨科病区护士站",
        method="直接送达",
        served_at=dt.datetime(2026, 11, 23, 11, 50),
        servers=("欧阳明轩", "司马晓燕"),
        form="sealing",
        received_by="张某某（医保办主任）",
    )
    service = Service(
        document_title="",
        document_number="",
        form="defence-notice" if track == "department" else "result-notice",
        recipient=PARTY_NAME,
        place="某市某某区人民医院行政楼一楼收发室",
        method="留置送达",
        served_at=dt.datetime(2026, 12, 1, 10, 15),
        servers=("欧阳明轩", "司马晓燕"),
        refusal_reason="受送达人以“需请示院领导”为由拒绝签收",
        witness="刘某某（某某街道办事处工作人员）",
        photos=("P101", "P102"),
    )
    return DocumentContext(
        case=case,
        party=party,
        inspectors=insp,
        issued_on=dt.date(2026, 11, 20),
        checkpoint=CHECKPOINT,
        recorder="司马晓燕",
        notice=NoticeInfo(
            audit_at=dt.datetime(2026, 11, 23, 9, 30),
            materials=(
                "医疗机构执业许可证、医保服务协议及有关管理制度",
                "2025年1月至2026年9月住院患者名单、住院病历、医嘱单、护理记录和费用明细清单",
                "药品、医用耗材的采购发票、随货同行单和进销存台账",
                "医疗服务价格公示资料和收费项目明细",
            ),
            place="被稽核单位住院综合楼",
        ),
        onsite=OnsiteRecord(
            start=dt.datetime(2026, 11, 23, 9, 30),
            end=dt.datetime(2026, 11, 23, 12, 10),
            place="某市某某区人民医院住院综合楼六层骨科病区",
            present=present,
            findings=_findings_text(onsite_paragraphs),
            attachments=("现场照片18张（编号P001—P018）", "住院病历等复印件216页", "护理交班本复印件12页"),
            party_opinion="",
            witness=None,
            opening=SAMPLE_ONSITE_OPENING,
            credentials_answer="已看清执法证件，清楚。",
            recusal_answer="不申请回避。",
        ),
        interviews=interviews,
        evidence=evidence,
        evidence_signature=sig_refused,
        preservation=Holding(
            items=held,
            reason="你单位涉嫌挂床住院骗取医保基金，护理记录本可能被涂改或者灭失",
            storage_place="某市医疗保障基金稽核中心证据保管室",
            start=dt.date(2026, 11, 23),
            end=dt.date(2026, 11, 29),
            approved_by="局长赵某某",
        ) if track == "department" else None,
        sealing=Holding(
            items=held,
            reason="你单位骨科病区护理记录本与在院患者名单不一致，可能被转移、隐匿或者灭失",
            storage_place="被检查单位病案室（加贴封条）",
            start=dt.date(2026, 11, 23),
            end=dt.date(2026, 12, 22),
            approved_by="局长赵某某",
            taken_at=dt.datetime(2026, 11, 23, 11, 20),
            present="张某某（医保办主任）",
            party_statement="对封存无异议。",
        ) if track == "department" else None,
        outcome=outcome,
        service=service,
        services=(sealing_served, service) if track == "department" else (service,),
        decision=Decision(number="", decided_on=dt.date(2026, 12, 20), text="责令退回违规使用的医疗保障基金。",
                          amount_fen=0, signed_by="钱某某", signed_role="科室负责人"),
        correction=Correction(
            form="rectification", title="责令改正通知书", number="某医保改〔2026〕17号",
            issued_on=dt.date(2026, 12, 1),
            items=(("于2026年12月31日前改正", "于2027年1月15日前改正"),
                   ("建立挂床住院自查制度", "建立住院患者在床核查制度")),
            reason="改正期限和改正事项表述有误",
        ) if track == "department" else Correction(
            form="result-notice", title="稽核结果告知书", number="某医稽结〔2026〕17号",
            issued_on=dt.date(2026, 12, 1), items=(("涉及医保基金合计", "涉及医保统筹基金合计"),),
            reason="基金项目表述不准确",
        ),
    )
