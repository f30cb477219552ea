"""The cahier template: structure, stability, and its live formulas recomputed by real LibreOffice."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from workbook_tools import layout as L
from workbook_tools.chart import Chapitre, Chart, default_chart
from workbook_tools.libreoffice import convert, soffice_path
from workbook_tools.template import (
    ExerciceError,
    JournalGeometry,
    check_exercice,
    crf_names,
    journal_headers,
    write_template,
)

# LibreOffice tests never skip: without soffice they fail (the README's test command installs it).


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(tmp_path_factory.mktemp("tpl") / "cahier.xlsx")


def _cell(wb: Any, name: str) -> Any:
    (sheet, ref), *_ = list(wb.defined_names[name].destinations)
    return wb[sheet][ref.replace("$", "")]


def _col(header: str, chart: Chart | None = None) -> str:
    return L.column_letter(journal_headers(chart).index(header))


# ---------------------------------------------------------------------------
# Structure


def test_byte_stable(tmp_path: Path) -> None:
    a = write_template(tmp_path / "a.xlsx", exercice="2025-2026")
    b = write_template(tmp_path / "b.xlsx", exercice="2025-2026")
    assert a.read_bytes() == b.read_bytes()
    c = write_template(tmp_path / "c.xlsx")
    assert c.read_bytes() != a.read_bytes()


def test_committed_template_is_up_to_date(tmp_path: Path) -> None:
    committed = Path(__file__).resolve().parents[1] / "templates" / "cahier.xlsx"
    fresh = write_template(tmp_path / "cahier.xlsx")
    assert fresh.read_bytes() == committed.read_bytes(), "regenerate: cahier template -o templates/cahier.xlsx"


def test_sheets_in_order_listes_hidden(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == L.SHEETS
    assert wb[L.SHEET_LISTES].sheet_state == "hidden"
    assert all(wb[name].sheet_state == "visible" for name in L.SHEETS if name != L.SHEET_LISTES)


def test_defined_names_and_version(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    names = set(wb.defined_names.keys())
    for p in L.PARAMS:
        assert p.name in names
        sheet, ref = next(iter(wb.defined_names[p.name].destinations))
        assert (sheet, ref) == (L.SHEET_PARAMS, f"$B${p.row}")
        assert wb[sheet][f"A{p.row}"].value.startswith(p.label)
    for name in crf_names():
        assert name in names, name
    for code in ("6180", "7560"):
        assert f"crf_{code}" in names
    assert wb.defined_names[L.VERSION_NAME].attr_text == f"{L.TEMPLATE_VERSION}"
    with zipfile.ZipFile(template) as z:
        custom = z.read("docProps/custom.xml").decode()
    assert L.VERSION_NAME in custom and f"<vt:i4>{L.TEMPLATE_VERSION}</vt:i4>" in custom


def test_params_formats(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx", exercice="2024-2025"))
    ex = _cell(wb, "exercice")
    assert ex.value == "2024-2025" and ex.number_format == "@"
    assert _cell(wb, "coop_numero").number_format == "@"
    assert _cell(wb, "report_banque").number_format == '#,##0.00 "€"'
    assert _cell(wb, "report_banque").protection.locked is False
    empty = openpyxl.load_workbook(write_template(tmp_path / "u.xlsx"))
    assert _cell(empty, "exercice").value is None


def test_exercice_validation() -> None:
    assert check_exercice("2025-2026") == "2025-2026"
    assert check_exercice(" 2025/2026 ") == "2025-2026"
    for bad in ("2025-2027", "2025", "25-26", "abcd-efgh", ""):
        with pytest.raises(ExerciceError, match="deux années qui se suivent"):
            check_exercice(bad)


def test_journal_header_and_protection(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    ws = wb[L.SHEET_JOURNAL]
    chart = default_chart()
    expected = [h for _, h in L.JOURNAL_COLUMNS] + [c.header for c in chart.chapitres] + [L.REMAINDER_HEADER]
    header = [c.value for c in ws[L.JOURNAL_HEADER_ROW]]
    assert header[: len(expected)] == expected
    assert set(header[len(expected) :]) <= {None}  # the hidden helpers have no header: the reader never sees them
    assert ws[f"D{L.JOURNAL_HEADER_ROW}"].value == "Date"
    assert header[len(L.JOURNAL_COLUMNS)] == "6070 Achats pour revente"
    for name in L.SHEETS:
        assert wb[name].protection.sheet, name
    # input cells unlocked, header/totals/remainder locked
    rem = _col(L.REMAINDER_HEADER)
    for ref in ("A4", "D4", "L4", "M4", f"{L.column_letter(len(expected) - 2)}{L.JOURNAL_LAST_ROW}"):
        assert ws[ref].protection.locked is False, ref
    for ref in ("D3", "H2", f"{rem}4", f"{rem}{L.JOURNAL_LAST_ROW}"):
        assert ws[ref].protection.locked is not False, ref
    assert ws[f"{rem}{L.JOURNAL_LAST_ROW}"].value.startswith("=IF(")
    assert ws.freeze_panes == "F4"
    assert ws[f"H{L.JOURNAL_FIRST_ROW}"].number_format == '#,##0.00 "€"'
    assert ws[f"D{L.JOURNAL_FIRST_ROW}"].number_format == "dd/mm/yyyy"


def test_journal_validations(template: Path) -> None:
    ws = openpyxl.load_workbook(template)[L.SHEET_JOURNAL]
    by_cell = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            by_cell[rng.coord.split(":")[0]] = dv
    chap = by_cell[f"L{L.JOURNAL_FIRST_ROW}"]
    # through workbook-level names, which Excel keeps in the standard <dataValidations> (issue 18)
    wb = openpyxl.load_workbook(template)
    n = len(default_chart().chapitres)
    assert chap.type == "list" and chap.formula1 == "liste_chapitres"
    assert wb.defined_names["liste_chapitres"].attr_text == f"Listes!$B$2:$B${1 + n}"
    mode = by_cell[f"C{L.JOURNAL_FIRST_ROW}"]
    assert mode.type == "list" and mode.formula1 == "liste_modes"
    assert wb.defined_names["liste_modes"].attr_text == f"Listes!$A$2:$A${1 + len(L.MODES)}"
    date = by_cell[f"D{L.JOURNAL_FIRST_ROW}"]
    assert date.type == "date" and date.operator in (None, "between") and date.error
    assert (date.formula1, date.formula2) == ("36526", "73050")  # 01/01/2000, 31/12/2099
    assert by_cell[f"H{L.JOURNAL_FIRST_ROW}"].type == "decimal"
    assert by_cell[f"M{L.JOURNAL_FIRST_ROW}"].type == "decimal"
    listes = openpyxl.load_workbook(template)[L.SHEET_LISTES]
    assert [c.value for c in listes["B"][1:] if c.value is not None] == [c.header for c in default_chart().chapitres]
    assert [c.value for c in listes["A"][1 : 1 + len(L.MODES)]] == L.MODES


def test_other_chart(tmp_path: Path) -> None:
    chart = Chart(
        [
            Chapitre("6180", "Activités pédagogiques", "charge", "Sorties"),
            Chapitre("7080", "Produits des activités", "produit", "Ventes"),
            Chapitre("7410", "Subventions", "produit", "Commune"),
        ],
        {},
    )
    wb = openpyxl.load_workbook(write_template(tmp_path / "c.xlsx", chart=chart))
    header = [c.value for c in wb[L.SHEET_JOURNAL][L.JOURNAL_HEADER_ROW] if c.value is not None]
    assert header[len(L.JOURNAL_COLUMNS) :] == [c.header for c in chart.chapitres] + [L.REMAINDER_HEADER]
    assert "crf_7410" in wb.defined_names and "crf_6070" not in wb.defined_names
    assert JournalGeometry(tuple(chart.chapitres)).remainder == len(L.JOURNAL_COLUMNS) + 3


def test_cli_writes_template(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from workbook_tools.cli import template as cli

    runner = CliRunner()
    out = tmp_path / "x" / "mon-cahier.xlsx"
    res = runner.invoke(cli.command, ["-o", str(out), "--exercice", "2025-2026"])
    assert res.exit_code == 0, res.output
    assert _cell(openpyxl.load_workbook(out), "exercice").value == "2025-2026"
    res = runner.invoke(cli.command, ["-o", str(out), "--exercice", "2025-2027"])
    assert res.exit_code == 1
    assert "deux années qui se suivent" in res.output


# ---------------------------------------------------------------------------
# In real LibreOffice

C = Decimal("0.01")


def _fill(template: Path, dest: Path) -> None:
    """A small year: single-chapter lines, a split, an unbalanced split, movements, ticks, params, cash count."""
    wb = openpyxl.load_workbook(template)
    p = wb[L.SHEET_PARAMS]
    for name, value in {
        "coop_numero": "077123",
        "coop_nom": "École des Tilleuls",
        "exercice": "2025-2026",
        "report_banque": 1234.56,
        "report_caisse": 50,
        "releve_31_08": 1172.16,
    }.items():
        p[f"B{L.PARAMS_BY_NAME[name].row}"] = value
    j = wb[L.SHEET_JOURNAL]
    col = {h: _col(h) for h in journal_headers()}

    def line(row: int, **cells: Any) -> None:
        for header, value in cells.items():
            j[f"{col[header]}{row}"] = value

    d = dt.datetime(2025, 9, 5)
    line(4, **{"Pointé": "x", "N° pièce": "R01", "Mode": "VIR", "Date": d, "Libellé": "Cotisations familles"})
    line(4, **{"Banque recette": 450, "Chapitre": "7560 Participation des familles"})
    line(5, **{"Pointé": "x", "N° pièce": "D01", "Mode": "CHQ", "Date": d, "Libellé": "Affiliation OCCE"})
    line(5, **{"Banque dépense": 312.40, "6281 Cotisation OCCE": 250, "6282 Assurance": 62.40})
    line(6, **{"Pointé": "x", "Mode": "ESP", "Date": d, "Libellé": "Retrait pour la caisse"})
    line(6, **{"Banque dépense": 100, "Caisse recette": 100})
    line(7, **{"N° pièce": "D02", "Mode": "CHQ", "Date": d, "Libellé": "Sortie zoo", "Action": "Zoo CE1"})
    line(7, **{"Banque dépense": 180.25, "Chapitre": "6180 Activités pédagogiques"})
    line(8, **{"N° pièce": "R02", "Mode": "CHQ", "Date": d, "Libellé": "Participation sortie", "Action": "Zoo CE1"})
    line(8, **{"Banque recette": 75.50, "Chapitre": "7080 Produits des activités"})
    line(9, **{"N° pièce": "D03", "Mode": "ESP", "Date": d, "Libellé": "Timbres"})
    line(9, **{"Caisse dépense": 23.90, "Chapitre": "6500 Charges non pédagogiques"})
    # unbalanced: 100 split as 60 + 30 → 10 left
    line(10, **{"Pointé": "x", "N° pièce": "D04", "Mode": "CB", "Date": d, "Libellé": "Livres et lecteur"})
    line(10, **{"Banque dépense": 100, "6180 Activités pédagogiques": 60, "6800 Biens durables": 30})
    # row 11 left empty on purpose
    line(12, **{"N° pièce": "R03", "Mode": "ESP", "Date": d, "Libellé": "Kermesse"})
    line(12, **{"Caisse recette": 45.10, "7080 Produits des activités": 20.10, "7500 Lotos, tombolas, aides OCCE": 25})
    s = wb[L.SHEET_SUBVENTIONS]
    s[f"D{L.TABLE_FIRST_ROW}"] = 80
    a = wb[L.SHEET_CAISSE]
    counts = {10000: 1, 5000: 1, 2000: 1, 100: 1, 20: 1}  # 171,20 €
    for i, cents in enumerate(L.DENOMINATIONS_CENTS):
        if cents in counts:
            a[f"B{L.CAISSE_FIRST_ROW + i}"] = counts[cents]
    wb.save(dest)


EXPECTED = {
    "crf_6070": "0",
    "crf_6180": "240.25",  # 180,25 via L + 60 split
    "crf_6281": "250.00",
    "crf_6282": "62.40",
    "crf_6500": "23.90",
    "crf_6700": "0",
    "crf_6800": "30.00",
    "crf_7070": "0",
    "crf_7080": "95.60",  # 75,50 via L + 20,10 split
    "crf_7410": "0",
    "crf_7420": "0",
    "crf_7500": "25.00",
    "crf_7560": "450.00",
    "crf_7700": "0",
    "crf_total_charges": "606.55",
    "crf_total_produits": "570.60",
    "crf_resultat": "-35.95",
    "crf_report_banque": "1234.56",
    "crf_report_caisse": "50.00",
    "crf_banque_recettes": "525.50",
    "crf_banque_depenses": "692.65",
    "crf_caisse_recettes": "145.10",
    "crf_caisse_depenses": "23.90",
    "crf_banque_fin": "1067.41",  # 1234,56 + 525,50 − 692,65
    "crf_caisse_fin": "171.20",  # 50 + 145,10 − 23,90
    "crf_ecart_bilan": "10.00",  # the unbalanced line: 1284,56 − 35,95 − (1067,41 + 171,20)
    "crf_releve": "1172.16",
    "crf_non_pointe_recettes": "75.50",
    "crf_non_pointe_depenses": "180.25",
    "crf_ecart_rapprochement": "0",  # 1172,16 + 75,50 − 180,25 = 1067,41
    "crf_caisse_comptee": "171.20",
    "crf_ecart_caisse": "0",
    "crf_subventions_journal": "0",
    "crf_subventions_feuille": "80.00",
    "crf_ecart_subventions": "-80.00",
}


@pytest.fixture(scope="module")
def filled(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("filled") / "rempli.xlsx"
    _fill(template, path)
    return path


@pytest.fixture(scope="module")
def recalculated(filled: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    assert soffice_path() is not None, "LibreOffice (soffice) is needed: the README's test command installs it"
    out = convert(filled, "xlsx", tmp_path_factory.mktemp("lo"))
    return openpyxl.load_workbook(out, data_only=True)


@pytest.mark.libreoffice
def test_crf_figures_in_libreoffice(recalculated: Any) -> None:
    got = {name: _cell(recalculated, name).value for name in EXPECTED}
    as_cents = {k: Decimal(str(v)).quantize(C) if isinstance(v, int | float) else v for k, v in got.items()}
    assert as_cents == {k: Decimal(v).quantize(C) for k, v in EXPECTED.items()}
    crf = {name: _cell(recalculated, name) for name in ("crf_ecart_bilan", "crf_ecart_rapprochement")}
    below = {k: recalculated["CRF"].cell(row=c.row + 1, column=c.column).value for k, c in crf.items()}
    assert below["crf_ecart_rapprochement"] == "OK"  # each check sits just below its gap
    assert below["crf_ecart_bilan"] == "À corriger"


@pytest.mark.libreoffice
def test_crf_equals_the_tool(filled: Path, recalculated: Any) -> None:
    """The figures LibreOffice computes in the CRF sheet are the tool's own Totals, to the cent."""
    from workbook_tools import validate

    totals = validate.check_file(filled).totals
    tool = {f"crf_{code}": cents for code, cents in totals.chapitres.items()}
    for name, meaning in crf_names().items():
        if name.startswith("crf_") and meaning.isidentifier() and hasattr(totals, meaning):
            tool[name] = getattr(totals, meaning)
    assert set(tool) >= {"crf_6180", "crf_total_charges", "crf_resultat", "crf_banque_fin", "crf_caisse_comptee"}
    sheet = {}
    for name in tool:
        value = _cell(recalculated, name).value
        sheet[name] = None if value in ("", None) else int((Decimal(str(value)) * 100).quantize(Decimal(1)))
    assert sheet == tool


@pytest.mark.libreoffice
def test_remainder_and_totals_in_libreoffice(recalculated: Any) -> None:
    ws = recalculated[L.SHEET_JOURNAL]
    rem = _col(L.REMAINDER_HEADER)
    values = {r: ws[f"{rem}{r}"].value for r in range(4, 14)}
    assert values[4] == 0 and values[5] == 0 and values[7] == 0 and values[8] == 0 and values[9] == 0
    assert values[12] == 0
    assert values[10] == pytest.approx(10)
    for r in (6, 11, 13):  # movement, empty rows
        assert values[r] in ("", None), (r, values[r])
    tot = L.JOURNAL_TOTALS_ROW
    assert ws[f"H{tot}"].value == pytest.approx(525.50)
    assert ws[f"I{tot}"].value == pytest.approx(692.65)
    assert ws[f"{rem}{tot}"].value == pytest.approx(10)
    cra = recalculated[L.SHEET_CRA]
    assert cra[f"E{L.CRA_FIRST_ROW}"].value in ("", None)  # no action typed in the CRA yet


@pytest.mark.libreoffice
def test_template_recalculates_without_errors(template: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(convert(template, "xlsx", tmp_path), data_only=True)
    errors = [
        f"{ws.title}!{c.coordinate}={c.value}"
        for ws in wb
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and (c.value.startswith("#") or c.value.startswith("Err:"))
    ]
    assert errors == []
    assert _cell(wb, "crf_total_charges").value == 0


@pytest.mark.libreoffice
def test_template_converts_to_ods(template: Path, tmp_path: Path) -> None:
    ods = convert(template, "ods", tmp_path)
    assert ods.suffix == ".ods"
    with zipfile.ZipFile(ods) as z:
        assert z.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
        content = z.read("content.xml").decode()
    assert "Reste à ventiler" in content and "crf_resultat" in content


@pytest.mark.libreoffice
def test_libreoffice_really_recalculates(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    assert wb.active is not None
    wb.active["A1"] = "=1+1"
    wb.save(tmp_path / "f.xlsx")
    out = convert(tmp_path / "f.xlsx", "xlsx", tmp_path / "out")
    ws = openpyxl.load_workbook(out, data_only=True).active
    assert ws is not None and ws["A1"].value == 2


def test_convert_reports_failure(tmp_path: Path) -> None:
    from workbook_tools.libreoffice import LibreOfficeError

    with pytest.raises(LibreOfficeError):
        convert(tmp_path / "absent.xlsx", "pdf", tmp_path)
