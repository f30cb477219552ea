"""What the CRF and the consolidation workbooks share: xlsxwriter set-up, French formats, safe writes.

Teachers' text is always written with ``write_string`` (and the workbook is opened with
``strings_to_formulas`` off besides): a libellé such as ``=HYPERLINK(…)`` or ``@SUM(1)``
stays text in every output. Money arrives in integer cents and is written as euros.
Files are written under a hidden temporary name in the target folder, then renamed:
nobody (a teacher, the watcher, a sync client) ever sees a half-written workbook.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

MONEY = '#,##0.00 "€"'
DATE = "dd/mm/yyyy"
BLUE = "#1F4E79"
PALE = "#DDEBF7"
GREY = "#F2F2F2"
GREEN = "#C6EFCE"
RED = "#FFC7CE"
CHARGES_COLOUR = "#C0504D"
PRODUITS_COLOUR = "#4F81BD"


_CLASSIC_FUNCTIONS = frozenset({"SUM", "SUBTOTAL", "HYPERLINK", "IF", "ABS", "ROUND", "MIN", "MAX"})
_FUNCTION = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\(")


class Sheet(Worksheet):  # type: ignore[misc]  # xlsxwriter ships no types
    """xlsxwriter's worksheet, writing our plain formulas as they are.

    xlsxwriter passes every formula through some thirty regular expressions that add the « _xlfn. » prefix
    Excel 2010+ functions need: 48 µs a formula, 1.9 s for the 40,000 formulas of a national consolidation
    (BENCHMARKS.md, « Issue 16 »). A formula calling only functions that every Excel knows (SUM, SUBTOTAL,
    HYPERLINK…) needs no prefix and is written as given; any other goes through xlsxwriter's own rewriting."""

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        calls = _FUNCTION.findall(_unquoted(formula))
        if (
            formula.startswith("=")
            and not formula.endswith("}")
            and all(n.upper() in _CLASSIC_FUNCTIONS for n in calls)
        ):
            return formula[1:]
        return str(super()._prepare_formula(formula, expand_future_functions))


_LITERAL = re.compile(r'"[^"]*"')


def _unquoted(formula: str) -> str:
    """The formula without its string literals (« "a(b" » calls nothing)."""
    return _LITERAL.sub('""', formula) if '"' in formula else formula


def new_workbook(path: Path, title: str) -> Workbook:
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_formulas": False,  # belt and braces: text is text even through write()
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": DATE,
        },
    )
    wb.worksheet_class = Sheet
    wb.set_properties({"title": title, "author": "cahier", "comments": "Produit par cahier à partir du dépôt."})
    return wb


class Formats:
    """The few cell styles of our reports."""

    def __init__(self, wb: Workbook) -> None:
        def f(**props: Any) -> Any:
            return wb.add_format({"font_name": "Arial", "font_size": 10, "valign": "vcenter", **props})

        self.title = f(bold=True, font_size=14, font_color=BLUE)
        self.subtitle = f(italic=True, font_color="#404040", text_wrap=True)  # merged across a heading
        self.section = f(bold=True, font_size=11, font_color="white", bg_color=BLUE)
        self.header = f(bold=True, bg_color=PALE, border=1, text_wrap=True, align="center")
        self.text = f(border=1)
        self.wrap = f(border=1, text_wrap=True)
        self.plain = f()
        self.plain_wrap = f(text_wrap=True, valign="top")
        self.bold = f(bold=True, text_wrap=True)
        self.code = f(border=1, align="center")
        self.number = f(border=1, num_format="0", align="center")
        self.number_bold = f(border=1, num_format="0", align="center", bold=True, bg_color=GREY)
        self.money = f(border=1, num_format=MONEY)
        self.money_bold = f(border=1, num_format=MONEY, bold=True, bg_color=GREY)
        self.label_bold = f(border=1, bold=True, bg_color=GREY)
        self.date = f(border=1, num_format=DATE, align="center")
        self.ok = f(border=1, bold=True, bg_color=GREEN, align="center")
        self.bad = f(border=1, bold=True, bg_color=RED, align="center")
        self.banner = f(border=1, bold=True, bg_color=RED, text_wrap=True)
        self.note = f(italic=True, font_color="#595959")
        self.note_wrap = f(italic=True, font_color="#595959", text_wrap=True, valign="top")
        self.box = f(border=1, valign="top", text_wrap=True)
        self.box_title = f(border=1, bold=True, bg_color=PALE, text_wrap=True, valign="top")
        self.red_font = wb.add_format({"font_color": "#C00000"})
        self.red_fill = wb.add_format({"bg_color": RED})


EXCEL_LITERAL = 255  # the longest text constant Excel accepts in a formula (it repairs the file otherwise)


def formula_text(value: str) -> str:
    """``value`` as a text expression of a formula: « "…" », or « "…"&"…" » in pieces Excel accepts when longer than
    255 characters (a long address in a HYPERLINK); quotes doubled."""
    pieces = [value[i : i + EXCEL_LITERAL] for i in range(0, len(value), EXCEL_LITERAL)] or [""]
    return "&".join('"' + piece.replace('"', '""') + '"' for piece in pieces)


def text(ws: Worksheet, row: int, col: int, value: Any, fmt: Any = None) -> None:
    """Write text as text, never as a formula; None as an empty (formatted) cell."""
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def merged_text(ws: Worksheet, row: int, first: int, last: int, value: Any, fmt: Any = None) -> None:
    ws.merge_range(row, first, row, last, "", fmt)
    text(ws, row, first, value, fmt)


def money(ws: Worksheet, row: int, col: int, cents: int | None, fmt: Any) -> None:
    if cents is None:
        ws.write_blank(row, col, None, fmt)
    else:
        ws.write_number(row, col, cents / 100, fmt)


def formula_money(ws: Worksheet, row: int, col: int, formula: str, cents: int, fmt: Any) -> None:
    """A live formula, with the value we computed cached (what a reader without recalculation sees)."""
    ws.write_formula(row, col, formula, fmt, cents / 100)


def date(ws: Worksheet, row: int, col: int, value: dt.date | None, fmt: Any) -> None:
    if value is None:
        ws.write_blank(row, col, None, fmt)
    else:
        ws.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), fmt)


def a4(ws: Worksheet, header: str, *, landscape: bool = False, repeat: int | None = None) -> None:
    """A4, fit to the page width, small margins, a header naming the document and page numbers."""
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.6)
    ws.set_header(f"&L&8{header.replace('&', '&&')}&R&8&A", {"margin": 0.3})
    ws.set_footer("&C&8Page &P / &N", {"margin": 0.3})
    if repeat is not None:
        ws.repeat_rows(repeat)
    ws.hide_gridlines(2)


def money_width(cents: int, *, bold: bool = False) -> float:
    """The column width that shows ``cents`` whole in the MONEY format (« 115 246 050,00 € »), never « ### »: a
    character a unit of width (digits and « € » of Arial 10), bold a tenth wider, and the cell's padding."""
    chars = len(f"{abs(cents) // 100:,}") + len(",00 €") + (1 if cents < 0 else 0)
    return round(chars * (1.1 if bold else 1.0) + 1.5, 1)


CHARS_PER_UNIT = 1.25  # Arial 10 as Excel draws it, characters a unit of column width (LibreOffice fits a little more)
CHARS_PER_UNIT_SAFE = 1.15  # the same, for text whose words wrap early or that must never be cut (the consolidation)


def wrapped_lines(value: Any, width: float, *, per_unit: float = CHARS_PER_UNIT) -> int:
    """How many lines ``value`` takes once wrapped in a column ``width`` wide, counting ``per_unit`` characters a
    unit of width: Arial 10 as Excel draws it, about 1.25 (LibreOffice fits a little more: a row sized by this is
    never too short there, and the CRF's pages keep their measured fit). ``CHARS_PER_UNIT_SAFE`` leaves room for the
    cell's padding and the words that wrap early, where a row too short would hide a finding."""
    if value is None or value == "":
        return 1
    chars = max(1, int(width * per_unit))
    return sum(_lines(part, chars) for part in str(value).split("\n"))


@functools.lru_cache(maxsize=4096)
def _lines(part: str, chars: int) -> int:
    """Lines of one paragraph wrapped at ``chars`` characters (textwrap's count; a short one needs no wrapping).
    Cached: a consolidation writes the same titles and codes on thousands of rows (20 µs a textwrap)."""
    if len(part) <= chars and "\t" not in part:
        return 1
    return len(textwrap.wrap(part, chars)) or 1


def fit_row(
    ws: Worksheet,
    row: int,
    cells: Iterable[tuple[Any, float]],
    *,
    line: float = 12.75,
    per_unit: float = CHARS_PER_UNIT,
) -> None:
    """Make ``row`` as tall as its tallest wrapped cell, given as (text, width of its column or merged columns):
    neither Excel nor LibreOffice sizes on opening the rows a program wrote, the text would be cut."""
    lines = max((wrapped_lines(value, width, per_unit=per_unit) for value, width in cells), default=1)
    if lines > 1:
        ws.set_row(row, line * lines + 2)


def fr_datetime(iso: str | None) -> str:
    """An ISO timestamp as a French local date and time: ``27/11/2026 à 22:07``."""
    if not iso:
        return "—"
    return dt.datetime.fromisoformat(iso).astimezone().strftime("%d/%m/%Y à %H:%M")


def local_date(iso: str | None) -> dt.date | None:
    if not iso:
        return None
    return dt.datetime.fromisoformat(iso).astimezone().date()


def chapter_bar_chart(wb: Workbook, sheet: str, first: int, last: int, title: str, *, width: int = 620) -> Any:
    """Charges and produits by chapter as horizontal bars: labels in column B, charges in C, produits in D,
    rows ``first`` to ``last`` (0-based) of ``sheet``; ``width`` in pixels, at most the table's (or the page,
    fit to the width, shrinks for the chart)."""
    chart = wb.add_chart({"type": "bar"})
    for name, col, colour in (("Charges", 2, CHARGES_COLOUR), ("Produits", 3, PRODUITS_COLOUR)):
        chart.add_series(
            {
                "name": name,
                "categories": [sheet, first, 1, last, 1],
                "values": [sheet, first, col, last, col],
                "fill": {"color": colour},
                "gap": 40,
                "overlap": 100,
            }
        )
    chart.set_title({"name": title, "name_font": {"size": 11}})
    chart.set_y_axis({"reverse": True, "num_font": {"size": 8}})
    chart.set_x_axis({"num_format": '#,##0 "€"', "num_font": {"size": 8}, "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": width, "height": 400})
    return chart
