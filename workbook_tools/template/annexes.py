"""Sheets 4–7 and 9: Inventaire, Subventions, Arrêté de caisse, CRA, and the hidden drop-down lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from xlsxwriter.utility import quote_sheetname
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from workbook_tools import layout as L
from workbook_tools.chart import Chart
from workbook_tools.template.common import (
    COL_ACTION,
    COL_BD,
    COL_BR,
    COL_CD,
    COL_CR,
    DATE,
    GRID,
    HEADER_BLUE,
    J1,
    JN,
    MONEY,
    PROTECTION,
    TEXT,
    Styles,
    journal_range,
    page_setup,
    sheet_ref,
)

# ---------------------------------------------------------------------------
# 4-5. Inventaire, Subventions


def _write_table(
    ws: Worksheet,
    st: Styles,
    title: str,
    note: str,
    columns: Sequence[tuple[str, str]],
    kinds: dict[str, str],
    widths: dict[str, float],
) -> None:
    page_setup(ws, repeat=(0, L.TABLE_HEADER_ROW - 1))
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
    ws.protect("", PROTECTION)


def _table_total(
    wb: Workbook, ws: Worksheet, st: Styles, columns: Sequence[tuple[str, str]], key: str, row: int, name: str | None
) -> None:
    keys = [k for k, _ in columns]
    c = keys.index(key)
    letter = L.column_letter(c)
    first, last = L.TABLE_FIRST_ROW, L.TABLE_FIRST_ROW + L.TABLE_ROWS - 1
    ws.write_string(row - 1, c - 1, "Total", st.computed(bold=True, align="right"))
    ws.write_formula(row - 1, c, f"=SUM({letter}{first}:{letter}{last})", st.computed(MONEY, bold=True), 0)
    if name:
        wb.define_name(name, f"={sheet_ref(ws.name, row, c)}")


def write_inventaire(wb: Workbook, ws: Worksheet, st: Styles) -> None:
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


def write_subventions(wb: Workbook, ws: Worksheet, st: Styles) -> None:
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
    return f"ROUND(report_caisse+SUM({journal_range(COL_CR)})-SUM({journal_range(COL_CD)}),2)"


def write_caisse(wb: Workbook, ws: Worksheet, st: Styles) -> None:
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 12)
    ws.set_column(2, 2, 16)
    ws.set_column(3, 3, 68)
    page_setup(ws)
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
    wb.define_name(L.CAISSE_TOTAL_NAME, f"={sheet_ref(ws.name, L.CAISSE_TOTAL_ROW, 2)}")

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
    ws.protect("", PROTECTION)


# ---------------------------------------------------------------------------
# 7. CRA


def write_cra(wb: Workbook, ws: Worksheet, st: Styles) -> None:
    page_setup(ws, repeat=(L.CRA_HEADER_ROW - 1, L.CRA_HEADER_ROW - 1))
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
        wb.define_name(p.name, f"={sheet_ref(ws.name, p.row, 1)}")
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
        rec = "+".join(f"SUMIF({g},$A{r},{journal_range(col)})" for col in (COL_BR, COL_CR))
        dep = "+".join(f"SUMIF({g},$A{r},{journal_range(col)})" for col in (COL_BD, COL_CD))
        ws.write_formula(r - 1, 4, f'=IF($A{r}="","",ROUND({rec},2))', money, "")
        ws.write_formula(r - 1, 5, f'=IF($A{r}="","",ROUND({dep},2))', money, "")
    ws.freeze_panes(L.CRA_HEADER_ROW, 0)
    ws.protect("", PROTECTION)


# ---------------------------------------------------------------------------
# 9. Listes


def write_listes(ws: Worksheet, st: Styles, chart: Chart) -> None:
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
    ws.protect("", PROTECTION)
