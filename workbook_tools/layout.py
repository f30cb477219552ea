"""Where things are in the cahier workbook (template version 1).

The template writer and the reader both take the layout from here. The reader
finds Journal columns by their header text, so the letters below are what the
template writes, not what every cahier must have.
"""

from __future__ import annotations

from dataclasses import dataclass

TEMPLATE_VERSION = 1
VERSION_NAME = "cahier_version"  # defined name holding the template version

SHEET_GUIDE = "Mode d'emploi"
SHEET_PARAMS = "Paramètres"
SHEET_JOURNAL = "Journal"
SHEET_ATTENTE = "En attente"  # bank lines of the previous exercice outstanding at its 31 August (issue 12)
SHEET_INVENTAIRE = "Inventaire"
SHEET_SUBVENTIONS = "Subventions"
SHEET_CAISSE = "Arrêté de caisse"
SHEET_CRA = "CRA"
SHEET_CRF = "CRF"
SHEET_LISTES = "Listes"
SHEETS = [
    SHEET_GUIDE,
    SHEET_PARAMS,
    SHEET_JOURNAL,
    SHEET_ATTENTE,
    SHEET_INVENTAIRE,
    SHEET_SUBVENTIONS,
    SHEET_CAISSE,
    SHEET_CRA,
    SHEET_CRF,
    SHEET_LISTES,
]


@dataclass(frozen=True)
class Param:
    name: str  # defined name of the value cell (column B)
    label: str  # text of column A
    kind: str  # "text", "exercice", "money"
    required: bool
    row: int  # row in the template


PARAMS = [
    Param("coop_numero", "N° de coopérative", "text", True, 3),
    Param("coop_nom", "Nom de la coopérative / école", "text", False, 4),
    Param("coop_commune", "Commune", "text", False, 5),
    Param("coop_mandataire", "Mandataire", "text", False, 6),
    Param("exercice", "Exercice", "exercice", True, 7),
    Param("report_banque", "Report à nouveau banque au 1er septembre", "money", True, 8),
    Param("report_caisse", "Report à nouveau caisse au 1er septembre", "money", True, 9),
    Param("releve_31_08", "Solde du relevé bancaire au 31 août", "money", False, 10),
    # the quitus (issue 14): who signed it and when; « signé » when all five are filled (model.Quitus)
    Param("verificateur1_nom", "Vérificateur aux comptes n° 1 (nom)", "text", False, 11),
    Param("verificateur1_date", "Vérificateur n° 1 : quitus signé le", "date", False, 12),
    Param("verificateur2_nom", "Vérificateur aux comptes n° 2 (nom)", "text", False, 13),
    Param("verificateur2_date", "Vérificateur n° 2 : quitus signé le", "date", False, 14),
    Param("mandataire_date", "Mandataire : quitus signé le", "date", False, 15),
]
PARAMS_BY_NAME = {p.name: p for p in PARAMS}

# Journal
JOURNAL_TITLE_ROW = 1
JOURNAL_TOTALS_ROW = 2
JOURNAL_HEADER_ROW = 3
JOURNAL_FIRST_ROW = 4
JOURNAL_ROWS = 1000  # prepared input rows
JOURNAL_LAST_ROW = JOURNAL_FIRST_ROW + JOURNAL_ROWS - 1

# key -> header text, in template order from column A. Chapter columns follow, then the remainder.
JOURNAL_COLUMNS: list[tuple[str, str]] = [
    ("pointe", "Pointé"),
    ("piece", "N° pièce"),
    ("mode", "Mode"),
    ("date", "Date"),
    ("libelle", "Libellé"),
    ("cheque", "N° chèque"),
    ("action", "Action"),
    ("banque_recette", "Banque recette"),
    ("banque_depense", "Banque dépense"),
    ("caisse_recette", "Caisse recette"),
    ("caisse_depense", "Caisse dépense"),
    ("chapitre", "Chapitre"),
]
REQUIRED_COLUMNS = ["date", "libelle", "banque_recette", "banque_depense", "caisse_recette", "caisse_depense"]
AMOUNT_COLUMNS = ["banque_recette", "banque_depense", "caisse_recette", "caisse_depense"]
REMAINDER_HEADER = "Reste à ventiler"
MODES = ["CHQ", "VIR", "CB", "ESP", "PRLV", "ANNULÉ"]  # ANNULÉ: a cancelled cheque, kept with its number, no amount

# Inventaire, Subventions: header on row 3, data from row 4
TABLE_HEADER_ROW = 3
TABLE_FIRST_ROW = 4
TABLE_ROWS = 200
INVENTAIRE_COLUMNS: list[tuple[str, str]] = [
    ("date", "Date d'achat"),
    ("piece", "N° pièce"),
    ("designation", "Désignation"),
    ("valeur", "Valeur"),
    ("date_sortie", "Date de sortie"),
    ("motif", "Motif de sortie"),
]
SUBVENTIONS_COLUMNS: list[tuple[str, str]] = [
    ("date", "Date"),
    ("organisme", "Organisme"),
    ("objet", "Objet"),
    ("montant", "Montant"),
    ("piece", "N° pièce"),
]

# Arrêté de caisse: denomination in A (euros), count in B, total in C, from row 4
CAISSE_FIRST_ROW = 4
DENOMINATIONS_CENTS = [50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1]
CAISSE_TOTAL_ROW = CAISSE_FIRST_ROW + len(DENOMINATIONS_CENTS)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --- Added for the template writer (template version 1) ---

# Journal input dates accepted by the template's data validation.
JOURNAL_DATE_MIN = (2000, 1, 1)
JOURNAL_DATE_MAX = (2099, 12, 31)

# Subventions: total of the "Montant" column, above the header (the table rows stay clean).
SUBVENTIONS_TOTAL_ROW = 2
SUBVENTIONS_TOTAL_NAME = "subventions_total"
INVENTAIRE_TOTAL_ROW = 2

# Arrêté de caisse: defined name of the counted total (row CAISSE_TOTAL_ROW, column C).
CAISSE_TOTAL_NAME = "caisse_comptee_total"

# CRA: general figures (label in A, value in B, a defined name each), then one row per action.
CRA_FIGURES = [
    Param("cra_classes", "Nombre de classes", "integer", False, 3),
    Param("cra_eleves", "Nombre d'élèves", "integer", False, 4),
    Param("cra_adultes", "Nombre d'adultes", "integer", False, 5),
    Param("cra_conseils", "Nombre de conseils de coopérative", "integer", False, 6),
]
CRA_HEADER_ROW = 9
CRA_FIRST_ROW = 10
CRA_ROWS = 100
CRA_COLUMNS: list[tuple[str, str]] = [
    ("action", "Action"),
    ("classes", "Classes"),
    ("periode", "Période"),
    ("description", "Description"),
]

# --- Added for the sheet's formulas to read what the tool reads (issue 11) ---

# Paramètres: a hidden column beside the values, what the formulas use: each amount as read (number or text) under
# the name ``<param>_lu``, and the exercice's last day (31 August) under EXERCICE_END_NAME.
PARAM_READ_COL = 3  # D
EXERCICE_END_NAME = "exercice_fin"

# Arrêté de caisse: below the count and the comparison with the cahier, the date and the signatures.
CAISSE_DATE_ROW = CAISSE_TOTAL_ROW + 5
CAISSE_DATE_NAME = "caisse_date"
CAISSE_SIGNATURE_ROW = CAISSE_DATE_ROW + 2

# --- Added for the year cycle (issue 12) ---

# « En attente »: the cheques and deposits of the previous exercice not yet on the bank statement at its 31 August,
# carried by ``cahier nouvel-exercice``; the teacher ticks them (column A) when they clear. Header on row 3, data
# from row 4 (TABLE_HEADER_ROW, TABLE_FIRST_ROW); they count in the rapprochement while outstanding, never as
# charges or produits.
ATTENTE_ROWS = 100
ATTENTE_COLUMNS: list[tuple[str, str]] = [
    ("pointe", "Pointé"),
    ("date", "Date"),
    ("piece", "N° pièce"),
    ("mode", "Mode"),
    ("libelle", "Libellé"),
    ("cheque", "N° chèque"),
    ("recette", "Banque recette"),
    ("depense", "Banque dépense"),
]
ATTENTE_TOTAL_ROW = 2
