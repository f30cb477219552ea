"""Each file is checked in a worker process with a memory and a time limit: whatever the worker does — a
Rust allocation failure that aborts the process, a MemoryError, a check that never ends — the caller gets a
French finding and goes on."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from store_helpers import cahier_bytes, wait_for
from test_huge_sheets import _poisoned
from test_watcher import Running

from workbook_tools.isolation import Limits, check_isolated
from workbook_tools.model import Code


def _hungry() -> bytes:
    """A cahier whose reading needs far more memory than a worker has free when it is forked (its server has
    already run one check, issue 16): one cell typed at AD99000, within the huge-sheet guard (2.97 million cells),
    so python-calamine builds the whole grid."""
    return _poisoned("end", '<row r="99000"><c r="AD99000" t="inlineStr"><is><t>x</t></is></c></row>')


def _cahier(tmp_path: Path, seed: int = 1) -> Path:
    path = tmp_path / f"cahier-{seed}.xlsx"
    path.write_bytes(cahier_bytes(seed=seed))
    return path


def test_the_real_check_comes_back_from_the_worker(tmp_path: Path) -> None:
    result = check_isolated(_cahier(tmp_path), expected_coop="0001", max_bytes=10**7, limits=Limits())
    assert result.ok and result.totals is not None and result.journal is not None and len(result.journal) > 0


def test_out_of_memory_in_the_worker(tmp_path: Path) -> None:
    """Nothing more than what the worker maps: reading the workbook runs out (Python's MemoryError, or an abort
    from the Rust reader) — either way, one finding."""
    path = tmp_path / "lourd.xlsx"
    path.write_bytes(_hungry())
    result = check_isolated(path, expected_coop="0001", max_bytes=10**7, limits=Limits(memory_mb=0))
    [finding] = result.findings
    assert finding.code is Code.FILE_UNREADABLE and "Mo de mémoire" in finding.message


def test_a_check_that_takes_too_long(tmp_path: Path) -> None:
    start = time.monotonic()
    result = check_isolated(_cahier(tmp_path), expected_coop="0001", max_bytes=10**7, limits=Limits(seconds=0.001))
    [finding] = result.findings
    assert finding.code is Code.FILE_UNREADABLE and "secondes" in finding.message
    assert time.monotonic() - start < 15


@pytest.mark.slow
def test_the_watcher_answers_a_file_that_kills_its_worker_and_goes_on(tmp_path: Path) -> None:
    with Running(tmp_path, worker_memory_mb=0) as running:
        folder = running.folder("0001")
        (folder / "lourd.xlsx").write_bytes(_hungry())
        wait_for(lambda: (folder / "lourd.statut.txt").exists())
        assert running.thread.is_alive()
        assert (folder / "lourd.statut.txt").read_text(encoding="utf-8").startswith("REFUSÉ")
        assert "Mo de mémoire" in (folder / "lourd.rapport.txt").read_text(encoding="utf-8")
        running.watcher._limits = Limits()  # the treasurer raises the limit: the next file is checked
        (folder / "cahier.xlsx").write_bytes(cahier_bytes(seed=1))
        wait_for(lambda: (folder / "cahier.statut.txt").exists())
        assert (folder / "cahier.statut.txt").read_text(encoding="utf-8").startswith("ACCEPTÉ")


@pytest.mark.slow
def test_one_watcher_per_inbox(tmp_path: Path) -> None:
    """A second watcher on the same inbox refuses to start, in French; a killed watcher leaves no lock."""
    import signal
    import subprocess
    import sys

    from click.testing import CliRunner

    from workbook_tools.cli import main

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    args = ["watch", str(inbox), "--store", str(tmp_path / "store")]
    first = subprocess.Popen([sys.executable, "-m", "workbook_tools", *args], stderr=subprocess.DEVNULL)
    try:
        wait_for(
            lambda: (inbox / ".cahier-watch.lock").exists() and "pid" in (inbox / ".cahier-watch.lock").read_text()
        )
        second = CliRunner().invoke(main, args)
        assert second.exit_code == 1
        assert "Un autre service cahier surveille déjà" in second.output and "Traceback" not in second.output
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    with Running(tmp_path) as running:  # the kernel released the dead watcher's lock
        assert running.thread.is_alive()


def _fail() -> None:
    raise ValueError("exprès")


def test_any_work_comes_back_from_the_worker_with_its_result_or_its_exception() -> None:
    import functools

    from workbook_tools.isolation import WorkerDied, call_isolated

    assert call_isolated(functools.partial(sum, [1, 2, 3]), limits=Limits()) == 6
    with pytest.raises(RuntimeError, match="ValueError: exprès"):
        call_isolated(_fail, limits=Limits())
    with pytest.raises(WorkerDied) as died:
        call_isolated(functools.partial(time.sleep, 30), limits=Limits(seconds=0.5))
    assert died.value.why == "time"


def test_a_statement_is_answered_in_a_worker_and_its_limits_answered_in_french(tmp_path: Path) -> None:
    """The watcher's answer to a bank statement (read it, check the cahier, write the ticked copy) runs under the
    worker's limits: past them, the statement gets a French « POINTAGE NON FAIT » and the caller goes on."""
    from workbook_tools.pointage import answer_statement

    folder = tmp_path / "69001"
    folder.mkdir()
    _cahier(folder)
    statement = folder / "releve.csv"
    statement.write_text("Date;Libellé;Montant\n01/09/2025;VIREMENT;10,00\n", encoding="utf-8")
    said = answer_statement(statement, "69001", limits=Limits(seconds=0.001))
    assert said == "pointage non fait"
    report = (folder / "releve.csv.pointage.txt").read_text(encoding="utf-8")
    assert report.startswith("POINTAGE NON FAIT — releve.csv") and "secondes" in report


def test_the_worker_server_runs_one_real_check_before_forking() -> None:
    """Its warm-up (issue 16) is a real check of three lines, not a mere import: each worker then starts with
    pandera's first-validation setup done."""
    from multiprocessing import forkserver

    from workbook_tools import isolation, worker_preload

    result = worker_preload.warm()
    assert result is not None and result.journal is not None and len(result.journal) == 3
    assert result.totals is not None and result.totals.charges > 0  # the lines went through derive and the totals
    isolation._context()
    assert "workbook_tools.worker_preload" in forkserver._forkserver._preload_modules  # type: ignore[attr-defined]
