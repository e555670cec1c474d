"""Sync benchmark on loopback.

1. Push throughput: N MB of evidence (default 1024) as blobs of 64 MB through the resumable upload protocol
   (signed requests, staging, fsync, re-hash, content-addressed store) followed by the push of the journal and
   manifests that refer to them, against a real ``python -m archive`` process. Baseline, same run, same host:
   a raw HTTP upload of the same bytes (one PUT per blob) to a plain uvicorn sink that writes them to a file.
2. Accepted items/s: 20 concurrent enrolled laptops each pushing batches of signed journal entries with payloads.

The last line printed is one JSON object of the figures (``ratio`` = push / raw).

    python bench/sync.py [--size-mb 1024] [--clients 20] [--batches 10] [--batch-items 20]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.archive.helpers import ArchiveProcess, Journal, Laptop, free_port  # noqa: E402

BLOB_MB = 64
CHUNK = 16 * 1024 * 1024


def sink_app() -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        path = Path(os.environ["SINK_DIR"]) / (os.urandom(8).hex())
        with open(path, "wb") as fh:
            more = True
            while more:
                msg = await receive()
                fh.write(msg.get("body", b""))
                more = msg.get("more_body", False)
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return app


def run_sink(port: int) -> None:
    import uvicorn

    uvicorn.run(sink_app(), host="127.0.0.1", port=port, log_level="warning", access_log=False)


def make_blobs(dir_: Path, size_mb: int) -> list[Path]:
    paths = []
    remaining = size_mb
    i = 0
    while remaining > 0:
        mb = min(BLOB_MB, remaining)
        p = dir_ / f"blob{i}"
        with open(p, "wb") as fh:
            for _ in range(mb):
                fh.write(os.urandom(1024 * 1024))
        paths.append(p)
        remaining -= mb
        i += 1
    return paths


def file_sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def raw_upload(url: str, paths: list[Path]) -> float:
    start = time.perf_counter()
    with httpx.Client(timeout=300) as c:
        for p in paths:

            def body(path: Path = p) -> Any:
                with open(path, "rb") as fh:
                    while chunk := fh.read(CHUNK):
                        yield chunk

            r = c.put(url, content=body(), headers={"Content-Length": str(p.stat().st_size)})
            r.raise_for_status()
    return time.perf_counter() - start


def upload_blob(client: httpx.Client, path: Path, sha: str) -> None:
    size = path.stat().st_size
    r = client.post("/v1/uploads", json={"sha256": sha, "length": size})
    r.raise_for_status()
    state = r.json()
    offset = state["offset"]
    with open(path, "rb") as fh:
        while state["status"] != "complete" and offset < size:
            fh.seek(offset)
            part = fh.read(CHUNK)
            r = client.patch(
                f"/v1/uploads/{state['id']}",
                content=part,
                headers={
                    "Upload-Offset": str(offset),
                    "Content-Type": "application/offset+octet-stream",
                    "FA-Content-SHA256": "UNSIGNED-PAYLOAD",
                },
            )
            r.raise_for_status()
            offset = int(r.headers["Upload-Offset"])
            state["status"] = r.headers["FA-Upload-Status"]


def archive_push(proc: ArchiveProcess, laptop: Laptop, paths: list[Path], parallel: int) -> float:
    hashes = [file_sha(p) for p in paths]  # known on the laptop since capture (in the manifests)
    start = time.perf_counter()
    with laptop.client() as c:
        missing = set(c.post("/v1/blobs/missing", json={"hashes": hashes}).json()["missing"])
    todo = [(p, h) for p, h in zip(paths, hashes, strict=True) if h in missing]

    def work(item: tuple[Path, str]) -> None:
        with laptop.client() as c:
            upload_blob(c, *item)

    with ThreadPoolExecutor(parallel) as pool:
        list(pool.map(work, todo))
    j = Journal(laptop)
    for p, h in zip(paths, hashes, strict=True):
        j.append("evidence.captured", j.manifest(h, size=p.stat().st_size))  # the archive checks the size
    with laptop.client() as c:
        r = c.post("/v1/push", json=j.batch())
        r.raise_for_status()
    return time.perf_counter() - start


def concurrent_items(proc: ArchiveProcess, clients: int, batches: int, per_batch: int) -> dict[str, Any]:
    laptops = []
    for _ in range(clients):
        code = proc.admin("enrolment-code").stdout.strip()
        lap = Laptop(proc.url)
        lap.register(code).raise_for_status()
        laptops.append(lap)
    # prepare all batches first so signing time on the client is not counted against the archive
    prepared: list[list[dict[str, Any]]] = []
    for lap in laptops:
        j = Journal(lap)
        out = []
        for b in range(batches):
            for i in range(per_batch):
                j.append("note.added", {"case": j.case_id, "n": b * per_batch + i, "text": "现场记录" * 8})
            out.append(j.batch())
            j.pushed = len(j.leaves)
        prepared.append(out)
    errors: list[str] = []
    barrier = threading.Barrier(clients + 1)

    def client(idx: int) -> None:
        with laptops[idx].client() as c:
            barrier.wait()
            for batch in prepared[idx]:
                for _attempt in range(20):
                    r = c.post("/v1/push", json=batch)
                    if r.status_code == 429:
                        time.sleep(float(r.headers.get("Retry-After", "1")))
                        continue
                    if r.status_code != 200:
                        errors.append(f"{r.status_code} {r.text[:200]}")
                    break

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    items = clients * batches * per_batch * 2  # a leaf and its payload per entry
    return {"items": items, "seconds": round(elapsed, 3), "items_per_s": round(items / elapsed, 1),
            "batches_per_s": round(clients * batches / elapsed, 1), "errors": len(errors)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--parallel", type=int, default=2, help="parallel blob uploads")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--batches", type=int, default=10)
    ap.add_argument("--batch-items", type=int, default=20)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--sink", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.sink:
        run_sink(args.sink)
        return 0
    work = Path(tempfile.mkdtemp(prefix="fa-bench-sync-"))
    sink = None
    proc = ArchiveProcess(work / "archive", args.database_url,
                          env={"FIELDAUDIT_ARCHIVE_RATE": "100000", "FIELDAUDIT_ARCHIVE_BURST": "100000",
                               "FIELDAUDIT_ARCHIVE_ENROL_BURST": "100000"})
    try:
        blobs_dir = work / "blobs"
        blobs_dir.mkdir()
        paths = make_blobs(blobs_dir, args.size_mb)
        total = sum(p.stat().st_size for p in paths)
        # baseline: raw HTTP upload to a plain sink on the same host
        (work / "sink").mkdir()
        port = free_port()
        sink = subprocess.Popen([sys.executable, __file__, "--sink", str(port)], env={**os.environ,
                                "SINK_DIR": str(work / "sink")})
        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        raw_s = raw_upload(f"http://127.0.0.1:{port}/", paths)
        shutil.rmtree(work / "sink")
        proc.start()
        laptop = Laptop(proc.url)
        laptop.register(proc.admin("enrolment-code").stdout.strip()).raise_for_status()
        push_s = archive_push(proc, laptop, paths, args.parallel)
        conc = concurrent_items(proc, args.clients, args.batches, args.batch_items)
        mb = total / 1e6
        figures = {
            "bytes": total,
            "raw_upload_s": round(raw_s, 3),
            "raw_mb_s": round(mb / raw_s, 1),
            "push_s": round(push_s, 3),
            "push_mb_s": round(mb / push_s, 1),
            "ratio": round(raw_s / push_s, 3),
            "parallel_uploads": args.parallel,
            "clients": args.clients,
            "accepted_items_per_s": conc["items_per_s"],
            "accepted_batches_per_s": conc["batches_per_s"],
            "concurrent_errors": conc["errors"],
            "database": "sqlite" if not args.database_url else "postgresql",
        }
        print(json.dumps(figures))
        return 0
    finally:
        proc.kill()
        if sink is not None:
            sink.kill()
            sink.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
