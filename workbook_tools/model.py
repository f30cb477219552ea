"""The words of the domain: findings, their codes, and the checked cahier.

No I/O here: every other module speaks in these types.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar


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
    TICK_TEXT = (
        "TICK_TEXT",
        E,
        "La date de pointage, après le 31 août, est écrite comme du texte : les formules du cahier ne la lisent pas.",
    )
    LIBELLE_MISSING = "LIBELLE_MISSING", E, "La ligne n'a pas de libellé."
    AMOUNT_MISSING = "AMOUNT_MISSING", E, "La ligne n'a aucun montant en banque ou en caisse."
    AMOUNT_MULTIPLE = "AMOUNT_MULTIPLE", E, "La ligne a plusieurs montants sans être un mouvement interne."
    AMOUNT_INVALID = "AMOUNT_INVALID", E, "Le montant n'est pas un nombre positif avec au plus 2 décimales."
    AMOUNT_TEXT = "AMOUNT_TEXT", W, "Le montant est écrit comme du texte ; il a été lu comme un nombre."
    SPLIT_TEXT = (
        "SPLIT_TEXT",
        E,
        "Un montant ventilé est écrit comme du texte : les formules du cahier ne peuvent pas l'additionner.",
    )
    SPLIT_MISSING = "SPLIT_MISSING", E, "La recette ou la dépense n'est ventilée dans aucun chapitre."
    SPLIT_MISMATCH = "SPLIT_MISMATCH", E, "La ventilation ne fait pas le total du montant."
    CHAPTER_CONFLICT = "CHAPTER_CONFLICT", E, "Le chapitre choisi ne correspond pas à la ventilation."
    CHAPTER_UNKNOWN = "CHAPTER_UNKNOWN", E, "Le chapitre n'existe pas dans le plan comptable."
    CHAPTER_ROLLUP = "CHAPTER_ROLLUP", W, "Un sous-compte a été rattaché à son chapitre."
    CHAPTER_REDUCTION = (
        "CHAPTER_REDUCTION",
        W,
        "Remboursement ou avoir ? Chapitre de charge sur une recette, ou de produit sur une dépense : compté en moins.",
    )
    CHAPTER_NEGATIVE = "CHAPTER_NEGATIVE", E, "Le total d'un chapitre pour l'année est négatif."
    TRANSFER_INVALID = (
        "TRANSFER_INVALID",
        E,
        "Le mouvement interne (banque ↔ caisse) est ventilé, déséquilibré ou écrit sur deux lignes.",
    )
    MODE_MISMATCH = "MODE_MISMATCH", W, "Le mode de paiement ne va pas avec la colonne du montant."
    PIECE_MISSING = "PIECE_MISSING", W, "La recette ou la dépense n'a pas de n° de pièce justificative."
    PIECE_DUPLICATE = "PIECE_DUPLICATE", E, "Le même n° de pièce est utilisé deux fois."
    CHEQUE_MISSING = "CHEQUE_MISSING", W, "Le chèque émis n'a pas de numéro."
    CHEQUE_DUPLICATE = "CHEQUE_DUPLICATE", E, "Le même n° de chèque figure sur deux dépenses."
    CASH_NEGATIVE = "CASH_NEGATIVE", E, "La caisse passe en dessous de zéro."
    BANK_NEGATIVE = "BANK_NEGATIVE", W, "Le compte bancaire passe en dessous de zéro."
    DUPLICATE_LINE = "DUPLICATE_LINE", W, "Deux lignes ont la même date, le même montant et le même libellé."
    REPORT_AS_RECEIPT = "REPORT_AS_RECEIPT", E, "Le report à nouveau semble compté comme une recette."
    REGIE_OPEN = "REGIE_OPEN", W, "Une régie d'avance n'est pas soldée (avances ≠ retours)."
    INVENTORY_MISSING = "INVENTORY_MISSING", W, "Un achat de bien durable (6800) n'est pas dans l'inventaire."
    SUBVENTION_UNTRACED = (
        "SUBVENTION_UNTRACED",
        W,
        "Les subventions du Journal ne correspondent pas à la feuille Subventions.",
    )
    REPORT_DISCONTINUITY = (
        "REPORT_DISCONTINUITY",
        E,
        "Le report à nouveau au 1er septembre diffère du solde de clôture de l'exercice précédent accepté.",
    )
    OUTSTANDING_DROPPED = (
        "OUTSTANDING_DROPPED",
        W,
        "Une opération en attente au 31 août de l'exercice précédent n'est reprise ni en « En attente » ni au Journal.",
    )
    RAPPROCHEMENT_MISMATCH = "RAPPROCHEMENT_MISMATCH", E, "Le rapprochement bancaire au 31 août ne tombe pas juste."
    CAISSE_ECART = "CAISSE_ECART", E, "Le comptage de la caisse ne correspond pas au solde du cahier."
    COOP_MISMATCH = "COOP_MISMATCH", E, "Le cahier appartient à une autre coopérative que son dossier."
    CRA_INVALID = "CRA_INVALID", W, "Un effectif du compte-rendu d'activités (CRA) n'est pas un nombre entier positif."
    QUITUS_INVALID = (
        "QUITUS_INVALID",
        W,
        "Une date du quitus n'est pas valable (pas une date, avant le 31 août, à venir, ou sans le nom du signataire).",
    )


# Codes whose findings carry their own severity (``Finding.level``); the code's own is the worst of them.
# REPORT_AS_RECEIPT: an error when the amount equals an opening balance and the label speaks of report/solde,
# a warning when only one of the two holds (SPEC §4 v2). One code, so the docs and the JSON keep one name.
SEVERITY_VARIES: frozenset[Code] = frozenset({Code.REPORT_AS_RECEIPT})

# Codes renamed since reports were first stored: a stored report is read with today's name.
RENAMED: dict[str, Code] = {"CHAPTER_DIRECTION": Code.CHAPTER_REDUCTION}


def known_code(name: object) -> Code | None:
    """The code stored under ``name`` (an old name maps to today's), None when this version does not know it."""
    text = str(name)
    if text in Code.__members__:
        return Code[text]
    return RENAMED.get(text)


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing to tell the teacher, pointed at one cell.

    ``level`` overrides the code's severity for this one finding (codes of :data:`SEVERITY_VARIES`, and a
    stored finding whose code has changed severity since: it keeps the severity it was judged with)."""

    code: Code
    sheet: str | None
    row: int | None
    column: str | None
    message: str
    value: Any = None
    level: Severity | None = None

    @property
    def severity(self) -> Severity:
        return self.level or self.code.severity

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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """A stored finding (KeyError for a code this version does not know; a renamed code is read under its
        new name, with the severity it was stored with)."""
        code = known_code(data.get("code"))
        if code is None:
            raise KeyError(str(data.get("code")))
        stored = data.get("severity")
        level = Severity(stored) if stored in (Severity.ERROR, Severity.WARNING) else None
        return cls(code, data.get("sheet"), data.get("row"), data.get("column"), str(data.get("message") or ""),
                   data.get("value"), None if level is code.severity else level)  # fmt: skip


def json_value(value: Any) -> Any:
    """A finding's value as JSON can hold it (dates as ISO text, the rest as text)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


@dataclass
class Totals:
    """The figures of one cahier, in integer cents (the CRF in numbers), computed once by the check from the
    normalised journal and stored with each version. The only place where the bilan's arithmetic lives:
    report à nouveau, then bank and cash balances at 31 August from the movements."""

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
    regies_en_cours: int = 0  # advanced to colleagues (régies d'avance) and not returned at the end of the book
    # of the unticked ones above, those carried from the previous exercice (sheet « En attente »): they count in the
    # rapprochement only, never as charges or produits (issue 12)
    attente_recettes: int = 0
    attente_depenses: int = 0

    @property
    def resultat(self) -> int:
        return self.produits - self.charges

    @property
    def report(self) -> int:
        return self.report_banque + self.report_caisse

    @property
    def banque_fin(self) -> int:
        return self.report_banque + self.banque_recettes - self.banque_depenses

    @property
    def caisse_fin(self) -> int:
        return self.report_caisse + self.caisse_recettes - self.caisse_depenses

    @property
    def disponible_fin(self) -> int:
        return self.banque_fin + self.caisse_fin

    @property
    def caisse_cloture(self) -> int:
        """The cash the year hands on to the next one's report à nouveau: counted at 31 August, else the books'."""
        return self.caisse_comptee if self.caisse_comptee is not None else self.caisse_fin

    @property
    def banque_rapprochee(self) -> int | None:
        """Statement at 31 August + unticked receipts − unticked expenses (None before the year end)."""
        if self.releve_31_08 is None:
            return None
        return self.releve_31_08 + self.non_pointe_recettes - self.non_pointe_depenses

    @property
    def ecart_rapprochement(self) -> int | None:
        adjusted = self.banque_rapprochee
        return None if adjusted is None else adjusted - self.banque_fin

    @property
    def ecart_caisse(self) -> int | None:
        return None if self.caisse_comptee is None else self.caisse_comptee - self.caisse_fin

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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Totals:
        """Read back what :meth:`to_dict` wrote (derived figures are recomputed, not read)."""

        def cents(key: str) -> int:
            return int(data.get(key) or 0)

        def maybe(key: str) -> int | None:
            value = data.get(key)
            return None if value is None or value == "" else int(value)

        return cls(
            chapitres={str(k): int(v) for k, v in (data.get("chapitres") or {}).items()},
            **{k: cents(k) for k in _CENTS},
            releve_31_08=maybe("releve_31_08"),
            caisse_comptee=maybe("caisse_comptee"),
        )


_CENTS = (
    "charges", "produits", "report_banque", "report_caisse", "banque_recettes", "banque_depenses",
    "caisse_recettes", "caisse_depenses", "non_pointe_recettes", "non_pointe_depenses", "subventions_feuille",
    "regies_en_cours", "attente_recettes", "attente_depenses",
)  # fmt: skip


# --------------------------------------------------------------------------- what the CRF needs besides the lines


@dataclass(frozen=True)
class Subvention:
    """A row of the Subventions sheet."""

    row: int | None
    date: dt.date | None
    organisme: str | None
    objet: str | None
    montant: int | None
    piece: str | None


@dataclass(frozen=True)
class Bien:
    """A row of the Inventaire sheet (a durable good bought on chapter 6800)."""

    row: int | None
    date: dt.date | None
    piece: str | None
    designation: str | None
    valeur: int | None
    date_sortie: dt.date | None
    motif: str | None


@dataclass(frozen=True)
class Attente:
    """A row of the « En attente » sheet: a bank line of the previous exercice still outstanding at its 31 August
    (a cheque not yet cashed, a deposit not yet credited), carried to be ticked when it clears. It counts in the
    rapprochement while outstanding, never as a charge or a produit (issue 12). ``pointe``: the mark as typed (None
    when empty); ``pointe_le``: its date when it is one."""

    row: int | None
    date: dt.date | None
    piece: str | None
    mode: str | None
    libelle: str | None
    cheque: str | None
    recette: int | None
    depense: int | None
    pointe: str | None = None
    pointe_le: dt.date | None = None

    def outstanding_at(self, end: dt.date | None) -> bool:
        """Still outstanding at ``end`` (31 August): no mark, or a mark dated after it."""
        if self.pointe is None:
            return True
        return end is not None and self.pointe_le is not None and self.pointe_le > end


@dataclass(frozen=True)
class ActionCra:
    """A row of the CRA sheet's table of actions (issue 14): the action's name, its classes, period, description."""

    row: int | None
    action: str | None
    classes: str | None
    periode: str | None
    description: str | None


# the CRA's headcounts (sheet « CRA », column B): key in ``Annexes.cra`` → the layout's defined name
CRA_KEYS = ("classes", "eleves", "adultes", "conseils")


# the quitus's three signatories (issue 14), in the CRF's order: who (in the user's words), the Paramètres names of
# their name and of the date they signed
QUITUS_SIGNATAIRES: tuple[tuple[str, str, str], ...] = (
    ("mandataire", "coop_mandataire", "mandataire_date"),
    ("vérificateur n° 1", "verificateur1_nom", "verificateur1_date"),
    ("vérificateur n° 2", "verificateur2_nom", "verificateur2_date"),
)


@dataclass(frozen=True)
class Quitus:
    """Who signed the quitus and when (Paramètres, issue 14). Signed when the mandataire and the two vérificateurs
    aux comptes each have a name and a valid date: the paper quitus needs the three signatures. ``invalides`` holds
    the dates the check judged unable to count as a signature (Paramètres name → why, ``read_annexes.read_quitus``,
    the one judge: not a date, before 31 August, to come, without the signatory's name)."""

    mandataire: str | None
    mandataire_date: str | None
    verificateurs: tuple[tuple[str | None, str | None], tuple[str | None, str | None]]
    invalides: Mapping[str, str] = field(default_factory=dict)

    @property
    def signataires(self) -> list[tuple[str, str | None, str | None, str]]:
        """(who, name, date as written, the date's Paramètres name) for the three signatories, in the CRF's order."""
        people = [(self.mandataire, self.mandataire_date), *self.verificateurs]
        return [(who, name, day, key) for (who, _, key), (name, day) in zip(QUITUS_SIGNATAIRES, people, strict=True)]

    @property
    def signe(self) -> bool:
        return not self.missing

    @property
    def missing(self) -> list[str]:
        """What is not filled yet, or not valid, in the user's words (empty when signed)."""
        out = []
        for who, name, day, key in self.signataires:
            if not name:
                out.append(f"nom du {who}")
            if not day:
                out.append(f"date du {who}")
            elif key in self.invalides and name:
                out.append(f"date valable du {who}")
        return out


@dataclass
class Annexes:
    """Parameters, inventory, subsidies, the cash count, the carried lines and the CRA, as read from the cahier."""

    parametres: dict[str, Any] = field(default_factory=dict)
    inventaire: list[Bien] = field(default_factory=list)
    subventions: list[Subvention] = field(default_factory=list)
    billets: list[tuple[int, int]] = field(default_factory=list)  # arrêté de caisse: (denomination in cents, count)
    en_attente: list[Attente] = field(default_factory=list)
    cra: dict[str, int] = field(default_factory=dict)  # CRA headcounts read (CRA_KEYS), only the valid ones
    cra_actions: list[ActionCra] = field(default_factory=list)
    cra_illisibles: dict[str, str] = field(default_factory=dict)  # CRA headcounts not counted (CRA_INVALID): as typed
    quitus_invalides: dict[str, str] = field(default_factory=dict)  # quitus dates that cannot count (Quitus.invalides)

    def param(self, name: str) -> str | None:
        value = self.parametres.get(name)
        text = "" if value is None else str(value).strip()
        return text or None

    def date_param(self, name: str) -> str | None:
        """A date of Paramètres written jj/mm/aaaa (stored as a date or ISO text); other text as typed."""
        value = self.parametres.get(name)
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value.strftime("%d/%m/%Y")
        text = self.param(name)
        if text and len(text) >= 10 and text[4:5] == "-" and text[7:8] == "-":
            try:
                return dt.date.fromisoformat(text[:10]).strftime("%d/%m/%Y")
            except ValueError:
                pass
        return text

    @property
    def quitus(self) -> Quitus:
        p, d = self.param, self.date_param
        return Quitus(
            p("coop_mandataire"),
            d("mandataire_date"),
            ((p("verificateur1_nom"), d("verificateur1_date")), (p("verificateur2_nom"), d("verificateur2_date"))),
            dict(self.quitus_invalides),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "parametres": {k: json_value(v) for k, v in self.parametres.items()},
            "inventaire": [{k: json_value(v) for k, v in asdict(b).items()} for b in self.inventaire],
            "subventions": [{k: json_value(v) for k, v in asdict(s).items()} for s in self.subventions],
            "arrete_caisse": [{"valeur": face, "nombre": count} for face, count in self.billets],
            "en_attente": [{k: json_value(v) for k, v in asdict(a).items()} for a in self.en_attente],
            "cra": dict(self.cra),
            "cra_actions": [{k: json_value(v) for k, v in asdict(a).items()} for a in self.cra_actions],
            "cra_illisibles": dict(self.cra_illisibles),
            "quitus_invalides": dict(self.quitus_invalides),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Annexes:
        def item(kind: type[_Row], raw: Mapping[str, Any]) -> _Row:
            values = {name: _typed(name, raw.get(name)) for name in kind.__dataclass_fields__}
            return kind(**values)

        return cls(
            parametres=dict(data.get("parametres") or {}),
            inventaire=[item(Bien, b) for b in data.get("inventaire") or []],
            subventions=[item(Subvention, s) for s in data.get("subventions") or []],
            billets=[(int(b["valeur"]), int(b["nombre"])) for b in data.get("arrete_caisse") or []],
            en_attente=[item(Attente, a) for a in data.get("en_attente") or []],
            cra={str(k): int(v) for k, v in (data.get("cra") or {}).items() if k in CRA_KEYS and v is not None},
            cra_actions=[item(ActionCra, a) for a in data.get("cra_actions") or []],
            cra_illisibles={str(k): str(v) for k, v in (data.get("cra_illisibles") or {}).items() if k in CRA_KEYS},
            quitus_invalides={str(k): str(v) for k, v in (data.get("quitus_invalides") or {}).items()},
        )


_Row = TypeVar("_Row", Bien, Subvention, Attente, ActionCra)
_DATES = {"date", "date_sortie", "pointe_le"}
_MONEY = {"montant", "valeur", "row", "recette", "depense"}


def _typed(name: str, value: Any) -> Any:
    """A stored annex value back in its type: dates from ISO text, cents and rows as int, the rest as text."""
    if value is None or value == "":
        return None
    if name in _DATES:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            return None
    if name in _MONEY:
        return int(value)
    return str(value).strip() or None


# --------------------------------------------------------------------------- the result of a check


class FindingCounts:
    """Errors, warnings and the verdict of anything that holds findings."""

    findings: list[Finding]

    @property
    def errors(self) -> int:
        return sum(f.severity is Severity.ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity is Severity.WARNING for f in self.findings)

    @property
    def ok(self) -> bool:
        return self.errors == 0


@dataclass
class Report(FindingCounts):
    """What the check found in one cahier: the typed contract between validate, report, store, bilan and
    consolidation. JSON (SPEC §5) is written from it and read back into it at the store boundary only."""

    file: str
    coop: str | None = None
    exercice: str | None = None
    findings: list[Finding] = field(default_factory=list)
    totals: Totals | None = None
    annexes: Annexes | None = None
    sha256: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON report (SPEC §5; keys documented in the README). Money in integer cents."""
        data: dict[str, Any] = {
            "file": self.file,
            "ok": self.ok,
            "coop": self.coop,
            "exercice": self.exercice,
            "errors": self.errors,
            "warnings": self.warnings,
            "findings": [f.to_dict() for f in self.findings],
            "totals": self.totals.to_dict() if self.totals else {},
            "annexes": self.annexes.to_dict() if self.annexes else {},
        }
        if self.sha256 is not None:
            data["sha256"] = self.sha256
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Report:
        totals, annexes = data.get("totals"), data.get("annexes")
        return cls(
            file=str(data.get("file") or ""),
            coop=data.get("coop"),
            exercice=data.get("exercice"),
            findings=[
                Finding.from_dict(f) for f in data.get("findings") or [] if known_code(f.get("code")) is not None
            ],
            totals=Totals.from_dict(totals) if totals else None,
            annexes=Annexes.from_dict(annexes) if annexes else None,
            sha256=data.get("sha256"),
        )

    @classmethod
    def unreadable(cls, file: str) -> Report:
        """A submission that could not be checked at all: refused."""
        message = "Le fichier n'a pas pu être contrôlé."
        return cls(file, findings=[Finding(Code.FILE_UNREADABLE, None, None, None, message)])
