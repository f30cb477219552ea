"""Fill the cahier template with a book of lines, as a teacher would type it.

Used by the tests, the demo and the benchmarks, so that they all work on the
real template. Amounts are exact (``Decimal`` or text in euros), written to the
cells as the numbers a spreadsheet stores.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import Cell

from workbook_tools import layout
from workbook_tools.text import label_key

Money = Decimal | int | str


@dataclass
class Line:
    date: dt.date | str | None
    libelle: str | None
    banque_recette: Money | None = None
    banque_depense: Money | None = None
    caisse_recette: Money | None = None
    caisse_depense: Money | None = None
    chapitre: str | None = None  # the drop-down (code or "code label")
    split: dict[str, Money] = field(default_factory=dict)  # chapter code (as in a header) -> amount
    piece: str | None = None
    mode: str | None = None
    cheque: str | None = None
    action: str | None = None
    pointe: str | dt.date | None = None  # « x », or the date of the statement the line was seen on

    @property
    def amount(self) -> Decimal:
        return sum((Decimal(str(v)) for v in self.amounts() if v is not None), Decimal(0))

    def amounts(self) -> list[Money | None]:
        return [self.banque_recette, self.banque_depense, self.caisse_recette, self.caisse_depense]


@dataclass
class Book:
    params: dict[str, Any]
    lines: list[Line] = field(default_factory=list)
    inventaire: list[dict[str, Any]] = field(default_factory=list)
    subventions: list[dict[str, Any]] = field(default_factory=list)
    caisse: dict[int, int] = field(default_factory=dict)  # denomination in cents -> count
    actions: list[dict[str, Any]] = field(default_factory=list)  # the CRA's table of actions (layout.CRA_COLUMNS)
    # the CRA's headcounts: « classes », « eleves », « adultes », « conseils »
    cra: dict[str, Any] = field(default_factory=dict)
    # « En attente » (issue 12): the tick typed on the n-th carried line (0 = its first row), « x » or a date
    attente_ticks: dict[int, str | dt.date] = field(default_factory=dict)


def template_path() -> Path:
    return Path(str(resources.files("workbook_tools.templates").joinpath("cahier.xlsx")))


_PLAIN_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def _amount(value: Money | None) -> Any:
    """``"12.00"`` is the number 12; text like ``"12,50 €"`` stays text, as if typed into a text cell."""
    if isinstance(value, str) and _PLAIN_NUMBER.match(value):
        return Decimal(value)
    return value


def _cell_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str) and value[:1] in "=+-@":
        return value  # written as text below
    return value


def _put(cell: Cell, value: Any) -> None:
    if value is None:
        return
    cell.value = _cell_value(value)
    if isinstance(value, str):
        cell.data_type = "s"  # teachers' text is text, never a formula


def write_cahier(book: Book, path: Path, *, template: Path | None = None) -> Path:
    wb = openpyxl.load_workbook(template or template_path())
    _fill_params(wb[layout.SHEET_PARAMS], book.params)
    ws = wb[layout.SHEET_JOURNAL]
    header = {str(c.value).strip(): c.column for c in ws[layout.JOURNAL_HEADER_ROW] if c.value}
    by_key = {key: header[h] for key, h in layout.JOURNAL_COLUMNS if h in header}
    by_code = {h.split()[0]: col for h, col in header.items() if h[:1].isdigit()}
    for i, line in enumerate(book.lines):
        r = layout.JOURNAL_FIRST_ROW + i
        for key in by_key:
            value = getattr(line, key)
            if key == "date" and isinstance(value, dt.date):
                ws.cell(r, by_key[key]).value = value
            elif key in layout.AMOUNT_COLUMNS:
                _put(ws.cell(r, by_key[key]), _amount(value))
            else:
                _put(ws.cell(r, by_key[key]), value)
        for code, amount in line.split.items():
            _put(ws.cell(r, by_code[code]), _amount(amount))
    _fill_table(wb[layout.SHEET_INVENTAIRE], layout.INVENTAIRE_COLUMNS, book.inventaire)
    _fill_table(wb[layout.SHEET_SUBVENTIONS], layout.SUBVENTIONS_COLUMNS, book.subventions)
    if book.attente_ticks:
        attente = wb[layout.SHEET_ATTENTE]
        for n, tick in book.attente_ticks.items():
            _put(attente.cell(layout.TABLE_FIRST_ROW + n, 1), tick)
    _fill_cra(wb[layout.SHEET_CRA], book)
    caisse = wb[layout.SHEET_CAISSE]
    for i, face in enumerate(layout.DENOMINATIONS_CENTS):
        if face in book.caisse:
            caisse.cell(layout.CAISSE_FIRST_ROW + i, 2).value = book.caisse[face]
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _fill_params(ws: Any, params: dict[str, Any]) -> None:
    rows = {label_key(ws.cell(r, 1).value or ""): r for r in range(1, 30)}
    for p in layout.PARAMS:
        if p.name in params:
            _put(ws.cell(rows.get(label_key(p.label), p.row), 2), params[p.name])


def _fill_cra(ws: Any, book: Book) -> None:
    for p in layout.CRA_FIGURES:
        key = p.name.removeprefix("cra_")
        if key in book.cra:
            _put(ws.cell(p.row, 2), book.cra[key])
    for i, item in enumerate(book.actions):
        for j, (key, _) in enumerate(layout.CRA_COLUMNS, start=1):
            _put(ws.cell(layout.CRA_FIRST_ROW + i, j), item.get(key))


def _fill_table(ws: Any, columns: list[tuple[str, str]], rows: list[dict[str, Any]]) -> None:
    for i, item in enumerate(rows):
        for j, (key, _) in enumerate(columns, start=1):
            _put(ws.cell(layout.TABLE_FIRST_ROW + i, j), item.get(key))
