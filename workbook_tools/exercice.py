"""The exercice: a school year of accounts, 1 September → 31 August, written ``2025-2026``.

The one owner of how an exercice is written, read, bounded and compared: the check of the
Paramètres sheet, the template writer, the store's standings, the CRF and the consolidation
all go through :class:`Exercice`. No I/O here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

# two years separated by « - », « / » or « – », spaces allowed around them (what teachers type)
_WRITTEN = re.compile(r"^\s*(\d{4})\s*[-/–]\s*(\d{4})\s*$")
FIRST_YEAR, LAST_YEAR = 2000, 2098
DEADLINE = (9, 30)  # the CRF is due by 30 September after the year end (OCCE departmental guides)
_HINT = "écrivez deux années qui se suivent, par exemple 2025-2026 (du 1er septembre 2025 au 31 août 2026)."


class ExerciceError(ValueError):
    """The exercice is not written as two consecutive years (``2025-2026``); the message is French."""


@dataclass(frozen=True, order=True)
class Exercice:
    """One exercice, known by the year it starts in (``Exercice(2025)`` is ``2025-2026``)."""

    start_year: int

    @classmethod
    def parse(cls, text: object) -> Exercice:
        """``" 2025/2026 "`` → ``Exercice(2025)``; anything else raises :class:`ExerciceError`."""
        m = _WRITTEN.match(str(text or ""))
        if not m or int(m.group(2)) != int(m.group(1)) + 1:
            raise ExerciceError(f"exercice « {text or ''} » invalide : {_HINT}")
        year = int(m.group(1))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ExerciceError(
                f"exercice « {text} » invalide : l'année de début doit être entre {FIRST_YEAR} et {LAST_YEAR}."
            )
        return cls(year)

    @classmethod
    def read(cls, text: object) -> Exercice | None:
        """Like :meth:`parse`, None when the text is not an exercice."""
        try:
            return cls.parse(text)
        except ExerciceError:
            return None

    @classmethod
    def containing(cls, day: dt.date) -> Exercice:
        return cls(day.year if day.month >= 9 else day.year - 1)

    def __str__(self) -> str:
        return f"{self.start_year}-{self.start_year + 1}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.start_year, 9, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.start_year + 1, 8, 31)

    @property
    def deadline(self) -> dt.date:
        """The date by which the CRF is due: 30 September after the year end."""
        return dt.date(self.start_year + 1, *DEADLINE)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    @property
    def next(self) -> Exercice:
        return Exercice(self.start_year + 1)

    @property
    def previous(self) -> Exercice:
        return Exercice(self.start_year - 1)


def normalise(text: object) -> str:
    """The exercice as ``2025-2026``, or :class:`ExerciceError`."""
    return str(Exercice.parse(text))


def latest(written: Iterable[str | None]) -> str | None:
    """The most recent of these exercices (ill-written ones and None are ignored), as ``2025-2026``."""
    found = [e for e in (Exercice.read(w) for w in written if w) if e is not None]
    return str(max(found)) if found else None
