"""The treasurer's desk (issue 14, items 5–7): each alert a treasurer hunts for is triggered by a book made for it and
absent on a clean one; the CRA is read (with a finding for a malformed headcount), stored, shown in the CRF and
summed in the consolidation; the quitus's names and dates travel from Paramètres to the CRF and the consolidation.

Every cooperative is a realistic book (``sample_book``) written into the real template, checked and stored through
``ingest``; the expected CRA sums are computed here from the books, never with the code under test.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from workbook_tools.alertes import TREASURER_ALERTS, Seuils
from workbook_tools.bilan import crf_from_store
from workbook_tools.cli import main
from workbook_tools.consolidation import consolidate
from workbook_tools.consolidation_workbook import write_consolidation_workbook
from workbook_tools.crf import write_crf_workbook
from workbook_tools.fill import Book, Line, write_cahier
from workbook_tools.ingest import ingest
from workbook_tools.libreoffice import convert
from workbook_tools.model import Code, Severity
from workbook_tools.sample import sample_book
from workbook_tools.store import Store
from workbook_tools.validate import check_file

pytestmark = pytest.mark.slow

# a past exercice: the quitus is signed after its 31 August and before today (a date to come is no signature,
# QUITUS_INVALID); each cahier's file is dated before the deadline (SAVED_ON), so none is ever late
EXERCICE = "2024-2025"
SIGNED = {
    "verificateur1_nom": "M. Martin (parent)",
    "verificateur1_date": dt.date(2025, 9, 12),
    "verificateur2_nom": "Mme Petit (enseignante)",
    "verificateur2_date": dt.date(2025, 9, 12),
    "mandataire_date": dt.date(2025, 9, 14),
}
SAVED_ON = dt.datetime(2025, 9, 20, 18, 0).timestamp()


def clean(seed: int = 3) -> Book:
    """A clean book with its CRA filled (pupils matching the membership paid, 2 € each) and its quitus signed."""
    book = sample_book(coop="0001", exercice=EXERCICE, lines=60, seed=seed)
    book.params.update(SIGNED)
    membership = sum((Decimal(str(x.split.get("6281") or 0)) for x in book.lines), Decimal(0))
    membership += sum((Decimal(str(x.amount)) for x in book.lines if (x.chapitre or "").startswith("6281")), Decimal(0))
    book.cra = {"classes": 4 + seed % 3, "eleves": int(membership / 2), "adultes": 6, "conseils": 9}
    book.actions = [
        {"action": "Sortie zoo", "classes": "CM2", "periode": "mai", "description": "Visite du parc zoologique."},
        {"action": "Loto", "classes": "toutes", "periode": "mars", "description": "Loto des familles."},
    ]
    return book


def last_date(book: Book) -> dt.date:
    return max(x.date for x in book.lines if isinstance(x.date, dt.date))


def no_count(b: Book) -> None:
    b.caisse.clear()


def no_resale_income(b: Book) -> None:
    for x in b.lines:
        if x.chapitre and x.chapitre.startswith("7070"):
            x.chapitre = "7080"
        if "7070" in x.split:
            x.split["7080"] = x.split.pop("7070")


def untraced_subsidy(b: Book) -> None:
    b.subventions.pop()


def open_regie(b: Book) -> None:  # a cheque advanced to a colleague, never returned (not yet on the statement)
    b.lines.append(Line(last_date(b), "Régie M. Bernard (sortie piscine)", banque_depense=Decimal("40.00"),
                        mode="CHQ", cheque="9900201"))  # fmt: skip


def report_as_receipt(b: Book) -> None:  # the label speaks of the report, the amount is not it: a warning, accepted
    b.lines.append(Line(last_date(b), "Solde report classe verte", banque_recette=Decimal("12.00"), chapitre="7080",
                        piece="R999", mode="VIR"))  # fmt: skip


def unsigned(b: Book) -> None:
    b.params["verificateur2_date"] = None


def membership_off(b: Book) -> None:
    b.cra["eleves"] = b.cra["eleves"] * 2


SPOILS: dict[str, tuple[str, Callable[[Book], None]]] = {
    "0002": ("CAISSE_NON_COMPTEE", no_count),
    "0003": ("REVENTE_SANS_VENTE", no_resale_income),
    "0004": (Code.SUBVENTION_UNTRACED.value, untraced_subsidy),
    "0005": (Code.REGIE_OPEN.value, open_regie),
    "0006": (Code.REPORT_AS_RECEIPT.value, report_as_receipt),
    "0007": ("QUITUS_NON_SIGNE", unsigned),
    "0008": ("COTISATION_ECART", membership_off),
}


@dataclass
class Department:
    store: Store
    books: dict[str, Book]
    folder: Path


@pytest.fixture(scope="module")
def department(tmp_path_factory: pytest.TempPathFactory) -> Department:
    folder = tmp_path_factory.mktemp("tresorier")
    store = Store(folder / "store")
    books: dict[str, Book] = {}
    for n, coop in enumerate(["0001", *SPOILS]):
        book = clean(seed=3 + n % 2)
        book.params["coop_numero"] = coop
        if coop in SPOILS:
            SPOILS[coop][1](book)
        path = write_cahier(book, folder / f"cahier-{coop}.xlsx")
        os.utime(path, (SAVED_ON, SAVED_ON))
        outcome = ingest(path, coop, store)
        assert outcome.accepted, [f.to_dict() for f in outcome.result.findings] if outcome.result else outcome
        books[coop] = book
    return Department(store, books, folder)


def mine(codes: list[str]) -> set[str]:
    return {c for c in codes if c in TREASURER_ALERTS}


def test_each_alert_is_triggered_by_its_book_and_only_by_it(department: Department) -> None:
    c = consolidate(department.store, EXERCICE)
    alerts = {r.coop: mine([a.code for a in r.alerts]) for r in c.rows}
    assert alerts["0001"] == set(), alerts["0001"]  # the clean book: none of the treasurer's alerts
    for coop, (code, _) in SPOILS.items():
        assert alerts[coop] == {code}, (coop, alerts[coop])
    by = {(a.coop, a.code): a.message for a in c.alerts}
    assert "Aucun comptage" in by[("0002", "CAISSE_NON_COMPTEE")] and "€" in by[("0002", "CAISSE_NON_COMPTEE")]
    assert "ventes (7070) : 0,00 €" in by[("0003", "REVENTE_SANS_VENTE")]
    assert "40,00 €" in by[("0005", "REGIE_OPEN")]
    assert "date du vérificateur n° 2" in by[("0007", "QUITUS_NON_SIGNE")]
    assert f"{department.books['0008'].cra['eleves']} élèves" in by[("0008", "COTISATION_ECART")]


def test_thresholds_are_configurable(department: Department) -> None:
    """Cash ceiling and deficit share: absent with the defaults (300 €, 50 %), present with lower thresholds."""
    default = consolidate(department.store, EXERCICE)
    assert not {a.code for a in default.alerts} & {"CAISSE_PLAFOND", "DEFICIT_IMPORTANT"}
    row = next(r for r in default.rows if r.coop == "0001")
    assert row.totals is not None and row.totals.caisse_comptee is not None
    cash, deficit, report = row.totals.caisse_cloture, -row.totals.resultat, row.totals.report
    assert cash > 0 and deficit > 0  # the sample book: a little cash, a small deficit
    low = Seuils(caisse_plafond=cash - 1, deficit_part=deficit * 100 // report)
    c = consolidate(department.store, EXERCICE, seuils=low)
    codes = {a.code for a in c.alerts if a.coop == "0001"}
    assert {"CAISSE_PLAFOND", "DEFICIT_IMPORTANT"} <= codes
    # from the command line: the same thresholds, in euros and percent
    result = CliRunner().invoke(
        main,
        ["consolidate", "--store", department.store.url, "--exercice", EXERCICE, "--format", "json",
         "--plafond-caisse", "{},{:02d}".format(*divmod(cash - 1, 100)), "--seuil-deficit", str(low.deficit_part)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    got = {a["code"] for a in data["alerts"] if a["coop"] == "0001"}
    assert {"CAISSE_PLAFOND", "DEFICIT_IMPORTANT"} <= got
    bad = CliRunner().invoke(main, ["consolidate", "--store", department.store.url, "--plafond-caisse", "beaucoup"])
    assert bad.exit_code != 0 and "Traceback" not in bad.output and "plafond" in bad.output.lower()


def test_cra_figures_equal_the_sum_of_the_cra_sheets(department: Department) -> None:
    c = consolidate(department.store, EXERCICE)
    totals = c.totals()["cra"]
    for key in ("classes", "eleves", "adultes", "conseils"):
        assert totals[key] == sum(int(b.cra[key]) for b in department.books.values()), key
        assert totals[f"{key}_cooperatives"] == len(department.books)
    per_coop = {r.coop: r.cra for r in c.rows}
    assert per_coop == {coop: {k: int(v) for k, v in b.cra.items()} for coop, b in department.books.items()}
    data = c.to_dict()
    assert data["totals"]["cra"]["eleves"] == totals["eleves"]
    assert {x["coop"]: x["quitus"] for x in data["cooperatives"]}["0007"] == "non signé"
    assert {x["coop"]: x["quitus"] for x in data["cooperatives"]}["0001"] == "signé"


def test_cra_and_quitus_sheet_of_the_consolidation(department: Department, tmp_path: Path) -> None:
    c = consolidate(department.store, EXERCICE)
    sheet = openpyxl.load_workbook(write_consolidation_workbook(c, tmp_path / "conso.xlsx"))["CRA et quitus"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if r[0] == "N°")
    body = {r[0]: r for r in rows[header + 1 :] if r[0] in department.books}
    assert set(body) == set(department.books)
    for coop, book in department.books.items():
        assert body[coop][2:6] == [int(book.cra[k]) for k in ("classes", "eleves", "adultes", "conseils")]
        assert body[coop][8] == ("non signé" if coop == "0007" else "signé")
    total = next(r for r in rows if r[1] == "Département")
    assert str(total[3]).startswith("=SUBTOTAL(9,D")  # live: a filter sums the rows shown
    assert total[8] == f"{len(department.books) - 1} / {len(department.books)}"


@pytest.mark.libreoffice
def test_department_cra_totals_recomputed_by_libreoffice(department: Department, tmp_path: Path) -> None:
    """The « Département » row's live formulas, recomputed by LibreOffice, equal the sums of the CRA sheets."""
    c = consolidate(department.store, EXERCICE)
    recomputed = convert(write_consolidation_workbook(c, tmp_path / "conso.xlsx"), "xlsx", tmp_path / "lo")
    sheet = openpyxl.load_workbook(recomputed, data_only=True)["CRA et quitus"]
    total = next(list(r) for r in sheet.iter_rows(values_only=True) if r[1] == "Département")
    books = department.books.values()
    assert total[2:6] == [sum(int(b.cra[k]) for b in books) for k in ("classes", "eleves", "adultes", "conseils")]


def test_cra_and_quitus_in_the_crf(department: Department, tmp_path: Path) -> None:
    crf = crf_from_store(department.store, "0007")
    book = department.books["0007"]
    assert crf.cra == {k: int(v) for k, v in book.cra.items()}
    assert [a.description for a in crf.cra_actions] == [a["description"] for a in book.actions]
    assert crf.quitus is not None and not crf.quitus.signe
    assert crf.quitus.verificateurs[0] == ("M. Martin (parent)", "12/09/2025")
    wb = openpyxl.load_workbook(write_crf_workbook(crf, tmp_path / "crf.xlsx"))
    cra = [v for row in wb["CRA"].iter_rows(values_only=True) for v in row if v is not None]
    assert book.cra["eleves"] in cra and "Visite du parc zoologique." in cra
    quitus = [v for row in wb["Quitus"].iter_rows(values_only=True) for v in row if v is not None]
    assert "Nom : M. Martin (parent)" in quitus and "Date : 12/09/2025" in quitus
    assert any(isinstance(v, str) and v.startswith("Quitus non signé") for v in quitus)
    signed = crf_from_store(department.store, "0001")
    assert signed.quitus is not None and signed.quitus.signe


def test_a_malformed_headcount_is_a_warning(tmp_path: Path) -> None:
    book = clean()
    book.cra.update(eleves="environ 80", conseils=-2)
    result = check_file(write_cahier(book, tmp_path / "cra.xlsx"))
    found = [f for f in result.findings if f.code is Code.CRA_INVALID]
    assert [(f.cell, f.severity) for f in found] == [("CRA!B4", Severity.WARNING), ("CRA!B6", Severity.WARNING)]
    assert "environ 80" in found[0].message and result.ok
    report = result.to_report()
    assert report.annexes is not None and report.annexes.cra == {"classes": book.cra["classes"], "adultes": 6}


def test_old_reports_without_cra_still_read(department: Department) -> None:
    """A report stored before issue 14 (no « cra », no quitus dates): read back, nothing invented."""
    from workbook_tools.model import Report

    report = Report.from_dict({"file": "x.xlsx", "annexes": {"parametres": {"coop_mandataire": "Mme A"}}})
    assert report.annexes is not None and report.annexes.cra == {} and report.annexes.cra_actions == []
    assert not report.annexes.quitus.signe and "nom du vérificateur n° 1" in report.annexes.quitus.missing
    again = copy.deepcopy(report)
    assert Report.from_dict(again.to_dict()).annexes == report.annexes


def test_the_watchers_thresholds(tmp_path: Path) -> None:
    """The service's consolidation takes its thresholds from its configuration file; a mistyped one is refused."""
    from workbook_tools.watcher.config import WatchConfig

    file = tmp_path / "config.toml"
    file.write_text('inbox = "in"\nplafond_caisse = "150,00"\nseuil_deficit = 30\ncotisation_eleve = 2.4\n')
    assert WatchConfig.from_sources(file).seuils() == Seuils(
        caisse_plafond=15000, deficit_part=30, cotisation_eleve=240
    )
    file.write_text('inbox = "in"\n')
    assert WatchConfig.from_sources(file).seuils() == Seuils()
    file.write_text('inbox = "in"\nplafond_caisse = "beaucoup"\n')
    with pytest.raises(ValueError, match="plafond_caisse"):
        WatchConfig.from_sources(file)


# --------------------------------------------------------------------------- a treasurer's trial (issue 14 fixes)


def test_membership_rate_zero_turns_the_check_off(department: Department, tmp_path: Path) -> None:
    """--cotisation-eleve 0: no « attendue : 0,00 € » alert, no expected membership, the note says it is off."""
    args = ["consolidate", "--store", department.store.url, "--exercice", EXERCICE]
    result = CliRunner().invoke(main, [*args, "--cotisation-eleve", "0", "--format", "json"])
    assert result.exit_code == 0, result.output
    codes = {(a["coop"], a["code"]) for a in json.loads(result.stdout)["alerts"]}
    assert not {code for _, code in codes} & {"COTISATION_ECART"}
    assert ("0008", "COTISATION_ECART") in {(a.coop, a.code) for a in consolidate(department.store, EXERCICE).alerts}
    c = consolidate(department.store, EXERCICE, seuils=Seuils(cotisation_eleve=0))
    wb = openpyxl.load_workbook(write_consolidation_workbook(c, tmp_path / "c.xlsx"))
    ws = wb["CRA et quitus"]
    assert "cotisation par élève non contrôlée" in ws["A1"].value
    expected_col = next(cell.column for cell in ws[3] if cell.value == "Cotisation attendue (élèves × taux)")
    assert all(ws.cell(row, expected_col).value is None for row in range(4, 4 + len(c.rows) - 1))
    help_text = CliRunner().invoke(main, ["consolidate", "--help"]).output
    assert "0 : pas de" in help_text and "contrôle de la cotisation" in help_text


def test_threshold_errors_exit_1_in_french_and_accept_a_decimal_comma(department: Department) -> None:
    args = ["consolidate", "--store", department.store.url, "--exercice", EXERCICE, "--format", "json"]
    for option, value in (("--seuil-deficit", "abc"), ("--seuil-deficit", "1001"), ("--seuil-deficit", "-1"),
                          ("--plafond-caisse", "beaucoup"), ("--cotisation-eleve", "-2")):  # fmt: skip
        bad = CliRunner().invoke(main, [*args, option, value])
        assert bad.exit_code == 1, (option, value, bad.output)
        assert f"{option} : « {value} » n'est pas" in bad.output and "Traceback" not in bad.output
    ok = CliRunner().invoke(main, [*args, "--seuil-deficit", "12,5"])
    assert ok.exit_code == 0, ok.output
    help_text = CliRunner().invoke(main, ["consolidate", "--help"]).output
    assert "<=x<=" not in help_text and "de 0 à 1000" in help_text
    # the share with a comma is the same threshold as Decimal("12.5"), in the alert in French
    row = next(r for r in consolidate(department.store, EXERCICE).rows if r.coop == "0001")
    assert row.totals is not None
    share = Decimal(-row.totals.resultat * 100) / row.totals.report  # the book's deficit share, in percent
    below = (share - Decimal("0.5")).quantize(Decimal("0.1"))
    text = str(below).replace(".", ",")
    data = json.loads(CliRunner().invoke(main, [*args, "--seuil-deficit", text]).stdout)
    messages = [a["message"] for a in data["alerts"] if a["coop"] == "0001" and a["code"] == "DEFICIT_IMPORTANT"]
    assert messages and f"seuil {text.rstrip('0').rstrip(',')} %" in messages[0]


# --------------------------------------------------------------------------- a tester's trial 2 (issue 14, items 6–7)


def test_a_malformed_headcount_is_shown_as_typed_in_french_and_called_unreadable_in_the_crf(tmp_path: Path) -> None:
    """Numbers typed in the CRA are quoted the French way (« -5 », « 2,5 », not « -5.0 », « 2.5 »); the CRF's CRA
    page says a headcount typed « vingt » is unreadable, not « non rempli »."""
    book = clean()
    book.cra.update(classes="vingt", eleves=-5, adultes=2.5)
    path = write_cahier(book, tmp_path / "cra.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["CRA"]["B4"], wb["CRA"]["B5"] = -5, 2.5  # typed as numbers, as a teacher's spreadsheet stores them
    wb.save(path)
    result = check_file(path)
    found = {f.cell: f.message for f in result.findings if f.code is Code.CRA_INVALID}
    assert set(found) == {"CRA!B3", "CRA!B4", "CRA!B5"}
    assert "vaut « vingt »" in found["CRA!B3"]
    assert "vaut « -5 »" in found["CRA!B4"] and "-5.0" not in found["CRA!B4"]
    assert "vaut « 2,5 »" in found["CRA!B5"] and "2.5" not in found["CRA!B5"]
    report = result.to_report()
    assert report.annexes is not None and report.annexes.cra == {"conseils": 9}
    assert report.annexes.cra_illisibles == {"classes": "vingt", "eleves": "-5", "adultes": "2,5"}
    store = Store(tmp_path / "store")
    assert ingest(path, "0001", store).accepted
    crf = crf_from_store(store, "0001")
    assert crf.cra_illisibles == report.annexes.cra_illisibles
    sheet = openpyxl.load_workbook(write_crf_workbook(crf, tmp_path / "crf.xlsx"))["CRA"]
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True) if r[0]}
    assert rows["Nombre de classes"][2] == "illisible" and "« vingt »" in str(rows["Nombre de classes"][3])
    assert rows["Nombre d'élèves"][2] == "illisible" and "« -5 »" in str(rows["Nombre d'élèves"][3])
    assert rows["Nombre de conseils de coopérative"][2] == 9
    book.cra.pop("adultes")
    empty = check_file(write_cahier(book, tmp_path / "empty.xlsx")).to_report().annexes
    assert empty is not None and "adultes" not in empty.cra_illisibles  # empty: « non rempli », not unreadable


def _quitus_book(**params: object) -> Book:
    book = clean()
    book.params.update(params)
    return book


def test_quitus_dates_that_cannot_be_a_signature(tmp_path: Path) -> None:
    """A quitus date that is no date, is before the exercice's 31 August, is to come, or has no name beside it: a
    warning at its cell (QUITUS_INVALID), the book still accepted, and the quitus « non signé » (a valid name and a
    valid date for each of the three signatories, one rule: model.Quitus)."""
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    cases = {
        "not a date": ({"verificateur1_date": "hier"}, "Paramètres!B12", "ce n'est pas une date"),
        "to come": ({"verificateur2_date": tomorrow}, "Paramètres!B14", "pas encore arrivée"),
        "before 31 August": ({"mandataire_date": dt.date(2025, 6, 30)}, "Paramètres!B15", "avant la fin de l'exercice (31/08/2025)"),
        "no name": ({"verificateur2_nom": None}, "Paramètres!B14", "le nom du vérificateur n° 2 ne l'est pas (cellule B13)"),
    }  # fmt: skip
    for case, (params, cell, words) in cases.items():
        result = check_file(write_cahier(_quitus_book(**params), tmp_path / "q.xlsx"))
        found = [f for f in result.findings if f.code is Code.QUITUS_INVALID]
        assert [(f.cell, f.severity) for f in found] == [(cell, Severity.WARNING)], case
        assert words in found[0].message and "compte comme non signé" in found[0].message, (case, found[0].message)
        assert result.ok, case  # a warning: the cahier is accepted
        quitus = result.to_report().annexes.quitus  # type: ignore[union-attr]
        assert not quitus.signe, case
        assert any(m.startswith(("date valable du", "nom du")) for m in quitus.missing), (case, quitus.missing)
    # the boundaries: the 31 August itself and today count; the clean book is signed with no finding
    for day in (dt.date(2025, 8, 31), dt.date.today()):
        result = check_file(write_cahier(_quitus_book(mandataire_date=day), tmp_path / "ok.xlsx"))
        assert not [f for f in result.findings if f.code is Code.QUITUS_INVALID], day
        assert result.to_report().annexes.quitus.signe, day  # type: ignore[union-attr]


def test_an_invalid_quitus_date_travels_to_the_crf_and_the_consolidation(tmp_path: Path) -> None:
    """The tester's book: B12 « hier », B14 a date to come: both warned, « Date : hier — non valable » on the CRF's
    quitus page, the quitus « non signé » there and in the consolidation, what is missing said in words."""
    later = dt.date.today() + dt.timedelta(days=400)
    book = _quitus_book(verificateur1_date="hier", verificateur2_date=later)
    path = write_cahier(book, tmp_path / "cahier.xlsx")
    os.utime(path, (SAVED_ON, SAVED_ON))
    store = Store(tmp_path / "store")
    outcome = ingest(path, "0001", store)
    assert outcome.accepted and outcome.result is not None
    assert [f.cell for f in outcome.result.findings if f.code is Code.QUITUS_INVALID] == [
        "Paramètres!B12",
        "Paramètres!B14",
    ]
    crf = crf_from_store(store, "0001")
    assert crf.quitus is not None and not crf.quitus.signe
    assert crf.quitus.missing == ["date valable du vérificateur n° 1", "date valable du vérificateur n° 2"]
    assert crf.to_dict()["quitus"]["signe"] is False
    sheet = openpyxl.load_workbook(write_crf_workbook(crf, tmp_path / "crf.xlsx"))["Quitus"]
    shown = [v for row in sheet.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert "Date : hier — non valable : pas une date" in shown
    assert f"Date : {later:%d/%m/%Y} — non valable : date à venir" in shown
    assert "Date : 14/09/2025" in shown  # the mandataire's valid date, as it was
    assert any(v.startswith("Quitus non signé") and "date valable du vérificateur n° 1" in v for v in shown)
    row = next(r for r in consolidate(store, EXERCICE).rows if r.coop == "0001")
    assert row.quitus_fr == "non signé" and "date valable du vérificateur n° 2" in (row.quitus_manque or ())
