"""Fault injection on the store itself: random metadata files are damaged while a real ``cahier watch`` ingests.
The watcher must neither die nor print a traceback, every saved file must get its answer, and
``cahier verifier-depot`` must find every damage it was given (and repair what can be repaired)."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from store_helpers import cahier_bytes, wait_for

from workbook_tools.fsck import verify
from workbook_tools.ingest import STATUS_SUFFIX
from workbook_tools.store import Store

COOPS = ["0001", "0002", "0003", "0004"]


def _damage(path: Path, rng: random.Random) -> str:
    """Cut a file short, empty it, or replace it by an empty JSON object; say which."""
    data = path.read_bytes()
    how = rng.choice(["cut", "empty", "object"])
    if how == "cut":
        path.write_bytes(data[: max(1, len(data) // 3)])
    elif how == "empty":
        path.write_bytes(b"")
    else:
        path.write_bytes(b"{}")
    return how


def _metadata(store: Path) -> list[Path]:
    found: list[Path] = []
    for pattern in ("coops/*/manifests/*.json", "coops/*/hashes/*.json", "coops/*/versions/*/report.json"):
        found += [p for p in store.glob(pattern) if not p.name.startswith(".")]
    return sorted(found)


@pytest.mark.slow
def test_damaged_store_files_while_the_watcher_ingests(tmp_path: Path, fault_summary: Callable[[str], None]) -> None:
    rng = random.Random(20261128)
    inbox, store_dir, outbox = tmp_path / "inbox", tmp_path / "store", tmp_path / "outbox"
    for coop in COOPS:
        (inbox / coop).mkdir(parents=True)
    config = tmp_path / "watch.toml"
    config.write_text(
        f'inbox = "{inbox}"\nstore = "{store_dir}"\noutbox = "{outbox}"\nstability_delay = 0.3\n'
        "outbox_debounce = 0.5\nrescan_interval = 3600\n"
    )
    stderr = tmp_path / "watch.err"
    with stderr.open("wb") as err:
        watcher = subprocess.Popen(
            [sys.executable, "-m", "workbook_tools", "watch", "--config", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    saved: list[Path] = []
    damaged: dict[str, str] = {}
    start = time.monotonic()
    try:
        time.sleep(1.5)
        for i in range(24):
            coop = COOPS[i % len(COOPS)]
            seed = rng.choice([1, 2, 3, i + 10])  # some saves repeat an earlier version's bytes
            path = inbox / coop / f"cahier-{i:02d}.xlsx"
            path.write_bytes(cahier_bytes(coop=coop, seed=seed))
            saved.append(path)
            time.sleep(0.4)
            candidates = [p for p in _metadata(store_dir) if str(p.relative_to(store_dir)) not in damaged]
            if candidates and i % 3 == 1:
                victim = rng.choice(candidates)
                damaged[str(victim.relative_to(store_dir))] = _damage(victim, rng)
        wait_for(lambda: all((p.parent / f"{p.stem}{STATUS_SUFFIX}").exists() for p in saved), timeout=120)
        assert watcher.poll() is None, "the watcher died"
    finally:
        watcher.send_signal(signal.SIGTERM)
        rc = watcher.wait(timeout=30)
    log = stderr.read_text(encoding="utf-8", errors="replace")
    assert rc == 0 and "Traceback" not in log, log[-3000:]
    answers = [(p.parent / f"{p.stem}{STATUS_SUFFIX}").read_text(encoding="utf-8") for p in saved]
    erreurs = [a for a in answers if a.startswith("ERREUR")]
    assert not erreurs, erreurs

    result = verify(Store(str(store_dir)))
    found = {p.path for p in result.problems}
    missed = sorted(set(damaged) - found)
    assert not missed, (missed, damaged)
    repaired = verify(Store(str(store_dir)), repair=True)
    after = verify(Store(str(store_dir)))
    fault_summary(
        f"fault injection (store files damaged while cahier watch ingests): {len(saved)} saves, {len(damaged)} "
        f"metadata files damaged ({', '.join(sorted(set(damaged.values())))}), 0 tracebacks, 0 watcher deaths, "
        f"{len(answers) - len(erreurs)}/{len(saved)} answered, verifier-depot found {len(set(damaged) & found)}/"
        f"{len(damaged)}, repaired {sum(p.repaired for p in repaired.problems)}, lost {len(repaired.lost)}, "
        f"{len(after.problems)} problems left, {time.monotonic() - start:.0f} s"
    )
    assert after.ok, after.problems
