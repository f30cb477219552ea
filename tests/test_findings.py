"""Each finding code, triggered on a cahier made from the template: code, severity, cell, and the value in the message."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from workbook_tools import layout
from workbook_tools.fill import Book, Line
from workbook_tools.model import SEVERITY_VARIES, Code, Severity
from workbook_tools.validate import check_file

AUG = dt.date(2026, 8, 20)
COL = {key: layout.column_letter(i) for i, (key, _) in enumerate(layout.JOURNAL_COLUMNS)}
CHAPTER_COL = {code: layout.column_letter(len(layout.JOURNAL_COLUMNS) + i) for i, code in enumerate(
    ["6070", "6180", "6281", "6282", "6500", "6700", "6800", "7070", "7080", "7410", "7420", "7500", "7560", "7700"])}  # fmt: skip


def expense(**kw: object) -> Line:
    base: dict[str, object] = {
        "date": AUG,
        "libelle": "Achat de livres",
        "banque_depense": "12.00",
        "chapitre": "6180",
        "piece": "Z01",
        "mode": "CB",
    }
    base.update(kw)
    return Line(**base)  # type: ignore[arg-type]


def receipt(**kw: object) -> Line:
    base: dict[str, object] = {
        "date": AUG,
        "libelle": "Vente de gâteaux",
        "caisse_recette": "25.00",
        "chapitre": "7080",
        "piece": "Z02",
        "mode": "ESP",
    }
    base.update(kw)
    return Line(**base)  # type: ignore[arg-type]


# code, the line appended to a clean book, column letter of the finding, text the message must hold
LINE_CASES: list[tuple[Code, Line, str, str]] = [
    (Code.DATE_MISSING, expense(date=None, libelle="Achat de craies"), COL["date"], "Achat de craies"),
    (Code.DATE_INVALID, expense(date="31/02/2026"), COL["date"], "31/02/2026"),
    (Code.DATE_INVALID, expense(date="le 3 mars"), COL["date"], "le 3 mars"),
    (Code.DATE_TEXT, expense(date="12/08/2026"), COL["date"], "12/08/2026"),
    (Code.DATE_OUTSIDE_EXERCICE, expense(date=dt.date(2026, 9, 2)), COL["date"], "02/09/2026"),
    (Code.DATE_ORDER, expense(date=dt.date(2025, 9, 2)), COL["date"], "02/09/2025"),
    (Code.LIBELLE_MISSING, expense(libelle=None), COL["libelle"], "libellé"),
    (Code.AMOUNT_MISSING, expense(banque_depense=None), COL["banque_recette"], "aucun montant"),
    (Code.AMOUNT_MULTIPLE, expense(banque_depense="12.00", caisse_depense="7.00"), COL["caisse_depense"], "7,00 €"),
    (Code.AMOUNT_INVALID, expense(banque_depense="-5"), COL["banque_depense"], "-5,00 €"),
    (Code.AMOUNT_INVALID, expense(banque_depense="douze"), COL["banque_depense"], "douze"),
    (Code.AMOUNT_INVALID, expense(banque_depense=Decimal("12.345")), COL["banque_depense"], "« 12,345 »"),
    (Code.AMOUNT_TEXT, expense(banque_depense="12,50 €"), COL["banque_depense"], "12,50 €"),
    (Code.SPLIT_MISSING, expense(chapitre=None, banque_depense="33.00"), COL["chapitre"], "33,00 €"),
    (Code.SPLIT_MISMATCH, expense(chapitre=None, banque_depense="140.00", split={"6281": "100.00", "6282": "30.00"}), CHAPTER_COL["6281"], "écart de +10,00 €"),
    (Code.SPLIT_MISMATCH, expense(chapitre=None, banque_depense="154.00", split={"6180": "145.00"}), CHAPTER_COL["6180"], "inversés"),
    (Code.CHAPTER_CONFLICT, expense(chapitre="6180", split={"6500": "12.00"}), COL["chapitre"], "6500"),
    (Code.CHAPTER_UNKNOWN, expense(chapitre="9999"), COL["chapitre"], "9999"),
    (Code.CHAPTER_ROLLUP, expense(chapitre="6181"), COL["chapitre"], "6181"),
    (Code.CHAPTER_REDUCTION, receipt(chapitre="6180"), COL["chapitre"], "6180"),
    (Code.CHAPTER_REDUCTION, expense(chapitre=None, split={"7080": "12.00"}), CHAPTER_COL["7080"], "7080"),
    (Code.TRANSFER_INVALID, Line(AUG, "Retrait", banque_depense="100.00", caisse_recette="90.00"), COL["banque_depense"], "90,00 €"),
    (Code.TRANSFER_INVALID, Line(AUG, "Retrait", banque_depense="50.00", caisse_recette="50.00", chapitre="6180"), COL["banque_depense"], "50,00 €"),
    (Code.PIECE_MISSING, expense(piece=None), COL["piece"], "pièce"),
    (Code.CHEQUE_MISSING, expense(mode="CHQ", cheque=None), COL["cheque"], "chèque"),
    (Code.CASH_NEGATIVE, expense(banque_depense=None, caisse_depense="5000.00", mode="ESP"), COL["caisse_depense"], "-"),
    (Code.BANK_NEGATIVE, expense(banque_depense="99999.00"), COL["banque_depense"], "-"),
    (Code.REPORT_AS_RECEIPT, receipt(libelle="Report à nouveau", chapitre="7700"), COL["libelle"], "Report à nouveau"),
    (Code.INVENTORY_MISSING, expense(libelle="Vidéoprojecteur", chapitre="6800", banque_depense="420.00"), COL["chapitre"], "Vidéoprojecteur"),
]  # fmt: skip


def _only(result: object, code: Code) -> list:
    return [f for f in result.findings if f.code is code]  # type: ignore[attr-defined]


def test_base_book_is_clean(book: Book, write: Callable[[Book], Path]) -> None:
    result = check_file(write(book))
    assert [f.code for f in result.findings] == []


@pytest.mark.parametrize(
    ("code", "line", "column", "text"), LINE_CASES, ids=[f"{c}-{i}" for i, (c, *_) in enumerate(LINE_CASES)]
)
def test_line_finding(
    book: Book, write: Callable[[Book], Path], code: Code, line: Line, column: str, text: str
) -> None:
    row = layout.JOURNAL_FIRST_ROW + len(book.lines)
    book.lines.append(copy.deepcopy(line))
    result = check_file(write(book))
    found = _only(result, code)
    assert found, f"{code} not found; got {[(f.code, f.cell) for f in result.findings]}"
    f = found[0]
    assert f.severity is code.severity or code in SEVERITY_VARIES  # both severities: tests/test_real_books.py
    assert (f.sheet, f.row, f.column) == ("Journal", row, column)
    assert f.cell == f"Journal!{column}{row}"
    assert text in f.message
    assert result.ok is all(x.severity is Severity.WARNING for x in result.findings)


def test_piece_and_cheque_duplicates(book: Book, write: Callable[[Book], Path]) -> None:
    """A receipt reusing another receipt's voucher is PIECE_DUPLICATE; an expense reusing an expense's voucher is one
    invoice paid in several cheques (no PIECE_DUPLICATE), but the same cheque number twice is CHEQUE_DUPLICATE."""
    first = next(i for i, x in enumerate(book.lines) if x.cheque)
    source = book.lines[first]
    paid = next(i for i, x in enumerate(book.lines) if x.banque_recette is not None and x.chapitre)
    row = layout.JOURNAL_FIRST_ROW + len(book.lines)
    book.lines.append(expense(piece=source.piece, mode="CHQ", cheque=source.cheque, libelle="Autre achat"))
    book.lines.append(receipt(piece=book.lines[paid].piece, libelle="Participation d'une autre famille"))
    result = check_file(write(book))
    piece, cheque = _only(result, Code.PIECE_DUPLICATE), _only(result, Code.CHEQUE_DUPLICATE)
    assert [(f.cell, f.severity) for f in piece] == [(f"Journal!B{row + 1}", Severity.ERROR)]
    assert [(f.cell, f.severity) for f in cheque] == [(f"Journal!F{row}", Severity.ERROR)]
    first_receipt = f"ligne {layout.JOURNAL_FIRST_ROW + paid}"
    assert str(book.lines[paid].piece) in piece[0].message and first_receipt in piece[0].message
    assert source.cheque in cheque[0].message


def test_inventory_missing_without_piece(book: Book, write: Callable[[Book], Path]) -> None:
    """A 6800 purchase with no piece (read as a missing value, not text) and no Inventaire row is still flagged."""
    row = layout.JOURNAL_FIRST_ROW + len(book.lines)
    book.lines.append(expense(libelle="Vidéoprojecteur", chapitre="6800", banque_depense="420.00", piece=None))
    result = check_file(write(book))
    assert [(f.code, f.cell) for f in result.findings] == [
        (Code.PIECE_MISSING, f"Journal!{COL['piece']}{row}"),
        (Code.INVENTORY_MISSING, f"Journal!{COL['chapitre']}{row}"),
    ]
    found = _only(result, Code.INVENTORY_MISSING)[0]
    assert found.severity is Severity.WARNING and "Vidéoprojecteur" in found.message
    assert result.ok


def test_duplicate_line(book: Book, write: Callable[[Book], Path]) -> None:
    twin = copy.deepcopy(book.lines[5])
    twin.piece = None  # a distinct pièce (or cheque) number would make it another operation: no warning
    book.lines.insert(6, twin)
    result = check_file(write(book))
    dup = _only(result, Code.DUPLICATE_LINE)
    assert [(f.cell, f.severity) for f in dup] == [(f"Journal!E{layout.JOURNAL_FIRST_ROW + 6}", Severity.WARNING)]
    assert str(twin.libelle) in dup[0].message and f"ligne {layout.JOURNAL_FIRST_ROW + 5}" in dup[0].message


@pytest.mark.parametrize(
    ("code", "spoil", "cell", "text"),
    [
        (Code.PARAM_MISSING, lambda b: b.params.update(coop_numero=None), "Paramètres!B3", "N° de coopérative"),
        (Code.PARAM_MISSING, lambda b: b.params.update(report_caisse=None), "Paramètres!B9", "Report à nouveau caisse"),
        (Code.PARAM_INVALID, lambda b: b.params.update(exercice="2025-2027"), "Paramètres!B7", "2025-2027"),
        (Code.PARAM_INVALID, lambda b: b.params.update(report_banque="beaucoup"), "Paramètres!B8", "beaucoup"),
        (Code.RAPPROCHEMENT_MISMATCH, lambda b: b.params.update(releve_31_08=b.params["releve_31_08"] + 10), "Paramètres!B10", "(écart de +10,00 €)"),
        (Code.CAISSE_ECART, lambda b: b.caisse.update({1000: b.caisse.get(1000, 0) + 1}), f"Arrêté de caisse!C{layout.CAISSE_TOTAL_ROW}", "écart de +10,00 €"),
        (Code.SUBVENTION_UNTRACED, lambda b: b.subventions.pop(), "Subventions!D4", "7410 + 7420"),
        (Code.INVENTORY_MISSING, lambda b: b.inventaire.clear(), None, "Tablette"),
    ],
)  # fmt: skip
def test_book_finding(
    book: Book, write: Callable[[Book], Path], code: Code, spoil: Callable[[Book], object], cell: str | None, text: str
) -> None:
    spoil(book)
    result = check_file(write(book))
    found = _only(result, code)
    assert found, [(f.code, f.cell) for f in result.findings]
    assert found[0].severity is code.severity
    if cell:
        assert found[0].cell == cell
    assert text in found[0].message


def test_coop_mismatch(book: Book, write: Callable[[Book], Path]) -> None:
    path = write(book)
    assert check_file(path, expected_coop=book.params["coop_numero"]).ok
    result = check_file(path, expected_coop="99999")
    f = _only(result, Code.COOP_MISMATCH)[0]
    assert (f.cell, f.severity) == ("Paramètres!B3", Severity.ERROR)
    assert "99999" in f.message and book.params["coop_numero"] in f.message


def test_not_a_cahier(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Budget"
    wb.active["A1"] = "Dépenses"
    wb.save(tmp_path / "autre.xlsx")
    result = check_file(tmp_path / "autre.xlsx")
    assert [f.code for f in result.findings] == [Code.NOT_A_CAHIER]
    assert "Budget" in result.findings[0].message and not result.ok


def test_journal_without_header_is_not_a_cahier(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Journal"
    wb.active.append(["Quand", "Quoi", "Combien"])
    wb.save(tmp_path / "j.xlsx")
    result = check_file(tmp_path / "j.xlsx")
    assert [(f.code, f.cell) for f in result.findings] == [(Code.NOT_A_CAHIER, "Journal!D3")]


@pytest.mark.parametrize(
    ("content", "text"),
    [
        (b"", "vide"),
        (b"date;libelle;montant\n01/09/2025;x;3\n", "pas un classeur"),
        (b"%PDF-1.4\n%...", "pas un classeur"),
        (b"PK\x03\x04broken", "endommagé"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: bytes, text: str) -> None:
    path = tmp_path / "cahier.xlsx"
    path.write_bytes(content)
    result = check_file(path)
    assert [f.code for f in result.findings] == [Code.FILE_UNREADABLE]
    assert text in result.findings[0].message and result.findings[0].cell is None


def test_file_too_large(book: Book, write: Callable[[Book], Path]) -> None:
    result = check_file(write(book), max_bytes=1000)
    assert [f.code for f in result.findings] == [Code.FILE_TOO_LARGE]


def test_layout_changed_still_reads(book: Book, write: Callable[[Book], Path]) -> None:
    path = write(book)
    clean = check_file(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Journal"]
    ws.insert_cols(7)  # a column "Classe" before Action
    ws.cell(layout.JOURNAL_HEADER_ROW, 7).value = "Classe"
    wb.save(path)
    moved = check_file(path)
    assert [f.code for f in moved.findings] == [Code.LAYOUT_CHANGED]
    assert "Action en H (modèle : G)" in moved.findings[0].message and "« Classe » (G)" in moved.findings[0].message
    assert moved.totals == clean.totals


def test_every_code_has_a_test() -> None:
    """Each finding code is triggered by at least one test of the suite (by name, as ``Code.X``)."""
    import re

    text = "".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py"))
    tested = set(re.findall(r"Code\.([A-Z_]+)", text))
    assert {c.name for c in Code} - tested == set()
