"""Sheet 8, « CRF »: the financial report as live formulas, each key figure under a defined name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.utility import quote_sheetname
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from workbook_tools import layout as L
from workbook_tools.chart import Chapitre, Chart
from workbook_tools.template.common import (
    _PROTECTION,
    COL_BD,
    COL_BR,
    COL_CD,
    COL_CR,
    COL_POINTE,
    COMPUTED_GREY,
    GRID,
    MONEY,
    JournalGeometry,
    Styles,
    _a,
    _chapter_total_formula,
    _jrange,
    _page_setup,
    _ref,
)

# ---------------------------------------------------------------------------
# 8. CRF


def write_crf(wb: Workbook, ws: Worksheet, st: Styles, chart: Chart, geo: JournalGeometry) -> None:
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
