"""What a teacher and the support read, word for word (session 4, a teacher's and support staff's trial): the text
report's errors before its warnings, the pointage's counts, plurals and verdicts, the history's order, number ranges
said in French."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from store_helpers import report

from workbook_tools.cli import main
from workbook_tools.fill import Book, Line, write_cahier
from workbook_tools.ingest import ingest
from workbook_tools.pointage import plan, to_text
from workbook_tools.sample import sample_book
from workbook_tools.statement.sample import bank_export, to_ofx
from workbook_tools.store import Store

# --------------------------------------------------------------------------- the text report


def test_errors_first_then_warnings_each_under_its_heading(book: Book, write: Callable[..., Path]) -> None:
    book.lines[0].piece = None  # a warning on the first line (Journal!B4)
    row = 4 + len(book.lines)
    split = {"6281": "100.00", "6282": "30.00"}  # 130,00 € of 140,00 €: an error on the last line, further down
    book.lines.append(Line(dt.date(2026, 8, 20), "Sortie", banque_depense="140.00", split=split, piece="Z1", mode="CB"))
    result = CliRunner().invoke(main, ["check", str(write(book, "fautes.xlsx"))])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "fautes.xlsx : 1 erreur, 1 avertissement — à corriger avant l'envoi."
    assert lines[1:3] == ["", "Erreurs à corriger :"]
    assert lines[3].startswith(f"  Journal!O{row} — La ventilation ne fait pas le total du montant (SPLIT_MISMATCH) : ")
    assert lines[4:6] == ["", "Avertissements (à vérifier) :"]
    assert lines[6].startswith("  Journal!B4 — ") and "(PIECE_MISSING) : " in lines[6]


def test_a_cahier_without_finding_has_a_verdict(book: Book, write: Callable[..., Path]) -> None:
    result = CliRunner().invoke(main, ["check", str(write(book, "propre.xlsx"))])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "propre.xlsx : aucune erreur, aucun avertissement — le cahier est accepté."


# --------------------------------------------------------------------------- the pointage


def test_pointage_counts_what_each_cell_held(tmp_path: Path) -> None:
    """Lines ticked with an x and lines ticked with a date are told apart (the report said « dont 15 déjà pointées
    d'un x » of 9 x and 6 dates); the numbers add up to the lines ticked."""
    book = sample_book(lines=60, seed=5)
    for line in book.lines:
        line.pointe = None
    book.params["releve_31_08"] = None
    export = bank_export(book, seed=5)
    cleared = sorted(export.rows)
    assert len(cleared) > 8
    crossed, same, other = cleared[:3], cleared[3:5], cleared[5:6]
    for i in crossed:
        book.lines[i].pointe = "x"
    for i in same:
        book.lines[i].pointe = export.rows[i].date
    for i in other:
        book.lines[i].pointe = export.rows[i].date - dt.timedelta(days=2)
    cahier = write_cahier(book, tmp_path / "cahier-2025-2026.xlsx")
    statement = tmp_path / "releve.ofx"
    statement.write_bytes(to_ofx(export))
    text = to_text(plan(cahier, [statement]), tmp_path / "cahier-2025-2026.pointe.xlsx")
    empty = len(export.rows) - 6
    assert (
        f"{len(export.rows)} lignes pointées : la colonne Pointé dans la copie cahier-2025-2026.pointe.xlsx porte la "
        "date du relevé. Leur colonne Pointé, avant :\n"
        f"  - {empty} étaient vides ;\n"
        "  - 3 portaient un x, remplacé par la date du relevé ;\n"
        "  - 3 portaient une date : 2 la même que le relevé, 1 une autre, remplacée par celle du relevé.\n"
    ) in text
    assert "déjà pointées d'un x" not in text


def test_not_a_cahier_two_sentences(tmp_path: Path) -> None:
    fake = tmp_path / "faux.xlsx"
    fake.write_bytes(b"pas un classeur")
    statement = tmp_path / "releve.ofx"
    statement.write_bytes(to_ofx(bank_export(sample_book(lines=10, seed=1), seed=1)))
    result = CliRunner().invoke(main, ["pointer", str(fake), str(statement)])
    assert result.exit_code == 1
    assert result.output.startswith("Erreur : « faux.xlsx » ne peut pas être pointé. Ce fichier n'est pas un classeur")


# --------------------------------------------------------------------------- plurals, help, history


def test_new_year_says_aucun_bien(tmp_path: Path) -> None:
    book = sample_book(coop="0042", exercice="2025-2026", lines=40, seed=3)
    book.inventaire = []
    path = write_cahier(book, tmp_path / "cahier-2025-2026.xlsx")
    store = Store(str(tmp_path / "store"))
    assert ingest(path, "0042", store).accepted
    out = tmp_path / "next.xlsx"
    result = CliRunner().invoke(main, ["nouvel-exercice", "--store", str(tmp_path / "store"), "--coop", "0042", "-o",
                                       str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith(", aucun bien à l'inventaire."), result.output
    assert " 0 " not in result.output


def test_history_help_says_exemples() -> None:
    result = CliRunner().invoke(main, ["history", "--help"])
    assert "Exemples :" in result.output and "Exemple :" not in result.output


def test_history_keeps_an_unreadable_file_where_it_arrived(tmp_path: Path) -> None:
    """A refused file whose exercice could not be read was listed first (« 3, 1, 2, 4 »): it sorted as exercice
    « »; it stays among the versions of the exercice sent before it, in number order."""
    store = Store(str(tmp_path / "store"))
    journal = None
    store.submit("0001", "a.xlsx", b"A", report(), journal)
    store.submit("0001", "b.xlsx", b"B", report(ok=False, errors=1), journal)
    unread = report(ok=False, errors=1)
    unread.exercice = None
    store.submit("0001", "faux.xlsx", b"pas un classeur", unread, journal)
    store.submit("0001", "c.xlsx", b"C", report(), journal)
    result = CliRunner().invoke(main, ["history", "--coop", "0001", "--store", str(tmp_path / "store")])
    assert result.exit_code == 0, result.output
    numbers = [line.split()[0] for line in result.output.splitlines()[1:] if line[:1].isdigit()]
    assert numbers == ["1", "2", "3", "4"]


# --------------------------------------------------------------------------- number ranges in French

RANGES = [
    (["pointer", "--jours", "61", "c.xlsx", "r.csv"], "Valeur incorrecte pour '--jours' : 61 n'est pas entre 0 et 60."),
    (["pointer", "--jours-cheques", "-1", "c.xlsx", "r.csv"], "-1 n'est pas entre 0 et 400."),
    (["check", "--max-size", "0", "x.xlsx"], "Valeur incorrecte pour '--max-size' : 0 n'est pas supérieur à 0."),
    (["ingest", "--max-size", "-0,5", "--coop", "0001", "x.xlsx"], "-0,5 n'est pas supérieur à 0."),
    (["verifier-depot", "--store", "d", "--delai", "-1.5"], "-1,5 n'est pas supérieur ou égal à 0."),
    (["watch", "--delay", "-1", "inbox"], "Valeur incorrecte pour '--delay' : -1 n'est pas supérieur ou égal à 0."),
]


@pytest.mark.parametrize(("args", "said"), RANGES, ids=[" ".join(a[:3]) for a, _ in RANGES])
def test_a_number_out_of_range_is_said_in_french(args: list[str], said: str) -> None:
    result = CliRunner().invoke(main, args, prog_name="cahier")
    assert result.exit_code == 2, result.output  # a usage mistake, as the README says
    assert said in result.output, result.output
    assert "x<" not in result.output and "x>" not in result.output and "intervalle" not in result.output


@pytest.mark.parametrize(
    ("command", "said"),
    [("pointer", "de 0 à 60]"), ("pointer", "de 0 à 400]"), ("check", "[plus de 0]"), ("ingest", "[plus de 0]"),
     ("verifier-depot", "0 ou plus]"), ("watch", "[0 ou plus]")],
)  # fmt: skip
def test_help_says_the_range_in_french(command: str, said: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"], terminal_width=400)
    assert said in result.output, result.output
    assert "<=x" not in result.output and "x>" not in result.output and "x<" not in result.output


def test_a_decimal_comma_is_read(tmp_path: Path) -> None:
    fake = tmp_path / "faux.xlsx"
    fake.write_bytes(b"pas un classeur")
    result = CliRunner().invoke(main, ["check", "--max-size", "0,5", str(fake)])
    assert result.exit_code == 1 and "FILE_UNREADABLE" in result.output  # 0,5 Mo: checked, not a usage mistake


def test_every_help_says_exemple_or_exemples_as_it_counts() -> None:
    for name in main.commands:
        text = CliRunner().invoke(main, [name, "--help"], terminal_width=200).output
        rest = text.partition("Exemple")[2]
        assert rest, name
        examples = [line for line in rest.splitlines()[1:] if line.strip().startswith("cahier ")]
        assert rest.startswith("s :" if len(examples) > 1 else " :"), (name, examples)


def test_a_file_that_is_no_cahier_says_nothing_of_its_year(tmp_path: Path) -> None:
    """« Continuité … non vérifiée » after a PDF renamed .xlsx was noise: no year was read to compare."""
    fake = tmp_path / "faux.xlsx"
    fake.write_bytes(b"%PDF-1.4 pas un classeur")
    result = CliRunner().invoke(main, ["check", str(fake)])
    assert result.exit_code == 1 and "FILE_UNREADABLE" in result.output
    assert "Continuité" not in result.output
