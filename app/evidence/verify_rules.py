"""The evidence-validity rules, one implementation: pure functions over in-memory journal leaves, checkpoints and
signed objects, shared by the package verifier (``app.evidence.verify``), ``app.cli check`` and the archive (a push
batch, ``archive admin verify``). Imports nothing of the UI, the store or the archive.

A rule reports into a :class:`Verification`: each failure is a :class:`Problem` with a stable ``code`` (the reason
code the archive answers with, docs/package-format.md "Reason codes") and the line ``<what>: <why>`` the verifier
prints. Who may sign is not a rule of evidence but of the caller: a rule asks a :data:`Trust` for the key of a
signer, so the verifier trusts a package's or a roster's keys and the archive its roster and the pushing device.

The rules live by responsibility in :mod:`app.evidence.verify_base` (reporting, trust, signature records, times,
contexts), :mod:`app.evidence.verify_journal` (leaves and checkpoints) and :mod:`app.evidence.verify_objects`
(signed objects, references, blobs); this module is the one name they are used by.
"""

from __future__ import annotations

from app.evidence.verify_base import (
    ANSWERED_KINDS,
    CHECKPOINT_CONTEXT,
    CHECKPOINT_MEMBERS,
    CHECKPOINT_RECORD_MEMBERS,
    JOURNAL_CONTEXT,
    OBJECT_CONTEXTS,
    OBJECT_EVENTS,
    ROSTER_CONTEXT,
    SIGNATURE_MEMBERS,
    Distrust,
    Head,
    Key,
    Problem,
    Trust,
    Verification,
    checkpoint_fingerprint,
    keyring,
    outside_validity,
    parse_time,
    signature_record_problem,
)
from app.evidence.verify_journal import (
    TEAM_EVENTS,
    check_checkpoint_root,
    check_checkpoint_signature,
    check_leaf,
    parse_checkpoint,
    team_after,
)
from app.evidence.verify_objects import (
    BlobHasher,
    BlobSizer,
    Reference,
    check_batch,
    check_blob,
    check_object,
    check_reference,
    check_refusal,
    check_signatures,
    check_stream_size,
    evidence_blobs,
    object_event_payload,
    object_label,
    provider_signature_blobs,
    references,
    required_blobs,
    stream_sizes,
)

__all__ = [
    "ANSWERED_KINDS",
    "CHECKPOINT_CONTEXT",
    "CHECKPOINT_MEMBERS",
    "CHECKPOINT_RECORD_MEMBERS",
    "JOURNAL_CONTEXT",
    "OBJECT_CONTEXTS",
    "OBJECT_EVENTS",
    "ROSTER_CONTEXT",
    "SIGNATURE_MEMBERS",
    "TEAM_EVENTS",
    "BlobHasher",
    "BlobSizer",
    "Distrust",
    "Head",
    "Key",
    "Problem",
    "Reference",
    "Trust",
    "Verification",
    "check_batch",
    "check_blob",
    "check_checkpoint_root",
    "check_checkpoint_signature",
    "check_leaf",
    "check_object",
    "check_reference",
    "check_refusal",
    "check_signatures",
    "check_stream_size",
    "checkpoint_fingerprint",
    "evidence_blobs",
    "keyring",
    "object_event_payload",
    "object_label",
    "outside_validity",
    "parse_checkpoint",
    "parse_time",
    "provider_signature_blobs",
    "references",
    "required_blobs",
    "signature_record_problem",
    "stream_sizes",
    "team_after",
]
