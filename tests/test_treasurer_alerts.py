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

EXERCICE = "2098-2099"  # far ahead: never late whenever the tests run
SIGNED = {
    "verificateur1_nom": "M. Martin (parent)",
    "verificateur1_date": dt.date(2099, 9, 12),
    "verificateur2_nom": "Mme Petit (enseignante)",
    "verificateur2_date": dt.date(2099, 9, 12),
    "mandataire_date": dt.date(2099, 9, 14),
}


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
        outcome = ingest(write_cahier(book, folder / f"cahier-{coop}.xlsx"), coop, store)
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
    assert crf.quitus.verificateurs[0] == ("M. Martin (parent)", "12/09/2099")
    wb = openpyxl.load_workbook(write_crf_workbook(crf, tmp_path / "crf.xlsx"))
    cra = [v for row in wb["CRA"].iter_rows(values_only=True) for v in row if v is not None]
    assert book.cra["eleves"] in cra and "Visite du parc zoologique." in cra
    quitus = [v for row in wb["Quitus"].iter_rows(values_only=True) for v in row if v is not None]
    assert "Nom : M. Martin (parent)" in quitus and "Date : 12/09/2099" in quitus
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
