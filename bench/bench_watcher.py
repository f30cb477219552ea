"""The watcher as it runs: a real ``cahier watch`` process on real folders.

* latency: time from a file's last write to its status file, several new cahiers one after another, half
  accepted, half refused (those get an annotated copy too), with the service's default stability delay
  (2 s): SPEC §9 wants the status within delay + 1 s. Printed for each kind (median and worst), as the time
  beyond the delay, and as a ratio to the target;
* burst: N distinct cahiers dropped at once in N cooperative folders — all processed, none lost,
  peak memory of the watcher process (target: 500 files, < 500 MB).

    python bench/bench_watcher.py              # latency ×6 (3 accepted, 3 refused), burst of 500
    python bench/bench_watcher.py --quick      # latency ×2 (1 + 1), burst of 20 (CI)
    python bench/bench_watcher.py --burst 0    # latency only
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from common import cahier

DELAY = 2.0  # stability delay given to the watcher (seconds): the service's default


def with_coop(template: bytes, old: str, new: str, work: Path) -> bytes:
    """The same cahier for another cooperative: its number rewritten in the Paramètres cell."""
    src, dst = work / "src.xlsx", work / "dst.xlsx"
    src.write_bytes(template)
    needle, replacement = f"<is><t>{old}</t></is>".encode(), f"<is><t>{new}</t></is>".encode()
    found = 0
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            found += data.count(needle)
            zout.writestr(item, data.replace(needle, replacement))
    assert found == 1, f"coop number found {found} times"
    return dst.read_bytes()


def wait_for(paths: list[Path], timeout: float) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if all(p.exists() for p in paths):
            return time.perf_counter()
        time.sleep(0.005)
    missing = [p for p in paths if not p.exists()]
    raise SystemExit(f"{len(missing)} status file(s) still missing after {timeout:.0f} s, e.g. {missing[0]}")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--burst", type=int, help="files dropped at once (default 500, 20 with --quick; 0: none)")
    args = parser.parse_args()
    latency_runs, burst = (2, 20) if args.quick else (6, 500)
    burst = burst if args.burst is None else args.burst

    from workbook_tools.ingest import status_path
    from workbook_tools.store import Store

    base = cahier(500, seed=1)  # coop "00001"
    template = base.read_bytes()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; stability delay {DELAY:.1f} s")
    with tempfile.TemporaryDirectory(prefix="cahier-bench-") as tmp:
        root = Path(tmp)
        inbox, store, outbox, work = root / "inbox", root / "store", root / "tresorier", root / "work"
        for d in (inbox, work):
            d.mkdir()
        files = {f"{i:05d}": with_coop(template, "00001", f"{i:05d}", work) for i in range(2, burst + 2)}
        # latency: new cahiers (never a duplicate), in folders of their own; every other one lands in the
        # folder of another cooperative, so it is refused (COOP_MISMATCH) and gets an annotated copy too
        runs = [(f"{80000 + k}", f"{80000 + k + k % 2}") for k in range(latency_runs)]  # (folder, coop inside)
        saved = {folder: with_coop(template, "00001", coop, work) for folder, coop in runs}
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "workbook_tools",
                "watch",
                str(inbox),
                "--store",
                str(store),
                "--outbox",
                str(outbox),
                "--delay",
                str(DELAY),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(3)  # start-up: imports, first scan
            latencies: dict[str, list[float]] = {"accepted": [], "refused": []}
            for folder_name, coop in runs:
                folder = inbox / folder_name
                folder.mkdir()
                (folder / "cahier.xlsx").write_bytes(saved[folder_name])
                written = time.perf_counter()
                seconds = wait_for([status_path(folder, "cahier.xlsx")], 60) - written
                latencies["accepted" if coop == folder_name else "refused"].append(seconds)
                time.sleep(0.5)  # the workbooks (annotated copy, CRF) are written just after the status
            target = DELAY + 1
            for kind, values in latencies.items():
                med, worst = statistics.median(values), max(values)
                label = f"latency: save → status, {kind} (median of {len(values)}, worst)"
                print(
                    f"{label:<56} {med * 1000:8.0f} ms   worst {worst * 1000:.0f} ms   "
                    f"{(med - DELAY) * 1000:.0f} ms beyond the {DELAY:.1f} s delay   "
                    f"target ≤ {target * 1000:.0f} ms (delay + 1 s)   ratio {worst / target:4.2f}"
                )

            start = time.perf_counter()
            for coop, data in files.items():
                (inbox / coop).mkdir()
                (inbox / coop / "cahier-2025-2026.xlsx").write_bytes(data)
            dropped = time.perf_counter()
            done = wait_for([status_path(inbox / c, "cahier-2025-2026.xlsx") for c in files], 60 + burst * 2.0)
            peak = peak_rss_mb(proc.pid)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
        s = Store(str(store))
        accepted = sum(1 for c in files if (v := s.current(c)) is not None and v.accepted)
        if not burst:
            print(f"watcher exit status after SIGTERM: {proc.returncode}")
            return
        print(
            f"{'burst: ' + str(burst) + ' files dropped at once':<56} {done - start:8.1f} s    ({(done - dropped) / burst * 1000:.0f} ms a file after the drop)"
        )
        print(
            f"{'burst: accepted versions in the store':<56} {accepted:8d}      of {burst} ({'none lost' if accepted == burst else 'LOST ' + str(burst - accepted)})"
        )
        print(f"{'burst: peak memory of the watcher process':<56} {peak:8.0f} MB   target < 500 MB")
        print(f"watcher exit status after SIGTERM: {proc.returncode}")


if __name__ == "__main__":
    main()
