"""QIF (Quicken Interchange Format), which some French banks still offer beside OFX.

A ``!Type:Bank`` section of records ended by ``^``: ``D`` the date (jj/mm/aaaa or jj/mm/aa as French banks
write it), ``T`` (or ``U``) the signed amount, ``P`` the payee, ``M`` a memo, ``N`` the cheque number. QIF states
no balance: a QIF statement ticks lines but never fills the balance at 31 August.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from workbook_tools.statement import Operation, Statement, StatementError, cheque_in_label
from workbook_tools.statement.bank_csv import decode, parse_date
from workbook_tools.text import parse_money_text


def read_qif(path: Path, data: bytes) -> Statement:
    text = decode(data)
    operations: list[Operation] = []
    record: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("!"):
            continue
        if line.startswith("^"):
            if record:
                operations.append(_operation(path, record, number))
            record = {}
            continue
        record.setdefault(line[0].upper(), line[1:].strip())
    if record.get("D"):
        operations.append(_operation(path, record, len(text.splitlines())))
    if not operations:
        raise StatementError(f"« {path.name} » est un fichier QIF sans opération.")
    return Statement(path, "QIF", operations)


def _operation(path: Path, record: dict[str, str], line: int) -> Operation:
    day: dt.date | None = parse_date(record.get("D", ""), "%d/%m/%Y")
    amount = parse_money_text(record.get("T", record.get("U", "")))
    if day is None or amount is None or amount != amount.quantize(amount.__class__("0.01")):
        raise StatementError(
            f"« {path.name} », opération finissant ligne {line} : date « {record.get('D', '')} » ou montant "
            f"« {record.get('T', '')} » illisible. Téléchargez à nouveau le relevé depuis le site de la banque."
        )
    label = " ".join(x for x in (record.get("P", ""), record.get("M", "")) if x)
    number = record.get("N", "")
    cheque = number if number.strip().isdigit() else cheque_in_label(label)
    return Operation(day, int(amount * 100), label, cheque, path.name)
