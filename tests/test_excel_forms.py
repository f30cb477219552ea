"""Excel's way of saving (issue 18): the template's drop-downs survive it, every reader and check gives the same
answer on a cahier saved by Excel, and every copy the tool writes from a teacher's workbook keeps what the teacher
had — drop-downs in either form, formulas, conditional formats, protection, names, print set-up, frozen panes.

Nothing here runs Excel: :mod:`excel_style` rewrites a package as Excel saves it, and seven files saved by Excel for
XlsxWriter's own tests are kept in ``tests/data/xlsxwriter``."""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from excel_style import TEACHER_RULE, excel_style

from workbook_tools import layout as L
from workbook_tools.cli import main
from workbook_tools.fill import Line, write_cahier
from workbook_tools.package import CONDITIONAL_FORMATS_URI, DATA_VALIDATIONS_URI, inventory, losses, open_original
from workbook_tools.package import save_copy as save_package_copy
from workbook_tools.report import annotate
from workbook_tools.sample import sample_book
from workbook_tools.validate import CheckResult, check_file

XLSXWRITER = Path(__file__).parent / "data" / "xlsxwriter"
VENDORED = sorted(XLSXWRITER.glob("*.xlsx"))
MODE_CELLS, CHAPITRE_CELLS = (
    f"C{L.JOURNAL_FIRST_ROW}:C{L.JOURNAL_LAST_ROW}",
    f"L{L.JOURNAL_FIRST_ROW}:L{L.JOURNAL_LAST_ROW}",
)


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One cahier with one mistake (a split that does not add up), in three forms: as the tool writes it (openpyxl
    over the template), saved by Excel (the drop-downs' defined names keep them standard; a teacher's rule referring
    to Listes goes to x14), and saved by Excel from a template before issue 18 (both drop-downs in x14)."""
    tmp = tmp_path_factory.mktemp("forms")
    book = sample_book(lines=60, seed=3)
    book.lines.append(
        Line(
            dt.date(2026, 8, 20),
            "Affiliation",
            banque_depense="140.00",
            split={"6281": "100.00", "6282": "30.00"},
            piece="Z1",
            mode="CB",
        )
    )
    plain = write_cahier(book, tmp / "outil.xlsx")
    return {
        "plain": plain,
        "excel": excel_style(plain, tmp / "excel.xlsx", teacher_rule=True),
        "x14": excel_style(plain, tmp / "excel-x14.xlsx", resolve_names=True, teacher_rule=True),
    }


def _key(result: CheckResult) -> tuple[list[tuple[str, str | None, str]], object]:
    return [(str(f.code), f.cell, f.message) for f in result.findings], result.totals


def _lists(path: Path, sheet: str = L.SHEET_JOURNAL) -> dict[str, str]:
    """The list validations of a sheet, in either form: cells → source."""
    return {v[0]: v[3] for v in inventory(path).sheets[sheet].validations if v[1] == "list"}


def _sheet_xml(path: Path, sheet: str) -> str:
    """The XML of ``sheet`` (xlsxwriter and openpyxl name the parts in the sheets' order)."""
    with zipfile.ZipFile(path) as zf:
        names = [html.unescape(n) for n in re.findall(r'<sheet name="([^"]*)"', zf.read("xl/workbook.xml").decode())]
        return zf.read(f"xl/worksheets/sheet{names.index(sheet) + 1}.xml").decode()


def test_excel_keeps_the_template_dropdowns_standard(forms: dict[str, Path]) -> None:
    """A list drawn from a defined name stays in <dataValidations> when Excel saves; one drawn from another sheet
    goes into the x14 extension, which openpyxl (and so any copy made without care) drops."""
    excel = _sheet_xml(forms["excel"], L.SHEET_JOURNAL)
    assert "<formula1>liste_modes</formula1>" in excel and "<formula1>liste_chapitres</formula1>" in excel
    assert DATA_VALIDATIONS_URI not in excel and CONDITIONAL_FORMATS_URI in excel  # the teacher's rule only
    old = _sheet_xml(forms["x14"], L.SHEET_JOURNAL)
    assert '<dataValidation type="list"' not in old  # no standard list validation left
    assert DATA_VALIDATIONS_URI in old and "<xm:f>Listes!$A$2:$A$7</xm:f>" in old
    assert '<f t="shared"' in old and 't="inlineStr"' in old
    with zipfile.ZipFile(forms["x14"]) as zf:
        assert "xl/calcChain.xml" in zf.namelist()
    assert _lists(forms["excel"]) == {MODE_CELLS: "liste_modes", CHAPITRE_CELLS: "liste_chapitres"}
    assert _lists(forms["x14"])[MODE_CELLS] == "Listes!$A$2:$A$7"
    assert _lists(forms["x14"])[CHAPITRE_CELLS].startswith("Listes!$B$2:$B$")


def test_every_reader_gives_the_same_answer_on_every_form(forms: dict[str, Path]) -> None:
    results = {name: check_file(path) for name, path in forms.items()}
    plain = _key(results["plain"])
    assert [code for code, _, _ in plain[0]] == ["SPLIT_MISMATCH"] and plain[1] is not None
    for name, result in results.items():
        assert _key(result) == plain, name
        assert result.to_report(file="x").annexes == results["plain"].to_report(file="x").annexes, name


def test_check_annotate_on_x14_dropdowns_keeps_them(forms: dict[str, Path], tmp_path: Path) -> None:
    """Must show: both drop-downs in the x14 extension, one mistake: the finding, and the annotated copy still has
    list validations on Mode and Chapitre — and loses nothing else the teacher had."""
    source = forms["x14"]
    before = source.read_bytes()
    result = CliRunner().invoke(main, ["check", "--annotate", str(tmp_path), str(source)])
    assert result.exit_code == 1, result.output
    assert "SPLIT_MISMATCH" in result.output
    assert source.read_bytes() == before
    copy = tmp_path / "excel-x14.annote.xlsx"
    assert _lists(copy) == _lists(source) and set(_lists(copy)) == {MODE_CELLS, CHAPITRE_CELLS}
    assert losses(source, copy) == []
    # the finding is marked, and the teacher's x14 rule comes after the copy's mark (one rule put first)
    wb = open_original(copy)
    assert wb.sheetnames[0] == "Erreurs" and wb["Erreurs"]["C5"].value.endswith("(SPLIT_MISMATCH)")
    x14_rule = re.compile(r'<x14:cfRule type="expression" priority="(\d+)"')
    (before,) = x14_rule.findall(_sheet_xml(source, L.SHEET_JOURNAL))
    (after,) = x14_rule.findall(_sheet_xml(copy, L.SHEET_JOURNAL))
    assert int(after) == int(before) + 1


@pytest.mark.slow
@pytest.mark.parametrize("form", ["plain", "excel", "x14"])
def test_annotated_copy_loses_nothing(forms: dict[str, Path], tmp_path: Path, form: str) -> None:
    source = forms[form]
    copy = annotate(check_file(source), tmp_path)
    assert copy is not None
    assert losses(source, copy) == []
    assert _lists(copy) == _lists(source)


@pytest.mark.slow
def test_the_measure_sees_what_openpyxl_drops(forms: dict[str, Path], tmp_path: Path) -> None:
    """Without :func:`save_copy`, openpyxl's copy of an Excel-saved cahier has no drop-down: the measure says so."""
    bare = tmp_path / "bare.xlsx"
    open_original(forms["x14"]).save(bare)
    lost = losses(forms["x14"], bare)
    assert any(MODE_CELLS in line and "list" in line for line in lost)
    assert any(CHAPITRE_CELLS in line and "list" in line for line in lost)
    assert any(TEACHER_RULE in line for line in lost)
    assert _lists(bare) == {}
    fixed = tmp_path / "fixed.xlsx"
    assert save_package_copy(open_original(forms["x14"]), forms["x14"], fixed) == [L.SHEET_JOURNAL]
    assert losses(forms["x14"], fixed) == []


def test_the_measure_sees_every_kind_of_loss(forms: dict[str, Path], tmp_path: Path) -> None:
    """Each part the measure covers, changed in a copy, is reported."""
    wb = open_original(forms["plain"])
    journal, params = wb[L.SHEET_JOURNAL], wb[L.SHEET_PARAMS]
    journal.freeze_panes = None
    journal.protection.sheet = False
    journal.page_setup.orientation = "portrait"
    journal.conditional_formatting = type(journal.conditional_formatting)()
    params.data_validations.dataValidation = []
    first_formula = next(c for c in journal[2] if isinstance(c.value, str) and c.value.startswith("="))
    first_formula.value = 0
    del wb.defined_names["liste_modes"]
    out = tmp_path / "spoiled.xlsx"
    wb.save(out)
    lost = "\n".join(losses(forms["plain"], out))
    for part in (
        "Journal: panes",
        "Journal: protection",
        "Journal: print set-up",
        "Journal: conditional format",
        f"{L.SHEET_PARAMS}: validation",
        "Journal: 1 formula",
        "defined name ('liste_modes'",
    ):
        assert part in lost, part


def test_what_openpyxl_rewrites_wrong_is_put_back(forms: dict[str, Path], tmp_path: Path) -> None:
    """Found by running every Excel file of XlsxWriter's tests (988) through a copy: openpyxl drops a header written
    without its section codes (« Page &P ») and a print area of whole rows (« $1:$30 »). Both, in a cahier, come
    back in the annotated copy."""
    caisse = L.SHEETS.index(L.SHEET_CAISSE)
    with zipfile.ZipFile(forms["plain"]) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    sheet = f"xl/worksheets/sheet{caisse + 1}.xml"
    parts[sheet] = re.sub(rb"<oddHeader>[^<]*</oddHeader>", b"<oddHeader>Page &amp;P</oddHeader>", parts[sheet])
    area = f'<definedName name="_xlnm.Print_Area" localSheetId="{caisse}">\'{L.SHEET_CAISSE}\'!$1:$30</definedName>'
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b"</definedNames>", area.encode() + b"</definedNames>")
    edited = tmp_path / "entetes.xlsx"
    with zipfile.ZipFile(edited, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    bare = tmp_path / "bare.xlsx"
    open_original(edited).save(bare)
    lost = losses(edited, bare)
    assert len(lost) == 2 and "'oddHeader': 'Page &P'" in lost[0] and "$1:$30" in lost[1], lost
    copy = annotate(check_file(edited), tmp_path / "out")
    assert copy is not None and losses(edited, copy) == []


def test_cahier_check_on_excel_files_from_xlsxwriter(tmp_path: Path) -> None:
    """Files Excel saved for XlsxWriter's tests: `cahier check` says each is not a cahier (status 1, no traceback)
    and writes its annotated answer."""
    copies = [shutil.copy(path, tmp_path / path.name) for path in VENDORED]
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "workbook_tools", "check", "--annotate", str(out), *map(str, copies)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr
    assert proc.stdout.count("(NOT_A_CAHIER)") == len(VENDORED) == 7, proc.stdout
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{p.stem}.annote.xlsx" for p in VENDORED)


@pytest.mark.parametrize("path", VENDORED, ids=[p.stem for p in VENDORED])
def test_copies_of_excel_files_from_xlsxwriter_lose_nothing(path: Path, tmp_path: Path) -> None:
    """A copy made the tool's way (a sheet put first, as the « Erreurs » sheet is) keeps everything they hold:
    list validations, defined names local to a sheet, protection, array formulas, a picture, a text box (openpyxl
    alone drops the last two)."""
    copy = tmp_path / "copy.xlsx"
    wb = open_original(path)
    wb.create_sheet("Erreurs", 0)
    save_package_copy(wb, path, copy)
    assert losses(path, copy) == []
    held = {name: parts.validations for name, parts in inventory(path).sheets.items() if parts.validations}
    assert bool(held) == path.stem.startswith("data_validation")
    for name, validations in held.items():
        assert validations <= inventory(copy).sheets[name].validations
    drawn = {name: parts.drawing for name, parts in inventory(path).sheets.items() if parts.drawing}
    assert drawn == (
        {"Sheet1": ("picture",)}
        if path.stem == "image01"
        else {"Sheet1": ("shape",)}
        if path.stem == "textbox01"
        else {}
    )
    if drawn:
        bare = tmp_path / "bare.xlsx"
        open_original(path).save(bare)
        assert losses(path, bare) == [f"Sheet1: {drawn['Sheet1'][0]} (drawing)"]


@pytest.mark.libreoffice
@pytest.mark.slow
def test_template_excel_then_libreoffice(forms: dict[str, Path], tmp_path: Path) -> None:
    """Must show: the template saved Excel-style and back through LibreOffice keeps its drop-downs, formulas and
    protection; `cahier check` gives the same findings and totals on all three forms (of the template, and of a
    filled cahier)."""
    from workbook_tools.fill import template_path
    from workbook_tools.libreoffice import convert_all

    template = tmp_path / "modele.xlsx"
    shutil.copy(template_path(), template)
    excel = excel_style(template, tmp_path / "modele-excel.xlsx")
    back, cahier_back, x14_back = convert_all([excel, forms["excel"], forms["x14"]], "xlsx", tmp_path / "lo")
    blank = inventory(template)
    for path in (excel, back):
        got = inventory(path)
        assert _lists(path) == {MODE_CELLS: "liste_modes", CHAPITRE_CELLS: "liste_chapitres"}, path.name
        for name, parts in blank.sheets.items():
            assert got.sheets[name].protection.get("sheet") == parts.protection.get("sheet") == "True", name
            assert set(got.sheets[name].formulas) == set(parts.formulas), name
        assert {n for n in blank.names if n[0].startswith("liste_")} <= got.names
    for trio in ((template, excel, back), (forms["plain"], forms["excel"], cahier_back)):
        keys = [_key(check_file(path)) for path in trio]
        assert keys[0] == keys[1] == keys[2], [p.name for p in trio]
    assert _lists(cahier_back) == _lists(forms["excel"])
    assert _lists(x14_back) == _lists(forms["x14"])  # LibreOffice reads the x14 drop-downs (and writes them standard)
    assert _key(check_file(x14_back)) == _key(check_file(forms["plain"]))


@pytest.mark.slow
def test_a_corpus_of_excel_files(tmp_path: Path) -> None:
    """Every .xlsx of a folder through a copy made the tool's way loses nothing: the vendored Excel-saved files by
    default; run on XlsxWriter's 988 comparison files (``xlsxwriter/test/comparison/xlsx_files``) with
    ``CAHIER_XLSX_CORPUS=… pytest -k corpus``."""
    folder = os.environ.get("CAHIER_XLSX_CORPUS") or Path(__file__).parent / "data" / "xlsxwriter"
    files = sorted(Path(folder).glob("*.xlsx"))
    assert files
    lost = {}
    for path in files:
        wb = open_original(path)
        wb.create_sheet("Erreurs", 0)
        copy = tmp_path / "copy.xlsx"
        save_package_copy(wb, path, copy)
        if losses(path, copy):
            lost[path.name] = losses(path, copy)
    assert lost == {}


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_reads_the_repaired_copies(forms: dict[str, Path], tmp_path: Path) -> None:
    """What is put back is read by a real spreadsheet: LibreOffice finds the drop-downs and the teacher's rule in the
    annotated copy of the x14 cahier, the picture and the text box in the copies of XlsxWriter's files."""
    from workbook_tools.libreoffice import convert_all

    annotated = annotate(check_file(forms["x14"]), tmp_path / "annote")
    assert annotated is not None
    copies = [annotated]
    for name in ("image01", "textbox01"):
        wb = open_original(XLSXWRITER / f"{name}.xlsx")
        wb.create_sheet("Erreurs", 0)
        copies.append(tmp_path / f"{name}.xlsx")
        save_package_copy(wb, XLSXWRITER / f"{name}.xlsx", copies[-1])
    back, image, textbox = convert_all(copies, "xlsx", tmp_path / "lo")
    assert _lists(back) == _lists(forms["x14"])
    assert any(TEACHER_RULE in str(c) for c in inventory(back).sheets[L.SHEET_JOURNAL].conditional_formats)
    assert inventory(image).sheets["Sheet1"].drawing == ("picture",)
    assert inventory(textbox).sheets["Sheet1"].drawing == ("shape",)


def test_a_copy_is_written_even_when_the_parts_cannot_be_put_back(
    forms: dict[str, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The original gone bad between reading and copying: openpyxl's copy is kept, a warning logged, no exception."""
    source = tmp_path / "cahier.xlsx"
    shutil.copy(forms["x14"], source)
    wb = open_original(source)
    source.write_bytes(b"plus un classeur")
    copy = tmp_path / "copie.xlsx"
    assert save_package_copy(wb, source, copy) == []
    assert _lists(copy) == {} and "could not put back" in caplog.text


def test_the_ticked_copy_keeps_the_x14_dropdowns_too(forms: dict[str, Path], tmp_path: Path) -> None:
    """The other copy the tool writes from a teacher's file (`cahier pointer`, issue 17) goes through the same
    `save_copy`: the Excel-saved cahier's drop-downs and rule survive it as well."""
    from workbook_tools.pointage import plan, write_copy

    statement = Path(__file__).parent / "data" / "statements" / "releve.ofx"
    copy = write_copy(plan(forms["x14"], [statement]), tmp_path / "pointe.xlsx")
    assert _lists(copy) == _lists(forms["x14"]) and losses(forms["x14"], copy) == []
