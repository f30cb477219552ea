"""Sheet 8, « CRF »: the financial report as live formulas, each key figure under a defined name.

The sheet has five blocks: 1. the compte de fonctionnement (two columns, charges and produits), then
side by side 2. the bilan (left) and 3. the rapprochement bancaire (right), 4. the arrêté de caisse
(right, below the rapprochement) and 5. the subventions (left, below both). Every block but the first
is a short list of figures (:class:`_Figure`) closed by a control cell that shows « OK » or « À corriger ».
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from xlsxwriter.format import Format
from xlsxwriter.utility import quote_sheetname
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from workbook_tools import layout as L
from workbook_tools.chart import Chapitre, Chart
from workbook_tools.template.attente import OUTSTANDING_NAMES
from workbook_tools.template.common import (
    AMOUNT_COLS,
    COL_CHAPITRE,
    COL_LIBELLE,
    COMPUTED_GREY,
    GRID,
    MONEY,
    PROTECTION,
    JournalGeometry,
    Styles,
    a1,
    blank,
    chapter_total_formula,
    column_total_formula,
    journal_range,
    not_ticked,
    page_setup,
    regie_label,
    sheet_ref,
)

# ---------------------------------------------------------------------------
# 8. CRF

# Gaps the tool only warns about (SUBVENTION_UNTRACED): shown « À vérifier », in orange, never « À corriger ».
_WARNING_GAPS = {"crf_ecart_subventions"}

# The row (0-based) of the first block, the compte de fonctionnement, below the three title rows and a blank one.
_FIRST_BLOCK_ROW = 4


class _Figure(NamedTuple):
    """One row of a block: a label, and a formula under a defined name (``crf_…``)."""

    label: str
    name: str
    formula: str
    bold: bool = False
    value: str | float = 0  # the cached result, shown until the spreadsheet recalculates


@dataclass
class _CrfSheet:
    """The CRF sheet being written: its cell formats, and the cells of its gaps (named ``crf_ecart_…``, with their
    name), red unless 0 — orange for a gap the tool only warns about (:data:`_WARNING_GAPS`)."""

    wb: Workbook
    ws: Worksheet
    st: Styles
    money: Format
    bold_money: Format
    text_cell: Format
    bold_text: Format
    code_cell: Format
    gaps: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def start(cls, wb: Workbook, ws: Worksheet, st: Styles) -> _CrfSheet:
        return cls(
            wb,
            ws,
            st,
            money=st.computed(MONEY),
            bold_money=st.computed(MONEY, bold=True),
            text_cell=st.get(border=1, border_color=GRID, valign="top"),
            bold_text=st.get(border=1, border_color=GRID, valign="top", bold=True, bg_color=COMPUTED_GREY),
            code_cell=st.get(border=1, border_color=GRID, valign="top", align="center"),
        )

    def named(self, row: int, col: int, name: str, formula: str, fmt: Format, value: str | float = 0) -> None:
        """Write ``formula`` at (row, col) and give the cell the defined name ``name``."""
        self.ws.write_formula(row, col, formula, fmt, value)
        self.wb.define_name(name, f"={sheet_ref(self.ws.name, row + 1, col)}")
        if name.startswith("crf_ecart_"):
            self.gaps.append((name, a1(row + 1, col, absolute=False)))

    def check(self, row: int, col: int, formula: str, value: str) -> None:
        """A control cell: green when it shows « OK », red when it shows « À corriger » (what the tool refuses),
        orange when it shows « À vérifier » (what the tool only warns about)."""
        st = self.st
        cell = a1(row + 1, col, absolute=False)
        self.ws.write_formula(row, col, formula, st.computed(bold=True, align="center"), value)
        for shown, fmt in (("OK", st.cf_ok()), ("À corriger", st.cf_error()), ("À vérifier", st.cf_check())):
            self.ws.conditional_format(cell, {"type": "cell", "criteria": "==", "value": f'"{shown}"', "format": fmt})

    def figures(self, row: int, col: int, figures: Sequence[_Figure], control: str, formula: str, value: str) -> int:
        """Labels in ``col``, figures in ``col + 1`` from ``row``, then the control row; return the row below it."""
        for f in figures:
            self.ws.write_string(row, col, f.label, self.bold_text if f.bold else self.text_cell)
            self.named(row, col + 1, f.name, f.formula, self.bold_money if f.bold else self.money, f.value)
            row += 1
        self.ws.write_string(row, col, control, self.bold_text)
        self.check(row, col + 1, formula, value)
        return row + 1


def write_crf(wb: Workbook, ws: Worksheet, st: Styles, chart: Chart, geo: JournalGeometry) -> None:
    _write_heading(ws, st)
    sheet = _CrfSheet.start(wb, ws, st)
    row = _write_fonctionnement(sheet, chart, geo, _FIRST_BLOCK_ROW)

    # 2. Bilan (left) and 3. Rapprochement bancaire (right), side by side under one row of titles.
    ws.write_string(row, 0, "2. Bilan au 31 août", st.subtitle())
    ws.write_string(row, 4, "3. Rapprochement bancaire au 31 août", st.subtitle())
    bilan_end = _write_bilan(sheet, geo, row + 1)
    rapprochement_end = _write_rapprochement(sheet, geo, row + 1)
    # 4. Arrêté de caisse (right, below the rapprochement), 5. Subventions (left, below both).
    caisse_end = _write_arrete_de_caisse(sheet, rapprochement_end + 1)
    _write_subventions(sheet, chart, max(bilan_end, caisse_end) + 1)

    # Red on any non-zero gap (orange where the tool only warns).
    for name, cell in sheet.gaps:
        fmt = st.cf_check() if name in _WARNING_GAPS else st.cf_error()
        ws.conditional_format(cell, {"type": "formula", "criteria": f"=AND(ISNUMBER({cell}),{cell}<>0)", "format": fmt})
    ws.protect("", PROTECTION)


def _write_heading(ws: Worksheet, st: Styles) -> None:
    """Column widths, page setup and the three title rows."""
    # Left block: A code, B label, C amount. Right block: E code, F label, G amount.
    for c, w in enumerate((8, 44, 15, 3, 8, 44, 15)):
        ws.set_column(c, c, w)
    ws.hide_gridlines(2)
    page_setup(ws)
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


def _chapter_sum(chapitres: Sequence[Chapitre]) -> str:
    return "=ROUND(" + ("+".join(f"crf_{c.code}" for c in chapitres) or "0") + ",2)"


def _write_fonctionnement(sheet: _CrfSheet, chart: Chart, geo: JournalGeometry, r: int) -> int:
    """1. Compte de fonctionnement: charges on the left, produits on the right; return the row of the next block."""
    ws, st = sheet.ws, sheet.st
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
                ws.write_string(row, side, chap.code, sheet.code_cell)
                ws.write_string(row, side + 1, chap.libelle, sheet.text_cell)
                sheet.named(row, side + 2, f"crf_{chap.code}", chapter_total_formula(chap.code, geo), sheet.money)
            else:
                for k in range(3):
                    ws.write_blank(row, side + k, None, sheet.text_cell)
    r = top + height

    ws.write_string(r, 1, "Total des charges", sheet.bold_text)
    sheet.named(r, 2, "crf_total_charges", _chapter_sum(chart.charges), sheet.bold_money)
    ws.write_string(r, 5, "Total des produits", sheet.bold_text)
    sheet.named(r, 6, "crf_total_produits", _chapter_sum(chart.produits), sheet.bold_money)
    r += 1
    ws.write_string(r, 5, "Résultat de l'exercice (produits − charges)", sheet.bold_text)
    sheet.named(r, 6, "crf_resultat", "=ROUND(crf_total_produits-crf_total_charges,2)", sheet.bold_money)
    return r + 2


def _write_bilan(sheet: _CrfSheet, geo: JournalGeometry, row: int) -> int:
    """2. Bilan au 31 août (left): bank and cash from the report to 31 August, and the balance of the bilan."""

    def total(key: str) -> str:  # a Journal amount column, as the tool reads it (numbers and text)
        return column_total_formula(AMOUNT_COLS[L.AMOUNT_COLUMNS.index(key)], geo)

    # a régie d'avance: one amount (a direction), no chapter in L nor split (helper « chapitre » empty), « régie »
    # in the label (``rules.derive``); an advance counts +, a return −
    sens, montant, chapitre = (journal_range(geo.helper(k)) for k in ("sens", "montant", "chapitre"))
    regie = f'({chapitre}="")*({blank(journal_range(COL_CHAPITRE))})*({regie_label(journal_range(COL_LIBELLE))}>0)'

    bilan = [
        _Figure("Report à nouveau banque au 1er septembre", "crf_report_banque", "=report_banque_lu"),
        _Figure("+ Recettes en banque", "crf_banque_recettes", total("banque_recette")),
        _Figure("− Dépenses en banque", "crf_banque_depenses", total("banque_depense")),
        _Figure(
            "= Banque au 31 août",
            "crf_banque_fin",
            "=ROUND(crf_report_banque+crf_banque_recettes-crf_banque_depenses,2)",
            bold=True,
        ),
        _Figure("Report à nouveau caisse au 1er septembre", "crf_report_caisse", "=report_caisse_lu"),
        _Figure("+ Recettes en caisse", "crf_caisse_recettes", total("caisse_recette")),
        _Figure("− Dépenses en caisse", "crf_caisse_depenses", total("caisse_depense")),
        _Figure(
            "= Caisse au 31 août",
            "crf_caisse_fin",
            "=ROUND(crf_report_caisse+crf_caisse_recettes-crf_caisse_depenses,2)",
            bold=True,
        ),
        _Figure(
            "Report à nouveau (banque + caisse) + résultat",
            "crf_report_plus_resultat",
            "=ROUND(crf_report_banque+crf_report_caisse+crf_resultat,2)",
        ),
        _Figure("Banque + caisse au 31 août", "crf_disponible_fin", "=ROUND(crf_banque_fin+crf_caisse_fin,2)"),
        # a régie d'avance still with a colleague at 31 August (REGIE_OPEN, a warning): money of the cooperative,
        # out of the bank and the cash box, in no chapter yet
        _Figure(
            "+ Régies d'avance non soldées (chez les collègues)",
            "crf_regies",
            f"=ROUND(SUMPRODUCT({regie},{sens},{montant}),2)",
        ),
        _Figure(
            "Écart (doit être 0)",
            "crf_ecart_bilan",
            "=ROUND(crf_report_plus_resultat-crf_disponible_fin-crf_regies,2)",
            bold=True,
        ),
    ]
    return sheet.figures(
        row, 1, bilan, "Équilibre du bilan (écart nul)", '=IF(crf_ecart_bilan=0,"OK","À corriger")', "OK"
    )


def _write_rapprochement(sheet: _CrfSheet, geo: JournalGeometry, row: int) -> int:
    """3. Rapprochement bancaire au 31 août (right): the bank statement against the cahier's bank. A line counts as
    not ticked when its « Pointé » is empty (or only spaces) or a date after 31 August (cleared after the year end)."""

    def outstanding(key: str) -> str:
        """The Journal's lines outstanding at 31 August, and those of last year still « En attente » (issue 12)."""
        journal = column_total_formula(AMOUNT_COLS[L.AMOUNT_COLUMNS.index(key)], geo, not_ticked(geo))
        carried = OUTSTANDING_NAMES["recette" if key == "banque_recette" else "depense"]
        return f"=ROUND({journal.removeprefix('=')}+{carried},2)"

    rapprochement = [
        _Figure(
            "Solde du relevé bancaire au 31 août",
            "crf_releve",
            f'=IF({blank("releve_31_08")},"",releve_31_08_lu)',
            value="",
        ),
        _Figure("+ Recettes en banque non pointées", "crf_non_pointe_recettes", outstanding("banque_recette")),
        _Figure("− Dépenses en banque non pointées", "crf_non_pointe_depenses", outstanding("banque_depense")),
        _Figure(
            "= Solde rapproché",
            "crf_banque_rapprochee",
            '=IF(crf_releve="","",ROUND(crf_releve+crf_non_pointe_recettes-crf_non_pointe_depenses,2))',
            bold=True,
            value="",
        ),
        _Figure("Banque du cahier au 31 août", "crf_banque_cahier", "=crf_banque_fin"),
        _Figure(
            "Écart (doit être 0)",
            "crf_ecart_rapprochement",
            '=IF(crf_releve="","",ROUND(crf_banque_rapprochee-crf_banque_fin,2))',
            bold=True,
            value="",
        ),
    ]
    return sheet.figures(
        row,
        5,
        rapprochement,
        "Contrôle du rapprochement",
        '=IF(crf_releve="","Relevé à saisir",IF(crf_ecart_rapprochement=0,"OK","À corriger"))',
        "Relevé à saisir",
    )


def _write_arrete_de_caisse(sheet: _CrfSheet, row: int) -> int:
    """4. Arrêté de caisse au 31 août (right): the cash counted against the cahier's cash."""
    sheet.ws.write_string(row, 4, "4. Arrêté de caisse au 31 août", sheet.st.subtitle())
    counted = f"{quote_sheetname(L.SHEET_CAISSE)}!$C${L.CAISSE_FIRST_ROW}:$C${L.CAISSE_TOTAL_ROW - 1}"
    caisse = [
        _Figure(
            "Caisse comptée (billets et pièces)",
            "crf_caisse_comptee",
            f'=IF(COUNT({counted})=0,"",ROUND({L.CAISSE_TOTAL_NAME},2))',
            value="",
        ),
        _Figure("Caisse du cahier au 31 août", "crf_caisse_cahier", "=crf_caisse_fin"),
        _Figure(
            "Écart (doit être 0)",
            "crf_ecart_caisse",
            '=IF(crf_caisse_comptee="","",ROUND(crf_caisse_comptee-crf_caisse_fin,2))',
            bold=True,
            value="",
        ),
    ]
    return sheet.figures(
        row + 1,
        5,
        caisse,
        "Contrôle de la caisse",
        '=IF(crf_caisse_comptee="","Caisse à compter",IF(crf_ecart_caisse=0,"OK","À corriger"))',
        "Caisse à compter",
    )


def _write_subventions(sheet: _CrfSheet, chart: Chart, row: int) -> int:
    """5. Subventions (left): the 74xx chapters of the Journal against the table of the Subventions sheet."""
    sheet.ws.write_string(row, 0, "5. Subventions", sheet.st.subtitle())
    sub_codes = [c for c in chart.produits if c.code.startswith("74")]
    codes_text = " + ".join(c.code for c in sub_codes) or "74…"
    subventions = [
        _Figure(f"Subventions au Journal ({codes_text})", "crf_subventions_journal", _chapter_sum(sub_codes)),
        _Figure(
            "Tableau de la feuille Subventions", "crf_subventions_feuille", f"=ROUND({L.SUBVENTIONS_TOTAL_NAME},2)"
        ),
        _Figure(
            "Écart (doit être 0)",
            "crf_ecart_subventions",
            "=ROUND(crf_subventions_journal-crf_subventions_feuille,2)",
            bold=True,
        ),
    ]
    # a gap is a warning of the tool (SUBVENTION_UNTRACED), not a refusal: « À vérifier »
    return sheet.figures(
        row + 1,
        1,
        subventions,
        "Contrôle des subventions",
        '=IF(crf_ecart_subventions=0,"OK","À vérifier")',
        "OK",
    )
