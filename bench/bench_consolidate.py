"""Consolidation of N cooperatives × 500 lines from a local store (SPEC §9: 1,000 × 500 in < 2 s on 2 cores;
issue 16: 10,000 in < 2 s as a whole command), next to reading the same normalised journals as one Parquet dataset
and to Python's own start-up; in-process with the store's index of figures and without it (every file read).

    python bench/bench_consolidate.py              # 10, 100, 1,000 and 10,000 cooperatives
    python bench/bench_consolidate.py --quick      # 10 cooperatives, few repeats (CI)

The store is built once per size in bench/out/store-N-KEY (a few distinct real cahiers, checked, and submitted for
N cooperatives with their own coop number, through Store.submit), then reused: the 10,000 one takes about four
minutes and 2 GB the first time. KEY changes with the store format and with STORE_BUILD below.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import OUT, cahier, cpu_ms, machine, median_ms, process_ms, row

DISTINCT = 8  # distinct cahiers, shared out among the cooperatives
STORE_BUILD = "2"  # bump when the way the bench stores are built changes: they are then built again


def store_key() -> str:
    """The cache key of a bench store: the store format and the way the bench builds it."""
    from workbook_tools.store import STORE_FORMAT

    return f"f{STORE_FORMAT}-b{STORE_BUILD}"


def build_store(n: int) -> Path:
    """A store of ``n`` cooperatives, built once through ``Store.submit`` and cached in bench/out/store-N-KEY.

    Every cooperative sent one of the DISTINCT real cahiers (500 lines, checked, its own coop number); one in
    ten sent a refused file first, one in twenty-five sent its cahier twice (a duplicate), one in a hundred
    sent only a refused file: the consolidation meets several versions and every status, as in a real store.
    """
    from workbook_tools.store import Store
    from workbook_tools.validate import check_file

    root = OUT / f"store-{n}-{store_key()}"
    if (root / ".complete").exists():
        return root
    for stale in [OUT / f"store-{n}", *OUT.glob(f"store-{n}-*")]:  # an older build (other key), or one cut short
        if stale.is_dir():
            shutil.rmtree(stale)
    store = Store(str(root))
    results = []
    for seed in range(1, DISTINCT + 1):
        path = cahier(500, seed)
        results.append((path.read_bytes(), check_file(path)))

    def submit(i: int) -> None:
        coop = f"{i + 1:05d}"
        data, result = results[i % DISTINCT]
        if i % 10 == 0 or i % 100 == 7:  # a damaged file first: refused
            store.submit(coop, "cahier.xlsx", data[: len(data) // 2], None)
        if i % 100 == 7:
            return
        report = result.to_report()
        report.coop = coop
        store.submit(coop, "cahier-2025-2026.xlsx", data, report, result.journal)
        if i % 25 == 0:
            store.submit(coop, "cahier-2025-2026 (2).xlsx", data, report, result.journal)

    print(f"building the store of {n} cooperatives in {root} (once) …", file=sys.stderr, flush=True)
    with ThreadPoolExecutor(4) as pool:  # fsync-bound: threads overlap the waits
        list(pool.map(submit, range(n)))
    (root / ".complete").write_text("ok")
    return root


@contextlib.contextmanager
def file_by_file() -> Iterator[None]:
    """The consolidation as it was before the store's index of figures (issue 16): every manifest and every report
    read from its own file, and no index written."""
    from workbook_tools.store import figures

    load, write = figures.load, figures.StoredFigures.write_index
    figures.load = functools.partial(load, index=False)  # type: ignore[assignment]
    figures.StoredFigures.write_index = lambda self: None  # type: ignore[assignment,method-assign]
    try:
        yield
    finally:
        figures.load = load  # type: ignore[assignment]
        figures.StoredFigures.write_index = write  # type: ignore[method-assign]


def cells_of(workbook: Path) -> int:
    """The cells a workbook holds (every ``<c`` element of its sheets)."""
    import zipfile

    with zipfile.ZipFile(workbook) as z:
        return sum(z.read(n).count(b"<c ") for n in z.namelist() if n.startswith("xl/worksheets/sheet"))


def xlsxwriter_floor(cells: int, folder: Path) -> None:
    """What xlsxwriter alone costs for ``cells`` cells: plain numbers, 20 a row, no format, no formula, no text —
    the least any workbook of that many cells costs through it (the cycle collector paused, as ours is)."""
    import gc

    import xlsxwriter

    gc.disable()
    try:
        book = xlsxwriter.Workbook(str(folder / "floor.xlsx"))
        ws = book.add_worksheet()
        write = ws.write_number
        for i in range(cells):
            write(i // 20, i % 20, i / 100)
        book.close()
    finally:
        gc.enable()


def once_ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sizes = [10] if args.quick else [10, 100, 1_000, 10_000]
    repeat = 3 if args.quick else 5

    import pandas as pd

    from workbook_tools.consolidation import consolidate
    from workbook_tools.store import Store

    print(machine(), flush=True)
    start = process_ms(["-c", "pass"], repeat)
    print(f"reference: python -c pass {start:.1f} ms (cpu {cpu_ms(['-c', 'pass']):.0f} ms)", flush=True)
    for n in sizes:
        root = build_store(n)
        journals = sorted(str(p) for p in root.glob("coops/*/versions/*/journal.parquet"))
        assert len(journals) == n - (n + 92) // 100, len(journals)  # one in a hundred sent only a refused file

        def dataset(journals: list[str] = journals) -> None:
            pd.read_parquet(journals)  # the same journals read as one Parquet dataset

        def ours(root: Path = root, n: int = n) -> None:
            c = consolidate(Store(str(root)))
            assert len(c.rows) == n

        ours()  # writes the index of this store when it has none yet
        ref = median_ms(dataset, repeat) if n < 10_000 else once_ms(dataset)
        parquet = "journals as one Parquet dataset"
        print(row(f"consolidate(), {n} coops, in-process", median_ms(ours, repeat), ref, parquet, "—"))
        with file_by_file():
            by_file = median_ms(ours, repeat if n < 10_000 else 2)
        print(row("  the same, every file read (no index)", by_file, ref, parquet, "—"), flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            base = ["-m", "workbook_tools", "consolidate", "--store", str(root)]
            pass_cpu = cpu_ms(["-c", "pass"])
            for fmt, out in (("json", Path(tmp) / "c.json"), ("xlsx", Path(tmp) / "c.xlsx")):
                command = [*base, "--format", fmt, "-o", str(out), "--force"]  # run again: it replaces its output
                whole = process_ms(command, repeat if n < 10_000 else 3)
                print(row(f"cahier consolidate → {fmt}, {n} coops, whole", whole, start, "python -c pass",
                          "< 2000 ms at 10,000", (cpu_ms(command), pass_cpu)), flush=True)  # fmt: skip
            cells = cells_of(Path(tmp) / "c.xlsx")
            floor = median_ms(lambda cells=cells, tmp=tmp: xlsxwriter_floor(cells, Path(tmp)), 3 if n < 10_000 else 1)
            print(row(f"  xlsxwriter alone, the workbook's {cells:,} cells as plain numbers", floor, whole,
                      "the whole → xlsx command", "—"), flush=True)  # fmt: skip
            if n == sizes[-1]:  # the index removed (it is rebuildable): the next command reads every file again
                shutil.rmtree(root / "index", ignore_errors=True)
                command = [*base, "--format", "json", "-o", str(Path(tmp) / "first.json")]
                run = [sys.executable, *command]
                first = once_ms(lambda run=run: subprocess.run(run, check=True, capture_output=True))
                print(row(f"  → json, index removed first (rebuilt), {n}", first, start, "python -c pass", "once"))


if __name__ == "__main__":
    main()
