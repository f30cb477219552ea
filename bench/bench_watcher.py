"""The watcher as it runs: a real ``cahier watch`` process on real folders.

* latency: time from a file's last write to its status file, several files one after another
  (SPEC §9 target: stability delay + 1 s);
* burst: N distinct cahiers dropped at once in N cooperative folders — all processed, none lost,
  peak memory of the watcher process (target: 500 files, < 500 MB).

    python bench/bench_watcher.py              # latency ×5, burst of 500
    python bench/bench_watcher.py --quick      # latency ×2, burst of 20 (CI)
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

DELAY = 1.0  # stability delay given to the watcher (seconds)


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
    args = parser.parse_args()
    latency_runs, burst = (2, 20) if args.quick else (5, 500)

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
            folder = inbox / "00001"
            folder.mkdir()
            latencies = []
            for k in range(latency_runs):
                name = f"cahier-{k}.xlsx"
                data = template + b""  # the same content saved under a new name: answered « déjà reçu » after the first
                (folder / name).write_bytes(data)
                written = time.perf_counter()
                latencies.append(wait_for([status_path(folder, name)], 60) - written)
            med = statistics.median(latencies)
            print(
                f"{'latency: last write → status file (median of ' + str(latency_runs) + ')':<56} {med * 1000:8.0f} ms   target ≤ {(DELAY + 1) * 1000:.0f} ms (delay + 1 s)   ratio {med / (DELAY + 1):4.2f}"
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
