"""Names from outside made safe for the store: coop ids, file names, version ids and content hashes."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime

from workbook_tools.store.errors import InvalidName

COOP_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
VERSION_PATTERN = re.compile(r"\d{8}T\d{6}_\d{6}Z-[0-9a-f]{6}")
SHA_PATTERN = re.compile(r"[0-9a-f]{64}")
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,10}$")
MAX_NAME_BYTES = 200
SAFE_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".ods", ".xltx", ".csv", ".pdf", ".zip", ".bin"}


def check_coop(coop: str) -> str:
    """The coop id if it is safe to use as a folder name, else InvalidName."""
    if not isinstance(coop, str) or not COOP_PATTERN.fullmatch(coop):
        raise InvalidName(
            f"Numéro de coopérative invalide : {coop!r} (chiffres, lettres, « - » et « _ » seulement, "
            "64 caractères au plus)."
        )
    return coop


def safe_filename(name: str) -> str:
    """A file name from outside reduced to a harmless basename: no folders, no control or invisible
    characters, not hidden, at most 200 bytes of UTF-8 (room for a suffix such as ``.rapport.xlsx``
    within the 255 bytes of a file name), its extension kept."""
    base = re.split(r"[/\\]", str(name))[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*').strip()
    match = _SUFFIX.search(base)
    suffix = match.group() if match else ""
    stem = base[: len(base) - len(suffix)].lstrip(". ").rstrip()
    if not stem:
        stem = "cahier"
    room = MAX_NAME_BYTES - len(suffix.encode("utf-8"))
    stem = stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip() or "cahier"
    return stem + suffix


def printable_name(name: str) -> str:
    """A name read from disk as text that can be written out: bytes that were not UTF-8 become « � »."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def new_version_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return now.strftime("%Y%m%dT%H%M%S_%fZ") + "-" + secrets.token_hex(3)


def coop_key(coop: str) -> str:
    """How coop numbers are matched: ``069001`` = ``69001`` (a spreadsheet or a folder name drops or adds leading
    zeros); other ids ignore case."""
    c = coop.strip()
    return str(int(c)) if c.isdigit() else c.upper()
