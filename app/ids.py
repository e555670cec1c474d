"""UUIDv7 ids made on the laptop (RFC 9562): time-ordered, globally unique without coordination."""

from __future__ import annotations

import os
import time
import uuid


def uuid7() -> str:
    """A UUIDv7: 48-bit Unix milliseconds, version 7, 74 random bits, RFC 4122 variant."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")  # 80 bits, 74 used
    rand_a = rand >> 68  # 12 bits
    rand_b = rand & ((1 << 62) - 1)  # 62 bits
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return str(uuid.UUID(int=value))
