"""Write the cahier template (``templates/cahier.xlsx``) with xlsxwriter.

Everything comes from :mod:`workbook_tools.layout` (where things are) and the
chart of accounts (which chapter columns). The output is byte-stable for the
same inputs: the document date is fixed and xlsxwriter stamps zip members with
a fixed date.

The CRF sheet recomputes, with plain spreadsheet formulas, the same figures as
:class:`workbook_tools.model.Totals`; each key figure cell carries a defined name
(see :func:`crf_names`) so that tests can compare LibreOffice's results with the
tool's, to the cent.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import quote_sheetname
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from workbook_tools import layout as L
from workbook_tools.chart import Chapitre, Chart, default_chart

# Fixed document date: the template must not change when regenerated with the same inputs.
CREATED = dt.datetime(2025, 1, 1, 0, 0, 0)

MONEY = '#,##0.00 "€"'
DATE = "dd/mm/yyyy"
TEXT = "@"

# Colours: sober, and the legend of "Mode d'emploi" names them.
WHITE = "#FFFFFF"
GRID = "#BFBFBF"
HEADER_BLUE = "#DDEBF7"
HEADER_BORDER = "#9BC2E6"
TITLE_BLUE = "#1F4E78"
COMPUTED_GREY = "#F2F2F2"
ERROR_FILL = "#FFC7CE"
ERROR_FONT = "#9C0006"
CHECK_FILL = "#FCD5B4"
OK_FILL = "#C6EFCE"
OK_FONT = "#006100"

_EXERCICE_RE = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{4})\s*$")

# Sheet protection: no password; the teacher may still resize, filter and sort.
_PROTECTION = {
    "format_columns": True,
    "format_rows": True,
    "autofilter": True,
    "sort": True,
    "select_locked_cells": True,
    "select_unlocked_cells": True,
}


class ExerciceError(ValueError):
    """The exercice is not written as two consecutive years (``2025-2026``)."""


def check_exercice(text: str) -> str:
    """Return the exercice normalised as ``2025-2026``, or raise :class:`ExerciceError` (message in French)."""
    m = _EXERCICE_RE.match(text or "")
    if not m or int(m.group(2)) != int(m.group(1)) + 1:
        raise ExerciceError(
            f"exercice « {text} » invalide : écrivez deux années qui se suivent, par exemple 2025-2026 "
            "(du 1er septembre 2025 au 31 août 2026)."
        )
    start = int(m.group(1))
    if not 2000 <= start <= 2098:
        raise ExerciceError(f"exercice « {text} » invalide : l'année de début doit être entre 2000 et 2098.")
    return f"{start}-{start + 1}"


# ---------------------------------------------------------------------------
# Geometry


@dataclass(frozen=True)
class JournalGeometry:
    """Column indexes (0-based) of the Journal for a given chart."""

    chapitres: tuple[Chapitre, ...]

    @property
    def first_chapter(self) -> int:
        return len(L.JOURNAL_COLUMNS)

    @property
    def remainder(self) -> int:
        return self.first_chapter + len(self.chapitres)

    @property
    def last(self) -> int:
        return self.remainder

    def chapter_col(self, code: str) -> int:
        for i, c in enumerate(self.chapitres):
            if c.code == code:
                return self.first_chapter + i
        raise KeyError(code)

    def headers(self) -> list[str]:
        return [h for _, h in L.JOURNAL_COLUMNS] + [c.header for c in self.chapitres] + [L.REMAINDER_HEADER]


def _col(key: str) -> int:
    return [k for k, _ in L.JOURNAL_COLUMNS].index(key)


COL_POINTE = _col("pointe")
COL_PIECE = _col("piece")
COL_MODE = _col("mode")
COL_DATE = _col("date")
COL_LIBELLE = _col("libelle")
COL_CHEQUE = _col("cheque")
COL_ACTION = _col("action")
COL_CHAPITRE = _col("chapitre")
AMOUNT_COLS = [_col(k) for k in L.AMOUNT_COLUMNS]  # H, I, J, K
COL_BR, COL_BD, COL_CR, COL_CD = AMOUNT_COLS

J1 = L.JOURNAL_FIRST_ROW
JN = L.JOURNAL_LAST_ROW


def journal_headers(chart: Chart | None = None) -> list[str]:
    """The Journal header row the template writes, from column A to the remainder."""
    return JournalGeometry(tuple((chart or default_chart()).chapitres)).headers()


def crf_names(chart: Chart | None = None) -> dict[str, str]:
    """Defined name → meaning (the :class:`~workbook_tools.model.Totals` field) of each CRF figure."""
    chart = chart or default_chart()
    names = {f"crf_{c.code}": f"chapitres['{c.code}']" for c in chart.chapitres}
    names.update(
        crf_total_charges="charges",
        crf_total_produits="produits",
        crf_resultat="resultat",
        crf_report_banque="report_banque",
        crf_report_caisse="report_caisse",
        crf_banque_recettes="banque_recettes",
        crf_banque_depenses="banque_depenses",
        crf_caisse_recettes="caisse_recettes",
        crf_caisse_depenses="caisse_depenses",
        crf_banque_fin="banque_fin",
        crf_caisse_fin="caisse_fin",
        crf_ecart_bilan="report + resultat - (banque_fin + caisse_fin)",
        crf_releve="releve_31_08",
        crf_non_pointe_recettes="non_pointe_recettes",
        crf_non_pointe_depenses="non_pointe_depenses",
        crf_ecart_rapprochement="releve_31_08 + non_pointe_recettes - non_pointe_depenses - banque_fin",
        crf_caisse_comptee="caisse_comptee",
        crf_ecart_caisse="caisse_comptee - caisse_fin",
        crf_subventions_journal="chapitres 74xx",
        crf_subventions_feuille="subventions_feuille",
    )
    return names


def _a(row: int, col: int, *, absolute: bool = True) -> str:
    """1-based row, 0-based column → ``$M$14``."""
    letter = L.column_letter(col)
    return f"${letter}${row}" if absolute else f"{letter}{row}"


def _jrange(col: int) -> str:
    """The prepared input rows of one Journal column: ``Journal!$H$4:$H$1003``."""
    return f"{quote_sheetname(L.SHEET_JOURNAL)}!{_a(J1, col)}:{_a(JN, col)}"


def _ref(sheet: str, row: int, col: int) -> str:
    return f"{quote_sheetname(sheet)}!{_a(row, col)}"


# ---------------------------------------------------------------------------
# Formats


class _Styles:
    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self._cache: dict[tuple[tuple[str, Any], ...], Format] = {}

    def get(self, **props: Any) -> Format:
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self.wb.add_format(props)
        return self._cache[key]

    # Input cells: white, thin grey borders, unlocked.
    def input(self, num_format: str | None = None, **extra: Any) -> Format:
        props: dict[str, Any] = {
            "locked": False,
            "bg_color": WHITE,
            "border": 1,
            "border_color": GRID,
            "valign": "top",
        }
        if num_format:
            props["num_format"] = num_format
        props.update(extra)
        return self.get(**props)

    def computed(self, num_format: str | None = None, **extra: Any) -> Format:
        props: dict[str, Any] = {"bg_color": COMPUTED_GREY, "border": 1, "border_color": GRID, "valign": "top"}
        if num_format:
            props["num_format"] = num_format
        props.update(extra)
        return self.get(**props)

    def header(self, **extra: Any) -> Format:
        props: dict[str, Any] = {
            "bold": True,
            "bg_color": HEADER_BLUE,
            "border": 1,
            "border_color": HEADER_BORDER,
            "text_wrap": True,
            "align": "center",
            "valign": "vcenter",
        }
        props.update(extra)
        return self.get(**props)

    def title(self) -> Format:
        return self.get(bold=True, font_size=14, font_color=TITLE_BLUE)

    def subtitle(self) -> Format:
        return self.get(bold=True, font_size=12, font_color=TITLE_BLUE)

    def label(self, **extra: Any) -> Format:
        props: dict[str, Any] = {"valign": "top", "text_wrap": True}
        props.update(extra)
        return self.get(**props)

    def note(self) -> Format:
        return self.get(italic=True, font_color="#595959", valign="top")

    def cf_error(self) -> Format:
        return self.get(bg_color=ERROR_FILL, font_color=ERROR_FONT)

    def cf_check(self) -> Format:
        return self.get(bg_color=CHECK_FILL)

    def cf_ok(self) -> Format:
        return self.get(bg_color=OK_FILL, font_color=OK_FONT)


def _page_setup(ws: Worksheet, *, landscape: bool = True, repeat: tuple[int, int] | None = None) -> None:
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_header("&L&A&R&F", {"margin": 0.25})
    ws.set_footer("&CPage &P / &N", {"margin": 0.25})
    if repeat is not None:
        ws.repeat_rows(*repeat)


def _lines(text: str, width: float) -> int:
    """Rough number of wrapped lines for ``text`` in a cell ``width`` characters wide."""
    per_line = max(width * 1.05, 10)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


# ---------------------------------------------------------------------------
# Public entry point


def write_template(path: Path, *, exercice: str | None = None, chart: Chart | None = None) -> Path:
    """Write the cahier template to ``path`` and return it. ``exercice`` (``2025-2026``) fills Paramètres."""
    chart = chart or default_chart()
    if exercice is not None:
        exercice = check_exercice(exercice)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    geo = JournalGeometry(tuple(chart.chapitres))

    wb = xlsxwriter.Workbook(
        str(path),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    wb.set_properties(
        {
            "title": "Cahier de comptes de la coopérative scolaire",
            "subject": f"Modèle de cahier, version {L.TEMPLATE_VERSION}",
            "author": "cahier",
            "company": "OCCE",
            "keywords": "cahier, coopérative scolaire, OCCE, comptabilité",
            "comments": "Généré par « cahier template ». Remplir les cellules blanches.",
            "created": CREATED,
        }
    )
    wb.set_custom_property(L.VERSION_NAME, L.TEMPLATE_VERSION)
    wb.define_name(L.VERSION_NAME, f"={L.TEMPLATE_VERSION}")
    wb.set_calc_mode("auto")
    st = _Styles(wb)

    sheets = {name: wb.add_worksheet(name) for name in L.SHEETS}
    _write_guide(sheets[L.SHEET_GUIDE], st, chart)
    _write_params(wb, sheets[L.SHEET_PARAMS], st, exercice)
    _write_journal(sheets[L.SHEET_JOURNAL], st, geo)
    _write_inventaire(wb, sheets[L.SHEET_INVENTAIRE], st)
    _write_subventions(wb, sheets[L.SHEET_SUBVENTIONS], st)
    _write_caisse(wb, sheets[L.SHEET_CAISSE], st)
    _write_cra(wb, sheets[L.SHEET_CRA], st)
    _write_crf(wb, sheets[L.SHEET_CRF], st, chart, geo)
    _write_listes(sheets[L.SHEET_LISTES], st, chart)
    sheets[L.SHEET_GUIDE].activate()
    wb.close()
    return path


# ---------------------------------------------------------------------------
# 1. Mode d'emploi

_GUIDE_WIDTHS = (2, 10, 30, 78)  # A margin, B code, C label, D meaning
_GUIDE_TEXT_WIDTH = sum(_GUIDE_WIDTHS[1:])

_GUIDE: list[tuple[str, str]] = [
    ("h", "À quoi sert ce cahier"),
    (
        "p",
        "Ce classeur est le cahier de comptes de la coopérative scolaire, pour une année scolaire "
        "(l'exercice va du 1er septembre au 31 août). Vous le remplissez au fil de l'année dans Excel ou "
        "LibreOffice ; le compte-rendu financier (feuille CRF) se calcule tout seul pendant que vous tapez.",
    ),
    (
        "p",
        "Règle d'or : on ne remplit que les cellules blanches. Les cellules grises ou bleues sont calculées "
        "ou sont des titres : elles sont protégées (sans mot de passe) pour éviter de les effacer par mégarde.",
    ),
    ("h", "1. Avant de commencer : la feuille Paramètres"),
    (
        "p",
        "Indiquez le numéro de la coopérative, son nom, la commune, le mandataire et l'exercice "
        "(par exemple 2025-2026). Inscrivez le report à nouveau au 1er septembre : le solde de la banque et "
        "celui de la caisse, repris du compte-rendu de l'an dernier.",
    ),
    (
        "p",
        "Attention : le report à nouveau se saisit UNIQUEMENT dans Paramètres. Ce n'est pas une recette : "
        "ne l'inscrivez jamais comme une ligne du Journal.",
    ),
    ("h", "2. Une ligne du Journal par opération"),
    (
        "p",
        "Colonne B — N° pièce : numérotez chaque justificatif (facture, ticket, reçu) et écrivez ce numéro "
        "sur le papier : 1, 2, 3… ou R01, R02… pour les recettes et D01, D02… pour les dépenses. "
        "La numérotation recommence chaque année.",
    ),
    (
        "p",
        "Colonne C — Mode : choisissez dans la liste CHQ (chèque), VIR (virement), CB (carte), "
        "ESP (espèces), PRLV (prélèvement).",
    ),
    ("p", "Colonne D — Date (obligatoire) : une vraie date au format jj/mm/aaaa, par exemple 15/09/2025."),
    ("p", "Colonne E — Libellé (obligatoire) : ce que c'est, en quelques mots (« Cotisations des familles CE1 »)."),
    ("p", "Colonne F — N° chèque : le numéro de chaque chèque émis."),
    (
        "p",
        "Colonne G — Action : le projet ou l'activité (« Sortie zoo CE1 »). Écrivez-le toujours de la même "
        "façon : la feuille CRA fait le total des recettes et des dépenses de chaque action.",
    ),
    (
        "p",
        "Colonnes H à K — le montant, dans UNE seule colonne : Banque recette, Banque dépense, Caisse recette "
        "ou Caisse dépense. Tapez le nombre seul (12,50) : le symbole € s'affiche tout seul.",
    ),
    ("h", "3. Ventiler la ligne dans un chapitre : deux façons"),
    (
        "p",
        "Ventilation automatique (le cas le plus fréquent) : si toute la somme va dans un seul chapitre, "
        "choisissez-le dans la liste de la colonne L « Chapitre ». C'est tout.",
    ),
    (
        "p",
        "Visualisation classique : si une même opération concerne plusieurs chapitres, laissez la colonne L "
        "vide et tapez chaque part dans la colonne de son chapitre (colonnes M et suivantes). Exemple : le "
        "chèque d'affiliation à l'OCCE se partage entre 6281 Cotisation OCCE et 6282 Assurance.",
    ),
    (
        "p",
        "La dernière colonne, « Reste à ventiler », doit afficher 0,00 € : elle devient rouge quand les parts "
        "ne font pas le total du montant de la ligne.",
    ),
    ("h", "4. Mouvements entre la banque et la caisse (sans chapitre)"),
    (
        "p",
        "Retrait d'espèces à la banque pour alimenter la caisse : sur UNE seule ligne, le même montant en "
        "Banque dépense (I) et en Caisse recette (J), sans chapitre.",
    ),
    (
        "p",
        "Dépôt des espèces de la caisse à la banque : sur UNE seule ligne, le même montant en Caisse dépense "
        "(K) et en Banque recette (H), sans chapitre. Ce ne sont ni des recettes ni des dépenses de la "
        "coopérative : elles ne vont dans aucun chapitre.",
    ),
    ("h", "5. Pointer le relevé bancaire"),
    (
        "p",
        "Quand une opération apparaît sur le relevé de la banque, mettez un x (ou la date du relevé) dans la "
        "colonne A « Pointé ». Les lignes non pointées expliquent l'écart entre le relevé et le cahier.",
    ),
    ("h", "6. À la fin de l'année (31 août)"),
    (
        "p",
        "Saisissez dans Paramètres le solde du relevé bancaire au 31 août. Comptez les billets et les pièces "
        "de la caisse dans la feuille « Arrêté de caisse ». Remplissez l'Inventaire (achats du chapitre 6800), "
        "le tableau des Subventions et le CRA (compte-rendu d'activités).",
    ),
    (
        "p",
        "La feuille CRF montre alors le compte de fonctionnement, le bilan, le rapprochement bancaire et "
        "l'arrêté de caisse : chaque contrôle doit afficher OK. Sinon, l'écart est indiqué en rouge.",
    ),
    ("h", "Les couleurs"),
]

_CHAPTER_INTRO = (
    "Les chapitres de ventilation (plan comptable des coopératives scolaires). Les charges (6…) sont les "
    "dépenses, les produits (7…) sont les recettes."
)


def _write_guide(ws: Worksheet, st: _Styles, chart: Chart) -> None:
    for i, w in enumerate(_GUIDE_WIDTHS):
        ws.set_column(i, i, w)
    ws.hide_gridlines(2)
    _page_setup(ws, landscape=True)
    ws.write_string(0, 1, "Cahier de comptes de la coopérative scolaire — mode d'emploi", st.title())
    ws.write_string(1, 1, f"Modèle version {L.TEMPLATE_VERSION}", st.note())
    row = 3
    para = st.label()
    head = st.subtitle()
    for kind, text in _GUIDE:
        if kind == "h":
            row += 1
            ws.set_row(row, 20)
            ws.write_string(row, 1, text, head)
        else:
            ws.merge_range(row, 1, row, 3, text, para)
            ws.set_row(row, 15 * _lines(text, _GUIDE_TEXT_WIDTH))
        row += 1

    legend = [
        st.input(),
        st.computed(),
        st.header(),
        st.get(bg_color=ERROR_FILL, font_color=ERROR_FONT, border=1, border_color=GRID),
        st.get(bg_color=CHECK_FILL, border=1, border_color=GRID),
    ]
    samples = ["", "0,00 €", "Titre", "10,00 €", ""]
    legend_text = [
        "Cellule blanche : à remplir.",
        "Cellule grise : calculée automatiquement, ne rien y taper.",
        "Cellule bleue : titre de colonne ou de tableau, protégé.",
        "Rouge : à corriger (par exemple une ventilation qui ne fait pas le total, une date écrite comme du texte).",
        "Orange : à vérifier (une ligne avec un montant mais sans date ou sans libellé).",
    ]
    for fmt, sample, text in zip(legend, samples, legend_text, strict=True):
        ws.write_string(row, 1, sample, fmt)
        ws.merge_range(row, 2, row, 3, text, para)
        row += 1

    row += 1
    ws.set_row(row, 20)
    ws.write_string(row, 1, "Les chapitres", head)
    row += 1
    ws.merge_range(row, 1, row, 3, _CHAPTER_INTRO, para)
    ws.set_row(row, 15 * _lines(_CHAPTER_INTRO, _GUIDE_TEXT_WIDTH))
    row += 1
    hdr = st.header(align="left")
    for col, text in ((1, "Code"), (2, "Chapitre"), (3, "Ce qu'on y met")):
        ws.write_string(row, col, text, hdr)
    row += 1
    cell = st.get(border=1, border_color=GRID, text_wrap=True, valign="top")
    code_fmt = st.get(border=1, border_color=GRID, valign="top", bold=True)
    for group, chapitres in (("Charges (dépenses)", chart.charges), ("Produits (recettes)", chart.produits)):
        ws.merge_range(row, 1, row, 3, group, st.get(bold=True, bg_color=COMPUTED_GREY, border=1, border_color=GRID))
        row += 1
        for c in chapitres:
            ws.write_string(row, 1, c.code, code_fmt)
            ws.write_string(row, 2, c.libelle, cell)
            ws.write_string(row, 3, c.definition, cell)
            ws.set_row(row, 15 * max(_lines(c.definition, _GUIDE_WIDTHS[3]), _lines(c.libelle, _GUIDE_WIDTHS[2])))
            row += 1
    ws.protect("", _PROTECTION)


# ---------------------------------------------------------------------------
# 2. Paramètres

_PARAM_HINTS = {
    "coop_numero": "Le numéro de la coopérative donné par l'OCCE (recopiez-le exactement).",
    "coop_nom": "Le nom de la coopérative ou de l'école.",
    "coop_commune": "",
    "coop_mandataire": "La personne qui tient le cahier.",
    "exercice": "Deux années qui se suivent : 2025-2026 = du 1er septembre 2025 au 31 août 2026.",
    "report_banque": "Solde de la banque au 1er septembre, repris du compte-rendu de l'an dernier. "
    "Ce n'est pas une recette : ne pas le mettre dans le Journal.",
    "report_caisse": "Espèces en caisse au 1er septembre, reprises de l'arrêté de caisse de l'an dernier.",
    "releve_31_08": "À remplir en fin d'année : le solde indiqué par le relevé de la banque au 31 août.",
}


def _write_params(wb: Workbook, ws: Worksheet, st: _Styles, exercice: str | None) -> None:
    ws.set_column(0, 0, 44)
    ws.set_column(1, 1, 26)
    ws.set_column(2, 2, 80)
    _page_setup(ws)
    ws.write_string(0, 0, "Paramètres de la coopérative", st.title())
    ws.write_string(1, 0, "Remplissez les cellules blanches de la colonne B.", st.note())
    label = st.label(bold=True, border=1, border_color=GRID, bg_color=HEADER_BLUE)
    hint = st.get(italic=True, font_color="#595959", valign="top", text_wrap=True, indent=1)
    for p in L.PARAMS:
        r = p.row - 1
        text = p.label + (" *" if p.required else "")
        ws.write_string(r, 0, text, label)
        ws.write_string(r, 2, _PARAM_HINTS.get(p.name, ""), hint)
        ws.set_row(r, 30 if len(_PARAM_HINTS.get(p.name, "")) > 80 else 18)
        if p.kind == "money":
            fmt = st.input(MONEY)
            ws.write_blank(r, 1, None, fmt)
            ws.data_validation(
                r,
                1,
                r,
                1,
                {
                    "validate": "decimal",
                    "criteria": ">=",
                    "value": 0,
                    "input_title": "Montant en euros",
                    "input_message": "Tapez le nombre seul, par exemple 1234,56.",
                    "error_title": "Montant invalide",
                    "error_message": "Tapez un montant positif ou nul, sans le symbole €, par exemple 1234,56.",
                },
            )
        elif p.kind == "exercice":
            fmt = st.input(TEXT)
            if exercice:
                ws.write_string(r, 1, exercice, fmt)
            else:
                ws.write_blank(r, 1, None, fmt)
            ws.data_validation(
                r,
                1,
                r,
                1,
                {
                    "validate": "length",
                    "criteria": "==",
                    "value": 9,
                    "input_title": "Exercice",
                    "input_message": "Par exemple 2025-2026 (du 1er septembre 2025 au 31 août 2026).",
                    "error_title": "Exercice invalide",
                    "error_message": "Écrivez deux années qui se suivent, séparées par un tiret : 2025-2026.",
                },
            )
        else:
            fmt = st.input(TEXT)
            ws.write_blank(r, 1, None, fmt)
        wb.define_name(p.name, f"={_ref(L.SHEET_PARAMS, p.row, 1)}")
    last = max(p.row for p in L.PARAMS)
    ws.write_string(last + 1, 0, "* obligatoire", st.note())
    ws.protect("", _PROTECTION)


# ---------------------------------------------------------------------------
# 3. Journal


def _remainder_formula(row: int, geo: JournalGeometry) -> str:
    h, k = L.column_letter(COL_BR), L.column_letter(COL_CD)
    m, z = L.column_letter(geo.first_chapter), L.column_letter(geo.remainder - 1)
    chap = L.column_letter(COL_CHAPITRE)
    amounts = f"{h}{row}:{k}{row}"
    split = f"{m}{row}:{z}{row}"
    return (
        f'=IF(COUNT({amounts})<>1,"",ROUND(SUM({amounts})'
        f'-IF(COUNTA({split})>0,SUM({split}),IF({chap}{row}<>"",SUM({amounts}),0)),2))'
    )


_COLUMN_WIDTHS = {
    "pointe": 7,
    "piece": 8,
    "mode": 7,
    "date": 11,
    "libelle": 30,
    "cheque": 10,
    "action": 16,
    "banque_recette": 11,
    "banque_depense": 11,
    "caisse_recette": 11,
    "caisse_depense": 11,
    "chapitre": 24,
}

_INPUT_HINTS: dict[str, tuple[str, str]] = {
    "pointe": ("Pointé", "Mettez un x (ou la date du relevé) quand la ligne apparaît sur le relevé bancaire."),
    "piece": ("N° de pièce", "Le numéro écrit sur le justificatif : 1, 2, 3… ou R01 / D01…"),
    "libelle": ("Libellé (obligatoire)", "Ce que c'est, en quelques mots."),
    "cheque": ("N° de chèque", "Le numéro du chèque émis."),
    "action": ("Action", "Le projet ou l'activité, écrit toujours de la même façon (ex. Sortie zoo CE1)."),
}


def _write_journal(ws: Worksheet, st: _Styles, geo: JournalGeometry) -> None:
    keys = [k for k, _ in L.JOURNAL_COLUMNS]
    for i, key in enumerate(keys):
        ws.set_column(i, i, _COLUMN_WIDTHS.get(key, 12))
    ws.set_column(geo.first_chapter, geo.remainder - 1, 12.5)
    ws.set_column(geo.remainder, geo.remainder, 11.5)
    _page_setup(ws, repeat=(0, L.JOURNAL_HEADER_ROW - 1))

    r_title, r_tot, r_head = L.JOURNAL_TITLE_ROW - 1, L.JOURNAL_TOTALS_ROW - 1, L.JOURNAL_HEADER_ROW - 1
    ws.set_row(r_title, 22)
    ws.write_string(r_title, 0, "Journal — cahier de comptes de la coopérative", st.title())
    ws.write_formula(
        r_title,
        COL_ACTION,
        '="Coopérative "&coop_numero&"  "&coop_nom&"   Exercice "&exercice',
        st.get(bold=True, font_color=TITLE_BLUE),
        "Coopérative      Exercice ",
    )

    # Row 2: column totals.
    tot = st.computed(MONEY, bold=True)
    ws.write_string(r_tot, COL_ACTION, "Totaux", st.computed(bold=True, align="right"))
    for c in range(geo.first_chapter - 1):
        if c not in AMOUNT_COLS and c != COL_ACTION:
            ws.write_blank(r_tot, c, None, st.computed())
    ws.write_blank(r_tot, COL_CHAPITRE, None, st.computed())
    for c in [*AMOUNT_COLS, geo.remainder]:
        letter = L.column_letter(c)
        ws.write_formula(r_tot, c, f"=SUM({letter}{J1}:{letter}{JN})", tot, 0)
    # above a chapter column: the chapter's whole total (typed split + lines given that chapter in column L),
    # the same figure as the CRF, so that a teacher never reads a partial total
    for chap in geo.chapitres:
        ws.write_formula(r_tot, geo.chapter_col(chap.code), _chapter_total_formula(chap.code, geo), tot, 0)

    # Row 3: header.
    ws.set_row(r_head, 50)
    hdr = st.header()
    small = st.header(font_size=9)
    for c, text in enumerate(geo.headers()):
        ws.write_string(r_head, c, text, small if geo.first_chapter <= c < geo.remainder else hdr)

    # Input rows: white, unlocked, with their formats; the remainder is computed.
    fmts: dict[int, Format] = {}
    for c, key in enumerate(keys):
        if key in ("pointe", "date"):
            fmts[c] = st.input(DATE, align="center")
        elif key in ("piece", "cheque"):
            fmts[c] = st.input(TEXT, align="center")
        elif key == "mode":
            fmts[c] = st.input(align="center")
        elif key in L.AMOUNT_COLUMNS:
            fmts[c] = st.input(MONEY)
        else:
            fmts[c] = st.input(TEXT)
    chap_fmt = st.input(MONEY)
    for c in range(geo.first_chapter, geo.remainder):
        fmts[c] = chap_fmt
    rem_fmt = st.computed(MONEY)
    for r in range(J1 - 1, JN):
        for c, fmt in fmts.items():
            ws.write_blank(r, c, None, fmt)
        ws.write_formula(r, geo.remainder, _remainder_formula(r + 1, geo), rem_fmt, "")

    first, last = J1 - 1, JN - 1
    ws.data_validation(
        first,
        COL_MODE,
        last,
        COL_MODE,
        {
            "validate": "list",
            "source": f"={_ref(L.SHEET_LISTES, 2, 0)}:{_a(1 + len(L.MODES), 0)}",
            "input_title": "Mode de paiement",
            "input_message": "CHQ chèque, VIR virement, CB carte, ESP espèces, PRLV prélèvement.",
            "error_title": "Mode inconnu",
            "error_message": "Choisissez dans la liste : CHQ, VIR, CB, ESP ou PRLV.",
        },
    )
    lo, hi = dt.date(*L.JOURNAL_DATE_MIN), dt.date(*L.JOURNAL_DATE_MAX)
    ws.data_validation(
        first,
        COL_DATE,
        last,
        COL_DATE,
        {
            "validate": "date",
            "criteria": "between",
            "minimum": lo,
            "maximum": hi,
            "input_title": "Date (obligatoire)",
            "input_message": "Au format jj/mm/aaaa, par exemple 15/09/2025.",
            "error_title": "Date invalide",
            "error_message": "Tapez une vraie date au format jj/mm/aaaa, par exemple 15/09/2025.",
        },
    )
    n = len(geo.chapitres)
    ws.data_validation(
        first,
        COL_CHAPITRE,
        last,
        COL_CHAPITRE,
        {
            "validate": "list",
            "source": f"={_ref(L.SHEET_LISTES, 2, 1)}:{_a(1 + n, 1)}",
            "input_title": "Ventilation automatique",
            "input_message": "Toute la somme va dans ce chapitre. Pour partager la somme entre plusieurs "
            "chapitres, laissez vide et tapez les parts dans les colonnes des chapitres.",
            "error_title": "Chapitre inconnu",
            "error_message": "Choisissez un chapitre dans la liste.",
        },
    )
    amount_range = f"{_a(J1, COL_BR, absolute=False)}:{_a(JN, COL_CD, absolute=False)}"
    chapter_range = f"{_a(J1, geo.first_chapter, absolute=False)}:{_a(JN, geo.remainder - 1, absolute=False)}"
    ws.data_validation(
        first,
        COL_BR,
        last,
        COL_CD,
        {
            "validate": "decimal",
            "criteria": ">",
            "value": 0,
            "multi_range": f"{amount_range} {chapter_range}",
            "input_title": "Montant en euros",
            "input_message": "Le nombre seul, positif, par exemple 12,50 (le symbole € s'affiche tout seul).",
            "error_title": "Montant invalide",
            "error_message": "Tapez un montant positif, sans le symbole €, par exemple 12,50.",
        },
    )
    for key, (title, message) in _INPUT_HINTS.items():
        c = keys.index(key)
        ws.data_validation(first, c, last, c, {"validate": "any", "input_title": title, "input_message": message})

    # Conditional formatting.
    d, e = L.column_letter(COL_DATE), L.column_letter(COL_LIBELLE)
    h, k = L.column_letter(COL_BR), L.column_letter(COL_CD)
    rem = L.column_letter(geo.remainder)
    for ref in (f"{rem}{L.JOURNAL_TOTALS_ROW}", f"{rem}{J1}"):
        ws.conditional_format(
            f"{ref}:{rem}{JN}" if ref.endswith(str(J1)) else ref,
            {"type": "formula", "criteria": f"=AND(ISNUMBER({ref}),{ref}<>0)", "format": st.cf_error()},
        )
    # A value that is not a number where a date or an amount is expected (pasted text): red.
    ws.conditional_format(
        f"{d}{J1}:{d}{JN}",
        {"type": "formula", "criteria": f'=AND({d}{J1}<>"",NOT(ISNUMBER({d}{J1})))', "format": st.cf_error()},
    )
    ws.conditional_format(
        amount_range,
        {
            "type": "formula",
            "criteria": f'=AND({h}{J1}<>"",NOT(ISNUMBER({h}{J1})))',
            "format": st.cf_error(),
            "multi_range": f"{amount_range} {chapter_range}",
        },
    )
    # An amount but no date or no label: orange on the missing cell.
    for col in (d, e):
        ws.conditional_format(
            f"{col}{J1}:{col}{JN}",
            {
                "type": "formula",
                "criteria": f'=AND(COUNT(${h}{J1}:${k}{J1})>0,{col}{J1}="")',
                "format": st.cf_check(),
            },
        )

    ws.freeze_panes(L.JOURNAL_HEADER_ROW, COL_LIBELLE + 1)
    ws.autofilter(r_head, 0, last, geo.remainder)
    ws.protect("", _PROTECTION)


# ---------------------------------------------------------------------------
# 4-5. Inventaire, Subventions


def _write_table(
    ws: Worksheet,
    st: _Styles,
    title: str,
    note: str,
    columns: Sequence[tuple[str, str]],
    kinds: dict[str, str],
    widths: dict[str, float],
) -> None:
    _page_setup(ws, repeat=(0, L.TABLE_HEADER_ROW - 1))
    ws.write_string(0, 0, title, st.title())
    ws.write_string(1, 0, note, st.note())
    hr = L.TABLE_HEADER_ROW - 1
    ws.set_row(hr, 30)
    for c, (key, text) in enumerate(columns):
        ws.set_column(c, c, widths.get(key, 14))
        ws.write_string(hr, c, text, st.header())
    first, last = L.TABLE_FIRST_ROW - 1, L.TABLE_FIRST_ROW - 1 + L.TABLE_ROWS - 1
    for c, (key, _) in enumerate(columns):
        kind = kinds.get(key, "text")
        fmt = (
            st.input(DATE, align="center") if kind == "date" else st.input(MONEY) if kind == "money" else st.input(TEXT)
        )
        if kind == "longtext":
            fmt = st.input(TEXT, text_wrap=True)
        for r in range(first, last + 1):
            ws.write_blank(r, c, None, fmt)
        if kind == "date":
            ws.data_validation(
                first,
                c,
                last,
                c,
                {
                    "validate": "date",
                    "criteria": "between",
                    "minimum": dt.date(*L.JOURNAL_DATE_MIN),
                    "maximum": dt.date(*L.JOURNAL_DATE_MAX),
                    "error_title": "Date invalide",
                    "error_message": "Tapez une vraie date au format jj/mm/aaaa, par exemple 15/09/2025.",
                },
            )
        elif kind == "money":
            ws.data_validation(
                first,
                c,
                last,
                c,
                {
                    "validate": "decimal",
                    "criteria": ">",
                    "value": 0,
                    "error_title": "Montant invalide",
                    "error_message": "Tapez un montant positif, sans le symbole €, par exemple 12,50.",
                },
            )
    ws.freeze_panes(L.TABLE_HEADER_ROW, 0)
    ws.autofilter(hr, 0, last, len(columns) - 1)
    ws.protect("", _PROTECTION)


def _table_total(
    wb: Workbook, ws: Worksheet, st: _Styles, columns: Sequence[tuple[str, str]], key: str, row: int, name: str | None
) -> None:
    keys = [k for k, _ in columns]
    c = keys.index(key)
    letter = L.column_letter(c)
    first, last = L.TABLE_FIRST_ROW, L.TABLE_FIRST_ROW + L.TABLE_ROWS - 1
    ws.write_string(row - 1, c - 1, "Total", st.computed(bold=True, align="right"))
    ws.write_formula(row - 1, c, f"=SUM({letter}{first}:{letter}{last})", st.computed(MONEY, bold=True), 0)
    if name:
        wb.define_name(name, f"={_ref(ws.name, row, c)}")


def _write_inventaire(wb: Workbook, ws: Worksheet, st: _Styles) -> None:
    _write_table(
        ws,
        st,
        "Inventaire des biens durables (chapitre 6800)",
        "Chaque matériel acheté au chapitre 6800, avec le n° de pièce de la ligne du Journal ; "
        "sa date de sortie quand il est donné, jeté ou vendu.",
        L.INVENTAIRE_COLUMNS,
        {"date": "date", "valeur": "money", "date_sortie": "date", "designation": "text", "motif": "text"},
        {"date": 13, "piece": 10, "designation": 45, "valeur": 14, "date_sortie": 13, "motif": 40},
    )
    ws.write_string(1, 0, "Les matériels du chapitre 6800 (achetés au Journal), un par ligne.", st.note())
    _table_total(wb, ws, st, L.INVENTAIRE_COLUMNS, "valeur", L.INVENTAIRE_TOTAL_ROW, None)


def _write_subventions(wb: Workbook, ws: Worksheet, st: _Styles) -> None:
    _write_table(
        ws,
        st,
        "Tableau des subventions",
        "Chaque subvention reçue (commune, département, association…), avec le n° de pièce de la ligne du Journal.",
        L.SUBVENTIONS_COLUMNS,
        {"date": "date", "montant": "money"},
        {"date": 13, "organisme": 32, "objet": 45, "montant": 14, "piece": 10},
    )
    ws.write_string(1, 0, "Chaque subvention reçue, avec le n° de pièce du Journal.", st.note())
    _table_total(wb, ws, st, L.SUBVENTIONS_COLUMNS, "montant", L.SUBVENTIONS_TOTAL_ROW, L.SUBVENTIONS_TOTAL_NAME)


# ---------------------------------------------------------------------------
# 6. Arrêté de caisse


def _caisse_fin_formula() -> str:
    return f"ROUND(report_caisse+SUM({_jrange(COL_CR)})-SUM({_jrange(COL_CD)}),2)"


def _write_caisse(wb: Workbook, ws: Worksheet, st: _Styles) -> None:
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 12)
    ws.set_column(2, 2, 16)
    ws.set_column(3, 3, 68)
    _page_setup(ws)
    ws.write_string(0, 0, "Arrêté de caisse au 31 août", st.title())
    ws.write_string(
        1, 0, "Comptez les billets et les pièces de la caisse le 31 août ; tapez le nombre de chacun.", st.note()
    )
    hr = L.CAISSE_FIRST_ROW - 2
    for c, text in enumerate(("Billet ou pièce", "Nombre", "Montant")):
        ws.write_string(hr, c, text, st.header())
    value_fmt = st.computed(MONEY)
    count_fmt = st.input("0", align="center")
    money = st.computed(MONEY)
    for i, cents in enumerate(L.DENOMINATIONS_CENTS):
        r = L.CAISSE_FIRST_ROW - 1 + i
        ws.write_number(r, 0, cents / 100, value_fmt)
        ws.write_blank(r, 1, None, count_fmt)
        ws.write_formula(r, 2, f"=ROUND(A{r + 1}*B{r + 1},2)", money, 0)
    first, last = L.CAISSE_FIRST_ROW, L.CAISSE_TOTAL_ROW - 1
    ws.data_validation(
        first - 1,
        1,
        last - 1,
        1,
        {
            "validate": "integer",
            "criteria": ">=",
            "value": 0,
            "input_title": "Nombre",
            "input_message": "Le nombre de billets ou de pièces de cette valeur.",
            "error_title": "Nombre invalide",
            "error_message": "Tapez un nombre entier, positif ou nul.",
        },
    )
    tr = L.CAISSE_TOTAL_ROW - 1
    bold_money = st.computed(MONEY, bold=True)
    ws.write_string(tr, 0, "Total compté", st.computed(bold=True))
    ws.write_formula(tr, 1, f"=SUM(B{first}:B{last})", st.computed("0", bold=True, align="center"), 0)
    ws.write_formula(tr, 2, f"=ROUND(SUM(C{first}:C{last}),2)", bold_money, 0)
    wb.define_name(L.CAISSE_TOTAL_NAME, f"={_ref(ws.name, L.CAISSE_TOTAL_ROW, 2)}")

    r = tr + 2
    ws.write_string(r, 0, "Solde de caisse du cahier", st.computed(bold=True))
    ws.write_formula(r, 2, "=" + _caisse_fin_formula(), bold_money, 0)
    ws.write_string(r, 3, "Report caisse + recettes en caisse − dépenses en caisse (Journal).", st.note())
    ws.write_string(r + 1, 0, "Écart (compté − cahier)", st.computed(bold=True))
    ecart = f"C{r + 2}"
    ws.write_formula(r + 1, 2, f"=ROUND(C{tr + 1}-C{r + 1},2)", bold_money, 0)
    ws.write_string(r + 1, 3, "Doit être 0,00 € : sinon, recomptez ou cherchez l'opération oubliée.", st.note())
    ws.conditional_format(
        ecart, {"type": "formula", "criteria": f"=AND(ISNUMBER({ecart}),{ecart}<>0)", "format": st.cf_error()}
    )
    ws.protect("", _PROTECTION)


# ---------------------------------------------------------------------------
# 7. CRA


def _write_cra(wb: Workbook, ws: Worksheet, st: _Styles) -> None:
    _page_setup(ws, repeat=(L.CRA_HEADER_ROW - 1, L.CRA_HEADER_ROW - 1))
    widths = (36, 18, 18, 60, 14, 14)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.write_string(0, 0, "Compte-rendu d'activités (CRA)", st.title())
    label = st.label(bold=True, border=1, border_color=GRID, bg_color=HEADER_BLUE)
    for p in L.CRA_FIGURES:
        ws.write_string(p.row - 1, 0, p.label, label)
        ws.write_blank(p.row - 1, 1, None, st.input("0", align="center"))
        ws.data_validation(
            p.row - 1,
            1,
            p.row - 1,
            1,
            {
                "validate": "integer",
                "criteria": ">=",
                "value": 0,
                "error_title": "Nombre invalide",
                "error_message": "Tapez un nombre entier, positif ou nul.",
            },
        )
        wb.define_name(p.name, f"={_ref(ws.name, p.row, 1)}")
    ws.write_string(
        L.CRA_HEADER_ROW - 2,
        0,
        "Les actions de l'année : même nom que dans la colonne Action du Journal ; "
        "les recettes et dépenses se calculent.",
        st.note(),
    )
    hr = L.CRA_HEADER_ROW - 1
    ws.set_row(hr, 30)
    headers = [h for _, h in L.CRA_COLUMNS] + ["Recettes (Journal)", "Dépenses (Journal)"]
    for c, text in enumerate(headers):
        ws.write_string(hr, c, text, st.header())
    first = L.CRA_FIRST_ROW
    action_col = L.column_letter(COL_ACTION)
    g = f"{quote_sheetname(L.SHEET_JOURNAL)}!${action_col}${J1}:${action_col}${JN}"
    text_fmt = st.input(TEXT, text_wrap=True)
    money = st.computed(MONEY)
    for i in range(L.CRA_ROWS):
        r = first + i
        for c in range(len(L.CRA_COLUMNS)):
            ws.write_blank(r - 1, c, None, text_fmt)
        rec = "+".join(f"SUMIF({g},$A{r},{_jrange(col)})" for col in (COL_BR, COL_CR))
        dep = "+".join(f"SUMIF({g},$A{r},{_jrange(col)})" for col in (COL_BD, COL_CD))
        ws.write_formula(r - 1, 4, f'=IF($A{r}="","",ROUND({rec},2))', money, "")
        ws.write_formula(r - 1, 5, f'=IF($A{r}="","",ROUND({dep},2))', money, "")
    ws.freeze_panes(L.CRA_HEADER_ROW, 0)
    ws.protect("", _PROTECTION)


# ---------------------------------------------------------------------------
# 8. CRF


def _chapter_total_formula(code: str, geo: JournalGeometry) -> str:
    col = geo.chapter_col(code)
    split = "&".join(_jrange(c) for c in range(geo.first_chapter, geo.remainder))
    amount = "+".join(_jrange(c) for c in AMOUNT_COLS)
    return (
        f'=ROUND(SUM({_jrange(col)})+SUMPRODUCT((LEFT({_jrange(COL_CHAPITRE)},4)="{code}")'
        f'*(({split})="")*({amount})),2)'
    )


def _write_crf(wb: Workbook, ws: Worksheet, st: _Styles, chart: Chart, geo: JournalGeometry) -> None:
    # Left block: A code, B label, C amount. Right block: E code, F label, G amount.
    for c, w in enumerate((8, 44, 15, 3, 8, 44, 15)):
        ws.set_column(c, c, w)
    ws.hide_gridlines(2)
    _page_setup(ws)
    ws.set_row(0, 22)
    ws.write_formula(
        0, 0, '="Compte-rendu financier — exercice "&exercice', st.title(), "Compte-rendu financier — exercice "
    )
    ws.write_formula(
        1,
        0,
        '="Coopérative n° "&coop_numero&"  "&coop_nom&"  "&coop_commune',
        st.get(bold=True),
        "Coopérative n°     ",
    )
    ws.write_string(
        2, 0, "Calculé automatiquement à partir du Journal et des autres feuilles : rien à saisir ici.", st.note()
    )

    money = st.computed(MONEY)
    bold_money = st.computed(MONEY, bold=True)
    text_cell = st.get(border=1, border_color=GRID, valign="top")
    bold_text = st.get(border=1, border_color=GRID, valign="top", bold=True, bg_color=COMPUTED_GREY)
    code_cell = st.get(border=1, border_color=GRID, valign="top", align="center")

    gaps: list[str] = []

    def named(row: int, col: int, name: str, formula: str, fmt: Format, value: Any = 0) -> None:
        ws.write_formula(row, col, formula, fmt, value)
        wb.define_name(name, f"={_ref(ws.name, row + 1, col)}")
        if name.startswith("crf_ecart_"):
            gaps.append(_a(row + 1, col, absolute=False))

    def check(row: int, col: int, formula: str, value: str) -> None:
        cell = _a(row + 1, col, absolute=False)
        ws.write_formula(row, col, formula, st.computed(bold=True, align="center"), value)
        ws.conditional_format(cell, {"type": "cell", "criteria": "==", "value": '"OK"', "format": st.cf_ok()})
        ws.conditional_format(
            cell, {"type": "cell", "criteria": "==", "value": '"À corriger"', "format": st.cf_error()}
        )

    # 1. Compte de fonctionnement.
    r = 4
    ws.write_string(r, 0, "1. Compte de fonctionnement", st.subtitle())
    r += 1
    for c, text in enumerate(("Compte", "Charges", "Montant", None, "Compte", "Produits", "Montant")):
        if text is not None:
            ws.write_string(r, c, text, st.header())
    r += 1
    top = r
    height = max(len(chart.charges), len(chart.produits))
    for side, chapitres in ((0, chart.charges), (4, chart.produits)):
        for i in range(height):
            row = top + i
            if i < len(chapitres):
                chap = chapitres[i]
                ws.write_string(row, side, chap.code, code_cell)
                ws.write_string(row, side + 1, chap.libelle, text_cell)
                named(row, side + 2, f"crf_{chap.code}", _chapter_total_formula(chap.code, geo), money)
            else:
                for k in range(3):
                    ws.write_blank(row, side + k, None, text_cell)
    r = top + height

    def chapter_sum(chapitres: Sequence[Chapitre]) -> str:
        return "=ROUND(" + ("+".join(f"crf_{c.code}" for c in chapitres) or "0") + ",2)"

    ws.write_string(r, 1, "Total des charges", bold_text)
    named(r, 2, "crf_total_charges", chapter_sum(chart.charges), bold_money)
    ws.write_string(r, 5, "Total des produits", bold_text)
    named(r, 6, "crf_total_produits", chapter_sum(chart.produits), bold_money)
    r += 1
    ws.write_string(r, 5, "Résultat de l'exercice (produits − charges)", bold_text)
    named(r, 6, "crf_resultat", "=ROUND(crf_total_produits-crf_total_charges,2)", bold_money)
    r += 2

    # 2. Bilan (left) and 3. Rapprochement bancaire (right).
    ws.write_string(r, 0, "2. Bilan au 31 août", st.subtitle())
    ws.write_string(r, 4, "3. Rapprochement bancaire au 31 août", st.subtitle())
    r += 1
    left = r
    bilan = [
        ("Report à nouveau banque au 1er septembre", "crf_report_banque", "=ROUND(report_banque,2)", money),
        ("+ Recettes en banque", "crf_banque_recettes", f"=ROUND(SUM({_jrange(COL_BR)}),2)", money),
        ("− Dépenses en banque", "crf_banque_depenses", f"=ROUND(SUM({_jrange(COL_BD)}),2)", money),
        (
            "= Banque au 31 août",
            "crf_banque_fin",
            "=ROUND(crf_report_banque+crf_banque_recettes-crf_banque_depenses,2)",
            bold_money,
        ),
        ("Report à nouveau caisse au 1er septembre", "crf_report_caisse", "=ROUND(report_caisse,2)", money),
        ("+ Recettes en caisse", "crf_caisse_recettes", f"=ROUND(SUM({_jrange(COL_CR)}),2)", money),
        ("− Dépenses en caisse", "crf_caisse_depenses", f"=ROUND(SUM({_jrange(COL_CD)}),2)", money),
        (
            "= Caisse au 31 août",
            "crf_caisse_fin",
            "=ROUND(crf_report_caisse+crf_caisse_recettes-crf_caisse_depenses,2)",
            bold_money,
        ),
        (
            "Report à nouveau (banque + caisse) + résultat",
            "crf_report_plus_resultat",
            "=ROUND(crf_report_banque+crf_report_caisse+crf_resultat,2)",
            money,
        ),
        ("Banque + caisse au 31 août", "crf_disponible_fin", "=ROUND(crf_banque_fin+crf_caisse_fin,2)", money),
        (
            "Écart (doit être 0)",
            "crf_ecart_bilan",
            "=ROUND(crf_report_plus_resultat-crf_disponible_fin,2)",
            bold_money,
        ),
    ]
    for i, (text, name, formula, fmt) in enumerate(bilan):
        ws.write_string(left + i, 1, text, bold_text if fmt is bold_money else text_cell)
        named(left + i, 2, name, formula, fmt)
    row = left + len(bilan)
    ws.write_string(row, 1, "Équilibre du bilan (écart nul)", bold_text)
    check(row, 2, '=IF(crf_ecart_bilan=0,"OK","À corriger")', "OK")
    bilan_end = row + 1

    row = left
    rappro = [
        (
            "Solde du relevé bancaire au 31 août",
            "crf_releve",
            '=IF(releve_31_08="","",ROUND(releve_31_08,2))',
            money,
            "",
        ),
        (
            "+ Recettes en banque non pointées",
            "crf_non_pointe_recettes",
            f'=ROUND(SUMPRODUCT(({_jrange(COL_POINTE)}="")*{_jrange(COL_BR)}),2)',
            money,
            0,
        ),
        (
            "− Dépenses en banque non pointées",
            "crf_non_pointe_depenses",
            f'=ROUND(SUMPRODUCT(({_jrange(COL_POINTE)}="")*{_jrange(COL_BD)}),2)',
            money,
            0,
        ),
        (
            "= Solde rapproché",
            "crf_banque_rapprochee",
            '=IF(crf_releve="","",ROUND(crf_releve+crf_non_pointe_recettes-crf_non_pointe_depenses,2))',
            bold_money,
            "",
        ),
        ("Banque du cahier au 31 août", "crf_banque_cahier", "=crf_banque_fin", money, 0),
        (
            "Écart (doit être 0)",
            "crf_ecart_rapprochement",
            '=IF(crf_releve="","",ROUND(crf_banque_rapprochee-crf_banque_fin,2))',
            bold_money,
            "",
        ),
    ]
    for text, name, formula, fmt, value in rappro:
        ws.write_string(row, 5, text, bold_text if fmt is bold_money else text_cell)
        named(row, 6, name, formula, fmt, value)
        row += 1
    ws.write_string(row, 5, "Contrôle du rapprochement", bold_text)
    check(
        row,
        6,
        '=IF(crf_releve="","Relevé à saisir",IF(crf_ecart_rapprochement=0,"OK","À corriger"))',
        "Relevé à saisir",
    )
    row += 2

    # 4. Arrêté de caisse (right, below the rapprochement).
    ws.write_string(row, 4, "4. Arrêté de caisse au 31 août", st.subtitle())
    row += 1
    counts = f"{quote_sheetname(L.SHEET_CAISSE)}!$B${L.CAISSE_FIRST_ROW}:$B${L.CAISSE_TOTAL_ROW - 1}"
    caisse = [
        (
            "Caisse comptée (billets et pièces)",
            "crf_caisse_comptee",
            f'=IF(COUNT({counts})=0,"",ROUND({L.CAISSE_TOTAL_NAME},2))',
            money,
            "",
        ),
        ("Caisse du cahier au 31 août", "crf_caisse_cahier", "=crf_caisse_fin", money, 0),
        (
            "Écart (doit être 0)",
            "crf_ecart_caisse",
            '=IF(crf_caisse_comptee="","",ROUND(crf_caisse_comptee-crf_caisse_fin,2))',
            bold_money,
            "",
        ),
    ]
    for text, name, formula, fmt, value in caisse:
        ws.write_string(row, 5, text, bold_text if fmt is bold_money else text_cell)
        named(row, 6, name, formula, fmt, value)
        row += 1
    ws.write_string(row, 5, "Contrôle de la caisse", bold_text)
    check(
        row,
        6,
        '=IF(crf_caisse_comptee="","Caisse à compter",IF(crf_ecart_caisse=0,"OK","À corriger"))',
        "Caisse à compter",
    )
    right_end = row + 1

    # 5. Subventions (left, below the bilan).
    row = max(bilan_end, right_end) + 1
    ws.write_string(row, 0, "5. Subventions", st.subtitle())
    row += 1
    sub_codes = [c for c in chart.produits if c.code.startswith("74")]
    codes_text = " + ".join(c.code for c in sub_codes) or "74…"
    sub = [
        (
            f"Subventions au Journal ({codes_text})",
            "crf_subventions_journal",
            "=ROUND(" + ("+".join(f"crf_{c.code}" for c in sub_codes) or "0") + ",2)",
            money,
        ),
        (
            "Tableau de la feuille Subventions",
            "crf_subventions_feuille",
            f"=ROUND({L.SUBVENTIONS_TOTAL_NAME},2)",
            money,
        ),
        (
            "Écart (doit être 0)",
            "crf_ecart_subventions",
            "=ROUND(crf_subventions_journal-crf_subventions_feuille,2)",
            bold_money,
        ),
    ]
    for text, name, formula, fmt in sub:
        ws.write_string(row, 1, text, bold_text if fmt is bold_money else text_cell)
        named(row, 2, name, formula, fmt)
        row += 1
    ws.write_string(row, 1, "Contrôle des subventions", bold_text)
    check(row, 2, '=IF(crf_ecart_subventions=0,"OK","À corriger")', "OK")

    # Red on any non-zero gap.
    for cell in gaps:
        ws.conditional_format(
            cell, {"type": "formula", "criteria": f"=AND(ISNUMBER({cell}),{cell}<>0)", "format": st.cf_error()}
        )
    ws.protect("", _PROTECTION)


# ---------------------------------------------------------------------------
# 9. Listes


def _write_listes(ws: Worksheet, st: _Styles, chart: Chart) -> None:
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 40)
    hdr = st.header()
    ws.write_string(0, 0, "Modes", hdr)
    ws.write_string(0, 1, "Chapitres", hdr)
    for i, mode in enumerate(L.MODES):
        ws.write_string(1 + i, 0, mode)
    for i, c in enumerate(chart.chapitres):
        ws.write_string(1 + i, 1, c.header)
    ws.hide()
    ws.protect("", _PROTECTION)
