"""The reader's other sheets: Paramètres, Inventaire, Subventions, Arrêté de caisse, CRA, and the formula errors of the
Journal's cells (read from its XML, since python-calamine reads an error as empty). Called by
:func:`workbook_tools.read.read_cahier`; like it, they only say what they could not read.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from workbook_tools import cells, layout, messages
from workbook_tools.exercice import Exercice
from workbook_tools.model import QUITUS_SIGNATAIRES, Code, Finding
from workbook_tools.text import fold, label_key, shown

if TYPE_CHECKING:
    from workbook_tools.read import Cahier

J = layout.SHEET_JOURNAL


# --- Paramètres -----------------------------------------------------------------------------------


def read_params(cahier: Cahier, rows: list[list[Any]] | None) -> None:
    labels = {label_key(p.label): p for p in layout.PARAMS}
    for r, row in enumerate(rows or [], start=1):
        if not row:
            continue
        label = label_key(row[0])
        param = labels.get(label)
        if param is None or param.name in cahier.params:
            continue
        cahier.params[param.name] = row[1] if len(row) > 1 else ""
        cahier.param_rows[param.name] = r


def read_quitus(cahier: Cahier, today: dt.date | None = None) -> None:
    """Judge the quitus's dates (Paramètres, issue 14): each one filled must be a date, from the exercice's last day
    (31 August: the quitus is signed once the year is closed) to ``today`` (the day of the check), beside the
    signatory's name. One that is not is a warning (QUITUS_INVALID) and does not count as a signature
    (``model.Quitus.signe``); the judgment is kept with the version, so the CRF and the consolidation repeat it."""
    today = today or dt.date.today()
    exercice = Exercice.read(cells.text(cahier.params.get("exercice")))
    end = exercice.end if exercice is not None else None
    for who, name_key, date_key in QUITUS_SIGNATAIRES:
        raw = cahier.params.get(date_key, "")
        if cells.is_empty(raw):
            continue
        day, status, _ = cells.date(raw)
        if day is None or status == cells.BAD:
            fault = "not_a_date"
        elif end is not None and day < end:
            fault = "before_end"
        elif day > today:
            fault = "future"
        elif cells.is_empty(cahier.params.get(name_key, "")):
            fault = "no_name"
        else:
            continue
        cahier.quitus_invalides[date_key] = fault
        param = layout.PARAMS_BY_NAME[date_key]
        name_row = cahier.param_rows.get(name_key, layout.PARAMS_BY_NAME[name_key].row)
        message = messages.quitus_invalid(param.label, shown(raw), fault, who, end=end, today=today, name_row=name_row)
        row = cahier.param_rows.get(date_key, param.row)
        cahier.findings.append(Finding(Code.QUITUS_INVALID, layout.SHEET_PARAMS, row, "B", message, cells.text(raw)))


# --- Inventaire, Subventions, Arrêté de caisse ----------------------------------------------------


def _table(rows: list[list[Any]] | None, columns: list[tuple[str, str]]) -> tuple[int, dict[str, int], list[list[Any]]]:
    """Find a small table by its header texts → (first data row number, key → column index, data rows)."""
    if not rows:
        return 0, {}, []
    wanted = {fold(h): k for k, h in columns}
    for i, row in enumerate(rows[:15]):
        idx = {wanted[fold(v)]: j for j, v in enumerate(row) if isinstance(v, str) and fold(v) in wanted}
        if len(idx) >= 2:
            return i + 2, idx, rows[i + 1 :]
    return 0, {}, []


_TABLE_CELLS: dict[str, Any] = {  # how each column of the small tables is read; text otherwise
    "date": lambda v: cells.date(v)[0],
    "date_sortie": lambda v: cells.date(v)[0],
    "valeur": lambda v: cells.money(v)[0],
    "montant": lambda v: cells.money(v)[0],
}


def _table_rows(rows: list[list[Any]] | None, columns: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The filled rows of a small table (Inventaire, Subventions), each with its row number."""
    first, idx, data = _table(rows, columns)
    out: list[dict[str, Any]] = []
    for n, row in enumerate(data):
        got = {k: (row[j] if j < len(row) else "") for k, j in idx.items()}
        if all(cells.is_empty(v) for v in got.values()):
            continue
        item: dict[str, Any] = {"row": first + n}
        for key, _ in columns:
            item[key] = _TABLE_CELLS.get(key, cells.text)(got.get(key, ""))
        out.append(item)
    return out


def read_inventaire(cahier: Cahier, rows: list[list[Any]] | None) -> None:
    cahier.inventaire = _table_rows(rows, layout.INVENTAIRE_COLUMNS)


def read_subventions(cahier: Cahier, rows: list[list[Any]] | None) -> None:
    cahier.subventions = _table_rows(rows, layout.SUBVENTIONS_COLUMNS)


def read_attente(cahier: Cahier, rows: list[list[Any]] | None) -> None:
    """The « En attente » sheet (issue 12): last year's bank lines outstanding at its 31 August. Each amount is read
    as in the Journal (a number, or text with a warning; unreadable: an error); the tick as in the Journal (any mark,
    or a date; only spaces is no mark), a date typed as text kept for TICK_TEXT."""
    first, idx, data = _table(rows, layout.ATTENTE_COLUMNS)
    if not idx:
        return
    for n, row in enumerate(data):
        got = {k: (row[j] if j < len(row) else "") for k, j in idx.items()}
        if all(cells.is_empty(got.get(k, "")) for k, _ in layout.ATTENTE_COLUMNS if k != "pointe"):
            continue
        r = first + n
        item: dict[str, Any] = {"row": r}
        for key in ("piece", "mode", "libelle", "cheque"):
            item[key] = cells.text(got.get(key, "")) or None
        item["date"] = cells.date(got.get("date", ""))[0]
        for key in ("recette", "depense"):
            item[key] = _attente_amount(cahier, r, key, got.get(key, ""))
        tick = got.get("pointe", "")
        item["pointe"] = None if cells.is_empty(tick) else cells.text(tick)
        item["pointe_le"] = None
        if item["pointe"] is not None and any(ch.isdigit() for ch in item["pointe"]):
            day, status, _ = cells.date(tick)
            if day is not None and status in (cells.OK, cells.TEXT):
                item["pointe_le"] = day
                if status == cells.TEXT:
                    cahier.attente_tick_texts.append((r, str(tick), day))
        cahier.en_attente.append(item)


def _attente_amount(cahier: Cahier, row: int, key: str, value: Any) -> int | None:
    if cells.is_empty(value):
        return None
    cents, status, reason = cells.money(value)
    letter = layout.column_letter([k for k, _ in layout.ATTENTE_COLUMNS].index(key))
    header = dict(layout.ATTENTE_COLUMNS)[key]
    if status == cells.TEXT:
        message = messages.amount_as_text(value, header, cents)
        cahier.findings.append(Finding(Code.AMOUNT_TEXT, layout.SHEET_ATTENTE, row, letter, message, value))
    elif status == cells.BAD:
        message = messages.amount_unreadable(value, header, reason)
        cahier.findings.append(
            Finding(Code.AMOUNT_INVALID, layout.SHEET_ATTENTE, row, letter, message, cells.text(value))
        )
    return cents


def read_caisse(cahier: Cahier, rows: list[list[Any]] | None) -> None:
    """The count of notes and coins: denomination in A, count in B. None when nothing was counted."""
    if not rows:
        return
    total = 0
    counted = False
    for row in rows[layout.CAISSE_FIRST_ROW - 1 : layout.CAISSE_TOTAL_ROW - 1]:
        if len(row) < 2:
            continue
        face, _, _ = cells.money(row[0])
        count = row[1]
        if face is None or cells.is_empty(count):
            continue
        if isinstance(count, int | float) and float(count).is_integer() and count >= 0:
            total += face * int(count)
            counted = True
            if count:
                cahier.caisse_detail.append((face, int(count)))
    if counted:
        cahier.caisse_comptee = total


# --- CRA (issue 14) ---------------------------------------------------------------------------------


def read_cra(cahier: Cahier, rows: list[list[Any]] | None) -> None:
    """The activity report: the headcounts (label in A, value in B, found by label) and the table of actions.
    A headcount that is not a whole number ≥ 0 is left out with a warning (CRA_INVALID) and kept as typed (the CRF
    says it was unreadable); an empty one is not counted (the CRA is filled at the end of the year)."""
    if not rows:
        return
    figures = {label_key(p.label): p for p in layout.CRA_FIGURES}
    for r, row in enumerate(rows[: layout.CRA_HEADER_ROW], start=1):
        if not row or not isinstance(row[0], str):
            continue
        p = figures.get(label_key(row[0]))
        value = row[1] if len(row) > 1 else ""
        if p is None or cells.is_empty(value):
            continue
        key = p.name.removeprefix("cra_")
        number = _headcount(value)
        if number is None:
            cahier.cra_illisibles[key] = shown(value)
            message = messages.cra_invalid(p.label, value)
            cahier.findings.append(Finding(Code.CRA_INVALID, layout.SHEET_CRA, r, "B", message, cells.text(value)))
        else:
            cahier.cra[key] = number
    cahier.cra_actions = [a for a in _table_rows(rows, layout.CRA_COLUMNS) if a.get("action") or a.get("description")]


def _headcount(value: Any) -> int | None:
    """A whole number ≥ 0, typed as a number or as text (« 24 »); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() and value >= 0 else None
    text = (cells.text(value) or "").replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    return int(text) if text.isdigit() else None


# --- cells holding formula errors ------------------------------------------------------------------

_ERR_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*?t="e"[^>]*>(?:<f[^>]*>.*?</f>|<f[^>]*/>)?<v>([^<]*)</v>', re.S)


def find_cell_errors(cahier: Cahier) -> None:
    """python-calamine reads an error cell (#REF!, #DIV/0!) as empty: find them in the sheet XML (xlsx/xlsm)."""
    data = cahier.journal_xml
    if not data or b't="e"' not in data:
        return
    input_letters = {v for k, v in cahier.columns.items() if k != "pointe"} | {c.letter for c in cahier.chapter_columns}
    for m in _ERR_CELL.finditer(data):
        letter, row, err = m.group(1).decode(), int(m.group(2)), m.group(3).decode(errors="replace")
        if letter not in input_letters or row <= layout.JOURNAL_HEADER_ROW:
            continue
        cahier.findings.append(
            Finding(
                Code.CELL_ERROR,
                J,
                row,
                letter,
                f"La cellule {letter}{row} affiche l'erreur {err} : elle contient une formule qui ne peut pas être calculée. "
                "Remplacez-la par la valeur à saisir.",
                err,
            )
        )
