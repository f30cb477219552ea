"""Read + validate a cahier in-process against a raw python-calamine read of the same sheet (SPEC §9); the
``cahier`` command as a whole process (issue 16: ``check`` of a 500-line cahier under 0.5 s, ``--help``,
``history`` and ``restore`` without the data stack), next to its references measured in the same run: Python's
own start-up, a process that only reads the sheet with python-calamine, and the floor of any ``check`` — a process
that only imports pandas and pandera.

    python bench/bench_check.py            # 500, 5,000 and 50,000 lines; whole processes, median of 5
    python bench/bench_check.py --quick    # 500 lines only, few repeats (what CI runs so it does not rot)

Every figure is a median of several runs in this same process run, printed next to its reference, as a ratio.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from common import cahier, cpu_ms, machine, median_ms, process_ms, row

RAW_READ = (
    "import sys; from python_calamine import CalamineWorkbook; "
    "CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_name('Journal').to_python(skip_empty_area=False)"
)


def in_process(sizes: list[int], repeat: int) -> None:
    from python_calamine import CalamineWorkbook

    from workbook_tools.validate import check_file

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
        print(row(f"read + validate, {n} lines", ours, ref, "raw python-calamine read", "≤ 3.00"), flush=True)


def whole_processes(repeat: int, files: int) -> None:
    """The command as a user runs it: a new process each time (wall time; CPU time in brackets)."""
    small = str(cahier(500))
    many = [str(cahier(500, seed)) for seed in range(1, files + 1)]
    ref = {
        "python -c pass": ["-c", "pass"],
        "raw calamine read (process)": ["-c", RAW_READ, small],
        "import pandas": ["-c", "import pandas"],
        "import pandas + pandera": ["-c", "import pandas, pandera.pandas"],
    }
    wall = {label: process_ms(args, repeat) for label, args in ref.items()}
    cpu = {label: cpu_ms(args) for label, args in ref.items()}
    print("references, whole processes: " + ", ".join(f"{k} {v:.1f} ms (cpu {cpu[k]:.0f})" for k, v in wall.items()))

    def line(label: str, args: list[str], against: str, target: str) -> float:
        ms = process_ms(args, repeat)
        print(row(label, ms, wall[against], against, target, (cpu_ms(args), cpu[against])), flush=True)
        return ms

    one = ["-m", "workbook_tools", "check", small]
    check = line("cahier check, whole process, 500 lines", one, "import pandas + pandera", "< 500 ms")
    for against in ("import pandas", "raw calamine read (process)", "python -c pass"):
        print(row("  the same", check, wall[against], against, "—", (cpu_ms(one), cpu[against])))
    batch_args = ["-m", "workbook_tools", "check", *many]
    batch = process_ms(batch_args, repeat)
    print(row(f"cahier check, {len(many)} files in one call", batch, check, "the same, 1 file", "one process",
              (cpu_ms(batch_args), cpu_ms(one))))  # fmt: skip
    print(row("  each file after the first", (batch - check) / (len(many) - 1), check, "cahier check, 1 file", "—",
              ((cpu_ms(batch_args) - cpu_ms(one)) / (len(many) - 1), cpu_ms(one))))  # fmt: skip
    line("cahier --help, whole process", ["-m", "workbook_tools", "--help"], "python -c pass", "no data stack")
    with tempfile.TemporaryDirectory() as tmp:
        store, coop = _one_version_store(Path(tmp), small)
        history = ["-m", "workbook_tools", "history", "--store", store, "--coop", coop]
        line("cahier history, whole process", history, "python -c pass", "no data stack")
        restore = ["-m", "workbook_tools", "restore", "--store", store, "--coop", coop, "--version", "1", "--force",
                   "-o", str(Path(tmp) / "rendu.xlsx")]  # fmt: skip
        line("cahier restore, whole process", restore, "python -c pass", "no data stack")


def _one_version_store(folder: Path, cahier_path: str) -> tuple[str, str]:
    from workbook_tools.store import Store
    from workbook_tools.validate import check_file

    result = check_file(cahier_path)
    Store(str(folder / "store")).submit("69001", "cahier.xlsx", Path(cahier_path).read_bytes(), result.to_report())
    return str(folder / "store"), "69001"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sizes = [500] if args.quick else [500, 5_000, 50_000]
    repeat = 3 if args.quick else 9

    print(machine(), flush=True)
    in_process(sizes, repeat)
    whole_processes(3 if args.quick else 5, 2 if args.quick else 8)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
