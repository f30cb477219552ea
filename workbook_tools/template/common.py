"""What every sheet of the template shares: formats, styles, the Journal's geometry, cell references.

The sheet writers (:mod:`.instructions`, :mod:`.journal`, :mod:`.annexes`, :mod:`.crf_sheet`) import
from here the colours and number formats, :class:`Styles`, the sheet protection (:data:`PROTECTION`),
the Journal's columns (``COL_…``, :func:`journal_col`), its hidden helpers (:data:`HELPERS`) and rows
(:data:`J1` to :data:`JN`), and the helpers that write references and formulas: :func:`a1`, :func:`sheet_ref`,
:func:`journal_range`, :func:`chapter_total_formula`, :func:`column_total_formula`, :func:`not_ticked`, plus
:func:`page_setup` and :func:`wrapped_lines`.

The sheet agrees with the tool (issue 11): for every cahier the tool accepts, these formulas give the tool's figures
once recalculated. They read values as ``workbook_tools.cells`` does — a cell of spaces is empty (:func:`blank`), an
amount typed as text is read whatever the spreadsheet's language (:func:`cleaned_amount`, :func:`number_from_text`)
— and count each line as ``rules.derive`` does: reductions in minus, chapters written on 8 digits, aliases and finer
codes resolved through the tables of the hidden Listes sheet, movements, régies and cancelled cheques in no chapter,
ticks dated after 31 August outstanding. What a formula cannot read (an amount typed as text in a chapter column, a
tick date typed as text) is a finding of the tool at its cell (SPLIT_TEXT, TICK_TEXT).
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

# Hidden columns right of « Reste à ventiler », one formula a row: what the line means, worked out once, as the tool
# does (``rules.derive``), so that the totals stay plain sums of products (quick to recalculate while the teacher
# types). Three only: every cell of a prepared row costs when a cahier is opened and saved. Their header cells stay
# empty, so the reader never sees them; row 1 names them.
HELPERS: tuple[tuple[str, str], ...] = (
    ("montant", "montant de la ligne, tapé en nombre ou en texte"),
    ("sens", "+1 dépense, −1 recette, 0 sinon (mouvement interne, chèque annulé)"),
    ("chapitre", "chapitre de la colonne L ; * ventilée à la main"),
)
HAND_SPLIT = "*"  # helper « chapitre » of a line ventilated in the chapter columns


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
        """The last column the template writes: the last hidden helper (see :data:`HELPERS`)."""
        return self.remainder + len(HELPERS)

    def helper(self, key: str) -> int:
        """The column of a hidden helper, by its key in :data:`HELPERS`, right of « Reste à ventiler »."""
        return self.remainder + 1 + [k for k, _ in HELPERS].index(key)

    def chapter_col(self, code: str) -> int:
        for i, c in enumerate(self.chapitres):
            if c.code == code:
                return self.first_chapter + i
        raise KeyError(code)

    def chapitre(self, code: str) -> Chapitre:
        return self.chapitres[self.chapter_col(code) - self.first_chapter]

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
        crf_regies="regies_en_cours",
        crf_ecart_bilan="report + resultat - (banque_fin + caisse_fin + regies_en_cours)",
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

    def open_input(self, num_format: str | None = None, **extra: Any) -> Format:
        """An input cell drawn by the sheet's gridlines, without fill nor border: the Journal's 1,000 prepared rows.
        LibreOffice prints a page of empty bordered cells, but leaves out a page of empty plain ones."""
        props: dict[str, Any] = {"locked": False, "valign": "top"}
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


def date_rule(example: str, title: str | None = None, message: str | None = None) -> dict[str, Any]:
    """The data validation of a date cell: a real date within the years the checks accept, refused in French with an
    example; with ``title``, the hint shown when the cell is selected."""
    rule: dict[str, Any] = {
        "validate": "date",
        "criteria": "between",
        "minimum": dt.date(*L.JOURNAL_DATE_MIN),
        "maximum": dt.date(*L.JOURNAL_DATE_MAX),
        "error_title": "Date invalide",
        "error_message": f"Tapez une vraie date au format jj/mm/aaaa, par exemple {example}.",
    }
    if title is not None:
        rule |= {"input_title": title, "input_message": message or ""}
    return rule


def page_setup(
    ws: Worksheet, *, landscape: bool = True, repeat: tuple[int, int] | None = None, scale: int | None = None
) -> None:
    """Print on A4 with the sheet and file names in the header; ``repeat``: rows on every page. One page wide, or,
    with ``scale`` (a percentage), at that fixed size over as many pages as it takes."""
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    if scale is None:
        ws.fit_to_pages(1, 0)
    else:
        ws.set_print_scale(scale)
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
    """A chapter's net total: its column of the split and the lines given that chapter in column L, each line counted
    in its direction — an expense adds to a charge, a receipt to a produit; the other way round (a credit note, a
    refund) it is a reduction, counted in minus (``rules.derive``). Internal movements, régies and cancelled cheques
    have no direction, or no chapter: counted nowhere. Text in the chapter column counts 0 (the tool refuses it)."""
    sens, montant, chapitre = (journal_range(geo.helper(k)) for k in ("sens", "montant", "chapitre"))
    net = (
        f"SUMPRODUCT({sens},{journal_range(geo.chapter_col(code))})"
        f'+SUMPRODUCT(--({chapitre}="{code}"),{sens},{montant})'
    )
    return f"=ROUND({net},2)" if geo.chapitre(code).is_charge else f"=ROUND(-({net}),2)"


def column_total_formula(col: int, geo: JournalGeometry, where: str | None = None) -> str:
    """The total of a Journal amount column as the tool reads it: each amount typed as a number or as text (helper
    « montant »), only on the lines where that column is filled; ``where``: an array of 0/1 to keep some lines."""
    keep = f"{where}," if where else ""
    return f"=ROUND(SUMPRODUCT({keep}--({filled(journal_range(col))}),{journal_range(geo.helper('montant'))}),2)"


def not_ticked(geo: JournalGeometry) -> str:
    """An array, 1 on each line not ticked at 31 August: « Pointé » empty or only spaces, or a date after 31 August
    (cleared after the year end). A mark (« x ») or a date up to 31 August: ticked, 0."""
    return outstanding_ticks(journal_range(COL_POINTE))


def outstanding_ticks(tick: str) -> str:
    """An array over the « Pointé » cells ``tick``: 1 where the line was outstanding at 31 August (see
    :func:`not_ticked`); the Journal's and the « En attente » sheet's (issue 12)."""
    return f"(({blank(tick)})+ISNUMBER({tick})*({tick}>={L.EXERCICE_END_NAME}+1))"


REGIE_SPELLINGS = ("regie", "régie", "règie")  # SEARCH ignores case: RÉGIE, Régie…


def regie_label(ref: str) -> str:
    """TRUE (or a count > 0 on a range) where the label speaks of a régie, as ``rules.REGIE_WORDS`` once folded."""
    return "(" + "+".join(f'ISNUMBER(SEARCH("{w}",{ref}))' for w in REGIE_SPELLINGS) + ")"


# ---------------------------------------------------------------------------
# Values as the tool reads them (``workbook_tools.cells``): an amount typed as text, a cell of spaces

NBSP, NNBSP = "\u00a0", "\u202f"
# what ``text.parse_money_text`` drops from an amount typed as text (CLEAN drops tabs and line breaks)
_DROPPED = ("€", "EUR", " ", NBSP, NNBSP, "'")


def _spaced(ref: str) -> str:
    return f'TRIM(CLEAN(SUBSTITUTE(SUBSTITUTE({ref},"{NBSP}"," "),"{NNBSP}"," ")))'


def blank(ref: str) -> str:
    """TRUE when ``ref`` is empty or holds only spaces (no-break ones, tabs, line breaks too): what the tool reads
    as empty (``cells.is_empty``). Works on a range inside SUMPRODUCT."""
    return f'{_spaced(ref)}=""'


def filled(ref: str) -> str:
    """The opposite of :func:`blank`."""
    return f'{_spaced(ref)}<>""'


def cleaned_amount(ref: str) -> str:
    """An amount typed as text without what the tool ignores in it: « 1 234,56 € » → « 1234,56 »."""
    expr = ref
    for dropped in _DROPPED:
        expr = f'SUBSTITUTE({expr},"{dropped}","")'
    return f"CLEAN({expr})"


def number_from_text(text: str) -> str:
    """The number a cleaned amount text (:func:`cleaned_amount`) means, read as ``text.parse_money_text`` reads it:
    the comma is the decimal separator when it comes after the first dot or alone (« 1.234,56 », « 12,50 »), else
    the dot is (« 1,234.56 », « 12.5 »). NUMBERVALUE takes the separators it is given, whatever the language of the
    spreadsheet. 0 when empty or unreadable (the tool reports such a cell)."""
    comma = f'IFERROR(FIND(",",{text}),0)>IFERROR(FIND(".",{text}),0)'
    return f'IF({text}="",0,IFERROR(_xlfn.NUMBERVALUE({text},IF({comma},",","."),IF({comma},".",",")),0))'


def amount_read(ref: str) -> str:
    """One cell's amount, typed as a number or as text (a Paramètres amount)."""
    return f"IF(ISNUMBER({ref}),{ref},{number_from_text(cleaned_amount(ref))})"


def listes_range(col: int, rows: int = 200) -> str:
    """Two columns of the hidden Listes sheet from row 2: a lookup table (``Listes!$D$2:$E$201``)."""
    return f"{sheet_ref(L.SHEET_LISTES, 2, col)}:{a1(rows + 1, col + 1)}"


# The Journal's drop-downs take their lists through these workbook-level names, not ``Listes!$A$2:$A$7`` directly:
# Excel 2010 and later write a list validation whose source is on another sheet in the worksheet's x14 extension
# (``<extLst>``), which openpyxl and Excel 2007 drop, but keep one whose source is a defined name in the standard
# ``<dataValidations>``, which every reader keeps (issue 18).
MODES_LIST = "liste_modes"
CHAPITRES_LIST = "liste_chapitres"


def list_sources(chapitres: int) -> dict[str, str]:
    """The drop-downs' defined names → their range on the hidden Listes sheet (modes in A, chapter headers in B)."""
    return {
        MODES_LIST: f"{sheet_ref(L.SHEET_LISTES, 2, 0)}:{a1(1 + len(L.MODES), 0)}",
        CHAPITRES_LIST: f"{sheet_ref(L.SHEET_LISTES, 2, 1)}:{a1(1 + chapitres, 1)}",
    }


# Listes: the chapter a code written in column L counts in (codes and aliases; then unique 3-digit prefixes)
LISTES_CODES_COL = 3  # D: code, E: chapter
LISTES_PREFIXES_COL = 6  # G: prefix, H: chapter
