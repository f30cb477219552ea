"""The benchmarks run once at their smallest size so that they do not rot (no timing is asserted here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.mark.slow
@pytest.mark.parametrize(
    "script", ["bench_check.py", "bench_consolidate.py", "bench_watcher.py", "bench_nouvel_exercice.py"]
)
def test_benchmark_runs_quick(script: str) -> None:
    proc = subprocess.run([sys.executable, script, "--quick"], cwd=BENCH, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "machine: " in proc.stdout
    assert "ratio" in proc.stdout
    assert "LOST" not in proc.stdout
    assert "10000 coops" not in proc.stdout  # the national case (a 2 GB store) stays out of --quick
