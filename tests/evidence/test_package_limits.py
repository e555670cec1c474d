"""Bounded input, bounded memory: a package holding an unreferenced 1 GiB payload (1 MB on disk, deflated) is
refused before it is read, with the verifier's peak memory measured in a child process; a member whose declared size
lies is read no further than declared; a sealed package is read chunk by chunk."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from app.evidence.package import export_case, verify_package

ROOT = Path(__file__).resolve().parents[2]
PEAK_LIMIT_KB = 256 * 1024

# the verifier run as `python -m app.cli verify`, reporting its own peak resident memory (kB) on the last line:
# VmHWM of /proc/self/status belongs to this process image (getrusage's ru_maxrss survives exec, so a child started
# from a large test process would report the parent's peak)
MEASURE = """
import re, sys
from app.cli.__main__ import main
code = main(sys.argv[1:])
with open("/proc/self/status") as fh:
    print("peak_kb", re.search(r"VmHWM:\\s+(\\d+) kB", fh.read()).group(1))
sys.exit(code)
"""
pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory read from /proc")


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    from app.workflow.demo import build_demo

    tmp = tmp_path_factory.mktemp("limits")
    result = build_demo(tmp / "demo", "demo-passphrase-1", "demo-passphrase-2")
    return tmp / "demo", result.case_id


@pytest.fixture(scope="module")
def package(demo_store: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    from app.models.profile import Profile

    out = tmp_path_factory.mktemp("pkg") / "case.fapkg"
    with Profile.open(demo_store[0]).unlock("demo-passphrase-1") as store:
        export_case(store, demo_store[1], out)
    return out


def measured(*args: str) -> tuple[int, str, int]:
    res = subprocess.run([sys.executable, "-c", MEASURE, "verify", *args], capture_output=True, text=True, cwd=ROOT,
                         check=False, timeout=600)
    *lines, last = res.stdout.strip().splitlines()
    assert last.startswith("peak_kb "), res.stdout + res.stderr
    return res.returncode, "\n".join(lines), int(last.split()[1])


def append_zeros(src: Path, dst: Path, name: str, size: int) -> None:
    """``src`` plus a member of ``size`` zero bytes, deflated and written as a stream (about size/1000 on disk)."""
    dst.write_bytes(src.read_bytes())
    with zipfile.ZipFile(dst, "a") as z:
        info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as fh:
            chunk = bytes(1 << 20)
            for _ in range(size >> 20):
                fh.write(chunk)


def test_an_unreferenced_1_gib_payload_is_refused_with_bounded_memory(package: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.fapkg"
    append_zeros(package, big, "payloads/" + "0" * 64 + ".json", 1 << 30)
    assert big.stat().st_size < package.stat().st_size + (4 << 20)
    code, out, peak_kb = measured(str(big))
    assert code == 1, out
    assert "[member_too_large]" in out, out
    assert peak_kb < PEAK_LIMIT_KB, f"peak {peak_kb} kB"
    print(f"peak memory verifying a package with a 1 GiB payload: {peak_kb // 1024} MB")


def test_a_member_declaring_less_than_it_holds_is_read_only_as_far_as_declared(package: Path, tmp_path: Path) -> None:
    """1 GiB of zeros behind a journal that declares 1,000 bytes: reading stops at 1,000, the CRC fails."""
    with zipfile.ZipFile(package) as z:
        members = [(i, z.read(i)) for i in z.infolist() if i.filename != "journal.jsonl"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for info, data in members:
            z.writestr(info, data)
        comp = zlib.compressobj(9, zlib.DEFLATED, -15)
        stream = b"".join(comp.compress(bytes(1 << 20)) for _ in range(1024)) + comp.flush()
        info = zipfile.ZipInfo("journal.jsonl", date_time=(2020, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, b"x" * 1000)  # placeholder with the declared size 1000
    data = bytearray(buf.getvalue())
    # swap the placeholder's compressed bytes for the 1 GiB stream, patching both headers' compressed size
    local = data.rfind(b"PK\x03\x04", 0, data.find(b"PK\x01\x02"))  # the last member written: the journal
    name_len, extra_len = int.from_bytes(data[local + 26:local + 28], "little"), int.from_bytes(
        data[local + 28:local + 30], "little")
    start = local + 30 + name_len + extra_len
    old_size = int.from_bytes(data[local + 18:local + 22], "little")
    central = data.find(b"journal.jsonl", data.find(b"PK\x01\x02")) - 46  # its central directory entry
    for at in (local + 18, central + 20):
        data[at:at + 4] = len(stream).to_bytes(4, "little")
    data[start:start + old_size] = stream
    # the central directory moved by the size difference
    end = len(data) - 22
    cd_off = int.from_bytes(data[end + 16:end + 20], "little") + len(stream) - old_size
    data[end + 16:end + 20] = cd_off.to_bytes(4, "little")
    lying = tmp_path / "lying.fapkg"
    lying.write_bytes(bytes(data))
    code, out, peak_kb = measured(str(lying))
    assert code == 1, out
    assert "[member_corrupt]" in out, out
    assert peak_kb < PEAK_LIMIT_KB, f"peak {peak_kb} kB"


def test_a_sealed_package_verifies_chunk_by_chunk(demo_store: tuple[Path, str], tmp_path: Path) -> None:
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from app.models.profile import Profile

    key = X25519PrivateKey.generate()
    sealed = tmp_path / "sealed.fapkg"
    with Profile.open(demo_store[0]).unlock("demo-passphrase-1") as store:
        export_case(store, demo_store[1], sealed, encrypt_to=key.public_key())
    key_file = tmp_path / "archive.key"
    key_file.write_text(base64.b64encode(key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                                           serialization.NoEncryption())).decode())
    result, facts = verify_package(sealed, key_file=key_file)
    assert result.ok, result.failures
    assert facts["last"].step == "export" and facts["closed"]
    data = bytearray(sealed.read_bytes())
    data[100] ^= 1
    sealed.write_bytes(bytes(data))
    result, _ = verify_package(sealed, key_file=key_file)
    assert set(result.codes) & {"sealed_damaged", "member_corrupt", "zip_malformed"}, result.failures
