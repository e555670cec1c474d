<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ArrivalPage</name>
    <message>
        <location filename="../../app/ui/steps/arrival.py" line="+35"/>
        <source>Case details (printed on every form)</source>
        <translation>案件信息（各文书载明）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Doc no.</source>
        <translation>文号</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Audit title</source>
        <translation>案件名称</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Audited period from</source>
        <translation>稽核期间起始日</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Audited period to</source>
        <translation>稽核期间截止日</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Planned audit date</source>
        <translation>计划稽核日期</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Place</source>
        <translation>地点</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Matters audited</source>
        <translation>稽核事项</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Legal basis</source>
        <translation>稽核依据</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>not entered</source>
        <translation>未填写</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Save case details</source>
        <translation>保存案件信息</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Audit notice (3 days before; Wuhan Audit Measures Art. 7(1))</source>
        <translation>稽核通知书（提前 3 日送达；第七条第（一）项）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Unannounced audit (no prior notice)</source>
        <translation>不事先通知（飞行检查）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Why the audit is unannounced</source>
        <translation>不事先通知的理由</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Audit date</source>
        <translation>稽核日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Notice served on</source>
        <translation>通知书送达日期</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Record notice</source>
        <translation>记录通知情况</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Credentials shown (each inspector in person)</source>
        <translation>出示证件（亮证，须本人确认）</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+170"/>
        <source>The party&apos;s representative present</source>
        <translation>被检查单位在场负责人</translation>
    </message>
    <message>
        <location line="-161"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Post</source>
        <translation>职务</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+158"/>
        <source>Record representative</source>
        <translation>登记负责人</translation>
    </message>
    <message>
        <location line="-153"/>
        <source>Rights and duties told</source>
        <translation>告知权利义务</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The right to ask for recusal</source>
        <translation>申请回避的权利</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The duty to cooperate and give true information</source>
        <translation>配合检查、如实提供资料的义务</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The right to state and defend</source>
        <translation>陈述、申辩的权利</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>e.g. 清楚，不申请回避</source>
        <translation>如：清楚，不申请回避</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The party&apos;s answer</source>
        <translation>被检查人的答复</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Record rights told</source>
        <translation>记录权利义务告知</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 of 18 characters</source>
        <translation>已输入 %1 位，应为 18 位</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>Confirm in person</source>
        <translation>本人确认</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1, enter your own passphrase:</source>
        <translation>%1，请输入您本人的口令：</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Case details complete</source>
        <translation>案件信息齐全</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Recorded: unannounced — %1</source>
        <translation>已记录：不事先通知 — %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Recorded: served on %1</source>
        <translation>已记录：%1 送达</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Show credential: %1</source>
        <translation>亮证：%1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Shown at %1</source>
        <translation>已于 %1 亮证</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not shown yet</source>
        <translation>尚未亮证</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not shown yet; this inspector confirms with their own passphrase</source>
        <translation>尚未亮证；须该稽核人员输入本人口令确认</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The person audited, or their agent, present</source>
        <translation>在场的被检查人或其委托人</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Optional (e.g. agent, spouse)</source>
        <translation>选填（如：委托人、配偶）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Record who is present</source>
        <translation>登记在场人员</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Recorded: %1, %2</source>
        <translation>已登记：%1，%2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recorded: %1</source>
        <translation>已登记：%1</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Recorded</source>
        <translation>已记录</translation>
    </message>
</context>
<context>
    <name>BatchSignatureDialog</name>
    <message>
        <location filename="../../app/ui/steps/base.py" line="+243"/>
        <source>Provider&apos;s signature for a list of evidence</source>
        <translation>证据提供者对证据清单签名</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>The provider confirms these %1 item(s) with one signature:</source>
        <translation>证据提供者以一次签名确认以下 %1 项证据：</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Tick at least one item.</source>
        <translation>请至少勾选一项证据。</translation>
    </message>
</context>
<context>
    <name>BusyDialog</name>
    <message>
        <location filename="../../app/ui/widgets/busy.py" line="+44"/>
        <source>Please wait</source>
        <translation>请稍候</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancelling...</source>
        <translation>正在取消……</translation>
    </message>
</context>
<context>
    <name>CameraDialog</name>
    <message>
        <location filename="../../app/ui/steps/camera.py" line="+44"/>
        <source>Take photo</source>
        <translation>拍照</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Take photo (Space)</source>
        <translation>拍照（空格）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Done</source>
        <translation>完成</translation>
    </message>
</context>
<context>
    <name>CasePage</name>
    <message>
        <location filename="../../app/ui/case_page.py" line="+120"/>
        <source>← Audits (Esc)</source>
        <translation>← 案件列表（Esc）</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>Next step →</source>
        <translation>下一步 →</translation>
    </message>
    <message>
        <location line="+74"/>
        <source>This audit was closed on %1. It is read-only: further entries are signed corrections.</source>
        <translation>本稽核已于 %1 结案，案件只读：之后只能以签名的更正方式补充。</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>Show or hide the list</source>
        <translation>展开或收起列表</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>Closed</source>
        <translation>已结案</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Still missing (%1) — click an entry to go there</source>
        <translation>尚缺（%1 项）— 点击条目前往填写</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Nothing missing on this step</source>
        <translation>本步骤无缺项</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>Note: %1</source>
        <translation>注意：%1</translation>
    </message>
</context>
<context>
    <name>CaseTableModel</name>
    <message>
        <location filename="../../app/ui/home.py" line="+73"/>
        <source>Doc no.</source>
        <translation>文号</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Audit</source>
        <translation>稽核事项</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Audited party</source>
        <translation>被稽核单位</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Planned</source>
        <translation>计划日期</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Next deadline</source>
        <translation>最近期限</translation>
    </message>
</context>
<context>
    <name>ChecklistModel</name>
    <message>
        <location filename="../../app/ui/steps/checklist.py" line="+57"/>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Item</source>
        <translation>检查项目</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Finding</source>
        <translation>结论</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Note</source>
        <translation>说明</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Evidence</source>
        <translation>证据</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Compliant</source>
        <translation>符合</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Non-compliant</source>
        <translation>不符合</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not applicable</source>
        <translation>不适用</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Open</source>
        <translation>未检查</translation>
    </message>
</context>
<context>
    <name>ChecklistPage</name>
    <message>
        <location line="+41"/>
        <source>Finding for the selected item</source>
        <translation>所选检查项的结论</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>What was found (required for non-compliant)</source>
        <translation>发现的情况（不符合时必填）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Finding (Alt+1/2/3)</source>
        <translation>结论（Alt+1/2/3）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note</source>
        <translation>说明</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Linked evidence</source>
        <translation>关联证据</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save finding (Ctrl+S)</source>
        <translation>保存结论（Ctrl+S）</translation>
    </message>
</context>
<context>
    <name>ClosingPage</name>
    <message>
        <location filename="../../app/ui/steps/closing.py" line="+41"/>
        <source>Documents to print</source>
        <translation>须打印的文书</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>PDF files in a folder</source>
        <translation>PDF 文件（存入文件夹）</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+118"/>
        <source>Folder for the PDF files</source>
        <translation>PDF 文件的存放文件夹</translation>
    </message>
    <message>
        <location line="-117"/>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Print to</source>
        <translation>打印到</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Print all on-the-spot forms</source>
        <translation>打印全部现场文书</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Documents after the visit</source>
        <translation>事后文书</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Inspectors present</source>
        <translation>在场稽核人员</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Close the on-site audit</source>
        <translation>结束现场稽核（结案）</translation>
    </message>
    <message>
        <location line="+13"/>
        <location line="+120"/>
        <source>Rendering…</source>
        <translation>正在生成文书…</translation>
    </message>
    <message>
        <location line="-106"/>
        <source>Re-issue…</source>
        <translation>重新出具…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Correction notice…</source>
        <translation>出具更正（补正）通知书…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Re-issue the document</source>
        <translation>重新出具文书</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Why is the document re-issued? (It gets a new number and date; the old one is superseded.)</source>
        <translation>重新出具的理由（新文书使用新的文号和日期，原文书作废）：</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Correction notice</source>
        <translation>更正（补正）通知书</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>original text=&gt;corrected text (one a line)</source>
        <translation>原文=&gt;更正为（每行一项）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Corrections</source>
        <translation>更正事项</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Choose the folder for the PDF files first.</source>
        <translation>请先选择存放 PDF 文件的文件夹。</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+42"/>
        <location line="+2"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location line="-38"/>
        <source>Rendering %1 form(s)…</source>
        <translation>正在生成 %1 份文书…</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>%1 form(s) printed.</source>
        <translation>已打印 %1 份文书。</translation>
    </message>
    <message>
        <location line="-39"/>
        <location line="+44"/>
        <source>Not printed: %1</source>
        <translation>未打印：%1</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>Saved in %1 as: %2</source>
        <translation>已存入 %1：%2</translation>
    </message>
    <message>
        <location line="+56"/>
        <location line="+16"/>
        <source>Preview: %1</source>
        <translation>预览：%1</translation>
    </message>
    <message>
        <location line="-28"/>
        <source>Confirm in person</source>
        <translation>本人确认</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1, enter your own passphrase:</source>
        <translation>%1，请输入您本人的口令：</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Printed %1 time(s)</source>
        <translation>已打印 %1 次</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not printed</source>
        <translation>未打印</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Leaves the site</source>
        <translation>离开现场</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Confirm presence</source>
        <translation>确认在场</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>present (passphrase entered)</source>
        <translation>在场（已输入口令）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>not present</source>
        <translation>不在场</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Closed</source>
        <translation>已结案</translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <location filename="../../app/ui/application.py" line="+207"/>
        <source>Unexpected error</source>
        <translation>意外错误</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>FieldAudit ran into an unexpected error.</source>
        <translation>程序发生了意外错误。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A crash report was saved to:
%1

It contains no case data. Saved evidence is not affected. Please restart the program and give the report to your administrator.</source>
        <translation>错误报告已保存到：
%1

报告中不含任何案件数据，已保存的证据不受影响。请重新启动程序，并将报告交给管理员。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The crash report could not be saved. Saved evidence is not affected. Please restart the program.</source>
        <translation>错误报告未能保存。已保存的证据不受影响。请重新启动程序。</translation>
    </message>
</context>
<context>
    <name>EnrolmentPage</name>
    <message>
        <location filename="../../app/ui/enrol.py" line="+27"/>
        <source>First run: enrol the inspectors</source>
        <translation>首次使用：登记稽核人员</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Enrol</source>
        <translation>登记</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Credential no. (执法证号)</source>
        <translation>执法证号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Organisation</source>
        <translation>所在单位</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Passphrase</source>
        <translation>口令</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Passphrase again</source>
        <translation>再次输入口令</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>An enrolled inspector&apos;s passphrase</source>
        <translation>已登记人员的口令</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>none yet</source>
        <translation>尚无</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Every audit needs two inspectors, each with their own passphrase (at least %1 characters). Enrolled: %2.</source>
        <translation>每次稽核须两名稽核人员在场，各自设置本人口令（至少 %1 个字符）。已登记：%2。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Fill in name, credential number and organisation.</source>
        <translation>请填写姓名、执法证号和所在单位。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The two passphrases differ.</source>
        <translation>两次输入的口令不一致。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Enrolling… (deriving keys takes a few seconds)</source>
        <translation>正在登记……（生成密钥需要几秒钟）</translation>
    </message>
</context>
<context>
    <name>ErrorMessages</name>
    <message>
        <location filename="../../app/ui/widgets/errors.py" line="+54"/>
        <location line="+6"/>
        <source>The operation was not completed</source>
        <translation>操作未完成</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The data store cannot be read</source>
        <translation>无法读取数据存储</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The encrypted store on this laptop is damaged or has been altered.</source>
        <translation>本机的加密数据存储已损坏或被改动。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Stop using this profile and contact your administrator; the archive keeps what was synced.</source>
        <translation>请停止使用此配置文件并联系管理员；已同步的数据仍保存在档案服务器上。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Disk full</source>
        <translation>磁盘空间不足</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>There is not enough free space to save the data.</source>
        <translation>剩余空间不足，无法保存数据。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Free some space or use a larger memory card, then try again. Saved evidence is not affected.</source>
        <translation>请清理出空间或换用更大的存储卡后重试。已保存的证据不受影响。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>No permission</source>
        <translation>没有权限</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The program is not allowed to read or write this file or folder.</source>
        <translation>程序无权读取或写入此文件或文件夹。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Choose another location or ask your administrator to check the permissions.</source>
        <translation>请选择其他位置，或请管理员检查权限设置。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>File not found</source>
        <translation>找不到文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The file or folder no longer exists.</source>
        <translation>该文件或文件夹已不存在。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The memory card may have been removed or the file moved. Please choose it again.</source>
        <translation>存储卡可能已拔出，或文件已被移动。请重新选择。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Archive not reachable</source>
        <translation>无法连接档案服务器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The archive server cannot be reached.</source>
        <translation>无法连接到档案服务器。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check the network and try again later. The data stays safe on this laptop until it is synced.</source>
        <translation>请检查网络后稍后重试。同步之前，数据安全地保存在本机。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Out of memory</source>
        <translation>内存不足</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>There is not enough memory to finish the operation.</source>
        <translation>内存不足，无法完成此操作。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Close other programs and try again.</source>
        <translation>请关闭其他程序后重试。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>File error</source>
        <translation>文件读写错误</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A file could not be read or written.</source>
        <translation>无法读取或写入文件。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check the memory card or disk and try again. Saved evidence is not affected.</source>
        <translation>请检查存储卡或磁盘后重试。已保存的证据不受影响。</translation>
    </message>
</context>
<context>
    <name>EvidenceModel</name>
    <message>
        <location filename="../../app/ui/steps/evidence_model.py" line="+169"/>
        <source>corrected</source>
        <translation>已更正</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>signed by provider</source>
        <translation>提供者已签名</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>refusal recorded</source>
        <translation>已记录拒签</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>awaiting signature or refusal</source>
        <translation>待签名或记录拒签</translation>
    </message>
</context>
<context>
    <name>EvidencePage</name>
    <message>
        <location filename="../../app/ui/steps/evidence.py" line="+65"/>
        <source>Describe what you import</source>
        <extracomment>Below this page width the list and the selected photo are stacked, not side by side.</extracomment>
        <translation>导入证据的说明</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Title (default: the file name)</source>
        <translation>名称（默认为文件名）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Where and from whom, e.g. 住院部三病区护士站</source>
        <translation>在何处、从何人取得，如 住院部三病区护士站</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Original (not a copy)</source>
        <translation>原件（非复制件）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Kind / measure</source>
        <translation>证据种类 / 检查措施</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Title</source>
        <translation>名称</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+189"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location line="-184"/>
        <source>Provider&apos;s name</source>
        <translation>提供者姓名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Post</source>
        <translation>职务</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+182"/>
        <location filename="../../app/ui/steps/evidence_provider.py" line="+38"/>
        <location line="+26"/>
        <source>Provider</source>
        <translation>证据提供者</translation>
    </message>
    <message>
        <location line="-181"/>
        <source>Place</source>
        <translation>地点</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Import files… (Ctrl+I)</source>
        <translation>导入文件…（Ctrl+I）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Import folder / SD card…</source>
        <translation>导入文件夹/存储卡…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Take photo</source>
        <translation>拍照</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No camera found on this computer</source>
        <translation>本机未检测到摄像头</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>Provider signs (Ctrl+G)</source>
        <translation>提供者签名（Ctrl+G）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Record refusal</source>
        <translation>记录拒签</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Provider signs a list…</source>
        <translation>提供者对清单签名…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The provider signs once for several items, as on a paper evidence list</source>
        <translation>证据提供者一次签名确认多项证据，如同在纸质证据清单上签名</translation>
    </message>
    <message>
        <location filename="../../app/ui/steps/evidence_import.py" line="+33"/>
        <source>Import evidence files</source>
        <translation>导入证据文件</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Import a folder or SD card</source>
        <translation>导入文件夹或存储卡</translation>
    </message>
    <message>
        <location line="+55"/>
        <location line="+51"/>
        <source>%1 item(s) imported and signed by both inspectors.</source>
        <translation>已导入 %1 项证据，两名稽核人员均已签名。</translation>
    </message>
    <message>
        <location line="-41"/>
        <location line="+59"/>
        <source> and %1 more</source>
        <translation>等另外 %1 个</translation>
    </message>
    <message>
        <location line="-58"/>
        <source>Not imported (nothing of these files was stored): %1</source>
        <translation>未导入（这些文件均未保存）：%1</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+39"/>
        <source>Importing…</source>
        <translation>正在导入……</translation>
    </message>
    <message>
        <location line="-38"/>
        <location line="+39"/>
        <source>Importing evidence…</source>
        <translation>正在导入证据……</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Noted in the signed items: %1</source>
        <translation>已签名的证据中记有：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/steps/evidence.py" line="+114"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Measure</source>
        <translation>检查措施</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Obtained</source>
        <translation>取得时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Inspector signatures</source>
        <translation>稽核人员签名</translation>
    </message>
    <message>
        <location filename="../../app/ui/steps/evidence_provider.py" line="-27"/>
        <source>Provider&apos;s signature: %1</source>
        <translation>提供者签名：%1</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Every item already has the provider&apos;s signature or a refusal.</source>
        <translation>每项证据均已有提供者签名或拒签记录。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Signature not obtained: %1</source>
        <translation>未能取得签名：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/steps/evidence.py" line="+54"/>
        <source>Description of the next import</source>
        <translation>下一次导入的说明</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Description of the next import: %1</source>
        <translation>下一次导入的说明：%1</translation>
    </message>
</context>
<context>
    <name>FindingsPage</name>
    <message>
        <location filename="../../app/ui/steps/findings.py" line="+46"/>
        <source>Acknowledge the flags for the file</source>
        <translation>确认提示并记入案卷</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>New finding</source>
        <translation>新增问题</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>What happened, when, how much</source>
        <translation>问题的事实、时间和金额</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Amount involved in yuan, e.g. 120000.00</source>
        <translation>涉及金额（元），如 120000.00</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Responsible person&apos;s name</source>
        <translation>责任人姓名</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Department</source>
        <translation>科室</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Violation</source>
        <translation>违规类型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Basis</source>
        <translation>依据</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Description</source>
        <translation>问题描述</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Amount (yuan)</source>
        <translation>涉及金额（元）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Responsible</source>
        <translation>责任人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Evidence</source>
        <translation>证据</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+148"/>
        <source>Add finding (Ctrl+Enter)</source>
        <translation>添加问题（Ctrl+Enter）</translation>
    </message>
    <message>
        <location line="-146"/>
        <source>Cancel editing</source>
        <translation>取消修改</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Problem list</source>
        <translation>问题清单</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Reason for withdrawing or correcting the selected finding</source>
        <translation>撤销或更正所选问题的理由</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+134"/>
        <source>Edit selected</source>
        <translation>修改所选问题</translation>
    </message>
    <message>
        <location line="-133"/>
        <source>Withdraw selected</source>
        <translation>撤销所选问题</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>This amount needs 法制审核 (legal review).</source>
        <translation>该金额须经法制审核。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This amount needs 集体讨论 (collective decision).</source>
        <translation>该金额须集体讨论决定。</translation>
    </message>
    <message>
        <location line="+69"/>
        <source>State why the finding is withdrawn.</source>
        <translation>请写明撤销该问题的理由。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Both inspectors sign the correction</source>
        <translation>两名检查人员签署更正</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save changes (Ctrl+Enter)</source>
        <translation>保存修改（Ctrl+Enter）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Correct selected</source>
        <translation>更正所选问题</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Total: %1 yuan</source>
        <translation>合计：%1 元</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>法制审核 (legal review) required: %1 (%2)</source>
        <translation>须法制审核：%1（%2）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>集体讨论 (collective decision) required: %1 (%2)</source>
        <translation>须集体讨论：%1（%2）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Flags acknowledged.</source>
        <translation>提示已确认并记入案卷。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The flags must be acknowledged before closing.</source>
        <translation>结案前须确认以上提示。</translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <location filename="../../app/ui/home.py" line="+94"/>
        <source>Audits on this laptop</source>
        <extracomment>The deadlines and sync column&apos;s width beside the table; below this page width they go under it.</extracomment>
        <translation>本机稽核案件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Team: %1</source>
        <translation>稽核人员：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Search doc no., audit or party (Ctrl+F)</source>
        <translation>搜索文号、稽核事项或被稽核单位（Ctrl+F）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>All kinds</source>
        <translation>全部类型</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>All parties</source>
        <translation>全部被稽核单位</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Any deadline</source>
        <translation>全部期限</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Overdue</source>
        <translation>已逾期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Due within 7 days</source>
        <translation>7 日内到期</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>No open deadline</source>
        <translation>无未完成期限</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Open audit (Enter)</source>
        <translation>打开稽核（Enter）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>New audit (Ctrl+N)</source>
        <translation>新建稽核（Ctrl+N）</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Due</source>
        <translation>待办期限</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Sync (Ctrl+Shift+S)</source>
        <translation>同步（Ctrl+Shift+S）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sync with the archive</source>
        <translation>与档案系统同步</translation>
    </message>
    <message>
        <location line="+82"/>
        <source> (overdue)</source>
        <translation>（已逾期）</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Nothing due.</source>
        <translation>暂无待办期限。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>%1 of %2 audits</source>
        <translation>共 %2 个稽核，显示 %1 个</translation>
    </message>
</context>
<context>
    <name>InspectorPanel</name>
    <message>
        <location filename="../../app/ui/unlock.py" line="+167"/>
        <source>Inspector A</source>
        <translation>稽核人员 A</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Inspector B</source>
        <translation>稽核人员 B</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Inspector</source>
        <translation>稽核人员(&amp;I)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Passphrase</source>
        <translation>口令(&amp;P)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your own passphrase</source>
        <translation>请输入本人口令</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Checking the passphrase...</source>
        <translation>正在验证口令……</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unlocked</source>
        <translation>已解锁</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This inspector has already unlocked in the other panel; the second inspector must unlock with their own passphrase.</source>
        <translation>该稽核人员已在另一栏解锁；第二名稽核人员须用本人口令解锁。</translation>
    </message>
</context>
<context>
    <name>InterviewPage</name>
    <message>
        <location filename="../../app/ui/steps/interview.py" line="+37"/>
        <location line="+78"/>
        <source>Interviewee</source>
        <translation>被询问人</translation>
    </message>
    <message>
        <location line="-76"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sex</source>
        <translation>性别</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Employer</source>
        <translation>工作单位</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Post</source>
        <translation>职务</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Relation to the case</source>
        <translation>与本案关系</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Record</source>
        <translation>笔录</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Start, end</source>
        <translation>起止时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Place</source>
        <translation>地点</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Opening</source>
        <translation>开场告知</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Question</source>
        <translation>问</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Answer</source>
        <translation>答</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Add question (Ctrl+Q)</source>
        <translation>添加问答（Ctrl+Q）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove question</source>
        <translation>删除问答</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Closing statement</source>
        <translation>结尾声明</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Both inspectors sign this record</source>
        <translation>两名稽核人员签署本笔录</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <location filename="../../app/ui/labels.py" line="+18"/>
        <source>Assigned</source>
        <translation>已指派</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>On site</source>
        <translation>现场检查中</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Closed</source>
        <translation>已结案</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+2"/>
        <source>preservation decision</source>
        <translation>先行登记保存处理决定</translation>
    </message>
    <message>
        <location line="-1"/>
        <location line="+1"/>
        <source>sealing ends</source>
        <translation>封存期满</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>statement and defence</source>
        <translation>陈述申辩期限</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>notice to serve</source>
        <translation>待送达通知书</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Arrival and credentials</source>
        <translation>到场与亮证</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Recusal</source>
        <translation>回避</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Checklist</source>
        <translation>检查清单</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Evidence</source>
        <translation>证据</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Interview records</source>
        <translation>询问笔录</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>On-site record</source>
        <translation>现场检查笔录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Preservation and sealing</source>
        <translation>先行登记保存与封存</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Findings</source>
        <translation>检查情况</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Closing</source>
        <translation>结案</translation>
    </message>
</context>
<context>
    <name>LockPage</name>
    <message>
        <location filename="../../app/ui/unlock.py" line="+238"/>
        <source>Locked</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The screen was cleared to protect case data. Both inspectors unlock again to continue.</source>
        <translation>为保护案件数据，屏幕内容已清除。请两名稽核人员重新解锁后继续。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/ui/main_window.py" line="+428"/>
        <source>FieldAudit — medical insurance on-site audit</source>
        <translation>医保稽核现场取证</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lock (Ctrl+L)</source>
        <translation>锁定 (Ctrl+L)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sync (Ctrl+Shift+S)</source>
        <translation>同步（Ctrl+Shift+S）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Main toolbar</source>
        <translation>主工具栏</translation>
    </message>
</context>
<context>
    <name>MeasuresPage</name>
    <message>
        <location filename="../../app/ui/steps/measures.py" line="+40"/>
        <source>New measure</source>
        <translation>新增措施</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>One item per line: name | spec/number | quantity | state | note</source>
        <translation>每行一项：名称 | 规格/编号 | 数量 | 状态 | 备注</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Reason and basis</source>
        <translation>理由和依据</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Measure</source>
        <translation>检查措施</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Items</source>
        <translation>物品清单</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Approved by (head)</source>
        <translation>批准人（负责人）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Approved on</source>
        <translation>批准日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sealing days</source>
        <translation>封存天数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Storage place</source>
        <translation>保存地点</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Record measure</source>
        <translation>记录措施</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Measures and deadlines</source>
        <translation>措施与期限</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>open</source>
        <translation>未完成</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No preservation or sealing in this audit.</source>
        <translation>本次稽核未采取先行登记保存或封存措施。</translation>
    </message>
</context>
<context>
    <name>NewAuditDialog</name>
    <message>
        <location filename="../../app/ui/new_audit.py" line="+57"/>
        <source>New audit</source>
        <translation>新建稽核</translation>
    </message>
    <message>
        <location line="+6"/>
        <source> (office list)</source>
        <translation>（单位名录）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>New party (type it below)</source>
        <translation>新单位（在下方填写）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>18 characters, check digit verified</source>
        <translation>18 位，自动校验校验码</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Default: the party&apos;s name</source>
        <translation>默认为被稽核单位名称</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>e.g. 某医保稽通〔2026〕12号</source>
        <translation>例如 某医保稽通〔2026〕12号</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Default: the party&apos;s address</source>
        <translation>默认为被稽核单位地址</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>not entered</source>
        <translation>未填写</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Notice not served yet (recorded on arrival)</source>
        <translation>通知书尚未送达（到达现场时记录）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Notice served on</source>
        <translation>通知书已送达，日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unannounced (no prior notice), with the reason</source>
        <translation>不事先通知（飞行检查），须写明理由</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Why the audit is unannounced</source>
        <translation>不事先通知的理由</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Audited party</source>
        <translation>被稽核单位</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Choose</source>
        <translation>选择</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location line="+145"/>
        <source>Unified social credit code</source>
        <translation>统一社会信用代码</translation>
    </message>
    <message>
        <location line="-141"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Legal representative / head</source>
        <translation>法定代表人 / 负责人</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The audit</source>
        <translation>稽核</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Kind / form</source>
        <translation>稽核类型 / 形式</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Checklist template</source>
        <translation>检查清单模板</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Audit title</source>
        <translation>案件名称</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Doc no.</source>
        <translation>文号</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Audited period (from, to)</source>
        <translation>稽核期间（起、止）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Matters audited</source>
        <translation>稽核事项</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Legal basis</source>
        <translation>稽核依据</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Planned audit date</source>
        <translation>计划稽核日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Place</source>
        <translation>地点</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Notice</source>
        <translation>稽核通知书</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Inspectors</source>
        <translation>稽核人员</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Create the audit</source>
        <translation>创建稽核</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+100"/>
        <source>Resident ID number</source>
        <translation>居民身份证号</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 of 18 characters</source>
        <translation>已输入 %1 位，共 18 位</translation>
    </message>
</context>
<context>
    <name>NoticeDetailsBox</name>
    <message>
        <location filename="../../app/ui/steps/later_forms.py" line="+63"/>
        <source>For the printed notice</source>
        <translation>通知书载明事项</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Materials the party prepares, one a line</source>
        <translation>被稽核单位需准备的材料，每行一项</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Where (default: the audit&apos;s place)</source>
        <translation>地点（默认为稽核地点）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time on the audit day</source>
        <translation>稽核当日时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Materials to prepare</source>
        <translation>需准备的材料</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Place</source>
        <translation>地点</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save notice details</source>
        <translation>保存通知书事项</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Recorded: %1; materials: %2</source>
        <translation>已记录：%1；材料：%2</translation>
    </message>
</context>
<context>
    <name>OnsitePage</name>
    <message>
        <location filename="../../app/ui/steps/onsite.py" line="+23"/>
        <source>On-site record</source>
        <translation>现场检查笔录</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>What was inspected and found, described objectively</source>
        <translation>客观记录检查了什么、发现了什么</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Start</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>End</source>
        <translation>结束时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Place</source>
        <translation>地点</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>People present</source>
        <translation>在场人员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Findings</source>
        <translation>检查情况</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Attachments (from the evidence)</source>
        <translation>附件（取自证据）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Both inspectors sign this record</source>
        <translation>两名稽核人员签署本笔录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Correction (after closing)</source>
        <translation>更正（结案后）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Why the record is corrected</source>
        <translation>更正理由</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign a correction of the current record</source>
        <translation>签署对当前笔录的更正</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
</context>
<context>
    <name>OutcomeBox</name>
    <message>
        <location filename="../../app/ui/steps/later_forms.py" line="+8"/>
        <source>Proposed handling (printed on the notices after the visit)</source>
        <translation>处理意见（载于事后告知类文书）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>e.g. 责令退回医疗保障基金，责令限期改正</source>
        <translation>例如：责令退回医疗保障基金，责令限期改正</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>What is to be corrected, one item a line</source>
        <translation>责令改正事项，每行一项</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>What follows if it is not corrected</source>
        <translation>逾期不改正的后果</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Kind of the proposed penalty (department only)</source>
        <translation>拟作出的行政处罚种类（仅行政部门）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Fine in yuan, e.g. 20000.00</source>
        <translation>罚款金额（元），例如 20000.00</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The party may ask for a hearing</source>
        <translation>当事人可要求听证</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Suspends the services under the agreement</source>
        <translation>中止医保协议服务</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Handling</source>
        <translation>处理意见</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>To rectify</source>
        <translation>改正事项</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rectify by</source>
        <translation>改正期限</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Consequence</source>
        <translation>逾期后果</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Penalty / fine</source>
        <translation>处罚种类 / 罚款</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Save proposed handling</source>
        <translation>保存处理意见</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Recorded</source>
        <translation>已记录</translation>
    </message>
</context>
<context>
    <name>PhotoViewer</name>
    <message>
        <location filename="../../app/ui/widgets/photo_viewer.py" line="+382"/>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fit</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>100 %</source>
        <translation>原始大小</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rotate left</source>
        <translation>向左旋转</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rotate right</source>
        <translation>向右旋转</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zoom in (+ or mouse wheel)</source>
        <translation>放大（+ 键或鼠标滚轮）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zoom out (-)</source>
        <translation>缩小（- 键）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fit to window (0)</source>
        <translation>适应窗口（0 键）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Actual size (1)</source>
        <translation>原始大小（1 键）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rotate left for viewing; the photo is not changed (L)</source>
        <translation>向左旋转查看，照片本身不会被修改（L 键）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rotate right for viewing; the photo is not changed (R)</source>
        <translation>向右旋转查看，照片本身不会被修改（R 键）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>This photo cannot be shown: the data is damaged or not a supported image format.
The stored evidence has not been changed.</source>
        <translation>无法显示这张照片：数据已损坏，或不是支持的图片格式。
已保存的证据原件未被改动。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No photo selected</source>
        <translation>未选择照片</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Photo details (EXIF)</source>
        <translation>照片信息（EXIF）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Taken at</source>
        <translation>拍摄时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Camera</source>
        <translation>相机型号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GPS location</source>
        <translation>GPS 位置</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Size</source>
        <translation>尺寸</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>not recorded</source>
        <translation>未记录</translation>
    </message>
</context>
<context>
    <name>PlaceholderHome</name>
    <message>
        <location filename="../../app/ui/main_window.py" line="-359"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unlocked by %1</source>
        <translation>已由 %1 解锁</translation>
    </message>
</context>
<context>
    <name>PrintPreviewDialog</name>
    <message>
        <location filename="../../app/ui/print_preview.py" line="+113"/>
        <source>Print preview: %1</source>
        <translation>打印预览：%1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Print preview</source>
        <translation>打印预览</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Previous page</source>
        <translation>上一页</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next page</source>
        <translation>下一页</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fit width</source>
        <translation>适合宽度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Whole page</source>
        <translation>整页</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Print…</source>
        <translation>打印…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="+111"/>
        <source>Page %1 of %2</source>
        <translation>第 %1 页，共 %2 页</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The document cannot be shown. Print it again; if it still fails, contact your administrator.</source>
        <translation>无法显示该文书。请重新打印；如仍失败，请联系管理员。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Print</source>
        <translation>打印</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>%1 page(s) sent to the printer.</source>
        <translation>已发送到打印机 %1 页。</translation>
    </message>
</context>
<context>
    <name>RecordPage</name>
    <message>
        <location filename="../../app/ui/steps/record_page.py" line="+37"/>
        <source>Read back and sign</source>
        <translation>宣读并签名</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Signed record</source>
        <translation>已签署笔录</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Party signs this page</source>
        <translation>当事人签署本页</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Record refusal to sign</source>
        <translation>记录拒绝签名</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Page</source>
        <translation>页码</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>No signed record yet: fill in the record and sign it.</source>
        <translation>尚无已签署的笔录：请填写笔录并签署。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>signed</source>
        <translation>已签名</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>refusal recorded</source>
        <translation>已记录拒签</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>not signed</source>
        <translation>未签名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Version %1 · both inspectors signed · party: %2 · pages signed %3 of %4</source>
        <translation>第 %1 版 · 两名稽核人员已签名 · 当事人：%2 · 已签 %3/%4 页</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Signature on page %1</source>
        <translation>第 %1 页签名</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>The party does not sign</source>
        <translation>当事人不签名</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Version %1</source>
        <translation>第 %1 版</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> (corrected)</source>
        <translation>（已更正）</translation>
    </message>
</context>
<context>
    <name>RecusalPage</name>
    <message>
        <location filename="../../app/ui/steps/recusal.py" line="+21"/>
        <source>Each inspector&apos;s declaration</source>
        <translation>稽核人员回避声明</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Recusal requested by the party</source>
        <translation>被检查人申请回避</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Oral</source>
        <translation>口头</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Written</source>
        <translation>书面</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Inspector concerned</source>
        <translation>被申请回避人员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Form</source>
        <translation>方式</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Grounds</source>
        <translation>理由</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Record request</source>
        <translation>记录回避申请</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Requests and decisions</source>
        <translation>回避申请及决定</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Granted: the inspector steps aside</source>
        <translation>同意回避</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rejected</source>
        <translation>不予回避</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Decision</source>
        <translation>决定</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Decided by (head of unit)</source>
        <translation>决定人（单位负责人）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Decided on</source>
        <translation>决定日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Record decision</source>
        <translation>记录决定</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Related to the party or has an interest</source>
        <translation>与被检查人有亲属关系或利害关系</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Details, when related</source>
        <translation>如有关系，请写明</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Declare: %1</source>
        <translation>声明：%1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Not declared yet</source>
        <translation>尚未声明</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Declared a relation: %1</source>
        <translation>已声明存在关系：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Declared: no relation or interest</source>
        <translation>已声明：无应回避的关系或利害</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>pending</source>
        <translation>待决定</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>granted</source>
        <translation>同意回避</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>rejected</source>
        <translation>不予回避</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>self-declared</source>
        <translation>本人声明</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>by the party</source>
        <translation>被检查人申请</translation>
    </message>
</context>
<context>
    <name>RefusalDialog</name>
    <message>
        <location filename="../../app/ui/steps/base.py" line="+13"/>
        <source>e.g. the provider refused to sign and gave no reason</source>
        <translation>如：提供者拒绝签字，未说明理由</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Person who did not sign</source>
        <translation>未签名人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason (required)</source>
        <translation>原因（必填）</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+27"/>
        <source>Witness</source>
        <translation>见证人</translation>
    </message>
    <message>
        <location line="-26"/>
        <source>Witness ID number</source>
        <translation>见证人身份证号</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Record refusal</source>
        <translation>记录拒签</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>State why the signature could not be obtained.</source>
        <translation>请写明未能取得签名的原因。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Provider</source>
        <translation>证据提供者</translation>
    </message>
</context>
<context>
    <name>RegisterDialog</name>
    <message>
        <location filename="../../app/ui/sync_dialogs.py" line="+112"/>
        <source>Register this laptop with the archive</source>
        <translation>在档案中心登记本机</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Registration is done once, at the office. It enrols this laptop and the keys of both inspectors with the archive, so both must be present.</source>
        <translation>登记只需在单位办理一次：将本机及两名检查人员的密钥登记到档案中心，因此两人须同时在场。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Check the archive</source>
        <translation>核对档案中心</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+65"/>
        <source>Check the archive to see its key fingerprint.</source>
        <translation>请点击“核对档案中心”查看其密钥指纹。</translation>
    </message>
    <message>
        <location line="-62"/>
        <source>This fingerprint matches the one the archive office read out</source>
        <translation>此指纹与档案中心工作人员告知的指纹一致</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>One-time code from the archive office</source>
        <translation>档案中心提供的一次性登记码</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Inspectors</source>
        <translation>检查人员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Archive address</source>
        <translation>档案中心地址</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Archive key</source>
        <translation>档案中心密钥</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Enrolment code</source>
        <translation>登记码</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Register</source>
        <translation>登记</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Contacting the archive…</source>
        <translation>正在连接档案中心……</translation>
    </message>
</context>
<context>
    <name>RegisteredBox</name>
    <message>
        <location line="+89"/>
        <source>Registered</source>
        <translation>登记完成</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This laptop is registered with the archive at %1.</source>
        <translation>本机已在档案中心 %1 登记。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Archive key fingerprint: %1
Inspectors enrolled: %2</source>
        <translation>档案中心密钥指纹：%1
已登记的检查人员：%2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
</context>
<context>
    <name>ServiceBox</name>
    <message>
        <location filename="../../app/ui/steps/later_forms.py" line="+10"/>
        <source>Service of a document (送达)</source>
        <translation>文书送达</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Its document number (文号)</source>
        <translation>所送达文书的文号</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The party served</source>
        <translation>受送达人</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Who signed for it</source>
        <translation>签收人</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Served by, e.g. 王建国、李晓梅</source>
        <translation>送达人，例如：王建国、李晓梅</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Why it was refused (left at the premises)</source>
        <translation>拒收事由（留置送达）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Witness (left at the premises)</source>
        <translation>见证人（留置送达）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The party&apos;s consent (electronic service)</source>
        <translation>受送达人同意（电子送达）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Confirmed address (electronic service)</source>
        <translation>确认的送达地址（电子送达）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Document</source>
        <translation>送达文书</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Recipient</source>
        <translation>受送达人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Place</source>
        <translation>送达地点</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Method / time</source>
        <translation>方式 / 时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Served by</source>
        <translation>送达人</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Refusal</source>
        <translation>留置送达</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Electronic</source>
        <translation>电子送达</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Record service</source>
        <translation>记录送达</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Served: %1 %2, %3</source>
        <translation>已送达：%1 %2，%3</translation>
    </message>
</context>
<context>
    <name>SignatureDialog</name>
    <message>
        <location filename="../../app/ui/steps/base.py" line="-131"/>
        <source>Signer&apos;s name</source>
        <translation>签名人姓名</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Role</source>
        <translation>身份</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Statement in own words</source>
        <translation>本人书写的声明</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Confirm signature</source>
        <translation>确认签名</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Enter the signer&apos;s name.</source>
        <translation>请填写签名人姓名。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The pad is empty: the signer signs first.</source>
        <translation>签名板为空：请签名人先签名。</translation>
    </message>
</context>
<context>
    <name>SignaturePad</name>
    <message>
        <location filename="../../app/ui/widgets/signature_pad.py" line="+312"/>
        <source>Sign here</source>
        <translation>请在此处签名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Signature pad</source>
        <translation>签名板</translation>
    </message>
</context>
<context>
    <name>SignaturePanel</name>
    <message>
        <location line="+60"/>
        <source>Signature of %1:</source>
        <translation>%1 签名：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Signature:</source>
        <translation>签名：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Undo stroke</source>
        <translation>撤销一笔</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
</context>
<context>
    <name>StepListModel</name>
    <message>
        <location filename="../../app/ui/case_page.py" line="-259"/>
        <source>ready to close</source>
        <extracomment>Below this height (logical pixels) of the case page, the 尚缺 list starts folded on a page that needs the height (``StepPage.wants_height``: the evidence list and photo): 1366×768 and 1920×1080 at 150 % and 200 %. At most this share of the case page&apos;s height goes to the 尚缺 list (it scrolls beyond), at least two rows. The list of steps&apos; width on a laptop&apos;s screen: as its longest entry needs, within these (logical pixels) ... ... and never more than this share of the case page (960×540: the page keeps its room; entries wrap) nor less</extracomment>
        <translation>可结案</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 missing</source>
        <translation>缺 %1 项</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Complete</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Nothing recorded; not required for closing</source>
        <translation>尚无记录；结案不要求此步骤</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nothing missing; the audit can be closed</source>
        <translation>无缺项，可以结案</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Still missing something</source>
        <translation>尚有缺项</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Alt+%1</source>
        <translation>Alt+%1</translation>
    </message>
</context>
<context>
    <name>StepPage</name>
    <message>
        <location filename="../../app/ui/steps/base.py" line="-75"/>
        <source>Go and fill it in</source>
        <extracomment>input widgets (attribute names) that are not part of the page&apos;s draft (app.ui.drafts) actions (``acted`` names, before any &quot;:&quot;) that sign what was typed: the page&apos;s draft ends with them the page fills the height it gets (the evidence list and photo): on a short window the case page&apos;s 尚缺 list starts folded under it</extracomment>
        <translation>去填写</translation>
    </message>
</context>
<context>
    <name>SyncController</name>
    <message>
        <location filename="../../app/ui/sync_actions.py" line="+92"/>
        <source>Synchronising with the archive…</source>
        <translation>正在与档案中心同步……</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Sync cancelled</source>
        <translation>同步已取消</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Register this laptop</source>
        <translation>登记本机</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This laptop is not registered with the archive yet. It must be registered once, at the office, with the one-time enrolment code and both inspectors present.</source>
        <translation>本机尚未在档案中心登记。须在单位凭一次性登记码、两名检查人员同时在场时登记一次。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Register…</source>
        <translation>登记……</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Registering with the archive…</source>
        <translation>正在向档案中心登记……</translation>
    </message>
</context>
<context>
    <name>SyncDialog</name>
    <message>
        <location filename="../../app/ui/sync_dialogs.py" line="-198"/>
        <source>Sync with the archive</source>
        <translation>与档案中心同步</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sends the audits, evidence and journal of this laptop to the archive and fetches new assignments. The archive checks every hash and signature before it accepts anything; nothing is deleted here.</source>
        <translation>将本机的稽核、证据和日志发送到档案中心，并获取新的稽核任务。档案中心核验每个哈希值和签名后才会接收；本机不会因此删除任何数据。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Archive address</source>
        <translation>档案中心地址</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Archive key</source>
        <translation>档案中心密钥</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Audits waiting</source>
        <translation>待同步的稽核</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>SyncSummaryBox</name>
    <message>
        <location line="+137"/>
        <source>Sync finished</source>
        <translation>同步完成</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The archive accepted %1 audit(s).</source>
        <translation>档案中心接收了 %1 个稽核。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 audit(s) were refused and stay on this laptop unchanged; see the details.</source>
        <translation>%1 个稽核被拒收，仍原样保留在本机；详见详细信息。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Sent %1 MB (%2 evidence file(s)).</source>
        <translation>已发送 %1 MB（%2 个证据文件）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Conflicting edits are kept side by side at the archive for a person to resolve.</source>
        <translation>相互冲突的修改已在档案中心并列保存，待人工处理。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>New audits from the office: %1</source>
        <translation>单位下发的新稽核：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 assignment(s) wait until their inspectors are enrolled on this laptop.</source>
        <translation>%1 项稽核任务须待其检查人员在本机登记后才能接收。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 office record(s) could not be used and were skipped: %2</source>
        <translation>%1 条单位下发的记录无法使用，已跳过：%2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Accepted: %1</source>
        <translation>已接收：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refused: %1 (%2)</source>
        <translation>被拒收：%1（%2）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Skipped: %1 (%2)</source>
        <translation>已跳过：%1（%2）</translation>
    </message>
</context>
<context>
    <name>SyncText</name>
    <message>
        <location filename="../../app/ui/sync_work.py" line="+53"/>
        <source>This laptop is not registered with the archive yet. At the office, choose Sync to register it with the one-time enrolment code.</source>
        <translation>本机尚未在档案中心登记。请在单位点击“同步”，凭一次性登记码登记。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Registered with %1 (archive key %2).</source>
        <translation>已在 %1 登记（档案中心密钥 %2）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Last sync: %1</source>
        <translation>上次同步：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not synchronised yet.</source>
        <translation>尚未同步。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Audits waiting to be synchronised: %1</source>
        <translation>待同步的稽核：%1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Accepted: %1 · refused: %2 · conflicts: %3</source>
        <translation>接收：%1 · 拒收：%2 · 冲突：%3</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Fetching the roster and new assignments…</source>
        <translation>正在获取人员名册和新的稽核任务……</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Uploading evidence of %1: %2 of %3 MB</source>
        <translation>正在上传“%1”的证据：%2 / %3 MB</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Sending the journal of %1</source>
        <translation>正在发送“%1”的日志</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Finishing…</source>
        <translation>正在完成……</translation>
    </message>
</context>
<context>
    <name>UnlockPage</name>
    <message>
        <location filename="../../app/ui/unlock.py" line="-74"/>
        <source>Choose a profile folder</source>
        <translation>选择配置文件夹</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Medical insurance audit — on-site evidence</source>
        <translation>医保稽核现场取证</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Two inspectors must be present. Each unlocks with their own passphrase.</source>
        <translation>须有两名稽核人员在场，各自使用本人口令解锁。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>P&amp;rofile</source>
        <translation>配置文件(&amp;R)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open other...</source>
        <translation>打开其他……</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No inspector is enrolled in this profile yet. Enrol two inspectors first (python -m app.cli enroll).</source>
        <translation>此配置文件尚未登记稽核人员。请先登记两名稽核人员（python -m app.cli enroll）。</translation>
    </message>
</context>
</TS>
