"""The CRF and the consolidation, built from a store of real cahiers, against an independent computation.

Each cooperative is a realistic book (``sample_book``) written into the real template, checked and
stored through ``ingest``; the expected figures are summed here from the book's own lines with
``Decimal``, never with the code under test.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import subprocess
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from workbook_tools.bilan import BilanError, crf_from_store
from workbook_tools.chart import default_chart
from workbook_tools.cli import main
from workbook_tools.consolidation import consolidate, read_roster
from workbook_tools.consolidation_workbook import write_consolidation
from workbook_tools.crf import write_crf
from workbook_tools.fill import Book, write_cahier
from workbook_tools.ingest import ingest
from workbook_tools.libreoffice import convert
from workbook_tools.sample import sample_book
from workbook_tools.store import Store
from workbook_tools.store.standing import standing
from workbook_tools.template import crf_names

EXERCICE = "2098-2099"  # far ahead: never late whenever the tests run
OLD = "2023-2024"  # long past: always late
INJECTED_LABEL = '=HYPERLINK("http://example.invalid/x","clic")'
INJECTED_ACTION = "@SUM(1)"
INJECTED_NAME = "+École Pasteur"
CHART = default_chart()


def cents(value: Any) -> int:
    return int((Decimal(str(value)) * 100).to_integral_value())


@dataclass
class Expected:
    """The figures of one book, summed here from its lines."""

    chapitres: dict[str, int]
    charges: int
    produits: int
    report: int
    banque_fin: int
    caisse_fin: int
    non_pointe_recettes: int
    non_pointe_depenses: int
    actions: dict[str | None, tuple[int, int]]
    subventions: int
    inventaire: int

    @property
    def resultat(self) -> int:
        return self.produits - self.charges


def expected(book: Book) -> Expected:
    chap: dict[str, Decimal] = defaultdict(Decimal)
    actions: dict[str | None, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    bank = Decimal(str(book.params["report_banque"]))
    cash = Decimal(str(book.params["report_caisse"]))
    npr = npd = Decimal(0)
    for line in book.lines:
        d = {
            k: Decimal(str(getattr(line, k) or 0))
            for k in ("banque_recette", "banque_depense", "caisse_recette", "caisse_depense")
        }
        bank += d["banque_recette"] - d["banque_depense"]
        cash += d["caisse_recette"] - d["caisse_depense"]
        if line.pointe is None:
            npr += d["banque_recette"]
            npd += d["banque_depense"]
        if line.split:
            for code, amount in line.split.items():
                chap[code] += Decimal(str(amount))
        elif line.chapitre:
            chap[line.chapitre] += line.amount
        else:
            continue  # an internal movement: neither receipt nor expense
        receipt = d["banque_recette"] + d["caisse_recette"]
        actions[line.action][0] += receipt
        actions[line.action][1] += line.amount - receipt
    codes = {c.code: c for c in CHART.chapitres}
    chapitres = {code: cents(chap.get(code, 0)) for code in codes}
    assert set(chap) <= set(codes)
    report = Decimal(str(book.params["report_banque"])) + Decimal(str(book.params["report_caisse"]))
    return Expected(
        chapitres=chapitres,
        charges=sum(v for k, v in chapitres.items() if codes[k].is_charge),
        produits=sum(v for k, v in chapitres.items() if not codes[k].is_charge),
        report=cents(report),
        banque_fin=cents(bank),
        caisse_fin=cents(cash),
        non_pointe_recettes=cents(npr),
        non_pointe_depenses=cents(npd),
        actions={k: (cents(v[0]), cents(v[1])) for k, v in actions.items()},
        subventions=sum(cents(s["montant"]) for s in book.subventions),
        inventaire=sum(cents(i["valeur"]) for i in book.inventaire),
    )


def injected_book() -> Book:
    book = sample_book(coop="0004", exercice=EXERCICE, lines=50, seed=4, name=INJECTED_NAME)
    bank_lines = [x for x in book.lines if x.banque_depense is not None and x.chapitre and not x.action]
    target = bank_lines[-1]
    target.libelle, target.action = INJECTED_LABEL, INJECTED_ACTION
    # leave it unticked, so that it shows in the rapprochement too
    if target.pointe is not None:
        target.pointe = None
        book.params["releve_31_08"] = book.params["releve_31_08"] + Decimal(str(target.banque_depense))
    return book


BOOKS = {
    "0001": lambda: sample_book(coop="0001", exercice=EXERCICE, lines=60, seed=1),
    "0002": lambda: sample_book(coop="0002", exercice=EXERCICE, lines=90, seed=2),
    "0003": lambda: sample_book(coop="0003", exercice=EXERCICE, lines=45, seed=3),
    "0004": injected_book,
    "0005": lambda: sample_book(coop="0005", exercice=OLD, lines=45, seed=5),
}


@dataclass
class World:
    store: Store
    books: dict[str, Book]
    files: dict[str, Path]
    folder: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    folder = tmp_path_factory.mktemp("bilan")
    store = Store(folder / "store")
    books, files = {}, {}
    for coop, make in BOOKS.items():
        book = make()
        path = write_cahier(book, folder / f"cahier-{coop}.xlsx")
        outcome = ingest(path, coop, store)
        assert outcome.accepted, [f.to_dict() for f in outcome.result.findings] if outcome.result else outcome
        books[coop], files[coop] = book, path
    # 0003 then sends a newer cahier with an error: refused, its accepted figures stay current
    spoiled = copy.deepcopy(books["0003"])
    spoiled.lines[3].date = None
    spoiled.lines[5].banque_recette = Decimal("99999.99")  # figures that must not reach the CRF
    refused = ingest(write_cahier(spoiled, folder / "cahier-0003-v2.xlsx"), "0003", store)
    assert refused.status == "refused"
    return World(store, books, files, folder)


# --------------------------------------------------------------------------- the CRF in numbers


@pytest.mark.parametrize("coop", ["0001", "0002", "0003", "0004", "0005"])
def test_crf_figures_equal_the_books_lines(world: World, coop: str) -> None:
    crf = crf_from_store(world.store, coop)
    exp = expected(world.books[coop])
    assert {c.code: c.montant for c in crf.postes} == exp.chapitres
    assert (crf.charges, crf.produits, crf.resultat) == (exp.charges, exp.produits, exp.resultat)
    assert sum(c.montant for c in crf.postes if c.sens == "charge") == crf.charges
    assert sum(c.montant for c in crf.postes if c.sens == "produit") == crf.produits
    assert crf.report == exp.report
    assert (crf.banque_fin, crf.caisse_fin) == (exp.banque_fin, exp.caisse_fin)
    assert crf.report + crf.resultat == crf.banque_fin + crf.caisse_fin and crf.ecart_bilan == 0
    assert (crf.non_pointe_recettes, crf.non_pointe_depenses) == (exp.non_pointe_recettes, exp.non_pointe_depenses)
    assert crf.ecart_rapprochement == 0 and crf.ecart_caisse == 0
    assert {a.action: (a.recettes, a.depenses) for a in crf.actions} == exp.actions
    assert sum(a.recettes for a in crf.actions) == crf.produits
    assert sum(a.depenses for a in crf.actions) == crf.charges
    assert crf.subventions_feuille == exp.subventions == crf.subventions_journal
    assert sum(b.valeur or 0 for b in crf.inventaire) == exp.inventaire
    assert crf.exercice == (OLD if coop == "0005" else EXERCICE)


def test_refused_newer_version_keeps_the_accepted_figures(world: World) -> None:
    crf = crf_from_store(world.store, "0003")
    assert crf.refused is not None and crf.refused.status == "refused"
    assert crf.charges == expected(world.books["0003"]).charges
    where = standing("0003", world.store.history("0003"), EXERCICE)
    assert where.status == "refused_newer" and where.current is not None
    assert where.current.version == crf.version < where.refused.version  # type: ignore[union-attr]


def test_crf_errors_are_french(world: World) -> None:
    with pytest.raises(BilanError, match="La coopérative 0999 n'a rien envoyé"):
        crf_from_store(world.store, "0999")
    with pytest.raises(BilanError, match="aucune version acceptée pour l'exercice 2000-2001"):
        crf_from_store(world.store, "0001", "2000-2001")
    with pytest.raises(BilanError, match="Exercice mal écrit"):
        crf_from_store(world.store, "0001", "2025")


# --------------------------------------------------------------------------- the CRF workbook


def _values(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path, data_only=True)


def _crf_sheet_figures(wb: openpyxl.Workbook) -> dict[str, int]:
    """Chapter and total figures as the CRF sheet shows them (cached values), in cents."""
    ws = wb["CRF"]
    out: dict[str, int] = {}
    for row in ws.iter_rows(min_row=1, max_col=4):
        a, _, c, d = (cell.value for cell in row)
        if isinstance(a, str) and a.isdigit() and len(a) == 4:
            out[a] = cents(c if c is not None else d)
        elif a == "Totaux":
            out["charges"], out["produits"] = cents(c), cents(d)
        elif isinstance(a, str) and a.startswith("Résultat de l'exercice"):
            out["resultat"] = cents(d)
        elif isinstance(a, str) and a.startswith("= Disponible"):
            out["disponible"] = cents(d)
        elif isinstance(a, str) and a.startswith("Contrôle"):
            out["equilibre"] = d == "Équilibré"
    return out


@pytest.mark.parametrize("coop", ["0001", "0003"])
def test_crf_workbook_shows_the_figures(world: World, coop: str, tmp_path: Path) -> None:
    path = write_crf(world.store, coop, None, tmp_path / f"{coop}.crf.xlsx")
    assert [p.name for p in tmp_path.iterdir()] == [f"{coop}.crf.xlsx"]  # no temporary left behind
    wb = _values(path)
    assert wb.sheetnames == [
        "CRF", "Rapprochement", "Arrêté de caisse", "Subventions", "Actions", "CRA", "Inventaire", "Avertissements",
        "Quitus", "Journal",
    ]  # fmt: skip
    exp = expected(world.books[coop])
    shown = _crf_sheet_figures(wb)
    assert {k: shown[k] for k in exp.chapitres} == exp.chapitres
    assert (shown["charges"], shown["produits"], shown["resultat"]) == (exp.charges, exp.produits, exp.resultat)
    assert shown["disponible"] == exp.banque_fin + exp.caisse_fin == exp.report + exp.resultat
    assert shown["equilibre"] is True
    ws = wb["CRF"]
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage  # one page wide (the default width), as tall as needed
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    money = [c.number_format for row in ws.iter_rows() for c in row if isinstance(c.value, float)]
    assert money and set(money) == {'#,##0.00 "€"'}
    actions = wb["Actions"]
    total = next(r for r in actions.iter_rows(values_only=True) if r[0] == "Total")
    assert (cents(total[2]), cents(total[3])) == (exp.produits, exp.charges)
    quitus = [c.value for row in wb["Quitus"].iter_rows() for c in row if isinstance(c.value, str)]
    assert "Vérificateur aux comptes — parent d'élève" in quitus
    assert any("n'ayant pas tenu la comptabilité" in q for q in quitus)
    assert any(q.startswith("☐  Le relevé bancaire couvrant le 31 août") for q in quitus)
    assert sum(q.startswith("☐  Justificatif de subvention") for q in quitus) == len(world.books[coop].subventions)
    refusal = [c.value for c in wb["CRF"]["A"] if isinstance(c.value, str) and c.value.startswith("Attention")]
    assert bool(refusal) == (coop == "0003")
    with zipfile.ZipFile(path) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())


def test_unticked_lines_and_dates_in_rapprochement(world: World, tmp_path: Path) -> None:
    path = write_crf(world.store, "0004", EXERCICE, tmp_path / "crf.xlsx")
    ws = openpyxl.load_workbook(path)["Rapprochement"]
    header = next(r for r in ws.iter_rows() if r[0].value == "Ligne")
    lines = [r for r in ws.iter_rows(min_row=header[0].row + 1) if isinstance(r[0].value, int)]
    unticked = [x for x in world.books["0004"].lines if x.pointe is None and (x.banque_recette or x.banque_depense)]
    assert len(lines) == len(unticked)
    assert all(r[1].number_format == "dd/mm/yyyy" and isinstance(r[1].value, dt.datetime) for r in lines)


# --------------------------------------------------------------------------- consolidation


@pytest.fixture(scope="module")
def roster(world: World) -> Path:
    path = world.folder / "coops.csv"
    lines = ["coop;nom", "0001;École Jean Moulin", "2;École n° 2 (zéros de tête perdus)", "0003;", "0004;",
             "0042;École qui n'a rien envoyé"]  # fmt: skip
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def test_consolidation_figures_equal_the_books(world: World, roster: Path) -> None:
    c = consolidate(world.store, EXERCICE, roster=roster)
    rows = {r.coop: r for r in c.rows}
    assert sorted(rows) == ["0001", "0002", "0003", "0004", "0042"]  # 0005 is of another exercice
    totals: dict[str, int] = defaultdict(int)
    for coop in ("0001", "0002", "0003", "0004"):
        exp, r = expected(world.books[coop]), rows[coop]
        fig = c.figures(r)
        assert r.chapitres == exp.chapitres, coop
        assert (fig["produits"], fig["charges"], fig["resultat"]) == (exp.produits, exp.charges, exp.resultat)
        assert fig["ouverture"] == exp.report and fig["cloture"] == exp.banque_fin + exp.caisse_fin
        assert fig["ouverture"] + fig["resultat"] == fig["cloture"]
        crf = crf_from_store(world.store, coop, EXERCICE)  # the journal-based CRF agrees
        assert (crf.produits, crf.charges, crf.disponible_fin) == (fig["produits"], fig["charges"], fig["cloture"])
        for k, v in {**exp.chapitres, "produits": exp.produits, "charges": exp.charges}.items():
            totals[k] += v
    t = c.totals()
    assert t["chapitres"] == {k: totals[k] for k in exp.chapitres}
    assert (t["produits"], t["charges"]) == (totals["produits"], totals["charges"])
    assert sum(v for k, v in t["chapitres"].items() if k.startswith("6")) == t["charges"]
    assert t["ouverture"] + t["resultat"] == t["cloture"]
    assert t["statuts"] == {"accepted": 3, "refused_newer": 1, "refused": 0, "missing": 1}


def test_roster_missing_and_refused(world: World, roster: Path) -> None:
    c = consolidate(world.store, EXERCICE, roster=roster)
    rows = {r.coop: r for r in c.rows}
    assert rows["0042"].status == "missing" and rows["0042"].nom == "École qui n'a rien envoyé"
    assert [a.code for a in rows["0042"].alerts] == ["MANQUANTE"]
    assert [r.coop for r in c.missing] == ["0042"]
    assert rows["0002"].nom == "École n° 2 (zéros de tête perdus)"  # roster "2" is coop 0002
    refused = rows["0003"]
    assert refused.status == "refused_newer" and refused.refused_version is not None
    assert "VERSION_REFUSEE" in [a.code for a in refused.alerts]
    assert c.figures(refused)["charges"] == expected(world.books["0003"]).charges  # the last accepted figures
    assert rows["0003"].nom  # no name in the roster: the cahier's own
    assert all(not r.late for r in c.rows)
    old = consolidate(world.store, OLD)
    assert [(r.coop, r.late, "RETARD" in [a.code for a in r.alerts]) for r in old.rows] == [("0005", True, True)]


def test_alerts(world: World) -> None:
    c = consolidate(world.store, EXERCICE)
    for r in c.rows:
        codes = {a.code for a in r.alerts}
        assert ("DEFICIT" in codes) == (c.figures(r)["resultat"] < 0)
        assert "RAPPROCHEMENT_MANQUANT" not in codes  # every sample book has its statement balance
        assert len(r.alerts) == len(codes)


def test_consolidation_workbook_and_json_agree(world: World, roster: Path, tmp_path: Path) -> None:
    out = write_consolidation(world.store, tmp_path / "departement.xlsx", roster=roster, exercice=EXERCICE)
    assert [p.name for p in tmp_path.iterdir()] == ["departement.xlsx"]
    wb = _values(out)
    assert wb.sheetnames == [
        "Synthèse",
        "Coopératives",
        "Charges",
        "Produits",
        "Alertes",
        "Manquantes",
        "CRA et quitus",
    ]
    runner = CliRunner()
    result = runner.invoke(
        main, ["consolidate", "--store", str(world.store.url), "--roster", str(roster), "--exercice", EXERCICE,
               "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    by_coop = {d["coop"]: d for d in data["cooperatives"]}
    ws = wb["Coopératives"]
    header = [c.value for c in ws[2]]  # row 1: the note stating the lateness rule (issue 14)
    assert ws.freeze_panes == "C3" and ws.auto_filter.ref
    col = {name: header.index(name) for name in ("N°", "Statut", "Report à nouveau", "Produits", "Charges", "Résultat", "Disponible au 31/08", "Alertes")}  # fmt: skip
    seen = set()
    for row in ws.iter_rows(min_row=3, values_only=True):
        d = by_coop[row[col["N°"]]]
        seen.add(d["coop"])
        for name, key in (("Report à nouveau", "ouverture"), ("Produits", "produits"), ("Charges", "charges"),
                          ("Résultat", "resultat"), ("Disponible au 31/08", "cloture")):  # fmt: skip
            value = row[col[name]]
            assert (None if value is None else cents(value)) == d[key], (d["coop"], name)
        assert row[col["Alertes"]] == len(d["alerts"])
    assert seen == set(by_coop)
    assert by_coop["0042"]["status"] == "missing" and by_coop["0003"]["status"] == "refused_newer"
    for sheet, sens in (("Charges", "6"), ("Produits", "7")):
        m = wb[sheet]
        head = [c.value for c in m[1]]
        for row in m.iter_rows(min_row=2, values_only=True):
            if row[0] == "Total":
                for code, total in data["totals"]["chapitres"].items():
                    if code.startswith(sens):
                        assert cents(row[next(i for i, h in enumerate(head) if h.startswith(code))]) == total
                continue
            for code, amount in by_coop[row[0]]["chapitres"].items():
                if code.startswith(sens):
                    assert cents(row[next(i for i, h in enumerate(head) if h.startswith(code))]) == amount
            assert cents(row[-1]) == by_coop[row[0]]["charges" if sens == "6" else "produits"]
        assert m.freeze_panes == "C2" and m.auto_filter.ref
    alerts = [r for r in wb["Alertes"].iter_rows(min_row=2, values_only=True)]
    assert [(r[0], r[2], r[3]) for r in alerts] == [(a["coop"], a["titre"], a["code"]) for a in data["alerts"]]
    missing = [r[0] for r in wb["Manquantes"].iter_rows(min_row=2, values_only=True)]
    assert missing == ["0042"]
    with zipfile.ZipFile(out) as z:
        assert sum(n.startswith("xl/charts/chart") for n in z.namelist()) == 2


# --------------------------------------------------------------------------- formula injection


def _all_cells(path: Path) -> list[Any]:
    wb = openpyxl.load_workbook(path)  # formulas as formulas
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def test_teacher_text_is_never_a_formula(world: World, tmp_path: Path) -> None:
    crf = write_crf(world.store, "0004", EXERCICE, tmp_path / "crf.xlsx")
    cons = write_consolidation(world.store, tmp_path / "cons.xlsx", exercice=EXERCICE)
    for path, wanted in ((crf, {INJECTED_LABEL, INJECTED_ACTION}), (cons, {INJECTED_NAME})):
        cells = _all_cells(path)
        found = {c.value for c in cells if c.value in wanted}
        assert found == wanted, path.name
        for c in cells:
            if c.value in wanted:
                assert c.data_type == "s", (path.name, c.coordinate, c.value)
        formulas = [c.value for c in cells if c.data_type == "f"]
        ours = re.compile(r'=HYPERLINK\("file:///[^"]*/report\.json","ouvrir"\)')  # the « Rapport » links
        injected = [f for f in formulas if not ours.fullmatch(f)]
        assert formulas and not [f for f in injected if "HYPERLINK" in f or "SUM(1)" in f or "Pasteur" in f]
    crf_text = [c.value for c in _all_cells(crf) if isinstance(c.value, str)]
    assert any(INJECTED_NAME in v for v in crf_text)  # the school's name in the heading, as text


# --------------------------------------------------------------------------- roster and CLI


@pytest.mark.parametrize(
    ("content", "expected_rows"),
    [
        (b"coop,nom\n0001,A\n0002,B\n", [("0001", "A"), ("0002", "B")]),
        (b"\xef\xbb\xbfCoop;Nom\r\n0001;\xc3\x89cole A\r\n\r\n0002;B\r\n", [("0001", "École A"), ("0002", "B")]),
        (b"nom;coop\nA;0001\n", [("0001", "A")]),
        (b"coop\n0001\n0001\n", [("0001", None)]),
        ("coop;nom\n0001;École\n".encode("cp1252"), [("0001", "École")]),
    ],
)
def test_read_roster(tmp_path: Path, content: bytes, expected_rows: list[tuple[str, str | None]]) -> None:
    path = tmp_path / "coops.csv"
    path.write_bytes(content)
    assert read_roster(path) == expected_rows


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"numero_ecole;nom\n1;A\n", "n'a pas de colonne « coop »"),
        (b"", "Liste des coopératives vide"),
        (b"coop;nom;commune\n", "n'a que sa ligne d'en-tête, aucune coopérative"),  # it was read as no roster
        (b"coop\n../etc\n", "ligne 2, numéro invalide « ../etc »"),
        (b"PK\x03\x04\x00\x00binary", "n'est pas un fichier CSV"),
    ],
)
def test_bad_roster(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "coops.csv"
    path.write_bytes(content)
    with pytest.raises(BilanError, match=message):
        read_roster(path)


def test_cli_bilan(world: World, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "crf.xlsx"
    ok = runner.invoke(main, ["bilan", "--store", world.store.url, "--coop", "0001", "-o", str(out)])
    assert ok.exit_code == 0, ok.output
    assert out.is_file() and f"Compte-rendu financier de la coopérative 0001 ({EXERCICE})" in ok.stderr
    as_json = runner.invoke(main, ["bilan", "--store", world.store.url, "--coop", "0001", "--format", "json"])
    data = json.loads(as_json.stdout)
    assert data["chapitres"] == expected(world.books["0001"]).chapitres and data["ecart_bilan"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bilan", "--coop", "0999", "-o", "x.xlsx"], "Erreur : La coopérative 0999 n'a rien envoyé : aucune version dans le dépôt"),
        (["bilan", "--coop", "../x", "-o", "x.xlsx"], "Erreur : Numéro de coopérative invalide : '../x'"),
        (["bilan", "--coop", "0001", "--exercice", "2000-2001", "-o", "x.xlsx"],
         "Erreur : La coopérative 0001 n'a aucune version acceptée pour l'exercice 2000-2001."),
        (["consolidate", "--roster", "absent.csv", "-o", "x.xlsx"], "Erreur : Liste des coopératives illisible : absent.csv"),
        (["bilan", "--coop", "0001"], "indiquez le classeur à écrire avec -o FICHIER.xlsx"),
    ],
)  # fmt: skip
def test_cli_bad_input(
    world: World, args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, [*args, "--store", world.store.url])
    assert result.exit_code in (1, 2) and message in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (tmp_path / "x.xlsx").exists()


def test_cli_empty_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["consolidate", "--store", str(tmp_path / "vide"), "-o", str(tmp_path / "c.xlsx")]
    )
    assert result.exit_code == 1
    assert result.output.startswith(f"Erreur : Aucun dépôt à l'adresse {tmp_path / 'vide'} : vérifiez --store")
    assert not (tmp_path / "c.xlsx").exists()


# --------------------------------------------------------------------------- LibreOffice


@pytest.mark.libreoffice
def test_template_crf_sheet_equals_the_bilan(world: World, tmp_path: Path) -> None:
    """The cahier's own CRF sheet, recalculated by LibreOffice, shows the bilan's figures to the cent."""
    crf = crf_from_store(world.store, "0002")
    wb = openpyxl.load_workbook(convert(world.files["0002"], "xlsx", tmp_path), data_only=True)

    def named(name: str) -> int | None:
        sheet, ref = next(iter(wb.defined_names[name].destinations))
        value = wb[sheet][ref.replace("$", "")].value
        return None if value in (None, "") else cents(value)

    ours = {f"crf_{c.code}": c.montant for c in crf.postes}
    ours |= {
        "crf_total_charges": crf.charges, "crf_total_produits": crf.produits, "crf_resultat": crf.resultat,
        "crf_report_banque": crf.report_banque, "crf_report_caisse": crf.report_caisse,
        "crf_banque_recettes": crf.banque_recettes, "crf_banque_depenses": crf.banque_depenses,
        "crf_caisse_recettes": crf.caisse_recettes, "crf_caisse_depenses": crf.caisse_depenses,
        "crf_banque_fin": crf.banque_fin, "crf_caisse_fin": crf.caisse_fin, "crf_ecart_bilan": crf.ecart_bilan,
        "crf_releve": crf.releve_31_08, "crf_non_pointe_recettes": crf.non_pointe_recettes,
        "crf_non_pointe_depenses": crf.non_pointe_depenses, "crf_ecart_rapprochement": crf.ecart_rapprochement,
        "crf_caisse_comptee": crf.caisse_comptee, "crf_ecart_caisse": crf.ecart_caisse,
        "crf_subventions_journal": crf.subventions_journal, "crf_subventions_feuille": crf.subventions_feuille,
    }  # fmt: skip
    assert set(ours) <= set(crf_names())
    assert {name: named(name) for name in ours} == ours


@pytest.mark.libreoffice
@pytest.mark.parametrize("which", ["crf", "consolidation"])
def test_outputs_open_and_render_in_libreoffice(world: World, roster: Path, tmp_path: Path, which: str) -> None:
    if which == "crf":
        path = write_crf(world.store, "0003", EXERCICE, tmp_path / "crf.xlsx")
        pages = 12  # a page a sheet (the CRA's included), and the Journal's 45 lines on three
    else:
        path = write_consolidation(world.store, tmp_path / "consolidation.xlsx", roster=roster, exercice=EXERCICE)
        pages = 10  # « Coopératives » three pages wide, « CRA et quitus » one
    # recalculated by LibreOffice, the live totals equal the values we wrote
    ours = _values(path)
    theirs = _values(convert(path, "xlsx", tmp_path / "lo"))
    assert ours.sheetnames == theirs.sheetnames
    for ws in ours.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                other = theirs[ws.title][cell.coordinate].value
                if isinstance(cell.value, float | int):
                    assert other == pytest.approx(cell.value, abs=0.001), (ws.title, cell.coordinate)
                elif isinstance(cell.value, str):
                    assert other == cell.value, (ws.title, cell.coordinate)
    pdf = convert(path, "pdf", tmp_path / "pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == pages
    assert all(p.stat().st_size > 5_000 for p in pngs)
