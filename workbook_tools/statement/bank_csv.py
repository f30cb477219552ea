"""CSV exports in the bank's own columns, read through a profile (``schemas/banques.toml``).

The file is decoded as UTF-8 when it is (a BOM is dropped), else in the profile's encoding (cp1252, what French
banks write). The header row is the first of the first 40 lines that holds every column of a profile; the most
specific profile wins (the one naming most columns). Below it, a line whose date cell is empty continues the
previous operation's label (Crédit Agricole writes long labels on several lines); a line whose date cell is not a
date (« Total », « Solde au… ») is skipped, as are operations of 0,00 €.

Nothing is lost in silence: any line ending is read (CR alone included), UTF-16 too; what is not a CSV (a PDF, a
zip, binary data) is refused saying what it is; a date cell that looks like a date but is impossible, or a quote
left open (a field on several lines where the profile has no ``libelle_multiligne``, or holding a line that starts
with a date), is a :class:`StatementError` naming the file's line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
from decimal import Decimal
from pathlib import Path

from workbook_tools.statement import Operation, Statement, StatementError, cheque_in_label
from workbook_tools.statement.profiles import Profile, load_profiles
from workbook_tools.text import fold, parse_money_text

HEADER_SEARCH = 40


def decode(data: bytes, fallback: str = "cp1252") -> str:
    """The file's text: UTF-16 when it says so (a BOM, or a NUL byte beside each letter), else UTF-8 (a BOM is
    dropped), else ``fallback``."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if len(data) >= 4 and data[1:40:2].count(0) > 15 and 0 not in data[0:40:2]:
        return data.decode("utf-16-le", errors="replace")
    if len(data) >= 4 and data[0:40:2].count(0) > 15 and 0 not in data[1:40:2]:
        return data.decode("utf-16-be", errors="replace")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode(fallback, errors="replace")


_NOT_TEXT = [  # (how the file starts, what it is, in French)
    (b"%PDF", "un PDF (le relevé à imprimer)"),
    (b"PK\x03\x04", "un fichier compressé ou un classeur (xlsx, ods, zip)"),
    (b"\xd0\xcf\x11\xe0", "un classeur Excel ancien (.xls) ou un document Office"),
    (b"\x89PNG", "une image"),
    (b"\xff\xd8\xff", "une image"),
    (b"<!DOCTYPE", "une page web"),
    (b"<HTML", "une page web"),
]


def _not_text(path: Path, data: bytes, text: str) -> str | None:
    """Why ``data`` is not a CSV text file (French), or None."""
    head = data[:16].lstrip().upper()
    what = next((said for magic, said in _NOT_TEXT if head.startswith(magic.upper())), None)
    if what is None:
        sample = text[:4000]
        odd = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\r\n\t") or ch == "\ufffd")
        if not sample or odd * 20 <= len(sample):
            return None
        what = "un fichier de données illisibles, pas du texte"
    return (
        f"« {path.name} » n'est pas un relevé CSV : c'est {what}. Téléchargez le relevé au format CSV, OFX "
        "(« Money ») ou QIF depuis le site de la banque, et enregistrez-le tel quel."
    )


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
    text = decode(data)
    why = _not_text(path, data, text)
    if why is not None:
        raise StatementError(why)
    found = _recognise(text, profiles)
    if found is None:
        raise UnknownLayout(_unknown(path, text, profiles))
    profile, _ = found
    text = decode(data, profile.encodage)
    rows, lines = _numbered_rows(path, text, profile.separateur)
    h = next(i for i, row in enumerate(rows[:HEADER_SEARCH]) if profile.matches(row))
    index = {fold(cell): j for j, cell in reversed(list(enumerate(rows[h])))}  # first column of a name wins
    _check_fields(path, profile, rows[h + 1 :], lines[h + 1 :])
    operations, balances = _operations(path, profile, rows[h + 1 :], index, lines[h + 1 :])
    balances += _preamble_balance(profile, rows[:h])
    if not operations:
        raise StatementError(f"« {path.name} » ({profile.banque}) ne contient aucune opération.")
    return Statement(path, profile.banque, operations, balances=balances)


class UnknownLayout(StatementError):
    """A CSV whose columns are those of no known bank (the CLI adds how to describe it: ``--profils``)."""


def _rows(text: str, separator: str) -> list[list[str]]:
    """The rows (any line ending: CR LF, LF, or CR alone as some Crédit Agricole exports); [] when the text is not
    CSV in this separator."""
    try:
        return _numbered_rows(Path(), text, separator)[0]
    except StatementError:
        return []


def _numbered_rows(path: Path, text: str, separator: str) -> tuple[list[list[str]], list[int]]:
    """The rows and the number of the line each starts on (a quoted label may span several lines)."""
    rows: list[list[str]] = []
    lines: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        before = 0
        for row in reader:
            rows.append(row)
            lines.append(before + 1)
            before = reader.line_num
    except csv.Error as exc:
        raise StatementError(
            f"« {path.name} », ligne {reader.line_num} : le fichier n'est pas un CSV lisible. Téléchargez à nouveau "
            "le relevé depuis le site de la banque, sans l'ouvrir ni le modifier."
        ) from exc
    return rows, lines


_DATE_LIKE = re.compile(r"^\s*\d{1,4}[/.'-]\d{1,2}[/.'-]\d{2,4}\s*$")
_ROW_START = re.compile(r"(?:\r\n|\r|\n)\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\s*[;,\t]")


def _check_fields(path: Path, profile: Profile, rows: list[list[str]], lines: list[int]) -> None:
    """A quote left open swallows the lines below it into one field: said, never read as one long label. A label
    on several lines inside quotes is normal only for a bank that writes them (``libelle_multiligne``), and even
    there a field holding what looks like the next operation (a new line starting with a date) is a quote left
    open."""
    for row, line in zip(rows, lines, strict=True):
        for cell in row:
            if "\n" not in cell and "\r" not in cell:
                continue
            if profile.libelle_multiligne and not _ROW_START.search(cell):
                continue
            body = cell.rstrip("\r\n")
            span = body.count("\n") + body.count("\r") - body.count("\r\n")
            raise StatementError(
                f"« {path.name} » ({profile.banque}), ligne {line} : un guillemet (\") ouvert n'est pas refermé, "
                f"et les {span} lignes suivantes seraient lues comme un seul libellé. Le fichier a peut-être été "
                "modifié : téléchargez-le à nouveau depuis le site de la banque."
            )


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
    path: Path, profile: Profile, rows: list[list[str]], index: dict[str, int], lines: list[int]
) -> tuple[list[Operation], list[tuple[dt.date, int]]]:
    found: list[tuple[Operation, int | None]] = []
    for line, row in zip(lines, rows, strict=True):
        if not any(cell.strip() for cell in row):
            continue
        written = _cell(row, index, profile.date)
        label = " ".join(" ".join(_cell(row, index, name).split()) for name in profile.libelle).strip()
        if not written:
            if found and label:  # the label goes on below the operation
                op, bal = found[-1]
                more = f"{op.label} {label}"
                found[-1] = (Operation(op.date, op.amount, more, op.cheque or cheque_in_label(more), op.source), bal)
            continue
        day = parse_date(written, profile.format_date)
        if day is None:
            if _DATE_LIKE.match(written):
                raise StatementError(
                    f"« {path.name} » ({profile.banque}), ligne {line} : « {written} » n'est pas une date possible. "
                    "Le fichier a peut-être été modifié : téléchargez-le à nouveau depuis le site de la banque."
                )
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
    seen = (
        ", ".join(f"« {c if len(c) <= 40 else c[:40] + '…'} »" for c in best[:15]) or "aucune (le fichier semble vide)"
    )
    banks = ", ".join(sorted({p.banque for p in profiles}))
    return (
        f"« {path.name} » n'a les colonnes d'aucune banque connue. Colonnes vues : {seen}. Banques connues : {banks}. "
        "Le plus simple : téléchargez le relevé au format OFX (« Money ») sur le site de la banque. Sinon, envoyez "
        "ce fichier au trésorier départemental (ou au support) : il ajoutera le format de cette banque."
    )


PROFILES_HINT = (
    "Vous pouvez aussi décrire ce format dans un fichier de profils (copiez un profil de banques.toml, voir le guide "
    "« Pointer avec le relevé de la banque ») et le donner avec --profils."
)
