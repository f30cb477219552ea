"""Shared helpers of the benchmarks: cached sample cahiers, medians, whole processes and the machine's line."""

from __future__ import annotations

import datetime as dt
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
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


def row(
    label: str, value: float, reference: float, ref_label: str, target: str, cpu: tuple[float, float] | None = None
) -> str:
    """One figure beside its reference, as a ratio; ``cpu``: the CPU times of both (whole processes)."""
    line = f"{label:<44} {value:9.1f} ms   {ref_label:<30} {reference:9.1f} ms   ratio {value / reference:5.2f}   target {target}"
    if cpu is not None:
        line += f"   (cpu {cpu[0]:.0f} / {cpu[1]:.0f} ms, ratio {cpu[0] / cpu[1]:.2f})"
    return line


CPU: dict[str, float] = {}  # label → median CPU time (user + system) of the last process_ms of that label


def process_ms(args: Sequence[str], repeat: int) -> float:
    """Median wall time of a whole process (``python ARGS``), its output discarded; it must succeed. The median CPU
    time of the same runs (user + system: what the process itself used, less sensitive to a busy machine than the
    wall time) is kept in ``CPU[" ".join(args)]``, for :func:`cpu_note`."""
    command = [sys.executable, *args]
    cpu: list[float] = []

    def once() -> None:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(command, check=True, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)

    wall = median_ms(once, repeat)
    CPU[" ".join(args)] = statistics.median(cpu[1:]) * 1000  # the warm-up run left out, as in median_ms
    return wall


def cpu_ms(args: Sequence[str]) -> float:
    """The median CPU time of the last :func:`process_ms` of ``args``."""
    return CPU[" ".join(args)]


def machine() -> str:
    """The line every benchmark starts with: where and when it ran, and how busy the machine was."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {sys.version.split()[0]}, "
        f"load {load:.1f}, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    )
