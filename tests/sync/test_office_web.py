"""The office's web view in a real browser (Debian's chromium + chromedriver, driven with selenium) against a
real archive that a real laptop client synced in the same test: login, lockout, the case list, a case page
verified by verify's rules, a photo viewed and an original downloaded byte for byte, an inspector who only
sees their own cases, CSRF and cross-site refusals, and the hash-chained office log."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from archive.office.auth import verify_log
from archive.service import open_archive
from tests.archive.helpers import ArchiveProcess
from tests.sync.conftest import DemoProfile
from tests.sync.helpers import register_and_sync

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="needs Debian's chromium and chromium-driver (installed by .ci/run)")
PASSWORD = "reviewer-pass-1"


@pytest.fixture
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1366,768"):
        options.add_argument(arg)
    options.binary_location = str(CHROMIUM)
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def add_user(archive: ArchiveProcess, tmp_path: Path, login: str, role: str, *extra: str) -> None:
    pw = tmp_path / f"{login}.pw"
    pw.write_text(PASSWORD + "\n", encoding="utf-8")
    archive.admin("users", "add", "--name", login, "--login", login, "--role", role, "--password-file", str(pw),
                  *extra)


def log_in(driver: Any, base: str, login: str, password: str = PASSWORD) -> None:
    from selenium.webdriver.common.by import By

    driver.get(base + "/office/login")
    driver.find_element(By.ID, "login").send_keys(login)
    driver.find_element(By.ID, "password").send_keys(password)
    click_and_wait(driver, driver.find_element(By.ID, "submit"))


def click_and_wait(driver: Any, element: Any) -> None:
    """Click, then wait until the page the click leads to has replaced this one."""
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    page = driver.find_element("tag name", "html")
    element.click()
    WebDriverWait(driver, 30).until(ec.staleness_of(page))


def test_reviewer_sees_verified_case_views_photo_and_downloads_original(
    demo: DemoProfile, archive: ArchiveProcess, tmp_path: Path, browser: Any
) -> None:
    from selenium.webdriver.common.by import By

    register_and_sync(demo, archive, tmp_path)
    add_user(archive, tmp_path, "zhao", "legal")
    add_user(archive, tmp_path, "wang", "inspector", "--inspector", demo.inspectors[0])
    add_user(archive, tmp_path, "stranger", "inspector", "--inspector", "not-on-any-case")
    base = archive.url

    # a wrong password is refused with words that do not say whether the login exists
    log_in(browser, base, "zhao", "wrong password")
    assert "登录名或口令错误" in browser.find_element(By.ID, "login-error").text
    log_in(browser, base, "nobody", "wrong password")
    assert "登录名或口令错误" in browser.find_element(By.ID, "login-error").text

    log_in(browser, base, "zhao")
    rows = browser.find_elements(By.CSS_SELECTOR, "#cases a")
    assert any("某市虚构第一人民医院" in r.text for r in rows)
    click_and_wait(browser, next(r for r in rows if "某市虚构第一人民医院" in r.text))
    assert demo.case_id in browser.current_url
    assert "通过 passed" in browser.find_element(By.ID, "verification").text
    # every photo thumbnail the page shows has loaded (decoded by the browser)
    images = browser.find_elements(By.CSS_SELECTOR, "#evidence img")
    assert len(images) >= 3
    assert all(browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", i)
               for i in images)
    # the photo opens on its own
    click_and_wait(browser, images[0].find_element(By.XPATH, ".."))
    assert browser.execute_script("return document.images.length && document.images[0].naturalWidth") > 100
    browser.back()
    assert len(browser.find_elements(By.CSS_SELECTOR, "#records tr")) >= 3  # header + onsite + interview
    # a record as the party read and signed it: its issued pages' exact text
    record_link = next(a for a in browser.find_elements(By.CSS_SELECTOR, "a.document") if "笔录" in a.text)
    click_and_wait(browser, record_link)
    pages = browser.find_elements(By.CSS_SELECTOR, ".page pre")
    assert pages and "笔录" in pages[0].text and "以下空白" in "".join(p.text for p in pages)
    browser.back()
    assert browser.find_elements(By.CSS_SELECTOR, "#checkpoints tr")[1:]
    assert "拒绝签名" in browser.find_element(By.ID, "provider").text

    # the original downloads byte for byte as its hash says, with the session's cookie only
    link = browser.find_elements(By.CSS_SELECTOR, "a.download")[0].get_attribute("href")
    cookies = {c["name"]: c["value"] for c in browser.get_cookies()}
    r = httpx.get(link, cookies=cookies)
    assert r.status_code == 200
    assert hashlib.sha256(r.content).hexdigest() == r.headers["X-FieldAudit-SHA256"] == link.split("/")[-1][:64]
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert httpx.get(link).status_code in (303, 200) and httpx.get(link).content != r.content  # no cookie: login
    # a blob of the archive that is not this case's is not served through it
    other = httpx.get(f"{base}/office/cases/{demo.case_id}/blobs/{'0' * 64}", cookies=cookies)
    assert other.status_code == 404

    # a printed page looked up by its 核验码
    handle = open_archive(archive.data, create=False)
    try:
        from sqlalchemy import select

        from archive.db import StoredObject

        with handle.db.read() as s:
            printed = [json.loads(b) for b in s.execute(select(StoredObject.body).where(
                StoredObject.kind == "document.printed", StoredObject.case_id == demo.case_id)).scalars()]
    finally:
        handle.db.dispose()
    page = next(p for b in printed for p in b.get("pages") or [])
    browser.get(base + "/office/paper")
    browser.find_element(By.ID, "code").send_keys(page["code"].lower().replace("-", " "))
    click_and_wait(browser, browser.find_element(By.ID, "lookup"))
    result = browser.find_element(By.ID, "paper-result").text
    assert "某市虚构第一人民医院" in result and page["sha256"] in result

    # CSRF: a form post without the token, or from another site, is refused
    assert httpx.post(base + "/office/logout", cookies=cookies, data={}).status_code == 403
    assert httpx.post(base + "/office/logout", cookies=cookies,
                      headers={"Origin": "http://evil.example"}).status_code == 403

    # an inspector sees the cases they were on, nothing else
    browser.delete_all_cookies()
    log_in(browser, base, "wang")
    assert any("某市虚构第一人民医院" in r.text for r in browser.find_elements(By.CSS_SELECTOR, "#cases a")), \
        browser.page_source[:3000]
    browser.delete_all_cookies()
    log_in(browser, base, "stranger")
    assert browser.find_elements(By.CSS_SELECTOR, "#cases a") == []
    browser.get(f"{base}/office/cases/{demo.case_id}")
    assert "无权查看" in browser.find_element(By.ID, "refusal").text
    browser.get(f"{base}/office/paper?code={page['code']}")
    assert "没有核验码为" in browser.find_element(By.ID, "paper-result").text  # not a page of their cases

    # five wrong passwords lock the account, even against the right one
    for _ in range(5):
        httpx.post(base + "/office/login", data={"login": "zhao", "password": "guess"})
    r = httpx.post(base + "/office/login", data={"login": "zhao", "password": PASSWORD})
    assert r.status_code == 401 and "登录名或口令错误" in r.text

    # the office log holds every step, chained
    archive_handle = open_archive(archive.data, create=False)
    try:
        with archive_handle.db.read() as s:
            assert verify_log(s) == []
            from sqlalchemy import select

            from archive.office.models import OfficeLogEntry

            actions = [row.action for row in s.execute(select(OfficeLogEntry).order_by(OfficeLogEntry.seq))
                       .scalars()]
    finally:
        archive_handle.db.dispose()
    for needed in ("user.added", "login.failed", "login.unknown", "login", "case.viewed", "blob.viewed",
                   "blob.downloaded", "login.lockout", "login.locked"):
        assert needed in actions, needed
    assert json.dumps(actions)


def do_step(driver: Any, base: str, case_id: str, stage: str, **fields: str) -> str:
    """Fill and submit the form of ``stage`` on the case page; returns the answer page's text."""
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/office/cases/{case_id}")
    form = driver.find_element(By.ID, f"form-{stage}")
    for name, value in fields.items():
        el = form.find_element(By.NAME, name)
        if el.get_attribute("type") == "checkbox":
            if value == "yes" and not el.is_selected():
                el.click()
        elif el.tag_name == "select":
            from selenium.webdriver.support.ui import Select

            Select(el).select_by_value(value)
        else:
            el.clear()
            el.send_keys(value)
    click_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button"))
    return str(driver.find_element(By.TAG_NAME, "body").text)


def test_the_case_after_the_visit_to_closing(demo: DemoProfile, archive: ArchiveProcess, tmp_path: Path,
                                             browser: Any) -> None:
    from selenium.webdriver.common.by import By

    register_and_sync(demo, archive, tmp_path)
    add_user(archive, tmp_path, "head", "head")
    add_user(archive, tmp_path, "zhao", "legal")
    add_user(archive, tmp_path, "insider", "legal", "--inspector", demo.inspectors[1])  # on the case team
    base, case = archive.url, demo.case_id

    log_in(browser, base, "head")
    text = do_step(browser, base, case, "decided", decision="追回", amount="1")
    assert "须先完成" in text  # nothing is decided before 立案
    for stage in ("filed", "investigated"):
        text = do_step(browser, base, case, stage)
        assert "须先完成" not in text and "案件办理" in text, text
    browser.get(f"{base}/office/cases/{case}")
    assert browser.find_elements(By.ID, "form-legal_review") == []  # the head does not review

    browser.delete_all_cookies()
    log_in(browser, base, "insider")
    text = do_step(browser, base, case, "legal_review", result="pass", opinion="同意")
    assert "参与本案调查的人员不得对本案进行法制审核" in text
    browser.delete_all_cookies()
    log_in(browser, base, "zhao")
    text = do_step(browser, base, case, "legal_review", result="pass", opinion="事实清楚，证据确凿，依据正确")
    assert "法制审核" in browser.find_element(By.ID, "steps").text and "通过" in text

    browser.delete_all_cookies()
    log_in(browser, base, "head")
    do_step(browser, base, case, "collective")
    do_step(browser, base, case, "notified")
    text = do_step(browser, base, case, "decided", decision="追回违规费用", amount="128016")
    assert "第六十二条" in text  # not before the defence period ends, unless waived
    do_step(browser, base, case, "decided", decision="追回违规费用", amount="128016", waived="yes")
    do_step(browser, base, case, "served", method="直接送达", recipient="孙演示")
    text = do_step(browser, base, case, "closed")
    assert "一案一卷检查未通过" in text and "执行记录" in text
    do_step(browser, base, case, "executed", amount="128016")
    browser.get(f"{base}/office/cases/{case}")
    assert "一案一卷检查通过" in browser.find_element(By.ID, "file-check").text
    do_step(browser, base, case, "closed")
    assert browser.find_element(By.ID, "stage").text == "结案"
    # every step is a statement signed by the archive key, naming who took it
    archive_handle = open_archive(archive.data, create=False)
    try:
        from sqlalchemy import select

        from app.evidence.signing import verify_object
        from archive.office.models import OfficeStep
        from archive.office.procedure import CTX_OFFICE_STEP

        with archive_handle.db.read() as s:
            steps = [json.loads(r.statement) for r in s.execute(select(OfficeStep).where(OfficeStep.case_id == case)
                                                                 .order_by(OfficeStep.id)).scalars()]
            assert verify_log(s) == []
        pub = archive_handle.key.public_raw()
    finally:
        archive_handle.db.dispose()
    assert [st["statement"]["stage"] for st in steps] == ["filed", "investigated", "legal_review", "collective",
                                                          "notified", "decided", "served", "executed", "closed"]
    assert steps[2]["statement"]["name"] == "zhao" and steps[2]["statement"]["role"] == "legal"
    for st in steps:
        verify_object(st["sig"], CTX_OFFICE_STEP, st["statement"], pub)

    # the ledger: on screen and as XLSX, its totals equal the database's
    cookies = {c["name"]: c["value"] for c in browser.get_cookies()}
    browser.get(f"{base}/office/ledger")
    assert "128,016.00" in browser.find_element(By.ID, "totals").text
    r = httpx.get(f"{base}/office/ledger.xlsx", cookies=cookies, timeout=120)
    assert r.status_code == 200
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    total = rows[-1]
    assert total[0] == "合计" and total[2] == f"{len(rows) - 2} 件"
    handle = open_archive(archive.data, create=False)
    try:
        from sqlalchemy import select

        from archive.db import StoredObject

        with handle.db.read() as s:
            found = [json.loads(b) for b in s.execute(select(StoredObject.body).where(
                StoredObject.kind == "finding.added")).scalars()]
    finally:
        handle.db.dispose()
    assert total[6] == len(found)
    assert round(total[7] * 100) == sum(f["amount_fen"] for f in found)
    assert round(total[8] * 100) == 12801600 and round(total[9] * 100) == 12801600
    # the quarterly report renders, with its two charts
    from archive.db import utcnow
    from archive.office.ledger import quarter_of

    year, quarter = quarter_of(utcnow().date())
    r = httpx.get(f"{base}/office/reports/quarterly.pdf", params={"year": year, "quarter": quarter},
                  cookies=cookies, timeout=180)
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    from pypdf import PdfReader

    pdf = PdfReader(io.BytesIO(r.content))
    assert "季度医保基金稽核工作报告" in pdf.pages[0].extract_text()
    assert len(pdf.pages[0].images) == 2
    assert "某市虚构第一人民医院" in pdf.pages[1].extract_text()
    assert httpx.get(f"{base}/office/reports/quarterly.pdf", params={"year": 1, "quarter": 9},
                     cookies=cookies).status_code == 400
