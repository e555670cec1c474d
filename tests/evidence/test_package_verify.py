"""The independent verifier on a real package of the demo audit, and the tampering it must catch."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from app.evidence.canonical import canonical_bytes, loads
from app.evidence.package import verify_package

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from app.evidence.package import export_case
    from app.models.profile import Profile
    from app.workflow.demo import build_demo

    tmp = tmp_path_factory.mktemp("pkg")
    result = build_demo(tmp / "demo", "demo-passphrase-1", "demo-passphrase-2")
    out = tmp / "case.fapkg"
    with Profile.open(tmp / "demo").unlock("demo-passphrase-1") as store:
        export_case(store, result.case_id, out)
    return out


def rewrite(src: Path, dst: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    with zipfile.ZipFile(src) as z:
        members = {n: z.read(n) for n in z.namelist()}
    change(members)
    with zipfile.ZipFile(dst, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return dst


def envelopes(members: dict[str, bytes], type_: str) -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    out = []
    for name, data in members.items():
        if name.startswith("payloads/"):
            env = loads(data)
            if isinstance(env, dict) and env.get("type") == type_:
                out.append((name, env))
    return sorted(out, key=lambda p: p[1]["id"])


def failures(path: Path) -> list[str]:
    result, _ = verify_package(path)
    return result.failures


def test_demo_package_verifies_through_the_cli(demo_package: Path) -> None:
    res = subprocess.run([sys.executable, "-m", "app.cli", "verify", str(demo_package)], capture_output=True,
                         text=True, cwd=ROOT, check=False)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "OK" in res.stdout
    assert "inspector" in res.stderr and "device" in res.stderr  # fingerprints printed without --trust


def test_every_evidence_kind_is_in_the_demo(demo_package: Path) -> None:
    with zipfile.ZipFile(demo_package) as z:
        members = {n: z.read(n) for n in z.namelist()}
    kinds = {env["body"]["kind"] for _, env in envelopes(members, "evidence") if not env["body"]["parent"]}
    assert kinds == {"documentary", "physical", "audiovisual", "electronic", "witness", "party_statement",
                     "expert_opinion", "inspection_record"}
    assert envelopes(members, "provider-refusal")
    assert any(env["body"]["supersedes"] for _, env in envelopes(members, "evidence"))
    assert {env["body"]["kind"] for _, env in envelopes(members, "record")} == {"interview", "onsite"}


def test_flipped_byte_in_a_photo_names_the_item(demo_package: Path, tmp_path: Path) -> None:
    target: dict[str, str] = {}

    def change(m: dict[str, bytes]) -> None:
        _name, env = next((n, e) for n, e in envelopes(m, "evidence")
                         if e["body"]["streams"][0]["media_type"] == "image/jpeg" and not e["body"]["parent"])
        sha = env["body"]["streams"][0]["sha256"]
        data = bytearray(m[f"blobs/{sha}"])
        data[len(data) // 2] ^= 0x01
        m[f"blobs/{sha}"] = bytes(data)
        target["id"] = env["id"]

    bad = failures(rewrite(demo_package, tmp_path / "p.zip", change))
    assert any(target["id"] in f and "does not match its hash" in f for f in bad), bad


def test_edited_obtained_at_names_the_item(demo_package: Path, tmp_path: Path) -> None:
    target: dict[str, str] = {}

    def change(m: dict[str, bytes]) -> None:
        name, env = envelopes(m, "evidence")[2]
        env["body"]["obtained_at"]["wall"] = "2026-11-20T08:00:00.000Z"
        m[name] = canonical_bytes(env)
        target["id"] = env["id"]

    bad = failures(rewrite(demo_package, tmp_path / "p.zip", change))
    assert any(target["id"] in f and "signature" in f and "invalid" in f for f in bad), bad
    assert any("payload does not match" in f for f in bad)


def test_signature_from_the_wrong_inspector_is_caught(demo_package: Path, tmp_path: Path) -> None:
    target: dict[str, str] = {}

    def change(m: dict[str, bytes]) -> None:
        name, env = envelopes(m, "evidence")[0]
        a, b = env["signatures"]
        a["signature"], b["signature"] = b["signature"], a["signature"]  # each claims the other's signature
        m[name] = canonical_bytes(env)
        target["id"] = env["id"]

    bad = failures(rewrite(demo_package, tmp_path / "p.zip", change))
    assert any(target["id"] in f and "invalid" in f for f in bad), bad


def test_provider_binding_moved_to_another_item(demo_package: Path, tmp_path: Path) -> None:
    target: dict[str, str] = {}

    def change(m: dict[str, bytes]) -> None:
        items = [e for _, e in envelopes(m, "evidence") if not e["body"]["parent"]]
        name, binding = envelopes(m, "provider-signature")[0]
        other = next(i for i in items if i["id"] != binding["body"]["target"])
        # Move the binding as a whole (signatures untouched): it now claims to belong to another item.
        binding["body"]["target"] = other["id"]
        m[name] = canonical_bytes(binding)
        target["binding"] = binding["id"]

    bad = failures(rewrite(demo_package, tmp_path / "p.zip", change))
    assert any(target["binding"] in f and ("bound to another document" in f or "invalid" in f) for f in bad), bad


def _lines(m: dict[str, bytes], name: str) -> list[bytes]:
    return [line for line in m[name].split(b"\n") if line]


def test_deleted_journal_leaf(demo_package: Path, tmp_path: Path) -> None:
    def change(m: dict[str, bytes]) -> None:
        leaves = _lines(m, "journal.jsonl")
        del leaves[5]
        m["journal.jsonl"] = b"\n".join(leaves) + b"\n"

    bad = failures(rewrite(demo_package, tmp_path / "p.zip", change))
    assert any(f.startswith("journal leaf #5") for f in bad), bad
    assert any("checkpoint" in f and ("leaves removed" in f or "root does not match" in f) for f in bad)


def test_two_leaves_swapped(demo_package: Path, tmp_path: Path) -> None:
    def change(m: dict[str, bytes]) -> None:
        leaves = _lines(m, "journal.jsonl")
        leaves[3], leaves[4] = leaves[4], leaves[3]
        m["journal.jsonl"] = b"\n".join(leaves) + b"\n"

    bad = failures(rewrite(demo_package, tmp_path / "p.zip", change))
    assert any(f.startswith("journal leaf #3") for f in bad) and any(f.startswith("journal leaf #4") for f in bad)


def test_refusal_signed_by_one_inspector(demo_package: Path, tmp_path: Path) -> None:
    target: dict[str, str] = {}

    def change(m: dict[str, bytes]) -> None:
        name, env = envelopes(m, "provider-refusal")[0]
        env["signatures"] = env["signatures"][:1]
        m[name] = canonical_bytes(env)
        target["id"] = env["id"]

    bad = failures(rewrite(demo_package, tmp_path / "p.zip", change))
    assert any(target["id"] in f and "two inspectors" in f for f in bad), bad


def test_older_checkpoint_replayed_after_a_newer_one(demo_package: Path, tmp_path: Path) -> None:
    def change(m: dict[str, bytes]) -> None:
        cps = _lines(m, "checkpoints.jsonl")
        m["checkpoints.jsonl"] = b"\n".join([*cps, cps[0]]) + b"\n"

    bad = failures(rewrite(demo_package, tmp_path / "p.zip", change))
    assert any("old checkpoint replayed" in f for f in bad), bad


def test_correction_pointing_nowhere(demo_package: Path, tmp_path: Path) -> None:
    def change(m: dict[str, bytes]) -> None:
        for _name, env in envelopes(m, "evidence"):
            if env["body"]["supersedes"]:
                original = env["body"]["supersedes"]["item"]
                for pname, penv in envelopes(m, "evidence"):
                    if penv["id"] == original:
                        del m[pname]

    bad = failures(rewrite(demo_package, tmp_path / "p.zip", change))
    assert any("corrects" in f and "not in the package" in f for f in bad), bad


def test_trust_roster_refuses_foreign_keys(demo_package: Path, tmp_path: Path) -> None:
    roster = tmp_path / "roster.json"
    roster.write_text(json.dumps({"v": 1, "type": "roster", "inspectors": [], "devices": []}), encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "app.cli", "verify", str(demo_package), "--trust", str(roster)],
                         capture_output=True, text=True, check=False, cwd=ROOT)
    assert res.returncode == 2 and "--unsigned-roster" in res.stderr  # an unsigned roster only when asked for
    res = subprocess.run([sys.executable, "-m", "app.cli", "verify", str(demo_package), "--trust", str(roster),
                          "--unsigned-roster"], capture_output=True, text=True, check=False, cwd=ROOT)
    assert res.returncode == 1
    assert "untrusted" in res.stdout


def test_not_a_package_is_one_failure_line(tmp_path: Path) -> None:
    """A file that is no ZIP is a package that fails (exit 1, a reason code), not a user error."""
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"this is not a zip file")
    res = subprocess.run([sys.executable, "-m", "app.cli", "verify", str(junk)], capture_output=True, text=True, check=False,
                         cwd=ROOT)
    assert res.returncode == 1, res.stderr
    assert "[zip_malformed]" in res.stdout and "Traceback" not in res.stderr + res.stdout
    res = subprocess.run([sys.executable, "-m", "app.cli", "verify", str(tmp_path / "absent.zip")], capture_output=True,
                         text=True, check=False, cwd=ROOT)
    assert res.returncode == 2 and len(res.stderr.strip().splitlines()) == 1


def _signed_roster(demo_package: Path, tmp_path: Path) -> tuple[Path, str]:
    """The demo's keys as an archive would sign them (a test archive key), and that key's fingerprint."""
    from app.evidence.signing import SigningKey, public_key_fingerprint, sign_object
    from app.evidence.verify_rules import ROSTER_CONTEXT

    with zipfile.ZipFile(demo_package) as z:
        header = json.loads(z.read("fieldaudit-package.json"))
    roster = {"inspectors": [{**i, "name": f"{i['name']}（名单）", "valid_from": None, "valid_until": None}
                             for i in header["inspectors"]],
              "devices": header["devices"]}
    archive = SigningKey.generate()
    path = tmp_path / "roster.json"
    path.write_text(json.dumps({"roster": roster, "sig": sign_object(archive, "archive", ROSTER_CONTEXT, roster)},
                               ensure_ascii=False), "utf-8")
    return path, public_key_fingerprint(archive.public_raw())


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", "verify", *args], capture_output=True, text=True,
                          check=False, cwd=ROOT)


def test_names_beside_keys_come_from_the_roster_or_are_marked_as_claims(demo_package: Path, tmp_path: Path) -> None:
    roster, fingerprint = _signed_roster(demo_package, tmp_path)
    trusted = _cli(str(demo_package), "--trust", str(roster), "--archive-key", fingerprint)
    assert trusted.returncode == 0, trusted.stdout + trusted.stderr
    assert "（名单）" in trusted.stderr and "(roster)" in trusted.stderr and "claim" not in trusted.stderr
    alone = _cli(str(demo_package))
    assert "(package's claim, unverified)" in alone.stderr and "（名单）" not in alone.stderr
    assert re.search(r"latest checkpoint \d+-[0-9A-F ]{19}: \d+ leaves, step export, \S+Z, case (not )?closed",
                     alone.stdout), alone.stdout


def test_an_edited_header_name_fails_with_or_without_a_roster(demo_package: Path, tmp_path: Path) -> None:
    roster, fingerprint = _signed_roster(demo_package, tmp_path)

    def change(m: dict[str, bytes]) -> None:
        header = json.loads(m["fieldaudit-package.json"])
        header["inspectors"][0]["name"] = "王五"
        m["fieldaudit-package.json"] = json.dumps(header, ensure_ascii=False).encode()

    edited = rewrite(demo_package, tmp_path / "p.zip", change)
    for args in ([], ["--trust", str(roster), "--archive-key", fingerprint]):
        res = _cli(str(edited), *args)
        assert res.returncode == 1 and "[header_mismatch]" in res.stdout, res.stdout
    assert "王五" not in res.stderr  # with the roster, its names are shown


def test_expect_fails_on_a_package_rolled_back_to_an_earlier_export(demo_package: Path, tmp_path: Path) -> None:
    result, facts = verify_package(demo_package)
    latest = facts["last"].fingerprint
    assert _cli(str(demo_package), "--expect", latest).returncode == 0
    earlier = result.heads[-2].fingerprint  # a genuine earlier checkpoint of this package
    assert _cli(str(demo_package), "--expect", earlier).returncode == 0
    truncated = rewrite(demo_package, tmp_path / "old.zip", lambda m: None)
    res = _cli(str(truncated), "--expect", "999-0000 0000 0000 0000")
    assert res.returncode == 1 and "[expect_missing]" in res.stdout
