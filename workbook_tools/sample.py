"""Realistic books of a school cooperative, made up but true to OCCE practice.

One school year: families' contributions in cash then deposited at the bank,
the OCCE membership cheque split 6281/6282, class photos bought and sold, a
loto, subsidies from the town and the parents' association, class trips, a
6800 purchase with its inventory line, a solidarity collection, petty-cash
withdrawals; ticked against the bank statement, with a year-end statement
balance and a cash count that agree. Deterministic for a seed, and clean:
no error, no warning. Used by the tests, the demo and the benchmarks.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from workbook_tools import layout
from workbook_tools.fill import Book, Line

FAMILIES = [
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
    "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard",
    "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefèvre", "Faure", "André",
    "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Garcia",
]  # fmt: skip
CLASSES = ["PS", "MS", "GS", "CP", "CE1", "CE2", "CM1", "CM2"]
TRIPS = ["zoo", "musée", "ferme pédagogique", "cinéma", "théâtre", "piscine", "château", "médiathèque"]
SHOPS = ["Librairie du Centre", "Papeterie Dupuis", "Super U", "Leclerc", "Nature et Découvertes", "Décathlon"]
COMMUNES = ["Villeurbanne", "Vénissieux", "Bron", "Oullins", "Tarare", "Givors", "Brignais", "Meyzieu"]


def _d(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


class _Year:
    """Builds the lines in date order while keeping the bank and the cash box above zero."""

    def __init__(self, rng: random.Random, start_year: int, bank: int, cash: int) -> None:
        self.rng = rng
        self.y = start_year
        self.bank, self.cash = bank, cash
        self.items: list[tuple[dt.date, int, Line]] = []
        self.n_in = self.n_out = 0
        self.cheque = rng.randint(1_000_000, 9_000_000)

    def date(self, month: int, day: int | None = None) -> dt.date:
        year = self.y if month >= 9 else self.y + 1
        last = 30 if month in (4, 6, 9, 11) else 28 if month == 2 else 31
        return dt.date(year, month, day or self.rng.randint(1, last))

    def add(self, when: dt.date, line: Line) -> None:
        self.items.append((when, len(self.items), line))

    def receipt(self, when: dt.date, label: str, cents: int, *, cash: bool, chapitre: str | None = None,
                split: dict[str, int] | None = None, action: str | None = None, mode: str | None = None) -> None:  # fmt: skip
        self.n_in += 1
        line = Line(when, label, piece=f"R{self.n_in:03d}", action=action,
                    mode=mode or ("ESP" if cash else self.rng.choice(["CHQ", "VIR"])))  # fmt: skip
        if cash:
            line.caisse_recette = _d(cents)
        else:
            line.banque_recette = _d(cents)
        if split:
            line.split = {k: _d(v) for k, v in split.items()}
        else:
            line.chapitre = chapitre
        self.add(when, line)

    def expense(self, when: dt.date, label: str, cents: int, *, cash: bool = False, chapitre: str | None = None,
                split: dict[str, int] | None = None, action: str | None = None, mode: str | None = None) -> Line:  # fmt: skip
        self.n_out += 1
        line = Line(when, label, piece=f"D{self.n_out:03d}", action=action)
        if cash:
            line.caisse_depense, line.mode = _d(cents), "ESP"
        else:
            line.banque_depense = _d(cents)
            line.mode = mode or self.rng.choice(["CHQ", "CB", "VIR"])
            if line.mode == "CHQ":
                self.cheque += 1
                line.cheque = str(self.cheque)
        if split:
            line.split = {k: _d(v) for k, v in split.items()}
        else:
            line.chapitre = chapitre
        self.add(when, line)
        return line


def sample_book(
    *,
    coop: str = "69001",
    exercice: str = "2025-2026",
    lines: int = 300,
    seed: int = 1,
    name: str | None = None,
) -> Book:
    """A clean, realistic book of about ``lines`` lines (at least about 40)."""
    rng = random.Random(seed)
    y = int(exercice[:4])
    commune = rng.choice(COMMUNES)
    report_banque = rng.randint(80_000, 400_000)
    report_caisse = rng.randint(2_000, 15_000)
    year = _Year(rng, y, report_banque, report_caisse)
    classes = rng.sample(CLASSES, k=rng.randint(3, 6))
    n_families = max(8, int((lines - 40) / 2.6))

    fixed = _fixed_events(year, commune)
    collecte = _families(year, n_families)
    _trips(year, classes)
    _loto(year, n_families)
    if collecte:
        year.expense(
            year.date(4, 2),
            "Versement collecte solidarité (Restos du cœur)",
            collecte,
            chapitre="6700",
            action="Solidarité",
            mode="VIR",
        )
    _small_purchases(year, lines)

    book = _finish(
        year,
        coop,
        exercice,
        name or f"École {rng.choice(['Jean Moulin', 'Jules Ferry', 'Victor Hugo', 'Louise Michel', 'Marie Curie'])}",
        commune,
        report_banque,
        report_caisse,
    )
    _annexes(book, year, commune, fixed, classes)
    return book


@dataclass
class _Fixed:
    """What the annexes need of the fixed events: the subsidies and the 6800 purchase."""

    subsidy_town: int
    subsidy_ape: int
    durable: Line


def _fixed_events(year: _Year, commune: str) -> _Fixed:
    """The events of every year: OCCE affiliation, subsidies, class photos, a tablet (6800)."""
    rng = year.rng
    affil = {"6281": rng.randint(150, 400) * 100, "6282": rng.randint(40, 120) * 100, "6180": rng.randint(20, 60) * 100}
    year.expense(
        year.date(10, 10), "Affiliation OCCE, assurance et abonnement", sum(affil.values()), split=affil, mode="CHQ"
    )
    subsidy_town = rng.randint(30, 120) * 1000
    year.receipt(
        year.date(11, 15), f"Subvention mairie de {commune}", subsidy_town, cash=False, chapitre="7410", mode="VIR"
    )
    subsidy_ape = rng.randint(10, 60) * 1000
    year.receipt(
        year.date(2, 10), "Subvention association des parents", subsidy_ape, cash=False, chapitre="7420", mode="CHQ"
    )
    photo_cost = rng.randint(200, 500) * 100
    year.expense(
        year.date(11, 20),
        "Photos de classe (photographe)",
        photo_cost,
        chapitre="6070",
        action="Photos de classe",
        mode="CHQ",
    )
    tablet = rng.randint(150, 450) * 100
    durable = year.expense(year.date(1, 12), "Tablette numérique pour la classe", tablet, chapitre="6800", mode="VIR")
    return _Fixed(subsidy_town, subsidy_ape, durable)


def _families(year: _Year, n_families: int) -> int:
    """Each family: contribution in September (cash), photo purchase in December (cash, split with a donation
    sometimes), a gift to the solidarity collection in March sometimes. → the collection's total."""
    rng = year.rng
    collecte = 0
    for i in range(n_families):
        fam = f"{FAMILIES[i % len(FAMILIES)]}{'' if i < len(FAMILIES) else ' ' + str(i // len(FAMILIES) + 1)}"
        year.receipt(
            year.date(9, rng.randint(5, 28)),
            f"Participation famille {fam}",
            rng.choice([1500, 2000, 2500]),
            cash=True,
            chapitre="7560",
        )
        photo = rng.choice([800, 1200, 1500])
        if rng.random() < 0.25:
            year.receipt(
                year.date(12, rng.randint(1, 15)),
                f"Photos et don famille {fam}",
                photo + 500,
                cash=True,
                split={"7070": photo, "7560": 500},
                action="Photos de classe",
            )
        else:
            year.receipt(
                year.date(12, rng.randint(1, 15)),
                f"Photos famille {fam}",
                photo,
                cash=True,
                chapitre="7070",
                action="Photos de classe",
            )
        if rng.random() < 0.3:
            gift = rng.choice([200, 500, 1000])
            collecte += gift
            year.receipt(
                year.date(3, rng.randint(1, 20)),
                f"Collecte solidarité famille {fam}",
                gift,
                cash=True,
                chapitre="7700",
                action="Solidarité",
            )
    return collecte


def _trips(year: _Year, classes: list[str]) -> None:
    """One trip per class: bus by cheque, entries by card, families' participation by cheque."""
    rng = year.rng
    for cls in classes:
        trip = rng.choice(TRIPS)
        action = f"Sortie {trip} {cls}"
        month = rng.choice([10, 11, 3, 4, 5, 6])
        bus, entries = rng.randint(250, 600) * 100, rng.randint(60, 250) * 100
        year.expense(
            year.date(month, 20), f"Car pour la sortie {trip} {cls}", bus, chapitre="6180", action=action, mode="CHQ"
        )
        year.expense(year.date(month, 21), f"Entrées {trip} {cls}", entries, chapitre="6180", action=action, mode="CB")
        year.receipt(
            year.date(month, 12),
            f"Participation familles sortie {cls}",
            (bus + entries) * rng.randint(70, 100) // 10_000 * 100,  # families pay most of a trip
            cash=False,
            chapitre="7080",
            action=action,
            mode="CHQ",
        )


def _loto(year: _Year, n_families: int) -> None:
    """The loto in March: lots bought, tickets sold in cash."""
    rng = year.rng
    year.expense(
        year.date(3, 2), "Lots pour le loto", rng.randint(100, 300) * 100, chapitre="6500", action="Loto", mode="CB"
    )
    for k in range(max(2, n_families // 10)):
        year.receipt(
            year.date(3, 14),
            f"Loto : vente des cartons, table {k + 1}",
            rng.randint(50, 250) * 100,
            cash=True,
            chapitre="7500",
            action="Loto",
        )


def _small_purchases(year: _Year, lines: int) -> None:
    """Small purchases through the year until the target size is reached, then the stamps of late June."""
    rng = year.rng
    month_cycle = [9, 10, 11, 12, 1, 2, 3, 4, 5, 6]
    while len(year.items) < lines - 12:
        m = rng.choice(month_cycle)
        year.expense(
            year.date(m),
            f"{rng.choice(['Livres', 'Peinture', 'Jeux', 'Papier', 'Graines', 'Matériel'])} — {rng.choice(SHOPS)} ({len(year.items)})",
            rng.randint(800, 9000),
            chapitre="6180",
            mode="CB",
        )
    year.expense(year.date(6, 28), "Timbres-poste", rng.randint(20, 60) * 100, chapitre="6500", mode="CB")


def _annexes(book: Book, year: _Year, commune: str, fixed: _Fixed, classes: list[str]) -> None:
    """The Inventaire (the tablet), the Subventions with their pieces once numbered, and the actions."""
    durable = fixed.durable
    book.inventaire.append(
        {
            "date": durable.date,
            "piece": durable.piece,
            "designation": "Tablette numérique",
            "valeur": durable.banque_depense,
        }
    )
    book.subventions.extend([
        {"date": year.date(11, 15), "organisme": f"Mairie de {commune}", "objet": "Fonctionnement", "montant": _d(fixed.subsidy_town), "piece": None},
        {"date": year.date(2, 10), "organisme": "Association des parents", "objet": "Sorties", "montant": _d(fixed.subsidy_ape), "piece": None},
    ])  # fmt: skip
    for line in book.lines:  # the pieces of subsidies, once numbered
        for s in book.subventions:
            if line.date == s["date"] and line.chapitre in ("7410", "7420"):
                s["piece"] = line.piece
    book.actions = [{"action": f"Sortie {t}", "classes": c} for t, c in zip(TRIPS, classes, strict=False)]


def _finish(year: _Year, coop: str, exercice: str, name: str, commune: str, bank0: int, cash0: int) -> Book:
    """Order the lines, deposit cash when the box holds too much, withdraw when it lacks, tick, close the year."""
    rng = year.rng
    year.items.sort(key=lambda t: (t[0], t[1]))
    out: list[Line] = []
    bank, cash = bank0, cash0
    low = bank
    for i, (when, _, line) in enumerate(year.items):
        out.append(line)
        bank += _c(line.banque_recette) - _c(line.banque_depense)
        cash += _c(line.caisse_recette) - _c(line.caisse_depense)
        last_of_day = i + 1 == len(year.items) or year.items[i + 1][0] != when
        if cash > 30_000 and last_of_day:  # deposit the cash at the bank at the end of the day, keep a float
            amount = cash - 5_000
            out.append(
                Line(
                    when,
                    "Dépôt des espèces à la banque",
                    caisse_depense=_d(amount),
                    banque_recette=_d(amount),
                    mode="ESP",
                )
            )
            cash -= amount
            bank += amount
        low = min(low, bank)
    if low < 0:  # a cooperative never lives on an overdraft: it had more in the bank on 1 September
        extra = -low + rng.randint(100, 500) * 100
        bank0 += extra
        bank += extra
    # tick bank lines, except a few of late June
    for line in out:
        if line.banque_recette is not None or line.banque_depense is not None:
            late = isinstance(line.date, dt.date) and line.date.month in (6, 7, 8) and rng.random() < 0.5
            line.pointe = None if late else "x"
    unticked = sum(_c(x.banque_recette) - _c(x.banque_depense) for x in out if x.pointe is None)
    counts = _count_cash(cash)
    params = {
        "coop_numero": coop,
        "coop_nom": name,
        "coop_commune": commune,
        "coop_mandataire": rng.choice(["Mme Durand", "M. Petit", "Mme Leroy", "M. Garnier"]),
        "exercice": exercice,
        "report_banque": _d(bank0),
        "report_caisse": _d(cash0),
        "releve_31_08": _d(bank - unticked),
    }
    return Book(params=params, lines=out, caisse=counts)


def _c(v: object) -> int:
    return 0 if v is None else int(Decimal(str(v)) * 100)


def _count_cash(cents: int) -> dict[int, int]:
    counts: dict[int, int] = {}
    for face in layout.DENOMINATIONS_CENTS:
        n, cents = divmod(cents, face)
        if n:
            counts[face] = n
    return counts
