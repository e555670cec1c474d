"""The archive's side of verification: who may sign what (the roster and the pushing device), the format of what a
push carries, and signatures inside plain payloads. Every rule about evidence validity itself — the journal chain,
entry and object signatures, checkpoint roots, blobs an object requires — is applied by the verifier's own functions
(``app.evidence.verify_rules``); this module only supplies the archive's trust and turns problems into reasons."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.evidence.canonical import CanonicalisationError, canonical_sha256, loads
from app.evidence.signing import SignatureError, unb64, verify_object
from app.evidence.verify_pages import ISSUED, check_co_issuer
from app.evidence.verify_rules import (
    OBJECT_CONTEXTS,
    OBJECT_EVENTS,
    TEAM_EVENTS,
    Distrust,
    Key,
    Problem,
    Trust,
    Verification,
    check_batch,
    check_object,
    check_reference,
    check_refusal,
    check_stream_size,
    object_event_payload,
    object_label,
    references,
    required_blobs,
    stream_sizes,
    team_after,
)
from app.sync.protocol import EVIDENCE_CONTEXTS, is_signed_envelope, payload_blob_refs
from archive.db import Device, Inspector
from archive.errors import reason
from archive.requestauth import AuthedDevice

SIG_KEYS = frozenset({"signer", "suite", "public_key", "context", "signature"})
_SIG_MEMBERS = ("sig", "sigs", "signatures")


class Refused(Exception):
    def __init__(self, reasons: list[dict[str, Any]], missing: list[str] | None = None) -> None:
        super().__init__("batch refused")
        self.reasons = reasons
        self.missing = missing


def reasons_of(problems: list[Problem]) -> list[dict[str, Any]]:
    """The verifier's problems as the archive's reasons: the same code, the verifier's line as the message."""
    return [reason(p.code, p.line, **p.where) for p in problems]


def refuse_if(v: Verification, missing: list[str] | None = None) -> None:
    if v.problems:
        raise Refused(reasons_of(v.problems), missing)


# --- trust: the roster and the pushing device --------------------------------------------------------------------


@dataclass(frozen=True)
class RosterView:
    device_key: bytes
    inspectors: dict[str, tuple[bytes, bool]]  # id -> (public key, revoked)


def load_roster(s: Session, device_id: str) -> RosterView:
    device = s.get(Device, device_id)
    assert device is not None
    keys = {
        i.id: (unb64(i.public_key), i.revoked_at is not None) for i in s.execute(select(Inspector)).scalars()
    }
    return RosterView(unb64(device.public_key), keys)


def device_trust(dev: AuthedDevice, roster: RosterView) -> Trust:
    """Checkpoints: only the pushing device's key."""

    def trust(key_id: str, role: str) -> Key | Distrust | None:
        if role != "device" or key_id != dev.id:
            return Distrust("bad_checkpoint", "checkpoint is not about this device")
        return Key(dev.id, roster.device_key, role="device")

    return trust


def actor_trust(dev: AuthedDevice, roster: RosterView) -> Trust:
    """Journal entries: an inspector registered with this device, on the roster and not revoked."""

    def trust(key_id: str, role: str) -> Key | Distrust | None:
        if role != "inspector" or key_id not in dev.inspector_ids:
            return Distrust("actor_not_device_inspector", f"actor {key_id!r} is not an inspector of this device")
        known = roster.inspectors.get(key_id)
        if known is None or known[1]:
            return Distrust("actor_revoked", f"actor {key_id} is not on the roster or revoked")
        return Key(key_id, known[0])

    return trust


def signer_trust(dev: AuthedDevice, roster: RosterView) -> Trust:
    """Signed objects: an inspector on the roster, not revoked, registered with this device."""

    def trust(key_id: str, role: str) -> Key | Distrust | None:
        known = roster.inspectors.get(key_id)
        if known is None:
            if key_id == dev.id:
                return Distrust("unknown_signer", "signed by the device; a signed object needs inspectors")
            return None
        if known[1]:
            return Distrust("signer_revoked", f"signer {key_id} is revoked")
        if key_id not in dev.inspector_ids:
            return Distrust("signer_not_device_inspector",
                            f"signed by {key_id}, who is not an inspector of this device")
        return Key(key_id, known[0])

    return trust


# --- signed objects and plain payloads ---------------------------------------------------------------------------


def is_object_payload(payload: Any, entry_type: str) -> bool:
    """Checked as a signed object: an envelope of a known type, or whatever an object event carries (the
    verifier checks every object event's payload as a signed object, so anything else there fails)."""
    return is_signed_envelope(payload) or entry_type in OBJECT_EVENTS


# --- the case's team: the one the archive holds, and the one the case's journal states --------------------------


TeamIds = frozenset[str] | None  # None: no team to check against


def journal_teams(entries: Iterable[tuple[int, Mapping[str, Any]]], payloads: Mapping[str, bytes]) -> dict[int, TeamIds]:
    """The team one journal states before each of its leaves (``entries``: (seq, entry) of the journal's leaves
    from leaf 0, in order; ``payloads``: by SHA-256), by the verifier's own rule (``team_after`` over its
    ``TEAM_EVENTS``: leaf 0's ``case.created`` ``inspectors``, then recusal replacements by one of them). None
    while none is stated (no ``inspectors`` in ``case.created``: older data). A payload missing or unreadable
    changes nothing (it failed elsewhere), as in the verifier."""
    team: TeamIds = None
    before: dict[int, TeamIds] = {}
    for seq, entry in entries:
        before[seq] = team
        if entry.get("type") in TEAM_EVENTS:
            raw = payloads.get(str(entry.get("payload_sha256")))
            try:
                body = loads(raw) if raw is not None else None
            except (CanonicalisationError, ValueError):
                body = None
            team = team_after(team, entry, body)
    return before


def case_team(held: frozenset[str], stated: TeamIds) -> TeamIds:
    """Who may sign for the case, or co-issue its documents, at one journal entry: the team the archive holds
    (``held``: ``archive.teams.load_team``'s inspectors, or the pushing device's for a case it does not know yet)
    and, when the entry's journal states one (``stated``, :func:`journal_teams`), only those of it in that too —
    so the archive never accepts what the package verifier, which knows only the journal's, refuses. None: no
    team at all (nothing held, nothing stated)."""
    if stated is None:
        return held or None
    return held & stated if held else stated


def common_team(teams: Iterable[TeamIds]) -> TeamIds:
    """The team a payload recorded by several entries is checked against: every entry's (the verifier checks it
    at each), i.e. their intersection; None when none names one."""
    named = [t for t in teams if t is not None]
    return frozenset.intersection(*named) if named else None


def check_payload_object(v: Verification, payload: Any, case_id: str, trust: Trust, sha: str,
                         seq: int, case_inspectors: TeamIds = None) -> dict[str, Any] | None:
    """The verifier's rules for one signed object on its own (``object_event_payload`` for what an object event
    at leaf ``seq`` carries, ``check_object``, a refusal's reason), plus the archive's format rule: signature
    records carry exactly the members of a signature record; ``case_inspectors``: the case's team
    (:func:`case_team`), whom the signers must be among (None: not checked; empty: no signer is — the verifier's
    ``signer_not_case_inspector`` for a journal that names no inspector of the case). Returns the envelope, None
    if it is none at all."""
    env = object_event_payload(v, seq, payload, sha256=sha)
    if env is None:
        return None
    sigs = env.get("signatures")
    for sig in sigs if isinstance(sigs, list) else []:
        if isinstance(sig, dict) and set(sig) - SIG_KEYS:
            v.fail(f"{env.get('type')} {env.get('id')}", "a signature record has unexpected members",
                   "bad_signature", sha256=sha)
    if case_inspectors is not None and not case_inspectors:
        v.fail(object_label(env), "the case's journal names no inspector of the case", "signer_not_case_inspector",
               sha256=sha)
    check_object(v, env, case_id, trust, case_inspectors or (), sha256=sha)
    if env.get("type") == "provider-refusal" and isinstance(env.get("body"), dict):
        check_refusal(v, f"{env.get('type')} {env.get('id')}", env["body"], sha256=sha)
    if env.get("type") == "provider-batch-signature" and isinstance(env.get("body"), dict):
        check_batch(v, f"{env.get('type')} {env.get('id')}", env["body"], sha256=sha)
    return env


def body_sha256(env: Any) -> str | None:
    """The canonical SHA-256 of a signed object's body (what references name), None if it has none."""
    try:
        return canonical_sha256(env["body"]) if isinstance(env, dict) and isinstance(env.get("body"), dict) else None
    except CanonicalisationError:
        return None


def check_known_references(v: Verification, objects: Mapping[str, dict[str, Any]],
                           known: Mapping[str, str]) -> None:
    """The verifier's reference rule for each new object (by payload sha) whose target the archive already sees —
    in this batch or held for this case (``known``: id -> body sha). A target not seen yet is no failure here: it
    may come in a later batch or another device's journal; the package verifier requires it."""
    for sha, env in objects.items():
        for ref in references(env):
            if ref.id in known:
                check_reference(v, object_label(env), ref, known[ref.id], sha256=sha)


def blobs_required(payload: Any) -> set[str]:
    """Blobs a payload needs at the archive: the verifier's rule for signed objects, plus the protocol's shared
    ``payload_blob_refs`` (what the client uploads)."""
    refs = set(payload_blob_refs(payload))
    if isinstance(payload, dict) and payload.get("type") in OBJECT_CONTEXTS:
        refs |= set(required_blobs(payload))
    return refs


def _signature_records(value: Any) -> list[tuple[dict[str, Any], list[Any]]]:
    """Signature records inside a payload that is not a signed-object envelope, with the candidate values each may
    have been made over: the enclosing object without its ``sig``/``sigs``/``signatures`` members, and each
    remaining member that is an object."""
    out: list[tuple[dict[str, Any], list[Any]]] = []
    if isinstance(value, dict):
        sigs: list[Any] = []
        if isinstance(value.get("sig"), dict):
            sigs.append(value["sig"])
        for k in ("sigs", "signatures"):
            if isinstance(value.get(k), list):
                sigs.extend(value[k])
        rest = {k: v for k, v in value.items() if k not in _SIG_MEMBERS}
        candidates: list[Any] = [rest, *(v for v in rest.values() if isinstance(v, dict))]
        for s in sigs:
            if isinstance(s, dict) and set(s) == SIG_KEYS:
                out.append((s, candidates))
        for k, v in value.items():
            if k not in _SIG_MEMBERS:
                out.extend(_signature_records(v))
    elif isinstance(value, list):
        for v in value:
            out.extend(_signature_records(v))
    return out


def embedded_signatures(payload: Any) -> list[tuple[dict[str, Any], list[Any]]]:
    """(signature record, values it may be over) for the records inside a plain (non-envelope) payload."""
    return [] if is_signed_envelope(payload) else _signature_records(payload)


def check_embedded_signature(
    signer_keys: Mapping[str, bytes], sig: dict[str, Any], candidates: list[Any]
) -> bool:
    """True when ``sig`` verifies, in an evidence context, over one of ``candidates`` with its signer's key."""
    ctx = sig.get("context")
    key = signer_keys.get(str(sig.get("signer")))
    if key is None or ctx not in EVIDENCE_CONTEXTS:
        return False
    for cand in candidates:
        try:
            verify_object(sig, str(ctx), cand, key)
            return True
        except (SignatureError, CanonicalisationError):
            continue
    return False


def check_plain_payload(dev: AuthedDevice, roster: RosterView, payload: Any, sha: str) -> list[dict[str, Any]]:
    """A plain payload's embedded signature records: by this device or one of its inspectors, on the roster and
    not revoked, and genuine (an archive rule: the verifier does not look inside plain payloads)."""
    out: list[dict[str, Any]] = []
    for sig, candidates in embedded_signatures(payload):
        signer = sig.get("signer")
        if signer == dev.id:
            key = roster.device_key
        elif isinstance(signer, str) and signer in roster.inspectors:
            key, revoked = roster.inspectors[signer]
            if revoked:
                out.append(reason("signer_revoked", f"signer {signer} is revoked", sha256=sha))
                continue
            if signer not in dev.inspector_ids:
                out.append(reason("signer_not_device_inspector",
                                  f"signed by {signer}, who is not an inspector of this device", sha256=sha))
                continue
        else:
            out.append(reason("unknown_signer", f"signer {signer!r} is not on the roster", sha256=sha))
            continue
        if sig.get("context") not in EVIDENCE_CONTEXTS:
            out.append(reason("bad_signature", f"signature context {sig.get('context')!r} not allowed here",
                              sha256=sha))
        elif not check_embedded_signature({str(signer): key}, sig, candidates):
            out.append(reason("bad_signature", f"signature by {signer} does not verify", sha256=sha))
    return out


def stream_size_reasons(objects: dict[str, dict[str, Any]], sizes: dict[str, int]) -> list[dict[str, Any]]:
    """The verifier's size rule for evidence manifests (``check_stream_size``) against the blobs this device may
    name (``sizes``: their lengths as stored, hashed at the archive)."""
    v = Verification()
    for sha, env in objects.items():
        body = env.get("body")
        if env.get("type") != "evidence" or not isinstance(body, dict):
            continue
        for blob, claimed in stream_sizes(body):
            if blob in sizes:
                check_stream_size(v, object_label(env), blob, claimed, sizes[blob], sha256=sha)
    return reasons_of(v.problems)


def check_co_issuers(v: Verification, entries: Iterable[tuple[int, Mapping[str, Any]]], payloads: Mapping[str, bytes],
                     trust: Trust, team: Callable[[int], Collection[str] | None]) -> None:
    """The verifier's rule for a ``document.issued`` entry's second issuer (``check_co_issuer``) for each of
    ``entries`` ((leaf seq, entry)) whose payload is in ``payloads``, with the case's team at that leaf (``team``:
    seq -> :func:`case_team`, the team the archive holds as far as the journal states it). A payload missing or
    unreadable failed elsewhere."""
    for seq, entry in entries:
        raw = payloads.get(str(entry.get("payload_sha256")))
        if entry.get("type") != ISSUED or raw is None:
            continue
        try:
            body = loads(raw)
        except (CanonicalisationError, ValueError):
            continue
        check_co_issuer(v, seq, entry, body, trust, team(seq))
