"""The watcher's log speaks to a treasurer: at the normal level one line per cahier answered (answer, folder and
file, what the check found, seconds since the save), nothing about its own files; ``-v`` adds its decisions,
never the raw file-system events."""

from __future__ import annotations

import logging
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from store_helpers import cahier_bytes, wait_for

from workbook_tools.watcher.service import WatchConfig, Watcher

SERVICE_LINES = ("démarrage : ", "signal SIGTERM reçu", "arrêt")
STAMP = re.compile(r"^\d\d/\d\d/\d{4} \d\d:\d\d:\d\d ")


def _watch(tmp_path: Path, *flags: str) -> list[str]:
    """A real ``cahier watch`` on an inbox where a teacher saves a cahier (Excel's lock file beside it); its
    log lines once the answer and its workbooks are written and the service is stopped."""
    inbox = tmp_path / "inbox"
    folder = inbox / "0001"
    folder.mkdir(parents=True)
    args = [sys.executable, "-m", "workbook_tools", "watch", str(inbox), "--store", str(tmp_path / "store")]
    log = tmp_path / "watch.log"
    with log.open("w", encoding="utf-8") as stderr:
        proc = subprocess.Popen([*args, "--delay", "0.5", *flags], stderr=stderr, text=True)
    try:
        wait_for(lambda: "démarrage : " in log.read_text(encoding="utf-8"), timeout=60)  # listening
        (folder / "~$cahier.xlsx").write_bytes(b"\x00" * 165)  # Excel's owner file, while the teacher works
        (folder / "cahier.xlsx").write_bytes(cahier_bytes(coop="0001"))
        wait_for(lambda: (folder / "cahier.crf.xlsx").exists(), timeout=60)  # the last thing written
        time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    err = log.read_text(encoding="utf-8")
    assert proc.returncode == 0, err
    assert (folder / "cahier.statut.txt").read_text(encoding="utf-8").startswith("ACCEPTÉ")
    lines = err.splitlines()
    assert all(STAMP.match(line) for line in lines), err  # jj/mm/aaaa hh:mm:ss, no English level names
    return [STAMP.sub("", line) for line in lines]


def test_one_line_per_cahier_at_the_normal_level(tmp_path: Path) -> None:
    lines = _watch(tmp_path)
    answers = [line for line in lines if not line.startswith(SERVICE_LINES)]
    assert len(answers) == 1, lines
    [answer] = answers
    assert re.fullmatch(
        r"accepté 0001/cahier\.xlsx : version \S+, aucun avertissement ; répondu \d+,\d s après l'enregistrement",
        answer,
    ), answer
    seconds = float(re.search(r"répondu (\d+,\d) s", answer).group(1).replace(",", "."))  # type: ignore[union-attr]
    assert 0.5 <= seconds < 0.5 + 1.0  # SPEC §9: within the stability delay + 1 s


@pytest.mark.slow
def test_verbose_adds_decisions_not_raw_events(tmp_path: Path) -> None:
    lines = _watch(tmp_path, "-v")
    said = "\n".join(lines)
    assert lines.count("détail vu 0001/cahier.xlsx (événement)") == 1, said
    assert lines.count("détail ignoré 0001/~$cahier.xlsx : fichier propriétaire d'Excel (~$)") == 1, said
    assert len([line for line in lines if line.startswith("accepté 0001/cahier.xlsx")]) == 1, said
    assert len(lines) < 15, said  # decisions, not the hundreds of inotify events of a save
    for own in (".tmp", "statut.txt", "rapport", "crf.xlsx", "Event", "inotify"):
        assert own not in said, (own, said)


@pytest.mark.slow
def test_each_answer_is_one_info_record(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Accepted, refused, already received: one INFO record each, with its words."""
    inbox = tmp_path / "inbox"
    config = WatchConfig(inbox=inbox, store=str(tmp_path / "store"), stability_delay=0.3, rescan_interval=3600)
    for coop in ("0001", "0002", "0003"):
        (inbox / coop).mkdir(parents=True)
    watcher = Watcher(config)
    caplog.set_level(logging.INFO, logger="cahier")
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        time.sleep(0.5)
        (inbox / "0001" / "cahier.xlsx").write_bytes(cahier_bytes(coop="0001"))
        (inbox / "0002" / "cahier.xlsx").write_bytes(cahier_bytes(coop="0002", spoil=True))
        wait_for(lambda: sum(watcher.counts.values()) == 2)
        (inbox / "0001" / "copie.xlsx").write_bytes(cahier_bytes(coop="0001"))  # the same bytes again
        wait_for(lambda: sum(watcher.counts.values()) == 3)
    finally:
        watcher.stop()
        thread.join(timeout=20)
    said = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    answers = [m for m in said if not m.startswith(SERVICE_LINES)]
    assert len(answers) == 3, said
    assert answers[0].startswith("accepté 0001/cahier.xlsx : version ") or answers[1].startswith("accepté 0001/")
    refused = next(m for m in answers if m.startswith("refusé 0002/cahier.xlsx : version "))
    assert re.search(r", \d+ erreurs?, (aucun avertissement|\d+ avertissements?) ; répondu ", refused), refused
    assert answers[2].startswith("déjà reçu 0001/copie.xlsx : identique à la version ")
