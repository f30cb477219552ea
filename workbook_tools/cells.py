"""Reading one cell value as the cahier means it: money in cents, a date, a text.

Each reader returns the value and, when the cell was not what it should be, a
short reason (French) the validator turns into a finding. Values come from
python-calamine: float/int for numbers, date/datetime for dates, str otherwise,
"" for an empty cell.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from workbook_tools.text import parse_money_text

# what a reader says about a cell besides its value
OK, EMPTY, TEXT, BAD = "ok", "empty", "text", "bad"

_DATE_RE = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})\s*$")
_ISO_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?\s*$")


def is_empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


def money(value: Any) -> tuple[int | None, str, str]:
    """→ (cents, status, reason). Status TEXT: read from text, with a warning; BAD: unreadable."""
    if is_empty(value):
        return None, EMPTY, ""
    if isinstance(value, bool):
        return None, BAD, "une valeur VRAI/FAUX au lieu d'un montant"
    if isinstance(value, int | float):
        cents = round(value * 100)
        if abs(value * 100 - cents) > 1e-6:
            return None, BAD, "plus de 2 décimales"
        return cents, OK, ""
    if isinstance(value, str):
        amount = parse_money_text(value)
        if amount is None:
            return None, BAD, "ce n'est pas un nombre"
        if not sheet_reads_amount(value):
            return (
                None,
                BAD,
                "il contient des caractères que le tableur ne lit pas dans un nombre (tapez les chiffres seuls)",
            )
        cents_dec = amount * 100
        if cents_dec != cents_dec.to_integral_value():
            return None, BAD, "plus de 2 décimales"
        return int(cents_dec.quantize(Decimal(1), rounding=ROUND_HALF_UP)), TEXT, ""
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return None, BAD, "une date ou une heure au lieu d'un montant"
    return None, BAD, "valeur illisible"


# What the cahier's own formulas drop from an amount typed as text before reading it (``template.common``:
# ``cleaned_amount``, then NUMBERVALUE): €, EUR, spaces (ordinary, no-break, narrow no-break), apostrophes, and
# control characters (CLEAN). What is left must be ASCII digits, separators and a sign for the sheet to read it.
_SHEET_DROPS = ("€", "EUR", " ", "\u00a0", "\u202f", "'")
_SHEET_NUMBER = re.compile(r"[+-]?[0-9.,]+")


def sheet_reads_amount(text: str) -> bool:
    """Whether the cahier's formulas read this amount typed as text as the tool does: « 1 234,56 € » yes; digits of
    another script, or spaces of another kind around them, no (the tool reads them, the spreadsheet does not)."""
    for dropped in _SHEET_DROPS:
        text = text.replace(dropped, "")
    return bool(_SHEET_NUMBER.fullmatch("".join(ch for ch in text if ord(ch) >= 32)))


def date(value: Any) -> tuple[dt.date | None, str, str]:
    """→ (date, status, reason). Text like ``12/09/2025`` is read with status TEXT."""
    if is_empty(value):
        return None, EMPTY, ""
    if isinstance(value, dt.datetime):
        return value.date(), OK, ""
    if isinstance(value, dt.date):
        return value, OK, ""
    if isinstance(value, str):
        m = _DATE_RE.match(value)
        if m:
            day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if year < 100:
                year += 2000
        else:
            m = _ISO_RE.match(value)
            if not m:
                return None, BAD, "ce texte ne se lit pas comme une date jj/mm/aaaa"
            year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        try:
            return dt.date(year, month, day), TEXT, ""
        except ValueError:
            return None, BAD, "cette date n'existe pas dans le calendrier"
    if isinstance(value, int | float):
        return None, BAD, "un nombre au lieu d'une date"
    return None, BAD, "valeur illisible"


def text(value: Any) -> str | None:
    """A label or number as text; integral floats lose their ``.0`` (a cheque number typed as a number)."""
    if is_empty(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y") if value.time() == dt.time() else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()
