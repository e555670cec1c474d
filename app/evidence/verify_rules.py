"""The evidence-validity rules, one implementation: pure functions over in-memory journal leaves, checkpoints and
signed objects, shared by the package verifier (``app.evidence.verify``), ``app.cli check`` and the archive (a push
batch, ``archive admin verify``). Imports nothing of the UI, the store or the archive.

A rule reports into a :class:`Verification`: each failure is a :class:`Problem` with a stable ``code`` (the reason
code the archive answers with, docs/package-format.md "Reason codes") and the line ``<what>: <why>`` the verifier
prints. Who may sign is not a rule of evidence but of the caller: a rule asks a :data:`Trust` for the key of a
signer, so the verifier trusts a package's or a roster's keys and the archive its roster and the pushing device.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.evidence import merkle
from app.evidence.canonical import CanonicalisationError, canonical_bytes, canonical_sha256, loads
from app.evidence.signing import SignatureError, verify_object

JOURNAL_CONTEXT = "fieldaudit/journal/v1"
CHECKPOINT_CONTEXT = "fieldaudit/checkpoint/v1"
ROSTER_CONTEXT = "fieldaudit/roster/v1"  # an archive-signed roster (``verify --trust``)
# A new kind of signed object is four small edits: its context here, its journal event in OBJECT_EVENTS, what it
# points at in references() (a verified "target" reference answers the target for completeness) and the blobs it
# needs in required_blobs(); app.evidence.verify then applies every rule to it.
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
_HEX64 = re.compile(r"[0-9a-f]{64}")


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


# --- the journal -----------------------------------------------------------------------------------------------


def check_leaf(v: Verification, index: int, raw: bytes, prev: bytes | None, case_id: str, trust: Trust,
               payloads: Mapping[str, bytes]) -> bytes:
    """Leaf ``index`` of the case's log (``prev``: the leaf hash before it, None for the first); returns its leaf
    hash. Canonical, of this log, ``seq`` = position, ``prev`` chains, signed by its actor with a trusted key, its
    payload present and hashing to ``payload_sha256``."""
    where = f"journal leaf #{index}"
    h = merkle.leaf_hash(raw)
    try:
        leaf = loads(raw)
        if not isinstance(leaf, dict) or set(leaf) != {"entry", "sig"}:
            raise ValueError("a leaf has exactly the members entry and sig")
        entry, sig = leaf["entry"], leaf["sig"]
        if canonical_bytes(leaf) != raw:
            v.fail(where, "not in canonical form", "bad_leaf", seq=index)
        if entry["log"] != case_id:
            v.fail(where, f"belongs to another log ({entry['log']})", "wrong_log", seq=index)
        if entry["seq"] != index:
            v.fail(where, f"out of order or a leaf is missing (its sequence number is {entry['seq']})",
                   "journal_gap", seq=index)
        expected_prev = prev.hex() if prev is not None else ""
        if entry["prev"] != expected_prev:
            v.fail(where, "does not chain to the previous leaf (a leaf was removed, inserted or swapped)",
                   "broken_chain", seq=index)
        when = parse_time(entry["time"])
        key = trust(entry["actor"], "inspector")
        bad_record = signature_record_problem(sig)
        if isinstance(key, Distrust):
            v.fail(where, key.why, key.code, seq=index)
        elif key is None:
            v.fail(where, f"signed by an unknown or untrusted inspector {entry['actor']}", "unknown_signer",
                   seq=index)
        elif bad_record is not None:
            v.fail(where, bad_record, "bad_signature", seq=index)
        elif sig.get("signer") != entry["actor"]:
            v.fail(where, "signature is not by the acting inspector", "signer_not_actor", seq=index)
        elif (why := outside_validity(key, when)) is not None:
            v.fail(where, why, "outside_validity", seq=index)
        else:
            try:
                verify_object(sig, JOURNAL_CONTEXT, entry, key.public)
            except SignatureError as exc:
                v.fail(where, f"signature invalid ({exc})", "bad_signature", seq=index)
        payload = payloads.get(entry["payload_sha256"])
        if payload is None:
            v.fail(where, "its payload is missing", "missing_payload", seq=index, sha256=entry["payload_sha256"])
        elif hashlib.sha256(payload).hexdigest() != entry["payload_sha256"]:
            v.fail(where, "its payload does not match the hash in the entry", "payload_mismatch", seq=index,
                   sha256=entry["payload_sha256"])
    except (CanonicalisationError, KeyError, TypeError, ValueError, AttributeError) as exc:
        v.fail(where, f"malformed ({exc})", "bad_leaf", seq=index)
    return h


# --- checkpoints -----------------------------------------------------------------------------------------------


def check_checkpoint_signature(v: Verification, where: str, body: Mapping[str, Any], sig: Any, case_id: str,
                               trust: Trust, **at: Any) -> None:
    """A checkpoint is about this log and signed by its device with a trusted device key.
    Raises KeyError/TypeError on a malformed checkpoint (the caller reports it)."""
    if body["log"] != case_id:
        v.fail(where, "belongs to another log", "bad_checkpoint", **at)
    key = trust(body["device"], "device")
    if isinstance(key, Distrust):
        v.fail(where, key.why, key.code, **at)
    elif key is None:
        v.fail(where, f"signed by an unknown or untrusted device {body['device']}", "bad_checkpoint_signature",
               **at)
    elif (bad_record := signature_record_problem(sig)) is not None:
        v.fail(where, bad_record, "bad_checkpoint_signature", **at)
    elif sig["signer"] != body["device"]:
        v.fail(where, "signature is not by the device the checkpoint names", "bad_checkpoint_signature", **at)
    else:
        try:
            verify_object(sig, CHECKPOINT_CONTEXT, body, key.public)
        except SignatureError as exc:
            v.fail(where, f"signature invalid ({exc})", "bad_checkpoint_signature", **at)


def parse_checkpoint(raw: bytes) -> tuple[dict[str, Any], Any, dt.datetime]:
    """A checkpoint line ``{"checkpoint", "sig"}`` with exactly the documented members: (body, sig, time).
    ValueError/CanonicalisationError on anything else (the caller reports ``bad_checkpoint``)."""
    rec = loads(raw)
    if not isinstance(rec, dict) or set(rec) != CHECKPOINT_RECORD_MEMBERS:
        raise ValueError("a checkpoint record has exactly the members checkpoint and sig")
    body = rec["checkpoint"]
    if not isinstance(body, dict) or set(body) != CHECKPOINT_MEMBERS:
        raise ValueError(f"a checkpoint has exactly the members {sorted(CHECKPOINT_MEMBERS)}")
    if body["v"] != 1 or type(body["size"]) is not int or body["size"] < 0:
        raise ValueError("version or size invalid")
    if not all(isinstance(body[k], str) for k in ("log", "device", "step")) or not isinstance(body["root"], str) \
            or not _HEX64.fullmatch(body["root"]):
        raise ValueError("log, device, step or root invalid")
    return body, rec["sig"], parse_time(body["time"])


def check_checkpoint_root(v: Verification, where: str, size: int, root: str, hashes: list[bytes],
                          roots: Mapping[int, bytes] | None = None, **at: Any) -> bool:
    """A checkpoint's root is the Merkle root of the first ``size`` leaves of the journal (looked up in ``roots``,
    :func:`app.evidence.merkle.prefix_roots`, when given). Returns whether it is."""
    if size > len(hashes):
        v.fail(where, f"covers {size} leaves but the journal has only {len(hashes)} (leaves removed)",
               "size_mismatch", **at)
        return False
    actual = roots[size] if roots is not None and size in roots else merkle.root_from_leaf_hashes(hashes[:size])
    if actual.hex() != root:
        v.fail(where, "its root does not match the journal", "root_mismatch", **at)
        return False
    return True


# --- signed objects --------------------------------------------------------------------------------------------


def check_signatures(v: Verification, what: str, env: Mapping[str, Any], trust: Trust,
                     case_inspectors: Iterable[str] = (), signed_at: dt.datetime | None = None,
                     **at: Any) -> set[str]:
    """Every signature in the type's context over ``body`` by a trusted inspector (of the case, when given) within
    the signer's credential validity at ``signed_at`` (the time of the journal entry recording the object); every
    inspector the body lists among them; at least two. Returns the inspectors whose signatures verified."""
    kind = env.get("type")
    context = OBJECT_CONTEXTS.get(kind) if isinstance(kind, str) else None
    body = env.get("body")
    good: set[str] = set()
    if context is None or not isinstance(body, dict):
        v.fail(what, "unknown object type", "bad_object", **at)
        return good
    members = set(case_inspectors)
    sigs = env.get("signatures") or []
    if not isinstance(sigs, list):
        v.fail(what, "its signatures are not a list", "bad_signature", **at)
        sigs = []
    for sig in sigs:
        if (bad_record := signature_record_problem(sig)) is not None:
            v.fail(what, bad_record, "bad_signature", **at)
            continue
        signer = str(sig.get("signer", ""))
        key = trust(signer, "inspector")
        if isinstance(key, Distrust):
            v.fail(what, key.why, key.code, **at)
            continue
        if key is None:
            v.fail(what, f"signed by an unknown or untrusted inspector {signer}", "unknown_signer", **at)
            continue
        if members and signer not in members:
            v.fail(what, f"signed by {signer}, who is not an inspector of this case", "signer_not_case_inspector",
                   **at)
            continue
        if (why := outside_validity(key, signed_at)) is not None:
            v.fail(what, why, "outside_validity", **at)
            continue
        try:
            verify_object(sig, context, body, key.public)
        except SignatureError as exc:
            v.fail(what, f"signature of {key.name or signer} invalid ({exc})", "bad_signature", **at)
            continue
        good.add(signer)
    listed_raw = body.get("inspectors") or []
    try:
        listed = {str(x) for x in listed_raw}
    except TypeError:  # not a list at all
        listed = {str(listed_raw)}
    if listed and not listed <= good:
        missing = ", ".join(sorted(listed - good))
        v.fail(what, f"lacks a valid signature of {missing}", "missing_inspector_signature", **at)
    if len(good) < 2:
        v.fail(what, f"needs the signatures of two inspectors, has {len(good)}", "needs_two_inspectors", **at)
    return good


def object_event_payload(v: Verification, index: int, payload: Any, **at: Any) -> dict[str, Any] | None:
    """The payload of an object event (:data:`OBJECT_EVENTS`) at journal leaf ``index`` is checked as a signed
    object (:func:`check_object`) whatever it holds, so a plain JSON object there fails the object rules; a
    payload that is not even a JSON object is no signed object at all (``bad_object``). Returns the payload to
    check as an object, or None."""
    if isinstance(payload, dict):
        return payload
    v.fail(f"journal leaf #{index}", "its payload is not a signed object", "bad_object", seq=index, **at)
    return None


def object_label(env: Mapping[str, Any]) -> str:
    return f"{env.get('type')} {env.get('id')}"


def check_object(v: Verification, env: Mapping[str, Any], case_id: str, trust: Trust,
                 case_inspectors: Iterable[str] = (), signed_at: dt.datetime | None = None, **at: Any) -> str | None:
    """One signed object on its own: of this case, canonical, naming its own id, signed as
    :func:`check_signatures` requires. Returns the canonical SHA-256 of its body (None if it has none)."""
    body = env.get("body") or {}
    kind = env.get("type")
    what = object_label(env)
    if isinstance(body, dict) and body.get("case") != case_id:
        v.fail(what, "belongs to another case", "wrong_case", **at)
    try:
        sha = canonical_sha256(body)
    except CanonicalisationError as exc:
        v.fail(what, f"not canonical ({exc})", "bad_object", **at)
        return None
    if isinstance(body, dict):
        own_id = body.get("item") if kind == "evidence" else body.get("record") if kind == "record" else None
        if own_id is not None and own_id != env.get("id"):
            v.fail(what, f"its manifest names another id ({own_id})", "wrong_id", **at)
    check_signatures(v, what, env, trust, case_inspectors, signed_at, **at)
    v.objects += 1
    return sha


@dataclass(frozen=True)
class Reference:
    """A signed object pointing at another by id and the canonical SHA-256 of its body: a correction
    (``supersedes``), a derived item (``parent``), or a provider signature's or refusal's ``target``."""

    relation: str  # supersedes | parent | target
    id: str
    sha256: Any

    def missing_why(self) -> str:
        if self.relation == "target":
            return f"refers to {self.id}, which is not in the package"
        verb = "corrects" if self.relation == "supersedes" else "derives from"
        return f"{verb} {self.id}, which is not in the package"

    def mismatch_why(self) -> str:
        if self.relation == "target":
            return f"is bound to another document than {self.id} (hash mismatch: moved or altered)"
        return f"points at {self.id} but its hash does not match that item"


def references(env: Mapping[str, Any]) -> list[Reference]:
    """What a signed object points at."""
    body, kind = env.get("body"), env.get("type")
    if not isinstance(body, dict):
        return []
    if kind in ("evidence", "record"):
        out = []
        for relation in ("supersedes", "parent"):
            ref = body.get(relation)
            if ref and isinstance(ref, dict):
                out.append(Reference(relation, str(ref.get("item") or ref.get("record")), ref.get("manifest_sha256")))
            elif ref:
                out.append(Reference(relation, str(ref), None))
        return out
    if kind in ("provider-signature", "provider-refusal"):
        return [Reference("target", str(body.get("target")), body.get("target_sha256"))]
    if kind == "provider-batch-signature":
        targets = body.get("targets")
        if not isinstance(targets, list):
            return [Reference("target", "", None)]
        return [Reference("target", str(t.get("target")), t.get("target_sha256")) if isinstance(t, dict)
                else Reference("target", "", None) for t in targets]
    return []


def check_reference(v: Verification, what: str, ref: Reference, target_sha: str | None, **at: Any) -> bool:
    """The object pointed at hashes to what the reference names (``target_sha``: the canonical SHA-256 of its
    body; None when it is absent, a failure where the whole case is at hand)."""
    if target_sha is None:
        v.fail(what, ref.missing_why(), "missing_reference", **at)
        return False
    if target_sha != ref.sha256:
        v.fail(what, ref.mismatch_why(), "reference_mismatch", **at)
        return False
    return True


def evidence_blobs(body: Mapping[str, Any]) -> list[str]:
    """The byte streams an evidence manifest requires (``streams[].sha256``; "" where a stream names none)."""
    streams = body.get("streams") or []
    if not isinstance(streams, list):
        return [""]
    return [str(s.get("sha256", "")) if isinstance(s, dict) else "" for s in streams]


def provider_signature_blobs(body: Mapping[str, Any]) -> list[str]:
    """The strokes and rendered image a provider-signature binding requires."""
    return [str(body.get(f, "")) for f in ("strokes_sha256", "image_sha256")]


def required_blobs(env: Mapping[str, Any]) -> list[str]:
    """Every blob a signed object requires to be present (the rule of :func:`evidence_blobs` and
    :func:`provider_signature_blobs` by type)."""
    body = env.get("body")
    if not isinstance(body, dict):
        return []
    if env.get("type") == "evidence":
        return evidence_blobs(body)
    if env.get("type") in ("provider-signature", "provider-batch-signature"):
        return provider_signature_blobs(body)
    return []


BlobHasher = Callable[[str], str | None]  # sha256 -> sha256 of the bytes actually present, or None if absent


def check_blob(v: Verification, what: str, sha: str, blob_hash: BlobHasher, **at: Any) -> None:
    actual = blob_hash(sha)
    v.blobs += 1
    if actual is None:
        v.fail(what, f"blob {sha[:16]}… is missing", "missing_blobs", blob=sha, **at)
    elif actual != sha:
        v.fail(what, f"blob {sha[:16]}… does not match its hash (altered)", "blob_mismatch", blob=sha, **at)


def check_batch(v: Verification, what: str, body: Mapping[str, Any], **at: Any) -> None:
    """A batch signature lists at least one item, each once, and what was shown to the provider is exactly that
    list: ``shown_sha256`` is the canonical SHA-256 of ``shown`` (one line per item: seq, title, target, hash)
    and ``shown`` names the same targets with the same hashes, in order."""
    targets = body.get("targets")
    shown = body.get("shown")
    if not isinstance(targets, list) or not targets or not isinstance(shown, list):
        v.fail(what, "lists no items", "bad_object", **at)
        return
    ids = [t.get("target") if isinstance(t, dict) else None for t in targets]
    if len(set(map(str, ids))) != len(ids):
        v.fail(what, "lists an item twice", "bad_object", **at)
    pairs = [(t.get("target"), t.get("target_sha256")) if isinstance(t, dict) else None for t in targets]
    shown_pairs = [(s.get("target"), s.get("target_sha256")) if isinstance(s, dict) else None for s in shown]
    if pairs != shown_pairs:
        v.fail(what, "the list shown to the provider is not the list signed", "reference_mismatch", **at)
    try:
        if canonical_sha256(shown) != body.get("shown_sha256"):
            v.fail(what, "the hash of the list shown does not match", "reference_mismatch", **at)
    except CanonicalisationError as exc:
        v.fail(what, f"the list shown is not canonical ({exc})", "bad_object", **at)


def check_refusal(v: Verification, what: str, body: Mapping[str, Any], **at: Any) -> None:
    """A provider refusal records a reason."""
    if not str(body.get("reason", "")).strip():
        v.fail(what, "records no reason", "no_reason", **at)
