"""Invented demo material, made in memory: photos, a scanned list, a data export, an audio clip, a PDF opinion."""

from __future__ import annotations

import io
import math
import struct
import wave

from PIL import Image, ImageDraw, ImageFont


def photo(label: str, colour: tuple[int, int, int], size: tuple[int, int] = (1600, 1200)) -> bytes:
    """A JPEG with simple shapes and an EXIF camera/time block, like a site photo."""
    img = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(img)
    w, h = size
    for i in range(5):  # a ward: beds with pillows, on a floor
        x = w // 12 + i * w // 5
        draw.rectangle([x, h // 2, x + w // 8, h * 5 // 6], fill=(245, 245, 245), outline=(60, 60, 70), width=4)
        draw.rectangle([x + w // 64, h // 2 - h // 20, x + w // 8 - w // 64, h // 2 + h // 40], fill=(180, 200, 230))
    draw.rectangle([0, h * 5 // 6, w, h], fill=(150, 140, 130))
    from app.documents.fonts import FONT_DIR

    font = ImageFont.truetype(str(FONT_DIR / "wqy-microhei.ttc"), size=max(16, h // 18))  # the bundled CJK font
    draw.text((40, 40), label, font=font, fill=(255, 255, 255), stroke_width=2, stroke_fill=(40, 40, 50))
    exif = Image.Exif()
    exif[0x010F] = "DemoCam"  # Make
    exif[0x0110] = "FieldAudit Demo 1"  # Model
    exif[0x0132] = "2026:11:23 09:41:00"  # DateTime
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85, exif=exif.tobytes())
    return buf.getvalue()


def csv_export() -> bytes:
    rows = ["结算单号,住院号,入院日期,出院日期,医保支付金额(元)"]
    for i in range(1, 41):
        rows.append(f"JS2025{i:05d},ZY{100000 + i},2025-03-{(i % 27) + 1:02d},2025-03-{(i % 27) + 2:02d},{1200 + i * 37}.50")
    return ("\n".join(rows) + "\n").encode("utf-8")


def wav_clip(seconds: int = 2, rate: int = 8000) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        frames = b"".join(struct.pack("<h", int(6000 * math.sin(2 * math.pi * 440 * t / rate)))
                          for t in range(seconds * rate))
        w.writeframes(frames)
    return buf.getvalue()


def text_document(text: str) -> bytes:
    return text.encode("utf-8")


def signature_strokes(seed: int = 0) -> list[list[list[int]]]:
    """A plausible handwritten stroke set: (x, y in 0.1 px, t ms, pressure 0-1000, tilt x, tilt y)."""
    strokes = []
    for s in range(3):
        pts = []
        for i in range(25):
            x = 200 + s * 600 + i * 18
            y = 400 + int(120 * math.sin((i + seed + s) / 3))
            pts.append([x, y, s * 400 + i * 12, 400 + (i * 17) % 400, 0, 0])
        strokes.append(pts)
    return strokes


def signature_png(strokes: list[list[list[int]]]) -> bytes:
    img = Image.new("RGB", (300, 100), "white")
    draw = ImageDraw.Draw(img)
    for stroke in strokes:
        draw.line([(p[0] / 10, p[1] / 10) for p in stroke], fill="black", width=2)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()
