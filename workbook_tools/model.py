"""The words of the domain: findings, their codes, and the checked cahier.

No I/O here: every other module speaks in these types.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


E, W = Severity.ERROR, Severity.WARNING


class Code(enum.StrEnum):
    """Finding codes (SPEC §4). Each member carries its severity and a plain-French title (``titre``)."""

    severity: Severity
    titre: str

    def __new__(cls, value: str, severity: Severity, titre: str) -> Code:
        member = str.__new__(cls, value)
        member._value_ = value
        member.severity = severity
        member.titre = titre
        return member

    FILE_UNREADABLE = "FILE_UNREADABLE", E, "Le fichier ne peut pas être lu comme un classeur."
    FILE_TOO_LARGE = "FILE_TOO_LARGE", E, "Le fichier dépasse la taille admise."
    NOT_A_CAHIER = "NOT_A_CAHIER", E, "Le classeur n'est pas un cahier de coopérative reconnu."
    LAYOUT_CHANGED = "LAYOUT_CHANGED", W, "Les colonnes du Journal ne sont pas celles du modèle."
    MACROS_IGNORED = "MACROS_IGNORED", W, "Le classeur contient des macros : elles ne sont jamais exécutées."
    CELL_ERROR = "CELL_ERROR", E, "Une cellule contient une erreur de formule (#REF!, #DIV/0!…)."
    PARAM_MISSING = "PARAM_MISSING", E, "Un paramètre obligatoire manque (n° de coopérative, exercice, reports)."
    PARAM_INVALID = "PARAM_INVALID", E, "Un paramètre est mal écrit."
    DATE_MISSING = "DATE_MISSING", E, "La ligne n'a pas de date."
    DATE_INVALID = "DATE_INVALID", E, "La date ne peut pas être lue comme jj/mm/aaaa."
    DATE_TEXT = "DATE_TEXT", W, "La date est écrite comme du texte ; elle a été lue comme jj/mm/aaaa."
    DATE_OUTSIDE_EXERCICE = "DATE_OUTSIDE_EXERCICE", E, "La date n'est pas dans l'exercice (1er septembre – 31 août)."
    DATE_ORDER = "DATE_ORDER", W, "La ligne est datée avant la ligne précédente."
    LIBELLE_MISSING = "LIBELLE_MISSING", E, "La ligne n'a pas de libellé."
    AMOUNT_MISSING = "AMOUNT_MISSING", E, "La ligne n'a aucun montant en banque ou en caisse."
    AMOUNT_MULTIPLE = "AMOUNT_MULTIPLE", E, "La ligne a plusieurs montants sans être un mouvement interne."
    AMOUNT_INVALID = "AMOUNT_INVALID", E, "Le montant n'est pas un nombre positif avec au plus 2 décimales."
    AMOUNT_TEXT = "AMOUNT_TEXT", W, "Le montant est écrit comme du texte ; il a été lu comme un nombre."
    SPLIT_MISSING = "SPLIT_MISSING", E, "La recette ou la dépense n'est ventilée dans aucun chapitre."
    SPLIT_MISMATCH = "SPLIT_MISMATCH", E, "La ventilation ne fait pas le total du montant."
    CHAPTER_CONFLICT = "CHAPTER_CONFLICT", E, "Le chapitre choisi ne correspond pas à la ventilation."
    CHAPTER_UNKNOWN = "CHAPTER_UNKNOWN", E, "Le chapitre n'existe pas dans le plan comptable."
    CHAPTER_ROLLUP = "CHAPTER_ROLLUP", W, "Un sous-compte a été rattaché à son chapitre."
    CHAPTER_DIRECTION = "CHAPTER_DIRECTION", E, "Chapitre de charge sur une recette, ou de produit sur une dépense."
    TRANSFER_INVALID = "TRANSFER_INVALID", E, "Le mouvement interne (banque ↔ caisse) est ventilé ou déséquilibré."
    PIECE_MISSING = "PIECE_MISSING", W, "La recette ou la dépense n'a pas de n° de pièce justificative."
    PIECE_DUPLICATE = "PIECE_DUPLICATE", E, "Le même n° de pièce est utilisé deux fois."
    CHEQUE_MISSING = "CHEQUE_MISSING", W, "Le chèque émis n'a pas de numéro."
    CHEQUE_DUPLICATE = "CHEQUE_DUPLICATE", E, "Le même n° de chèque figure sur deux dépenses."
    CASH_NEGATIVE = "CASH_NEGATIVE", E, "La caisse passe en dessous de zéro."
    BANK_NEGATIVE = "BANK_NEGATIVE", W, "Le compte bancaire passe en dessous de zéro."
    DUPLICATE_LINE = "DUPLICATE_LINE", W, "Deux lignes ont la même date, le même montant et le même libellé."
    REPORT_AS_RECEIPT = "REPORT_AS_RECEIPT", W, "Le report à nouveau semble compté comme une recette."
    INVENTORY_MISSING = "INVENTORY_MISSING", W, "Un achat de bien durable (6800) n'est pas dans l'inventaire."
    SUBVENTION_UNTRACED = (
        "SUBVENTION_UNTRACED",
        W,
        "Les subventions du Journal ne correspondent pas à la feuille Subventions.",
    )
    RAPPROCHEMENT_MISMATCH = "RAPPROCHEMENT_MISMATCH", E, "Le rapprochement bancaire au 31 août ne tombe pas juste."
    CAISSE_ECART = "CAISSE_ECART", E, "Le comptage de la caisse ne correspond pas au solde du cahier."
    COOP_MISMATCH = "COOP_MISMATCH", E, "Le cahier appartient à une autre coopérative que son dossier."


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing to tell the teacher, pointed at one cell."""

    code: Code
    sheet: str | None
    row: int | None
    column: str | None
    message: str
    value: Any = None

    @property
    def severity(self) -> Severity:
        return self.code.severity

    @property
    def cell(self) -> str | None:
        if self.sheet is None or self.column is None or self.row is None:
            return None
        return f"{self.sheet}!{self.column}{self.row}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["code"] = str(self.code)
        data["severity"] = str(self.severity)
        data["cell"] = self.cell
        data["value"] = json_value(self.value)
        return {k: data[k] for k in ("code", "severity", "sheet", "row", "column", "cell", "message", "value")}


def json_value(value: Any) -> Any:
    """A finding's value as JSON can hold it (dates as ISO text, the rest as text)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


class Balances:
    """The arithmetic of the bilan at 31 August, shared by :class:`Totals` (one cahier as checked) and the
    CRF (one stored version): report à nouveau, then bank and cash balances from the movements."""

    report_banque: int
    report_caisse: int
    banque_recettes: int
    banque_depenses: int
    caisse_recettes: int
    caisse_depenses: int

    @property
    def report(self) -> int:
        return self.report_banque + self.report_caisse

    @property
    def banque_fin(self) -> int:
        return self.report_banque + self.banque_recettes - self.banque_depenses

    @property
    def caisse_fin(self) -> int:
        return self.report_caisse + self.caisse_recettes - self.caisse_depenses


@dataclass
class Totals(Balances):
    """The figures of one cahier, in integer cents (the CRF in numbers)."""

    chapitres: dict[str, int] = field(default_factory=dict)
    charges: int = 0
    produits: int = 0
    report_banque: int = 0
    report_caisse: int = 0
    banque_recettes: int = 0
    banque_depenses: int = 0
    caisse_recettes: int = 0
    caisse_depenses: int = 0
    non_pointe_recettes: int = 0
    non_pointe_depenses: int = 0
    releve_31_08: int | None = None
    caisse_comptee: int | None = None
    subventions_feuille: int = 0

    @property
    def resultat(self) -> int:
        return self.produits - self.charges

    def to_dict(self) -> dict[str, Any]:
        """Euros as exact decimal strings would be ambiguous in JSON; cents are integers."""
        data = asdict(self)
        data.update(
            resultat=self.resultat,
            banque_fin=self.banque_fin,
            caisse_fin=self.caisse_fin,
            report=self.report,
        )
        return data
