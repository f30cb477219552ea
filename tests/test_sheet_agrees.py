"""Issue 11, the sheet half: for every book the tool accepts, the cahier's own live formulas, recalculated by real
LibreOffice, give the tool's figures to the cent — and no sheet of an accepted cahier shows an error value or
« À corriger ».

The books are random (seeded) school years from ``sample_book``, each with the year's awkward operations added as a
teacher types them: credit notes and refunds (reductions, counted in minus), cancelled cheques, ticks dated before
and after 31 August, ticks of spaces only, chapters written on 8 digits, the 6168 alias, a finer code (6181)
rolled up, amounts typed as text (« 45,50 € »), an opening balance typed as text, régies d'avance settled or still
open, withdrawals. They are all converted by one LibreOffice run. What the tool cannot make the sheet compute is a
finding at its cell (SPLIT_TEXT, TICK_TEXT), tested without LibreOffice at the end.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from workbook_tools import layout as L
from workbook_tools.chart import default_chart
from workbook_tools.fill import Book, Line, write_cahier
from workbook_tools.libreoffice import convert_all
from workbook_tools.model import Code, Severity
from workbook_tools.rules import regie_balances
from workbook_tools.sample import sample_book
from workbook_tools.template import crf_names, journal_headers
from workbook_tools.validate import CheckResult, check_file

CHART = default_chart()
BOOKS = 16
END = dt.date(2026, 8, 31)
AMOUNTS = ("banque_recette", "banque_depense", "caisse_recette", "caisse_depense")
# what an accepted book of this test may be warned about (every other finding fails the test)
ALLOWED_WARNINGS = {
    Code.CHAPTER_REDUCTION, Code.CHAPTER_ROLLUP, Code.AMOUNT_TEXT, Code.REGIE_OPEN, Code.SUBVENTION_UNTRACED,
    Code.DATE_ORDER, Code.PIECE_MISSING, Code.MODE_MISMATCH, Code.BANK_NEGATIVE,
}  # fmt: skip


def _d(text: str | Decimal) -> Decimal:
    return Decimal(str(text).replace("\u202f", "").replace(" ", "").replace("€", "").replace(",", "."))


def _euros(rng: random.Random, low: int, high: int) -> Decimal:
    return (Decimal(rng.randint(low * 100, high * 100)) / 100).quantize(Decimal("0.01"))


def _as_text(amount: Decimal) -> str:
    """How a pasted amount looks: « 1 234,50 € » (narrow no-break space between thousands)."""
    whole, frac = f"{amount:.2f}".split(".")
    return f"{int(whole):,}".replace(",", "\u202f") + f",{frac} €"


def _count_cash(cents: int) -> dict[int, int]:
    counts: dict[int, int] = {}
    for face in L.DENOMINATIONS_CENTS:
        n, cents = divmod(cents, face)
        if n:
            counts[face] = n
    return counts


def awkward_book(seed: int) -> Book:
    """A realistic year (``sample_book``) and, in August, the operations of issue 11 — then the year closed again:
    statement balance from the lines really on it at 31 August, cash count from the cash box."""
    rng = random.Random(seed)
    book = sample_book(coop=f"7{seed:04d}", lines=rng.randint(45, 70), seed=100 + seed)
    pieces = (f"S{n:03d}" for n in itertools.count(1))
    cheques = (f"99{seed:02d}{n:04d}" for n in itertools.count(1))  # 8 digits: never one of the sample's 7
    day = iter(range(1, 29))

    def aug() -> dt.date:
        return dt.date(2026, 8, next(day))

    add = book.lines.append
    add(Line(aug(), "Retrait d'espèces pour le mois d'août", banque_depense=Decimal(300), caisse_recette=Decimal(300),
             mode="ESP", pointe="x"))  # fmt: skip
    # reductions: a supplier's credit note (a receipt on a charge), refunds to families (expenses on produits)
    credit = _euros(rng, 5, 40)
    add(Line(aug(), "Avoir de la librairie", banque_recette=credit, mode="VIR", piece=next(pieces), pointe="x",
             chapitre=rng.choice(["6180", "6180 Activités pédagogiques", "61800008"])))  # fmt: skip
    refund = _euros(rng, 3, 15)
    add(Line(aug(), "Remboursement participation famille Martin", caisse_depense=refund, mode="ESP",
             piece=next(pieces), chapitre=rng.choice(["7560", "7080"])))  # fmt: skip
    photo = _euros(rng, 2, 8)
    add(Line(aug(), "Photos remboursées famille Petit", banque_depense=photo, split={"7070": photo}, mode="CHQ",
             cheque=next(cheques), piece=next(pieces), pointe="x"))  # fmt: skip
    if rng.random() < 0.5:  # a subsidy partly returned: the Subventions sheet then differs (a warning)
        add(Line(aug(), "Reversement d'une part de la subvention", banque_depense=_euros(rng, 10, 30), mode="VIR",
                 chapitre="7410", piece=next(pieces), pointe="x"))  # fmt: skip
    # cancelled cheques: a cheque number, no amount, the mark in Mode or in the label
    add(Line(aug(), "Chèque abîmé", cheque=next(cheques), mode="ANNULÉ", piece=next(pieces)))
    add(Line(aug(), "Chèque annulé (erreur de montant)", cheque=next(cheques), mode="CHQ"))
    # chapters as written on the books of other years: 6168 (insurance), 8 digits, a finer code
    add(Line(aug(), "Assurance MAE complémentaire", banque_depense=_euros(rng, 10, 40), mode="VIR",
             chapitre=rng.choice(["6168", "61680000"]), piece=next(pieces), pointe="x"))  # fmt: skip
    add(Line(aug(), "Cotisation OCCE rappel", banque_depense=_euros(rng, 5, 20), mode="VIR", chapitre="62810008",
             piece=next(pieces), pointe="x"))  # fmt: skip
    add(Line(aug(), "Fournitures de la classe", caisse_depense=_euros(rng, 5, 25), mode="ESP",
             chapitre=rng.choice(["6181", "61810000", "6181 Petit matériel"]), piece=next(pieces)))  # fmt: skip
    # amounts typed as text, as pasted from a bank export
    add(Line(aug(), "Vente de gâteaux", caisse_recette=_as_text(_euros(rng, 20, 80)), mode="ESP", chapitre="7080",
             piece=next(pieces)))  # fmt: skip
    add(Line(aug(), "Car pour la kermesse", banque_depense=_as_text(_euros(rng, 150, 400)), mode="VIR",
             chapitre="6180", piece=next(pieces), pointe="x"))  # fmt: skip
    # régies d'avance: one settled (advance, full return, the justified expense), maybe one still open
    advance = _euros(rng, 30, 60)
    spent = _euros(rng, 5, int(advance) - 1)
    add(Line(aug(), "Régie d'avance Mme Dupont", caisse_depense=advance, mode="ESP"))
    add(Line(aug(), "Retour régie Mme Dupont", caisse_recette=advance, mode="ESP"))
    add(Line(aug(), "Achats de la sortie (régie Mme Dupont)", caisse_depense=spent, mode="ESP", chapitre="6180",
             piece=next(pieces)))  # fmt: skip
    if rng.random() < 0.5:
        add(Line(aug(), "Régie d'avance M. Garnier", caisse_depense=_euros(rng, 10, 40), mode="ESP"))
    # ticks: the statement's date (before or after 31 August), spaces only
    bank = [x for x in book.lines if x.banque_recette is not None or x.banque_depense is not None]
    for line in rng.sample(bank, k=min(len(bank), 12)):
        line.pointe = rng.choice([dt.date(2026, 6, 30), dt.date(2026, 8, 31), dt.date(2026, 9, 4), "   ", "x"])
    if rng.random() < 0.5:  # the opening balance pasted as text
        book.params["report_banque"] = _as_text(_d(book.params["report_banque"]))
    _close_year(book)
    if rng.random() < 0.3:  # the statement's balance too
        book.params["releve_31_08"] = _as_text(_d(book.params["releve_31_08"]))
    return book


def _ticked_at_31_08(line: Line) -> bool:
    tick = line.pointe
    if isinstance(tick, dt.date):
        return tick <= END
    return tick is not None and tick.strip() != ""


def _close_year(book: Book) -> None:
    bank, cash = _d(book.params["report_banque"]), _d(book.params["report_caisse"])
    outstanding = Decimal(0)
    for line in book.lines:
        br, bd, cr, cd = (_d(getattr(line, k) or 0) for k in AMOUNTS)
        bank += br - bd
        cash += cr - cd
        if not _ticked_at_31_08(line):
            outstanding += br - bd
    book.params["releve_31_08"] = bank - outstanding
    book.caisse = _count_cash(int(cash * 100))


@dataclass
class Converted:
    book: Book
    result: CheckResult
    sheet: Any  # the workbook recalculated by LibreOffice, values only


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> list[Converted]:
    folder = tmp_path_factory.mktemp("agree")
    books = [awkward_book(seed) for seed in range(BOOKS)]
    files = [write_cahier(book, folder / f"cahier-{i:02d}.xlsx") for i, book in enumerate(books)]
    _type_actions_in_cra(files[0], books[0])
    recalculated = convert_all(files, "xlsx", folder / "lo")
    return [
        Converted(book, check_file(path), openpyxl.load_workbook(lo, data_only=True))
        for book, path, lo in zip(books, files, recalculated, strict=True)
    ]


def _actions(book: Book) -> list[str]:
    return sorted({line.action for line in book.lines if line.action})


def _type_actions_in_cra(path: Path, book: Book) -> None:
    """The teacher lists the year's actions in the CRA sheet: its receipts and expenses are then computed."""
    wb = openpyxl.load_workbook(path)
    for i, action in enumerate(_actions(book)):
        wb[L.SHEET_CRA].cell(L.CRA_FIRST_ROW + i, 1).value = action
    wb.save(path)


def _cents(value: Any) -> int | None:
    if value in (None, ""):
        return None
    assert isinstance(value, int | float), value
    return int((Decimal(str(value)) * 100).quantize(Decimal(1)))


def _named(wb: Any, name: str) -> Any:
    (sheet, ref), *_ = list(wb.defined_names[name].destinations)
    return wb[sheet][ref.replace("$", "")].value


def _tool_figures(result: CheckResult) -> dict[str, int | None]:
    """The tool's figures under the names of the CRF sheet's cells."""
    t = result.totals
    assert t is not None and result.journal is not None
    regies = regie_balances(result.journal)
    open_regies = int((regies["avances"] - regies["retours"]).sum()) if len(regies) else 0
    assert open_regies == t.regies_en_cours
    figures: dict[str, int | None] = {f"crf_{code}": cents for code, cents in t.chapitres.items()}
    for name, meaning in crf_names().items():
        if meaning.isidentifier() and hasattr(t, meaning):
            figures[name] = getattr(t, meaning)
    subsidies = sum(t.chapitres[c.code] for c in CHART.produits if c.code.startswith("74"))
    figures |= {
        "crf_ecart_bilan": t.report + t.resultat - t.disponible_fin - open_regies,
        "crf_ecart_rapprochement": t.ecart_rapprochement,
        "crf_ecart_caisse": t.ecart_caisse,
        "crf_subventions_journal": subsidies,
    }
    assert set(figures) == set(crf_names()), set(crf_names()) ^ set(figures)
    return figures


def _journal_totals(wb: Any) -> dict[str, int | None]:
    """Row 2 of the Journal, above each amount and chapter column and « Reste à ventiler »."""
    ws = wb[L.SHEET_JOURNAL]
    return {header: _cents(ws.cell(L.JOURNAL_TOTALS_ROW, col).value) for col, header in _totalled_columns()}


def _totalled_columns() -> list[tuple[int, str]]:
    headers = journal_headers()
    first = len(L.JOURNAL_COLUMNS)
    keys = [k for k, _ in L.JOURNAL_COLUMNS]
    cols = [(keys.index(k) + 1, k) for k in AMOUNTS]
    cols += [(first + i + 1, c.code) for i, c in enumerate(CHART.chapitres)]
    cols.append((len(headers), "reste"))
    return cols


def _independent(book: Book) -> dict[str, int]:
    """The chapters and balances summed here from the book's lines with Decimal (not the code under test): a receipt
    on a charge or an expense on a produit counts in minus; 8-digit codes, 6168 and 6181 as the chart says."""
    chap: dict[str, Decimal] = defaultdict(Decimal)
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for line in book.lines:
        amounts = {k: _d(getattr(line, k) or 0) for k in AMOUNTS}
        for k, v in amounts.items():
            sums[k] += v
        present = [k for k, v in amounts.items() if v]
        if len(present) != 1 or (not line.split and not line.chapitre):
            continue  # movements, cancelled cheques, régies: in no chapter
        expense = present[0] in ("banque_depense", "caisse_depense")
        parts = line.split or {line.chapitre or "": sum(amounts.values())}
        for written, amount in parts.items():
            resolved = CHART.resolve(written)
            assert resolved is not None and resolved.code is not None, written
            charge = CHART.by_code[resolved.code].is_charge
            chap[resolved.code] += _d(amount) if expense == charge else -_d(amount)
    out = {f"crf_{c.code}": int(chap[c.code] * 100) for c in CHART.chapitres}
    out |= {f"crf_{k}s": int(v * 100) for k, v in sums.items()}
    return out


@pytest.mark.libreoffice
def test_random_accepted_books_recalculated_by_libreoffice_equal_the_tool(converted: list[Converted]) -> None:
    compared = 0
    for c in converted:
        errors = [f"{f.cell} {f.code}: {f.message}" for f in c.result.findings if f.severity is Severity.ERROR]
        assert errors == [], errors
        warned = {f.code for f in c.result.findings}
        assert warned <= ALLOWED_WARNINGS, warned - ALLOWED_WARNINGS
        tool = _tool_figures(c.result)
        sheet = {name: _cents(_named(c.sheet, name)) for name in tool}
        assert sheet == tool
        independent = _independent(c.book)
        assert {k: tool[k] for k in independent} == independent
        t = c.result.totals
        assert t is not None
        row2 = _journal_totals(c.sheet)
        expected_row2: dict[str, int | None] = {k: getattr(t, k + "s") for k in AMOUNTS}
        expected_row2 |= dict(t.chapitres) | {"reste": 0}
        assert row2 == expected_row2
        compared += len(tool) + len(row2)
    warned = {f.code for c in converted for f in c.result.findings}
    assert {Code.CHAPTER_REDUCTION, Code.CHAPTER_ROLLUP, Code.AMOUNT_TEXT, Code.REGIE_OPEN} <= warned
    assert compared >= BOOKS * 50
    print(f"\n{BOOKS} livres, {compared} chiffres comparés au centime")


def _bad_cells(wb: Any) -> list[str]:
    return [
        f"{ws.title}!{cell.coordinate}={cell.value}"
        for ws in wb
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and (cell.value.startswith(("#", "Err:")) or cell.value == "À corriger")
    ]


@pytest.mark.libreoffice
def test_no_sheet_of_an_accepted_cahier_shows_an_error_or_a_correction(converted: list[Converted]) -> None:
    for c in converted:
        assert c.result.ok
        assert _bad_cells(c.sheet) == []
        ws = c.sheet[L.SHEET_JOURNAL]
        rem = len(journal_headers())
        remainders = [
            ws.cell(r, rem).value for r in range(L.JOURNAL_FIRST_ROW, L.JOURNAL_FIRST_ROW + len(c.book.lines))
        ]
        assert set(remainders) <= {0, None, ""}, (
            remainders
        )  # movements, régies, cancelled cheques: nothing to ventilate
        crf = c.sheet[L.SHEET_CRF]
        checks = [cell.value for row in crf.iter_rows() for cell in row if cell.value in ("OK", "À vérifier")]
        assert checks.count("OK") >= 3  # bilan, rapprochement, caisse


@pytest.mark.libreoffice
def test_arrete_de_caisse_counts_euros(converted: list[Converted]) -> None:
    """« Total compté » is the euros counted (the tool's caisse_comptee), never the number of notes and coins."""
    for c in converted[:3]:
        ws = c.sheet[L.SHEET_CAISSE]
        total = L.CAISSE_TOTAL_ROW
        assert ws.cell(total, 1).value == "Total compté (en euros)"
        assert ws.cell(total, 2).value in (None, "")
        counted = sum(face * n for face, n in c.book.caisse.items())
        assert _cents(ws.cell(total, 3).value) == counted == c.result.totals.caisse_comptee  # type: ignore[union-attr]
        assert ws.cell(total + 3, 3).value == 0  # écart compté − cahier


# --------------------------------------------------------------------------- what the sheet cannot compute


def _one(book: Book, tmp_path: Path) -> CheckResult:
    _close_year(book)
    return check_file(write_cahier(book, tmp_path / "cahier.xlsx"))


@pytest.fixture
def small() -> Book:
    book = sample_book(lines=45, seed=21)
    book.lines.append(Line(dt.date(2026, 8, 3), "Livres", banque_depense=Decimal("12.50"), chapitre="6180",
                           piece="Z1", mode="CB", pointe="x"))  # fmt: skip
    return copy.deepcopy(book)


@pytest.mark.slow
def test_split_typed_as_text_is_an_error_at_its_cell(small: Book, tmp_path: Path) -> None:
    line = small.lines[-1]
    line.chapitre, line.split = None, {"6180": "12,50 €"}
    result = _one(small, tmp_path)
    row = L.JOURNAL_FIRST_ROW + len(small.lines) - 1
    col = L.column_letter(journal_headers().index("6180 Activités pédagogiques"))
    found = [(f.code, f.cell, f.severity) for f in result.findings if f.code is Code.SPLIT_TEXT]
    assert found == [(Code.SPLIT_TEXT, f"Journal!{col}{row}", Severity.ERROR)]
    assert "Retapez-le comme un nombre" in next(f.message for f in result.findings if f.code is Code.SPLIT_TEXT)
    assert result.totals is not None and result.totals.chapitres["6180"] > 0  # still read: the message says how


@pytest.mark.slow
def test_amount_typed_as_text_in_h_to_k_is_only_a_warning(small: Book, tmp_path: Path) -> None:
    small.lines[-1].banque_depense = "12,50 €"  # type: ignore[assignment]
    result = _one(small, tmp_path)
    assert result.ok
    assert [f.code for f in result.findings if f.code in (Code.AMOUNT_TEXT, Code.SPLIT_TEXT)] == [Code.AMOUNT_TEXT]


@pytest.mark.slow
def test_amount_the_spreadsheet_cannot_read_is_refused(small: Book, tmp_path: Path) -> None:
    small.lines[-1].banque_depense = "\u2003１２,５０"  # type: ignore[assignment]  # digits of another width
    result = _one(small, tmp_path)
    invalid = [f for f in result.findings if f.code is Code.AMOUNT_INVALID]
    assert len(invalid) == 1 and "le tableur ne lit pas" in invalid[0].message


@pytest.mark.slow
@pytest.mark.parametrize(("tick", "finding"), [("04/09/2026", True), ("30/06/2026", False), ("x", False)])
def test_tick_typed_as_a_text_date(small: Book, tmp_path: Path, tick: str, finding: bool) -> None:
    """A tick dated after 31 August in text: the tool reads the date (outstanding), the sheet sees a mark (ticked):
    an error at the cell. Up to 31 August, both count it ticked: nothing to say."""
    small.lines[-1].pointe = tick
    result = _one(small, tmp_path)
    row = L.JOURNAL_FIRST_ROW + len(small.lines) - 1
    found = [(f.cell, f.severity) for f in result.findings if f.code is Code.TICK_TEXT]
    assert found == ([(f"Journal!A{row}", Severity.ERROR)] if finding else [])


@pytest.mark.libreoffice
def test_cra_actions_are_net_like_the_tool(converted: list[Converted]) -> None:
    """The CRA sheet's receipts and expenses per action are the tool's (``bilan.ActionTotal``): what the action's
    lines put in produit and charge chapters, reductions in minus."""
    c = converted[0]
    journal = c.result.journal
    assert journal is not None
    produits = [f"c_{x.code}" for x in CHART.produits]
    charges = [f"c_{x.code}" for x in CHART.charges]
    ws = c.sheet[L.SHEET_CRA]
    actions = _actions(c.book)
    assert len(actions) >= 3
    for i, action in enumerate(actions):
        lines = journal[journal["action"] == action]
        expected = (int(lines[produits].to_numpy().sum()), int(lines[charges].to_numpy().sum()))
        row = L.CRA_FIRST_ROW + i
        assert (_cents(ws.cell(row, 5).value), _cents(ws.cell(row, 6).value)) == expected, action


def test_template_holds_what_its_formulas_read() -> None:
    """Hidden helpers right of « Reste à ventiler », the code tables of column L, the values read in Paramètres, the
    arrêté de caisse with its date and signatures."""
    from workbook_tools.fill import template_path
    from workbook_tools.template.common import HELPERS

    wb = openpyxl.load_workbook(template_path())
    ws = wb[L.SHEET_JOURNAL]
    rem = len(journal_headers())
    hidden = ws.column_dimensions[L.column_letter(rem)]  # the helpers' columns, one group
    assert hidden.hidden and (hidden.min, hidden.max) == (rem + 1, rem + len(HELPERS))
    for i in range(len(HELPERS)):
        assert ws.cell(L.JOURNAL_HEADER_ROW, rem + 1 + i).value is None
        assert str(ws.cell(L.JOURNAL_FIRST_ROW, rem + 1 + i).value).startswith("=")
    listes = wb[L.SHEET_LISTES]
    codes = {listes.cell(r, 4).value: listes.cell(r, 5).value for r in range(2, 40) if listes.cell(r, 4).value}
    prefixes = {listes.cell(r, 7).value: listes.cell(r, 8).value for r in range(2, 40) if listes.cell(r, 7).value}
    assert codes["6168"] == "6282" and codes["6180"] == "6180" and len(codes) == len(CHART.chapitres) + 1
    assert prefixes["618"] == "6180" and "628" not in prefixes  # 6281 and 6282 share it: 6283 stays unknown
    for name in ("report_banque_lu", "report_caisse_lu", "releve_31_08_lu", L.EXERCICE_END_NAME, L.CAISSE_DATE_NAME):
        assert name in wb.defined_names, name
    caisse = wb[L.SHEET_CAISSE]
    assert caisse.cell(L.CAISSE_TOTAL_ROW, 1).value == "Total compté (en euros)"
    assert caisse.cell(L.CAISSE_TOTAL_ROW, 2).value is None  # no count of notes and coins beside it
    assert caisse.cell(L.CAISSE_DATE_ROW, 1).value == "Caisse arrêtée le"
    assert caisse.cell(L.CAISSE_DATE_ROW, 2).protection.locked is False
    signatures = [caisse.cell(L.CAISSE_SIGNATURE_ROW, c).value for c in (1, 3)]
    assert signatures == ["Le mandataire (nom et signature)", "Un témoin, vérificateur aux comptes (nom et signature)"]
