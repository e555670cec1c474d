"""The ground the evidence-validity rules stand on (``app.evidence.verify_rules``): how a rule reports (a
:class:`Verification` collecting :class:`Problem` items), who may sign (:class:`Key`, :class:`Distrust`, a
:data:`Trust`), the signature record's exact shape, RFC 3339 UTC times, and the contexts and event types of
journal entries, checkpoints and signed objects."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

JOURNAL_CONTEXT = "fieldaudit/journal/v1"
CHECKPOINT_CONTEXT = "fieldaudit/checkpoint/v1"
ROSTER_CONTEXT = "fieldaudit/roster/v1"  # an archive-signed roster (``verify --trust``)
# A new kind of signed object is four small edits: its context here, its journal event in OBJECT_EVENTS, what it
# points at in verify_objects.references() (a verified "target" reference answers the target for completeness) and
# the blobs it needs in verify_objects.required_blobs(); app.evidence.verify then applies every rule to it.
OBJECT_CONTEXTS = {
    "evidence": "fieldaudit/manifest/v1",
    "provider-signature": "fieldaudit/provider-signature/v1",
    "provider-refusal": "fieldaudit/provider-refusal/v1",
    "record": "fieldaudit/record/v1",
    "provider-batch-signature": "fieldaudit/provider-batch-signature/v1",
}
OBJECT_EVENTS = {"evidence.captured", "provider.signed", "provider.refused", "record.signed", "provider.batch_signed"}
ANSWERED_KINDS = {"evidence", "record"}  # each needs the provider's answer: a verified ``target`` reference to it


def checkpoint_fingerprint(size: int, root_hex: str) -> str:
    """The checkpoint fingerprint printed on paper: ``<size>-XXXX XXXX XXXX XXXX``."""
    r = root_hex[:16].upper()
    return f"{size}-" + " ".join(r[i : i + 4] for i in range(0, 16, 4))


@dataclass(frozen=True)
class Head:
    """A checkpoint as verified: how far the journal went at that point."""

    size: int
    root: str
    time: str
    step: str

    @property
    def fingerprint(self) -> str:
        return checkpoint_fingerprint(self.size, self.root)


SIGNATURE_MEMBERS = frozenset({"signer", "suite", "public_key", "context", "signature"})
CHECKPOINT_RECORD_MEMBERS = frozenset({"checkpoint", "sig"})
CHECKPOINT_MEMBERS = frozenset({"v", "log", "device", "size", "root", "time", "step"})
_RFC3339_UTC = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z")


def parse_time(text: Any) -> dt.datetime:
    """An RFC 3339 time in UTC (``Z``, optional fraction of up to 9 digits) as an aware datetime (digits below the
    microsecond dropped); ValueError for anything else (another offset, no seconds, "yesterday", 2026-02-30)."""
    m = _RFC3339_UTC.fullmatch(text) if isinstance(text, str) else None
    if m is None:
        raise ValueError(f"not an RFC 3339 UTC time: {str(text)[:40]!r}")
    y, mo, d, h, mi, sec, frac = m.groups()
    return dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(sec), int((frac or "0").ljust(6, "0")[:6]),
                       tzinfo=dt.UTC)


@dataclass(frozen=True)
class Key:
    id: str
    public: bytes
    suite: str = "ed25519"
    role: str = "inspector"  # inspector | device
    name: str = ""
    credential_no: str = ""
    valid_from: dt.datetime | None = None  # the signer's credential validity (a roster's); None: unbounded
    valid_until: dt.datetime | None = None
    claimed: bool = False  # taken from the package itself, not from a roster: names are the package's claim

    def valid_at(self, when: dt.datetime | None) -> bool:
        if when is None:
            return True
        return (self.valid_from is None or when >= self.valid_from) and (
            self.valid_until is None or when < self.valid_until)

    def validity(self) -> str:
        def show(t: dt.datetime | None) -> str:
            return "…" if t is None else t.strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"{show(self.valid_from)} – {show(self.valid_until)}"


@dataclass(frozen=True)
class Problem:
    """One failure: ``code`` for machines (the archive's reason code), ``what``/``why`` for people, ``where``
    (seq, sha256, …) to locate it."""

    code: str
    what: str
    why: str
    where: Mapping[str, Any] = field(default_factory=dict)

    @property
    def line(self) -> str:
        return f"{self.what}: {self.why}"


@dataclass
class Verification:
    failures: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # facts a reviewer should see that do not fail the package
    leaves: int = 0
    objects: int = 0
    blobs: int = 0
    checkpoints: int = 0
    root: str = ""
    keys_used: dict[str, Key] = field(default_factory=dict)
    heads: list[Head] = field(default_factory=list)  # every well-formed checkpoint, in file order

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.problems]

    def fail(self, what: str, why: str, code: str = "invalid", **where: Any) -> None:
        problem = Problem(code, what, why, where)
        self.problems.append(problem)
        self.failures.append(problem.line)

    def note(self, what: str, why: str) -> None:
        self.notes.append(f"{what}: {why}")


@dataclass(frozen=True)
class Distrust:
    """Why a signer known to the caller may not sign here (e.g. revoked), with the reason code to report."""

    code: str
    why: str


# (key id, role "inspector" | "device") -> the key to verify with, a Distrust, or None for an unknown signer.
Trust = Callable[[str, str], "Key | Distrust | None"]


def signature_record_problem(sig: Any) -> str | None:
    """Why ``sig`` is not a signature record with exactly the documented members (all strings), or None."""
    if not isinstance(sig, dict):
        return "the signature record is not a JSON object"
    if set(sig) != SIGNATURE_MEMBERS:
        extra, missing = sorted(set(sig) - SIGNATURE_MEMBERS), sorted(SIGNATURE_MEMBERS - set(sig))
        return f"the signature record has members it must not have {extra} or lacks {missing}"
    if not all(isinstance(sig[k], str) for k in SIGNATURE_MEMBERS):
        return "a member of the signature record is not a string"
    return None


def outside_validity(key: Key, when: dt.datetime | None) -> str | None:
    """Why a signature by ``key`` made at ``when`` falls outside the signer's credential validity, or None."""
    if key.valid_at(when):
        return None
    assert when is not None
    return (f"signed by {key.name or key.id} at {when.strftime('%Y-%m-%dT%H:%M:%SZ')}, outside the credential's "
            f"validity ({key.validity()})")


def keyring(v: Verification, keys: Mapping[str, Key]) -> Trust:
    """The verifier's trust: any key of the role in ``keys`` (a package's or a roster's), recorded as used."""

    def trust(key_id: str, role: str) -> Key | None:
        key = keys.get(key_id)
        if key is not None and key.role == role:
            v.keys_used[key_id] = key
            return key
        return None

    return trust
