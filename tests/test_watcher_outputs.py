"""What the watcher hands back beyond the status: the CRF next to an accepted cahier, and the treasurer's
consolidated workbook in OUTBOX, rebuilt once for a burst of acceptances (debounced)."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import openpyxl
import pytest
from store_helpers import cahier_bytes

from workbook_tools.ingest import status_path
from workbook_tools.watcher.service import WatchConfig, Watcher


def test_crf_next_to_accepted_cahier_and_consolidation_in_outbox(tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "inbox", tmp_path / "tresorier"
    for coop, spoil in (("0001", False), ("0002", True)):
        (inbox / coop).mkdir(parents=True)
        (inbox / coop / "cahier.xlsx").write_bytes(cahier_bytes(coop=coop, spoil=spoil))
    roster = tmp_path / "coops.csv"
    roster.write_text("coop,nom\n0001,École A\n0002,École B\n0003,École C (rien envoyé)\n", encoding="utf-8")
    config = WatchConfig(inbox=inbox, store=str(tmp_path / "store"), outbox=outbox, roster=roster, stability_delay=0)
    assert Watcher(config).run(once=True) == 0

    crf = inbox / "0001" / "cahier.crf.xlsx"
    assert crf.exists() and not (inbox / "0002" / "cahier.crf.xlsx").exists()  # refused: no CRF
    first_rows = openpyxl.load_workbook(crf)["CRF"].iter_rows(max_row=6, values_only=True)
    assert any("0001" in str(c) for row in first_rows for c in row if c is not None)
    assert status_path(inbox / "0001", "cahier.xlsx").read_text(encoding="utf-8").startswith("ACCEPTÉ")

    consolidation = outbox / "consolidation-2025-2026.xlsx"
    wb = openpyxl.load_workbook(consolidation)
    text = " ".join(
        str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c is not None
    )
    assert "0003" in text and "0002" in text and "0001" in text
    assert not list(outbox.glob(".*"))  # no temporary left behind


@pytest.mark.slow
def test_burst_of_acceptances_rebuilds_the_outbox_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    inbox, outbox = tmp_path / "inbox", tmp_path / "tresorier"
    inbox.mkdir()
    config = WatchConfig(
        inbox=inbox,
        store=str(tmp_path / "store"),
        outbox=outbox,
        stability_delay=0.2,
        outbox_debounce=1.5,
        outbox_max_wait=30,
        rescan_interval=3600,
    )
    coops = [f"{i:04d}" for i in range(1, 13)]
    files = {coop: cahier_bytes(coop=coop) for coop in coops}  # made before, so the drops come fast
    watcher = Watcher(config)
    thread = threading.Thread(target=watcher.run, daemon=True)
    caplog.set_level(logging.DEBUG, logger="cahier.watch")  # the rebuilds are decisions: said with -v
    thread.start()
    try:
        time.sleep(0.3)
        for coop in coops:  # twelve acceptances in a few seconds
            (inbox / coop).mkdir()
            (inbox / coop / "cahier.xlsx").write_bytes(files[coop])
            time.sleep(0.1)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (outbox / "consolidation-2025-2026.xlsx").exists():
            time.sleep(0.1)
        time.sleep(4.0)  # let another (wrong) rebuild happen if the debounce did not hold
    finally:
        watcher.stop()
        thread.join(timeout=20)
    accepted = [r for r in caplog.records if r.getMessage().startswith("accepté")]
    rebuilt = [r for r in caplog.records if r.getMessage().startswith("boîte de sortie rafraîchie")]
    assert len(accepted) == 12
    assert 1 <= len(rebuilt) <= 3, [r.getMessage() for r in rebuilt]  # not twelve
    assert (outbox / "consolidation-2025-2026.xlsx").exists()
