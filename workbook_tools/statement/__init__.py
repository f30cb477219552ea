"""Bank statements (« relevés ») as the bank exports them: OFX (« format Money »), QIF, and CSV in the bank's own
columns, described as data (``schemas/banques.toml``, one small profile per bank format).

``read_statement(path)`` → :class:`Statement`: the operations (date, signed amount in cents, label, cheque
number), the period the file covers and the balances it states. ``balance_on(statements, day)`` gives the
account's balance at the end of a day when a statement covers it (the balance at 31 August for the
rapprochement). Nothing here knows the cahier: :mod:`workbook_tools.matching` pairs the two.

A file that cannot be read raises :class:`StatementError` with a French message (which file, what was seen,
what to do) — never a traceback.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbook_tools.statement.profiles import Profile

MAX_STATEMENT_BYTES = 20_000_000  # a year of a cooperative's account is a few hundred kB
# A statement saved next to the cahier, as the watcher recognises it: « releve… » or « relevé… », .ofx .qfx .csv .qif
STATEMENT_NAME = re.compile(r"^relev[eé].*\.(?:ofx|qfx|csv|qif)$", re.IGNORECASE)


def is_statement_name(name: str) -> bool:
    import unicodedata

    return bool(STATEMENT_NAME.match(unicodedata.normalize("NFC", name)))


class StatementError(ValueError):
    """A statement file that cannot be read; the message is French and says what to do."""


@dataclass(frozen=True, order=True)
class Operation:
    """One line of a bank statement. ``amount`` in cents: positive = money in (a receipt), negative = money out."""

    date: dt.date
    amount: int
    label: str = ""
    cheque: str | None = None  # the cheque number when the bank gives one (OFX CHECKNUM, « CHEQUE 1234567 »)
    source: str = field(default="", compare=False)  # the file's name, for the report

    @property
    def key(self) -> tuple[dt.date, int, str, str]:
        """What makes two operations the same (used to merge overlapping statements and to sort)."""
        return (self.date, self.amount, self.cheque or "", self.label)


@dataclass
class Statement:
    path: Path
    kind: str  # "OFX", "QIF", or the CSV profile's name (« Crédit Mutuel / CIC »)
    operations: list[Operation]
    start: dt.date | None = None  # first day covered (the file's own period, else its first operation)
    end: dt.date | None = None  # last day covered
    balances: list[tuple[dt.date, int]] = field(default_factory=list)  # (day, balance at the end of that day)

    def __post_init__(self) -> None:
        days = [op.date for op in self.operations]
        if self.start is None and days:
            self.start = min(days)
        if self.end is None and days:
            self.end = max([*days, *(d for d, _ in self.balances)])

    def covers(self, day: dt.date) -> bool:
        """The file lists every operation of ``day`` and of the days around it up to a stated balance."""
        return self.start is not None and self.end is not None and self.start - dt.timedelta(days=1) <= day <= self.end

    def balance_on(self, day: dt.date) -> int | None:
        """The balance at the end of ``day``, from a balance the file states and the operations between them."""
        if not self.covers(day):
            return None
        for when, balance in sorted(self.balances, key=lambda b: (abs((b[0] - day).days), b[0])):
            if when >= day:  # the operations after ``day`` up to the stated balance are taken off
                return balance - sum(op.amount for op in self.operations if day < op.date <= when)
            return balance + sum(op.amount for op in self.operations if when < op.date <= day)
        return None


_CHEQUE_IN_LABEL = re.compile(
    r"\b(?:CHEQUE|CHQ\.?|CH\.)\s*(?:EMIS\s*)?(?:N\s*[°O]?\.?\s*)?0*(\d{3,10})\b", re.IGNORECASE
)
_REMISE = re.compile(r"\bREM(?:ISE)?\b", re.IGNORECASE)


def cheque_in_label(label: str) -> str | None:
    """« CHEQUE 1234567 », « CHQ. N°0001234 » → its number; a « REMISE CHEQUES » (a deposit) has none."""
    if _REMISE.search(label):
        return None
    m = _CHEQUE_IN_LABEL.search(label)
    return m.group(1) if m else None


def cheque_key(number: object) -> str | None:
    """A cheque number as both sides are compared: digits only, without leading zeros."""
    if number is None:
        return None
    digits = "".join(ch for ch in str(number) if ch.isdigit()).lstrip("0")
    return digits or None


def read_statement(path: Path | str, profiles: list[Profile] | None = None) -> Statement:
    """Read one statement file, whatever its format (from its content, not only its name). ``profiles``: the CSV
    layouts to recognise (default: those of ``schemas/banques.toml``)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_STATEMENT_BYTES:
            raise StatementError(f"« {path.name} » est trop gros pour un relevé ({size // 1_000_000} Mo).")
        data = path.read_bytes()
    except OSError as exc:
        from workbook_tools.text import os_error

        raise StatementError(f"« {path.name} » ne peut pas être lu : {os_error(exc)}.") from exc
    try:
        return _read(path, data, profiles)
    except (StatementError, MemoryError):
        raise
    except Exception as exc:  # whatever a damaged file does to a reader, the teacher reads French
        import logging

        logging.getLogger(__name__).debug("statement %s unreadable", path, exc_info=True)
        raise StatementError(
            f"« {path.name} » ne peut pas être lu comme un relevé de banque (le fichier semble abîmé ou n'est pas un "
            "relevé). Téléchargez à nouveau le relevé depuis le site de la banque (OFX, QIF ou CSV), sans l'ouvrir "
            "ni le modifier."
        ) from exc


def _read(path: Path, data: bytes, profiles: list[Profile] | None) -> Statement:
    head = data[:2000].lstrip(b"\xef\xbb\xbf \r\n\t").upper()
    if head.startswith((b"OFXHEADER", b"<?XML", b"<OFX")) or b"<OFX>" in head:
        from workbook_tools.statement.ofx import read_ofx

        return read_ofx(path, data)
    if head.startswith(b"!TYPE") or head.startswith(b"!ACCOUNT") or head.startswith(b"!OPTION"):
        from workbook_tools.statement.qif import read_qif

        return read_qif(path, data)
    if path.suffix.lower() in (".ofx", ".qfx", ".qif"):
        raise StatementError(
            f"« {path.name} » n'est pas un relevé {path.suffix[1:].upper()} lisible (son début ne ressemble pas à ce "
            "format). Téléchargez à nouveau le relevé depuis le site de la banque."
        )
    from workbook_tools.statement.bank_csv import read_csv

    return read_csv(path, data, profiles)


def read_statements(paths: list[Path], profiles: list[Profile] | None = None) -> list[Statement]:
    return [read_statement(p, profiles) for p in paths]


def merged_operations(statements: list[Statement]) -> list[Operation]:
    """Every operation once, in date order, when statements overlap (the same month exported twice, a CSV and an
    OFX of the same weeks): an operation listed n times in one file and m times in another counts max(n, m) times.
    Two really identical operations in one file are both kept."""
    best: dict[tuple[dt.date, int, str, str], list[Operation]] = {}
    for statement in statements:
        counts = Counter(op.key for op in statement.operations)
        for op in statement.operations:
            kept = best.setdefault(op.key, [])
            if len(kept) < counts[op.key]:
                kept.append(op)
    return sorted((op for ops in best.values() for op in ops), key=lambda op: op.key)


def balance_on(statements: list[Statement], day: dt.date) -> tuple[int | None, list[str]]:
    """The balance at the end of ``day`` → (cents or None, French notes when files disagree)."""
    found = [(s.path.name, b) for s in statements if (b := s.balance_on(day)) is not None]
    if not found:
        return None, []
    from workbook_tools.text import euros

    values = {b for _, b in found}
    notes = []
    if len(values) > 1:
        said = ", ".join(f"{name} : {euros(b)}" for name, b in found)
        notes.append(f"Les relevés ne donnent pas le même solde au {day:%d/%m/%Y} ({said}) : le premier est retenu.")
    return found[0][1], notes
