<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
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
    <name>CrashDialog</name>
    <message>
        <location filename="../../app/ui/application.py" line="+204"/>
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
    <name>ErrorMessages</name>
    <message>
        <location filename="../../app/ui/widgets/errors.py" line="+53"/>
        <source>The operation was not completed</source>
        <translation>操作未完成</translation>
    </message>
    <message>
        <location line="+7"/>
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
    <name>InspectorPanel</name>
    <message>
        <location filename="../../app/ui/unlock.py" line="+160"/>
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
    <name>LockPage</name>
    <message>
        <location line="+239"/>
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
        <location filename="../../app/ui/main_window.py" line="+202"/>
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
        <source>Main toolbar</source>
        <translation>主工具栏</translation>
    </message>
</context>
<context>
    <name>PhotoViewer</name>
    <message>
        <location filename="../../app/ui/widgets/photo_viewer.py" line="+384"/>
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
        <location line="+4"/>
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
        <location filename="../../app/ui/main_window.py" line="-154"/>
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
