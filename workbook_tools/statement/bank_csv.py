"""CSV exports in the bank's own columns, read through a profile (``schemas/banques.toml``).

The file is decoded as UTF-8 when it is (a BOM is dropped), else in the profile's encoding (cp1252, what French
banks write). The header row is the first of the first 40 lines that holds every column of a profile; the most
specific profile wins (the one naming most columns). Below it, a line whose date cell is empty continues the
previous operation's label (Crédit Agricole writes long labels on several lines); a line whose date cell is not a
date (« Total », « Solde au… ») is skipped, as are operations of 0,00 €.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from decimal import Decimal
from pathlib import Path

from workbook_tools.statement import Operation, Statement, StatementError, cheque_in_label
from workbook_tools.statement.profiles import Profile, load_profiles
from workbook_tools.text import fold, parse_money_text

HEADER_SEARCH = 40


def decode(data: bytes, fallback: str = "cp1252") -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode(fallback, errors="replace")


def parse_date(text: str, fmt: str) -> dt.date | None:
    text = text.strip().strip('"').replace("'", "/")  # QIF writes 01/09'26 for 2026
    for f in (fmt, "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, f).date()
        except ValueError:
            continue
    return None


def read_csv(path: Path, data: bytes, profiles: list[Profile] | None = None) -> Statement:
    profiles = profiles if profiles is not None else load_profiles()
    found = _recognise(decode(data), profiles)
    if found is None:
        raise StatementError(_unknown(path, decode(data), profiles))
    profile, _ = found
    text = decode(data, profile.encodage)
    rows = _rows(text, profile.separateur)
    h = next(i for i, row in enumerate(rows[:HEADER_SEARCH]) if profile.matches(row))
    index = {fold(cell): j for j, cell in reversed(list(enumerate(rows[h])))}  # first column of a name wins
    operations, balances = _operations(path, profile, rows[h + 1 :], index, h + 2)
    balances += _preamble_balance(profile, rows[:h])
    if not operations:
        raise StatementError(f"« {path.name} » ({profile.banque}) ne contient aucune opération.")
    return Statement(path, profile.banque, operations, balances=balances)


def _rows(text: str, separator: str) -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(text), delimiter=separator)]


def _recognise(text: str, profiles: list[Profile]) -> tuple[Profile, int] | None:
    """The most specific profile whose columns are all in one of the first lines → (profile, header index)."""
    best: tuple[Profile, int] | None = None
    by_separator: dict[str, list[list[str]]] = {}
    for profile in profiles:
        rows = by_separator.setdefault(profile.separateur, _rows(text, profile.separateur)[:HEADER_SEARCH])
        for i, row in enumerate(rows):
            if profile.matches(row) and (best is None or len(profile.columns) > len(best[0].columns)):
                best = (profile, i)
                break
    return best


def _cell(row: list[str], index: dict[str, int], name: str | None) -> str:
    if name is None:
        return ""
    j = index[fold(name)]
    return row[j].strip() if j < len(row) else ""


def _money(path: Path, profile: Profile, text: str, line: int, column: str) -> int | None:
    text = text.strip().strip('"')
    if not text:
        return None
    if profile.decimale == "." and "," in text and "." not in text:  # « 1,234 » in a dot-decimal file: thousands
        text = text.replace(",", "")
    amount = parse_money_text(text)
    if amount is None or amount != amount.quantize(Decimal("0.01")):
        raise StatementError(
            f"« {path.name} » ({profile.banque}), ligne {line}, colonne « {column} » : « {text} » n'est pas un "
            "montant. Le fichier a peut-être été modifié : téléchargez-le à nouveau depuis le site de la banque."
        )
    return int(amount * 100)


def _operations(
    path: Path, profile: Profile, rows: list[list[str]], index: dict[str, int], first_line: int
) -> tuple[list[Operation], list[tuple[dt.date, int]]]:
    found: list[tuple[Operation, int | None]] = []
    for line, row in enumerate(rows, start=first_line):
        if not any(cell.strip() for cell in row):
            continue
        written = _cell(row, index, profile.date)
        label = " ".join(x for x in (_cell(row, index, name) for name in profile.libelle) if x)
        if not written:
            if found and label:  # the label goes on below the operation
                op, bal = found[-1]
                more = f"{op.label} {label}"
                found[-1] = (Operation(op.date, op.amount, more, op.cheque or cheque_in_label(more), op.source), bal)
            continue
        day = parse_date(written, profile.format_date)
        if day is None:
            continue  # « Total », « Solde au … », a second header
        if profile.montant:
            amount = _money(path, profile, _cell(row, index, profile.montant), line, profile.montant) or 0
        else:
            assert profile.debit is not None and profile.credit is not None
            out = _money(path, profile, _cell(row, index, profile.debit), line, profile.debit)
            into = _money(path, profile, _cell(row, index, profile.credit), line, profile.credit)
            amount = (abs(into) if into else 0) - (abs(out) if out else 0)
        balance = (
            _money(path, profile, _cell(row, index, profile.solde), line, profile.solde) if profile.solde else None
        )
        if amount == 0:
            continue
        number = _cell(row, index, profile.cheque) if profile.cheque else ""
        cheque = number if number.isdigit() else cheque_in_label(label)
        found.append((Operation(day, amount, label, cheque, path.name), balance))
    return [op for op, _ in found], _running_balances(found)


def _running_balances(found: list[tuple[Operation, int | None]]) -> list[tuple[dt.date, int]]:
    """The balance at the end of each day from a « Solde » column, when it agrees with the amounts (the file may
    list the newest line first or last); none when it does not add up."""
    rows = [(op, b) for op, b in found if b is not None]
    if len(rows) != len(found) or not rows:
        return []
    if rows[0][0].date > rows[-1][0].date:
        rows.reverse()
    end_of_day: dict[dt.date, int] = {}
    for op, balance in rows:
        assert balance is not None
        end_of_day[op.date] = balance
    days = sorted(end_of_day)
    for before, after in itertools.pairwise(days):
        moved = sum(op.amount for op, _ in rows if before < op.date <= after)
        if end_of_day[after] - end_of_day[before] != moved:
            return []
    return [(d, end_of_day[d]) for d in days]


def _preamble_balance(profile: Profile, rows: list[list[str]]) -> list[tuple[dt.date, int]]:
    """« Solde (EUROS) ;1234,56 » above the header, on the day of « Date ;12/07/2026 »."""
    if not profile.entete_solde:
        return []
    values = {fold(row[0]).rstrip(" :"): next((c for c in row[1:] if c.strip()), "") for row in rows if row}
    amount = parse_money_text(values.get(fold(profile.entete_solde), ""))
    day = parse_date(values.get(fold(profile.entete_date or ""), ""), profile.format_date)
    if amount is None or day is None:
        return []
    return [(day, int(amount * 100))]


def _unknown(path: Path, text: str, profiles: list[Profile]) -> str:
    """« no known bank » in French: the columns seen, the banks known, how to add one."""
    best: list[str] = []
    for sep in (";", ",", "\t"):
        for row in _rows(text, sep)[:HEADER_SEARCH]:
            cells = [c.strip() for c in row if c.strip()]
            if len(cells) > len(best) and not any(parse_date(c, "%d/%m/%Y") for c in cells):
                best = cells
    seen = ", ".join(f"« {c} »" for c in best[:15]) or "aucune (le fichier semble vide)"
    banks = ", ".join(sorted({p.banque for p in profiles}))
    return (
        f"« {path.name} » n'a les colonnes d'aucune banque connue. Colonnes vues : {seen}. Banques connues : {banks}. "
        "Le plus simple : téléchargez le relevé au format OFX (« Money ») sur le site de la banque. Sinon, décrivez "
        "ce format dans un fichier de profils (copiez un profil de banques.toml, voir le guide « Pointer avec le "
        "relevé de la banque ») et donnez-le avec --profils."
    )
