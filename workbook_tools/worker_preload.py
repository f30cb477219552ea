"""What the watcher's worker server (``isolation``, a multiprocessing « forkserver ») loads before it forks a
worker for each file: the checks, imported, and run once on a few lines held in memory.

Importing this module does that work: it is meant for ``set_forkserver_preload`` only (nothing else imports it).
A first validation costs far more than the next ones — pandera registers its backends and builds its check
machinery, pandas and pyarrow load their string and datetime paths lazily — and every worker forked from a
server that had only imported the checks paid it again (≈ 130 ms a file). Done here once, each worker inherits
it already done (figures in BENCHMARKS.md, « Issue 16 »). Any failure here is swallowed: a worker then merely
pays that first validation itself, as before.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from importlib import resources
from pathlib import Path
from typing import Any

from workbook_tools import layout, validate
from workbook_tools.chart import default_chart
from workbook_tools.read import Cahier, _read_journal
from workbook_tools.read_annexes import read_params


def _lines(header: list[Any]) -> list[list[Any]]:
    """A receipt in cash and an expense by cheque with their chapter, a split expense, a ticked line."""
    at = {name: i for i, name in enumerate(header) if isinstance(name, str)}
    chapters = [name for name in header if isinstance(name, str) and name[:4].isdigit()]

    def line(**cells: Any) -> list[Any]:
        row: list[Any] = [""] * len(header)
        for name, value in cells.items():
            row[at[name]] = value
        return row

    day = dt.date(2025, 9, 5)
    receipt = {"N° pièce": "R1", "Mode": "ESP", "Date": day, "Libellé": "Participation famille",
               "Caisse recette": 20.0, "Chapitre": chapters[-2][:4]}  # fmt: skip
    cheque = {"Pointé": "x", "N° pièce": "D1", "Mode": "CHQ", "Date": day, "Libellé": "Achat de livres",
              "N° chèque": "1234567", "Banque dépense": 35.5, "Chapitre": chapters[1][:4]}  # fmt: skip
    split = {"N° pièce": "D2", "Mode": "CB", "Date": day, "Libellé": "Sortie et goûter", "Banque dépense": 50.0,
             chapters[0]: 20.0, chapters[1]: 30.0}  # fmt: skip
    return [line(**receipt), line(**cheque), line(**split)]


def warm() -> validate.CheckResult | None:
    """Check three lines typed in the template's Journal, in memory: the result (None if the template has no
    Journal header)."""
    from python_calamine import CalamineWorkbook

    from workbook_tools.intake import sheet_rows
    from workbook_tools.read import _find_header

    path = Path(str(resources.files("workbook_tools.templates").joinpath("cahier.xlsx")))  # fill.template_path,
    # without importing openpyxl into the server
    book = CalamineWorkbook.from_path(str(path))
    journal = sheet_rows(book, layout.SHEET_JOURNAL) or []
    h = _find_header(journal)
    if h is None:
        return None
    cahier = Cahier(path)
    read_params(cahier, sheet_rows(book, layout.SHEET_PARAMS))
    _read_journal(cahier, [*journal[: h + 1], *_lines(journal[h])], default_chart())
    return validate.check_cahier(cahier)


with contextlib.suppress(Exception):  # only a warm-up: if it fails, the first validation of each worker is paid
    warm()  # there, as before
gc.collect()
