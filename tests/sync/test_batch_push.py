"""A provider's batch signature (one signature over a list of items) pushed to a real archive process."""

from __future__ import annotations

from tests.archive.helpers import ArchiveProcess
from tests.sync.conftest import DemoProfile
from tests.sync.helpers import open_demo


def test_a_batch_provider_signature_is_accepted_by_the_archive(demo: DemoProfile, archive: ArchiveProcess) -> None:
    """The new signed kind travels like the others: pushed, verified by the archive, re-verified by admin verify."""
    from app.evidence.capture import CaptureMeta, CaptureSource, capture
    from app.evidence.provider import Signer, record_batch_signature
    from app.sync.client import SyncClient
    from app.workflow.demo_files import photo, signature_png, signature_strokes
    from tests.sync.helpers import add_case

    a, b = demo.inspectors
    with open_demo(demo.root) as store:
        code = archive.admin("enrolment-code").stdout.strip()
        with SyncClient(store, archive.url) as c:
            c.register(code, "test laptop")
        case_id = add_case(store, [a, b], a, "批量签名")
        ids = [capture(store, case_id, [CaptureSource(f"IMG_{i}.jpg", data=photo(f"bed {i}", (90, 100 + i, 140)))],
                       CaptureMeta("audiovisual", "record_media", f"照片 {i}", source="三病区")).item_id
               for i in range(2)]
        strokes = signature_strokes(3)
        record_batch_signature(store, case_id, ids, Signer("钱护士", "证据提供者"), strokes, signature_png(strokes))
        with SyncClient(store, archive.url) as c:
            report = c.sync()
    result = next(r for r in report.cases if r.case_id == case_id)
    assert not result.refused, result.reasons
    assert archive.admin("verify", check=False).returncode == 0
