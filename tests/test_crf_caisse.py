"""The CRF shows the cash count note by note and coin by coin, as counted in the cahier."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl

from workbook_tools.bilan import crf_from_store
from workbook_tools.crf import write_crf
from workbook_tools.fill import Book
from workbook_tools.ingest import ingest
from workbook_tools.store import Store


def test_cash_count_detail_reaches_the_crf(book: Book, write: Callable[[Book], Path], tmp_path: Path) -> None:
    counted = sorted(book.caisse.items(), reverse=True)  # the sample's count, which matches its books
    assert counted
    coop = str(book.params["coop_numero"])
    store = Store(str(tmp_path / "store"))
    outcome = ingest(write(book), coop, store)
    assert outcome.accepted
    assert outcome.report.to_dict()["annexes"]["arrete_caisse"] == [
        {"valeur": face, "nombre": n} for face, n in counted
    ]
    crf = crf_from_store(store, coop)
    assert crf.billets == counted
    assert crf.caisse_comptee == sum(face * n for face, n in counted) == crf.caisse_fin
    path = write_crf(store, coop, None, tmp_path / "crf.xlsx")
    ws = openpyxl.load_workbook(path)["Arrêté de caisse"]
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "Billets et pièces comptés" in values
    face, n = counted[-1]
    assert f"{n} × {face // 100},{face % 100:02d} €" in values
