"""Convert the X window dump Xvfb keeps with ``-fbdir`` (``Xvfb_screen0``) to PNG: the smoke check's screenshot.

    python build_spec/xwd_to_png.py XWD PNG

Only the ZPixmap, 24/32-bit TrueColor dumps Xvfb writes are handled. Prints the PNG's path and how many distinct
colours it has (a window that painted has many; a blank screen one).
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PIL import Image

_HEADER_FIELDS = 25  # CARD32 fields of an XWD file header (version 7), big-endian


def convert(source: Path, target: Path) -> int:
    data = source.read_bytes()
    fields = struct.unpack(f">{_HEADER_FIELDS}I", data[: 4 * _HEADER_FIELDS])
    header_size, version, pixmap_format, depth, width, height = fields[:6]
    byte_order, bits_per_pixel, bytes_per_line, ncolors = fields[7], fields[11], fields[12], fields[19]
    if version != 7 or pixmap_format != 2 or bits_per_pixel != 32 or depth not in (24, 32):
        raise SystemExit(f"{source}: unsupported dump (version {version}, format {pixmap_format}, "
                         f"depth {depth}, {bits_per_pixel} bpp)")
    start = header_size + 12 * ncolors
    raw = data[start : start + bytes_per_line * height]
    mode = "BGRX" if byte_order == 0 else "XRGB"  # LSBFirst: B, G, R, pad in memory
    image = Image.frombuffer("RGB", (width, height), raw, "raw", mode, bytes_per_line, 1)
    image.save(target)
    colours = image.getcolors(maxcolors=1 << 16)
    return len(colours) if colours is not None else 1 << 16


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    colours = convert(Path(argv[0]), Path(argv[1]))
    print(f"{argv[1]}\t{colours} colours")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
