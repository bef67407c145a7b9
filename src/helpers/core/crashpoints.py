"""Named points where a test can crash the workbook as a power cut or ``kill -9`` would.

With ``HRD_CRASH_AT=<point>[@<n>]`` in the environment, the n-th time (default the first) one
process reaches ``<point>``, the whole process group is killed with SIGKILL: the command, its
workers and nothing gets to clean up. Without the variable every call is a no-op, so the points
cost nothing in normal runs. The fault tests (tests/robustness/test_faults.py) use them to kill
a run after cleaning, mid-way through the reports and in the middle of writing a file.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

ENV = "HRD_CRASH_AT"
_reached: Counter[str] = Counter()


def reach(point: str) -> None:
    """Mark that this process reached ``point``; crash here if the environment asks for it."""
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    name, _, nth = wanted.partition("@")
    if name != point:
        return
    _reached[point] += 1
    if _reached[point] == int(nth or 1):
        os.killpg(os.getpgrp(), signal.SIGKILL)
