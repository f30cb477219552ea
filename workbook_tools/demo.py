"""A small department to try the tool on: cooperatives, their cahiers (some with typical mistakes),
run through the watcher path into a local store, with the reports, CRFs and the consolidation.

Everything lives in one folder (``./demo`` by default): ``inbox/`` (one folder per cooperative, as
the sync client would fill it), ``store/`` (every version), ``tresorier/`` (the treasurer's outbox)
and ``coops.csv`` (the roster: number, name, commune, circonscription and e-mail; one cooperative on it never
sends anything).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from workbook_tools.fill import Book, Line, write_cahier
from workbook_tools.sample import sample_book

EXERCICE = "2025-2026"
SCHOOLS = [
    "École Jules Ferry", "École Jean Moulin", "École Victor Hugo", "École Louise Michel", "École Marie Curie",
    "École Jean Jaurès", "École Paul Bert", "École Jacques Prévert", "École Pasteur", "École Condorcet",
    "École Simone Veil", "École Les Tilleuls",
]  # fmt: skip
AUG = dt.date(2026, 8, 24)


def _split_mismatch(b: Book) -> str:
    b.lines.append(Line(AUG, "Affiliation OCCE 2e versement", banque_depense="154.00", split={"6281": "100.00", "6282": "45.00"}, piece="D900", mode="CHQ", cheque="7700123"))  # fmt: skip
    return "une ventilation qui ne fait pas le total (chiffres inversés)"


def _date_and_credit_note(b: Book) -> str:
    b.lines.append(Line(dt.date(2026, 9, 4), "Kermesse : vente de crêpes", caisse_recette="86.50", chapitre="7080", piece="R900", mode="ESP"))  # fmt: skip
    b.lines.append(Line(AUG, "Remboursement sortie", banque_recette="40.00", chapitre="6180", piece="R901", mode="CHQ"))  # fmt: skip
    return "une date hors de l'exercice (et un avoir du transporteur en 6180 : un avertissement)"


def _cash_negative(b: Book) -> str:
    b.lines.append(Line(AUG, "Goûter de fin d'année (espèces)", caisse_depense="480.00", chapitre="6180", piece="D901", mode="ESP"))  # fmt: skip
    return "une caisse qui passe sous zéro"


def _report_as_receipt(b: Book) -> str:
    first = b.lines[0].date
    b.lines.insert(0, Line(first, "Report à nouveau de l'an dernier", banque_recette="1200.00", chapitre="7700", piece="R000", mode="VIR", pointe="x"))  # fmt: skip
    b.params["releve_31_08"] = str(b.params["releve_31_08"] + 1200)
    return "le report à nouveau compté comme une recette (avertissement)"


UNSIGNED = {6: "verificateur2", 12: "all"}  # quitus not (fully) signed yet, as in a real department


def _cra_and_quitus(b: Book, i: int) -> None:
    """The CRA filled as a teacher would (pupils matching the membership paid, 2 € each) and the quitus signed in
    Paramètres early in September, except for the cooperatives of ``UNSIGNED``."""
    membership = sum((Decimal(str(x.split.get("6281") or 0)) for x in b.lines), Decimal(0))
    membership += sum((x.amount for x in b.lines if (x.chapitre or "").startswith("6281")), Decimal(0))
    b.cra = {"classes": 3 + i % 4, "eleves": int(membership / 2), "adultes": 4 + i % 3, "conseils": 8 + i % 3}
    b.actions = [
        {
            **a,
            "periode": ("octobre", "décembre", "mars", "juin")[n % 4],
            "description": f"{a['action']} avec les familles.",
        }
        for n, a in enumerate(b.actions)
    ]
    if UNSIGNED.get(i) == "all":
        return
    b.params["verificateur1_nom"] = ("M. Martin", "Mme Roux", "M. Lambert", "Mme Fontaine")[i % 4] + " (parent)"
    b.params["verificateur1_date"] = dt.date(2026, 9, 3 + i % 5)
    b.params["mandataire_date"] = dt.date(2026, 9, 8)
    if UNSIGNED.get(i) != "verificateur2":
        b.params["verificateur2_nom"] = ("Mme Blanc (enseignante)", "M. Robin (enseignant)", "Mme Mercier (enseignante)",
                                         "M. Faure (enseignant)")[i % 4]  # fmt: skip
        b.params["verificateur2_date"] = dt.date(2026, 9, 4 + i % 4)


@dataclass
class Drop:
    folder: str  # the cooperative's folder in INBOX
    name: str  # file name as the teacher saved it
    book: Book
    story: str
    mtime: dt.datetime


def department(seed: int = 2025) -> tuple[list[Drop], list[tuple[str, str]]]:
    """What the cooperatives send, and the roster. Deterministic."""
    mistakes: dict[int, Callable[[Book], str]] = {
        3: _split_mismatch,
        5: _date_and_credit_note,
        7: _cash_negative,
        9: _report_as_receipt,
    }
    drops: list[Drop] = []
    roster: list[tuple[str, str]] = []
    base = dt.datetime(2026, 9, 10, 18, 0)
    for i in range(1, 13):
        coop = f"69{i:03d}"
        book = sample_book(coop=coop, exercice=EXERCICE, lines=120 + 15 * i, seed=seed + i, name=SCHOOLS[i - 1])
        _cra_and_quitus(book, i)
        roster.append((coop, str(book.params["coop_nom"])))
        story = mistakes[i](book) if i in mistakes else "cahier juste"
        when = base + dt.timedelta(hours=i)
        if i == 11:  # saved in June, accepted; then a newer version with a mistake, refused
            early = sample_book(coop=coop, exercice=EXERCICE, lines=120 + 15 * i, seed=seed + i, name=SCHOOLS[i - 1])
            _cra_and_quitus(early, i)
            drops.append(Drop(coop, "cahier-juin.xlsx", early, "version de juin, juste", when - dt.timedelta(days=80)))
            story = _split_mismatch(book) + " dans la version de septembre"
            drops.append(Drop(coop, "cahier-septembre.xlsx", book, story, when))
            continue
        drops.append(Drop(coop, f"cahier-{EXERCICE}.xlsx", book, story, when))
    # a teacher drops a colleague's cahier in her own folder: refused, nothing written to the other coop
    drops.append(Drop("69010", "cahier-de-la-classe-voisine.xlsx", sample_book(coop="69004", lines=120, seed=seed + 4), "le cahier d'une autre coopérative", base + dt.timedelta(days=1)))  # fmt: skip
    roster.append(("69013", "École du Lac (n'a rien envoyé)"))
    return drops, roster


def build(root: Path, drops: list[Drop], roster: list[tuple[str, str]]) -> Iterator[Drop]:
    """Write the cahiers into ``root/inbox`` (yielding each as it is written) and the roster."""
    inbox = root / "inbox"
    for drop in drops:
        path = write_cahier(drop.book, inbox / drop.folder / drop.name)
        stamp = drop.mtime.timestamp()
        os.utime(path, (stamp, stamp))
        yield drop
    lines = [f"{c};{n};{';'.join(contacts(c))}\n" for c, n in roster]
    (root / "coops.csv").write_text("coop;nom;commune;circonscription;e-mail\n" + "".join(lines), encoding="utf-8")


COMMUNES = [("Lyon 4e", "Lyon 4"), ("Villeurbanne", "Villeurbanne"), ("Vénissieux", "Vénissieux"), ("Bron", "Bron")]


def contacts(coop: str) -> tuple[str, str, str]:
    """The roster's other columns of a demo cooperative: commune, circonscription, e-mail (deterministic)."""
    commune, circonscription = COMMUNES[int(coop) % len(COMMUNES)]
    return commune, circonscription, f"ce.0{coop}x@ac-lyon.fr"
