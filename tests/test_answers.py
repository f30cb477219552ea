"""Every saved file gets a true answer: an annotated copy that cannot be made never turns a refusal into an
« ERREUR » status, and the report still lists every finding."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from store_helpers import cahier_bytes

from workbook_tools import report
from workbook_tools.ingest import ingest_bytes, status_path
from workbook_tools.store import Store


def _merged_over_the_mistake() -> bytes:
    """A cahier whose line 3 has no date (D6) and whose C6:D6 the teacher merged (sheet unprotected)."""
    wb = openpyxl.load_workbook(io.BytesIO(cahier_bytes(spoil=True)))
    ws = wb["Journal"]
    ws.protection.sheet = False
    ws.merge_cells("C6:D6")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.slow
def test_a_merged_cell_over_the_mistake(tmp_path: Path) -> None:
    folder = tmp_path / "0001"
    folder.mkdir()
    outcome = ingest_bytes(_merged_over_the_mistake(), "cahier.xlsx", "0001", Store(str(tmp_path / "store")),
                           outputs=folder)  # fmt: skip
    assert not outcome.accepted and "DATE_MISSING" in {f.code for f in outcome.report.findings}
    assert status_path(folder, "cahier.xlsx").read_text(encoding="utf-8").startswith("REFUSÉ")
    annotated = openpyxl.load_workbook(folder / "cahier.rapport.xlsx")
    assert annotated.sheetnames[0] == "Erreurs"
    assert annotated["Journal"]["C6"].comment is not None  # the merged range's cell carries the message
    assert "D6" in (folder / "cahier.rapport.txt").read_text(encoding="utf-8")


def test_an_annotated_copy_that_cannot_be_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever breaks in openpyxl (here: made to break), the status and the text report are still right."""

    def broken(*_: object, **__: object) -> None:
        raise ValueError("classeur étrange")

    monkeypatch.setattr(report, "annotate", broken)
    folder = tmp_path / "0001"
    folder.mkdir()
    ingest_bytes(cahier_bytes(spoil=True), "cahier.xlsx", "0001", Store(str(tmp_path / "store")), outputs=folder)
    assert status_path(folder, "cahier.xlsx").read_text(encoding="utf-8").startswith("REFUSÉ")
    text = (folder / "cahier.rapport.txt").read_text(encoding="utf-8")
    assert "DATE_MISSING" in text and "copie annotée" in text
    assert not (folder / "cahier.rapport.xlsx").exists()


def test_going_back_to_an_earlier_version(tmp_path: Path) -> None:
    """v1 accepted, v2 accepted, then v1's bytes saved again (Nextcloud's « Restaurer »): v1 is current again,
    and the teacher is told so — not « DÉJÀ REÇU »."""
    from workbook_tools.bilan import crf_from_store

    store = Store(str(tmp_path / "store"))
    folder = tmp_path / "0001"
    folder.mkdir()
    v1 = ingest_bytes(cahier_bytes(seed=1), "cahier.xlsx", "0001", store, outputs=folder).version
    ingest_bytes(cahier_bytes(seed=2), "cahier.xlsx", "0001", store, outputs=folder)
    again = ingest_bytes(cahier_bytes(seed=1), "cahier.xlsx", "0001", store, outputs=folder)
    assert again.returned and again.version.duplicate_of == v1.version
    status = status_path(folder, "cahier.xlsx").read_text(encoding="utf-8")
    assert status.startswith("ACCEPTÉ — cahier.xlsx reçu le") and "retour à la version du" in status
    assert store.current("0001") == v1 and crf_from_store(store, "0001").version == v1.version
    same = ingest_bytes(cahier_bytes(seed=1), "cahier.xlsx", "0001", store, outputs=folder)  # saved once more
    assert not same.returned
    assert status_path(folder, "cahier.xlsx").read_text(encoding="utf-8").startswith("DÉJÀ REÇU")


@pytest.mark.slow
def test_cahier_xlsx_and_cahier_ods_side_by_side_get_one_answer_each(tmp_path: Path) -> None:

    store = Store(str(tmp_path / "store"))
    folder = tmp_path / "0001"
    folder.mkdir()
    ingest_bytes(cahier_bytes(seed=1), "cahier.xlsx", "0001", store, outputs=folder)
    refused = cahier_bytes(seed=2, spoil=True)
    ingest_bytes(refused, "cahier.xlsm", "0001", store, outputs=folder)
    assert status_path(folder, "cahier.xlsx").name == "cahier.statut.txt"
    assert status_path(folder, "cahier.xlsm").name == "cahier.xlsm.statut.txt"
    assert status_path(folder, "cahier.xlsx").read_text(encoding="utf-8").startswith("ACCEPTÉ")
    assert status_path(folder, "cahier.xlsm").read_text(encoding="utf-8").startswith("REFUSÉ")
    assert (folder / "cahier.xlsm.rapport.txt").exists() and not (folder / "cahier.rapport.txt").read_text(
        encoding="utf-8"
    ).count("DATE_MISSING")
