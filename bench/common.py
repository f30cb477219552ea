"""Shared helpers of the benchmarks: cached sample cahiers and medians."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def cahier(lines: int, seed: int = 1) -> Path:
    """A realistic cahier of about ``lines`` lines made from the template (cached in bench/out)."""
    from workbook_tools.fill import write_cahier
    from workbook_tools.sample import sample_book

    path = OUT / f"cahier-{lines}-{seed}.xlsx"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}.tmp.xlsx")
        write_cahier(sample_book(coop=f"{seed:05d}", lines=lines, seed=seed), tmp)
        tmp.replace(path)
    return path


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm-up: imports, caches, file system
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def row(label: str, value: float, reference: float, ref_label: str, target: str) -> str:
    return f"{label:<44} {value:9.1f} ms   {ref_label:<30} {reference:9.1f} ms   ratio {value / reference:5.2f}   target {target}"
