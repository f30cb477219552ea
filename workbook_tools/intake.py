"""Taking a file in: open it as a workbook only once it is known to be safe to.

Before python-calamine parses anything: the size limit, what the bytes really are (zip, OLE, or neither),
a password, a zip bomb (refused from the sizes its directory declares), macros (never run: only reported),
and sheets far larger than a cahier (refused before a grid of billions of cells is built). Damaged sheets
become a finding too. Nothing here reads the books; :mod:`workbook_tools.read` does.
"""

from __future__ import annotations

import contextlib
import functools
import html
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from workbook_tools import layout
from workbook_tools.model import Code, Finding
from workbook_tools.text import count, fold, megabytes, os_error

MAX_FILE_BYTES = 20 * 1024 * 1024  # a cahier is well under 1 MB; configurable by callers
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # zip bombs are refused before unpacking
MAX_RATIO = 200  # unpacked / packed size of one member
MAX_ROWS = 200_000  # rows of one sheet; a cahier has hundreds

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class Unreadable(Exception):
    """The file cannot be read as a cahier; carries the finding that says why."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


@dataclass
class Intake:
    """What was learnt while opening: findings that do not stop the reading, and the Journal's XML (xlsx)."""

    path: Path
    findings: list[Finding] = field(default_factory=list)
    journal_xml: bytes | None = field(default=None, repr=False)


def open_workbook(path: Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[CalamineWorkbook, Intake]:
    """The workbook, opened by python-calamine once the checks above pass. Raises :class:`Unreadable`."""
    intake = Intake(Path(path))
    return _open(intake, max_bytes), intake


def file_finding(code: Code, message: str, value: Any = None) -> Finding:
    return Finding(code, None, None, None, message, value)


def _open(cahier: Intake, max_bytes: int) -> CalamineWorkbook:
    path = cahier.path
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise Unreadable(
            file_finding(Code.FILE_UNREADABLE, f"Le fichier ne peut pas être ouvert : {os_error(exc)}.")
        ) from exc
    if size == 0:
        raise Unreadable(
            file_finding(Code.FILE_UNREADABLE, "Le fichier est vide (0 octet) : enregistrez à nouveau le cahier.")
        )
    if size > max_bytes:
        raise Unreadable(
            file_finding(
                Code.FILE_TOO_LARGE,
                f"Le fichier pèse {megabytes(size)}, au-delà de la limite de {megabytes(max_bytes)}. "
                "Un cahier pèse d'ordinaire moins de 1 Mo : vérifiez qu'il ne contient pas d'images.",
                size,
            )
        )
    if head.startswith(ZIP_MAGIC):
        _check_zip(cahier)
    elif head.startswith(OLE_MAGIC):
        if _ole_encrypted(path):
            raise Unreadable(_password_finding())
    else:
        raise Unreadable(
            file_finding(
                Code.FILE_UNREADABLE,
                "Ce fichier n'est pas un classeur (xlsx, xlsm, xls ou ods) : "
                "enregistrez le cahier depuis Excel ou LibreOffice au format .xlsx.",
            )
        )
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several types for corrupt files
        if "password" in type(exc).__name__.lower():
            raise Unreadable(_password_finding()) from exc
        raise Unreadable(
            file_finding(
                Code.FILE_UNREADABLE,
                f"Le classeur est endommagé et ne peut pas être lu ({type(exc).__name__}). "
                "Ouvrez-le dans Excel ou LibreOffice et enregistrez-le à nouveau.",
            )
        ) from exc


def _password_finding() -> Finding:
    return file_finding(
        Code.FILE_UNREADABLE,
        "Le classeur est protégé par un mot de passe à l'ouverture : enregistrez-le sans mot de passe "
        "(la protection des feuilles, elle, peut rester).",
    )


def _ole_encrypted(path: Path) -> bool:
    """An encrypted xlsx/xlsm (an OLE container) or a .xls with a password to open (msoffcrypto-tool reads the
    FILEPASS record)."""
    data = path.read_bytes()
    if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
        return True
    try:
        import msoffcrypto

        with path.open("rb") as handle:
            return bool(msoffcrypto.OfficeFile(handle).is_encrypted())
    except Exception:  # not an Office file msoffcrypto knows, or damaged: calamine will say
        return False


def _check_zip(cahier: Intake) -> None:
    try:
        with zipfile.ZipFile(cahier.path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Unreadable(
            file_finding(
                Code.FILE_UNREADABLE,
                "Le fichier est tronqué ou endommagé (archive illisible) : enregistrez à nouveau le cahier.",
            )
        ) from exc
    total = sum(i.file_size for i in infos)
    worst = max((i.file_size / max(i.compress_size, 1) for i in infos), default=0)
    if total > MAX_UNPACKED_BYTES or (worst > MAX_RATIO and total > 10 * 1024 * 1024):
        raise Unreadable(
            file_finding(
                Code.FILE_UNREADABLE,
                f"Le fichier se décompresse en {megabytes(total, 0)}, bien plus qu'un cahier : il est refusé sans être ouvert.",
                total,
            )
        )
    names = {i.filename for i in infos}
    if "META-INF/manifest.xml" in names:  # an OpenDocument file saved with a password
        with (
            contextlib.suppress(zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error),
            zipfile.ZipFile(cahier.path) as zf,
        ):
            manifest = zf.open("META-INF/manifest.xml").read(4 * 1024 * 1024)  # bounded: a bomb stays unread
            if b"encryption-data" in manifest:
                raise Unreadable(_password_finding())
    if any(n.lower().endswith("vbaproject.bin") for n in names) or "Basic/" in {n[:6] for n in names}:
        cahier.findings.append(
            file_finding(
                Code.MACROS_IGNORED,
                "Le classeur contient des macros : elles n'ont pas été exécutées et ne le seront jamais. "
                "Enregistrez de préférence au format .xlsx.",
            )
        )
    try:
        with zipfile.ZipFile(cahier.path) as zf:
            _guard_sheets(cahier, zf, names)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error) as exc:
        raise Unreadable(
            file_finding(Code.FILE_UNREADABLE, "Le fichier est tronqué ou endommagé : enregistrez à nouveau le cahier.")
        ) from exc


def sheet_rows(book: CalamineWorkbook, wanted: str) -> list[list[Any]] | None:
    for name in book.sheet_names:
        if fold(name) == fold(wanted):
            try:
                return book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception as exc:  # python-calamine raises XmlError, ZipError… for a damaged sheet
                raise Unreadable(
                    file_finding(
                        Code.FILE_UNREADABLE,
                        f"La feuille « {name} » est endommagée et ne peut pas être lue ({type(exc).__name__}). "
                        "Ouvrez le cahier dans Excel ou LibreOffice et enregistrez-le à nouveau.",
                    )
                ) from exc
    return None


READ_SHEETS = [
    layout.SHEET_JOURNAL,
    layout.SHEET_PARAMS,
    layout.SHEET_ATTENTE,
    layout.SHEET_INVENTAIRE,
    layout.SHEET_SUBVENTIONS,
    layout.SHEET_CAISSE,
]
MAX_COLUMNS = 702  # column ZZ; the template uses about 30
MAX_CELLS = 3_000_000  # rows × columns of the grid python-calamine would build (a 50,000-line Journal: 1.5 M)
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_REF_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*["']([^"']*)["']""")
_CELL_REF = re.compile(rb"^\$?([A-Za-z]{1,4})\$?(\d{1,9})?$")


def sheet_extent(data: bytes) -> tuple[int, int]:
    """(rows, columns) of the grid a reader builds for this sheet XML: the furthest cell, whatever the XML's form
    (rows and cells with or without an ``r`` attribute, in any order, lower-case references, prefixed tags) —
    nothing is built.

    What Excel, LibreOffice and openpyxl write (a ``<dimension>``, every row and cell with ``r`` first) is
    checked at C speed: the dimension is taken at its word only once one regex pass has shown that no tag has
    another form and no cell or row lies beyond it. Anything else gets a tag-by-tag walk that follows implicit
    positions."""
    claimed = _dimension(data)
    if claimed is None or claimed[0] > MAX_ROWS or claimed[1] > MAX_COLUMNS:
        return _walk_extent(data)
    if _PREFIXED_HINT.search(data) and _PREFIXED_TAG.search(data):  # a prefixed tag (rare: checked apart)
        return _walk_extent(data)
    if _odd_or_beyond(*claimed).search(data):  # one pass: another form, or beyond the dimension
        return _walk_extent(data)
    return claimed


_DIMENSION = re.compile(rb'<dimension ref="(?:[A-Z]{1,3}\d{1,9}:)?([A-Z]{1,3})(\d{1,9})"')
_PREFIXED_HINT = re.compile(rb":(?:c|row)[\s/>]")  # what any prefixed cell or row tag holds; fast to look for
_PREFIXED_TAG = re.compile(rb"<[A-Za-z_][\w.-]*:(?:c|row)[\s/>]")


@functools.lru_cache(maxsize=64)
def _odd_or_beyond(rows: int, columns: int) -> re.Pattern[bytes]:
    """One pattern for: a cell or row tag without ``r``, or with ``r`` not first; a lower-case, absolute or odd
    reference; a cell beyond column ``columns`` or row ``rows``; a row tag beyond ``rows``.

    Factored on ``<c`` and ``<row`` and the usual ``<c r="`` tried first: the regex engine stops at every cell of
    the sheet, and this is what it spends there (5,000 lines: ≈ 60,000 cells, 0.55–0.75 of the time of the five
    alternatives this replaced)."""
    past_row = _greater(str(rows).encode(), b"0123456789")
    past_column = _greater(_column_name(columns).encode(), b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return re.compile(
        rb'<c(?: r="(?:(?:' + past_column + rb")\d|[A-Z]{1,3}(?:" + past_row + rb')"|(?![A-Z]{1,3}\d))'
        rb'|>|/>|\s(?!r="))'
        rb'|<row(?: r="(?:(?:' + past_row + rb')"|(?!\d))|>|/>|\s(?!r="))'
    )


def _dimension(data: bytes) -> tuple[int, int] | None:
    found = _DIMENSION.search(data, 0, 4096)  # it comes before sheetData
    return (int(found.group(2)), _column_index(found.group(1))) if found else None


def _greater(word: bytes, alphabet: bytes) -> bytes:
    """A regex for the words over ``alphabet`` (no leading ``alphabet[0]`` for digits) greater than ``word``:
    longer ones, or as long and greater at the first place they differ."""
    first = alphabet[1:] if alphabet[:1] == b"0" else alphabet
    anything = b"[" + alphabet[:1] + b"-" + alphabet[-1:] + b"]"
    options = [b"[" + first[:1] + b"-" + first[-1:] + b"]" + anything + b"{%d,}" % len(word)]
    for i, ch in enumerate(word):
        above = alphabet[alphabet.index(ch) + 1 :]
        if above:
            rest = len(word) - i - 1
            options.append(
                re.escape(word[:i]) + b"[" + above[:1] + b"-" + above[-1:] + b"]" + anything + b"{%d}" % rest
            )
    return b"|".join(options)


def _walk_extent(data: bytes) -> tuple[int, int]:
    max_row = max_col = row = col = 0
    for m in _TAG.finditer(data):
        ref = _REF_ATTR.search(m.group(2))
        if m.group(1) == b"row":
            row = int(ref.group(1)) if ref and ref.group(1).isdigit() else row + 1
            col = 0
        else:
            cell = _CELL_REF.match(ref.group(1)) if ref else None
            if cell:
                col = _column_index(cell.group(1))
                if cell.group(2):
                    row = int(cell.group(2))
            else:
                col += 1
            max_col = max(max_col, col)
        max_row = max(max_row, row)
    return max_row, max_col


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _guard_sheets(cahier: Intake, zf: zipfile.ZipFile, names: set[str]) -> None:
    """Refuse, before python-calamine builds them in memory, sheets far larger than any cahier
    (a value typed in XFD1048576 would make a grid of 17 billion cells). Keeps the Journal's XML
    for the formula-error scan, so it is unpacked once."""
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return
    files = _sheet_files(zf)
    for sheet in READ_SHEETS:
        member = files.get(fold(sheet))
        if member is None or member not in names:
            continue
        data = zf.read(member)
        if sheet == layout.SHEET_JOURNAL:
            cahier.journal_xml = data
        last_row, last_col = sheet_extent(data)
        if last_row > MAX_ROWS or last_col > MAX_COLUMNS or last_row * last_col > MAX_CELLS:
            where = (
                count(last_row, "ligne")
                if last_row > MAX_ROWS
                else "des colonnes au-delà de ZZ"
                if last_col > MAX_COLUMNS
                else f"une cellule remplie en {_column_name(last_col)}{last_row}"
            )
            raise Unreadable(
                file_finding(
                    Code.FILE_UNREADABLE,
                    f"La feuille « {sheet} » est démesurée ({where}) : un cahier en compte quelques centaines. "
                    "Supprimez les lignes ou colonnes remplies par erreur tout en bas ou tout à droite, puis enregistrez.",
                    last_row,
                )
            )


def _column_name(index: int) -> str:
    name = ""
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _sheet_files(zf: zipfile.ZipFile) -> dict[str, str]:
    """Folded sheet name → its XML member, from workbook.xml and its relationships."""
    wb = zf.read("xl/workbook.xml").decode("utf-8", errors="replace")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", errors="replace")
    targets: dict[str, str] = {}
    for m in re.finditer(r"<Relationship\b[^>]*>", rels):
        rid, target = re.search(r'\bId="([^"]*)"', m.group(0)), re.search(r'\bTarget="([^"]*)"', m.group(0))
        if rid and target:
            t = target.group(1).lstrip("/")
            targets[rid.group(1)] = t if t.startswith("xl/") else "xl/" + t
    out: dict[str, str] = {}
    for m in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", wb):
        name = re.search(r'\bname="([^"]*)"', m.group(0))
        rid = re.search(r'\br:id="([^"]*)"', m.group(0))
        if name and rid and rid.group(1) in targets:
            out[fold(html.unescape(name.group(1)))] = targets[rid.group(1)]
    return out
