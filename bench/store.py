"""Blob ingest throughput and open-to-first-query time of a large store.

1. Ingest of one large file into the encrypted blob store (AES-256-GCM chunks + SHA-256 in one pass, files beside
   the database) beside a raw copy + SHA-256 of the same bytes in the same run (target ≥ 50 %), and beside the
   alternative design: the same chunks as BLOB rows inside the SQLCipher database. This is the measurement behind
   the choice of blob files (recorded in the closing note).
2. Open-to-first-query of a store holding N cases (default 10,000): KDF + integrity check + first case list.

    python bench/store.py [--mb 256] [--cases 10000]

Last line: one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text

from app.evidence.blobstore import CHUNK_SIZE, BlobStore
from app.ids import uuid7
from app.models.profile import Profile, utc_now
from app.models.schema import Case, CaseInspector, Institution
from app.workflow.cases import list_cases

PASS = "benchmark passphrase"


def make_file(path: Path, mb: int) -> None:
    block = os.urandom(1 << 20)
    with open(path, "wb") as fh:
        for i in range(mb):
            fh.write(block[:-8] + i.to_bytes(8, "big"))


def raw_copy(src: Path, dst: Path) -> float:
    t = time.perf_counter()
    h = hashlib.sha256()
    with open(src, "rb") as i, open(dst, "wb") as o:
        while chunk := i.read(CHUNK_SIZE):
            h.update(chunk)
            o.write(chunk)
        o.flush()
        os.fsync(o.fileno())
    return time.perf_counter() - t


def in_db_ingest(store: object, src: Path) -> float:
    assert hasattr(store, "engine")
    engine = store.engine
    with engine.begin() as c:
        c.execute(text("CREATE TABLE IF NOT EXISTS bench_chunks (blob TEXT, idx INTEGER, data BLOB)"))
    t = time.perf_counter()
    h = hashlib.sha256()
    with engine.begin() as c, open(src, "rb") as fh:
        i = 0
        while chunk := fh.read(CHUNK_SIZE):
            h.update(chunk)
            c.execute(text("INSERT INTO bench_chunks VALUES (:b, :i, :d)"), {"b": "x", "i": i, "d": chunk})
            i += 1
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=256)
    ap.add_argument("--cases", type=int, default=10000)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-store-"))
    try:
        src = work / "input.bin"
        make_file(src, args.mb)
        profile = Profile.init(work / "profile")
        inspector = profile.enroll("甲", "C1", "Org", PASS)
        profile.enroll("乙", "C2", "Org", PASS + "2", unlock_passphrase=PASS)
        raw = min(raw_copy(src, work / "copy.bin") for _ in range(2))
        store = profile.unlock(PASS)
        bs = BlobStore(store)
        times = []
        for rep in range(2):  # the second run changes one byte, so it stores a new blob (no dedup shortcut)
            with open(src, "rb") as fh, store.transaction() as s:
                t = time.perf_counter()
                bs.ingest(s, _Salted(fh, rep) if rep else fh)
                times.append(time.perf_counter() - t)
        ingest = min(times)
        in_db = in_db_ingest(store, src)
        mb = args.mb
        print(f"raw copy + SHA-256     {mb / raw:8.1f} MB/s")
        print(f"blob files (chosen)    {mb / ingest:8.1f} MB/s   ratio {raw / ingest:.2f}")
        print(f"chunks in SQLCipher    {mb / in_db:8.1f} MB/s   ratio {raw / in_db:.2f}")

        # A store with many cases: insert directly (the journal is not what is measured here).
        with store.transaction() as s:
            inst_ids = []
            for i in range(200):
                inst = Institution(id=uuid7(), name=f"某市第{i}医院", kind="designated_hospital")
                s.add(inst)
                inst_ids.append(inst.id)
            s.flush()
            now = utc_now()
            rows = [{"id": uuid7(), "kind": "routine", "form": "onsite", "institution_id": inst_ids[i % 200],
                     "status": "assigned", "step": "arrival", "created": now, "data": "{}", "title": f"稽核 {i}"}
                    for i in range(args.cases)]
            s.execute(insert(Case), rows)
            s.execute(insert(CaseInspector), [{"case_id": r["id"], "inspector_id": inspector, "position": 0}
                                              for r in rows])
        store.close()
        t = time.perf_counter()
        store = profile.unlock(PASS)
        t_open = time.perf_counter() - t
        t = time.perf_counter()
        with store.session() as s:
            n = len(list_cases(s))
        t_query = time.perf_counter() - t
        store.close()
        print(f"open (KDF + integrity check) with {n} cases: {t_open:.3f} s; first case list: {t_query:.3f} s")
        print(json.dumps({
            "ingest_mb_s": round(mb / ingest, 1), "raw_copy_sha256_mb_s": round(mb / raw, 1),
            "ratio": round(raw / ingest, 3), "in_sqlcipher_mb_s": round(mb / in_db, 1),
            "in_sqlcipher_ratio": round(raw / in_db, 3), "cases": n, "open_s": round(t_open, 3),
            "first_query_s": round(t_query, 3), "open_to_first_query_s": round(t_open + t_query, 3),
        }))
    finally:
        shutil.rmtree(work, ignore_errors=True)


class _Salted:
    """The same bytes with the first byte changed."""

    def __init__(self, fh: object, salt: int) -> None:
        self.fh = fh
        self.first = True
        self.salt = salt

    def read(self, n: int = -1) -> bytes:
        data: bytes = self.fh.read(n)  # type: ignore[attr-defined]
        if self.first and data:
            self.first = False
            return bytes([data[0] ^ self.salt]) + data[1:]
        return data


if __name__ == "__main__":
    main()
