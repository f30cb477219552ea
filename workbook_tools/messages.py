"""French messages for line findings: what is wrong, the values seen, and how to fix it.

Each builder gets the line (a row of the normalised journal) and returns the
column letter to point at, the message, and the value shown in the report.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from workbook_tools.chart import Chart
from workbook_tools.layout import AMOUNT_COLUMNS, JOURNAL_COLUMNS
from workbook_tools.model import Severity
from workbook_tools.text import euros, fold, plural, shown
from workbook_tools.text import gap as text_gap

if TYPE_CHECKING:
    from workbook_tools.read import Cahier

HEADERS = dict(JOURNAL_COLUMNS)
_SOLDE = re.compile(r"(?<![a-z0-9])soldes?(?![a-z0-9])")  # in a folded label (``text.fold``)
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


def split_as_text(written: object, header: str, cents: int | None) -> str:
    """SPLIT_TEXT: an amount typed as text in a chapter column, which the cahier's own formulas cannot add up."""
    return (
        f"Le montant « {written} » de la colonne « {header} » est écrit comme du texte : le contrôle le lit "
        f"{euros(cents)}, mais les formules du cahier (Reste à ventiler, totaux du Journal, feuille CRF) ne peuvent "
        "pas l'additionner et afficheraient d'autres chiffres. Retapez-le comme un nombre, sans le signe €."
    )


def tick_as_text(written: object, read: object) -> str:
    """TICK_TEXT: a tick dated after 31 August typed as text: the tool reads the date, the sheet only sees a mark."""
    return (
        f"La date de pointage « {written} » est écrite comme du texte. Le contrôle la lit ({shown(read)}, après le "
        "31 août : la ligne était encore en attente au 31 août), mais les formules du cahier n'y voient qu'une "
        "coche et leur rapprochement bancaire ne tomberait pas juste. Retapez-la comme une vraie date (jj/mm/aaaa), "
        "ou mettez un x si la ligne figure sur le relevé du 31 août."
    )


def amount_unreadable(written: object, header: str, reason: str) -> str:
    """``written``: the cell's value, shown as the teacher's spreadsheet showed it (12,345, not 12.345)."""
    return (
        f"Le montant « {shown(written)} » ({header}) n'est pas valable : {reason}. "
        "Écrivez un nombre positif avec au plus 2 décimales, par exemple 12,50."
    )


def chapter_column_unknown(header: object) -> str:
    return (
        f"La colonne « {header} » porte un chapitre qui n'est pas dans le plan comptable. "
        "Utilisez un des chapitres du modèle (liste dans « Mode d'emploi »)."
    )


def chapter_negative(code: str, libelle: str, charge: bool, net: int, gross: int, rows: list[int]) -> str:
    """CHAPTER_NEGATIVE: a chapter whose reductions (credit notes, refunds) exceed what it holds for the year."""
    reductions = euros(gross - net)
    where = f" (lignes {', '.join(str(r) for r in rows)})" if rows else ""
    if charge:
        what = f"les avoirs et remboursements reçus{where}, {reductions}, dépassent les dépenses de l'année ({euros(gross)})"
        other = "en recette au chapitre 7700 Produits exceptionnels"
    else:
        what = f"les remboursements versés{where}, {reductions}, dépassent les recettes de l'année ({euros(gross)})"
        other = "en dépense au chapitre 6700 Charges exceptionnelles"
    return (
        f"Le chapitre {code} {libelle} totalise {euros(net)} sur l'année : {what}. Un avoir ou un remboursement ne "
        "réduit un chapitre que de ce qui y a été payé ou reçu : vérifiez le chapitre et le montant de ces lignes ; "
        f"s'il s'agit d'une opération de l'an dernier, inscrivez-le {other}."
    )


def report_discontinuity(what: str, typed: int, closing: int, previous: str, end: object, source: str) -> str:
    """REPORT_DISCONTINUITY: an opening balance (``what``: « banque » or « caisse ») different from the previous
    exercice's closing one, as its accepted version stated it (``source``: « banque du cahier », « caisse comptée »)."""
    return (
        f"Le report à nouveau {what} au 1er septembre est de {euros(typed)}, mais la version acceptée de l'exercice "
        f"{previous} se termine le {shown(end)} à {euros(closing)} ({source}) : {text_gap(typed - closing)}. "
        f"Recopiez {euros(closing)}, le solde de clôture de l'an dernier : sans cela de l'argent apparaît ou "
        "disparaît entre deux exercices."
    )


_DROPPED_KINDS = {  # kind → (its name, feminine)
    "remise": ("La remise", True),
    "cheque": ("Le chèque", False),
    "depense": ("La dépense", True),
}


def outstanding_dropped(kind: str, label: str | None, amount: int, day: object, cheque: str | None,
                        previous: str) -> str:  # fmt: skip
    """OUTSTANDING_DROPPED: a bank line outstanding at the previous 31 August found neither in « En attente » nor in
    the Journal. ``kind``: « remise », « cheque » or « depense »; the sentence agrees with it."""
    name, feminine = _DROPPED_KINDS[kind]
    what = f"{name} n° {cheque}" if cheque else name
    when = f" du {shown(day)}" if day is not None else ""
    e, it = ("e", "la") if feminine else ("", "le")
    return (
        f"{what}{when} « {label or 'sans libellé'} » de {euros(amount)} n'était pas passé{e} en banque au 31 août "
        f"({previous}) et ne figure ni dans la feuille « En attente » ni dans le Journal. Ajoutez-{it} dans "
        f"« En attente » et pointez-{it} quand {'elle' if feminine else 'il'} apparaît sur le relevé."
    )


# --- findings of the line rules (one builder per pandera check) --------------------------------------


# the running balance after each line, in the order the check follows it (``rules.running_balance``, handed in by
# validate: this module sits above the rules and does not import them)
Running = Callable[[pd.DataFrame, int, str, str], pd.Series]


class Messages:
    def __init__(
        self, cahier: Cahier, chart: Chart, start: Any, end: Any, openings: dict[str, int], *, running: Running
    ) -> None:
        self.cahier = cahier
        self.running = running
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

    def severity(self, code: str, line: Line) -> Severity | None:
        """The finding's own severity when its code's depends on the line (``model.SEVERITY_VARIES``), else None.

        REPORT_AS_RECEIPT: an error when the amount equals an opening balance and the label speaks of report or
        solde; a warning when only one of the two holds."""
        if code == "REPORT_AS_RECEIPT":
            both = bool(line["parle_report"]) and self._equals_opening(line) is not None
            return Severity.ERROR if both else Severity.WARNING
        return None

    def _equals_opening(self, line: Line) -> str | None:
        amount = _cents(line["montant"])
        for name, label in (("report_banque", "banque"), ("report_caisse", "caisse")):
            if amount is not None and amount > 0 and amount == self.openings.get(name):
                return label
        return None

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
        cancelled = line.get("mode_lu") == "ANNULE" or "annul" in fold(line["libelle"] or "")
        if cancelled and pd.isna(line["cheque"]):
            msg = (
                "La ligne est marquée « annulé » mais n'a ni montant ni n° de chèque. Un chèque annulé se garde dans "
                "le cahier avec son numéro : tapez le n° du chèque dans la colonne N° chèque (sans montant). "
                "Si ce n'est pas un chèque annulé, tapez le montant de l'opération."
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
            f"({euros(amount)}) : {text_gap(gap)}.{hint} Corrigez les montants ventilés pour que leur total égale le montant."
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

    def chapter_reduction(self, line: Line, f: pd.DataFrame) -> Built:
        receipt = bool(line["recette"])
        against = [c for c in self.chart.chapitres if line[f"c_{c.code}"] != 0 and c.is_charge == receipt]
        c = against[0]
        part = -int(line[f"c_{c.code}"])
        if receipt:
            what = (
                f"La recette « {line['libelle']} » ({euros(part)}) est rangée dans le chapitre de charge {c.code} "
                f"{c.libelle} : remboursement ou avoir ? Elle est comptée en moins des dépenses de ce chapitre "
                "(un avoir d'un fournisseur, une somme rendue sur une dépense)."
            )
            fix = "Si c'est une vraie recette (une vente, une participation), choisissez un chapitre de produit (7…)."
        else:
            what = (
                f"La dépense « {line['libelle']} » ({euros(part)}) est rangée dans le chapitre de produit {c.code} "
                f"{c.libelle} : remboursement ? Elle est comptée en moins des recettes de ce chapitre "
                "(une participation rendue à une famille, une subvention reversée)."
            )
            fix = "Si c'est une vraie dépense (un achat, un service), choisissez un chapitre de charge (6…)."
        letter = (
            self.letter("chapitre")
            if line["chapitre"] == c.code and not line["has_split"]
            else self.chapter_letter(c.code)
        )
        return letter, f"{what} Rien à corriger si c'est bien cela. {fix}", c.code

    def transfer_invalid(self, line: Line, f: pd.DataFrame) -> Built:
        filled = [k for k in AMOUNT_COLUMNS if pd.notna(line[k])]
        seen = ", ".join(f"{HEADERS[k]} {euros(_cents(line[k]))}" for k in filled)
        if bool(line["paire_seconde"]) and not bool(line["mouvement"]):
            first, amount = int(line["paire"]), euros(_cents(line["montant"]))
            retrait = pd.notna(line["caisse_recette"]) or pd.notna(line["banque_depense"])
            how = "Banque dépense et Caisse recette" if retrait else "Caisse dépense et Banque recette"
            kind = "un retrait d'espèces" if retrait else "un dépôt d'espèces"
            msg = (
                f"Les lignes {first} et {int(line['row'])} ({_date(line['date'])}, {amount}, sans chapitre) forment "
                f"{kind} écrit sur deux lignes : un {'retrait' if retrait else 'dépôt'} s'écrit sur une seule ligne : "
                f"{how}. Tapez {amount} dans ces deux colonnes de la ligne {first}, sans chapitre, et effacez la "
                f"ligne {int(line['row'])}."
            )
            return self.letter(filled[0]), msg, seen
        msg = (
            f"Ce mouvement entre banque et caisse ({seen}) doit porter le même montant des deux côtés et n'être ventilé "
            "dans aucun chapitre (ce n'est ni une recette ni une dépense)."
        )
        return self.letter(filled[0]), msg, seen

    def mode_mismatch(self, line: Line, f: pd.DataFrame) -> Built:
        mode = str(line["mode"])
        if line["mode_lu"] == "ANNULE":
            msg = (
                f"Le mode « {mode} » est celui d'un chèque annulé, qui n'a pas de montant, mais la ligne a un montant "
                f"({euros(_cents(line['montant']))}). Si le chèque a été annulé, effacez le montant (gardez le n° de "
                "chèque) ; sinon choisissez le vrai mode de paiement (CHQ, VIR, CB, ESP, PRLV)."
            )
        elif line["mode_lu"] == "ESP":
            msg = (
                f"Le mode « {mode} » (espèces) est sur une ligne de banque ({euros(_cents(line['montant']))}). Des "
                "espèces passent par la caisse : tapez le montant en Caisse recette ou Caisse dépense ; ou, si "
                "c'est un chèque, un virement ou une carte, choisissez ce mode. Rien à corriger si des espèces ont "
                "été déposées directement à la banque."
            )
        else:
            msg = (
                f"Le mode « {mode} » (virement, carte ou prélèvement) passe par la banque, mais le montant "
                f"({euros(_cents(line['montant']))}) est en caisse. Déplacez-le en Banque recette ou Banque "
                "dépense, ou choisissez le mode ESP (espèces) si l'opération a été payée en espèces."
            )
        return self.letter("mode"), msg, mode

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
        counted = f["banque_depense"].notna() | f["annule"]
        first = f.loc[(f["cheque"] == line["cheque"]) & counted, "row"].iloc[0]
        msg = (
            f"Le chèque n° {line['cheque']} figure déjà ligne {first} : un chèque ne paie qu'une dépense, et un "
            "chèque annulé ne se réutilise pas. Vérifiez le numéro sur le talon du chéquier."
        )
        return self.letter("cheque"), msg, line["cheque"]

    def _balance(self, line: Line, f: pd.DataFrame, opening: int, inc: str, dec: str) -> int:
        return int(self.running(f, opening, inc, dec).loc[cast(int, line.name)])

    @staticmethod
    def _after(line: Line) -> str:
        """When the balance is read: the lines of one day have no order, its receipts count before its expenses."""
        if pd.isna(line["date"]):
            return "Après cette ligne (sans date)"
        return f"Le {_date(line['date'])}, avec cette ligne (les recettes du jour comptées avant ses dépenses)"

    def cash_negative(self, line: Line, f: pd.DataFrame) -> Built:
        bal = self._balance(line, f, self.openings["report_caisse"], "caisse_recette", "caisse_depense")
        msg = (
            f"{self._after(line)}, la caisse est à {euros(bal)} : une caisse ne peut pas être négative. "
            "Une recette en espèces manque-t-elle, ou un retrait à la banque (Banque dépense + Caisse recette) ?"
        )
        return self.letter("caisse_depense"), msg, bal

    def bank_negative(self, line: Line, f: pd.DataFrame) -> Built:
        bal = self._balance(line, f, self.openings["report_banque"], "banque_recette", "banque_depense")
        msg = f"{self._after(line)}, le compte bancaire est à {euros(bal)} : vérifiez les montants et le report à nouveau."
        return self.letter("banque_depense"), msg, bal

    def duplicate_line(self, line: Line, f: pd.DataFrame) -> Built:
        msg = (
            f"Cette ligne ({_date(line['date'])}, « {line['libelle']} », {euros(_cents(line['montant']))}) répète la ligne "
            f"{int(line['doublon_de'])} : supprimez-la si elle est saisie deux fois. Si ce sont deux opérations "
            "réelles, donnez à chacune son n° de pièce (ou son n° de chèque)."
        )
        return self.letter("libelle"), msg, line["libelle"]

    def report_as_receipt(self, line: Line, f: pd.DataFrame) -> Built:
        amount = euros(_cents(line["montant"]))
        opening = self._equals_opening(line)
        fix = (
            "Le report à nouveau (ce qui restait au 1er septembre) n'est pas une recette : il s'écrit dans Paramètres "
            "(Report à nouveau banque / caisse)"
        )
        if bool(line["parle_report"]) and opening:
            msg = (
                f"« {line['libelle']} » ({amount}) est le report à nouveau {opening} de Paramètres compté comme une "
                f"recette : même montant, et le libellé parle de report ou de solde. {fix} : supprimez cette ligne."
            )
        elif opening:
            msg = (
                f"La recette « {line['libelle']} » ({amount}) a le montant du report à nouveau {opening} de Paramètres. "
                f"{fix} : si cette ligne le recopie, supprimez-la ; si c'est une vraie recette, rien à corriger."
            )
        elif _SOLDE.search(fold(line["libelle"] or "")):
            # « Subvention mairie (solde) »: the last payment of a subsidy or of an invoice, a real receipt
            msg = (
                f"Le libellé « {line['libelle']} » ({amount}) parle de solde. Si c'est le solde d'une subvention, "
                "d'une participation ou d'une facture (son dernier versement), c'est une vraie recette : rien à "
                "corriger. Seul le report à nouveau (ce qui restait au 1er septembre) n'est pas une recette : si "
                "cette ligne le recopie, inscrivez-le dans Paramètres (Report à nouveau banque / caisse) et "
                "supprimez la ligne."
            )
        else:
            msg = (
                f"Le libellé « {line['libelle']} » ({amount}) parle de report. {fix} : si cette ligne le recopie, "
                "supprimez-la ; si c'est une vraie recette, rien à corriger."
            )
        return self.letter("libelle"), msg, line["libelle"]

    def regie_open(self, line: Line, f: pd.DataFrame) -> Built:
        same = f[f["regie"] & (f["regie_nom"].fillna("") == (line["regie_nom"] or ""))]
        advance = same[["banque_depense", "caisse_depense"]].notna().any(axis=1)
        given = int(same.loc[advance, "montant"].sum())
        back = int(same.loc[~advance, "montant"].sum())
        rows = f"{plural(len(same), 'ligne')} {', '.join(str(r) for r in same['row'])}"
        name = line["regie_qui"] or ""
        who = f"de « {name} »" if name else "sans nom de collègue"
        msg = (
            f"La régie d'avance {who} n'est pas soldée : avances {euros(given)}, retours {euros(back)} "
            f"({rows}) ; reste {euros(given - back)}. Au retour du collègue, inscrivez en recette « Retour régie "
            f"{name or 'Nom'} » le montant total de l'avance (espèces rendues + tickets), puis chaque dépense justifiée "
            "sur sa ligne, ventilée dans son chapitre. Écrivez le nom de la même façon sur l'avance et sur le retour."
        )
        letter = self.letter(self.amount_key(line))
        return letter, msg, given - back

    def inventory_missing(self, line: Line, f: pd.DataFrame) -> Built:
        msg = (
            f"L'achat « {line['libelle']} » ({euros(int(line['c_6800']))}, chapitre 6800 Biens durables) n'est pas dans la feuille "
            "Inventaire : ajoutez-y une ligne avec la date, le n° de pièce, la désignation et la valeur."
        )
        letter = self.chapter_letter("6800") if line["has_split"] else self.letter("chapitre")
        return letter, msg, int(line["c_6800"])


def cra_invalid(label: str, written: object) -> str:
    """A CRA headcount that is not a whole number ≥ 0 (issue 14)."""
    return (
        f"« {label} » vaut « {shown(written)} » (feuille CRA) : tapez un nombre entier, positif ou nul, par exemple 24. "
        "Cet effectif n'est pas compté dans la consolidation départementale."
    )


# a quitus date's fault (``read_annexes.read_quitus``) in a few words, beside the date (CRF « Quitus »)
QUITUS_FAULTS = {
    "not_a_date": "pas une date",
    "before_end": "avant la fin de l'exercice",
    "future": "date à venir",
    "no_name": "sans le nom",
}


def quitus_invalid(
    label: str, written: str, fault: str, who: str, *, end: dt.date | None, today: dt.date, name_row: int
) -> str:
    """A quitus date that cannot count as a signature (issue 14): ``fault`` as judged by ``read_annexes.read_quitus``
    (not_a_date, before_end, future, no_name); ``who`` the signatory in the user's words."""
    if fault == "before_end" and end is not None:
        why = (
            f"c'est avant la fin de l'exercice ({end:%d/%m/%Y}), or le quitus se signe une fois l'année close et "
            "les comptes arrêtés. Corrigez le jour de la signature (une erreur d'année ?)"
        )
    elif fault == "future":
        why = (
            f"cette date n'est pas encore arrivée (contrôle du {today:%d/%m/%Y}). Tapez le jour où le quitus a été "
            "signé, ou laissez la case vide tant qu'il ne l'est pas"
        )
    elif fault == "no_name":
        why = (
            f"la date est remplie mais le nom du {who} ne l'est pas (cellule B{name_row}). Tapez le nom de la "
            "personne qui a signé"
        )
    else:
        example = f"{end + dt.timedelta(days=15) if end is not None else today:%d/%m/%Y}"
        why = (
            f"ce n'est pas une date. Tapez le jour de la signature sous la forme jj/mm/aaaa, par exemple {example}, "
            "ou laissez la case vide tant que le quitus n'est pas signé"
        )
    return (
        f"« {label} » vaut « {written} » (feuille Paramètres) : {why}. "
        "Tant que cette date n'est pas valable, le quitus compte comme non signé."
    )
