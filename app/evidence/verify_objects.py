"""The evidence-validity rules of signed objects (``app.evidence.verify_rules``): signatures of two inspectors in
the type's context, the object's case and id, what it references (corrections, derived items, provider
bindings), the blobs it requires, batch signatures and refusals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.evidence.canonical import CanonicalisationError, canonical_sha256
from app.evidence.signing import SignatureError, verify_object
from app.evidence.verify_base import (
    OBJECT_CONTEXTS,
    Distrust,
    Trust,
    Verification,
    outside_validity,
    signature_record_problem,
)


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


BlobSizer = Callable[[str], int | None]  # sha256 -> length in bytes of the blob present, or None if absent


def stream_sizes(body: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The ``(sha256, size)`` each stream of an evidence manifest claims (streams without ``size`` claim none)."""
    streams = body.get("streams")
    return [(str(s.get("sha256", "")), s["size"]) for s in streams if isinstance(s, dict) and "size" in s] \
        if isinstance(streams, list) else []


def check_stream_size(v: Verification, what: str, sha: str, claimed: Any, actual: int | None, **at: Any) -> None:
    """A stream's signed ``size`` is the length of the bytes it names (``actual``; None: absent, reported by
    :func:`check_blob`). The hash matching does not make a false size true: a reviewer is shown it."""
    if actual is None or (type(claimed) is int and claimed == actual):
        return
    v.fail(what, f"blob {sha[:16]}… is {actual} bytes but its manifest says {claimed}", "blob_mismatch", blob=sha,
           **at)


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
