"""Giving the memory of closed streams back: glibc's malloc_trim, and when it runs."""

from __future__ import annotations

import asyncio
import platform
import sys

import pytest

from shared.heap import HeapTrimmer, malloc_trim

GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


@pytest.mark.skipif(not GLIBC, reason="malloc_trim is glibc's")
def test_malloc_trim_gives_the_pages_of_freed_objects_back() -> None:
    """100 MB of objects (each past pymalloc's 512 bytes, so glibc's) freed, one in fifty
    kept: the freed pages stay with the process until the trim."""
    assert malloc_trim is not None
    blocks = [bytearray(2000) for _ in range(50_000)]
    kept = blocks[::50]
    del blocks
    before = rss_mb()
    malloc_trim()
    assert before - rss_mb() > 50
    assert len(kept) == 1000


class Trims:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


async def test_a_trim_waits_for_enough_closes_then_for_the_closing_to_settle() -> None:
    trims = Trims()
    trimmer = HeapTrimmer(after_closed=10, settle=0.3, pause=5, trim=trims)
    for open_now in (5, 100, 91):  # 9 fewer than the most: not due
        trimmer.note(open_now)
    for open_now in range(90, 80, -1):  # due, but still closing, one every 0.05 s
        trimmer.note(open_now)
        await asyncio.sleep(0.05)
    assert trims.count == 0
    await asyncio.sleep(0.8)  # closing is over: one trim
    assert (trims.count, trimmer.trims) == (1, 1)


async def test_trims_are_a_pause_apart() -> None:
    trims = Trims()
    trimmer = HeapTrimmer(after_closed=10, settle=0.01, pause=0.6, trim=trims)
    trimmer.note(20)
    trimmer.note(10)
    await asyncio.sleep(0.2)
    assert trims.count == 1
    trimmer.note(30)
    trimmer.note(15)  # due again, not before the pause is over
    await asyncio.sleep(0.1)
    assert trims.count == 1
    await asyncio.sleep(0.8)
    assert trims.count == 2
