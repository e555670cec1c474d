"""Make the files a release leaves for the upgrade tests: a laptop profile and the archive it synced to.

Run once per release, with that release checked out, and commit the result:

    python3 tests/data/make_release_data.py tests/data/release-X.Y.Z

Everything goes through the release's own command line (init, enroll, register, sync; archive, admin
enrolment-code, admin cases add), plus one small photo captured through ``app.evidence.capture`` (the CLI has no
capture command), so the files are exactly what that release writes. The passphrases are in ``PASSPHRASES`` below;
``tests/models/test_upgrade.py`` and ``tests/archive/test_upgrade.py`` open every ``release-*`` directory.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASES = ("release-data-passphrase-1", "release-data-passphrase-2")


def run(*args: str) -> str:
    r = subprocess.run([sys.executable, *args], check=False, capture_output=True, text=True, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({r.returncode}): {r.stderr}")
    return r.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def capture_photo(profile: Path, case_id: str) -> None:
    sys.path.insert(0, str(ROOT))
    from PIL import Image

    from app.evidence.capture import CaptureMeta, CaptureSource, capture
    from app.models.profile import Profile

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(buf, "JPEG", quality=80)
    store = Profile.open(profile).unlock(PASSPHRASES[0])
    try:
        store.unlock_inspector(PASSPHRASES[1])
        capture(store, case_id, [CaptureSource(name="现场照片.jpg", data=buf.getvalue())],
                CaptureMeta(kind="audiovisual", measure="onsite_inspection", title="药房货架", place="一楼药房",
                            source="检查人员现场拍摄"))
    finally:
        store.close()


def main(out: Path) -> None:
    if out.exists():
        raise SystemExit(f"{out} exists; a release's files are never remade")
    work = Path(tempfile.mkdtemp(prefix="fa-release-"))
    os.chmod(work, 0o700)
    profile, data = work / "profile", work / "archive"
    p1, p2, code = work / "p1", work / "p2", work / "code"
    for path, secret in ((p1, PASSPHRASES[0]), (p2, PASSPHRASES[1])):
        path.write_text(secret + "\n", encoding="utf-8")
    run("-m", "app.cli", "init", str(profile))
    run("-m", "app.cli", "enroll", str(profile), "--name", "王建国", "--credential", "42010020260001",
        "--org", "某市医疗保障基金稽核中心", "--passphrase-file", str(p1))
    run("-m", "app.cli", "enroll", str(profile), "--name", "李晓梅", "--credential", "42010020260002",
        "--org", "某市医疗保障基金稽核中心", "--passphrase-file", str(p2), "--unlock-file", str(p1))
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "archive", "--data", str(data), "--port", str(port)],
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        code.write_text(run("-m", "archive", "admin", "enrolment-code", str(data)).strip(), encoding="utf-8")
        run("-m", "app.cli", "register", str(profile), "--archive", url, "--code-file", str(code),
            "--passphrase-file", str(p1), "--passphrase-file", str(p2))
        run("-m", "app.cli", "roster", str(profile), "--out", str(work / "roster.json"), "--passphrase-file", str(p1))
        inspectors = [i["id"] for i in json.loads((work / "roster.json").read_text("utf-8"))["inspectors"]]
        case_id = json.loads(run("-m", "archive", "admin", "cases", "add", str(data), "--institution-name",
                                 "某市虚构第一人民医院", "--inspector", inspectors[0], "--inspector", inspectors[1],
                                 "--title", "升级测试用案件"))["id"]
        run("-m", "app.cli", "sync", str(profile), "--archive", url, "--passphrase-file", str(p1))
        capture_photo(profile, case_id)
        run("-m", "app.cli", "sync", str(profile), "--archive", url, "--passphrase-file", str(p1))
    finally:
        server.terminate()
        server.wait(30)
    with sqlite3.connect(data / "archive.db") as db:  # fold the WAL in: one self-contained file to commit
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    out.mkdir(parents=True)
    shutil.copytree(profile, out / "profile", ignore=shutil.ignore_patterns("logs", "*.lock", ".lock"))
    shutil.copytree(data, out / "archive", ignore=shutil.ignore_patterns("logs", "*-wal", "*-shm"))
    (out / "case_id").write_text(case_id + "\n", encoding="utf-8")
    shutil.rmtree(work)
    print(out)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
