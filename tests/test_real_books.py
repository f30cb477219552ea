"""The books real schools keep (issue 11): refunds and credit notes, cancelled cheques, ticks with a date, one
voucher on several lines, a régie d'avance, the opening balance booked as income, one mistake = one finding, the
payment mode on the wrong side.

Each book is filled from the real template as a teacher would type it (``workbook_tools.fill``), on top of a
realistic year (``sample_book``). A legitimate book is accepted — no error, only the warnings named — with figures
equal to an independent ``Decimal`` sum of its lines (computed here, never with the code under test); a wrong one is
refused with the right code at the right cell. One combined book also goes through real LibreOffice.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from book_helpers import found, only

from workbook_tools import layout
from workbook_tools.bilan import Regie, crf_from_store
from workbook_tools.chart import default_chart
from workbook_tools.consolidation import consolidate
from workbook_tools.crf import write_crf_workbook
from workbook_tools.fill import Book, Line, write_cahier
from workbook_tools.ingest import ingest
from workbook_tools.libreoffice import convert
from workbook_tools.model import Code, Report, Severity
from workbook_tools.sample import sample_book
from workbook_tools.store import Store
from workbook_tools.text import euros, gap
from workbook_tools.validate import CheckResult, check_file

CHART = default_chart()
CODES = {c.code: c for c in CHART.chapitres}
EXERCICE = "2025-2026"
END = dt.date(2026, 8, 31)
COL = {key: layout.column_letter(i) for i, (key, _) in enumerate(layout.JOURNAL_COLUMNS)}
CHAPTER_COL = {c.code: layout.column_letter(len(layout.JOURNAL_COLUMNS) + i) for i, c in enumerate(CHART.chapitres)}
AMOUNTS = ("banque_recette", "banque_depense", "caisse_recette", "caisse_depense")
ONE_LINE_HINT = "un retrait s'écrit sur une seule ligne : Banque dépense et Caisse recette"


def d(text: str) -> Decimal:
    return Decimal(text)


def cents(value: Any) -> int:
    return int((Decimal(str(value)) * 100).to_integral_value())


def base(seed: int = 11, lines: int = 60) -> Book:
    return sample_book(coop="69100", exercice=EXERCICE, lines=lines, seed=seed)


def row_of(book: Book, line: Line) -> int:
    return layout.JOURNAL_FIRST_ROW + next(i for i, x in enumerate(book.lines) if x is line)


def add(book: Book, *lines: Line, after: dt.date | None = None) -> list[Line]:
    """Insert lines in date order (after every line of the same date or earlier), as a teacher writes the book."""
    for line in lines:
        when = after or line.date
        assert isinstance(when, dt.date)
        at = next(
            (i for i, x in enumerate(book.lines) if isinstance(x.date, dt.date) and x.date > when), len(book.lines)
        )
        book.lines.insert(at, line)
    return list(lines)


def _money(line: Line, key: str) -> Decimal:
    value = getattr(line, key)
    return Decimal(0) if value is None else Decimal(str(value))


def outstanding(line: Line) -> bool:
    """Not on the bank statement at 31/08: no mark, only spaces, or a date after 31 August."""
    tick = line.pointe
    if tick is None or (isinstance(tick, str) and not tick.strip()):
        return True
    return isinstance(tick, dt.date) and tick > END


def settle(book: Book) -> Book:
    """The year end a careful teacher writes: the statement's balance at 31/08 and the cash count, from the lines."""
    bank = Decimal(str(book.params["report_banque"]))
    cash = Decimal(str(book.params["report_caisse"]))
    pending = Decimal(0)
    for line in book.lines:
        delta = _money(line, "banque_recette") - _money(line, "banque_depense")
        bank += delta
        cash += _money(line, "caisse_recette") - _money(line, "caisse_depense")
        if outstanding(line):
            pending += delta
    book.params["releve_31_08"] = bank - pending
    left, counts = cents(cash), {}
    assert left >= 0
    for face in layout.DENOMINATIONS_CENTS:
        n, left = divmod(left, face)
        if n:
            counts[face] = n
    book.caisse = counts
    return book


@dataclass
class Expected:
    """The figures of a book, summed here with Decimal from its lines."""

    chapitres: dict[str, int]
    charges: int
    produits: int
    banque_fin: int
    caisse_fin: int
    non_pointe_recettes: int
    non_pointe_depenses: int
    actions: dict[str | None, tuple[int, int]]


def is_regie(line: Line) -> bool:
    import unicodedata

    folded = "".join(c for c in unicodedata.normalize("NFKD", line.libelle or "") if not unicodedata.combining(c))
    return "regie" in folded.lower() and not line.chapitre and not line.split


def expected(book: Book) -> Expected:
    """Each part of a line counts in its chapter: + when it goes the chapter's way (a receipt on 7…, an expense on
    6…), − when it goes against it (a credit note, a refund). Movements, régies and cancelled cheques count nowhere.
    An action's receipts are its lines' parts in produit chapters, its expenses their parts in charge chapters."""
    chap: dict[str, Decimal] = defaultdict(Decimal)
    actions: dict[str | None, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    bank = Decimal(str(book.params["report_banque"]))
    cash = Decimal(str(book.params["report_caisse"]))
    npr = npd = Decimal(0)
    for line in book.lines:
        m = {k: _money(line, k) for k in AMOUNTS}
        bank += m["banque_recette"] - m["banque_depense"]
        cash += m["caisse_recette"] - m["caisse_depense"]
        if outstanding(line):
            npr += m["banque_recette"]
            npd += m["banque_depense"]
        filled = [k for k in AMOUNTS if m[k]]
        if len(filled) != 1 or is_regie(line) or not (line.split or line.chapitre):
            continue  # a movement (on one line or two), a cancelled cheque, a régie
        receipt = filled[0] in ("banque_recette", "caisse_recette")
        parts = {c: Decimal(str(v)) for c, v in line.split.items()} or {str(line.chapitre): m[filled[0]]}
        for code, amount in parts.items():
            charge = CODES[code].is_charge
            signed = amount if receipt != charge else -amount
            chap[code] += signed
            actions[line.action][1 if charge else 0] += signed
    chapitres = {code: cents(chap.get(code, 0)) for code in CODES}
    return Expected(
        chapitres=chapitres,
        charges=sum(v for k, v in chapitres.items() if CODES[k].is_charge),
        produits=sum(v for k, v in chapitres.items() if not CODES[k].is_charge),
        banque_fin=cents(bank),
        caisse_fin=cents(cash),
        non_pointe_recettes=cents(npr),
        non_pointe_depenses=cents(npd),
        actions={k: (cents(v[0]), cents(v[1])) for k, v in actions.items()},
    )


def assert_figures(result: CheckResult | Report, book: Book) -> Expected:
    exp = expected(book)
    t = result.totals
    assert t is not None
    assert t.chapitres == exp.chapitres
    assert (t.charges, t.produits, t.resultat) == (exp.charges, exp.produits, exp.produits - exp.charges)
    assert (t.banque_fin, t.caisse_fin) == (exp.banque_fin, exp.caisse_fin)
    # résultat = receipts − expenses still holds: the avoir is in the bank, the till, or with a colleague (régie)
    assert t.report + t.resultat == t.banque_fin + t.caisse_fin + t.regies_en_cours
    assert (t.non_pointe_recettes, t.non_pointe_depenses) == (exp.non_pointe_recettes, exp.non_pointe_depenses)
    assert t.ecart_rapprochement == 0 and t.ecart_caisse == 0
    return exp


# --------------------------------------------------------------------------- 1. refunds and credit notes


def reductions(book: Book) -> dict[str, Line]:
    """A family refunded for a cancelled trip (expense on 7080), a supplier's credit note (receipt on 6180), a part
    of the town's subsidy returned (expense on 7410), and a receipt split between a participation and a refund from
    the bus company (7080 + 6180)."""
    trip = next(x for x in book.lines if x.chapitre == "7080" and x.action)
    lines = {
        "refund": Line(dt.date(2026, 6, 12), "Remboursement sortie annulée famille Martin", banque_depense=d("25.00"),
                       chapitre="7080", piece="D901", mode="CHQ", cheque="9900001", action=trip.action, pointe="x"),
        "credit": Line(dt.date(2026, 6, 15), "Avoir Librairie du Centre (livres abîmés)", banque_recette=d("18.40"),
                       chapitre="6180", piece="R901", mode="CHQ", pointe="x"),
        "subsidy": Line(dt.date(2026, 6, 20), "Reversement subvention mairie (classe verte annulée)",
                        banque_depense=d("150.00"), chapitre="7410", piece="D902", mode="VIR", pointe="x"),
        "split": Line(dt.date(2026, 6, 22), "Participation sortie et remboursement du car", banque_recette=d("40.00"),
                      split={"7080": d("30.00"), "6180": d("10.00")}, piece="R902", mode="CHQ", action=trip.action,
                      pointe="x"),
    }  # fmt: skip
    add(book, *lines.values())
    town = next(s for s in book.subventions if s["organisme"].startswith("Mairie"))
    town["montant"] = Decimal(str(town["montant"])) - Decimal("150.00")  # the sheet shows what was kept
    town["objet"] = "Fonctionnement (150,00 € reversés)"
    settle(book)
    return lines


def test_refunds_and_credit_notes_are_accepted_net(check: Callable[[Book], CheckResult], tmp_path: Path) -> None:
    book = base()
    lines = reductions(book)
    result = check(book)
    r = {k: row_of(book, line) for k, line in lines.items()}
    assert found(result) == sorted(
        [
            (Code.CHAPTER_REDUCTION, f"Journal!L{r['refund']}", Severity.WARNING),
            (Code.CHAPTER_REDUCTION, f"Journal!L{r['credit']}", Severity.WARNING),
            (Code.CHAPTER_REDUCTION, f"Journal!L{r['subsidy']}", Severity.WARNING),
            (Code.CHAPTER_REDUCTION, f"Journal!{CHAPTER_COL['6180']}{r['split']}", Severity.WARNING),
        ],
        key=lambda x: int(str(x[1]).split("!")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")),
    )
    assert result.ok
    messages = {f.row: f.message for f in result.findings}
    assert "remboursement ou avoir" in messages[r["credit"]] and "18,40 €" in messages[r["credit"]]
    assert "remboursement" in messages[r["refund"]] and "25,00 €" in messages[r["refund"]]
    exp = assert_figures(result, book)
    clean = base()
    settle(clean)
    before = expected(clean)
    # net: the refund and the returned subsidy lower the produits, the credit notes lower the charges
    assert exp.chapitres["7080"] == before.chapitres["7080"] - 2500 + 3000
    assert exp.chapitres["6180"] == before.chapitres["6180"] - 1840 - 1000
    assert exp.chapitres["7410"] == before.chapitres["7410"] - 15000

    # the CRF, its actions and the consolidation, from the store
    store = Store(tmp_path / "store")
    outcome = ingest(write_cahier(book, tmp_path / "reductions.xlsx"), "69100", store)
    assert outcome.accepted
    crf = crf_from_store(store, "69100")
    assert {c.code: c.montant for c in crf.postes} == exp.chapitres
    assert {a.action: (a.recettes, a.depenses) for a in crf.actions} == exp.actions
    assert sum(a.recettes for a in crf.actions) == crf.produits == exp.produits
    assert sum(a.depenses for a in crf.actions) == crf.charges == exp.charges
    trip = lines["refund"].action
    trip_before = before.actions[trip]
    # a refund lowers the action's receipts; a credit note its expenses; never the other side
    assert exp.actions[trip] == (trip_before[0] - 2500 + 3000, trip_before[1] - 1000)
    assert crf.subventions_feuille == crf.subventions_journal  # the Subventions sheet holds what was kept
    rows = consolidate(store, EXERCICE).rows
    assert [(row.coop, row.chapitres) for row in rows] == [("69100", exp.chapitres)]


def test_a_chapter_below_zero_is_refused_at_its_total(check: Callable[[Book], CheckResult]) -> None:
    """A refund larger than what the chapter received this year: CHAPTER_NEGATIVE on the chapter's total (row 2)."""
    book = base()
    received = sum(cents(x.amount) for x in book.lines if x.chapitre == "7500")
    add(book, Line(dt.date(2026, 6, 2), "Remboursement des lots du loto aux familles", caisse_depense=d("9999.00"),
                   chapitre="7500", piece="D903", mode="ESP"))  # fmt: skip
    book.params["report_caisse"] = Decimal(str(book.params["report_caisse"])) + d("9999.00")
    settle(book)
    result = check(book)
    negative = only(result, Code.CHAPTER_NEGATIVE)
    assert [(f.cell, f.severity) for f in negative] == [
        (f"Journal!{CHAPTER_COL['7500']}{layout.JOURNAL_TOTALS_ROW}", Severity.ERROR)
    ]
    assert not result.ok and negative[0].value == received - 999900
    assert "7500" in negative[0].message and euros(999900) in negative[0].message
    assert {f.code for f in result.findings} == {Code.CHAPTER_NEGATIVE, Code.CHAPTER_REDUCTION}


# --------------------------------------------------------------------------- 2. cancelled cheques


def cancelled(book: Book) -> tuple[Line, Line]:
    """Two cancelled cheques: one with the Mode « ANNULÉ », one with « annulé » in the label."""
    number = max(int(x.cheque) for x in book.lines if x.cheque)
    by_mode = Line(dt.date(2026, 3, 3), "Chèque abîmé", mode="ANNULÉ", cheque=str(number + 1))
    by_label = Line(dt.date(2026, 4, 7), "Chèque annulé (erreur de montant)", mode="CHQ", cheque=str(number + 2))
    add(book, by_mode, by_label)
    settle(book)
    return by_mode, by_label


def test_cancelled_cheques_count_nowhere_and_are_listed(check: Callable[[Book], CheckResult], tmp_path: Path) -> None:
    book = base()
    by_mode, by_label = cancelled(book)
    result = check(book)
    assert found(result) == [] and result.ok
    assert_figures(result, book)
    clean = settle(base())
    assert result.totals == check(clean).totals  # counted nowhere

    store = Store(tmp_path / "store")
    assert ingest(write_cahier(book, tmp_path / "annules.xlsx"), "69100", store).accepted
    crf = crf_from_store(store, "69100")
    assert [(a.row, a.cheque, a.libelle) for a in crf.annules] == [
        (row_of(book, by_mode), by_mode.cheque, by_mode.libelle),
        (row_of(book, by_label), by_label.cheque, by_label.libelle),
    ]
    path = write_crf_workbook(crf, tmp_path / "crf.xlsx")
    sheet = openpyxl.load_workbook(path)["Rapprochement"]
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "Chèques annulés (gardés dans le cahier, comptés nulle part)" in values
    assert by_mode.cheque in values and by_label.libelle in values


def test_a_cancelled_cheque_number_reused_is_a_duplicate(check: Callable[[Book], CheckResult]) -> None:
    book = base()
    by_mode, _ = cancelled(book)
    reused = Line(dt.date(2026, 5, 5), "Librairie du Centre", banque_depense=d("32.00"), chapitre="6180",
                  piece="D904", mode="CHQ", cheque=by_mode.cheque, pointe="x")  # fmt: skip
    add(book, reused)
    settle(book)
    result = check(book)
    assert found(result) == [(Code.CHEQUE_DUPLICATE, f"Journal!F{row_of(book, reused)}", Severity.ERROR)]
    assert f"ligne {row_of(book, by_mode)}" in result.findings[0].message


def test_a_cancelled_cheque_needs_its_number(check: Callable[[Book], CheckResult]) -> None:
    book = base()
    line = add(book, Line(dt.date(2026, 3, 3), "Chèque annulé", mode="ANNULÉ"))[0]
    settle(book)
    result = check(book)
    assert found(result) == [(Code.AMOUNT_MISSING, f"Journal!H{row_of(book, line)}", Severity.ERROR)]
    assert "n° du chèque" in result.findings[0].message


# --------------------------------------------------------------------------- 3. ticks with a date


def dated_ticks(book: Book) -> dict[str, Line]:
    """Bank lines ticked with the statement's date: in the year (cleared), after 31 August (outstanding at 31/08),
    and a cell of spaces (not ticked)."""
    bank = [x for x in book.lines if x.banque_depense is not None and x.pointe == "x"]
    ticks = {"june": bank[-3], "september": bank[-2], "spaces": bank[-1]}
    ticks["june"].pointe = dt.date(2026, 6, 30)
    ticks["september"].pointe = dt.date(2026, 9, 4)
    ticks["spaces"].pointe = "   "
    settle(book)
    return ticks


def test_ticks_with_a_date_and_spaces(check: Callable[[Book], CheckResult], tmp_path: Path) -> None:
    book = base()
    ticks = dated_ticks(book)
    result = check(book)
    assert found(result) == [] and result.ok
    exp = assert_figures(result, book)
    store = Store(tmp_path / "store")
    assert ingest(write_cahier(book, tmp_path / "ticks.xlsx"), "69100", store).accepted
    crf = crf_from_store(store, "69100")
    rows = {op.row for op in crf.non_pointes}
    assert row_of(book, ticks["september"]) in rows and row_of(book, ticks["spaces"]) in rows
    assert row_of(book, ticks["june"]) not in rows
    assert sum(op.depense for op in crf.non_pointes) == exp.non_pointe_depenses


def test_a_statement_that_counts_a_september_tick_as_cleared_is_refused(check: Callable[[Book], CheckResult]) -> None:
    book = base()
    ticks = dated_ticks(book)
    late = Decimal(str(ticks["september"].banque_depense))
    book.params["releve_31_08"] = Decimal(str(book.params["releve_31_08"])) - late  # as if cleared by 31/08
    result = check(book)
    assert found(result) == [(Code.RAPPROCHEMENT_MISMATCH, "Paramètres!B10", Severity.ERROR)]
    assert f"({gap(-cents(late))})" in result.findings[0].message


# --------------------------------------------------------------------------- 4. one voucher, several lines


def shared_vouchers(book: Book) -> tuple[list[Line], list[Line]]:
    """An invoice paid with two cheques (one pièce), and five families paying the same trip the same day."""
    invoice = [
        Line(dt.date(2026, 5, 4), "Car classe de découverte (1er versement)", banque_depense=d("600.00"),
             chapitre="6180", piece="D950", mode="CHQ", cheque="9900101", pointe="x"),
        Line(dt.date(2026, 6, 4), "Car classe de découverte (solde)", banque_depense=d("450.00"), chapitre="6180",
             piece="D950", mode="CHQ", cheque="9900102", pointe="x"),
    ]  # fmt: skip
    families = [
        Line(dt.date(2026, 5, 11), "Participation classe de découverte", banque_recette=d("45.00"), chapitre="7080",
             piece=f"R95{i}", mode="CHQ", pointe="x")
        for i in range(5)
    ]  # fmt: skip
    add(book, *invoice, *families)
    settle(book)
    return invoice, families


def test_one_invoice_several_cheques_and_same_day_payments(check: Callable[[Book], CheckResult]) -> None:
    book = base()
    shared_vouchers(book)
    result = check(book)
    assert found(result) == [] and result.ok
    assert_figures(result, book)


@pytest.mark.parametrize("first", ["receipt", "expense"])
def test_two_operations_sharing_a_receipt_number_are_refused(check: Callable[[Book], CheckResult], first: str) -> None:
    book = base()
    _, families = shared_vouchers(book)
    if first == "expense":  # a receipt reusing the number of an expense's voucher
        families[3].piece = "D950"
    else:  # two families with one receipt number
        families[3].piece = families[1].piece
    result = check(book)
    row = row_of(book, families[3])
    assert (Code.PIECE_DUPLICATE, f"Journal!B{row}", Severity.ERROR) in found(result)
    # two families with one receipt: maybe one payment typed twice, too (same day, amount, label, voucher)
    twice = [(Code.DUPLICATE_LINE, f"Journal!E{row}", Severity.WARNING)] if first == "receipt" else []
    assert found(result) == [(Code.PIECE_DUPLICATE, f"Journal!B{row}", Severity.ERROR), *twice]


def test_same_day_payments_without_vouchers_are_a_possible_duplicate(check: Callable[[Book], CheckResult]) -> None:
    book = base()
    _, families = shared_vouchers(book)
    families[2].piece = families[4].piece = None
    result = check(book)
    # each line without its receipt number may repeat another one; the lines with their own receipts do not
    dup = [(f.cell, f.severity) for f in only(result, Code.DUPLICATE_LINE)]
    assert dup == [(f"Journal!E{row_of(book, x)}", Severity.WARNING) for x in (families[2], families[4])]
    assert {f.code for f in result.findings} == {Code.DUPLICATE_LINE, Code.PIECE_MISSING} and result.ok


# --------------------------------------------------------------------------- 5. régie d'avance


def regie(book: Book, *, settled: bool = True) -> dict[str, Line]:
    """100 € withdrawn and advanced to Mme Dupont for the zoo; she brings back 15 € and tickets for 85 €."""
    lines = {
        "withdrawal": Line(dt.date(2026, 5, 18), "Retrait pour la régie de la sortie", banque_depense=d("100.00"),
                           caisse_recette=d("100.00"), mode="ESP", pointe="x"),
        "advance": Line(dt.date(2026, 5, 18), "Régie d'avance Mme Dupont", caisse_depense=d("100.00"), mode="ESP"),
        "cheque": Line(dt.date(2026, 5, 19), "Régie M. Bernard (sortie piscine)", banque_depense=d("40.00"),
                       mode="CHQ", cheque="9900201", pointe="x"),
    }  # fmt: skip
    if settled:
        lines |= {
            "return": Line(dt.date(2026, 5, 22), "Retour régie MME DUPONT", caisse_recette=d("100.00"), mode="ESP"),
            "ticket1": Line(dt.date(2026, 5, 22), "Entrées zoo (régie Dupont)", caisse_depense=d("60.00"),
                            chapitre="6180", piece="D960", mode="ESP", action="Sortie zoo"),
            "ticket2": Line(dt.date(2026, 5, 22), "Goûter sortie zoo (régie Dupont)", caisse_depense=d("25.00"),
                            chapitre="6180", piece="D961", mode="ESP", action="Sortie zoo"),
            "return2": Line(dt.date(2026, 5, 26), "Retour régie Bernard (sortie piscine)", caisse_recette=d("40.00"),
                            mode="ESP"),
        }  # fmt: skip
    add(book, *lines.values())
    settle(book)
    return lines


def test_a_settled_regie_is_an_internal_movement(check: Callable[[Book], CheckResult], tmp_path: Path) -> None:
    book = base()
    lines = regie(book)
    result = check(book)
    assert found(result) == [] and result.ok
    exp = assert_figures(result, book)
    assert exp.actions["Sortie zoo"] == (0, 8500)
    store = Store(tmp_path / "store")
    assert ingest(write_cahier(book, tmp_path / "regie.xlsx"), "69100", store).accepted
    crf = crf_from_store(store, "69100")
    # « Régie M. Bernard (sortie piscine) »: the remark in brackets is not the colleague's name
    assert crf.regies == [Regie("Mme Dupont", 10000, 10000, 2), Regie("M. Bernard", 4000, 4000, 2)]
    assert {a.action: (a.recettes, a.depenses) for a in crf.actions}["Sortie zoo"] == (0, 8500)
    sheet = openpyxl.load_workbook(write_crf_workbook(crf, tmp_path / "crf.xlsx"))["Arrêté de caisse"]
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "Mme Dupont : avancé" in values and "soldée" in values
    assert lines["advance"].libelle not in values


def test_an_open_regie_is_a_warning_on_the_last_advance(check: Callable[[Book], CheckResult]) -> None:
    book = base()
    lines = regie(book, settled=False)
    result = check(book)
    assert found(result) == [
        (Code.REGIE_OPEN, f"Journal!K{row_of(book, lines['advance'])}", Severity.WARNING),
        (Code.REGIE_OPEN, f"Journal!I{row_of(book, lines['cheque'])}", Severity.WARNING),
    ]
    assert result.ok
    message = result.findings[0].message
    assert "Mme Dupont" in message and "avances 100,00 €" in message and "reste 100,00 €" in message
    assert_figures(result, book)


# --------------------------------------------------------------------------- 6. the opening balance as income


@pytest.mark.parametrize(
    ("label", "same_amount", "severity"),
    [
        ("Report à nouveau", True, Severity.ERROR),
        ("Solde de l'année précédente", True, Severity.ERROR),
        ("Report à nouveau", False, Severity.WARNING),
        ("Vente de gâteaux", True, Severity.WARNING),
        ("Reportage photo : vente du journal", False, None),
    ],
)
def test_report_as_receipt_whole_words_and_severity(
    check: Callable[[Book], CheckResult], label: str, same_amount: bool, severity: Severity | None
) -> None:
    book = base()
    amount = Decimal(str(book.params["report_banque"])) if same_amount else d("123.45")
    line = add(book, Line(dt.date(2025, 9, 2), label, banque_recette=amount, chapitre="7080", piece="R999",
                          mode="VIR", pointe="x"))[0]  # fmt: skip
    settle(book)
    result = check(book)
    if severity is None:
        assert found(result) == []
        return
    assert found(result) == [(Code.REPORT_AS_RECEIPT, f"Journal!E{row_of(book, line)}", severity)]
    assert result.ok is (severity is Severity.WARNING)
    stored = json.loads(json.dumps(result.to_report().to_dict()))
    assert stored["findings"][0]["severity"] == severity.value and stored["errors"] == int(not result.ok)
    assert Report.from_dict(stored).findings[0].severity is severity  # read back from the store as judged


def test_old_stored_reports_read_chapter_direction_as_it_was_judged() -> None:
    old = {"file": "c.xlsx", "findings": [{"code": "CHAPTER_DIRECTION", "severity": "error", "sheet": "Journal",
                                            "row": 9, "column": "L", "message": "…", "value": "6180"}]}  # fmt: skip
    report = Report.from_dict(old)
    assert [(f.code, f.severity) for f in report.findings] == [(Code.CHAPTER_REDUCTION, Severity.ERROR)]
    assert report.errors == 1 and not report.ok


# --------------------------------------------------------------------------- 7. one mistake, one finding


def test_one_unreadable_date_is_one_error(check: Callable[[Book], CheckResult]) -> None:
    """A cash receipt mistyped 31/02/2026 keeps its row position in the running cash: the later cash expenses it
    pays for do not each become a CASH_NEGATIVE."""
    book = base()
    book.params["report_caisse"] = d("0.00")
    book.lines = [x for x in book.lines if x.caisse_recette is None and x.caisse_depense is None]
    kermesse = Line(dt.date(2026, 2, 28), "Kermesse : vente de gâteaux", caisse_recette=d("600.00"), chapitre="7080",
                    piece="R970", mode="ESP")  # fmt: skip
    spending = [
        Line(dt.date(2026, 3, 1 + i), f"Goûter de classe {i + 1}", caisse_depense=d("45.00"), chapitre="6180",
             piece=f"D97{i:02d}", mode="ESP")
        for i in range(11)
    ]  # fmt: skip
    add(book, kermesse, *spending)
    settle(book)
    assert check(book).findings == []
    for wrong in ("31/02/2026", None):
        kermesse.date = wrong
        result = check(book)
        code = Code.DATE_INVALID if wrong else Code.DATE_MISSING
        assert found(result) == [(code, f"Journal!D{row_of(book, kermesse)}", Severity.ERROR)]
        assert result.errors == 1


def test_a_withdrawal_written_on_two_lines_is_one_finding(check: Callable[[Book], CheckResult]) -> None:
    book = base()
    out = Line(dt.date(2026, 4, 2), "Retrait d'espèces", banque_depense=d("80.00"), mode="ESP", pointe="x")
    into = Line(dt.date(2026, 4, 2), "Retrait d'espèces", caisse_recette=d("80.00"), mode="ESP")
    add(book, out, into)
    settle(book)
    result = check(book)
    assert found(result) == [(Code.TRANSFER_INVALID, f"Journal!J{row_of(book, into)}", Severity.ERROR)]
    assert (
        ONE_LINE_HINT in result.findings[0].message and f"lignes {row_of(book, out)} et" in result.findings[0].message
    )
    assert_figures(result, book)  # and the figures are still right


def test_a_deposit_written_on_two_lines_is_one_finding(check: Callable[[Book], CheckResult]) -> None:
    book = base()
    book.params["report_caisse"] = Decimal(str(book.params["report_caisse"])) + d("200.00")
    out = Line(dt.date(2026, 4, 2), "Dépôt espèces", caisse_depense=d("200.00"), mode="ESP")
    into = Line(dt.date(2026, 4, 3), "Dépôt espèces", banque_recette=d("200.00"), mode="ESP", pointe="x")
    into.date = out.date
    add(book, out, into)
    settle(book)
    result = check(book)
    assert found(result) == [(Code.TRANSFER_INVALID, f"Journal!H{row_of(book, into)}", Severity.ERROR)]
    assert "un dépôt s'écrit sur une seule ligne : Caisse dépense et Banque recette" in result.findings[0].message


# --------------------------------------------------------------------------- issue 15: the mode on the wrong side


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (Line(dt.date(2026, 4, 8), "Vente de gâteaux", caisse_recette=d("35.00"), chapitre="7080", piece="R980",
              mode="VIR"), "passe par la banque"),
        (Line(dt.date(2026, 4, 8), "Photocopies", caisse_depense=d("3.00"), chapitre="6180", piece="D980",
              mode="CB"), "passe par la banque"),
        (Line(dt.date(2026, 4, 8), "Librairie", banque_depense=d("12.00"), chapitre="6180", piece="D981",
              mode="ESP", pointe="x"), "espèces"),
        (Line(dt.date(2026, 4, 8), "Librairie", banque_depense=d("12.00"), chapitre="6180", piece="D982",
              mode="ANNULÉ", cheque="9900301", pointe="x"), "chèque annulé"),
    ],
)  # fmt: skip
def test_mode_on_the_wrong_side_is_a_warning(check: Callable[[Book], CheckResult], line: Line, words: str) -> None:
    book = base()
    add(book, line)
    settle(book)
    result = check(book)
    assert found(result) == [(Code.MODE_MISMATCH, f"Journal!C{row_of(book, line)}", Severity.WARNING)]
    assert words in result.findings[0].message and str(line.mode) in result.findings[0].message
    assert result.ok


# --------------------------------------------------------------------------- all of it, through LibreOffice


def everything() -> Book:
    book = base(seed=12, lines=80)
    reductions(book)
    cancelled(book)
    shared_vouchers(book)
    regie(book)
    dated_ticks(book)
    return settle(book)


def test_a_real_year_with_everything_is_accepted(check: Callable[[Book], CheckResult]) -> None:
    book = everything()
    result = check(book)
    assert {f.code for f in result.findings} == {Code.CHAPTER_REDUCTION} and result.ok
    assert_figures(result, book)


@pytest.mark.libreoffice
def test_a_real_year_saved_by_libreoffice_reads_the_same(tmp_path: Path) -> None:
    book = everything()
    ours = write_cahier(book, tmp_path / "cahier.xlsx")
    theirs = convert(ours, "xlsx", tmp_path / "lo")
    before, after = check_file(ours), check_file(theirs)
    assert found(after) == found(before) and after.ok
    assert [f.message for f in after.findings] == [f.message for f in before.findings]
    assert after.totals == before.totals
    assert_figures(after, book)
    spoiled = copy.deepcopy(book)
    bad = next(x for x in spoiled.lines if x.chapitre == "7560" and x.caisse_recette is not None)
    bad.date = "31/02/2026"
    refused = check_file(convert(write_cahier(spoiled, tmp_path / "spoiled.xlsx"), "xlsx", tmp_path / "lo2"))
    assert [(f.code, f.cell) for f in refused.findings if f.severity is Severity.ERROR] == [
        (Code.DATE_INVALID, f"Journal!D{row_of(spoiled, bad)}")
    ]


# --------------------------------------------------------------------------- the words of a label


@pytest.mark.parametrize("dtype", ["str", "object"])  # Arrow's regex engine, and Python's
@pytest.mark.parametrize(
    ("pattern", "label", "found"),
    [
        ("REPORT_WORDS", "Report à nouveau", True),
        ("REPORT_WORDS", "REPORT A NOUVEAU 2024-2025", True),
        ("REPORT_WORDS", "Solde de l'année précédente", True),
        ("REPORT_WORDS", "avoir au 1er septembre", True),
        ("REPORT_WORDS", "Reportage photo", False),
        ("REPORT_WORDS", "Vente reportée", False),
        ("REPORT_WORDS", "Soldes d'été : jeux", True),  # speaks of « solde »: a warning at most
        ("ANNULE_WORDS", "Chèque annulé", True),
        ("ANNULE_WORDS", "CHQ 1234 ANNULÉ", True),
        ("ANNULE_WORDS", "cheque annule", True),
        ("ANNULE_WORDS", "Chèque annule\u0301e", True),  # a combining accent (macOS input)
        ("ANNULE_WORDS", "Annulation de la sortie", False),
        ("REGIE_WORDS", "Régie d'avance Mme Dupont", True),
        ("REGIE_WORDS", "RETOUR REGIE DUPONT", True),
        ("REGIE_WORDS", "Stratégie de classe", False),
        ("REGIE_WORDS", "Régies", True),
    ],
)
def test_label_words(pattern: str, label: str, found: bool, dtype: str) -> None:
    import pandas as pd

    from workbook_tools import rules

    texts = pd.Series([label.lower()], dtype=dtype)
    assert bool(texts.str.contains(getattr(rules, pattern), regex=True).iloc[0]) is found


@pytest.mark.parametrize(
    ("label", "key", "shown"),
    [
        ("Régie d'avance Mme Dupont", "dupont", "Mme Dupont"),
        ("Retour régie MME DUPONT", "dupont", "MME DUPONT"),
        ("Régie : M. Bernard", "bernard", "M. Bernard"),
        ("Regie", "", ""),
    ],
)
def test_regie_names(label: str, key: str, shown: str) -> None:
    from workbook_tools.rules import regie_name

    assert regie_name(label) == (key, shown)


def test_regie_name_with_a_combining_accent() -> None:
    from workbook_tools.rules import regie_name

    assert regie_name("Re\u0301gie d'avance Mme Dupont") == ("dupont", "Mme Dupont")
