"""Sheets 4–7 and 9: Inventaire, Subventions, Arrêté de caisse, CRA, and the hidden drop-down lists."""

from __future__ import annotations

from collections.abc import Sequence

from xlsxwriter.format import Format
from xlsxwriter.utility import quote_sheetname
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from workbook_tools import layout as L
from workbook_tools.chart import Chart
from workbook_tools.template.common import (
    COL_ACTION,
    DATE,
    GRID,
    HEADER_BLUE,
    J1,
    JN,
    LISTES_CODES_COL,
    LISTES_PREFIXES_COL,
    MONEY,
    PROTECTION,
    TEXT,
    JournalGeometry,
    Styles,
    cleaned_amount,
    date_rule,
    filled,
    journal_range,
    list_sources,
    number_from_text,
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
    rows: int = L.TABLE_ROWS,
) -> None:
    page_setup(ws, repeat=(0, L.TABLE_HEADER_ROW - 1))
    ws.write_string(0, 0, title, st.title())
    ws.write_string(1, 0, note, st.note())
    hr = L.TABLE_HEADER_ROW - 1
    ws.set_row(hr, 30)
    for c, (key, text) in enumerate(columns):
        ws.set_column(c, c, widths.get(key, 14))
        ws.write_string(hr, c, text, st.header())
    first, last = L.TABLE_FIRST_ROW - 1, L.TABLE_FIRST_ROW - 1 + rows - 1
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
                date_rule("15/09/2025"),
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
    cells = f"{letter}{first}:{letter}{last}"
    if name:
        # as the tool reads each amount (``cells.money``): a number with at most 2 decimals, or text (« 1 500,00 € »);
        # an array formula, so that every spreadsheet reads each cell of the column
        each = f"IF(ISNUMBER({cells}),IF(ROUND({cells},2)={cells},{cells},0),{number_from_text(cleaned_amount(cells))})"
        ws.write_array_formula(row - 1, c, row - 1, c, f"{{=ROUND(SUM({each}),2)}}", st.computed(MONEY, bold=True), 0)
    else:
        ws.write_formula(row - 1, c, f"=SUM({cells})", st.computed(MONEY, bold=True), 0)
    if name:
        wb.define_name(name, f"={sheet_ref(ws.name, row, c)}")


_WRAPPED_NOTE = {"italic": True, "font_color": "#595959", "valign": "top", "text_wrap": True}


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
    # the note stays in A2:B2, on two lines: the total is in C2:D2 (it was cut at C2)
    ws.merge_range(1, 0, 1, 1, "Un matériel par ligne (achats en 6800 au Journal).", st.get(**_WRAPPED_NOTE))
    ws.set_row(1, 30)
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


def write_caisse(wb: Workbook, ws: Worksheet, st: Styles) -> None:
    """The count of notes and coins at 31 August: a count a row, its value in euros, the total in euros (the tool's
    ``caisse_comptee``), the cahier's cash beside it, then the date and the signatures of the arrêté."""
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 12)
    ws.set_column(2, 2, 16)
    ws.set_column(3, 3, 60)
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
        a, b = f"A{r + 1}", f"B{r + 1}"
        ws.write_number(r, 0, cents / 100, value_fmt)
        ws.write_blank(r, 1, None, count_fmt)
        # counted as the tool counts (``read_annexes.read_caisse``): a whole number, 0 or more; anything else is left out
        # (and shown in red), never a #VALUE!
        ws.write_formula(r, 2, f'=IF(ISNUMBER({b}),IF(AND({b}>=0,{b}=INT({b})),ROUND({a}*{b},2),""),"")', money, "")
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
    ws.conditional_format(
        f"B{first}:B{last}",
        {"type": "formula", "criteria": f'=AND({filled(f"B{first}")},C{first}="")', "format": st.cf_error()},
    )
    # the total counts euros: the sum of the amounts, never the number of notes and coins
    tr = L.CAISSE_TOTAL_ROW - 1
    bold_money = st.computed(MONEY, bold=True)
    ws.write_string(tr, 0, "Total compté (en euros)", st.computed(bold=True))
    ws.write_blank(tr, 1, None, st.computed())
    ws.write_formula(tr, 2, f"=ROUND(SUM(C{first}:C{last}),2)", bold_money, 0)
    wb.define_name(L.CAISSE_TOTAL_NAME, f"={sheet_ref(ws.name, L.CAISSE_TOTAL_ROW, 2)}")

    r = tr + 2
    ws.write_string(r, 0, "Solde de caisse du cahier", st.computed(bold=True))
    ws.write_formula(r, 2, "=crf_caisse_fin", bold_money, 0)
    ws.write_string(r, 3, "Report caisse + recettes en caisse − dépenses en caisse (Journal).", st.note())
    ws.write_string(r + 1, 0, "Écart (compté − cahier)", st.computed(bold=True))
    ecart = f"C{r + 2}"
    ws.write_formula(r + 1, 2, f'=IF(COUNT(C{first}:C{last})=0,"",ROUND(C{tr + 1}-C{r + 1},2))', bold_money, "")
    ws.write_string(r + 1, 3, "Doit être 0,00 € : sinon, recomptez ou cherchez l'opération oubliée.", st.note())
    ws.conditional_format(
        ecart, {"type": "formula", "criteria": f"=AND(ISNUMBER({ecart}),{ecart}<>0)", "format": st.cf_error()}
    )
    _write_caisse_signatures(wb, ws, st)
    ws.protect("", PROTECTION)


def _write_caisse_signatures(wb: Workbook, ws: Worksheet, st: Styles) -> None:
    """The date of the arrêté (an input, named :data:`~workbook_tools.layout.CAISSE_DATE_NAME`) and two signature
    boxes: the mandataire who counted, and a witness (a vérificateur aux comptes)."""
    r = L.CAISSE_DATE_ROW - 1
    label = st.get(bold=True, valign="vcenter")
    ws.set_row(r, 20)
    ws.write_string(r, 0, "Caisse arrêtée le", label)
    ws.merge_range(r, 1, r, 2, None, st.input(DATE, align="center", valign="vcenter"))
    ws.data_validation(
        r,
        1,
        r,
        2,
        date_rule("31/08/2026", "Date de l'arrêté", "Le jour du comptage, en principe le 31 août (jj/mm/aaaa)."),
    )
    wb.define_name(L.CAISSE_DATE_NAME, f"={sheet_ref(ws.name, L.CAISSE_DATE_ROW, 1)}")
    ws.write_string(r, 3, "Le jour du comptage, en principe le 31 août.", st.note())
    s = L.CAISSE_SIGNATURE_ROW - 1
    box_title = st.get(bold=True, border=1, border_color=GRID, bg_color=HEADER_BLUE, valign="vcenter")
    box = st.get(border=1, border_color=GRID)
    ws.merge_range(s, 0, s, 1, "Le mandataire (nom et signature)", box_title)
    ws.merge_range(s, 2, s, 3, "Un témoin, vérificateur aux comptes (nom et signature)", box_title)
    ws.set_row(s + 1, 60)
    ws.merge_range(s + 1, 0, s + 1, 1, None, box)
    ws.merge_range(s + 1, 2, s + 1, 3, None, box)


# ---------------------------------------------------------------------------
# 7. CRA


def write_cra(wb: Workbook, ws: Worksheet, st: Styles, geo: JournalGeometry) -> None:
    page_setup(ws, repeat=(L.CRA_HEADER_ROW - 1, L.CRA_HEADER_ROW - 1))
    widths = (34, 13, 13, 42, 14, 14)  # 130: fit to the width, 11 pt prints at 8.5 pt or more
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.write_string(0, 0, "Compte-rendu d'activités (CRA)", st.title())
    ws.write_string(
        1,
        0,
        "Les effectifs en nombres entiers (24, pas « 24 élèves ») ; le quitus (noms et dates) se remplit dans Paramètres.",
        st.note(),
    )
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
        rec, dep = _action_sides(g, f"$A{r}", geo)
        ws.write_formula(r - 1, 4, f'=IF($A{r}="","",ROUND({rec},2))', money, "")
        ws.write_formula(r - 1, 5, f'=IF($A{r}="","",ROUND({dep},2))', money, "")
    ws.freeze_panes(L.CRA_HEADER_ROW, 0)
    ws.protect("", PROTECTION)


def _action_sides(actions: str, name: str, geo: JournalGeometry) -> tuple[str, str]:
    """Receipts and expenses of one action, net like the tool's (``bilan.ActionTotal``): what the action's lines put
    in produit chapters and in charge chapters, credit notes and refunds in minus — the chapter totals restricted to
    the lines of that action."""
    sens, montant, chapitre = (journal_range(geo.helper(k)) for k in ("sens", "montant", "chapitre"))
    mine = f"({actions}={name})*{sens}"

    def side(charge: bool) -> str:
        typed = [
            f"SUMPRODUCT({mine},{journal_range(geo.chapter_col(c.code))})"
            for c in geo.chapitres
            if c.is_charge == charge
        ]
        auto = f'SUMPRODUCT({mine}*(LEFT({chapitre},1)="{6 if charge else 7}"),{montant})'
        total = "+".join([*typed, auto])
        return total if charge else f"-({total})"

    return side(False), side(True)


# ---------------------------------------------------------------------------
# 9. Listes


def write_listes(wb: Workbook, ws: Worksheet, st: Styles, chart: Chart) -> None:
    for name, source in list_sources(len(chart.chapitres)).items():  # the Journal's drop-downs
        wb.define_name(name, f"={source}")
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 40)
    hdr = st.header()
    ws.write_string(0, 0, "Modes", hdr)
    ws.write_string(0, 1, "Chapitres", hdr)
    for i, mode in enumerate(L.MODES):
        ws.write_string(1 + i, 0, mode)
    for i, c in enumerate(chart.chapitres):
        ws.write_string(1 + i, 1, c.header)
    _write_code_tables(ws, hdr, chart)
    ws.hide()
    ws.protect("", PROTECTION)


def _write_code_tables(ws: Worksheet, hdr: Format, chart: Chart) -> None:
    """The chapter a code written in the Journal's column L counts in, as ``Chart.resolve`` says: first the chart's
    codes and their aliases (6168 → 6282), then the 3-digit prefixes that belong to one chapter only (618… → 6180).
    The Journal's helper « chapitre » looks the first 4 digits up, then the first 3 (62810008 → 6281, 6181 → 6180)."""
    exact = [(c.code, c.code) for c in chart.chapitres]
    exact += [(alias, code) for alias, code in sorted(chart.aliases.items()) if alias not in chart.by_code]
    prefixes: dict[str, list[str]] = {}
    for c in chart.chapitres:
        prefixes.setdefault(c.code[:3], []).append(c.code)
    unique = [(prefix, codes[0]) for prefix, codes in sorted(prefixes.items()) if len(codes) == 1]
    for col, (key, value), rows in (
        (LISTES_CODES_COL, ("Code", "Chapitre"), exact),
        (LISTES_PREFIXES_COL, ("Début de code", "Chapitre"), unique),
    ):
        ws.set_column(col, col + 1, 14)
        ws.write_string(0, col, key, hdr)
        ws.write_string(0, col + 1, value, hdr)
        for i, (written, code) in enumerate(rows):
            ws.write_string(1 + i, col, written)
            ws.write_string(1 + i, col + 1, code)
