"""The archive at provincial scale: fill an archive with CASES cases and LEAVES journal leaves (synthetic but
signed like a laptop's, stored through the archive's own push code), then measure, on SQLite and on PostgreSQL:

* push latency (p50/p95) of a laptop pushing small incremental batches over HTTP to the full archive, against
  the same pushes to an empty archive in the same run (``push_ratio_p50`` = full / empty);
* ``admin verify`` of the whole archive: wall time, peak memory (a child process, ``wait4``), µs per leaf;
* the office's case list query (every case with its journal size, newest first, one page of 50): median time.

    python bench/archive_scale.py [--cases 1000] [--leaves 1000000] [--databases sqlite,postgresql]

PostgreSQL comes from ``FIELDAUDIT_TEST_PG_URL`` or is started with ``archive/tests_pg.sh``. The last line is one
JSON object of the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select

from app.evidence import merkle
from app.evidence.canonical import canonical_bytes, canonical_sha256
from app.evidence.signing import b64, sign_object
from app.sync.protocol import CTX_JOURNAL, PushRequest
from archive.db import Case, Device, DeviceInspector, Inspector, LogHead, bump_counter, utcnow
from archive.push import push
from archive.requestauth import AuthedDevice
from archive.service import Archive, open_archive
from tests.archive.helpers import REPO, ArchiveProcess, Journal, Laptop


class FastJournal(Journal):
    """The test helpers' journal with its leaf hashes kept as they are appended (theirs recomputes them all)."""

    def __init__(self, laptop: Laptop, case_id: str | None = None) -> None:
        super().__init__(laptop, case_id)
        self._hashes: list[bytes] = []

    def hashes(self, upto: int | None = None) -> list[bytes]:
        return self._hashes[:upto]

    def append(self, type_: str, payload: Any, actor: Any = None) -> dict[str, Any]:
        actor = actor or self.laptop.inspectors[len(self.leaves) % 2]
        seq = len(self.leaves)
        sha = canonical_sha256(payload)
        self.payloads[sha] = payload
        entry = {"v": 1, "log": self.case_id, "seq": seq, "device": self.laptop.device_id, "actor": actor.id,
                 "type": type_, "time": "2026-11-23T09:30:00.123Z", "mono_ns": 1000 + seq, "boot": "b",
                 "payload_sha256": sha, "prev": self._hashes[-1].hex() if self._hashes else ""}
        leaf = {"entry": entry, "sig": sign_object(actor.key, actor.id, CTX_JOURNAL, entry)}
        self.leaves.append(leaf)
        self._hashes.append(merkle.leaf_hash(canonical_bytes(leaf)))
        return leaf


def enrol_directly(archive: Archive, laptop: Laptop) -> None:
    """The laptop's device and inspectors as registration would record them (no HTTP, no enrolment code)."""
    now = utcnow()
    with archive.db.write() as s:
        for i in laptop.inspectors:
            s.add(Inspector(id=i.id, name=i.name, credential_no=i.credential_no, organisation=i.organisation,
                            public_key=b64(i.key.public_raw()), created_at=now, version=bump_counter(s, "roster")))
        s.add(Device(id=laptop.device_id, name="bench", public_key=laptop.public_key, created_at=now,
                     version=bump_counter(s, "roster")))
        s.flush()
        for i in laptop.inspectors:
            s.add(DeviceInspector(device_id=laptop.device_id, inspector_id=i.id))


def fill(archive: Archive, laptop: Laptop, cases: int, leaves: int) -> dict[str, FastJournal]:
    """``cases`` journals totalling ``leaves`` leaves, pushed through the archive's push code in batches."""
    dev = AuthedDevice(laptop.device_id, frozenset(i.id for i in laptop.inspectors), "")
    per_case = max(2, leaves // cases)
    journals: dict[str, FastJournal] = {}
    started = time.perf_counter()
    for c in range(cases):
        j = FastJournal(laptop)
        j.append("case.created", {"case": j.case_id, "institution": {"name": f"第{c}家定点医疗机构"}})
        while len(j.leaves) < per_case:
            j.append("note.added", {"case": j.case_id, "n": len(j.leaves), "text": f"现场记录第{len(j.leaves)}条"})
            if len(j.leaves) - j.pushed >= 2000:
                push(archive, dev, PushRequest.model_validate(j.batch()))
                j.pushed = len(j.leaves)
        push(archive, dev, PushRequest.model_validate(j.batch()))
        j.pushed = len(j.leaves)
        journals[j.case_id] = j
        if c % max(1, cases // 10) == 0:
            done = (c + 1) * per_case
            rate = done / (time.perf_counter() - started)
            sys.stderr.write(f"  filled {c + 1}/{cases} cases, {done} leaves, {rate:.0f} leaves/s\n")
    return journals


def push_latencies(proc: ArchiveProcess, laptop: Laptop, journals: dict[str, FastJournal], n: int,
                   seed: int) -> list[float]:
    rng = random.Random(seed)
    ids = sorted(journals)
    out: list[float] = []
    with Laptop(proc.url, laptop.device_id, laptop.key, laptop.inspectors).client() as c:
        for k in range(n):
            j = journals[rng.choice(ids)]
            for m in range(5):
                j.append("note.added", {"case": j.case_id, "bench": k, "m": m})
            batch = j.batch()
            t0 = time.perf_counter()
            r = c.post("/v1/push", json=batch)
            out.append(time.perf_counter() - t0)
            if r.status_code != 200:
                raise RuntimeError(f"push refused: {r.text[:300]}")
            j.pushed = len(j.leaves)
    return out


def admin_verify(data: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "archive", "admin", "verify", str(data)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - t0
    report = json.loads(out)
    return {"ok": report["ok"], "seconds": round(elapsed, 2), "peak_mib": round(usage.ru_maxrss / 1024, 1),
            "leaves": report["leaves"]}


def case_list_query(archive: Archive, repeats: int = 7) -> float:
    """The office's case list: one page of 50 cases, newest first, with each journal's size; and the total."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        with archive.db.read() as s:
            size = func.coalesce(func.sum(LogHead.size), 0).label("size")
            page = s.execute(
                select(Case.id, Case.created_at, size)
                .outerjoin(LogHead, LogHead.case_id == Case.id)
                .group_by(Case.id, Case.created_at)
                .order_by(Case.created_at.desc(), Case.id)
                .limit(50)
            ).all()
            total = s.execute(select(func.count()).select_from(Case)).scalar_one()
        times.append(time.perf_counter() - t0)
        assert len(page) == min(50, total)
    return statistics.median(times)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_one(kind: str, url: str | None, work: Path, cases: int, leaves: int, pushes: int) -> dict[str, Any]:
    sys.stderr.write(f"== {kind}: {cases} cases, {leaves} leaves\n")
    figures: dict[str, Any] = {}
    for label, n_cases, n_leaves in (("empty", 2, 10), ("full", cases, leaves)):
        data = work / f"{kind}-{label}"
        db_url = url(label) if callable(url) else None
        archive = open_archive(data, db_url, create=True)
        laptop = Laptop("http://unused")
        enrol_directly(archive, laptop)
        t0 = time.perf_counter()
        journals = fill(archive, laptop, n_cases, n_leaves)
        fill_s = time.perf_counter() - t0
        if label == "full":
            figures["fill_seconds"] = round(fill_s, 1)
            figures["fill_leaves_per_s"] = round(n_leaves / fill_s)
            figures["case_list_ms"] = round(case_list_query(archive) * 1000, 2)
        archive.db.dispose()
        proc = ArchiveProcess(data, db_url).start()
        try:
            lat = push_latencies(proc, laptop, journals, pushes, seed=7)
        finally:
            proc.kill()
        figures[f"push_p50_ms_{label}"] = round(pct(lat, 0.5) * 1000, 1)
        figures[f"push_p95_ms_{label}"] = round(pct(lat, 0.95) * 1000, 1)
        if label == "full":
            v = admin_verify(data)
            figures["verify_ok"] = v["ok"]
            figures["verify_seconds"] = v["seconds"]
            figures["verify_peak_mib"] = v["peak_mib"]
            figures["verify_us_per_leaf"] = round(v["seconds"] * 1e6 / max(1, v["leaves"]), 1)
            figures["leaves"] = v["leaves"]
    figures["push_ratio_p50"] = round(figures["push_p50_ms_full"] / figures["push_p50_ms_empty"], 2)
    return figures


def _pg_factory() -> tuple[Any, Any]:
    """A function giving a fresh database URL per archive, and a stopper."""
    import psycopg

    base = os.environ.get("FIELDAUDIT_TEST_PG_URL")
    stop = None
    if not base:
        out = subprocess.run(["bash", str(REPO / "archive" / "tests_pg.sh"), "start"], capture_output=True,
                             text=True, check=True).stdout
        env = dict(line.removeprefix("export ").split("=", 1) for line in out.splitlines() if "=" in line)
        env = {k: v.strip("'\"") for k, v in env.items()}
        base = env["FIELDAUDIT_TEST_PG_URL"]
        pg_dir = env.get("FIELDAUDIT_TEST_PG_DIR", "")

        def stop() -> None:
            subprocess.run(["bash", str(REPO / "archive" / "tests_pg.sh"), "stop", pg_dir], check=False)

    def new_url(_label: str) -> str:
        name = "bench_" + uuid.uuid4().hex[:10]
        with psycopg.connect(base.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return base.rsplit("/", 1)[0] + "/" + name

    return new_url, stop


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--leaves", type=int, default=1_000_000)
    ap.add_argument("--pushes", type=int, default=40)
    ap.add_argument("--databases", default="sqlite,postgresql")
    args = ap.parse_args()
    result: dict[str, Any] = {"bench": "archive_scale", "cases": args.cases, "leaves": args.leaves}
    with tempfile.TemporaryDirectory(prefix="fa-scale-") as tmp:
        for kind in args.databases.split(","):
            if kind == "sqlite":
                result["sqlite"] = run_one("sqlite", None, Path(tmp), args.cases, args.leaves, args.pushes)
            elif kind == "postgresql":
                new_url, stop = _pg_factory()
                try:
                    result["postgresql"] = run_one("postgresql", new_url, Path(tmp), args.cases, args.leaves,
                                                   args.pushes)
                finally:
                    if stop:
                        stop()
            sys.stderr.write(json.dumps(result.get(kind), ensure_ascii=False) + "\n")
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
