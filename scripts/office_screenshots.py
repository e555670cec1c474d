"""Screenshots of every page of the office's web view at 1366×768, into docs/screenshots/office/.

A demo laptop syncs into a fresh archive, office users are added, the case is taken through a few steps after
the visit and a 双随机 draw is made; headless Debian chromium (selenium) then visits each page.

    python3 scripts/office_screenshots.py [--out docs/screenshots/office]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.archive.helpers import ArchiveProcess  # noqa: E402

PW = "reviewer-pass-1"


def run(*args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, *args], cwd=REPO, env=env, check=True, capture_output=True,
                          text=True).stdout


def printed_code(data: Path) -> str:
    """The 核验码 of the first page the demo printed (as a reviewer would type it from the paper)."""
    import json

    from sqlalchemy import select

    from archive.db import StoredObject
    from archive.service import open_archive

    archive = open_archive(data, create=False)
    try:
        with archive.db.read() as s:
            body = s.execute(select(StoredObject.body).where(StoredObject.kind == "document.printed")).scalars().first()
    finally:
        archive.db.dispose()
    return str(json.loads(body)["pages"][0]["code"]) if body else ""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots" / "office")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        os.umask(0o077)
        (tmp / "p1").write_text("demo-passphrase-1\n")
        (tmp / "p2").write_text("demo-passphrase-2\n")
        (tmp / "pw").write_text(PW + "\n")
        run("-m", "app.cli", "demo", str(tmp / "profile"), "--passphrase-file", str(tmp / "p1"),
            "--passphrase-file", str(tmp / "p2"))
        proc = ArchiveProcess(tmp / "archive").start()
        try:
            (tmp / "code").write_text(proc.admin("enrolment-code").stdout)
            run("-m", "app.cli", "register", str(tmp / "profile"), "--archive", proc.url, "--code-file",
                str(tmp / "code"), "--passphrase-file", str(tmp / "p1"), "--passphrase-file", str(tmp / "p2"))
            proc.admin("institutions", "add", "--name", "某市第三人民医院（演示）")
            proc.admin("institutions", "add", "--name", "某区社区卫生服务中心（演示）")
            run("-m", "app.cli", "sync", str(tmp / "profile"), "--archive", proc.url, "--passphrase-file",
                str(tmp / "p1"))
            for login, role in (("钱科长", "head"), ("赵审核", "legal")):
                proc.admin("users", "add", "--name", login, "--login", login, "--role", role, "--password-file",
                           str(tmp / "pw"))
            options = Options()
            for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                      "--disable-background-networking", "--disable-component-update", "--disable-sync",
                      "--window-size=1366,768", "--hide-scrollbars"):
                options.add_argument(a)
            options.binary_location = "/usr/bin/chromium"
            d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
            try:
                def shot(name: str) -> None:
                    time.sleep(0.3)
                    d.save_screenshot(str(args.out / f"{name}.png"))

                def login(name: str) -> None:
                    d.delete_all_cookies()
                    d.get(proc.url + "/office/login")
                    d.find_element(By.ID, "login").send_keys(name)
                    d.find_element(By.ID, "password").send_keys(PW)
                    d.find_element(By.ID, "submit").click()
                    time.sleep(0.5)

                d.get(proc.url + "/office/login")
                shot("01-login")
                login("钱科长")
                shot("02-cases")
                d.find_element(By.CSS_SELECTOR, "#cases a").click()
                time.sleep(0.5)
                case_url = d.current_url
                shot("03-case-top")
                def step(stage: str, **fields: str) -> None:
                    """Fill a step's form on the case page and send it (a checkbox is ticked by "yes")."""
                    d.get(case_url)
                    forms = d.find_elements(By.CSS_SELECTOR, f"#form-{stage}")
                    if not forms:
                        return  # a step this case does not have (e.g. no 集体讨论 required)
                    for name, value in fields.items():
                        field = forms[0].find_element(By.CSS_SELECTOR, f"[name={name}]")
                        if field.get_attribute("type") == "checkbox":
                            field.click()
                        elif field.tag_name == "select":
                            field.send_keys(value)
                        else:
                            field.send_keys(value)
                    forms[0].find_element(By.CSS_SELECTOR, "button").click()
                    time.sleep(0.3)

                step("filed", on="2026-11-02")
                step("investigated", on="2026-11-05")
                d.get(case_url + "#procedure")
                shot("04-case-procedure")
                d.get(case_url + "#evidence")
                d.execute_script("document.getElementById('evidence').scrollIntoView()")
                shot("05-case-evidence")
                d.execute_script("document.getElementById('checkpoints').scrollIntoView()")
                shot("06-case-records-checkpoints")
                d.get(case_url)
                link = next(a for a in d.find_elements(By.CSS_SELECTOR, "a.document") if "笔录" in a.text)
                d.get(link.get_attribute("href"))
                shot("11-record-as-signed")
                d.get(proc.url + "/office/paper?code=" + printed_code(tmp / "archive"))
                shot("12-paper-lookup")
                d.get(proc.url + "/office/ledger")
                shot("07-ledger")
                d.get(proc.url + "/office/draws")
                d.find_element(By.CSS_SELECTOR, "#draw-form button").click()
                time.sleep(0.5)
                shot("08-draws")
                login("赵审核")
                d.get(case_url + "#procedure")
                shot("09-legal-review-form")
                step("legal_review", on="2026-11-06", opinion="事实清楚，证据确凿，依据正确")  # result: 通过 (the default)
                d.get(proc.url + "/office/cases/no-such-case")
                shot("10-refusal")
                login("钱科长")
                d.get(case_url)
                if "须集体讨论：是" in d.page_source:
                    step("collective", on="2026-11-06")
                step("notified", on="2026-11-09")
                step("suspended", on="2026-11-10", reason="当事人申请延期提交材料")
                d.get(case_url)
                d.execute_script("document.getElementById('procedure').scrollIntoView()")
                shot("13-case-suspended")
                step("hearing_requested", on="2026-11-11")
                shot("14-refused-while-suspended")
                step("resumed", on="2026-11-11", reason="材料已提交")
                step("hearing_requested", on="2026-11-11")
                step("hearing_scheduled", on="2026-11-12", hearing_on="2026-11-24", place="局三楼听证室",
                     presiding="周法规")
                step("extended", on="2026-11-20", days="30", reason="听证后需补充调查", approver="孙局长",
                     basis="本机关适用的行政处罚程序规章的延期条款")
                d.get(case_url)
                d.execute_script("document.getElementById('procedure').scrollIntoView()")
                shot("15-case-hearing-extension")
                step("hearing_held", on="2026-11-24", summary="当事人到场陈述，未提出新的证据")
                step("decided", on="2026-11-25", decision="责令退回违规使用的医保基金，自收到本决定书之日起十五日内履行。",
                     amount="1280.16")
                step("served", on="2026-11-26", method="直接送达", recipient="当事人", place="医院行政楼",
                     servers="李晓梅、王建国")
                d.get(case_url)
                d.execute_script("document.getElementById('step-signatures').scrollIntoView()")
                shot("16-case-decided-signatures")
                import httpx

                jar = {c["name"]: c["value"] for c in d.get_cookies()}
                pdf = httpx.get(case_url + "/outcome/decision.pdf", cookies=jar, timeout=120)
                if pdf.status_code == 200:
                    (tmp / "decision.pdf").write_bytes(pdf.content)
                    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                                    str(tmp / "decision.pdf"), str(args.out / "17-decision-pdf")], check=True)
                else:
                    print("decision.pdf:", pdf.status_code, pdf.text[:300], file=sys.stderr)
            finally:
                d.quit()
        finally:
            proc.kill()
    print(f"screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
