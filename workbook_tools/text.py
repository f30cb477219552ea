"""Small text helpers shared by the reader and the reports: normalising labels, reading French money."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation


def fold(text: object) -> str:
    """Lower case, no accents, single spaces: how headers and labels are compared."""
    s = unicodedata.normalize("NFKD", str(text))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return " ".join(s.lower().replace("°", "o").split())


_MONEY_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def parse_money_text(text: str) -> Decimal | None:
    """Read an amount typed as text the French way: ``12,50 €``, ``1 234,56``, ``1.234,56``, ``12.5``.

    Returns None when the text is not an amount.
    """
    s = text.strip().replace("\u00a0", " ").replace("\u202f", " ").replace("€", "").replace("EUR", "")
    s = s.replace(" ", "").replace("'", "")
    if "," in s and "." in s:
        # 1.234,56 (French thousands with dots) or 1,234.56 (English)
        s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
    elif s.count(",") == 1:
        s = s.replace(",", ".")
    if not _MONEY_RE.match(s):
        return None
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def euros(cents: int | None) -> str:
    """``123456`` → ``1 234,56 €`` (narrow no-break space between thousands, as French print does)."""
    if cents is None:
        return "—"
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(int(cents)), 100)
    return f"{sign}{whole:,}".replace(",", "\u202f") + f",{frac:02d} €"


def label_key(text: object) -> str:
    """A row label as the reader matches it: folded, without the ``*`` of required fields or a final colon."""
    return fold(text).rstrip(" :*")
