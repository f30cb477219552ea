"""Sheet « En attente » (issue 12): the cheques and deposits of the previous exercice that were not yet on the bank
statement at its 31 August, carried into next year's cahier by ``cahier nouvel-exercice``.

The teacher ticks each one (column A: an x, or the statement's date) when it clears. While outstanding it counts in
the rapprochement — the CRF's « non pointées » add this sheet's totals (row 2, named :data:`OUTSTANDING_NAMES`) to
the Journal's — and never as a charge or a produit: it was counted in last year's books. Its amounts are read as the
tool reads them (a number, or text such as « 45,50 € »); a tick dated after 31 August is outstanding, as in the
Journal (``template.common.outstanding_ticks``).
"""

from __future__ import annotations

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from workbook_tools import layout as L
from workbook_tools.template.annexes import _write_table
from workbook_tools.template.common import (
    MONEY,
    Styles,
    cleaned_amount,
    number_from_text,
    outstanding_ticks,
    sheet_ref,
)

# defined names of the two totals of the lines still outstanding at 31 August: receipts, expenses
OUTSTANDING_NAMES = {"recette": "attente_recettes", "depense": "attente_depenses"}

_KINDS = {"pointe": "date", "date": "date", "recette": "money", "depense": "money"}
_WIDTHS: dict[str, float] = {
    "pointe": 11,
    "date": 11,
    "piece": 9,
    "mode": 7,
    "libelle": 42,
    "cheque": 12,
    "recette": 14,
    "depense": 14,
}
_TITLE = "En attente : chèques et remises de l'an dernier pas encore passés en banque"
_NOTE = (
    "Préparé par le service départemental. Mettez un x (ou la date du relevé) en colonne A quand l'opération "
    "apparaît sur le relevé. Ne la recopiez pas dans le Journal : elle a été comptée l'an dernier."
)


def column(key: str) -> int:
    """0-based column of a key of :data:`workbook_tools.layout.ATTENTE_COLUMNS`."""
    return [k for k, _ in L.ATTENTE_COLUMNS].index(key)


def _range(key: str) -> str:
    first, last = L.TABLE_FIRST_ROW, L.TABLE_FIRST_ROW + L.ATTENTE_ROWS - 1
    start = sheet_ref(L.SHEET_ATTENTE, first, column(key))
    return f"{start}:{sheet_ref(L.SHEET_ATTENTE, last, column(key)).split('!')[1]}"


def write_attente(wb: Workbook, ws: Worksheet, st: Styles) -> None:
    _write_table(ws, st, _TITLE, _NOTE, L.ATTENTE_COLUMNS, _KINDS, _WIDTHS, rows=L.ATTENTE_ROWS)
    note = st.get(italic=True, font_color="#595959", valign="top", text_wrap=True)
    ws.merge_range(L.ATTENTE_TOTAL_ROW - 1, 0, L.ATTENTE_TOTAL_ROW - 1, column("cheque") - 1, _NOTE, note)
    ws.set_row(L.ATTENTE_TOTAL_ROW - 1, 45)
    ticks = outstanding_ticks(_range("pointe"))
    label_col = column("recette") - 1
    label = st.computed(bold=True, align="right", text_wrap=True)
    ws.write_string(L.ATTENTE_TOTAL_ROW - 1, label_col, "Encore en attente au 31 août", label)
    for key, name in OUTSTANDING_NAMES.items():
        cells = _range(key)
        # each amount as the tool reads it (``cells.money``), on the lines outstanding at 31 August; an array
        # formula, so that every spreadsheet reads each cell of the column
        each = f"IF(ISNUMBER({cells}),{cells},{number_from_text(cleaned_amount(cells))})"
        c = column(key)
        formula = f"{{=ROUND(SUM(IF({ticks}>0,{each},0)),2)}}"
        ws.write_array_formula(
            L.ATTENTE_TOTAL_ROW - 1, c, L.ATTENTE_TOTAL_ROW - 1, c, formula, st.computed(MONEY, bold=True), 0
        )
        wb.define_name(name, f"={sheet_ref(L.SHEET_ATTENTE, L.ATTENTE_TOTAL_ROW, c)}")
