"""Photo ingest: hash, encrypt, EXIF, thumbnail (a derived item), manifest and two signatures per photo, for a folder
of N photos (default 200 at 12 MP), beside a raw copy + SHA-256 of the same files in the same run.

    python bench/ingest.py [--count 200] [--megapixels 12]

The raw copy + SHA-256 runs before and after the ingest; ``raw`` is the mean of the two. Last line: one JSON
object of the figures (``ratio`` = ingest throughput / raw throughput; target ≥ 0.5).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageDraw

from app.evidence.capture import CaptureMeta, CaptureSource, capture
from app.evidence.capture_batch import capture_batch
from app.models.profile import Profile
from app.workflow.cases import CaseSpec, add_institution, create_case


def camera_jpeg(megapixels: float) -> bytes:
    """A camera-like JPEG: a gradient with detail, so it compresses like a photo (≈ 2-4 MB at 12 MP)."""
    w = int((megapixels * 1e6 * 4 / 3) ** 0.5)
    h = int(w * 3 / 4)
    small = Image.effect_noise((w // 8, h // 8), 60).convert("RGB")
    img = small.resize((w, h), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(img)
    for i in range(0, w, 97):
        draw.line([(i, 0), (w - i, h)], fill=(200, 80, 40), width=3)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0132] = "BenchCam", "BC-12", "2026:11:23 09:00:00"
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=92, exif=exif.tobytes())
    return buf.getvalue()


def variant(base: bytes, i: int) -> bytes:
    """A distinct file: a JPEG comment segment with the index right after SOI."""
    comment = f"photo {i:05d}".encode()
    return base[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + base[2:]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--megapixels", type=float, default=12.0)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    try:
        folder = work / "DCIM"
        folder.mkdir()
        base = camera_jpeg(args.megapixels)
        paths = []
        for i in range(args.count):
            p = folder / f"IMG_{i:04d}.JPG"
            p.write_bytes(variant(base, i))
            paths.append(p)
        total_mb = sum(p.stat().st_size for p in paths) / 2**20

        def raw_copy(target: Path) -> float:
            target.mkdir()
            t = time.perf_counter()
            for p in paths:
                h = hashlib.sha256()
                data = p.read_bytes()
                h.update(data)
                with open(target / p.name, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
            return time.perf_counter() - t

        # The baseline runs before and after the ingest and the ratio uses the mean of the two, so that a load
        # change on a shared machine during the run weighs on both sides alike.
        raw_before = raw_copy(work / "copy1")

        profile = Profile.init(work / "profile")
        a = profile.enroll("甲", "C1", "Org", "bench passphrase a")
        b = profile.enroll("乙", "C2", "Org", "bench passphrase b", unlock_passphrase="bench passphrase a")
        with profile.unlock("bench passphrase a") as store:
            store.unlock_inspector("bench passphrase b")
            with store.transaction() as s:
                inst = add_institution(s, name="某医院", kind="designated_hospital")
                case = create_case(s, store, a, CaseSpec(institution_id=inst.id, kind="routine", inspector_ids=[a, b])).id
            t = time.perf_counter()
            single = capture(store, case, [CaptureSource(paths[0].name, path=paths[0])],
                             CaptureMeta("documentary", "record_media", "照片", source="现场"))
            one = time.perf_counter() - t
            assert single.thumbnail_item_id is not None
            t = time.perf_counter()  # the rest as the SD-card import does it: prefetch + decode ahead
            results = capture_batch(store, case, [(CaptureSource(p.name, path=p),
                                                   CaptureMeta("documentary", "record_media", p.name, source="现场"))
                                                  for p in paths[1:]])
            rest = time.perf_counter() - t
            assert all(not isinstance(r, Exception) and r.thumbnail_item_id for r in results)
        raw_after = raw_copy(work / "copy2")
        raw = (raw_before + raw_after) / 2
        ingest = one + rest
        print(f"{args.count} photos, {args.megapixels:g} MP, {total_mb:.0f} MB")
        print(f"raw copy + SHA-256: {args.count / raw:7.1f} photos/s {total_mb / raw:7.1f} MB/s "
              f"(before {args.count / raw_before:.1f}, after {args.count / raw_after:.1f} photos/s)")
        print(f"ingest:             {args.count / ingest:7.1f} photos/s {total_mb / ingest:7.1f} MB/s "
              f"(one photo {one * 1000:.0f} ms)   ratio {raw / ingest:.3f}")
        print(json.dumps({"photos": args.count, "megapixels": args.megapixels, "mb": round(total_mb, 1),
                          "ingest_photos_s": round(args.count / ingest, 2), "ingest_mb_s": round(total_mb / ingest, 1),
                          "raw_photos_s": round(args.count / raw, 2), "raw_mb_s": round(total_mb / raw, 1),
                          "raw_before_photos_s": round(args.count / raw_before, 2),
                          "raw_after_photos_s": round(args.count / raw_after, 2),
                          "single_photo_ms": round(one * 1000, 1), "ratio": round(raw / ingest, 3)}))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
