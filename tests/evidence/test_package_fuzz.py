"""Damage a real package at random, byte by byte and value by value: every result is a verification with failures
and reason codes, never an exception (the CLI's exit 3) and never an OK."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from app.evidence.canonical import canonical_bytes
from app.evidence.package import verify_package
from tests.conformance.generate import Members, read_members, write_members

VALUES: list[Any] = [None, True, 0, -1, 2**60, "", "x", [], {}, [1, [2]], {"a": None}, "2026-11-23T10:00:00Z",
                     "../x", "0" * 64]


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from app.evidence.package import export_case
    from app.models.profile import Profile
    from app.workflow.demo import build_demo

    tmp = tmp_path_factory.mktemp("fuzz")
    result = build_demo(tmp / "demo", "demo-passphrase-1", "demo-passphrase-2")
    out = tmp / "case.fapkg"
    with Profile.open(tmp / "demo").unlock("demo-passphrase-1") as store:
        export_case(store, result.case_id, out)
    return out


def _mutate(rng: random.Random, obj: Any) -> Any:
    if isinstance(obj, dict) and obj:
        key = rng.choice(sorted(obj))
        r = rng.random()
        if r < 0.3:
            obj[key] = rng.choice(VALUES)
        elif r < 0.45:
            del obj[key]
        elif r < 0.55:
            obj[f"extra{rng.randrange(9)}"] = rng.choice(VALUES)
        else:
            obj[key] = _mutate(rng, obj[key])
        return obj
    if isinstance(obj, list) and obj:
        i = rng.randrange(len(obj))
        obj[i] = rng.choice(VALUES) if rng.random() < 0.4 else _mutate(rng, obj[i])
        return obj
    return rng.choice(VALUES)


def _mutated_members(rng: random.Random, members: Members) -> Members:
    out = list(members)
    index = rng.choice([i for i, (name, _) in enumerate(out) if not name.startswith("blobs/")])
    name, data = out[index]
    if name.endswith(".jsonl"):
        lines = [x for x in data.split(b"\n") if x]
        j = rng.randrange(len(lines))
        changed = _mutate(rng, json.loads(lines[j]))
        if changed == json.loads(lines[j]):
            return members  # the same value drawn again: no damage
        lines[j] = canonical_bytes(changed)
        data = b"".join(x + b"\n" for x in lines)
    else:
        changed = _mutate(rng, json.loads(data))
        if changed == json.loads(data):
            return members
        data = json.dumps(changed, ensure_ascii=False).encode()
    out[index] = (name, data)
    return out


def test_values_changed_at_random_always_fail_with_codes(package: Path, tmp_path: Path) -> None:
    rng = random.Random(20261206)
    base = read_members(package)
    target = tmp_path / "p.fapkg"
    for _ in range(60):
        members = _mutated_members(rng, base)
        if members == base:
            continue
        target.write_bytes(write_members(members))
        result, _ = verify_package(target)
        assert not result.ok and result.codes, [n for (n, d), (_, e) in zip(members, base, strict=True) if d != e]


def test_bytes_changed_or_cut_at_random_never_raise(package: Path, tmp_path: Path) -> None:
    rng = random.Random(1206)
    src = package.read_bytes()
    headers = [i for i in range(len(src) - 4) if src[i:i + 2] == b"PK" and src[i + 2] in (1, 3, 5, 6, 7)]
    target = tmp_path / "p.fapkg"
    for n in range(80):
        data = bytearray(src)
        if n % 4 == 3:
            data = data[:rng.randrange(len(data))]
        else:
            at = rng.choice(headers) + rng.randrange(46) if n % 2 else rng.randrange(len(data))
            data[min(at, len(data) - 1)] ^= 1 + rng.randrange(255)
        target.write_bytes(bytes(data))
        result, _ = verify_package(target)  # never raises; metadata the format leaves open may change harmlessly
        assert result.ok or result.codes
