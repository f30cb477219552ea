"""What a file's name says to the watcher: a cahier to check, a file to ignore, a conflict copy, a file saved
in the wrong place or in a format the service does not read — and the answers written for the last three.

Pure functions of names (no I/O), so that every pattern is tested as a table (``tests/test_watcher.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from workbook_tools.files import is_temporary
from workbook_tools.ingest import is_own_output
from workbook_tools.statement import is_statement_name
from workbook_tools.store import COOP_PATTERN

WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
ZIP_EXTENSIONS = (".xlsx", ".xlsm", ".ods")
TEMP_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".swp", ".bak", ".lock", ".lck")
EXCEL_TEMP = re.compile(r"[0-9A-F]{8}")  # Excel writes its new file under 8 hex digits, no extension
CONFLICT_PATTERNS = [
    re.compile(r"\((?:[^()]*\s)?(?:conflicted copy|copie en conflit|conflit|case conflict)\b", re.IGNORECASE),
    re.compile(r"_conflict-\d{8}-\d{6}", re.IGNORECASE),  # ownCloud / old Nextcloud
    re.compile(r"\.sync-conflict-\d{8}-\d{6}", re.IGNORECASE),  # Syncthing
    re.compile(r"\(SFConflict ", re.IGNORECASE),  # Seafile
]
# OneDrive keeps both sides of a conflict as NAME-COMPUTERNAME.xlsx, next to NAME.xlsx. Only Windows' default
# computer names are recognised (DESKTOP-/LAPTOP- + 7 characters, WIN- + up to 11): a hyphen and capitals alone
# (« cahier-SEPT2025.xlsx ») are a teacher's name for a monthly save, never a conflict.
ONEDRIVE_HOST = re.compile(r"-((?:DESKTOP|LAPTOP)-[A-Z0-9]{7}|WIN-[A-Z0-9]{8,11})$")


OWN_FILE = "fichier écrit par le service (statut, rapport, CRF, ou leur fichier temporaire)"


@dataclass(frozen=True)
class Decision:
    action: str  # "ingest", "ignore", "conflict", "misplaced", "unsupported", "statement"
    reason: str = ""
    coop: str | None = None


SPREADSHEET_ELSEWISE = (".xlsb", ".csv", ".tsv", ".numbers", ".xlt", ".xltx", ".xltm", ".ots", ".fods")
_NAMED_FOLDER = re.compile(r"^(\d+)\s*[-–_ ]+\s*[^\d\s].*$")  # « 69004 - École Jules Ferry »


LOCK_NAME = ".cahier-watch.lock"  # hidden: never taken for a cahier, never synced as one
_NOT_A_CAHIER: list[tuple[str, Callable[[str, str], bool]]] = [
    ("fichier propriétaire d'Excel (~$)", lambda name, _: name.startswith("~$")),
    ("verrou de LibreOffice", lambda name, _: name.startswith(".~lock.")),
    ("fichier caché (temporaire d'un logiciel de synchronisation ?)", lambda name, _: name.startswith(".")),
    (
        "fichier temporaire",
        lambda name, lower: (
            lower.endswith(TEMP_SUFFIXES) or lower.endswith("~") or ".~" in name or name.startswith("~")
        ),
    ),
]


def folder_coop(folder: str) -> str | None:
    """The coop a folder of INBOX belongs to: its name when it is a coop number, the number when a name follows
    it (« 69004 - École Jules Ferry » → 69004); None otherwise. Leading zeros are matched by the store
    (``069003`` and ``69003`` are one cooperative, kept under the first form it saw)."""
    named = _NAMED_FOLDER.match(folder.strip())
    if named:
        return named.group(1)
    return folder if COOP_PATTERN.fullmatch(folder) else None


def classify(path: Path, inbox: Path, siblings: Iterable[str] | None = None) -> Decision:
    """What to do with a file under INBOX (pure: looks only at names)."""
    try:
        rel = path.relative_to(inbox)
    except ValueError:
        return Decision("ignore", "hors du dossier surveillé")
    name = rel.parts[-1]
    lower = name.lower()
    suffix = Path(lower).suffix
    if is_own_output(name) or is_temporary(name) or name == LOCK_NAME:
        return Decision("ignore", OWN_FILE)
    for reason, matches in _NOT_A_CAHIER:
        if matches(name, lower):
            return Decision("ignore", reason, folder_coop(rel.parts[0]) if len(rel.parts) == 2 else None)
    coop = folder_coop(rel.parts[0]) if len(rel.parts) == 2 else None
    if coop is None:
        if len(rel.parts) <= 2 and suffix in WORKBOOK_EXTENSIONS:  # a cahier saved in the wrong place
            return Decision("misplaced", "classeur hors d'un dossier de coopérative")
        where = "à la racine du dossier surveillé" if len(rel.parts) == 1 else "dans un sous-dossier"
        return Decision("ignore", f"fichier {where} (attendu : DOSSIER_COOP/fichier)")
    folder = coop
    if not suffix and EXCEL_TEMP.fullmatch(name):
        return Decision("ignore", "fichier temporaire d'Excel", folder)
    if is_statement_name(name):  # issue 17: a bank statement saved next to the cahier ticks it
        return Decision("statement", coop=folder)
    if suffix in SPREADSHEET_ELSEWISE:
        return Decision("unsupported", f"format {suffix} non pris en charge", folder)
    if suffix not in WORKBOOK_EXTENSIONS:
        return Decision("ignore", "pas un classeur (.xlsx, .xlsm, .xls, .ods)", folder)
    if any(p.search(name) for p in CONFLICT_PATTERNS):
        return Decision("conflict", "copie en conflit du logiciel de synchronisation", folder)
    stem = Path(name).stem
    host = ONEDRIVE_HOST.search(stem)
    if host and siblings is not None:
        base = stem[: host.start()]
        if any(Path(s).stem == base and Path(s).suffix.lower() == suffix for s in siblings):
            return Decision("conflict", f"copie en conflit de OneDrive (poste {host.group(1)})", folder)
    return Decision("ingest", coop=folder)


def misplaced_status(name: str) -> str:
    return (
        f"PAS PRIS EN COMPTE — « {name} » n'est pas dans le dossier d'une coopérative : enregistrez le cahier dans "
        "le dossier de votre coopérative, celui qui porte son numéro (par exemple 69004 ou « 69004 - École … »)."
    )


def unsupported_status(name: str) -> str:
    return (
        f"FORMAT NON PRIS EN CHARGE — « {name} » n'est pas enregistré dans un format que le service lit : "
        "dans Excel ou LibreOffice, « Enregistrer sous » et choisissez « Classeur Excel (.xlsx) », puis "
        "supprimez ce fichier-ci."
    )


def conflict_status(name: str) -> str:
    return (
        f"COPIE EN CONFLIT — « {name} » a été créé par le logiciel de synchronisation parce que le cahier a été "
        "modifié à deux endroits à la fois : il n'est pas pris en compte. Reportez vos changements dans le cahier "
        "principal, enregistrez-le, puis supprimez cette copie."
    )
