"""What every sheet of the template shares: formats, styles, the Journal's geometry, cell references.

The sheet writers (:mod:`.instructions`, :mod:`.journal`, :mod:`.annexes`, :mod:`.crf_sheet`) import
from here the colours and number formats, :class:`Styles`, the sheet protection (:data:`PROTECTION`),
the Journal's columns (``COL_…``, :func:`journal_col`) and rows (:data:`J1` to :data:`JN`), and the
helpers that write references and formulas: :func:`a1`, :func:`sheet_ref`, :func:`journal_range`,
:func:`chapter_total_formula`, plus :func:`page_setup` and :func:`wrapped_lines`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

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

# Sheet protection: no password; the teacher may still resize, filter and sort.
PROTECTION = {
    "format_columns": True,
    "format_rows": True,
    "autofilter": True,
    "sort": True,
    "select_locked_cells": True,
    "select_unlocked_cells": True,
}


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


def journal_col(key: str) -> int:
    """0-based index of a fixed Journal column, by its key in :data:`workbook_tools.layout.JOURNAL_COLUMNS`."""
    return [k for k, _ in L.JOURNAL_COLUMNS].index(key)


COL_POINTE = journal_col("pointe")
COL_PIECE = journal_col("piece")
COL_MODE = journal_col("mode")
COL_DATE = journal_col("date")
COL_LIBELLE = journal_col("libelle")
COL_CHEQUE = journal_col("cheque")
COL_ACTION = journal_col("action")
COL_CHAPITRE = journal_col("chapitre")
AMOUNT_COLS = [journal_col(k) for k in L.AMOUNT_COLUMNS]  # H, I, J, K
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


def a1(row: int, col: int, *, absolute: bool = True) -> str:
    """1-based row, 0-based column → ``$M$14``."""
    letter = L.column_letter(col)
    return f"${letter}${row}" if absolute else f"{letter}{row}"


def journal_range(col: int) -> str:
    """The prepared input rows of one Journal column: ``Journal!$H$4:$H$1003``."""
    return f"{quote_sheetname(L.SHEET_JOURNAL)}!{a1(J1, col)}:{a1(JN, col)}"


def sheet_ref(sheet: str, row: int, col: int) -> str:
    """1-based row, 0-based column of a sheet → ``Paramètres!$B$4`` (the sheet name quoted when needed)."""
    return f"{quote_sheetname(sheet)}!{a1(row, col)}"


# ---------------------------------------------------------------------------
# Formats


class Styles:
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


def page_setup(ws: Worksheet, *, landscape: bool = True, repeat: tuple[int, int] | None = None) -> None:
    """Print on A4, one page wide, with the sheet and file names in the header; ``repeat``: rows on every page."""
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


def wrapped_lines(text: str, width: float) -> int:
    """Rough number of wrapped lines for ``text`` in a cell ``width`` characters wide."""
    per_line = max(width * 1.05, 10)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def chapter_total_formula(code: str, geo: JournalGeometry) -> str:
    """A chapter's whole total: its column of the split, plus the lines given that chapter in column L and no split."""
    col = geo.chapter_col(code)
    split = "&".join(journal_range(c) for c in range(geo.first_chapter, geo.remainder))
    amount = "+".join(journal_range(c) for c in AMOUNT_COLS)
    return (
        f'=ROUND(SUM({journal_range(col)})+SUMPRODUCT((LEFT({journal_range(COL_CHAPITRE)},4)="{code}")'
        f'*(({split})="")*({amount})),2)'
    )
