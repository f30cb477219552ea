"""Ingest: read → check → report → store. The one path that ``cahier ingest`` and the watcher both take.

The bytes are read once; the check runs on a private copy of exactly those bytes, so
what is stored is what was checked, even if the teacher saves again meanwhile.
The teacher-side outputs (``NAME.statut.txt``, ``NAME.rapport.txt``/``.json``/``.xlsx``)
are written here too, next to the file received.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from workbook_tools.files import replace_bytes
from workbook_tools.isolation import Limits, check_isolated
from workbook_tools.model import Report
from workbook_tools.store import (
    ACCEPTED,
    DUPLICATE,
    REFUSED,
    Store,
    StoreUnavailable,
    Version,
    check_coop,
    printable_name,
    safe_filename,
    sha256,
)
from workbook_tools.text import count, date_time

if TYPE_CHECKING:
    from workbook_tools.validate import CheckResult

log = logging.getLogger("cahier.ingest")

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# What the watcher writes next to a teacher's file: never taken for a cahier.
STATUS_SUFFIX = ".statut.txt"
CRF_SUFFIX = ".crf.xlsx"
REPORT_SUFFIXES = (".rapport.txt", ".rapport.json", ".rapport.xlsx")
OUTPUT_SUFFIXES = (
    *(STATUS_SUFFIX, *REPORT_SUFFIXES, CRF_SUFFIX, ".annote.xlsx", ".annote.xlsm"),
    *(".pointe.xlsx", ".pointe.xlsm", ".pointage.txt"),  # the ticked copy and the pointage's report (issue 17)
)
REPORT_FORMATS = ("txt", "json", "xlsx")


def is_own_output(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(OUTPUT_SUFFIXES)


NEXT_TO_FILE = "voir le rapport à côté de ce fichier"  # where the watcher writes it (write_outputs)


@dataclass
class Outcome:
    """What became of one submission."""

    version: Version | None  # the manifest recorded (for a duplicate: the duplicate's own record); None: READY
    original: Version | None  # for a duplicate: the version it repeats
    report: Report
    result: CheckResult | None = None
    repeated: bool = False  # these bytes, under this name and file time, were recorded before (a restart)
    returned: bool = False  # the bytes of an earlier accepted version, which thereby became current again
    answered_at: float | None = None  # time.monotonic() when the status line was written
    filename: str = ""  # the name the file was received under

    @property
    def status(self) -> str:
        return self.version.status if self.version is not None else READY

    @property
    def ready(self) -> bool:
        """A prepared cahier nobody has filled yet (issue 12): answered « prêt à remplir », nothing stored."""
        return self.version is None

    @property
    def accepted(self) -> bool:
        """True when the store now holds this content as an accepted version."""
        if self.status == DUPLICATE:
            return self.original is not None and self.original.accepted
        return self.status == ACCEPTED

    @property
    def stored(self) -> Version:
        """The version holding the content: the original for a duplicate, else the version recorded."""
        if self.version is None:
            raise ValueError("cahier prêt à remplir : rien n'a été archivé")
        return self.original if self.status == DUPLICATE and self.original is not None else self.version

    @property
    def errors(self) -> int:
        return self.report.errors

    @property
    def warnings(self) -> int:
        return self.report.warnings

    def message(self, *, report: str = NEXT_TO_FILE) -> str:
        """The one-line French status a teacher reads; ``report``: where a refusal's report is to be read."""
        if self.version is None:
            return ready_line(self.filename, self.report.exercice)
        return status_line(self.version, self.original, self.errors, self.warnings, returned=self.returned,
                           report=report)  # fmt: skip


READY = "ready"  # Outcome.status of a prepared cahier nobody has filled yet: neither a version nor a refusal


def ready_line(filename: str, exercice: str | None) -> str:
    """The answer to a prepared cahier nobody has filled yet (``continuity.is_untouched``)."""
    which = f"de l'exercice {exercice} " if exercice else ""
    return (
        f"PRÊT À REMPLIR — {printable_name(filename)} reçu le {date_time(datetime.now(UTC))} : le cahier {which}est "
        "prêt et encore vide (aucune ligne au Journal, rien de pointé dans « En attente »). Saisissez vos "
        "opérations : il sera contrôlé et archivé à chaque enregistrement."
    )


def status_line(
    version: Version,
    original: Version | None,
    errors: int,
    warnings: int,
    *,
    returned: bool = False,
    report: str = NEXT_TO_FILE,
) -> str:
    name = version.filename
    when = date_time(version.received_at)
    warn = f", {count(warnings, 'avertissement')}" if warnings else ""
    if version.status == ACCEPTED:
        return f"ACCEPTÉ — {name} reçu le {when} : cahier archivé (version {version.version}){warn}."
    if version.status == REFUSED:
        return (
            f"REFUSÉ — {name} reçu le {when} : {count(errors, 'erreur')} à corriger{warn} ; "
            f"{report}, corrigez et enregistrez à nouveau."
        )
    first = original or version
    if returned:
        return (
            f"ACCEPTÉ — {name} reçu le {when} : retour à la version du {date_time(first.received_at)} "
            f"({first.filename}), identique ; elle redevient la version en cours."
        )
    verdict = "accepté" if first.status == ACCEPTED else "refusé"
    return (
        f"DÉJÀ REÇU — {name} est identique au fichier {first.filename} reçu le {date_time(first.received_at)} "
        f"({verdict}) : rien de nouveau à archiver."
    )


def ingest(
    path: str | os.PathLike[str],
    coop: str,
    store: Store,
    *,
    outputs: Path | None = None,
    max_bytes: int | None = None,
    report_formats: tuple[str, ...] = REPORT_FORMATS,
) -> Outcome:
    """Check one workbook for ``coop`` (the folder's coop decides) and record it in ``store``.

    ``outputs``: a folder where to write the teacher-side status and reports (None: nowhere).
    Raises InvalidName (bad coop id), OSError (file unreadable from disk), StoreUnavailable.
    """
    source = Path(path)
    check_coop(coop)
    mtime = source.stat().st_mtime
    data = source.read_bytes()  # kept whole, even when too large to check: the store keeps what came
    return ingest_bytes(
        data,
        source.name,
        coop,
        store,
        source_mtime=mtime,
        outputs=outputs,
        max_bytes=max_bytes,
        report_formats=report_formats,
    )


def ingest_bytes(
    data: bytes,
    filename: str,
    coop: str,
    store: Store,
    *,
    source_mtime: float | None = None,
    outputs: Path | None = None,
    max_bytes: int | None = None,
    report_formats: tuple[str, ...] = REPORT_FORMATS,
    once: bool = False,
    limits: Limits | None = None,
) -> Outcome:
    """Check ``data`` for ``coop`` and record it in ``store`` (see :func:`ingest`).

    ``limits``: check the file in a worker process under these memory and time limits
    (:mod:`workbook_tools.isolation`; the watcher does), so that no file can stop the caller.

    ``once``: when these bytes were already recorded under this name and file time (a watcher restarted
    after recording them), nothing new is recorded; the teacher's answer is written again only when a part of
    it is missing or older than the file (the watcher was stopped before it had written all of it).
    """
    from workbook_tools.continuity import check as check_continuity
    from workbook_tools.continuity import is_untouched
    from workbook_tools.validate import check_file

    check_coop(coop)
    name = safe_filename(filename)
    recorded = _recorded(store, coop, data, name, source_mtime) if once else None
    if recorded is not None and (
        outputs is None or not _answer_stale(outputs, filename, source_mtime, recorded, report_formats)
    ):
        return Outcome(recorded[0], recorded[1], Report(printable_name(filename)), repeated=True)
    with tempfile.TemporaryDirectory(prefix="cahier-ingest-") as tmp:
        copy = Path(tmp) / name  # a private copy of exactly these bytes: what is stored is what was checked
        copy.write_bytes(data)
        if limits is not None:
            result = check_isolated(copy, expected_coop=coop, max_bytes=max_bytes or DEFAULT_MAX_BYTES, limits=limits)
        else:
            result = check_file(copy, expected_coop=coop, max_bytes=max_bytes or DEFAULT_MAX_BYTES)
        if recorded is None:  # the opening balances against last year's accepted closing ones (issue 12), before
            check_continuity(result, store, coop, say_first=False)  # « prêt à remplir »: a wrong report wins over it
        if recorded is None and is_untouched(result):  # « prêt à remplir »: not judged, not stored (issue 12)
            ready = Outcome(None, None, result.to_report(file=printable_name(filename)), result, filename=filename)
            if outputs is not None:
                write_ready(outputs, filename, ready.message())
                ready.answered_at = time.monotonic()
            return ready
        report = result.to_report(file=printable_name(filename), sha256=sha256(data))
        returned = False
        if recorded is None:
            earlier = store.lookup(coop, report.sha256 or sha256(data))
            if earlier is not None and earlier.accepted:  # sent again: was it still the current version?
                current = store.current(coop, earlier.exercice)
                returned = current is not None and current.version != earlier.version
            version = store.submit(coop, name, data, report, result.journal, source_mtime=source_mtime)
            original = None
            if version.status == DUPLICATE:  # the version looked up above, unless another writer came between
                same = earlier is not None and earlier.version == version.duplicate_of
                original = earlier if same else store.lookup(coop, version.sha256)
            returned = returned and version.status == DUPLICATE
        else:
            version, original = recorded
        outcome = Outcome(version, original, report, result, repeated=recorded is not None, returned=returned,
                          filename=filename)  # fmt: skip
        if outputs is not None:
            write_outputs(outcome, outputs, filename, report_formats=report_formats, store=store)
    return outcome


def _recorded(
    store: Store, coop: str, data: bytes, name: str, mtime: float | None
) -> tuple[Version, Version | None] | None:
    """The record of these bytes under this name and file time, and the version holding them, if any."""
    digest = sha256(data)
    original = store.lookup(coop, digest)
    if original is None or mtime is None:
        return None
    when = datetime.fromtimestamp(mtime, UTC).isoformat()
    for v in store.history(coop):
        if v.sha256 == digest and v.filename == name and v.source_mtime == when:
            return v, (original if v.status == DUPLICATE else None)
    return None


def _answer_stale(
    folder: Path,
    filename: str,
    mtime: float | None,
    recorded: tuple[Version, Version | None],
    report_formats: tuple[str, ...],
) -> bool:
    """True when a part of the answer to this file is missing or older than it: the status, and the workbooks
    :func:`write_outputs` writes after it (the annotated copy when the check found anything, the CRF when the
    content is accepted)."""
    version, original = recorded
    stem = output_stem(filename)
    expected = [status_path(folder, filename)]
    if "xlsx" in report_formats and (version.errors or version.warnings):
        expected.append(folder / f"{stem}.rapport.xlsx")
    if (original or version).status == ACCEPTED:
        expected.append(folder / f"{stem}{CRF_SUFFIX}")
    for path in expected:
        try:
            if mtime is None or path.stat().st_mtime < mtime:
                return True
        except FileNotFoundError:
            return True
    return False


# --------------------------------------------------------------------------- teacher-side outputs


def output_stem(filename: str) -> str:
    """The name the answers to a saved file start with: its stem for a .xlsx (``cahier.statut.txt``), its whole
    name otherwise (``cahier.ods.statut.txt``), so that ``cahier.xlsx`` and ``cahier.ods`` saved side by side
    never share one answer."""
    name = Path(safe_filename(filename))
    return name.stem if name.suffix.lower() == ".xlsx" else name.name


def status_path(folder: Path, filename: str) -> Path:
    return folder / f"{output_stem(filename)}{STATUS_SUFFIX}"


def write_outputs(
    outcome: Outcome,
    folder: Path,
    filename: str,
    *,
    report_formats: tuple[str, ...] = REPORT_FORMATS,
    store: Store | None = None,
) -> list[Path]:
    """The answer next to the teacher's file, replacing that of an earlier save: the text and JSON reports, then
    the status line — as soon as the verdict is known (SPEC §9: within the stability delay + 1 s) — then the
    workbooks, slower to make (about a second): the annotated copy (``rapport.xlsx``) and, for an accepted
    cahier, its CRF. The workbooks of the earlier save are removed before the new status is written, so that
    none is ever read next to it; a watcher stopped before the last one is written answers again at its next
    start (``ingest_bytes(once=True)``)."""
    from workbook_tools.report import to_text

    stem = output_stem(filename)
    written: list[Path] = []
    result = outcome.result
    if result is None:
        written = [write_status(folder, filename, outcome.message())]
        outcome.answered_at = time.monotonic()
        return written
    text_report = folder / f"{stem}.rapport.txt"
    if "txt" in report_formats:
        written.append(replace_bytes(text_report, to_text(result).encode("utf-8")))
    if "json" in report_formats:
        text = json.dumps(outcome.report.to_dict(), ensure_ascii=False, indent=2, default=str) + "\n"
        written.append(replace_bytes(folder / f"{stem}.rapport.json", text.encode("utf-8")))
    annotated_target, crf_target = folder / f"{stem}.rapport.xlsx", folder / f"{stem}{CRF_SUFFIX}"
    for earlier in (annotated_target, crf_target):  # an earlier save's workbook would mislead next to this answer
        with contextlib.suppress(FileNotFoundError):
            earlier.unlink()
    written.append(write_status(folder, filename, outcome.message()))  # the answer, before the slow workbooks
    outcome.answered_at = time.monotonic()
    if "xlsx" in report_formats:
        try:
            annotated = _annotated_bytes(result)
        except Exception as exc:  # an annotated copy never fails the answer: the text report lists everything
            log.warning("copie annotée de %s non faite : %s: %s", filename, type(exc).__name__, exc)
            annotated = None
            if "txt" in report_formats:
                note = (
                    "\nLa copie annotée du cahier (rapport.xlsx) n'a pas pu être faite pour ce classeur "
                    f"({type(exc).__name__}) : les cellules à corriger sont toutes listées ci-dessus.\n"
                )
                replace_bytes(text_report, (to_text(result) + note).encode("utf-8"))
        if annotated is not None:
            written.append(replace_bytes(annotated_target, annotated))
    if outcome.accepted:
        crf = _write_crf(outcome, crf_target, store)
        if crf is not None:
            written.append(crf)
    return written


def _annotated_bytes(result: CheckResult) -> bytes | None:
    """The annotated copy of a checked workbook (None when there is nothing to show)."""
    from workbook_tools.report import annotate

    with tempfile.TemporaryDirectory(prefix="cahier-annote-") as tmp:
        annotated = annotate(result, Path(tmp))
        return annotated.read_bytes() if annotated is not None else None


def _write_crf(outcome: Outcome, target: Path, store: Store | None = None) -> Path | None:
    """The CRF of the version just accepted, from what is in memory, with last year's figures from ``store`` (N−1).
    A CRF that cannot be built never undoes an acceptance: it is logged."""
    from workbook_tools.bilan import build_crf, previous_year
    from workbook_tools.crf import write_crf_workbook

    journal = outcome.result.journal if outcome.result is not None else None
    version = outcome.stored
    precedent = None
    if store is not None and version.exercice:
        try:
            precedent = previous_year(store, version.coop, version.exercice)
        except StoreUnavailable:  # a server fault: no CRF now; the watcher keeps the file and writes it on retry
            raise  # (issue 19: the answer is then stale, see _answer_stale)
        except Exception as exc:  # the CRF is written without its N−1 column rather than not at all
            log.warning("chiffres N−1 de %s non lus : %s: %s", version.coop, type(exc).__name__, exc)
    try:
        if journal is None:
            raise ValueError("pas de journal normalisé")
        return write_crf_workbook(build_crf(journal, outcome.report, version, precedent=precedent), target)
    except Exception as exc:
        log.error("CRF de %s non écrit : %s: %s", version.coop, type(exc).__name__, exc)
        return None


def write_ready(folder: Path, filename: str, line: str) -> Path:
    """The answer « prêt à remplir »: the status alone; the reports and CRF of an earlier save of this name are
    removed, since they would no longer speak of this file."""
    stem = output_stem(filename)
    for suffix in (*REPORT_SUFFIXES, CRF_SUFFIX):
        with contextlib.suppress(FileNotFoundError):
            (folder / f"{stem}{suffix}").unlink()
    return write_status(folder, filename, line)


def write_status(folder: Path, filename: str, line: str) -> Path:
    text = printable_name(line.rstrip("\n")) + "\n"  # a line may quote a name that is not UTF-8
    return replace_bytes(status_path(folder, filename), text.encode("utf-8"))
