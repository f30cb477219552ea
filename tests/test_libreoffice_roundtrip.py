"""A cahier filled from the template, opened, recalculated and saved by real LibreOffice (xlsx and ods),
reads back with the same findings and the same totals; LibreOffice's CRF sheet equals the tool's figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from workbook_tools.fill import Line, write_cahier
from workbook_tools.libreoffice import convert
from workbook_tools.model import Code
from workbook_tools.sample import sample_book
from workbook_tools.template import crf_names
from workbook_tools.validate import CheckResult, check_file

pytestmark = pytest.mark.libreoffice


def _spoiled() -> list[Line]:
    aug = dt.date(2026, 8, 20)
    return [
        Line(
            aug,
            "Achat affiliation",
            banque_depense="140.00",
            split={"6281": "100.00", "6282": "30.00"},
            piece="Z1",
            mode="CB",
        ),
        Line(dt.date(2026, 9, 3), "Sortie", banque_depense="40.00", chapitre="6180", piece="Z2", mode="CB"),
        Line(aug, "Vente", caisse_recette="15.00", chapitre="6180", piece="Z3", mode="ESP"),
        Line("12/08/2026", "Livres", banque_depense="12,50 €", chapitre="6180", piece="Z4", mode="CB"),
        Line(aug, None, caisse_depense="9000.00", chapitre="6500", piece="Z5", mode="ESP"),
    ]


@pytest.fixture(scope="module")
def cahiers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("roundtrip")
    clean = write_cahier(sample_book(lines=300, seed=11), tmp / "propre.xlsx")
    book = sample_book(lines=80, seed=12)
    book.lines.extend(_spoiled())
    spoiled = write_cahier(book, tmp / "fautes.xlsx")
    out = {"clean": clean, "spoiled": spoiled}
    for name, path in list(out.items()):
        for fmt in ("xlsx", "ods"):
            folder = tmp / f"lo-{fmt}"
            out[f"{name}.{fmt}"] = convert(path, fmt, folder)
    return out


def _key(result: CheckResult) -> list[tuple[str, str | None]]:
    return [(str(f.code), f.cell) for f in result.findings]


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_clean_cahier_survives_libreoffice(cahiers: dict[str, Path], fmt: str) -> None:
    ours, theirs = check_file(cahiers["clean"]), check_file(cahiers[f"clean.{fmt}"])
    assert len(ours.journal) >= 300
    assert _key(ours) == _key(theirs) == []
    assert ours.totals == theirs.totals


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_spoiled_cahier_same_findings_after_libreoffice(cahiers: dict[str, Path], fmt: str) -> None:
    ours, theirs = check_file(cahiers["spoiled"]), check_file(cahiers[f"spoiled.{fmt}"])
    codes = {f.code for f in ours.findings}
    assert {
        Code.SPLIT_MISMATCH,
        Code.DATE_OUTSIDE_EXERCICE,
        Code.CHAPTER_REDUCTION,
        Code.DATE_TEXT,
        Code.AMOUNT_TEXT,
        Code.LIBELLE_MISSING,
        Code.CASH_NEGATIVE,
    } <= codes
    assert _key(ours) == _key(theirs)
    assert [f.message for f in ours.findings] == [f.message for f in theirs.findings]
    assert ours.totals == theirs.totals


def test_crf_sheet_computed_by_libreoffice_equals_the_tool(cahiers: dict[str, Path]) -> None:
    totals = check_file(cahiers["clean"]).totals
    assert totals is not None
    wb = openpyxl.load_workbook(cahiers["clean.xlsx"], data_only=True)
    compared = 0
    for name, meaning in crf_names().items():
        if name.startswith("crf_") and name[4:].isdigit():
            expected = totals.chapitres[name[4:]]
        elif hasattr(totals, meaning):
            expected = getattr(totals, meaning)
        else:
            continue
        dest = next(iter(wb.defined_names[name].destinations))
        value = wb[dest[0]][dest[1].replace("$", "")].value
        got = None if value in (None, "") else int((Decimal(str(value)) * 100).quantize(Decimal(1)))
        assert got == expected, f"{name}: LibreOffice {value} vs tool {expected}"
        compared += 1
    assert compared >= 20


def test_journal_totals_row_shows_whole_chapter_totals(cahiers: dict[str, Path]) -> None:
    """Row 2 above each chapter column counts the drop-down lines too: the teacher never reads a partial total."""
    totals = check_file(cahiers["clean"]).totals
    assert totals is not None
    ws = openpyxl.load_workbook(cahiers["clean.xlsx"], data_only=True)["Journal"]
    seen = {}
    for cell in ws[3]:
        if isinstance(cell.value, str) and cell.value[:4].isdigit():
            value = ws.cell(2, cell.column).value
            seen[cell.value[:4]] = int((Decimal(str(value)) * 100).quantize(Decimal(1)))
    assert seen == totals.chapitres
    assert sum(seen.values()) > 0


def test_libreoffice_keeps_protection_dropdowns_and_print_setup(cahiers: dict[str, Path]) -> None:
    """What LibreOffice writes back still protects the computed cells and offers the drop-downs.
    (Frozen panes are view settings, which a headless LibreOffice does not keep: seen in its window instead.)"""
    wb = openpyxl.load_workbook(cahiers["clean.xlsx"])
    ws = wb["Journal"]
    assert ws.protection.sheet
    assert ws["H4"].protection.locked is False and ws["H2"].protection.locked is True
    rules = {str(dv.sqref).split()[0]: (dv.type, dv.formula1) for dv in ws.data_validations.dataValidation}
    assert rules["C4:C1003"][0] == "list" and rules["L4:L1003"][0] == "list" and rules["D4:D1003"][0] == "date"
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$3"
    assert wb["Listes"].sheet_state == "hidden"
