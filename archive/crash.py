"""Test-only crash points: ``FIELDAUDIT_ARCHIVE_CRASHPOINT=name`` makes the archive process die (``os._exit``,
like SIGKILL: no cleanup, no flush) the first time it reaches the named point. Used by tests/archive to prove
that a kill at any of these moments loses nothing and commits nothing partial.

Points: ``upload.before_fsync`` (staging bytes written, not yet fsynced, offset not recorded),
``upload.after_blob_put`` (blob durably stored content-addressed, database row not committed),
``push.before_commit`` (batch rows flushed inside the transaction, not committed),
``push.after_commit`` (committed, receipt not yet sent), ``s3.after_part`` (first part of a multipart object
written to the object store, upload not completed).
"""

from __future__ import annotations

import errno
import os
import sys

ENV = "FIELDAUDIT_ARCHIVE_CRASHPOINT"
POINTS = ("upload.before_fsync", "upload.after_blob_put", "push.before_commit", "push.after_commit", "s3.after_part")


def crashpoint(name: str) -> None:
    if os.environ.get(ENV) == name:
        sys.stderr.write(f'{{"event": "crashpoint", "point": "{name}"}}\n')
        sys.stderr.flush()
        os._exit(137)


FAULT_ENV = "FIELDAUDIT_ARCHIVE_FAULT"
FAULTS = ("upload.write",)


def fault(name: str) -> None:
    """Test only: ``FIELDAUDIT_ARCHIVE_FAULT=enospc:upload.write`` makes that write fail as on a full disk, for
    machines where a test may not mount a small file system to fill (tests/archive/test_disk_full.py)."""
    if os.environ.get(FAULT_ENV) == f"enospc:{name}":
        raise OSError(errno.ENOSPC, "No space left on device (injected)")
