"""OFX (« format Money », « OFX » in the banks' download pages), read with ofxtools.

French banks export OFX 1.0.2 (SGML, ``CHARSET:1252``) or OFX 2 (XML). Each ``STMTTRN`` gives the date
(``DTPOSTED``), the signed amount (``TRNAMT``), the label (``NAME`` and ``MEMO``) and for a cheque its number
(``CHECKNUM``); ``LEDGERBAL`` the balance at ``DTASOF``; ``BANKTRANLIST`` the period (``DTSTART``–``DTEND``).
Dates are taken as the bank wrote them: the time and the time zone are dropped before parsing (ofxtools would
convert « 20260901000000[+2:CEST] » to 31 August in UTC).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

from workbook_tools.statement import Operation, Statement, StatementError, cheque_in_label

_DT_FIELD = re.compile(rb"(<DT[A-Z]+>\s*)(\d{8})[^<\r\n]*")


def read_ofx(path: Path, data: bytes) -> Statement:
    from ofxtools.Parser import OFXTree

    tree = OFXTree()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ofxtools warns on labels over 32 characters: banks write them
            tree.parse(io.BytesIO(_DT_FIELD.sub(rb"\1\2", data)))
            ofx = tree.convert()
    except Exception as exc:  # ofxtools raises many kinds (ParseError, ValueError, KeyError…) for a bad file
        import logging

        logging.getLogger(__name__).debug("OFX %s unreadable", path, exc_info=True)
        raise StatementError(
            f"« {path.name} » n'est pas un fichier OFX lisible. Téléchargez à nouveau le "
            "relevé au format OFX (« Money ») depuis le site de la banque, sans l'ouvrir ni le modifier."
        ) from exc
    statements = list(getattr(ofx, "statements", []) or [])
    if not statements:
        raise StatementError(f"« {path.name} » est un fichier OFX sans relevé de compte (aucune opération).")
    operations: list[Operation] = []
    balances: list[tuple[dt.date, int]] = []
    starts: list[dt.date] = []
    ends: list[dt.date] = []
    try:
        for stmt in statements:
            tranlist = getattr(stmt, "banktranlist", None)
            if tranlist is not None:
                starts += [_day(tranlist.dtstart)] if tranlist.dtstart else []
                ends += [_day(tranlist.dtend)] if tranlist.dtend else []
                operations += [_operation(tr, path.name) for tr in tranlist]
            ledger = getattr(stmt, "ledgerbal", None)
            if ledger is not None and ledger.balamt is not None and ledger.dtasof is not None:
                balances.append((_day(ledger.dtasof), _cents(ledger.balamt)))
    except StatementError as exc:
        raise StatementError(f"« {path.name} » : {exc}") from exc
    if balances:
        ends.append(max(d for d, _ in balances))
    return Statement(
        path,
        "OFX",
        operations,
        start=min(starts) if starts else None,
        end=max(ends) if ends else None,
        balances=balances,
    )


def _operation(tr: Any, source: str) -> Operation:
    name, memo = (str(x).strip() if x else "" for x in (tr.name, getattr(tr, "memo", None)))
    label = memo if memo.startswith(name) else " ".join(x for x in (name, memo) if x)  # NAME is often MEMO cut short
    number = getattr(tr, "checknum", None)
    return Operation(
        _day(tr.dtposted), _cents(tr.trnamt), label, str(number) if number else cheque_in_label(label), source
    )


def _day(value: dt.datetime | dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _cents(amount: Decimal) -> int:
    cents = Decimal(amount) * 100
    if cents != cents.to_integral_value():
        raise StatementError(
            f"un montant a plus de deux décimales ({amount}). Téléchargez à nouveau le relevé depuis le site de la "
            "banque, sans l'ouvrir ni le modifier."
        )
    return int(cents)
