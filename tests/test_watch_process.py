"""``cahier watch`` as a real process: SIGKILL at every write of an ingestion, then restart; SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from store_helpers import cahier_bytes, make_cahier

from workbook_tools.store import ACCEPTED, Store, sha256

WRAPPER = Path(__file__).with_name("watch_subprocess.py")


def start(
    inbox: Path, store: Path, *, slow: float | None = None, once: bool = False, verbose: bool = False
) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env.pop("CAHIER_TEST_SLOW", None)
    if slow is not None:
        env["CAHIER_TEST_SLOW"] = str(slow)
    args = [sys.executable, str(WRAPPER), "watch", str(inbox), "--store", str(store), "--delay", "0.2"]
    if once:
        args.append("--once")
    if verbose:
        args.append("-v")
    return subprocess.Popen(args, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)


class Lines:
    """The stderr of a process, line by line, read in a thread."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()

    def close(self) -> None:
        self.proc.wait(timeout=10)
        self._thread.join(timeout=10)
        assert self.proc.stderr is not None
        self.proc.stderr.close()

    def wait(self, predicate, timeout: float = 30.0) -> str:  # type: ignore[no-untyped-def]
        end = time.monotonic() + timeout
        seen = 0
        with self._cond:
            while True:
                for line in self.lines[seen:]:
                    if predicate(line):
                        return line
                seen = len(self.lines)
                left = end - time.monotonic()
                if left <= 0:
                    raise AssertionError("ligne attendue absente :\n" + "\n".join(self.lines))
                self._cond.wait(left)


# The writes of one new version, in order: the original, report, journal, prepared manifest,
# the writer's claim (read back: the commit point), the visible manifest; then the teacher-side outputs.
KILL_POINTS = [
    ("original", lambda line: line.startswith("PUT ") and "/original." in line),
    ("report", lambda line: line.startswith("PUT ") and line.endswith("/report.json")),
    ("journal", lambda line: line.startswith("PUT ") and line.endswith("/journal.parquet")),
    ("prepared manifest", lambda line: line.startswith("PUT ") and line.endswith("/manifest.json")),
    ("claim", lambda line: line.startswith("PUT ") and "/claims/" in line),
    ("manifest", lambda line: line.startswith("PUT ") and "/manifests/" in line),
    ("outputs", lambda line: line == "OUTPUTS"),
]


@pytest.mark.slow
@pytest.mark.parametrize("point", [name for name, _ in KILL_POINTS])
def test_sigkill_during_ingestion_then_restart(point: str, tmp_path: Path) -> None:
    inbox, store_dir = tmp_path / "inbox", tmp_path / "store"
    folder = inbox / "0001"
    folder.mkdir(parents=True)
    cahier = make_cahier(folder / "cahier.xlsx", seed=7)
    predicate = dict(KILL_POINTS)[point]

    proc = start(inbox, store_dir, slow=0.3)
    lines = Lines(proc)
    lines.wait(predicate)  # that write is in hand (it waits 0.3 s before doing it)
    proc.send_signal(signal.SIGKILL)
    lines.close()
    assert proc.returncode == -signal.SIGKILL

    # nothing half-done is visible: the version shows only once its manifest is published, complete
    store = Store(store_dir)
    visible = store.history("0001")
    if point == "outputs":  # killed after the store write, before answering the teacher
        assert [v.status for v in visible] == [ACCEPTED]
        assert store.read_original("0001", visible[0]) == cahier.read_bytes()
    else:
        assert visible == []
    assert not (folder / "cahier.statut.txt").exists()

    # restart (normal speed): the file is ingested, once
    again = start(inbox, store_dir, once=True)
    _, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    history = Store(store_dir).history("0001")
    assert [(v.status, v.filename, v.sha256) for v in history] == [
        (ACCEPTED, "cahier.xlsx", sha256(cahier_bytes(seed=7)))
    ]
    assert Store(store_dir).read_original("0001", history[0]) == cahier.read_bytes()
    assert Store(store_dir).read_journal("0001", history[0]) is not None
    assert (folder / "cahier.statut.txt").read_text().startswith("ACCEPTÉ")
    # a third start finds nothing to do
    third = start(inbox, store_dir, once=True, verbose=True)
    _, err = third.communicate(timeout=60)
    assert third.returncode == 0 and "déjà archivé 0001/cahier.xlsx" in err and "rien à refaire" in err
    assert len(Store(store_dir).history("0001")) == 1
    # whatever the kill left behind is hidden or unpublished, never a visible manifest
    visible = [p.name for p in (store_dir / "coops/0001/manifests").iterdir() if not p.name.startswith(".")]
    assert visible == [f"{history[0].version}.json"]


@pytest.mark.slow
def test_sigterm_stops_cleanly(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "0001").mkdir(parents=True)
    proc = start(inbox, tmp_path / "store")
    lines = Lines(proc)
    lines.wait(lambda line: "démarrage" in line)
    make_cahier(inbox / "0001" / "cahier.xlsx", seed=1)
    lines.wait(lambda line: "accepté 0001/cahier.xlsx" in line)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
    lines.close()
    assert any("signal SIGTERM reçu" in line for line in lines.lines)
    assert lines.lines[-1].endswith(" arrêt")
