"""What a bank would export for a sample book (:mod:`workbook_tools.sample`): the statement lines of its bank lines,
each on the day it clears, labelled the way banks label them, written as OFX, QIF or CSV in a bank's layout.

Used by the tests, the guide's pictures and the demo, so that all of them tick real cahiers with real files.
Deterministic for a seed. A cheque written in the cahier clears 3 to 40 days later (those written after 20 June
one in two in September, the others never within the statement), a deposit of cheques or cash and a transfer within 3 days.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass, field
from decimal import Decimal

from workbook_tools.fill import Book, Line
from workbook_tools.statement import Operation
from workbook_tools.statement.profiles import Profile


@dataclass
class BankExport:
    operations: list[Operation]
    start: dt.date
    end: dt.date
    opening: int  # the balance the day before ``start``
    rows: dict[int, Operation] = field(default_factory=dict)  # index of the book's line → its operation

    def balance_at(self, day: dt.date) -> int:
        return self.opening + sum(op.amount for op in self.operations if op.date <= day)

    @property
    def closing(self) -> int:
        return self.balance_at(self.end)


def _cents(value: object) -> int:
    return 0 if value is None else int(Decimal(str(value)) * 100)


def bank_label(line: Line) -> str:
    text = (line.libelle or "").upper()
    incoming = line.banque_recette is not None
    if line.mode == "CHQ" and not incoming:
        return f"CHEQUE {line.cheque}"
    if line.mode == "CHQ":
        return f"REMISE CHEQUES {text[:20]}"
    if line.mode == "ESP":
        return "VERSEMENT ESPECES"
    if line.mode == "CB":
        return f"PAIEMENT CB {text[:24]}"
    if line.mode == "PRLV":
        return f"PRLV SEPA {text[:24]}"
    return f"VIR SEPA {text[:28]}" if incoming else f"VIR SEPA EMIS {text[:24]}"


def bank_export(
    book: Book, *, seed: int = 1, until: dt.date | None = None, extra: list[Operation] | None = None
) -> BankExport:
    """The statement of ``book``'s bank lines, from 1 September to ``until`` (default: 15 September after the
    exercice), with ``extra`` lines the cahier lacks (bank fees…)."""
    rng = random.Random(seed)
    y = int(str(book.params["exercice"])[:4])
    start, end = dt.date(y, 9, 1), until or dt.date(y + 1, 9, 15)
    ops: list[Operation] = []
    rows: dict[int, Operation] = {}
    late = 0
    for i, line in enumerate(book.lines):
        amount = _cents(line.banque_recette) - _cents(line.banque_depense)
        if amount == 0 or not isinstance(line.date, dt.date):
            continue
        if line.mode == "CHQ" and amount < 0 and line.date >= dt.date(y + 1, 6, 20):
            late += 1  # the cheques of late June: one cleared in September, the next not yet, and so on
            if late % 2 == 0:
                continue
            delay = (dt.date(y + 1, 9, 1) - line.date).days + rng.randint(1, 10)
        elif line.mode == "CHQ" and amount < 0:
            delay = rng.randint(3, 40)
        else:
            delay = rng.randint(0, 3)
        when = line.date + dt.timedelta(days=delay)
        if when > end:
            continue  # not yet cleared when the statement was downloaded
        cheque = line.cheque if line.mode == "CHQ" and amount < 0 else None
        op = Operation(when, amount, bank_label(line), cheque)
        ops.append(op)
        rows[i] = op
    ops += extra or []
    ops.sort(key=lambda op: op.key)
    opening = _cents(book.params.get("report_banque"))
    return BankExport(ops, start, end, opening, rows)


# --------------------------------------------------------------------------- writers


def _amount(cents: int, comma: bool = True, sign: bool = True) -> str:
    value = f"{abs(cents) // 100}.{abs(cents) % 100:02d}"
    if comma:
        value = value.replace(".", ",")
    return ("-" if cents < 0 and sign else "") + value


def to_ofx(export: BankExport) -> bytes:
    """OFX 1.0.2 in SGML, CHARSET 1252, as French banks write it (« format Money »)."""
    trns = []
    for n, op in enumerate(export.operations, start=1):
        kind = "CHECK" if op.cheque else ("CREDIT" if op.amount > 0 else "DEBIT")
        num = f"<CHECKNUM>{op.cheque}\r\n" if op.cheque else ""
        trns.append(
            f"<STMTTRN>\r\n<TRNTYPE>{kind}\r\n<DTPOSTED>{op.date:%Y%m%d}\r\n<DTUSER>{op.date:%Y%m%d}\r\n"
            f"<TRNAMT>{_amount(op.amount, comma=False)}\r\n<FITID>{op.date:%Y%m%d}{n:05d}\r\n{num}"
            f"<NAME>{op.label[:32]}\r\n<MEMO>{op.label}\r\n</STMTTRN>\r\n"
        )
    text = (
        "OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nSECURITY:NONE\r\nENCODING:USASCII\r\nCHARSET:1252\r\n"
        "COMPRESSION:NONE\r\nOLDFILEUID:NONE\r\nNEWFILEUID:NONE\r\n\r\n<OFX>\r\n<SIGNONMSGSRSV1>\r\n<SONRS>\r\n"
        "<STATUS>\r\n<CODE>0\r\n<SEVERITY>INFO\r\n</STATUS>\r\n"
        f"<DTSERVER>{export.end:%Y%m%d}120000\r\n<LANGUAGE>FRA\r\n</SONRS>\r\n</SIGNONMSGSRSV1>\r\n"
        "<BANKMSGSRSV1>\r\n<STMTTRNRS>\r\n<TRNUID>00000000\r\n<STATUS>\r\n<CODE>0\r\n<SEVERITY>INFO\r\n</STATUS>\r\n"
        "<STMTRS>\r\n<CURDEF>EUR\r\n<BANKACCTFROM>\r\n<BANKID>15589\r\n<BRANCHID>69001\r\n<ACCTID>00012345678\r\n"
        "<ACCTTYPE>CHECKING\r\n</BANKACCTFROM>\r\n<BANKTRANLIST>\r\n"
        f"<DTSTART>{export.start:%Y%m%d}\r\n<DTEND>{export.end:%Y%m%d}\r\n"
        + "".join(trns)
        + "</BANKTRANLIST>\r\n<LEDGERBAL>\r\n"
        f"<BALAMT>{_amount(export.closing, comma=False)}\r\n<DTASOF>{export.end:%Y%m%d}\r\n"
        "</LEDGERBAL>\r\n</STMTRS>\r\n</STMTTRNRS>\r\n</BANKMSGSRSV1>\r\n</OFX>\r\n"
    )
    return text.encode("cp1252", errors="replace")


def to_qif(export: BankExport) -> bytes:
    out = ["!Type:Bank"]
    for op in export.operations:
        out += [f"D{op.date:%d/%m/%Y}", f"T{_amount(op.amount, comma=False)}", f"P{op.label}"]
        out += [f"N{op.cheque}"] if op.cheque else []
        out.append("^")
    return ("\r\n".join(out) + "\r\n").encode("cp1252", errors="replace")


def to_csv(export: BankExport, profile: Profile, *, newest_first: bool = True, encoding: str | None = None) -> bytes:
    """The export in ``profile``'s layout: its columns in the order it names them, its separator, date format
    and decimal separator, its preamble balance, the « Solde » column when it has one, newest line first as the
    banks' sites list them."""
    sep = profile.separateur
    comma = profile.decimale == ","
    header = [profile.date, *profile.libelle]
    header += [profile.montant] if profile.montant else [profile.debit or "", profile.credit or ""]
    header += [profile.solde] if profile.solde else []
    header += [profile.cheque] if profile.cheque else []
    header += [c for c in profile.autres if c not in header]
    lines: list[list[str]] = []
    if profile.entete_solde:
        lines += [["Numéro Compte", "0123456X020"], [profile.entete_date or "Date", f"{export.end:%d/%m/%Y}"]]
        lines += [[profile.entete_solde, _amount(export.closing, comma)], []]
    lines.append(header)
    running = export.opening
    rows = []
    for op in export.operations:
        running += op.amount
        cells = {profile.date: op.date.strftime(profile.format_date), profile.libelle[0]: op.label}
        if profile.montant:
            cells[profile.montant] = _amount(op.amount, comma)
        elif op.amount < 0:
            cells[profile.debit or ""] = _amount(op.amount, comma)  # written negative, as Crédit Mutuel does
        else:
            cells[profile.credit or ""] = _amount(op.amount, comma)
        if profile.solde:
            cells[profile.solde] = _amount(running, comma)
        for name in profile.autres:
            cells.setdefault(name, op.date.strftime(profile.format_date) if "date" in name.lower() else "")
        rows.append([cells.get(h, "") for h in header])
    lines += reversed(rows) if newest_first else rows
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="\r\n").writerows(lines)
    return out.getvalue().encode(encoding or profile.encodage, errors="replace")
