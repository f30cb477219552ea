"""Building many small objects at once (a national consolidation, its workbook) without the garbage collector's
passes.

CPython's cycle collector runs a pass every 700 new objects, and each older-generation pass walks everything still
alive: a consolidation of 10,000 cooperatives builds ≈ 1 million objects (manifests, figures, then 650,000 cells in
xlsxwriter), none of them cyclic garbage, and spends ≈ 20 % of its time in those passes (BENCHMARKS.md, « Issue
16 »). Nothing is lost by pausing them: the collector runs again when the work is done.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def bulk() -> Iterator[None]:
    """Pause the cycle collector for the block (or the decorated function); nested and concurrent uses leave it as
    it was found by the outermost."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
