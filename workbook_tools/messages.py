"""French messages for line findings: what is wrong, the values seen, and how to fix it.

Each builder gets the line (a row of the normalised journal) and returns the
column letter to point at, the message, and the value shown in the report.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from workbook_tools.chart import Chart
from workbook_tools.layout import AMOUNT_COLUMNS, JOURNAL_COLUMNS
from workbook_tools.text import euros

if TYPE_CHECKING:
    from workbook_tools.read import Cahier

HEADERS = dict(JOURNAL_COLUMNS)
Line = pd.Series
Built = tuple[str, str, Any]


def _cents(v: Any) -> int | None:
    return None if v is None or pd.isna(v) else int(v)


def _date(v: Any) -> str:
    return "sans date" if pd.isna(v) else f"{v:%d/%m/%Y}"


def _split_text(line: Line, chart: Chart) -> str:
    parts = [f"{code} : {euros(_cents(line[f'v_{code}']))}" for code in chart.by_code if pd.notna(line[f"v_{code}"])]
    if line["split_unknown"]:
        parts.append(f"chapitres inconnus : {euros(int(line['split_unknown']))}")
    return ", ".join(parts) or "rien"


# --- findings of the reader, cell by cell (the wording of a code lives in this module only) ---------


def amount_as_text(written: object, header: str, cents: int | None) -> str:
    return (
        f"Le montant « {written} » ({header}) est écrit comme du texte ; il a été lu {euros(cents)}. "
        "Retapez-le comme un nombre, sans le signe €."
    )


def amount_unreadable(written: str | None, header: str, reason: str) -> str:
    return (
        f"Le montant « {written} » ({header}) n'est pas valable : {reason}. "
        "Écrivez un nombre positif avec au plus 2 décimales, par exemple 12,50."
    )


def chapter_column_unknown(header: object) -> str:
    return (
        f"La colonne « {header} » porte un chapitre qui n'est pas dans le plan comptable. "
        "Utilisez un des chapitres du modèle (liste dans « Mode d'emploi »)."
    )


# --- findings of the line rules (one builder per pandera check) --------------------------------------


class Messages:
    def __init__(self, cahier: Cahier, chart: Chart, start: Any, end: Any, openings: dict[str, int]) -> None:
        self.cahier = cahier
        self.openings = openings
        self.chart = chart
        self.col = cahier.columns
        self.start, self.end = start, end

    def letter(self, key: str) -> str:
        return self.col.get(key, "A")

    def chapter_letter(self, code: str) -> str:
        letters = self.cahier.letters_of(code)
        return letters[0] if letters else self.letter("chapitre")

    def first_split_letter(self, line: Line) -> str:
        for c in self.cahier.chapter_columns:
            if c.code and pd.notna(line[f"v_{c.code}"]):
                return c.letter
        return self.cahier.chapter_columns[0].letter if self.cahier.chapter_columns else self.letter("chapitre")

    def amount_key(self, line: Line) -> str:
        return next((k for k in AMOUNT_COLUMNS if pd.notna(line[k])), "banque_recette")

    def build(self, code: str, line: Line, frame: pd.DataFrame) -> Built:
        builder: Callable[[Line, pd.DataFrame], Built] = getattr(self, code.lower())
        return builder(line, frame)

    # one method per finding code ------------------------------------------------------------------

    def date_missing(self, line: Line, f: pd.DataFrame) -> Built:
        return (
            self.letter("date"),
            f"La ligne « {line['libelle'] or '…'} » n'a pas de date : tapez la date de l'opération (jj/mm/aaaa).",
            None,
        )

    def date_outside_exercice(self, line: Line, f: pd.DataFrame) -> Built:
        d = line["date"]
        msg = (
            f"La date {_date(d)} n'est pas dans l'exercice (du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}). "
            "Corrigez l'année, ou reportez l'opération dans le cahier de l'exercice concerné."
        )
        return self.letter("date"), msg, d.date()

    def date_order(self, line: Line, f: pd.DataFrame) -> Built:
        previous = f["date"].ffill().shift(1).loc[cast(int, line.name)]
        msg = (
            f"La ligne est datée du {_date(line['date'])}, avant la ligne précédente ({_date(previous)}). "
            "Vérifiez la date, ou rangez les lignes dans l'ordre chronologique."
        )
        return self.letter("date"), msg, line["date"].date()

    def libelle_missing(self, line: Line, f: pd.DataFrame) -> Built:
        return (
            self.letter("libelle"),
            "La ligne n'a pas de libellé : écrivez en quelques mots ce qu'est l'opération (ex. « Sortie zoo CE1 »).",
            None,
        )

    def amount_missing(self, line: Line, f: pd.DataFrame) -> Built:
        msg = (
            "La ligne n'a aucun montant : tapez-le dans une des colonnes Banque recette, Banque dépense, "
            "Caisse recette ou Caisse dépense."
        )
        return self.letter("banque_recette"), msg, None

    def amount_multiple(self, line: Line, f: pd.DataFrame) -> Built:
        filled = [k for k in AMOUNT_COLUMNS if pd.notna(line[k])]
        seen = ", ".join(f"{HEADERS[k]} {euros(_cents(line[k]))}" for k in filled)
        msg = (
            f"La ligne a plusieurs montants ({seen}). Une opération n'a qu'un montant ; seuls les mouvements internes "
            "en ont deux : retrait (Banque dépense + Caisse recette) ou dépôt (Caisse dépense + Banque recette)."
        )
        return self.letter(filled[-1]), msg, seen

    def amount_invalid(self, line: Line, f: pd.DataFrame) -> Built:
        for k in AMOUNT_COLUMNS:
            if pd.notna(line[k]) and line[k] <= 0:
                v = _cents(line[k])
                return (
                    self.letter(k),
                    f"Le montant {euros(v)} ({HEADERS[k]}) doit être positif : une dépense s'écrit dans une colonne « dépense », sans signe moins.",
                    v,
                )
        for c in self.cahier.chapter_columns:
            if c.code and pd.notna(line[f"v_{c.code}"]) and line[f"v_{c.code}"] < 0:
                v = _cents(line[f"v_{c.code}"])
                return c.letter, f"Le montant ventilé {euros(v)} (colonne « {c.header} ») doit être positif.", v
        return self.letter("banque_recette"), "Un montant de la ligne n'est pas valable.", None

    def split_missing(self, line: Line, f: pd.DataFrame) -> Built:
        msg = (
            f"{'La recette' if line['recette'] else 'La dépense'} de {euros(_cents(line['montant']))} n'est ventilée dans "
            "aucun chapitre : choisissez un chapitre dans la colonne Chapitre, ou répartissez le montant dans les colonnes des chapitres."
        )
        return self.letter("chapitre"), msg, _cents(line["montant"])

    def split_mismatch(self, line: Line, f: pd.DataFrame) -> Built:
        amount, split = _cents(line["montant"]) or 0, int(line["split_sum"])
        gap = amount - split
        hint = " Deux chiffres inversés ?" if gap % 9 == 0 and gap != 0 else ""
        msg = (
            f"La ventilation ({_split_text(line, self.chart)} ; total {euros(split)}) ne fait pas le montant de la ligne "
            f"({euros(amount)}) : écart de {euros(gap)}.{hint} Corrigez les montants ventilés pour que leur total égale le montant."
        )
        return self.first_split_letter(line), msg, split

    def chapter_conflict(self, line: Line, f: pd.DataFrame) -> Built:
        msg = (
            f"La colonne Chapitre indique {line['chapitre']} mais la ventilation est {_split_text(line, self.chart)}. "
            "Utilisez l'un ou l'autre : videz la colonne Chapitre quand vous répartissez le montant."
        )
        return self.letter("chapitre"), msg, line["chapitre_ecrit"]

    def chapter_unknown(self, line: Line, f: pd.DataFrame) -> Built:
        msg = f"Le chapitre « {line['chapitre_ecrit']} » n'existe pas dans le plan comptable : choisissez-en un dans la liste déroulante."
        return self.letter("chapitre"), msg, line["chapitre_ecrit"]

    def chapter_direction(self, line: Line, f: pd.DataFrame) -> Built:
        wrong = [c for c in self.chart.chapitres if line[f"c_{c.code}"] != 0 and c.is_charge == bool(line["recette"])]
        c = wrong[0]
        kind = "recette" if line["recette"] else "dépense"
        should = "de produit (7…)" if line["recette"] else "de charge (6…)"
        msg = (
            f"Le chapitre {c.code} {c.libelle} est un chapitre de {c.sens} : il ne peut pas recevoir une {kind} "
            f"({euros(_cents(line['montant']))}). Choisissez un chapitre {should}, ou vérifiez la colonne du montant."
        )
        letter = (
            self.letter("chapitre")
            if line["chapitre"] == c.code and not line["has_split"]
            else self.chapter_letter(c.code)
        )
        return letter, msg, c.code

    def transfer_invalid(self, line: Line, f: pd.DataFrame) -> Built:
        filled = [k for k in AMOUNT_COLUMNS if pd.notna(line[k])]
        seen = ", ".join(f"{HEADERS[k]} {euros(_cents(line[k]))}" for k in filled)
        msg = (
            f"Ce mouvement entre banque et caisse ({seen}) doit porter le même montant des deux côtés et n'être ventilé "
            "dans aucun chapitre (ce n'est ni une recette ni une dépense)."
        )
        return self.letter(filled[0]), msg, seen

    def piece_missing(self, line: Line, f: pd.DataFrame) -> Built:
        return (
            self.letter("piece"),
            "L'opération n'a pas de n° de pièce justificative : numérotez la facture ou le reçu (1, 2, 3… ou R01, D01…) et reportez le numéro ici.",
            None,
        )

    def piece_duplicate(self, line: Line, f: pd.DataFrame) -> Built:
        key = str(line["piece"]).strip().upper()
        first = f.loc[f["piece"].str.strip().str.upper() == key, "row"].iloc[0]
        msg = f"Le n° de pièce « {line['piece']} » est déjà utilisé ligne {first} : chaque pièce a son propre numéro."
        return self.letter("piece"), msg, line["piece"]

    def cheque_missing(self, line: Line, f: pd.DataFrame) -> Built:
        return (
            self.letter("cheque"),
            "Le paiement par chèque n'a pas de n° de chèque : recopiez-le depuis le talon du chéquier.",
            None,
        )

    def cheque_duplicate(self, line: Line, f: pd.DataFrame) -> Built:
        first = f.loc[(f["cheque"] == line["cheque"]) & f["banque_depense"].notna(), "row"].iloc[0]
        msg = f"Le chèque n° {line['cheque']} figure déjà ligne {first} : un chèque ne paie qu'une dépense."
        return self.letter("cheque"), msg, line["cheque"]

    def _balance(self, line: Line, f: pd.DataFrame, opening: int, inc: str, dec: str) -> int:
        order = f.sort_values(["date", "row"], kind="stable", na_position="last")
        delta = order[inc].fillna(0).astype("int64") - order[dec].fillna(0).astype("int64")
        return int(opening + delta.cumsum().loc[cast(int, line.name)])

    def cash_negative(self, line: Line, f: pd.DataFrame) -> Built:
        bal = self._balance(line, f, self.openings["report_caisse"], "caisse_recette", "caisse_depense")
        msg = (
            f"Après cette ligne ({_date(line['date'])}), la caisse est à {euros(bal)} : une caisse ne peut pas être négative. "
            "Une recette en espèces manque-t-elle, ou un retrait à la banque (Banque dépense + Caisse recette) ?"
        )
        return self.letter("caisse_depense"), msg, bal

    def bank_negative(self, line: Line, f: pd.DataFrame) -> Built:
        bal = self._balance(line, f, self.openings["report_banque"], "banque_recette", "banque_depense")
        msg = f"Après cette ligne ({_date(line['date'])}), le compte bancaire est à {euros(bal)} : vérifiez les montants et le report à nouveau."
        return self.letter("banque_depense"), msg, bal

    def duplicate_line(self, line: Line, f: pd.DataFrame) -> Built:
        same = f[
            (f["date"] == line["date"])
            & (f["montant"] == line["montant"])
            & (f["libelle"].str.lower().str.strip() == str(line["libelle"]).lower().strip())
        ]
        msg = (
            f"Cette ligne ({_date(line['date'])}, « {line['libelle']} », {euros(_cents(line['montant']))}) répète la ligne "
            f"{same['row'].iloc[0]} : supprimez-la si elle est saisie deux fois."
        )
        return self.letter("libelle"), msg, line["libelle"]

    def report_as_receipt(self, line: Line, f: pd.DataFrame) -> Built:
        msg = (
            f"« {line['libelle']} » ({euros(_cents(line['montant']))}) ressemble au report à nouveau : il ne se compte pas en recette. "
            "Écrivez-le dans Paramètres (Report à nouveau banque / caisse) et supprimez cette ligne."
        )
        return self.letter("libelle"), msg, line["libelle"]

    def inventory_missing(self, line: Line, f: pd.DataFrame) -> Built:
        msg = (
            f"L'achat « {line['libelle']} » ({euros(int(line['c_6800']))}, chapitre 6800 Biens durables) n'est pas dans la feuille "
            "Inventaire : ajoutez-y une ligne avec la date, le n° de pièce, la désignation et la valeur."
        )
        letter = self.chapter_letter("6800") if line["has_split"] else self.letter("chapitre")
        return letter, msg, int(line["c_6800"])
