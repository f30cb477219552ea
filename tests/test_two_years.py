"""Two exercices in one store (issue 12, item 4): last year's figures (N−1) beside this year's in the CRF and in the
consolidation, the alert when a cooperative's opening balances are not last year's closing ones, and the commands'
choice of exercice (default: the latest with an accepted version; ``--exercice`` to choose).

The store is built as the watcher would fill it: real cahiers (``sample_book`` written into the real template),
checked and stored by ``ingest_bytes``. Year 2 (2026-2027) opens where year 1 (2025-2026) closed — the bank at
31 August, the cash counted then — except for one cooperative whose bank opens 100,00 € higher. Its year-2 cahier
is stored before its year-1 one (a late CRF), so that no ingest-time continuity check can refuse it: the
consolidation must still raise the alert from the stored figures. The expected N−1 figures are those of the
year-1 consolidation and CRFs, computed from the same store by the year-1 path.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from store_helpers import filled_bytes

from workbook_tools.bilan import closing_balances, crf_from_store
from workbook_tools.cli import main
from workbook_tools.consolidation import consolidate
from workbook_tools.consolidation_workbook import write_consolidation_workbook
from workbook_tools.crf import write_crf
from workbook_tools.fill import Book, Line
from workbook_tools.ingest import ingest_bytes
from workbook_tools.model import Code, Totals
from workbook_tools.sample import sample_book
from workbook_tools.store import Store
from workbook_tools.text import euros
from workbook_tools.validate import check_file

YEAR1, YEAR2 = "2025-2026", "2026-2027"
CONTINUOUS = ("0001", "0002", "0003")
OFF = "0004"  # its year-2 bank opens 100,00 € above its year-1 closing
GONE = "0005"  # sent year 1, nothing yet for year 2
OFF_BY = 10_000
SAVED_Y1 = dt.datetime(2026, 9, 15, 18, 0, tzinfo=dt.UTC).timestamp()  # before the year-1 deadline: never late
SAVED_Y2 = dt.datetime(2026, 11, 20, 18, 0, tzinfo=dt.UTC).timestamp()


def cents(value: Any) -> int:
    return int((Decimal(str(value)) * 100).to_integral_value())


def _d(value: int) -> Decimal:
    return (Decimal(value) / 100).quantize(Decimal("0.01"))


def checked_totals(data: bytes, coop: str) -> Totals:
    """The figures the check computes for a cahier, without any store."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cahier.xlsx"
        path.write_bytes(data)
        report = check_file(path, expected_coop=coop).to_report(file=path.name)
    assert report.errors == 0, [f.message for f in report.findings]
    assert report.totals is not None
    return report.totals


def next_year(closed: Totals, coop: str, seed: int, *, bank_off: int = 0) -> Book:
    """A realistic 2026-2027 book opening with last year's closing balances (+ ``bank_off`` in the bank): a sample
    year whose opening balances are moved there, the statement and the cash count moved with them; when the
    cash opens lower than the sample's, a withdrawal on 1 September keeps the cash box above zero."""
    book = sample_book(coop=coop, exercice=YEAR2, lines=40, seed=seed)
    bank0, cash0 = cents(book.params["report_banque"]), cents(book.params["report_caisse"])
    bank, cash = closing_balances(closed)
    bank += bank_off
    moved = bank - bank0  # how far the bank's path moves
    if cash < cash0:
        top_up = _d(cash0 - cash)
        withdrawal = Line(dt.date(2026, 9, 1), "Retrait d'espèces pour la caisse", banque_depense=top_up,
                          caisse_recette=top_up, mode="ESP", pointe="x")  # fmt: skip
        book.lines.insert(0, withdrawal)
        moved -= cash0 - cash
    else:
        counted = sum(face * n for face, n in book.caisse.items()) + cash - cash0
        from workbook_tools.sample import _count_cash

        book.caisse = _count_cash(counted)
    book.params["report_banque"], book.params["report_caisse"] = _d(bank), _d(cash)
    book.params["releve_31_08"] = _d(cents(book.params["releve_31_08"]) + moved)
    return book


@dataclass
class TwoYears:
    store: Store
    closed: dict[str, Totals]  # each cooperative's year-1 figures, as the check computed them
    outputs: Path  # the teacher-side answers to 0001's year-2 cahier (its CRF among them)


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> TwoYears:
    root = tmp_path_factory.mktemp("two-years")
    store = Store(str(root / "store"))
    seeds = {coop: n for n, coop in enumerate((*CONTINUOUS, OFF, GONE), start=1)}
    year1 = {
        coop: filled_bytes(sample_book(coop=coop, exercice=YEAR1, lines=40, seed=seed)) for coop, seed in seeds.items()
    }
    closed = {coop: checked_totals(data, coop) for coop, data in year1.items()}
    year2 = {
        coop: filled_bytes(next_year(closed[coop], coop, seeds[coop] + 100, bank_off=OFF_BY if coop == OFF else 0))
        for coop in (*CONTINUOUS, OFF)
    }
    # the late year-1 CRF of OFF arrives after its year-2 cahier: nothing to compare with at its ingest
    assert ingest_bytes(year2[OFF], "cahier-2026-2027.xlsx", OFF, store, source_mtime=SAVED_Y2).accepted
    for coop, data in year1.items():
        assert ingest_bytes(data, "cahier-2025-2026.xlsx", coop, store, source_mtime=SAVED_Y1).accepted
    outputs = root / "inbox" / "0001"
    outputs.mkdir(parents=True)
    for coop in CONTINUOUS:
        folder = outputs if coop == "0001" else None
        outcome = ingest_bytes(year2[coop], "cahier-2026-2027.xlsx", coop, store, source_mtime=SAVED_Y2, outputs=folder)
        assert outcome.accepted, [f.message for f in outcome.report.findings]
    return TwoYears(store, closed, outputs)


# --------------------------------------------------------------------------- consolidation


@pytest.mark.slow  # the two-year store: about ten real cahiers written and checked
def test_consolidation_shows_last_years_accepted_figures(two_years: TwoYears) -> None:
    now = consolidate(two_years.store)  # default: the latest exercice with an accepted version
    before = consolidate(two_years.store, YEAR1)
    assert (now.exercice, now.exercice_precedent, before.exercice) == (YEAR2, YEAR1, YEAR1)
    rows_before = {r.coop: r for r in before.rows}
    assert sorted(r.coop for r in now.rows) == sorted(rows_before)  # GONE is listed: it sent last year
    for r in now.rows:
        assert now.figures_precedent(r) == before.figures(rows_before[r.coop]), r.coop
        assert r.precedent is not None and r.precedent.totals.chapitres == rows_before[r.coop].totals.chapitres  # type: ignore[union-attr]
        if r.coop == GONE:
            assert r.status == "missing" and now.variation(r) == dict.fromkeys(now.variation(r))
            assert r.nom is not None and r.nom == rows_before[GONE].nom  # named from last year's report
        else:
            assert {k: now.figures(r)[k] - now.figures_precedent(r)[k] for k in now.variation(r)} == now.variation(r)  # type: ignore[operator]
    totals, totals_before = now.totals(), before.totals()
    for key in ("ouverture", "produits", "charges", "resultat", "cloture"):
        assert totals["precedent"][key] == totals_before[key], key
        assert totals["variation"][key] == totals[key] - totals_before[key], key
    assert {k: v for k, v in totals["precedent"]["chapitres"].items() if v} == {
        k: v for k, v in totals_before["chapitres"].items() if v
    }
    assert totals["precedent"]["cooperatives"] == len(before.rows) == 5
    # last year's consolidation has no year before it: no N−1 figures, no alert about it
    assert not before.has_precedent and all(r.precedent is None for r in before.rows)
    assert before.totals()["precedent"]["cooperatives"] == 0


@pytest.mark.slow  # the two-year store: about ten real cahiers written and checked
def test_one_alert_per_discontinuity_with_both_figures(two_years: TwoYears) -> None:
    now = consolidate(two_years.store)
    code = Code.REPORT_DISCONTINUITY.value
    alerts = [a for a in now.alerts if a.code == code]
    assert [a.coop for a in alerts] == [OFF]
    closing = two_years.closed[OFF].banque_fin
    message = alerts[0].message
    assert euros(closing) in message and euros(closing + OFF_BY) in message and "+100,00 €" in message
    assert "banque" in message and "caisse" not in message
    assert alerts[0].titre == Code.REPORT_DISCONTINUITY.titre
    row = next(r for r in now.rows if r.coop == OFF)
    assert [(d.compte, d.cloture, d.report, d.ecart) for d in row.discontinuites] == [
        ("banque", closing, closing + OFF_BY, OFF_BY)
    ]


@pytest.mark.slow  # the two-year store: about ten real cahiers written and checked
def test_consolidation_json_and_workbook_show_n1(two_years: TwoYears, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["consolidate", "--store", str(two_years.store.url), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    before = json.loads(
        runner.invoke(
            main, ["consolidate", "--store", str(two_years.store.url), "--format", "json", "--exercice", YEAR1]
        ).stdout
    )
    assert (data["exercice"], data["exercice_precedent"], before["exercice"]) == (YEAR2, YEAR1, YEAR1)
    by_coop_before = {d["coop"]: d for d in before["cooperatives"]}
    for d in data["cooperatives"]:
        b = by_coop_before[d["coop"]]
        assert {k: d["precedent"][k] for k in ("ouverture", "produits", "charges", "resultat", "cloture")} == {
            k: b[k] for k in ("ouverture", "produits", "charges", "resultat", "cloture")
        }
        assert (d["discontinuites"] != []) == (d["coop"] == OFF)
    assert [a["coop"] for a in data["alerts"] if a["code"] == "REPORT_DISCONTINUITY"] == [OFF]
    assert data["totals"]["precedent"]["cloture"] == before["totals"]["cloture"]

    out = write_consolidation_workbook(consolidate(two_years.store), tmp_path / "departement.xlsx")
    wb = openpyxl.load_workbook(out, data_only=True)
    assert wb.sheetnames == [
        "Synthèse", "Coopératives", "Évolution", "Charges", "Produits", "Alertes", "Manquantes", "CRA et quitus"
    ]  # fmt: skip
    ws = wb["Évolution"]
    header = [c.value for c in ws[1]]
    col = {h: i for i, h in enumerate(header)}
    seen = set()
    for row in ws.iter_rows(min_row=2, values_only=True):
        if row[0] == "Total":
            for key, label in (("produits", "Produits"), ("cloture", "Disponible au 31/08")):
                assert cents(row[col[f"{label}\n{YEAR1}"]]) == before["totals"][key]
                assert cents(row[col[f"{label}\n{YEAR2}"]]) == data["totals"][key]
            assert cents(row[col["Variation du disponible"]]) == data["totals"]["variation"]["cloture"]
            break
        d = by_coop_before[row[0]]
        seen.add(row[0])
        for key, label in (("produits", "Produits"), ("charges", "Charges"), ("resultat", "Résultat"),
                           ("cloture", "Disponible au 31/08")):  # fmt: skip
            assert cents(row[col[f"{label}\n{YEAR1}"]]) == d[key], (row[0], label)
    assert seen == set(by_coop_before)
    synthese = [[c.value for c in r] for r in wb["Synthèse"].iter_rows()]
    dispo = next(r for r in synthese if r[0] == "Disponible au 31 août (banque + caisse)")
    assert (cents(dispo[3]), cents(dispo[4])) == (data["totals"]["cloture"], before["totals"]["cloture"])
    alerts = [r for r in wb["Alertes"].iter_rows(min_row=2, values_only=True) if r[3] == "REPORT_DISCONTINUITY"]
    assert [r[0] for r in alerts] == [OFF] and "+100,00 €" in alerts[0][4]


# --------------------------------------------------------------------------- CRF


def _chapters(ws: Any, *, n1: bool) -> dict[str, int]:
    """Each chapter's amount in the CRF sheet: this year's (columns C/D) or last year's (E/F), in cents."""
    out = {}
    for row in ws.iter_rows(min_row=1, max_col=6, values_only=True):
        code = row[0]
        if isinstance(code, str) and code.isdigit() and len(code) == 4:
            pair = (row[4], row[5]) if n1 else (row[2], row[3])
            out[code] = cents(next((v for v in pair if v is not None), 0))
    return out


def _bilan(ws: Any, col: int) -> dict[str, int]:
    labels = {"Report à nouveau banque": "rb", "Report à nouveau caisse": "rc", "+ Résultat": "res",
              "Banque au 31 août": "bf", "Caisse au 31 août": "cf", "= Disponible": "dispo"}  # fmt: skip
    out = {}
    for row in ws.iter_rows(min_row=1, max_col=6, values_only=True):
        for start, key in labels.items():
            if isinstance(row[0], str) and row[0].startswith(start):
                out[key] = cents(row[col])
    return out


@pytest.mark.slow  # the two-year store: about ten real cahiers written and checked
def test_crf_shows_last_years_figures_per_chapter_and_in_the_bilan(two_years: TwoYears, tmp_path: Path) -> None:
    store = two_years.store
    crf = crf_from_store(store, "0001")  # default: the latest exercice with an accepted version
    assert crf.exercice == YEAR2 and crf.precedent is not None and crf.precedent.exercice == YEAR1
    year1 = crf_from_store(store, "0001", YEAR1)
    assert year1.precedent is None
    assert crf.precedent.totals.chapitres == {k: v for k, v in year1.chapitres.items()}
    assert crf.discontinuites == []

    now = openpyxl.load_workbook(write_crf(store, "0001", None, tmp_path / "n.xlsx"), data_only=True)["CRF"]
    then = openpyxl.load_workbook(write_crf(store, "0001", YEAR1, tmp_path / "n1.xlsx"), data_only=True)["CRF"]
    assert [c.value for c in now[next(r for r in range(1, 12) if now.cell(r, 1).value == "Chapitre")]][:6] == [
        "Chapitre", "Libellé", f"Charges\n{YEAR2}", f"Produits\n{YEAR2}", f"Charges\n{YEAR1}", f"Produits\n{YEAR1}",
    ]  # fmt: skip
    assert _chapters(now, n1=True) == _chapters(then, n1=False)
    assert _chapters(now, n1=False) == {p.code: p.montant for p in crf.postes}
    assert _bilan(now, 5) == _bilan(then, 3)  # the N−1 column of the bilan is last year's bilan
    assert _bilan(now, 3)["rb"] == _bilan(then, 3)["bf"] and _bilan(now, 3)["rc"] == _bilan(then, 3)["cf"]
    texts = [c.value for row in now.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t.startswith(f"Colonnes {YEAR1} : chiffres de la version acceptée") for t in texts)
    first_year = [c.value for row in then.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t.startswith("Pas de colonnes 2024-2025 : le dépôt") for t in first_year)
    header = next(r for r in then.iter_rows(max_col=6, values_only=True) if r[0] == "Chapitre")
    assert header == ("Chapitre", "Libellé", "Charges", "Produits", None, None)  # no N−1 columns

    data = crf_from_store(store, OFF).to_dict()
    assert data["precedent"]["banque_fin"] == two_years.closed[OFF].banque_fin
    assert data["discontinuites"] == [
        {"compte": "banque", "cloture": two_years.closed[OFF].banque_fin,
         "report": two_years.closed[OFF].banque_fin + OFF_BY, "ecart": OFF_BY}
    ]  # fmt: skip


@pytest.mark.slow  # the two-year store: about ten real cahiers written and checked
def test_the_crf_the_ingest_writes_has_the_n1_columns(two_years: TwoYears) -> None:
    crf = two_years.outputs / "cahier-2026-2027.crf.xlsx"
    ws = openpyxl.load_workbook(crf, data_only=True)["CRF"]
    year1 = crf_from_store(two_years.store, "0001", YEAR1)
    assert _chapters(ws, n1=True) == {p.code: p.montant for p in year1.postes}


# --------------------------------------------------------------------------- the commands' exercice


def _cli(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.mark.slow  # the two-year store: about ten real cahiers written and checked
def test_commands_choose_the_latest_exercice_with_data_or_the_one_asked(two_years: TwoYears) -> None:
    url = str(two_years.store.url)
    bilan = json.loads(_cli("bilan", "--store", url, "--coop", "0002", "--format", "json").stdout)
    assert bilan["exercice"] == YEAR2 and bilan["precedent"]["exercice"] == YEAR1
    asked = json.loads(_cli("bilan", "--store", url, "--coop", "0002", "--exercice", YEAR1, "--format", "json").stdout)
    assert asked["exercice"] == YEAR1 and asked["precedent"] is None
    gone = json.loads(_cli("bilan", "--store", url, "--coop", GONE, "--format", "json").stdout)
    assert gone["exercice"] == YEAR1  # its latest exercice with an accepted version
    none = _cli("bilan", "--store", url, "--coop", GONE, "--exercice", YEAR2, "--format", "json")
    assert none.exit_code == 1 and "aucune version acceptée pour l'exercice 2026-2027" in none.stderr

    history = _cli("history", "--store", url, "--coop", OFF)
    assert history.exit_code == 0
    lines = history.stdout.splitlines()
    exercices = [e for line in lines[1:3] for e in (YEAR1, YEAR2) if e in line]
    assert exercices == [YEAR1, YEAR2]  # grouped by exercice, oldest first (YEAR2 was received first)
    assert lines[1].split()[0] == "2" and lines[2].split()[0] == "1"  # numbers stay those of « cahier restore »
    assert f"Exercice {YEAR1} : accepté." in lines and f"Exercice {YEAR2} : accepté." in lines
    only = _cli("history", "--store", url, "--coop", OFF, "--exercice", YEAR2, "--format", "json")
    assert [v["exercice"] for v in json.loads(only.stdout)] == [YEAR2]
    missing = _cli("history", "--store", url, "--coop", GONE, "--exercice", YEAR2)
    assert missing.exit_code == 1 and "aucun cahier de l'exercice 2026-2027" in missing.stderr
    bad = _cli("consolidate", "--store", url, "--exercice", "2026", "--format", "json")
    assert bad.exit_code == 1 and "Exercice mal écrit" in bad.stderr


def test_the_default_exercice_is_the_latest_with_an_accepted_version(tmp_path: Path) -> None:
    """Year 2 only refused so far: the CRF and the consolidation stay on year 1 until year 2 has an accepted version."""
    import pandas as pd
    from store_helpers import report

    journal = pd.DataFrame(
        {"row": [4], "date": pd.to_datetime(["2025-09-15"]), "libelle": ["Cotisations"], "banque_recette": [15000],
         "banque_depense": [0], "pointe": ["x"]}
    )  # fmt: skip
    store = Store(str(tmp_path / "store"))
    store.submit("0001", "a.xlsx", b"A", report(exercice=YEAR1), journal)
    store.submit("0001", "b.xlsx", b"B", report(ok=False, exercice=YEAR2, errors=1), journal)
    assert consolidate(store).exercice == YEAR1 and crf_from_store(store, "0001").exercice == YEAR1
    refused = consolidate(store, YEAR2)  # asked for: year 2, where 0001 has only a refusal, and year 1 beside it
    assert refused.rows[0].status == "refused" and refused.rows[0].precedent is not None
    assert refused.totals()["precedent"]["produits"] == 2500 and refused.alerts[0].code == "REFUSEE"
    store.submit("0001", "c.xlsx", b"C", report(exercice=YEAR2), journal)
    assert consolidate(store).exercice == YEAR2 and crf_from_store(store, "0001").exercice == YEAR2
