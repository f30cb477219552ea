"""Issue 12, the year after: next year's cahier prepared from this year's accepted one (``cahier nouvel-exercice``),
the books continuous across years (REPORT_DISCONTINUITY, OUTSTANDING_DROPPED), the carried lines of « En attente »
counted in the rapprochement only, and the watcher's « prêt à remplir »."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from workbook_tools import layout as L
from workbook_tools.bilan import crf_from_store
from workbook_tools.cli import main as cli
from workbook_tools.continuity import NOT_CHECKED, from_store
from workbook_tools.continuity import check as check_continuity
from workbook_tools.exercice import Exercice
from workbook_tools.fill import Book, Line, write_cahier
from workbook_tools.ingest import ingest
from workbook_tools.model import Code, Severity
from workbook_tools.nouvel_exercice import NouvelExerciceError, Prepared, prepare_all, prepare_one, write
from workbook_tools.report import to_text
from workbook_tools.sample import sample_book
from workbook_tools.store import Store
from workbook_tools.validate import CheckResult, check_file

COOP = "0042"
Y1, Y2 = "2025-2026", "2026-2027"
DENOMINATIONS = L.DENOMINATIONS_CENTS


def _cents(value: Any) -> int:
    return int(Decimal(str(value)) * 100)


def _count_cash(cents: int) -> dict[int, int]:
    counts: dict[int, int] = {}
    for face in DENOMINATIONS:
        n, cents = divmod(cents, face)
        if n:
            counts[face] = n
    return counts


def year_one(**kwargs: Any) -> Book:
    """A teacher's accepted year: a realistic book, its lines outstanding at 31 August as the sample leaves them (a
    deposit and a few cheques unticked), plus a cheque cleared on 3 September (ticked with that date: outstanding at
    31/08) and a durable good sold in the year (not carried)."""
    book = sample_book(coop=COOP, exercice=Y1, lines=80, seed=3, **kwargs)
    late = Line(dt.date(2026, 8, 28), "Car sortie de fin d'année", banque_depense=Decimal("312.40"), chapitre="6180",
                piece="C099", mode="CHQ", cheque="7654321", pointe=dt.date(2026, 9, 3))  # fmt: skip
    book.lines.append(late)  # not on the statement of 31 August: the statement balance stays as it is
    book.inventaire.append({"date": dt.date(2022, 10, 3), "piece": "D07", "designation": "Ancien magnétophone",
                            "valeur": Decimal("120.00"), "date_sortie": dt.date(2026, 3, 1), "motif": "Hors d'usage"})  # fmt: skip
    return book


def outstanding_lines(book: Book) -> list[Line]:
    end = Exercice.parse(book.params["exercice"]).end
    return [
        line
        for line in book.lines
        if (line.banque_recette or line.banque_depense)
        and (line.pointe is None or (isinstance(line.pointe, dt.date) and line.pointe > end))
    ]


@pytest.fixture
def stored_year(tmp_path: Path) -> tuple[Store, Book, CheckResult]:
    book = year_one()
    path = write_cahier(book, tmp_path / "y1" / "cahier-2025-2026.xlsx")
    store = Store(str(tmp_path / "store"))
    outcome = ingest(path, COOP, store)
    assert outcome.accepted, to_text(outcome.result) if outcome.result else outcome.message()
    assert outcome.result is not None
    return store, book, outcome.result


def year_two(prepared: Path, before: CheckResult, target: Path, *, seed: int = 11, report_off: int = 0,
             tick: dict[int, str | dt.date] | None = None, statement_true: bool = False) -> Path:  # fmt: skip
    """Year 2 typed into the prepared cahier: a realistic book whose opening balances are the prepared ones (the
    statement and the cash count follow), the carried lines ticked (by default: all, with September dates).
    ``statement_true``: the statement of 31 August 2027 leaves out the carried lines still outstanding then (else it
    shows them all cleared)."""
    t = before.totals
    assert t is not None
    banque, caisse = t.banque_fin, t.caisse_comptee if t.caisse_comptee is not None else t.caisse_fin
    # a year whose own opening cash is not above the carried one, so that the cash box never goes below zero
    book = next(
        b for s in range(seed, seed + 200)
        if _cents((b := sample_book(coop=COOP, exercice=Y2, lines=60, seed=s)).params["report_caisse"]) <= caisse
    )  # fmt: skip
    own_bank, own_cash = _cents(book.params["report_banque"]), _cents(book.params["report_caisse"])
    # the statement follows the opening typed (even one ``report_off`` wrong): the year itself is consistent, only
    # its start differs from last year's end
    releve = _cents(book.params["releve_31_08"]) - own_bank + banque + report_off
    counted = sum(face * n for face, n in book.caisse.items()) - own_cash + caisse
    book = copy.deepcopy(book)
    del book.params["report_banque"], book.params["report_caisse"]
    if report_off:
        book.params["report_banque"] = Decimal(banque + report_off) / 100
    book.params["releve_31_08"] = Decimal(releve) / 100
    book.caisse = _count_cash(counted)
    book.inventaire = []  # the carried inventory stays as prepared
    carried = attente_rows(prepared)
    assert carried
    ticks = tick if tick is not None else {n: dt.date(2026, 9, 2 + n % 20) for n in range(len(carried))}
    book.attente_ticks = ticks
    if statement_true:
        end = Exercice.parse(Y2).end
        for n, row in enumerate(carried):
            mark = ticks.get(n)
            if mark is None or (isinstance(mark, dt.date) and mark > end):
                releve += round((row[7] or 0) * 100) - round((row[6] or 0) * 100)
        book.params["releve_31_08"] = Decimal(releve) / 100
    return write_cahier(book, target, template=prepared)


def attente_rows(path: Path) -> list[tuple[Any, ...]]:
    ws = openpyxl.load_workbook(path)[L.SHEET_ATTENTE]
    rows = []
    for r in range(L.TABLE_FIRST_ROW, L.TABLE_FIRST_ROW + L.ATTENTE_ROWS):
        values = tuple(ws.cell(r, c).value for c in range(1, len(L.ATTENTE_COLUMNS) + 1))
        if any(v is not None for v in values[1:]):
            rows.append(values)
    return rows


# --------------------------------------------------------------------------- one cooperative


def test_prepared_cahier_starts_where_the_year_ended(
    stored_year: tuple[Store, Book, CheckResult], tmp_path: Path
) -> None:
    store, book, year1 = stored_year
    t = year1.totals
    assert t is not None and t.caisse_comptee is not None
    path, prepared = prepare_one(store, COOP, tmp_path / "next.xlsx")
    assert prepared.exercice == Exercice(2026)
    wb = openpyxl.load_workbook(path)
    params = wb[L.SHEET_PARAMS]
    for name in ("coop_numero", "coop_nom", "coop_commune", "coop_mandataire"):
        assert params.cell(L.PARAMS_BY_NAME[name].row, 2).value == book.params[name], name
    assert params.cell(L.PARAMS_BY_NAME["exercice"].row, 2).value == Y2
    assert round(params.cell(L.PARAMS_BY_NAME["report_banque"].row, 2).value * 100) == t.banque_fin
    assert round(params.cell(L.PARAMS_BY_NAME["report_caisse"].row, 2).value * 100) == t.caisse_comptee
    assert params.cell(L.PARAMS_BY_NAME["releve_31_08"].row, 2).value is None
    # the lines outstanding at 31 August, unticked, in « En attente »; none in the Journal
    expected = sorted(
        (line.libelle, line.cheque, line.banque_recette, line.banque_depense) for line in outstanding_lines(book)
    )
    rows = attente_rows(path)
    got = sorted((r[4], r[5], r[6] and Decimal(str(r[6])).quantize(Decimal("0.01")),
                  r[7] and Decimal(str(r[7])).quantize(Decimal("0.01"))) for r in rows)  # fmt: skip
    assert got == [(lib, chq, rec and Decimal(str(rec)), dep and Decimal(str(dep))) for lib, chq, rec, dep in expected]
    assert "Car sortie de fin d'année" in {r[4] for r in rows}  # ticked on 3 September: outstanding at 31/08
    assert all(r[0] is None for r in rows)
    assert len(expected) >= 3
    # the inventory, without the good disposed of
    inventaire = [c.value for c in wb[L.SHEET_INVENTAIRE]["C"][L.TABLE_FIRST_ROW - 1 :] if c.value]
    assert inventaire == [b["designation"] for b in book.inventaire if not b.get("date_sortie")]
    # as it stands, the prepared cahier reads without a mistake, its carried lines outstanding in the rapprochement
    result = check_file(path)
    assert result.errors == 0, to_text(result)
    assert result.totals is not None and result.totals.report_banque == t.banque_fin
    assert result.totals.attente_depenses == sum(_cents(line.banque_depense) for line in outstanding_lines(book)
                                                 if line.banque_depense)  # fmt: skip
    assert result.totals.charges == result.totals.produits == 0


def test_cash_not_counted_is_the_books_cash_with_a_note(tmp_path: Path) -> None:
    book = year_one()
    book.caisse = {}
    store = Store(str(tmp_path / "store"))
    outcome = ingest(write_cahier(book, tmp_path / "y1.xlsx"), COOP, store)
    assert outcome.accepted and outcome.result is not None and outcome.result.totals is not None
    path, prepared = prepare_one(store, COOP, tmp_path / "next.xlsx")
    assert prepared.report_caisse == outcome.result.totals.caisse_fin
    note = openpyxl.load_workbook(path)[L.SHEET_PARAMS].cell(L.PARAMS_BY_NAME["report_caisse"].row, 3).value
    assert "personne ne l'avait comptée" in note


@pytest.mark.usefixtures("stored_year")
def test_refusals_in_french(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "next.xlsx"
    missing = runner.invoke(
        cli, ["nouvel-exercice", "--store", str(tmp_path / "store"), "--coop", "0043", "-o", str(out)]
    )
    assert missing.exit_code == 1 and "Aucune coopérative 0043 dans le dépôt" in missing.output and not out.exists()
    malformed = runner.invoke(
        cli, ["nouvel-exercice", "--store", str(tmp_path / "store"), "--coop", "69 001", "-o", str(out)]
    )
    assert malformed.exit_code == 1 and "Numéro de coopérative invalide" in malformed.output and not out.exists()
    zeros = runner.invoke(cli, ["nouvel-exercice", "--store", str(tmp_path / "store"), "--coop", "00" + COOP, "-o",
                                str(tmp_path / "zeros.xlsx")])  # fmt: skip
    assert zeros.exit_code == 0, zeros.output  # 000042 typed, 0042 stored: the same cooperative
    first = runner.invoke(cli, ["nouvel-exercice", "--store", str(tmp_path / "store"), "--coop", COOP, "-o", str(out)])
    assert first.exit_code == 0, first.output
    assert "Cahier 2026-2027 écrit" in first.output
    out.write_bytes(b"the teacher's own work")
    again = runner.invoke(cli, ["nouvel-exercice", "--store", str(tmp_path / "store"), "--coop", COOP, "-o", str(out)])
    assert again.exit_code == 1 and "existe déjà" in again.output and "--force" in again.output
    assert out.read_bytes() == b"the teacher's own work"
    forced = runner.invoke(cli, ["nouvel-exercice", "--store", str(tmp_path / "store"), "--coop", COOP, "-o", str(out),
                                 "--force"])  # fmt: skip
    assert forced.exit_code == 0 and out.read_bytes()[:2] == b"PK"
    usage = runner.invoke(cli, ["nouvel-exercice", "--store", str(tmp_path / "store"), "--all"])
    assert usage.exit_code == 2 and "--inbox" in usage.output


# --------------------------------------------------------------------------- continuity


@pytest.mark.slow
def test_discontinuity_and_dropped_line(stored_year: tuple[Store, Book, CheckResult], tmp_path: Path) -> None:
    store, _, year1 = stored_year
    prepared, _ = prepare_one(store, COOP, tmp_path / "prepared.xlsx")
    good = year_two(prepared, year1, tmp_path / "good.xlsx")
    result = check_file(good)
    assert result.errors == 0, to_text(result)
    check_continuity(result, None)
    assert NOT_CHECKED in to_text(result)
    check_continuity(result, store)
    assert result.ok and not [f for f in result.findings if f.code is Code.OUTSTANDING_DROPPED], to_text(result)
    assert "Continuité vérifiée" in to_text(result)

    off = check_file(year_two(prepared, year1, tmp_path / "off.xlsx", report_off=10_000))
    check_continuity(off, store)
    found = [f for f in off.findings if f.code is Code.REPORT_DISCONTINUITY]
    assert [f.cell for f in found] == [f"Paramètres!B{L.PARAMS_BY_NAME['report_banque'].row}"]
    assert found[0].severity is Severity.ERROR
    assert year1.totals is not None
    from workbook_tools.text import euros

    for figure in (year1.totals.banque_fin + 10_000, year1.totals.banque_fin, 10_000):
        assert euros(figure) in found[0].message, (euros(figure), found[0].message)

    # a carried line deleted from « En attente » (and not in the Journal): a warning
    wb = openpyxl.load_workbook(good)
    ws = wb[L.SHEET_ATTENTE]
    gone = ws.cell(L.TABLE_FIRST_ROW, 5).value
    ws.delete_rows(L.TABLE_FIRST_ROW)
    wb.save(tmp_path / "dropped.xlsx")
    dropped = check_file(tmp_path / "dropped.xlsx")
    check_continuity(dropped, store)
    lost = [f for f in dropped.findings if f.code is Code.OUTSTANDING_DROPPED]
    assert len(lost) == 1 and gone in lost[0].message and lost[0].cell == "En attente!A3"
    assert lost[0].severity is Severity.WARNING


def test_cli_check_store_option(stored_year: tuple[Store, Book, CheckResult], tmp_path: Path) -> None:
    store, _, year1 = stored_year
    prepared, _ = prepare_one(store, COOP, tmp_path / "prepared.xlsx")
    off = year_two(prepared, year1, tmp_path / "off.xlsx", report_off=10_000)
    runner = CliRunner()
    alone = runner.invoke(cli, ["check", str(off)])
    assert alone.exit_code == 0 and "non vérifiée" in alone.output
    checked = runner.invoke(cli, ["check", "--store", str(tmp_path / "store"), str(off)])
    assert checked.exit_code == 1 and "Paramètres!B8" in checked.output and "Continuité vérifiée" in checked.output
    nowhere = runner.invoke(cli, ["check", "--store", str(tmp_path / "nothing"), str(off)])
    assert nowhere.exit_code == 1 and "Aucun dépôt" in nowhere.output
    as_json = runner.invoke(cli, ["check", "--format", "json", "--store", str(tmp_path / "store"), str(off)])
    report = json.loads(as_json.output)
    assert report["continuity"].startswith("Continuité vérifiée")
    assert [f["cell"] for f in report["findings"] if f["code"] == "REPORT_DISCONTINUITY"] == ["Paramètres!B8"]
    assert json.loads(runner.invoke(cli, ["check", "--format", "json", str(off)]).output)["continuity"] == NOT_CHECKED


@pytest.mark.slow
def test_carried_lines_count_in_the_rapprochement_only(
    stored_year: tuple[Store, Book, CheckResult], tmp_path: Path
) -> None:
    store, book, year1 = stored_year
    prepared, _ = prepare_one(store, COOP, tmp_path / "prepared.xlsx")
    carried = outstanding_lines(book)
    everything = check_file(year_two(prepared, year1, tmp_path / "all.xlsx"))
    assert everything.ok, to_text(everything)
    t_all = everything.totals
    # the first carried line still outstanding at the end of year 2: unticked, or ticked after its 31 August
    for n, tick in enumerate((None, dt.date(2027, 9, 4))):
        ticks: dict[int, str | dt.date] = {i: dt.date(2026, 9, 10) for i in range(len(carried))}
        if tick is None:
            del ticks[0]
        else:
            ticks[0] = tick
        result = check_file(year_two(prepared, year1, tmp_path / f"late{n}.xlsx", tick=ticks))
        t = result.totals
        assert t is not None and t_all is not None
        first = attente_rows(prepared)[0]
        amount = round((first[6] or first[7]) * 100)
        side = "attente_recettes" if first[6] else "attente_depenses"
        assert getattr(t, side) == amount and getattr(t_all, side) == 0
        assert (t.charges, t.produits, t.chapitres) == (t_all.charges, t_all.produits, t_all.chapitres)
        codes = {f.code for f in result.findings if f.severity is Severity.ERROR}
        assert codes == {Code.RAPPROCHEMENT_MISMATCH}, to_text(result)  # the statement showed it cleared
    # a tick dated after 31 August typed as text: the sheet would read a mark
    text_tick = check_file(year_two(prepared, year1, tmp_path / "text.xlsx", tick={0: "04/09/2027"}))
    assert [f.cell for f in text_tick.findings if f.code is Code.TICK_TEXT] == ["En attente!A4"]


def test_crf_lists_the_carried_lines_still_outstanding(
    stored_year: tuple[Store, Book, CheckResult], tmp_path: Path
) -> None:
    """The CRF written by the tool lists a carried line still outstanding at 31 August in its rapprochement, and its
    listed lines add up to the figures the check found (the sheet sums that list)."""
    store, book, year1 = stored_year
    prepared, _ = prepare_one(store, COOP, tmp_path / "prepared.xlsx")
    ticks: dict[int, str | dt.date] = {i: dt.date(2026, 9, 10) for i in range(1, len(outstanding_lines(book)))}
    path = year_two(prepared, year1, tmp_path / "y2" / "cahier-2026-2027.xlsx", tick=ticks, statement_true=True)
    outcome = ingest(path, COOP, store)
    assert outcome.accepted, to_text(outcome.result) if outcome.result else outcome.message()
    crf = crf_from_store(store, COOP, Y2)
    carried = [op for op in crf.non_pointes if op.carried]
    first = attente_rows(prepared)[0]
    assert [(op.recette, op.depense) for op in carried] == [(_cents(first[6] or 0), _cents(first[7] or 0))]
    assert sum(op.recette for op in crf.non_pointes) == crf.non_pointe_recettes
    assert sum(op.depense for op in crf.non_pointes) == crf.non_pointe_depenses
    assert crf.ecart_rapprochement == 0


# --------------------------------------------------------------------------- « prêt à remplir »


def test_untouched_prepared_cahier_is_ready_not_stored(
    stored_year: tuple[Store, Book, CheckResult], tmp_path: Path
) -> None:
    store, _, year1 = stored_year
    folder = tmp_path / "inbox" / COOP
    prepared, _ = prepare_one(store, COOP, folder / "cahier-2026-2027.xlsx")
    before = len(store.history(COOP))
    outcome = ingest(prepared, COOP, store, outputs=folder)
    assert outcome.ready and not outcome.accepted and outcome.version is None
    assert outcome.message().startswith("PRÊT À REMPLIR")
    assert (folder / "cahier-2026-2027.statut.txt").read_text(encoding="utf-8").startswith("PRÊT À REMPLIR")
    assert len(store.history(COOP)) == before
    # once the teacher has saved lines in it, a cahier like any other
    filled = year_two(prepared, year1, folder / "cahier-2026-2027-oct.xlsx")
    outcome = ingest(filled, COOP, store, outputs=folder)
    assert outcome.accepted, outcome.message()
    assert len(store.history(COOP)) == before + 1


def test_blank_roster_cahier(tmp_path: Path) -> None:
    path = write(Prepared.blank(Exercice(2026), "69123", "École des Tilleuls"), tmp_path / "blank.xlsx")
    result = check_file(path)
    assert result.coop == "69123" and result.exercice == Y2
    assert {f.code for f in result.findings} == {Code.PARAM_MISSING}  # the opening balances: the teacher's to type
    assert from_store(Store(str(tmp_path / "none")), "69123") is None


# --------------------------------------------------------------------------- the department, in bulk


@pytest.mark.slow
def test_all_for_the_department(tmp_path: Path) -> None:
    """30 cooperatives in the store and a roster of 32 (the 30 and 2 that sent nothing): 32 cahiers, none overwritten on a second run, and the
    watcher answers every one « prêt à remplir » and stores none."""
    from workbook_tools.watcher.config import WatchConfig
    from workbook_tools.watcher.service import Watcher

    store = Store(str(tmp_path / "store"))
    base = check_file(write_cahier(year_one(), tmp_path / "y1.xlsx"))
    assert base.ok
    data = (tmp_path / "y1.xlsx").read_bytes()
    coops = [f"{69000 + i}" for i in range(30)]
    for coop in coops:
        report = base.to_report(file="cahier-2025-2026.xlsx")
        report.coop = coop
        store.submit(coop, "cahier-2025-2026.xlsx", data, report, base.journal)
    roster = tmp_path / "coops.csv"
    extra = ["69100", "69101"]
    roster.write_text("coop;nom\n" + "".join(f"{c};École {c}\n" for c in [*coops, *extra]), encoding="utf-8")
    inbox = tmp_path / "inbox"
    (inbox / "69003 - École Jules Ferry").mkdir(parents=True)  # an existing folder, named as the watcher reads it
    runner = CliRunner()
    args = [
        "nouvel-exercice",
        "--store",
        str(tmp_path / "store"),
        "--all",
        "--inbox",
        str(inbox),
        "--roster",
        str(roster),
    ]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    files = sorted(inbox.glob("*/cahier-2026-2027.xlsx"))
    assert len(files) == 32 and "32 cahiers écrits (2 vierges)" in first.output
    assert (inbox / "69003 - École Jules Ferry" / "cahier-2026-2027.xlsx").exists()
    assert not (inbox / "69003").exists()
    stamps = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in files}
    second = runner.invoke(cli, args)
    assert second.exit_code == 0 and "aucun cahier écrit" in second.output and "32 déjà là" in second.output
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in files} == stamps
    blank = check_file(inbox / "69100" / "cahier-2026-2027.xlsx")
    assert blank.cahier is not None and blank.cahier.params.get("coop_nom") == "École 69100"

    histories = {c: len(store.history(c)) for c in store.coops()}
    config = WatchConfig(inbox=inbox, store=str(tmp_path / "store"), outbox=tmp_path / "outbox",
                         stability_delay=0.0)  # fmt: skip
    assert Watcher(config).run(once=True) == 0
    statuses = sorted(inbox.glob("*/cahier-2026-2027.statut.txt"))
    assert len(statuses) == 32
    assert all(p.read_text(encoding="utf-8").startswith("PRÊT À REMPLIR") for p in statuses)
    assert {c: len(store.history(c)) for c in store.coops()} == histories
    summary = tmp_path / "outbox" / "etat-du-depot.csv"
    assert not summary.exists() or "2026-2027" not in summary.read_text(encoding="utf-8-sig")


def test_bulk_never_replaces_a_file_written_meanwhile(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    roster = tmp_path / "coops.csv"
    roster.write_text("coop;nom\n69001;École A\n", encoding="utf-8")
    (inbox / "69001").mkdir(parents=True)
    mine = inbox / "69001" / "cahier-2026-2027.xlsx"
    mine.write_bytes(b"started")
    bulk = prepare_all(None, inbox, roster, exercice=Exercice(2026))
    assert bulk.kept == [mine] and bulk.written == [] and mine.read_bytes() == b"started"


# --------------------------------------------------------------------------- two real years, through LibreOffice


def _named(wb: Any, name: str) -> Any:
    (sheet, ref), *_ = list(wb.defined_names[name].destinations)
    return wb[sheet][ref.replace("$", "")].value


@pytest.mark.libreoffice
@pytest.mark.slow
def test_two_real_years_through_libreoffice(stored_year: tuple[Store, Book, CheckResult], tmp_path: Path) -> None:
    """Year 1 filled and accepted; its ``nouvel-exercice`` opened and saved again by LibreOffice, filled with year 2
    (the carried cheques ticked with September dates) and accepted with report = year 1's closing to the cent; the
    same year 2 opening 100,00 € off refused with REPORT_DISCONTINUITY at its Paramètres cell. The CRF sheet,
    recalculated by LibreOffice, agrees with the tool on a year 2 where carried lines are still outstanding."""
    from workbook_tools.libreoffice import convert_all

    store, book, year1 = stored_year
    t1 = year1.totals
    assert t1 is not None and t1.caisse_comptee is not None
    prepared, _ = prepare_one(store, COOP, tmp_path / "prepared" / "cahier-2026-2027.xlsx")
    (resaved,) = convert_all([prepared], "xlsx", tmp_path / "lo")
    assert resaved.read_bytes() != prepared.read_bytes()
    assert len(attente_rows(resaved)) == len(outstanding_lines(book))

    inbox = tmp_path / "inbox" / COOP
    good = year_two(resaved, year1, inbox / "cahier-2026-2027-octobre.xlsx")
    outcome = ingest(good, COOP, store, outputs=inbox)
    assert outcome.accepted, outcome.message() + "\n" + (to_text(outcome.result) if outcome.result else "")
    t2 = outcome.report.totals
    assert t2 is not None
    assert (t2.report_banque, t2.report_caisse) == (t1.banque_fin, t1.caisse_comptee)
    assert t2.attente_recettes == t2.attente_depenses == 0  # every carried line cleared in September
    assert "Continuité vérifiée" in (inbox / "cahier-2026-2027-octobre.rapport.txt").read_text(encoding="utf-8")

    off = year_two(resaved, year1, inbox / "cahier-2026-2027-faux.xlsx", report_off=10_000)
    refused = ingest(off, COOP, store, outputs=inbox)
    assert not refused.accepted
    assert [(f.code, f.cell) for f in refused.report.findings if f.severity is Severity.ERROR] == [
        (Code.REPORT_DISCONTINUITY, f"Paramètres!B{L.PARAMS_BY_NAME['report_banque'].row}")
    ]
    assert store.current(COOP, Y2) == outcome.version  # the good one stays current

    # a year 2 with one carried line unticked and one cleared after 31 August 2027: the sheet agrees with the tool
    late = year_two(resaved, year1, tmp_path / "late.xlsx", statement_true=True,
                    tick={0: dt.date(2027, 9, 6), **{n: "x" for n in range(2, 100)}})  # fmt: skip
    result = check_file(late)
    assert result.ok, to_text(result)
    t = result.totals
    assert t is not None and t.attente_recettes + t.attente_depenses > 0
    (recalculated,) = convert_all([late], "xlsx", tmp_path / "lo-late")
    wb = openpyxl.load_workbook(recalculated, data_only=True)
    for name, cents in {
        "crf_non_pointe_recettes": t.non_pointe_recettes,
        "crf_non_pointe_depenses": t.non_pointe_depenses,
        "crf_banque_fin": t.banque_fin,
        "crf_report_banque": t.report_banque,
        "crf_total_charges": t.charges,
        "crf_total_produits": t.produits,
        "crf_ecart_rapprochement": 0,
        "attente_recettes": t.attente_recettes,
        "attente_depenses": t.attente_depenses,
    }.items():
        assert round(_named(wb, name) * 100) == cents, name


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_default_settings_show_the_prepared_figures(
    stored_year: tuple[Store, Book, CheckResult], tmp_path: Path
) -> None:
    """A teacher's LibreOffice, with its default settings, shows the results cached in an xlsx rather than
    recalculating: the prepared cahier (and ``cahier template --exercice``) must not carry the template's results,
    computed for empty Paramètres, or the Journal's header and the CRF open blank and at 0,00 €."""
    from workbook_tools.libreoffice import convert_all

    store, book, year1 = stored_year
    t1 = year1.totals
    assert t1 is not None and t1.caisse_comptee is not None
    prepared, _ = prepare_one(store, COOP, tmp_path / "prepared.xlsx")
    template = tmp_path / "modele.xlsx"
    assert CliRunner().invoke(cli, ["template", "-o", str(template), "--exercice", Y2]).exit_code == 0
    opened, blank = convert_all([prepared, template], "xlsx", tmp_path / "lo", recalculate=False)
    wb = openpyxl.load_workbook(opened, data_only=True)
    header = wb[L.SHEET_JOURNAL]["G1"].value
    assert header is not None and Y2 in header and COOP in header and book.params["coop_nom"] in header
    assert round(_named(wb, "crf_report_banque") * 100) == t1.banque_fin
    assert round(_named(wb, "crf_banque_fin") * 100) == t1.banque_fin
    assert round(_named(wb, "attente_depenses") * 100) == sum(
        _cents(line.banque_depense) for line in outstanding_lines(book) if line.banque_depense
    )
    assert Y2 in (openpyxl.load_workbook(blank, data_only=True)[L.SHEET_JOURNAL]["G1"].value or "")


# --------------------------------------------------------------------------- found trying it as users would


@pytest.fixture
def two_years(stored_year: tuple[Store, Book, CheckResult], tmp_path: Path) -> tuple[Store, Book, CheckResult, Path]:
    """Year 1 accepted, then year 2 accepted for COOP with the first carried line still outstanding at its end."""
    store, book, year1 = stored_year
    prepared, _ = prepare_one(store, COOP, tmp_path / "prepared" / "cahier-2026-2027.xlsx")
    ticks: dict[int, str | dt.date] = {i: dt.date(2026, 9, 10) for i in range(1, len(outstanding_lines(book)))}
    path = year_two(prepared, year1, tmp_path / "y2" / "cahier-2026-2027.xlsx", tick=ticks, statement_true=True)
    outcome = ingest(path, COOP, store)
    assert outcome.accepted, to_text(outcome.result) if outcome.result else outcome.message()
    return store, book, year1, path


@pytest.mark.slow
def test_all_prepares_one_exercice_for_the_department(
    two_years: tuple[Store, Book, CheckResult, Path], tmp_path: Path
) -> None:
    """One cooperative already accepted in 2026-2027 does not make the department skip to 2027-2028: the exercice
    most cooperatives have as their latest decides; ``--exercice`` chooses another; each cahier is built from ITS
    cooperative's version of the exercice before."""
    store, _, year1, _ = two_years
    assert year1.journal is not None and year1.totals is not None
    y1_path = next((tmp_path / "y1").glob("*.xlsx"))
    for coop in ("0050", "0051"):
        report = year1.to_report(file="cahier-2025-2026.xlsx")
        report.coop = coop
        store.submit(coop, "cahier-2025-2026.xlsx", y1_path.read_bytes(), report, year1.journal)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    args = ["nouvel-exercice", "--store", str(tmp_path / "store"), "--all", "--inbox", str(inbox)]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "Exercice préparé : 2026-2027" in first.output
    assert sorted(p.parent.name for p in inbox.glob("*/cahier-2026-2027.xlsx")) == [COOP, "0050", "0051"]
    assert not list(inbox.glob("*/cahier-2027-2028.xlsx"))
    mine = check_file(inbox / COOP / "cahier-2026-2027.xlsx")  # from COOP's 2025-2026, not its 2026-2027
    assert mine.totals is not None and mine.totals.report_banque == year1.totals.banque_fin
    chosen = CliRunner().invoke(cli, [*args, "--exercice", "2027-2028"])
    assert chosen.exit_code == 0 and "Exercice préparé : 2027-2028 (choisi par --exercice)" in chosen.output
    assert "3 cahiers écrits (2 vierges)" in chosen.output, chosen.output
    y2 = store.current(COOP, Y2)
    assert y2 is not None
    again = check_file(inbox / COOP / "cahier-2027-2028.xlsx")
    assert again.totals is not None and again.totals.report_banque == store.read_report(COOP, y2).totals.banque_fin


def test_bulk_refuses_force_and_a_missing_inbox(tmp_path: Path) -> None:
    roster = tmp_path / "coops.csv"
    roster.write_text("coop;nom\n69001;École A\n69002;École B\n", encoding="utf-8")
    inbox = tmp_path / "inbox"
    (inbox / "69001").mkdir(parents=True)
    mine = inbox / "69001" / "cahier-2026-2027.xlsx"
    mine.write_bytes(b"started: three lines typed")
    base = ["nouvel-exercice", "--store", str(tmp_path / "store"), "--roster", str(roster), "--all"]
    forced = CliRunner().invoke(cli, [*base, "--inbox", str(inbox), "--exercice", Y2, "--force"])
    assert forced.exit_code == 1 and "--force ne va pas avec --all" in forced.output
    assert mine.read_bytes() == b"started: three lines typed" and not (inbox / "69002").exists()
    run = CliRunner().invoke(cli, [*base, "--inbox", str(inbox), "--exercice", Y2])
    assert run.exit_code == 0 and "1 cahier écrit" in run.output and "1 déjà là" in run.output, run.output
    assert mine.read_bytes() == b"started: three lines typed"
    typo = CliRunner().invoke(cli, [*base, "--inbox", str(tmp_path / "inbx")])
    assert typo.exit_code == 1 and "n'existe pas" in typo.output and "--inbox" in typo.output
    assert not (tmp_path / "inbx").exists()
    with pytest.raises(NouvelExerciceError):
        prepare_all(None, tmp_path / "inbx", roster)


def test_ready_only_when_the_report_follows(stored_year: tuple[Store, Book, CheckResult], tmp_path: Path) -> None:
    """A prepared cahier with no line but its report à nouveau changed is refused (REPORT_DISCONTINUITY), not « prêt
    à remplir »; on the command line the refusal says the report is printed below (no --outputs)."""
    store, _, year1 = stored_year
    assert year1.totals is not None
    prepared, _ = prepare_one(store, COOP, tmp_path / "cahier-2026-2027.xlsx")
    wb = openpyxl.load_workbook(prepared)
    cell = wb[L.SHEET_PARAMS].cell(L.PARAMS_BY_NAME["report_banque"].row, 2)
    cell.value = float(Decimal(year1.totals.banque_fin + 10_000) / 100)
    raised = tmp_path / "raised.xlsx"
    wb.save(raised)
    assert ingest(prepared, COOP, store).ready  # untouched, as prepared
    result = CliRunner().invoke(cli, ["ingest", "--store", str(tmp_path / "store"), "--coop", COOP, str(raised)])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("REFUSÉ") and "REPORT_DISCONTINUITY" in result.output, result.output
    assert "voir le rapport ci-dessous" in result.output and "à côté de ce fichier" not in result.output
    assert [v.status for v in store.history(COOP) if v.filename == "raised.xlsx"] == ["refused"]


def test_no_continuity_for_another_cooperatives_cahier(
    two_years: tuple[Store, Book, CheckResult, Path], tmp_path: Path
) -> None:
    """COOP's year 2 saved in the folder of 0043 (which has a year 1 of its own): COOP_MISMATCH only, no
    continuity findings computed from 0043's year."""
    store, _, year1, path = two_years
    assert year1.journal is not None
    report = year1.to_report(file="cahier-2025-2026.xlsx")
    report.coop = "0043"
    assert report.totals is not None
    report.totals = dataclasses.replace(report.totals, report_banque=report.totals.report_banque + 5_000)  # elsewhere
    store.submit("0043", "cahier-2025-2026.xlsx", b"another coop", report, year1.journal)
    result = check_file(path, expected_coop="0043")
    check_continuity(result, store, "0043")
    codes = {f.code for f in result.findings}
    assert Code.COOP_MISMATCH in codes
    assert not codes & {Code.REPORT_DISCONTINUITY, Code.OUTSTANDING_DROPPED}, to_text(result)
    assert result.continuity is not None and "autre coopérative" in result.continuity


def test_carried_lines_sorted_by_date(two_years: tuple[Store, Book, CheckResult, Path]) -> None:
    store = two_years[0]
    before = from_store(store, COOP, Y2)
    assert before is not None and len(before.outstanding) >= 2
    dates = [a.date for a in before.outstanding]
    assert all(d is not None for d in dates) and dates == sorted(d for d in dates if d is not None)
    assert any(d is not None and d < Exercice(2026).start for d in dates)  # the line carried from 2025-2026


def test_dropped_line_wording_agrees() -> None:
    from workbook_tools import messages

    day = dt.date(2026, 8, 20)
    for kind, word in (("depense", "La dépense"), ("remise", "La remise")):
        text = messages.outstanding_dropped(kind, "Livres", 8000, day, None, "2025-2026")
        assert text.startswith(word) and "n'était pas passée" in text
        assert "Ajoutez-la" in text and "pointez-la quand elle" in text and "-le" not in text
    text = messages.outstanding_dropped("cheque", "Livres", 8000, day, "1234568", "2025-2026")
    assert text.startswith("Le chèque n° 1234568") and "passé en" in text and "Ajoutez-le" in text


def test_one_way_to_write_a_gap() -> None:
    from workbook_tools.bilan import Discontinuite
    from workbook_tools.text import gap

    assert gap(10_000) == "écart de +100,00 €"
    assert gap(-1) == "écart de \u22120,01 €"
    assert gap(0) == "écart de 0,00 €"
    assert gap(10_000) in Discontinuite("banque", 100, 10_100).texte("2025-2026")
    from workbook_tools import messages

    text = messages.report_discontinuity("banque", 10_100, 100, "2025-2026", dt.date(2026, 8, 31), "banque")
    assert gap(10_000) in text
