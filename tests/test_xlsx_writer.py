"""The two shortcuts of our xlsx writing (issue 16, national consolidation) give what the slow way gives.

- ``xlsx.Sheet`` writes a formula calling only classic functions as given, skipping xlsxwriter's thirty regular
  expressions: the formula in the file must be the one xlsxwriter itself writes, and a newer function must still get
  its « _xlfn. » prefix (Excel shows #NAME? without it).
- ``xlsx.wrapped_lines`` skips textwrap for a short paragraph and caches the rest: same count as textwrap.
"""

from __future__ import annotations

import re
import textwrap
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st

from workbook_tools.xlsx import new_workbook, wrapped_lines

FORMULAS = [
    "=SUM(C2:C10001)",
    "=SUBTOTAL(9,D2:D10001)",
    "=D12-E12",
    '=HYPERLINK("file:///tmp/d%C3%A9p%C3%B4t/coops/69001/versions/v1/rapport.html","ouvrir")',
    '=HYPERLINK("http://127.0.0.1:8080/coops/x/XLOOKUP(1).html","ouvrir")',  # a new function's name inside a text
    "=IF(B2<0,ABS(B2),ROUND(B2,2))",
    "=XLOOKUP(A1,B1:B9,C1:C9)",  # Excel 365: needs its prefix
    "=SUM(A1:A3)+FILTER(A1:A3,A1:A3>0)",  # a classic one beside a new one
    "=STDEV.S(A1:A9)",  # Excel 2010 (future function)
    "{=SUM(A1:A3*B1:B3)}",  # an array formula: left to xlsxwriter
]


def formulas_in(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    return re.findall(r"<f(?: [^>]*)?>([^<]*)</f>", xml)


def write(path: Path, book: xlsxwriter.Workbook, *, future: bool) -> None:
    ws = book.add_worksheet("A")
    if future:
        ws.use_future_functions = True
    for row, formula in enumerate(FORMULAS):
        ws.write_formula(row, 0, formula, None, 0)
    book.close()


@pytest.mark.parametrize("future", [False, True])
def test_formulas_are_written_as_xlsxwriter_writes_them(tmp_path: Path, future: bool) -> None:
    ours, theirs = tmp_path / "ours.xlsx", tmp_path / "theirs.xlsx"
    write(ours, new_workbook(ours, "t"), future=future)
    write(theirs, xlsxwriter.Workbook(str(theirs)), future=future)
    got, want = formulas_in(ours), formulas_in(theirs)
    assert len(got) == len(FORMULAS)
    # a text inside the formula stays as written (xlsxwriter would rewrite « XLOOKUP( » in a link's address)
    assert got[4] == FORMULAS[4][1:] != want[4]
    assert got[:4] + got[5:] == want[:4] + want[5:]
    assert "_xlfn.XLOOKUP(A1,B1:B9,C1:C9)" in got  # the new function kept its prefix
    assert got[0] == "SUM(C2:C10001)"


def test_a_classic_formula_skips_the_rewriting(tmp_path: Path) -> None:
    """The shortcut is taken (else the national consolidation pays 48 µs a formula): a classic formula never reaches
    xlsxwriter's own preparation."""
    path = tmp_path / "x.xlsx"
    book = new_workbook(path, "t")
    ws = book.add_worksheet("A")
    calls: list[str] = []
    original = xlsxwriter.worksheet.Worksheet._prepare_formula

    def spy(self: object, formula: str, expand: bool = False) -> str:
        calls.append(formula)
        return str(original(self, formula, expand))

    xlsxwriter.worksheet.Worksheet._prepare_formula = spy  # type: ignore[method-assign]
    try:
        ws.write_formula(0, 0, "=SUM(A2:A9)", None, 0)
        ws.write_formula(1, 0, "=XLOOKUP(A1,B1:B9,C1:C9)", None, 0)
    finally:
        xlsxwriter.worksheet.Worksheet._prepare_formula = original  # type: ignore[method-assign]
    book.close()
    assert calls == ["=XLOOKUP(A1,B1:B9,C1:C9)"]


@given(st.text(alphabet=st.sampled_from(list("ab  é\t\r-—.,«»\u00a0\u2009x")), max_size=120),
       st.floats(min_value=0.5, max_value=60))  # fmt: skip
def test_wrapped_lines_counts_as_textwrap(value: str, width: float) -> None:
    chars = max(1, int(width * 1.25))
    want = sum(len(textwrap.wrap(part, chars)) or 1 for part in value.split("\n")) if value else 1
    assert wrapped_lines(value, width) == want
    assert wrapped_lines(value, width) == want  # the cached answer too


def test_a_long_text_in_a_formula_is_joined_from_pieces_excel_accepts() -> None:
    from workbook_tools.xlsx import EXCEL_LITERAL, formula_text

    assert formula_text("ouvrir") == '"ouvrir"'
    assert formula_text('a"b') == '"a""b"'
    long = "file:///srv/" + "dossier-très-long/" * 40 + "report.json"
    expr = formula_text(long)
    pieces = re.findall(r'"((?:[^"]|"")*)"', expr)
    assert len(pieces) == -(-len(long) // EXCEL_LITERAL) and all(len(p) <= EXCEL_LITERAL for p in pieces)
    assert "".join(pieces) == long and expr == "&".join(f'"{p}"' for p in pieces)


@pytest.mark.libreoffice
def test_libreoffice_computes_the_joined_address(tmp_path: Path) -> None:
    """The pieces make the whole address again in a real spreadsheet: LibreOffice recalculates LEN of it and the
    HYPERLINK shows « ouvrir »."""
    import openpyxl

    from workbook_tools.libreoffice import convert
    from workbook_tools.xlsx import formula_text

    long = "file:///srv/" + "dossier-tres-long/" * 40 + "report.json"
    path = tmp_path / "l.xlsx"
    book = new_workbook(path, "t")
    ws = book.add_worksheet("A")
    ws.write_formula(0, 0, f"=LEN({formula_text(long)})", None, 0)
    ws.write_formula(1, 0, f'=HYPERLINK({formula_text(long)},"ouvrir")', None, "")
    book.close()
    out = convert(path, "xlsx", tmp_path / "lo")
    values = openpyxl.load_workbook(out, data_only=True)["A"]
    assert values["A1"].value == len(long) > 255
    assert values["A2"].value == "ouvrir"
