"""Read + validate a cahier in-process against a raw python-calamine read of the same sheet (SPEC §9),
and ``cahier check`` as a whole process on a 500-line cahier.

    python bench/bench_check.py            # 500, 5,000 and 50,000 lines
    python bench/bench_check.py --quick    # 500 lines only, few repeats (what CI runs so it does not rot)

Every figure is a median of several runs in this same process run, printed next to its reference.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from common import cahier, median_ms, row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sizes = [500] if args.quick else [500, 5_000, 50_000]
    repeat = 3 if args.quick else 9

    from python_calamine import CalamineWorkbook

    from workbook_tools.validate import check_file

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for lines in sizes:
        path = cahier(lines)

        def raw(path: Path = path) -> None:
            CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Journal").to_python(skip_empty_area=False)

        result = check_file(path)
        assert result.ok and result.journal is not None, "the benchmark cahier must be clean"
        n = len(result.journal)
        reps = max(3, repeat // (3 if lines >= 50_000 else 1))
        ref = median_ms(raw, reps)
        ours = median_ms(lambda path=path: check_file(path), reps)
        print(row(f"read + validate, {n} lines", ours, ref, "raw python-calamine read", "≤ 3.00"))

    small = cahier(500)
    cmd = [sys.executable, "-m", "workbook_tools", "check", str(small)]
    base = median_ms(lambda: subprocess.run([sys.executable, "-c", "import pandas"], check=True), repeat // 2 + 1)
    whole = median_ms(lambda: subprocess.run(cmd, check=True, capture_output=True), repeat // 2 + 1)
    print(row("cahier check, whole process, 500 lines", whole, base, "python -c 'import pandas'", "< 1500 ms"))


if __name__ == "__main__":
    main()
