"""The watcher: folder events → ``workbook_tools.ingest``, nothing else.

INBOX holds one folder per cooperative, named by its coop number. Every workbook that
appears in it is a submission of that cooperative's cahier, once it has stopped changing
for ``stability_delay`` seconds and opens cleanly. Temporary, lock and conflict files of
Excel, LibreOffice and sync clients are never ingested; conflict copies get a status line.

Robustness rules:
* one bad file never stops the loop (per-file trap, logged);
* the store unreachable → nothing is dropped: the files stay pending and the whole queue
  waits (exponential back-off), so versions keep their order; so for every server fault (a 403, a lock,
  a full server, a missing store folder: :mod:`workbook_tools.store.faults`), never « enregistrez à nouveau »;
* at start-up (and every ``rescan_interval``) the folders are scanned, files taken in
  modification-time order; what the store already holds (same bytes, name and mtime) is
  not ingested again;
* SIGTERM (``stop()``) ends the loop after the file in hand.

What it logs is for the departmental treasurer: at INFO, one line per cahier answered (the answer, the
cooperative's folder and file, the seconds since the save), plus start and stop; warnings and errors when
something needs them. The decisions (a file seen, ignored and why, not yet readable, the outbox rebuilt) are
DEBUG (``cahier watch -v``); the watcher's own temporary and output files are never mentioned.

Latency (SPEC §9: the status within the stability delay + 1 s): the loop wakes up when the first pending file
becomes due rather than on a fixed tick; the heavy modules are imported before the first scan; a due file goes
before the outbox's rebuild; and :mod:`workbook_tools.ingest` writes the status as soon as the verdict and the
text report are there, before the workbooks (annotated copy, CRF).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbook_tools.ingest import Outcome, ingest_bytes, status_path, write_status
from workbook_tools.isolation import Limits
from workbook_tools.store import (
    ACCEPTED,
    DUPLICATE,
    REFUSED,
    Store,
    StoreError,
    StoreRefused,
    StoreUnavailable,
)
from workbook_tools.text import count, duration, findings, os_error, warnings
from workbook_tools.watcher.config import WatchConfig
from workbook_tools.watcher.names import (
    LOCK_NAME,
    OWN_FILE,
    ZIP_EXTENSIONS,
    Decision,
    classify,
    conflict_status,
    misplaced_status,
    unsupported_status,
)

log = logging.getLogger("cahier.watch")

# --------------------------------------------------------------------------- the watcher


def _server_faults() -> tuple[type[BaseException], ...]:
    """A storage server's faults that are neither a store error nor an OSError (httpx, webdav4): never the file's
    fault, so never « enregistrez à nouveau »."""
    from workbook_tools.store.faults import fault_errors

    return tuple(e for e in fault_errors() if not issubclass(e, OSError))


def _retried() -> tuple[type[BaseException], ...]:
    return (StoreUnavailable, *_server_faults())


@dataclass
class _Pending:
    path: Path
    coop: str
    sig: tuple[int, int, int, int]
    since: float  # monotonic time from which the signature has not changed
    mtime: float
    statement: bool = False  # a bank statement that ticks the cahier beside it (issue 17)


def _signature(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def opens_cleanly(path: Path) -> bool:
    """A zip-based workbook whose central directory reads (a half-written one does not)."""
    if path.suffix.lower() not in ZIP_EXTENSIONS:
        return True
    try:
        with zipfile.ZipFile(path) as archive:
            archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return False
    return True


class Watcher:
    """Turns files appearing under INBOX into submissions. Thread-safe ``notice``/``stop``."""

    def __init__(self, config: WatchConfig, store: Store | None = None) -> None:
        self.config = config
        self.store = store or Store(config.store, **config.store_options)
        self.inbox = config.inbox.resolve()
        self._pending: dict[Path, _Pending] = {}
        self._done: dict[Path, tuple[int, int, int, int]] = {}
        self._said: dict[Path, str] = {}  # last thing logged about an ignored file
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._retry_at = 0.0
        self._backoff = config.retry_initial
        self._failures = 0
        self._outbox_due: float | None = None
        self._outbox_first = 0.0
        self._last_scan = 0.0
        self.counts: dict[str, int] = {}
        self._limits = Limits(config.worker_memory_mb, config.worker_seconds) if config.isolate else None

    # -- events in

    def notice(self, path: Path, *, origin: str = "événement") -> None:
        """A file may have appeared or changed."""
        path = Path(os.path.abspath(path))
        try:
            siblings = os.listdir(path.parent) if path.parent.is_dir() else []
        except OSError:
            siblings = []
        decision = classify(path, self.inbox, siblings)
        if decision.action != "ignore" and (path.is_symlink() or path.parent.is_symlink()):
            decision = Decision("ignore", "lien symbolique : jamais suivi (il mènerait hors du dossier)", decision.coop)
        rel = self._rel(path)
        if decision.action == "ignore":
            if decision.reason != OWN_FILE and self._said.get(path) != decision.reason:  # a decision, said once
                self._said[path] = decision.reason
                log.debug("ignoré %s : %s", rel, decision.reason)
            return
        try:
            st = path.stat()
        except FileNotFoundError:
            self.forget(path)
            return
        if not path.is_file():
            return
        sig = _signature(st)
        answers = {"conflict": conflict_status, "misplaced": misplaced_status, "unsupported": unsupported_status}
        if decision.action in answers:
            if self._done.get(path) != sig:
                self._done[path] = sig
                self._count({"conflict": "conflits", "misplaced": "mal placés"}.get(decision.action, "formats"))
                log.warning("non pris en compte %s : %s", rel, decision.reason)
                with contextlib.suppress(OSError):
                    write_status(path.parent, path.name, answers[decision.action](path.name))
            return
        assert decision.coop is not None
        with self._lock:
            if self._done.get(path) == sig or (path in self._pending and self._pending[path].sig == sig):
                return
            age = max(0.0, time.time() - max(st.st_mtime, st.st_ctime))
            since = time.monotonic() - age
            first = path not in self._pending
            self._pending[path] = _Pending(path, decision.coop, sig, since, st.st_mtime, decision.action == "statement")
        if first:
            log.debug("vu %s (%s)", rel, origin)
        self._wake.set()

    def forget(self, path: Path) -> None:
        with self._lock:
            self._pending.pop(Path(os.path.abspath(path)), None)

    def scan(self, origin: str = "inventaire") -> None:
        """Every file under INBOX, as if it had just appeared (the store tells what is already in)."""
        self._last_scan = time.monotonic()
        try:
            entries = sorted(self.inbox.iterdir())
        except OSError as exc:
            log.error("dossier surveillé illisible %s : %s", self.inbox, exc)
            return
        folders = [p for p in entries if p.is_dir()]
        files: list[tuple[float, Path]] = [(p.stat().st_mtime, p) for p in entries if p.is_file()]  # misplaced?
        for folder in folders:
            with contextlib.suppress(OSError):
                files += [(p.stat().st_mtime, p) for p in folder.iterdir() if p.is_file()]
        for _, path in sorted(files):
            self.notice(path, origin=origin)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def pending(self) -> list[Path]:
        with self._lock:
            return sorted(self._pending)

    # -- the loop

    def run(self, *, once: bool = False) -> int:
        """Catch up, then watch (or, with ``once``, process what is there and return). Exit status.

        Raises :class:`InboxLocked` when another watcher already serves this inbox."""
        with inbox_lock(self.inbox):
            return self._run(once=once)

    def _run(self, *, once: bool) -> int:
        warm_up(isolated=self._limits is not None)
        observer = None if once else self._start_observer()
        log.info(  # said once it listens: what is saved from now on is seen as it happens
            "démarrage : dossier %s, dépôt %s%s", self.inbox, self.store.display_url, " (une passe)" if once else ""
        )
        try:
            self.scan("rattrapage au démarrage")
            while not self._stop.is_set():
                due = self.step()
                if once and not self._pending:
                    break
                if once and self._failures > self.config.once_retries:
                    log.error(
                        "dépôt toujours injoignable : %s",
                        count(len(self._pending), "fichier en attente", "fichiers en attente"),
                    )
                    break
                if not once and time.monotonic() - self._last_scan > self.config.rescan_interval:
                    self.scan("inventaire périodique")
                # wake up when the first pending file is due, not on the next tick: the tick only bounds the wait
                # (signatures are compared again, the outbox and the rescan have their turn)
                self._wake.wait(max(0.0, min(self.tick, due - time.monotonic())) if due is not None else self.tick)
                self._wake.clear()
            self._flush_outbox(force=once or self._stop.is_set())
        finally:
            if observer is not None:
                observer.stop()
                observer.join(timeout=10)
        left = len(self._pending)
        log.info(
            "arrêt%s",
            f" : {count(left, 'fichier en attente', 'fichiers en attente')}, repris au prochain démarrage"
            if left
            else "",
        )
        return 1 if left and once else 0

    def _start_observer(self) -> Any:
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver

        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                kind = event.event_type
                if kind in ("opened", "closed_no_write"):
                    return
                src = Path(os.fsdecode(event.src_path))
                if kind == "deleted":
                    watcher.forget(src)
                    return
                target = Path(os.fsdecode(event.dest_path)) if kind == "moved" else src
                if kind == "moved":
                    watcher.forget(src)
                if event.is_directory:
                    if kind in ("created", "moved"):
                        for child in sorted(target.iterdir()) if target.is_dir() else []:
                            watcher.notice(child)
                    return
                watcher.notice(target)

        observer = PollingObserver(timeout=self.config.poll_interval) if self.config.polling else Observer(timeout=0.2)
        self.inbox.mkdir(parents=True, exist_ok=True)
        observer.schedule(Handler(), str(self.inbox), recursive=True)
        observer.start()
        return observer

    def step(self) -> float | None:
        """Process every file that is due, oldest first (stop at the first store failure), then rebuild the outbox
        if it is due. → the monotonic time when the next pending file becomes due (None: nothing pending)."""
        waiting = self._process_due()
        self._flush_outbox()
        with self._lock:
            items = list(self._pending.values())
        if not items:
            return None
        later = time.monotonic() + self.tick  # a file not yet readable is looked at again a tick later
        due = min(later if item.path in waiting else item.since + self.config.stability_delay for item in items)
        return max(due, self._retry_at)

    @property
    def tick(self) -> float:
        """The longest the loop sleeps: signatures compared again, the outbox and the rescan get their turn."""
        return max(0.05, min(0.5, self.config.stability_delay / 4))

    def _process_due(self) -> set[Path]:
        """Ingest the files that are due → the paths of those that are due but do not open yet."""
        now = time.monotonic()
        waiting: set[Path] = set()
        if now < self._retry_at:
            return waiting
        ready: list[_Pending] = []
        with self._lock:
            items = list(self._pending.values())
        for item in items:
            try:
                st = item.path.stat()
            except FileNotFoundError:
                self.forget(item.path)
                log.debug("disparu %s avant d'être lu", self._rel(item.path))
                continue
            sig = _signature(st)
            if sig != item.sig:
                item.sig, item.since, item.mtime = sig, now, st.st_mtime
                continue
            if now - item.since >= self.config.stability_delay:
                ready.append(item)
        for item in sorted(ready, key=lambda p: (p.mtime, str(p.path))):
            if self._stop.is_set():
                break
            if not opens_cleanly(item.path) and now - item.since < self.config.settle_timeout:
                waiting.add(item.path)
                if self._said.get(item.path) != "illisible":
                    self._said[item.path] = "illisible"
                    log.debug("pas encore lisible %s : on attend", self._rel(item.path))
                continue
            if not self._process(item):
                break
        return waiting

    # -- one file

    def _retry_later(self, rel: str, exc: BaseException) -> bool:
        """A store fault: the file stays pending, every file waits a growing delay (issue 19) → False."""
        self._failures += 1
        delay = self._backoff
        self._backoff = min(self._backoff * 2, self.config.retry_max)
        self._retry_at = time.monotonic() + delay
        self._count("nouveaux essais")
        log.warning(
            "nouvel essai dans %s pour %s (%s) : %s",
            duration(delay),
            rel,
            count(len(self._pending), "fichier en attente", "fichiers en attente"),
            exc,
        )
        return False

    def _process(self, item: _Pending) -> bool:
        """Ingest one stable file. False when the store is unreachable (the file stays pending)."""
        path, coop, rel = item.path, item.coop, self._rel(item.path)
        try:
            data = path.read_bytes()
            st = path.stat()
            if _signature(st) != item.sig:  # changed while read: wait again
                item.sig, item.since = _signature(st), time.monotonic()
                return True
            if item.statement:  # issue 17: kept in the store, then the cahier beside it ticked
                from workbook_tools.pointage import answer_statement

                said = answer_statement(path, coop, self.store, limits=self._limits, max_bytes=self.config.max_bytes)
                log.info("relevé %s : %s", rel, said)
                self._finish(item)
                return True
            outcome = ingest_bytes(
                data,
                path.name,
                coop,
                self.store,
                source_mtime=st.st_mtime,
                outputs=path.parent,
                max_bytes=self.config.max_bytes,
                report_formats=self.config.report_formats,
                once=True,
                limits=self._limits,
            )
            self._log_outcome(rel, outcome, (outcome.answered_at or time.monotonic()) - item.since)
            if not outcome.repeated:  # issue 17: the bank statements beside it tick this save too
                self._repoint(path, coop, rel)
            self._finish(item)
        except StoreRefused as exc:  # the server will never take this file as it is (issue 19): said, not retried
            self._count("échecs")
            log.error("non archivé %s : %s", rel, exc)
            with contextlib.suppress(OSError):
                write_status(path.parent, path.name, f"NON ARCHIVÉ — {path.name} : le serveur du dépôt le refuse ; "
                             "le service départemental a été prévenu.")  # fmt: skip
            self._finish(item)
        except FileNotFoundError as exc:
            if path.exists():  # not the teacher's file: a folder of the store gone meanwhile — a store fault
                return self._retry_later(rel, exc)
            self.forget(path)
            log.debug("disparu %s pendant la lecture", rel)
        except _retried() as exc:  # a server fault: the file stays pending (issue 19)
            return self._retry_later(rel, exc)
        except Exception as exc:  # one bad file never stops the watcher
            self._count("échecs")
            reason = os_error(exc) if isinstance(exc, OSError) else f"{type(exc).__name__}: {exc}"  # else: a bug
            log.error("échec %s : %s", rel, reason, exc_info=log.isEnabledFor(logging.DEBUG))
            with contextlib.suppress(OSError):
                answered = status_path(path.parent, path.name)
                if answered.exists() and answered.stat().st_mtime >= item.mtime:  # this very save has its answer:
                    self._finish(item)  # an error that is not about it never replaces it (issue 13)
                    return True
                write_status(
                    path.parent,
                    path.name,
                    f"ERREUR — {path.name} n'a pas pu être traité ({type(exc).__name__}) ; "
                    "le service départemental a été prévenu. Enregistrez à nouveau le fichier pour réessayer.",
                )
            self._finish(item)
        return True

    def _repoint(self, path: Path, coop: str, rel: str) -> None:
        """A cahier saved next to bank statements: its ticked copy made again; never fails the cahier's answer."""
        from workbook_tools.pointage import refresh_after_save

        try:
            said = refresh_after_save(path, coop, self.store, limits=self._limits, max_bytes=self.config.max_bytes)
        except Exception as exc:
            log.warning("pointage de %s non refait : %s: %s", rel, type(exc).__name__, exc)
            return
        if said is not None:
            log.info("relevés à côté de %s : %s", rel, said)

    def _finish(self, item: _Pending) -> None:
        self._failures = 0
        self._backoff = self.config.retry_initial
        with self._lock:
            self._done[item.path] = item.sig
            current = self._pending.get(item.path)
            if current is not None and current.sig == item.sig:
                del self._pending[item.path]

    def _log_outcome(self, rel: str, outcome: Outcome, seconds: float) -> None:
        """The one INFO line of a cahier answered: answer, folder/file, what it found, and the seconds from the save
        to the status line (what the teacher waited)."""
        v = outcome.version
        after = f"répondu {duration(seconds)} après l'enregistrement"
        if v is None:  # a prepared cahier nobody has filled yet: nothing stored, no standing changed (issue 12)
            self._count("prêts à remplir")
            log.info("prêt à remplir %s : cahier préparé encore vide, rien d'archivé ; %s", rel, after)
            return
        if outcome.repeated:
            if outcome.result is None:  # recorded and answered before this start: nothing done
                log.debug("déjà archivé %s (version %s) : rien à refaire", rel, v.version)
            else:
                log.info("déjà archivé %s (version %s) : réponse écrite à nouveau, %s", rel, v.version, after)
            return
        if v.status in (ACCEPTED, REFUSED) or outcome.returned:  # each changes a standing (consolidation, CSV)
            now = time.monotonic()
            if self._outbox_due is None:
                self._outbox_first = now
            self._outbox_due = min(now + self.config.outbox_debounce, self._outbox_first + self.config.outbox_max_wait)
        if v.status == ACCEPTED:
            self._count("acceptés")
            log.info("accepté %s : version %s, %s ; %s", rel, v.version, warnings(outcome.warnings), after)
        elif outcome.returned:
            self._count("retours")
            log.info("accepté %s : retour à la version %s, qui redevient la version en cours ; %s", rel,
                     v.duplicate_of, after)  # fmt: skip
        elif v.status == DUPLICATE:
            self._count("doublons")
            log.info("déjà reçu %s : identique à la version %s ; %s", rel, v.duplicate_of, after)
        else:
            self._count("refusés")
            log.info(
                "refusé %s : version %s, %s ; %s", rel, v.version, findings(outcome.errors, outcome.warnings), after
            )

    def _flush_outbox(self, force: bool = False) -> None:
        due = self._outbox_due
        if due is None or self.config.outbox is None or (time.monotonic() < due and not force):
            return
        from workbook_tools.watcher.outbox import refresh_outbox

        try:
            written = refresh_outbox(
                self.store, self.config.outbox, roster=self.config.roster, seuils=self.config.seuils()
            )
        except (StoreError, OSError) as exc:
            log.warning("boîte de sortie non rafraîchie (%s) : nouvel essai plus tard", exc)
            self._outbox_due = time.monotonic() + max(self.config.outbox_debounce, self._backoff)
            return
        self._outbox_due = None
        log.debug("boîte de sortie rafraîchie : %s", ", ".join(p.name for p in written))

    def _count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def _rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.inbox))
        except ValueError:
            return str(path)


class InboxLocked(Exception):
    """Another watcher already serves this inbox; the message is French."""


@contextlib.contextmanager
def inbox_lock(inbox: Path) -> Iterator[None]:
    """One watcher per inbox: an exclusive ``flock`` on ``INBOX/.cahier-watch.lock``, held while the watcher runs.
    The kernel releases it when the process ends, however it ends: a killed watcher leaves no lock behind."""
    import fcntl

    path = inbox / LOCK_NAME
    handle = open(path, "a+")  # noqa: SIM115 - held for the whole run
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            who = handle.read().strip()
            raise InboxLocked(
                f"Un autre service cahier surveille déjà {inbox} ({who or 'processus inconnu'}) : un seul à la fois, "
                "sinon chaque enregistrement serait traité deux fois. Arrêtez l'autre d'abord."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} depuis {time.strftime('%d/%m/%Y %H:%M:%S')}\n")
        handle.flush()
        yield
    finally:
        handle.close()


def warm_up(*, isolated: bool = False) -> None:
    """Import what checking and answering a cahier needs (pandas, pandera, openpyxl, xlsxwriter…) before the
    first file comes, so that the first teacher does not wait for it (about a second); with ``isolated``, start
    the checks' worker server too."""
    import workbook_tools.bilan
    import workbook_tools.crf
    import workbook_tools.report
    import workbook_tools.validate  # noqa: F401

    if isolated:
        from workbook_tools.isolation import warm_up as start_workers

        start_workers()


__all__ = ["LOCK_NAME", "InboxLocked", "WatchConfig", "Watcher", "classify", "inbox_lock", "warm_up"]
