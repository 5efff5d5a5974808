"""Time-ordered UUIDs (version 7, RFC 9562) so primary keys index well."""

from __future__ import annotations

import os
import uuid

from shared import clock


def uuid7() -> uuid.UUID:
    unix_ms = clock.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (unix_ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return uuid.UUID(int=value)
