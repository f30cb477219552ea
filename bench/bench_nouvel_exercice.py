"""``cahier nouvel-exercice --all`` for N cooperatives from a local store (issue 12: 1,000 in under 2 minutes on
this 2-core machine), then the same command again (every file already there: nothing written).

    python bench/bench_nouvel_exercice.py              # 1,000 cooperatives
    python bench/bench_nouvel_exercice.py --quick      # 10 cooperatives (CI)

The store is the consolidation bench's (``bench_consolidate.build_store``: real 500-line cahiers, checked, submitted
for N cooperatives; a few sent only a refused file), built once in bench/out and reused. Each run writes into a
fresh temporary INBOX; the roster lists the store's cooperatives and 2 % more that sent nothing (blank cahiers).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_consolidate import build_store

GOAL_SECONDS = 120.0


def _run(cmd: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return time.perf_counter() - start, proc.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 10 if args.quick else 1_000

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    root = build_store(n)
    with tempfile.TemporaryDirectory(prefix="bench-nouvel-exercice-") as tmp:
        inbox = Path(tmp) / "inbox"
        inbox.mkdir()  # the department's folder exists: a mistyped --inbox is refused
        roster = Path(tmp) / "coops.csv"
        extra = max(1, n // 50)
        coops = [f"{i + 1:05d}" for i in range(n + extra)]
        roster.write_text("coop;nom\n" + "".join(f"{c};École {c}\n" for c in coops), encoding="utf-8")
        cmd = [sys.executable, "-m", "workbook_tools", "nouvel-exercice", "--store", str(root), "--all",
               "--inbox", str(inbox), "--roster", str(roster)]  # fmt: skip
        first, said = _run(cmd)
        written = sorted(inbox.glob("*/cahier-*.xlsx"))
        assert len(written) == n + extra, (len(written), said)
        size = sum(p.stat().st_size for p in written) / len(written)
        # the reference, in the same run: the blank template copied as many times, folder by folder
        from workbook_tools.fill import template_path

        start = time.perf_counter()
        for i, coop in enumerate(coops):
            folder = Path(tmp) / "copies" / coop
            folder.mkdir(parents=True)
            shutil.copyfile(template_path(), folder / f"cahier-{i}.xlsx")
        copies = time.perf_counter() - start
        print(f"nouvel-exercice --all, {n} coops in the store + {extra} on the roster only, whole process: "
              f"{first:7.1f} s ({first / len(written) * 1000:.1f} ms a cahier, {size / 1024:.0f} Ko each)   "
              f"template copied {len(coops)} times: {copies:5.1f} s   ratio {first / copies:5.1f}   "
              f"goal < {GOAL_SECONDS:.0f} s at 1,000")  # fmt: skip
        print(f"  « {said} »")
        again, said = _run(cmd)
        print(f"the same again (every file already there, none replaced), whole process: {again:7.1f} s")
        print(f"  « {said} »")


if __name__ == "__main__":
    main()
