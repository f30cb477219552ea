"""Bad input (SPEC §10): every file gets a French finding or a clear acceptance, never a traceback.

The corpus is generated here from real cahiers; LibreOffice makes the files only it can make (.xls,
cached formula errors)."""

from __future__ import annotations

import datetime as dt
import resource
import zipfile
from collections.abc import Callable
from pathlib import Path

import msoffcrypto.format.ooxml
import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from workbook_tools import read
from workbook_tools.fill import Book
from workbook_tools.libreoffice import convert
from workbook_tools.model import Code
from workbook_tools.validate import check_file


def _codes(path: Path, **kw: object) -> list[Code]:
    return [f.code for f in check_file(path, **kw).findings]  # type: ignore[arg-type]


@pytest.fixture
def clean(book: Book, write: Callable[[Book], Path]) -> Path:
    return write(book, "cahier.xlsx")


def test_truncated_zip(clean: Path, tmp_path: Path) -> None:
    data = clean.read_bytes()
    for cut in (len(data) // 2, len(data) - 100, 30):
        bad = tmp_path / f"tronque{cut}.xlsx"
        bad.write_bytes(data[:cut])
        result = check_file(bad)
        assert [f.code for f in result.findings] == [Code.FILE_UNREADABLE], cut
        assert "endommagé" in result.findings[0].message


def test_corrupt_bytes_inside_the_zip(clean: Path, tmp_path: Path) -> None:
    data = bytearray(clean.read_bytes())
    for start in range(2000, len(data) - 2000, len(data) // 7):
        spoiled = bytearray(data)
        spoiled[start : start + 64] = b"\x00" * 64
        bad = tmp_path / f"abime{start}.xlsx"
        bad.write_bytes(bytes(spoiled))
        result = check_file(bad)  # never raises
        assert (result.findings and not result.ok) or result.journal is not None


def test_password_protected(clean: Path, tmp_path: Path) -> None:
    locked = tmp_path / "protege.xlsx"
    with clean.open("rb") as src, locked.open("wb") as out:
        msoffcrypto.format.ooxml.OOXMLFile(src).encrypt("secret", out)
    result = check_file(locked)
    assert [f.code for f in result.findings] == [Code.FILE_UNREADABLE]
    assert "mot de passe" in result.findings[0].message


def test_zip_bomb_refused_before_unpacking(tmp_path: Path) -> None:
    bomb = tmp_path / "bombe.xlsx"
    chunk = b"0" * (1 << 20)
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(1024):  # 1 GiB of zeros, a few MB packed
                member.write(chunk)
    assert bomb.stat().st_size < 10 * 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = check_file(bomb)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert [f.code for f in result.findings] == [Code.FILE_UNREADABLE]
    assert "décompresse" in result.findings[0].message
    assert grown_mb < 50


def test_file_size_limit_is_configurable(clean: Path) -> None:
    assert _codes(clean, max_bytes=10_000) == [Code.FILE_TOO_LARGE]
    assert _codes(clean, max_bytes=10_000_000) == []


@pytest.mark.parametrize("cell", ["XFD5", f"A{read.MAX_ROWS + 1}"])
def test_huge_sheet_refused_before_building_it(clean: Path, tmp_path: Path, cell: str) -> None:
    wb = openpyxl.load_workbook(clean)
    wb["Journal"][cell] = "oups"
    path = tmp_path / "enorme.xlsx"
    wb.save(path)
    result = check_file(path)
    assert [f.code for f in result.findings] == [Code.FILE_UNREADABLE]
    assert "démesurée" in result.findings[0].message


def test_xlsm_macros_are_never_run(clean: Path, tmp_path: Path) -> None:
    macro = tmp_path / "cahier.xlsm"
    with zipfile.ZipFile(clean) as src, zipfile.ZipFile(macro, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr(
            "xl/vbaProject.bin", b'Attribute VB_Name = "Module1"\nSub Auto_Open()\nShell "rm -rf /"\nEnd Sub\n'
        )
    result = check_file(macro)
    assert [f.code for f in result.findings] == [Code.MACROS_IGNORED]
    assert result.ok and result.totals == check_file(clean).totals


@pytest.mark.libreoffice
def test_old_excel_xls_reads_like_xlsx(clean: Path, tmp_path: Path) -> None:
    xls = convert(clean, "xls", tmp_path / "xls")
    ours, theirs = check_file(clean), check_file(xls)
    assert theirs.findings == ours.findings == []
    assert theirs.totals == ours.totals


@pytest.mark.libreoffice
def test_formula_errors_in_cells(book: Book, write: Callable[[Book], Path], tmp_path: Path) -> None:
    path = write(book)
    wb = openpyxl.load_workbook(path)
    ws = wb["Journal"]
    row = 4 + len(book.lines)
    ws[f"B{row}"], ws[f"D{row}"], ws[f"E{row}"], ws[f"L{row}"] = "Z9", dt.date(2026, 8, 3), "Calcul raté", "6180"
    ws[f"I{row}"] = "=1/0"
    ws[f"I{row + 1}"] = "=#REF!+1"
    ws[f"E{row + 1}"], ws[f"D{row + 1}"] = "Autre", dt.date(2026, 8, 4)
    wb.save(path)
    saved = convert(path, "xlsx", tmp_path / "lo")  # LibreOffice stores the error values
    result = check_file(saved)
    errors = [(f.code, f.cell, f.value) for f in result.findings if f.code is Code.CELL_ERROR]
    assert errors == [
        (Code.CELL_ERROR, f"Journal!I{row}", "#DIV/0!"),
        (Code.CELL_ERROR, f"Journal!I{row + 1}", "#REF!"),
    ]
    assert not result.ok


def test_merged_cells_hidden_rows_and_sheets(book: Book, write: Callable[[Book], Path], tmp_path: Path) -> None:
    path = write(book)
    clean = check_file(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Journal"]
    ws.merge_cells("E1:K1")
    ws.row_dimensions[10].hidden = True
    wb["Paramètres"].sheet_state = "hidden"
    wb.save(path)
    result = check_file(path)
    assert result.findings == [] and result.totals == clean.totals  # a hidden line is still a line of the books


def test_1904_date_system(book: Book, write: Callable[[Book], Path], tmp_path: Path) -> None:
    path = write(book)
    wb = openpyxl.load_workbook(path)
    wb.epoch = CALENDAR_MAC_1904
    out = tmp_path / "mac.xlsx"
    wb.save(out)
    ours, theirs = check_file(path), check_file(out)
    assert theirs.findings == []
    assert list(theirs.journal["date"]) == list(ours.journal["date"])  # type: ignore[index]


def test_older_layout_without_some_columns_still_reads(book: Book, write: Callable[[Book], Path]) -> None:
    book.params["releve_31_08"] = None  # without « Pointé » no line is ticked: no reconciliation to check
    path = write(book)
    wb = openpyxl.load_workbook(path)
    ws = wb["Journal"]
    last = [c.value for c in ws[3]].index("Reste à ventiler") + 1
    ws.delete_cols(last, ws.max_column - last + 1)  # a cahier from before the remainder column (and its helpers)
    ws.delete_cols(1)  # and without « Pointé »
    wb.save(path)
    result = check_file(path)
    assert [f.code for f in result.findings] == [Code.LAYOUT_CHANGED]
    assert "colonnes absentes : Pointé" in result.findings[0].message


def test_unknown_chapter_column_and_rolled_up_column(book: Book, write: Callable[[Book], Path]) -> None:
    path = write(book)
    wb = openpyxl.load_workbook(path)
    ws = wb["Journal"]
    col = ws.max_column + 1
    ws.cell(3, col).value = "6181 Abonnements"
    ws.cell(3, col + 1).value = "6999 Divers"
    wb.save(path)
    result = check_file(path)
    codes = {(f.code, f.cell) for f in result.findings}
    letter = openpyxl.utils.get_column_letter
    assert (Code.CHAPTER_ROLLUP, f"Journal!{letter(col)}3") in codes
    assert (Code.CHAPTER_UNKNOWN, f"Journal!{letter(col + 1)}3") in codes


def test_not_a_workbook_streams(tmp_path: Path) -> None:
    for name, data in {
        "image.xlsx": b"\x89PNG\r\n\x1a\n" + b"0" * 100,
        "vide.ods": b"",
        "texte.xls": "Date;Libellé\n".encode(),
    }.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert _codes(path) == [Code.FILE_UNREADABLE]
    directory = tmp_path / "dossier.xlsx"
    directory.mkdir()
    assert _codes(directory) == [Code.FILE_UNREADABLE]


@pytest.mark.parametrize(
    ("header", "new", "codes"),
    [
        ("Libellé", "  LIBELLE ", []),  # case, accents and spaces do not matter
        ("N° pièce", "No piece", []),
        ("Libellé", "Désignation", [Code.NOT_A_CAHIER]),  # a required column renamed: said, not guessed
        ("Banque dépense", None, [Code.NOT_A_CAHIER]),  # a required title erased
        ("Action", "Projet", [Code.LAYOUT_CHANGED]),  # an optional column renamed: read without it
    ],
)
def test_journal_header_edited(
    book: Book, write: Callable[[Book], Path], header: str, new: str | None, codes: list[Code]
) -> None:
    path = write(book)
    wb = openpyxl.load_workbook(path)
    ws = wb["Journal"]
    [cell] = [c for c in ws[3] if c.value == header]
    cell.value = new
    wb.save(path)
    result = check_file(path)
    assert [f.code for f in result.findings] == codes
    if codes == [Code.NOT_A_CAHIER]:
        message = result.findings[0].message
        assert ("titres du modèle" in message or "titres des colonnes du modèle" in message) and not result.ok
