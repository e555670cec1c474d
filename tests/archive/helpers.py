"""Test helpers: a real archive process, a simulated laptop (device + two inspectors) and a journal builder."""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from app.evidence import merkle
from app.evidence.canonical import canonical_bytes, canonical_sha256
from app.evidence.signing import SigningKey, b64, sign_object
from app.sync.auth import DeviceAuth, sign_request_headers
from app.sync.protocol import (
    CTX_CHECKPOINT,
    CTX_ENROL,
    CTX_JOURNAL,
    CTX_MANIFEST,
    CTX_RECORD,
    enrol_proof_value,
)

REPO = Path(__file__).resolve().parents[2]


@contextmanager
def small_disk(path: Path, size_mb: int) -> Iterator[Path]:
    """A real, small file system (tmpfs) mounted at ``path``, to fill up for disk-full tests; the test is skipped
    where this process may not mount (not root, no CAP_SYS_ADMIN)."""
    import pytest

    path.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0700", "tmpfs", str(path)],
                       capture_output=True, text=True, check=False)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({r.stderr.strip()[:100]})")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False, capture_output=True)


def fill_disk(path: Path, leave: int = 0, name: str = "filler") -> Path:
    """Write a file in ``path`` until about ``leave`` bytes are free (0: until the file system says ENOSPC);
    returns the file (delete it to free the space)."""
    filler = path / name

    def free() -> int:
        st = os.statvfs(path)
        return st.f_bavail * st.f_frsize

    with open(filler, "wb", buffering=0) as fh:
        for size in (1 << 20, 1 << 12, 1 << 9):
            try:
                while free() - size >= leave:
                    fh.write(b"\0" * size)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
    return filler


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ArchiveProcess:
    """``python -m archive`` as a subprocess on 127.0.0.1 with a free port."""

    def __init__(self, data: Path, database_url: str | None = None, env: dict[str, str] | None = None,
                 args: list[str] | None = None) -> None:
        self.data = data
        self.database_url = database_url
        self.extra_env = env or {}
        self.extra_args = args or []
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.log_path = data.parent / f"{data.name}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, env: dict[str, str] | None = None) -> ArchiveProcess:
        self.port = free_port()
        cmd = [sys.executable, "-m", "archive", "--data", str(self.data), "--host", "127.0.0.1",
               "--port", str(self.port)]
        if self.database_url:
            cmd += ["--database-url", self.database_url]
        cmd += self.extra_args
        full_env = {**os.environ, "PYTHONPATH": str(REPO), **self.extra_env, **(env or {})}
        self._log = open(self.log_path, "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(cmd, cwd=REPO, env=full_env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"archive exited early: {self.log_path.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("archive did not come up")

    def wait_dead(self, timeout: float = 30) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        if self.proc is not None:
            self._log.close()
        self.proc = None

    def admin(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "archive", "admin", args[0], *args[1:2], str(self.data), *args[2:]]
        if args[0] in ("enrolment-code", "fingerprint", "stats", "verify", "alerts"):
            cmd = [sys.executable, "-m", "archive", "admin", args[0], str(self.data), *args[1:]]
        res = subprocess.run(cmd, check=False, cwd=REPO, env={**os.environ, **self.extra_env, "PYTHONPATH": str(REPO)}, capture_output=True,
                             text=True, timeout=120)
        if check and res.returncode != 0:
            raise AssertionError(f"admin {args} failed: {res.stderr}")
        return res


@dataclass
class Inspector:
    id: str
    key: SigningKey
    name: str
    credential_no: str
    organisation: str = "某市医疗保障局"

    def enrolment(self, device_id: str, device_pub: str) -> dict[str, Any]:
        record = {"id": self.id, "name": self.name, "credential_no": self.credential_no,
                  "organisation": self.organisation, "public_key": b64(self.key.public_raw()), "suite": "ed25519"}
        proof = sign_object(self.key, self.id, CTX_ENROL, enrol_proof_value(device_id, device_pub, record))
        return {**record, "proof": proof}


def new_inspector(name: str = "张三") -> Inspector:
    return Inspector(str(uuid.uuid4()), SigningKey.generate(), name, f"CN{uuid.uuid4().hex[:8]}")


# the length of every blob a Laptop uploaded, by SHA-256 (a function of the hash): what a manifest states as a
# stream's size unless a test says otherwise (the archive checks it, as the package verifier does)
UPLOADED_SIZES: dict[str, int] = {}


@dataclass
class Laptop:
    base_url: str
    device_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    key: SigningKey = field(default_factory=SigningKey.generate)
    inspectors: list[Inspector] = field(default_factory=lambda: [new_inspector("张三"), new_inspector("李四")])

    @property
    def public_key(self) -> str:
        return b64(self.key.public_raw())

    def register_body(self, code: str) -> dict[str, Any]:
        return {"code": code, "device_id": self.device_id, "device_name": "laptop", "device_public_key":
                self.public_key, "suite": "ed25519",
                "inspectors": [i.enrolment(self.device_id, self.public_key) for i in self.inspectors]}

    def register(self, code: str) -> httpx.Response:
        with self.client() as c:
            return c.post("/v1/devices/register", json=self.register_body(code))

    def client(self, **kw: Any) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, auth=DeviceAuth(self.key, self.device_id), timeout=120, **kw)

    def headers(self, method: str, target: str, body: bytes = b"", **kw: Any) -> dict[str, str]:
        return sign_request_headers(self.key, self.device_id, method, target, hashlib.sha256(body).hexdigest(), **kw)

    def upload(self, client: httpx.Client, data: bytes, chunk: int = 4 * 1024 * 1024) -> dict[str, Any]:
        sha = hashlib.sha256(data).hexdigest()
        UPLOADED_SIZES[sha] = len(data)
        r = client.post("/v1/uploads", json={"sha256": sha, "length": len(data)})
        assert r.status_code == 201, r.text
        state = r.json()
        offset = state["offset"]
        while state["status"] == "open" and offset < len(data):
            part = data[offset : offset + chunk]
            r = client.patch(f"/v1/uploads/{state['id']}", content=part,
                             headers={"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"})
            assert r.status_code == 204, r.text
            offset = int(r.headers["Upload-Offset"])
            state["status"] = r.headers["FA-Upload-Status"]
        return {**state, "offset": offset}


class Journal:
    """One case journal on one laptop, built as docs/package-format.md says."""

    def __init__(self, laptop: Laptop, case_id: str | None = None) -> None:
        self.laptop = laptop
        self.case_id = case_id or str(uuid.uuid4())
        self.leaves: list[dict[str, Any]] = []
        self.payloads: dict[str, Any] = {}
        self.pushed = 0

    def hashes(self, upto: int | None = None) -> list[bytes]:
        return [merkle.leaf_hash(canonical_bytes(leaf)) for leaf in self.leaves[:upto]]

    def append(self, type_: str, payload: Any, actor: Inspector | None = None) -> dict[str, Any]:
        actor = actor or self.laptop.inspectors[0]
        seq = len(self.leaves)
        sha = canonical_sha256(payload)
        self.payloads[sha] = payload
        entry = {"v": 1, "log": self.case_id, "seq": seq, "device": self.laptop.device_id, "actor": actor.id,
                 "type": type_, "time": "2026-11-23T09:30:00.123Z", "mono_ns": 1000 + seq, "boot": "b",
                 "payload_sha256": sha, "prev": self.hashes()[-1].hex() if self.leaves else ""}
        leaf = {"entry": entry, "sig": sign_object(actor.key, actor.id, CTX_JOURNAL, entry)}
        self.leaves.append(leaf)
        return leaf

    def manifest(self, blob_sha: str, item_id: str | None = None, size: int | None = None,
                 signers: list[Inspector] | None = None) -> dict[str, Any]:
        """A signed evidence envelope as app/evidence/objects.py makes it (``size``: by default the uploaded
        blob's length)."""
        item = item_id or str(uuid.uuid4())
        size = UPLOADED_SIZES.get(blob_sha, 1) if size is None else size
        body = {"v": 1, "case": self.case_id, "item": item, "kind": "书证",
                "streams": [{"sha256": blob_sha, "size": size, "name": "photo.jpg"}]}
        signers = self.laptop.inspectors if signers is None else signers
        sigs = [sign_object(i.key, i.id, CTX_MANIFEST, body) for i in signers]
        return {"type": "evidence", "id": item, "body": body, "signatures": sigs}

    def record(self, record_id: str, text: str, version: int = 1,
               signers: list[Inspector] | None = None) -> dict[str, Any]:
        """A signed record (笔录) envelope as app/evidence/objects.py makes it."""
        body = {"v": 1, "type": "record", "case": self.case_id, "record": record_id, "kind": "onsite",
                "version": version, "content": {"text": text}, "time": "2026-11-23T09:35:00.000Z",
                "inspectors": [i.id for i in self.laptop.inspectors], "supersedes": None}
        signers = self.laptop.inspectors if signers is None else signers
        sigs = [sign_object(i.key, i.id, CTX_RECORD, body) for i in signers]
        return {"type": "record", "id": record_id, "body": body, "signatures": sigs}

    def checkpoint(self, size: int | None = None) -> dict[str, Any]:
        n = len(self.leaves) if size is None else size
        root = merkle.root_from_leaf_hashes(self.hashes(n)).hex()
        cp = {"v": 1, "log": self.case_id, "device": self.laptop.device_id, "size": n, "root": root,
              "time": "2026-11-23T09:31:00.000Z", "step": "test"}
        return {"checkpoint": cp, "sig": sign_object(self.laptop.key, self.laptop.device_id, CTX_CHECKPOINT, cp)}

    def batch(self, first_seq: int | None = None) -> dict[str, Any]:
        start = self.pushed if first_seq is None else first_seq
        leaves = self.leaves[start:]
        proof = None
        if 0 < start < len(self.leaves):
            proof = [p.hex() for p in merkle.consistency_proof(start, self.hashes())]
        payloads = [self.payloads[leaf["entry"]["payload_sha256"]] for leaf in leaves]
        unique = list({canonical_sha256(p): p for p in payloads}.values())
        return {"v": 1, "case_id": self.case_id, "first_seq": start, "leaves": leaves,
                "checkpoint": self.checkpoint(), "consistency_proof": proof, "payloads": unique}
