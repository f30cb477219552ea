"""Consolidation of N cooperatives × 500 lines from a local store (SPEC §9: 1,000 × 500 in < 2 s on 2 cores),
next to reading the same normalised journals as one Parquet dataset.

    python bench/bench_consolidate.py              # 10, 100 and 1,000 cooperatives
    python bench/bench_consolidate.py --quick      # 10 cooperatives, few repeats (CI)

The store is built once per size in bench/out/store-N (a few distinct real cahiers, checked, and
submitted for N cooperatives with their own coop number), then reused.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from common import OUT, cahier, median_ms, row

DISTINCT = 8  # distinct cahiers, shared out among the cooperatives


def build_store(n: int) -> Path:
    from workbook_tools.store import Store
    from workbook_tools.validate import check_file

    root = OUT / f"store-{n}"
    if (root / ".complete").exists():
        return root
    store = Store(str(root))
    results = []
    for seed in range(1, DISTINCT + 1):
        path = cahier(500, seed)
        results.append((path.read_bytes(), check_file(path)))
    for i in range(n):
        coop = f"{i + 1:05d}"
        data, result = results[i % DISTINCT]
        report = result.to_report()
        report.coop = coop
        store.submit(coop, "cahier-2025-2026.xlsx", data, report, result.journal)
    (root / ".complete").write_text("ok")
    return root


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sizes = [10] if args.quick else [10, 100, 1_000]
    repeat = 3 if args.quick else 7

    import pandas as pd

    from workbook_tools.consolidation import consolidate
    from workbook_tools.store import Store

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for n in sizes:
        root = build_store(n)
        journals = sorted(str(p) for p in root.glob("coops/*/versions/*/journal.parquet"))
        assert len(journals) == n

        def dataset(journals: list[str] = journals) -> None:
            pd.read_parquet(journals)  # the same journals read as one Parquet dataset

        def ours(root: Path = root, n: int = n) -> None:
            c = consolidate(Store(str(root)))
            assert len(c.rows) == n

        ref = median_ms(dataset, repeat)
        print(
            row(
                f"consolidate, {n} coops × 500 lines (in-process)",
                median_ms(ours, repeat),
                ref,
                "journals as one Parquet dataset",
                "< 2000 ms at 1,000",
            )
        )
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "consolidation.xlsx"
            cmd = [sys.executable, "-m", "workbook_tools", "consolidate", "--store", str(root), "-o", str(out)]
            whole = median_ms(lambda cmd=cmd: subprocess.run(cmd, check=True, capture_output=True), max(3, repeat // 2))
            print(
                row(
                    f"cahier consolidate → xlsx, {n} coops, whole process",
                    whole,
                    ref,
                    "journals as one Parquet dataset",
                    "< 2000 ms at 1,000",
                )
            )


if __name__ == "__main__":
    main()
