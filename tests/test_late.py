"""« Late » is judged on the day the teacher saved the cahier (the file's time, kept by sync clients), not on
the day a watcher that was down got round to it; without a file time, on the reception."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from store_helpers import cahier_bytes

from workbook_tools.exercice import Exercice
from workbook_tools.ingest import ingest_bytes
from workbook_tools.store import Store
from workbook_tools.store.standing import is_late, sent_date


def test_late_is_judged_on_the_save_date(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "store"))
    assert Exercice.parse("2025-2026").deadline == dt.date(2026, 9, 30)
    saved = dt.datetime(2026, 9, 10, 18, 0, tzinfo=dt.UTC).timestamp()
    on_time = ingest_bytes(cahier_bytes(coop="0001"), "cahier.xlsx", "0001", store, source_mtime=saved).version
    no_time = ingest_bytes(cahier_bytes(coop="0002"), "cahier.xlsx", "0002", store).version
    assert on_time.accepted and no_time.accepted
    received = dt.datetime.fromisoformat(on_time.received_at).date()
    assert sent_date(on_time) == dt.date(2026, 9, 10)
    assert is_late(on_time, "2025-2026") is False
    assert is_late(no_time, "2025-2026") is (received > dt.date(2026, 9, 30))
