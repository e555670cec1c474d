"""Canonical JSON (RFC 8785, JCS) for manifests, journal entries and protocol messages.

Manifests never hold floats (times are ISO strings or integer nanoseconds, amounts are integer fen),
so the number rules of RFC 8785 reduce to integers; a float is refused rather than serialised in a way
a second implementation might not reproduce.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

JSONValue = Any


class CanonicalisationError(ValueError):
    """The value cannot be canonicalised (a float, a non-string key, an unsupported type)."""


def _check(value: JSONValue, path: str) -> None:
    if value is None or isinstance(value, bool | str):
        return
    if isinstance(value, int):
        # RFC 8785 serialises numbers as IEEE 754 doubles; beyond 2**53 they lose precision.
        if abs(value) > 2**53 - 1:
            raise CanonicalisationError(f"{path}: integer outside the I-JSON range")
        return
    if isinstance(value, float):
        raise CanonicalisationError(f"{path}: floats are not allowed in canonical data")
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str):
                raise CanonicalisationError(f"{path}: keys must be strings")
            _check(v, f"{path}.{k}")
        return
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        for i, v in enumerate(value):
            _check(v, f"{path}[{i}]")
        return
    raise CanonicalisationError(f"{path}: unsupported type {type(value).__name__}")


def _sort_key(key: str) -> list[int]:
    # RFC 8785 sorts member names by their UTF-16 code units.
    return list(key.encode("utf-16-be"))


def _encode(value: JSONValue) -> str:
    if isinstance(value, Mapping):
        items = sorted(value.items(), key=lambda kv: _sort_key(kv[0]))
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + _encode(v) for k, v in items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_encode(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


class _Unusual(Exception):
    """The fast scan met something it does not judge itself (a bad value, or a type other than the plain ones)."""


_INT_LIMIT = 2**53 - 1


def _scan(value: JSONValue) -> bool:
    """Validate the plain types (dict, list, tuple, str, int, bool, None) in one pass and return whether every
    member name sorts the same by code point as by UTF-16 code unit (no name holds a character at or above
    U+E000), so that ``json.dumps(sort_keys=True)`` yields the RFC 8785 order. Anything else raises ``_Unusual``;
    the caller then judges with ``_check`` (which names the path of the fault)."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        if -_INT_LIMIT <= value <= _INT_LIMIT:
            return True
        raise _Unusual
    alike = True
    if kind is dict:
        for k, v in value.items():
            if type(k) is not str:
                raise _Unusual
            if alike and k and max(k) >= "\ue000":
                alike = False
            if not _scan(v):
                alike = False
        return alike
    if kind is list or kind is tuple:
        for v in value:
            if not _scan(v):
                alike = False
        return alike
    raise _Unusual


def canonical_bytes(value: JSONValue) -> bytes:
    """The RFC 8785 canonical UTF-8 encoding of ``value``."""
    try:
        alike = _scan(value)
    except _Unusual:
        _check(value, "$")  # raises CanonicalisationError naming the fault; passes other Mappings and Sequences
        return _encode(value).encode("utf-8")
    if alike:
        # Same output as _encode (ES6 string escaping = json's with ensure_ascii=False), several times faster.
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return _encode(value).encode("utf-8")


def canonical_sha256(value: JSONValue) -> str:
    """Hex SHA-256 of the canonical encoding."""
    return hashlib.sha256(canonical_bytes(value)).hexdigest()


def loads(data: bytes | str) -> JSONValue:
    """Parse JSON, refusing floats and duplicate keys so a parsed value re-canonicalises to the same bytes."""

    def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in pairs:
            if k in out:
                raise CanonicalisationError(f"duplicate key {k!r}")
            out[k] = v
        return out

    def _no_float(s: str) -> float:
        raise CanonicalisationError("floats are not allowed in canonical data")

    return json.loads(data, object_pairs_hook=_pairs, parse_float=_no_float)
