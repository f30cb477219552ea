"""Findings of a teacher's trial (session 4): a same-day deposit refused as a negative cash box, régie names with a
remark in brackets, the last payment of a subsidy (« solde ») told to be deleted, the mode of a « chèque impayé ».

Each book is filled from the real template (``workbook_tools.fill``) on top of a realistic year, as a teacher
would type it; the year end (statement, cash count) is written from the lines with ``Decimal``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from book_helpers import found, only

from workbook_tools import layout
from workbook_tools.fill import Book, Line
from workbook_tools.model import Code, Severity
from workbook_tools.sample import sample_book
from workbook_tools.validate import CheckResult

KERMESSE = dt.date(2026, 6, 27)
AMOUNTS = ("banque_recette", "banque_depense", "caisse_recette", "caisse_depense")


def money(value: object) -> Decimal:
    return Decimal(0) if value is None else Decimal(str(value))


def cash_free_book(report_caisse: str = "200.00") -> Book:
    """A realistic year without its cash lines, so that the cash box is only what a test writes."""
    book = sample_book(coop="69100", exercice="2025-2026", lines=60, seed=11)
    book.lines = [x for x in book.lines if x.caisse_recette is None and x.caisse_depense is None]
    book.params["report_caisse"] = Decimal(report_caisse)
    return book


def add(book: Book, *lines: Line) -> list[Line]:
    """Append in date order: after every line of the same date or earlier, in the order given."""
    for line in lines:
        assert isinstance(line.date, dt.date)
        at = next((i for i, x in enumerate(book.lines) if isinstance(x.date, dt.date) and x.date > line.date), None)
        book.lines.insert(len(book.lines) if at is None else at, line)
    return list(lines)


def settle(book: Book) -> Book:
    """The statement at 31/08 (every bank line ticked) and the cash count, summed here from the lines."""
    bank, cash = money(book.params["report_banque"]), money(book.params["report_caisse"])
    for x in book.lines:
        bank += money(x.banque_recette) - money(x.banque_depense)
        cash += money(x.caisse_recette) - money(x.caisse_depense)
        if x.banque_recette is not None or x.banque_depense is not None:
            x.pointe = x.pointe or "x"
    book.params["releve_31_08"] = bank
    left, counts = int(cash * 100), {}
    if left >= 0:
        for face in layout.DENOMINATIONS_CENTS:
            n, left = divmod(left, face)
            if n:
                counts[face] = n
    book.caisse = counts
    return book


def row_of(book: Book, line: Line) -> int:
    return layout.JOURNAL_FIRST_ROW + next(i for i, x in enumerate(book.lines) if x is line)


def deposit(amount: str) -> Line:
    return Line(KERMESSE, "Dépôt des espèces de la kermesse", caisse_depense=Decimal(amount),
                banque_recette=Decimal(amount), mode="ESP")  # fmt: skip


def kermesse(amount: str = "342.50") -> Line:
    return Line(KERMESSE, "Kermesse : buvette et stands", caisse_recette=Decimal(amount), chapitre="7080",
                piece="R901", mode="ESP", action="Kermesse")  # fmt: skip


# --------------------------------------------------------------------------- 1. one day's lines have no order


def test_a_deposit_written_before_the_same_days_receipt_is_accepted(check: Callable[[Book], CheckResult]) -> None:
    """200 € in the till, then on 27/06: 500 € taken to the bank (typed first) and the kermesse's 342,50 € (typed
    after): 42,50 € at the end of the day. The cash box never was below zero."""
    book = cash_free_book("200.00")
    add(book, deposit("500.00"), kermesse("342.50"))
    settle(book)
    result = check(book)
    assert found(result) == [] and result.ok
    assert result.totals is not None and result.totals.caisse_fin == 4250


def test_a_day_that_ends_short_of_cash_is_refused_at_its_expense(check: Callable[[Book], CheckResult]) -> None:
    """The same day, plus 60 € of cash spent after the kermesse: the day ends at −17,50 €. Refused, once, on the
    expense that takes the till below zero (the day's receipts counted first)."""
    book = cash_free_book("200.00")
    goûter = Line(KERMESSE, "Goûter de la kermesse", caisse_depense=Decimal("60.00"), chapitre="6180",
                  piece="D901", mode="ESP", action="Kermesse")  # fmt: skip
    add(book, deposit("500.00"), kermesse("342.50"), goûter)
    settle(book)
    result = check(book)
    assert found(result) == [(Code.CASH_NEGATIVE, f"Journal!K{row_of(book, goûter)}", Severity.ERROR)]
    message = result.findings[0].message
    assert "Le 27/06/2026" in message and "la caisse est à -17,50 €" in message
    assert result.findings[0].value == -1750


def test_a_deposit_larger_than_the_days_cash_is_refused_at_the_deposit(check: Callable[[Book], CheckResult]) -> None:
    book = cash_free_book("100.00")
    out = add(book, deposit("500.00"), kermesse("342.50"))[0]
    settle(book)
    result = check(book)
    assert found(result) == [(Code.CASH_NEGATIVE, f"Journal!K{row_of(book, out)}", Severity.ERROR)]
    assert "la caisse est à -57,50 €" in result.findings[0].message


def test_a_later_days_receipt_does_not_cover_an_earlier_shortage(check: Callable[[Book], CheckResult]) -> None:
    book = cash_free_book("100.00")
    spent = Line(dt.date(2026, 6, 26), "Courses de la kermesse", caisse_depense=Decimal("150.00"), chapitre="6180",
                 piece="D900", mode="ESP", action="Kermesse")  # fmt: skip
    add(book, spent, kermesse("342.50"))
    settle(book)
    result = check(book)
    assert found(result) == [(Code.CASH_NEGATIVE, f"Journal!K{row_of(book, spent)}", Severity.ERROR)]
    assert "Le 26/06/2026" in result.findings[0].message and "-50,00 €" in result.findings[0].message


def test_the_bank_follows_the_same_day_rule(check: Callable[[Book], CheckResult]) -> None:
    """A cheque paid the day the money for it reaches the bank, typed before it: no BANK_NEGATIVE."""
    book = cash_free_book("0.00")
    book.lines = [x for x in book.lines if x.date <= dt.date(2025, 9, 30)]  # type: ignore[operator]
    bank = money(book.params["report_banque"])
    for x in book.lines:
        bank += money(x.banque_recette) - money(x.banque_depense)
    day = dt.date(2025, 10, 6)
    cheque = Line(day, "Car pour la sortie", banque_depense=bank + Decimal("40.00"), chapitre="6180", piece="D902",
                  mode="CHQ", cheque="9900500")  # fmt: skip
    grant = Line(day, "Subvention mairie", banque_recette=Decimal("100.00"), chapitre="7410", piece="R902",
                 mode="VIR")  # fmt: skip
    book.subventions = [{"date": day, "organisme": "Mairie", "objet": "Sorties", "montant": Decimal("100.00"),
                         "piece": "R902"}]  # fmt: skip
    add(book, cheque, grant)
    settle(book)
    assert found(check(book)) == []
    grant.banque_recette = Decimal("20.00")  # the day ends 20 € short
    book.subventions[0]["montant"] = Decimal("20.00")
    settle(book)
    result = check(book)
    assert found(result) == [(Code.BANK_NEGATIVE, f"Journal!I{row_of(book, cheque)}", Severity.WARNING)]
    assert "le compte bancaire est à -20,00 €" in result.findings[0].message


# --------------------------------------------------------------------------- 2. régie names with a remark


def test_regie_returns_with_a_remark_in_brackets_settle_the_advance(check: Callable[[Book], CheckResult]) -> None:
    book = cash_free_book("100.00")
    add(
        book,
        Line(dt.date(2026, 5, 18), "Régie Mme Dupont", caisse_depense=Decimal("60.00"), mode="ESP"),
        Line(dt.date(2026, 5, 19), "Régie M. Bernard (chèque)", banque_depense=Decimal("50.00"), mode="CHQ",
             cheque="9900600"),
        Line(dt.date(2026, 5, 22), "Retour régie Mme Dupont (espèces rendues)", caisse_recette=Decimal("7.60"),
             mode="ESP"),
        Line(dt.date(2026, 5, 22), "Retour régie Mme Dupont (tickets)", caisse_recette=Decimal("52.40"), mode="ESP"),
        Line(dt.date(2026, 5, 22), "Entrées piscine (régie Dupont)", caisse_depense=Decimal("52.40"),
             chapitre="6180", piece="D903", mode="ESP"),
        Line(dt.date(2026, 5, 26), "Retour régie d'avance M. Bernard.", caisse_recette=Decimal("50.00"), mode="ESP"),
    )  # fmt: skip
    settle(book)
    result = check(book)
    assert found(result) == [] and result.ok
    assert result.totals is not None and result.totals.regies_en_cours == 0


def test_an_open_regie_names_its_line_in_the_singular(check: Callable[[Book], CheckResult]) -> None:
    book = cash_free_book("100.00")
    advance, back = add(
        book,
        Line(dt.date(2026, 5, 18), "Régie Mme Dupont", caisse_depense=Decimal("60.00"), mode="ESP"),
        Line(dt.date(2026, 5, 22), "Retour régie Mme Dupont (tickets)", caisse_recette=Decimal("52.40"), mode="ESP"),
    )  # fmt: skip
    settle(book)
    result = check(book)
    assert found(result) == [(Code.REGIE_OPEN, f"Journal!K{row_of(book, advance)}", Severity.WARNING)]
    message = result.findings[0].message
    assert f"(lignes {row_of(book, advance)}, {row_of(book, back)})" in message and "reste 7,60 €" in message
    assert "« Mme Dupont »" in message
    book.lines.remove(back)
    settle(book)
    message = only(check(book), Code.REGIE_OPEN)[0].message
    assert f"(ligne {row_of(book, advance)})" in message and "lignes" not in message


@pytest.mark.parametrize(
    ("label", "key", "shown"),
    [
        ("Retour régie Mme Dupont (espèces rendues)", "dupont", "Mme Dupont"),
        ("Régie M. Bernard (chèque)", "bernard", "M. Bernard"),
        ("Retour régie d'avance M. Bernard", "bernard", "M. Bernard"),
        ("Retour régie Mme Dupont.", "dupont", "Mme Dupont"),
        ("Retour régie Mme Dupont [tickets", "dupont", "Mme Dupont"),
        ("Régie (Mme Dupont)", "dupont", "(Mme Dupont)"),  # the brackets hold the name: kept
    ],
)
def test_regie_names_without_their_remarks(label: str, key: str, shown: str) -> None:
    from workbook_tools.rules import regie_name

    assert regie_name(label) == (key, shown)


# --------------------------------------------------------------------------- 3. the last payment of a subsidy


def test_the_last_payment_of_a_subsidy_is_not_told_to_be_deleted(check: Callable[[Book], CheckResult]) -> None:
    book = cash_free_book()
    day = dt.date(2026, 2, 15)
    line = add(book, Line(day, "Subvention mairie projet cirque (solde)", banque_recette=Decimal("400.00"),
                          chapitre="7410", piece="R903", mode="VIR", action="Projet cirque"))[0]  # fmt: skip
    book.subventions.append({"date": day, "organisme": "Mairie", "objet": "Projet cirque",
                             "montant": Decimal("400.00"), "piece": "R903"})  # fmt: skip
    settle(book)
    result = check(book)
    assert found(result) == [(Code.REPORT_AS_RECEIPT, f"Journal!E{row_of(book, line)}", Severity.WARNING)]
    message = result.findings[0].message
    assert "solde d'une subvention" in message and "facture" in message and "rien à corriger" in message
    first_sentences = message.split("rien à corriger")[0]
    assert "supprimez" not in first_sentences  # the legitimate case first, no deletion told for it


# --------------------------------------------------------------------------- the mode of a « chèque impayé »


def test_the_guide_s_mode_for_an_unpaid_cheque_gives_no_cheque_finding(check: Callable[[Book], CheckResult]) -> None:
    """The guide says: a family's cheque returned unpaid is a bank debit, mode PRLV, no number in column F."""
    guide = (Path(__file__).parent.parent / "docs" / "guide-mandataire.md").read_text(encoding="utf-8")
    assert "Chèque impayé" in guide and "mode **PRLV**" in guide
    book = cash_free_book()
    paid = Line(dt.date(2026, 3, 2), "Sortie zoo famille Durand", banque_recette=Decimal("35.00"), chapitre="7560",
                piece="R904", mode="CHQ")  # fmt: skip
    unpaid = Line(dt.date(2026, 3, 12), "Chèque impayé famille Durand (chèque n° 4521)",
                  banque_depense=Decimal("35.00"), chapitre="7560", piece="D904", mode="PRLV")  # fmt: skip
    add(book, paid, unpaid)
    settle(book)
    result = check(book)
    assert found(result) == [(Code.CHAPTER_REDUCTION, f"Journal!L{row_of(book, unpaid)}", Severity.WARNING)]
