"""`cahier check` as a user runs it: exit status, text and JSON reports, the annotated copy."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from workbook_tools.cli import main
from workbook_tools.continuity import NOT_CHECKED
from workbook_tools.fill import Book, Line

JSON_KEYS = {"file", "ok", "coop", "exercice", "errors", "warnings", "findings", "totals", "annexes", "continuity"}
FINDING_KEYS = ["code", "severity", "sheet", "row", "column", "cell", "message", "value"]


def _spoil(book: Book) -> int:
    row = 4 + len(book.lines)
    book.lines.append(
        Line(
            dt.date(2026, 8, 20),
            '=HYPERLINK("http://x")',
            banque_depense="140.00",
            split={"6281": "100.00", "6282": "30.00"},
            piece="Z1",
            mode="CB",
        )
    )
    return row


def test_clean_exit_0(book: Book, write: Callable[[Book], Path]) -> None:
    result = CliRunner().invoke(main, ["check", str(write(book))])
    assert result.exit_code == 0, result.output
    first, *rest = result.output.strip().splitlines()
    assert first.endswith("aucune erreur, aucun avertissement — le cahier est accepté.")
    assert rest == [NOT_CHECKED]  # without --store, the continuity with last year is not checked (issue 12)


def test_error_exit_1_text(book: Book, write: Callable[[Book], Path]) -> None:
    row = _spoil(book)
    path = write(book, "fautes.xlsx")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "fautes.xlsx : 1 erreur, aucun avertissement — à corriger avant l'envoi."
    assert lines[1:3] == ["", "Erreurs à corriger :"]  # errors first, under their heading, then the warnings
    assert lines[3].startswith(  # the French title first, then the code, then what to do
        f"  Journal!O{row} — La ventilation ne fait pas le total du montant (SPLIT_MISMATCH) : "
        "La ventilation (6281 : 100,00 €, 6282 : 30,00 €"
    )


def test_json_report(book: Book, write: Callable[[Book], Path]) -> None:
    clean = write(book, "propre.xlsx")
    _spoil(book)
    bad = write(book, "fautes.xlsx")
    result = CliRunner().invoke(main, ["check", "--format", "json", str(clean), str(bad)])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert [set(d) for d in data] == [JSON_KEYS, JSON_KEYS]
    assert [d["ok"] for d in data] == [True, False]
    assert data[0]["coop"] == book.params["coop_numero"] and data[0]["exercice"] == "2025-2026"
    f = data[1]["findings"][0]
    assert list(f) == FINDING_KEYS and f["code"] == "SPLIT_MISMATCH" and f["severity"] == "error"
    assert data[1]["totals"]["charges"] - data[0]["totals"]["charges"] == 13000  # the split counts, in cents


def test_unreadable_and_missing_files_exit_1_without_traceback(tmp_path: Path) -> None:
    fake = tmp_path / "faux.xlsx"
    fake.write_text("pas un classeur")
    proc = subprocess.run(
        [sys.executable, "-m", "workbook_tools", "check", str(fake), str(tmp_path / "absent.xlsx")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "FILE_UNREADABLE" in proc.stdout and "absent.xlsx" in proc.stdout


def test_usage_exit_2() -> None:
    assert CliRunner().invoke(main, ["check"]).exit_code == 2
    assert CliRunner().invoke(main, ["check", "--format", "pdf", "x.xlsx"]).exit_code == 2


def test_annotated_copy(book: Book, write: Callable[[Book], Path], tmp_path: Path) -> None:
    row = _spoil(book)
    book.lines[0].piece = None  # a warning too
    path = write(book, "fautes.xlsx")
    before = path.read_bytes()
    out = tmp_path / "rapports"
    result = CliRunner().invoke(main, ["check", "--annotate", str(out), str(path)])
    assert result.exit_code == 1
    assert path.read_bytes() == before  # the original is never touched
    copy = out / "fautes.annote.xlsx"
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[0] == "Erreurs" and wb.sheetnames[1:] == openpyxl.load_workbook(path).sheetnames
    errors = wb["Erreurs"]
    assert errors["A1"].value == "fautes.xlsx : 1 erreur, 1 avertissement — à corriger avant l'envoi."
    assert [c.value for c in errors[4]] == ["Cellule", "Gravité", "Constat", "Ce qu'il faut faire"]
    assert errors["A5"].value == "Journal!B4" and errors["A5"].hyperlink.location == "'Journal'!B4"
    assert errors["C6"].value == "La ventilation ne fait pas le total du montant (SPLIT_MISMATCH)"
    assert errors["D6"].value.startswith("La ventilation")
    journal = wb["Journal"]
    assert journal[f"O{row}"].fill.start_color.rgb.endswith("F4A6A6")  # red: error
    assert journal["B4"].fill.start_color.rgb.endswith("FFD08A")  # orange: warning
    assert journal[f"O{row}"].comment.text.startswith("La ventilation ne fait pas le total du montant (SPLIT_MISMATCH)")
    assert journal[f"E{row}"].value.startswith("=HYPERLINK") and journal[f"E{row}"].data_type == "s"
    # the copy keeps the template's drop-downs and formulas
    assert any("L4" in str(dv.sqref) for dv in journal.data_validations.dataValidation)
    assert str(journal["Z2"].value).startswith("=") or any(
        str(c.value).startswith("=SUM") for c in journal[2] if c.value
    )
