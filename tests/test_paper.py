"""Paper (issue 15, item 4): what gets printed reads well.

- The CRF workbook carries the year's Journal to print (sheet « Journal »): the lines in use only, in order, with
  their chapters, the totals equal to the CRF's figures, teachers' text kept as text; once printed by LibreOffice,
  a 17-line cahier's Journal is one A4 page, its text at 8 pt or more.
- The cahier's own Journal prints at a legible fixed scale, title rows and the columns Pointé … Libellé on every
  page, the chapter columns following in order; LibreOffice prints only the lines in use.
- The Inventaire's note is not cut by its total.
- In the annotated copy, a warning shows orange and an error red even where the template's conditional formats
  paint the cell another colour: the marks outrank them (priority 1, stop if true, written first).
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from workbook_tools import layout as L
from workbook_tools.bilan import Crf, crf_from_store
from workbook_tools.chart import default_chart
from workbook_tools.crf import write_crf_workbook
from workbook_tools.fill import Book, write_cahier
from workbook_tools.ingest import ingest
from workbook_tools.libreoffice import convert_all
from workbook_tools.report import ORANGE, RED, annotate
from workbook_tools.sample import sample_book
from workbook_tools.store import Store
from workbook_tools.template import write_template
from workbook_tools.validate import check_file

EXERCICE = "2098-2099"  # far ahead: never late
FORMULA_LIKE = "=1+1 sortie au zoo"  # a teacher's label that a spreadsheet would take for a formula


def cents(value: object) -> int:
    return int((Decimal(str(value)) * 100).to_integral_value())


def seventeen_lines() -> Book:
    """A clean cahier of 17 lines (a split among them), its statement balance and cash count made to agree."""
    book = sample_book(coop="0017", exercice=EXERCICE, lines=17, seed=1)
    book.lines = book.lines[:17]
    book.lines[0].libelle = FORMULA_LIKE
    bank, cash = (Decimal(str(book.params[k])) for k in ("report_banque", "report_caisse"))
    unticked = Decimal(0)
    for line in book.lines:
        amounts = [Decimal(str(v or 0)) for v in line.amounts()]
        bank += amounts[0] - amounts[1]
        cash += amounts[2] - amounts[3]
        if line.pointe is None:
            unticked += amounts[0] - amounts[1]
    book.params["releve_31_08"] = bank - unticked
    left, book.caisse = cents(cash), {}
    for face in L.DENOMINATIONS_CENTS:
        count, left = divmod(left, face)
        if count:
            book.caisse[face] = count
    pieces = {line.piece for line in book.lines}
    book.subventions = [s for s in book.subventions if s["piece"] in pieces]
    book.inventaire = [i for i in book.inventaire if i["piece"] in pieces]
    assert any(len(line.split) > 1 for line in book.lines)
    return book


@dataclass
class Printed:
    book: Book
    cahier: Path
    crf: Crf
    workbook: Path


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Printed:
    folder = tmp_path_factory.mktemp("paper")
    book = seventeen_lines()
    cahier = write_cahier(book, folder / "cahier17.xlsx")
    store = Store(folder / "store")
    outcome = ingest(cahier, "0017", store)
    assert outcome.accepted, outcome.result.findings if outcome.result else outcome
    crf = crf_from_store(store, "0017")
    return Printed(book, cahier, crf, write_crf_workbook(crf, folder / "crf17.xlsx"))


# --------------------------------------------------------------------------- the CRF's « Journal » sheet


def _journal_rows(ws: openpyxl.worksheet.worksheet.Worksheet) -> tuple[int, list[tuple[object, ...]], int]:
    """(header row, the lines' rows, totals row) of the CRF's Journal sheet, rows 1-based."""
    header = next(r[0].row for r in ws.iter_rows() if r[0].value == "Ligne")
    totals = next(r[0].row for r in ws.iter_rows(min_row=header) if str(r[0].value).startswith("Totaux"))
    lines = list(ws.iter_rows(min_row=header + 1, max_row=totals - 1, values_only=True))
    return header, lines, totals


def test_the_crf_lists_every_line_in_order(printed: Printed) -> None:
    crf, book = printed.crf, printed.book
    assert [x.row for x in crf.journal] == list(range(L.JOURNAL_FIRST_ROW, L.JOURNAL_FIRST_ROW + 17))
    assert len(crf.journal) == crf.lignes == 17
    assert "journal" not in crf.to_dict()  # the JSON stays the figures
    split = next(x for x in crf.journal if len(x.chapitres) > 1)
    source = book.lines[split.row - L.JOURNAL_FIRST_ROW]
    assert dict(split.chapitres) == {code: cents(v) for code, v in source.split.items()}

    wb = openpyxl.load_workbook(printed.workbook)
    assert wb.sheetnames[-1] == "Journal"
    ws = wb["Journal"]
    header, lines, _ = _journal_rows(ws)
    labels = [c.value for c in ws[header]]
    assert labels[:5] == ["Ligne", "Date", "Pièce", "Mode", "Libellé"] and labels[-2:] == ["Chapitre", "Pointé"]
    assert len(lines) == 17
    for row, line in zip(lines, book.lines, strict=True):
        assert isinstance(line.date, dt.date) and row[1] == dt.datetime.combine(line.date, dt.time())
        assert (row[2], row[3], row[4], row[6]) == (line.piece, line.mode, line.libelle, line.action)
        assert [None if v is None else cents(v) for v in row[7:11]] == [
            None if v is None else cents(v) for v in line.amounts()
        ]
        assert row[12] == ("x" if line.pointe else None)
    assert [r[0] for r in lines] == list(range(L.JOURNAL_FIRST_ROW, L.JOURNAL_FIRST_ROW + 17))
    assert lines[0][4] == FORMULA_LIKE and ws.cell(header + 1, 5).data_type == "s"  # text, never a formula
    split_row = str(lines[split.row - L.JOURNAL_FIRST_ROW][11])
    assert all(code in split_row for code, _ in split.chapitres)


def test_the_crf_journal_totals_are_the_crf_figures(printed: Printed) -> None:
    crf = printed.crf
    ws = openpyxl.load_workbook(printed.workbook, data_only=True)["Journal"]
    formulas = openpyxl.load_workbook(printed.workbook)["Journal"]
    header, _, totals = _journal_rows(ws)
    shown = [cents(ws.cell(totals, col).value) for col in range(8, 12)]
    assert shown == [crf.banque_recettes, crf.banque_depenses, crf.caisse_recettes, crf.caisse_depenses]
    assert formulas.cell(totals, 8).value == f"=SUM(H{header + 1}:H{totals - 1})"
    recap = {
        str(r[0].value): [c.value for c in r if isinstance(c.value, float | int)]
        for r in ws.iter_rows(min_row=totals + 1)
        if r[0].value
    }
    solde = next(v for k, v in recap.items() if k.startswith("= Solde au 31 août"))
    assert [cents(v) for v in solde] == [crf.banque_fin, crf.caisse_fin, crf.banque_fin + crf.caisse_fin]
    figures = {k.split(" (")[0]: cents(v[-1]) for k, v in recap.items() if v}
    assert figures["Charges de l'exercice"] == crf.charges
    assert figures["Produits de l'exercice"] == crf.produits
    assert figures["Résultat de l'exercice"] == crf.resultat


def test_the_crf_journal_prints_landscape_one_page_wide(printed: Printed) -> None:
    ws = openpyxl.load_workbook(printed.workbook)["Journal"]
    header, _, _ = _journal_rows(ws)
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == f"${header}:${header}"
    assert "&P" in ws.oddFooter.center.text


# --------------------------------------------------------------------------- the cahier's own print set-up


def test_the_template_journal_prints_legibly_in_order(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(write_template(tmp_path / "cahier.xlsx"))
    ws = wb[L.SHEET_JOURNAL]
    remainder = len(L.JOURNAL_COLUMNS) + len(default_chart().chapitres)  # 0-based
    assert ws.cell(L.JOURNAL_HEADER_ROW, remainder + 1).value == L.REMAINDER_HEADER
    last_chapter = L.column_letter(remainder - 1)  # printed up to here: « Reste à ventiler » has a formula a row
    assert not ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.scale == 80  # 11 pt → 8.8 pt
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.pageOrder == "overThenDown"
    assert ws.print_title_rows == f"$1:${L.JOURNAL_HEADER_ROW}" and ws.print_title_cols == "$A:$E"
    assert ws.print_area == f"'{L.SHEET_JOURNAL}'!$A$1:${last_chapter}${L.JOURNAL_LAST_ROW}"
    # the prepared rows have no borders (LibreOffice would print every page of empty bordered cells): the grid prints
    assert ws.print_options.gridLines and not ws["H500"].border.bottom.style and ws["H500"].protection.locked is False
    inventaire = wb[L.SHEET_INVENTAIRE]
    assert "A2:B2" in {str(r) for r in inventaire.merged_cells.ranges}
    assert inventaire["A2"].alignment.wrap_text and inventaire.row_dimensions[2].height >= 30


# --------------------------------------------------------------------------- the annotated copy


def test_marks_outrank_the_templates_conditional_formats(tmp_path: Path) -> None:
    book = seventeen_lines()
    book.lines[2].date = "18/09/2098"  # DATE_TEXT, a warning, where the template paints a text date red
    book.lines[5].libelle = None  # LIBELLE_MISSING, an error, where the template paints a missing label orange
    result = check_file(write_cahier(book, tmp_path / "cahier.xlsx"))
    codes = {f.cell: (f.code, f.severity.value) for f in result.findings}
    assert codes["Journal!D6"] == ("DATE_TEXT", "warning") and codes["Journal!E9"] == ("LIBELLE_MISSING", "error")
    copy = annotate(result, tmp_path / "out")
    assert copy is not None
    ws = openpyxl.load_workbook(copy)["Journal"]
    blocks = list(ws.conditional_formatting)
    marks = {str(b.sqref): b.rules for b in blocks if str(b.sqref) in ("D6", "E9")}
    assert [str(b.sqref) for b in blocks[:2]] == ["D6", "E9"]  # written first: LibreOffice applies the first rule
    for ref, colour in (("D6", ORANGE), ("E9", RED)):
        (rule,) = marks[ref]
        assert rule.formula == ["TRUE"] and rule.stopIfTrue and rule.priority in (1, 2)
        assert rule.dxf.fill.fgColor.rgb == colour
    others = [r.priority for b in blocks[2:] for r in b.rules]
    assert others and min(others) > 2  # the template's rules come after the marks
    assert len(others) == len(set(others))


# --------------------------------------------------------------------------- printed by LibreOffice


def _words(pdf: Path) -> list[list[tuple[str, float, float, float]]]:
    """Each page's words: (text, x, middle y, height), from ``pdftotext -bbox``."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    word = re.compile(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>')
    return [
        [(w, float(x), (float(a) + float(b)) / 2, float(b) - float(a)) for x, a, b, w in word.findall(page)]
        for page in out.split("<page ")[1:]
    ]


def _reference(folder: Path) -> Path:
    """An 8 pt Arial word printed at 100 %: how tall 8 pt is with the fonts this LibreOffice has."""
    path = folder / "reference8.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.set_print_scale(100)
    ws.write_string(0, 0, "Référence", wb.add_format({"font_name": "Arial", "font_size": 8}))
    wb.close()
    return path


def _pages_of(pages: list[list[tuple[str, float, float, float]]], sheet: str) -> list[int]:
    """The pages whose running header names ``sheet`` (the words of the page's first line)."""
    out = []
    for i, words in enumerate(pages):
        top = min(y for _, _, y, _ in words)
        if sheet in {w for w, _, y, _ in words if abs(y - top) < 2}:
            out.append(i)
    return out


@pytest.mark.libreoffice
def test_printed_journals(printed: Printed, tmp_path: Path) -> None:
    empty = seventeen_lines()
    empty.lines = []
    blank = write_cahier(empty, tmp_path / "cahier0.xlsx")
    longer = sample_book(coop="0017", exercice=EXERCICE, lines=60, seed=1)
    longer.lines = longer.lines[:45]  # more than one printed page long
    forty_five = write_cahier(longer, tmp_path / "cahier45.xlsx")
    sources = [printed.workbook, printed.cahier, blank, forty_five, _reference(tmp_path)]
    crf_pdf, cahier_pdf, blank_pdf, longer_pdf, reference_pdf = (
        _words(p) for p in convert_all(sources, "pdf", tmp_path)
    )
    eight = next(h for w, _, _, h in reference_pdf[0] if w == "Référence")

    # the CRF's Journal: the 17 lines and their totals on one page, its text at 8 pt or more
    journal = _pages_of(crf_pdf, "Journal")
    assert len(journal) == 1, journal
    words = crf_pdf[journal[0]]
    assert sum(w == "Participation" for w, *_ in words) >= 5 and any(w == "Totaux" for w, *_ in words)
    assert statistics.median(h for *_, h in words) >= eight * 0.98

    # the cahier's Journal: as many pages for 17 lines as for none, each legible, headers and label columns on
    # every page, the chapter columns in the chart's order from one page to the next
    pages = _pages_of(cahier_pdf, L.SHEET_JOURNAL)
    assert pages and len(pages) == len(_pages_of(blank_pdf, L.SHEET_JOURNAL)), pages
    assert len(pages) < len(_pages_of(longer_pdf, L.SHEET_JOURNAL)) <= 2 * len(pages)  # not the 1,000 rows
    codes = []
    for i in pages:
        words = cahier_pdf[i]
        assert {"Pointé", "Libellé"} <= {w for w, *_ in words}
        assert statistics.median(h for *_, h in words) >= eight
        header = next(y for w, _, y, _ in words if w == "Pointé")
        in_header = [w for w, _, y, _ in sorted(words, key=lambda t: t[1]) if abs(y - header) < 16]
        codes += [w for w in in_header if re.fullmatch(r"\d{4}", w)]
    assert codes == [c.code for c in default_chart().chapitres]
