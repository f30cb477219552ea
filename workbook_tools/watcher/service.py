"""The watcher: folder events → ``workbook_tools.ingest``, nothing else.

INBOX holds one folder per cooperative, named by its coop number. Every workbook that
appears in it is a submission of that cooperative's cahier, once it has stopped changing
for ``stability_delay`` seconds and opens cleanly. Temporary, lock and conflict files of
Excel, LibreOffice and sync clients are never ingested; conflict copies get a status line.

Robustness rules:
* one bad file never stops the loop (per-file trap, logged);
* the store unreachable → nothing is dropped: the files stay pending and the whole queue
  waits (exponential back-off), so versions keep their order;
* at start-up (and every ``rescan_interval``) the folders are scanned, files taken in
  modification-time order; what the store already holds (same bytes, name and mtime) is
  not ingested again;
* SIGTERM (``stop()``) ends the loop after the file in hand.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import time
import tomllib
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from workbook_tools.ingest import (
    REPORT_FORMATS,
    Outcome,
    ingest_bytes,
    is_own_output,
    write_status,
)
from workbook_tools.store import (
    ACCEPTED,
    COOP_PATTERN,
    DUPLICATE,
    REFUSED,
    Store,
    StoreError,
    StoreUnavailable,
)

log = logging.getLogger("cahier.watch")

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
# OneDrive keeps both sides of a conflict as NAME-COMPUTERNAME.xlsx
ONEDRIVE_HOST = re.compile(
    r"-((?:DESKTOP|LAPTOP|PC|POSTE|WIN|MACBOOK)[A-Z0-9-]*|(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9-]{7,15})$"
)


@dataclass(frozen=True)
class Decision:
    action: str  # "ingest", "ignore", "conflict"
    reason: str = ""
    coop: str | None = None


def classify(path: Path, inbox: Path, siblings: Iterable[str] | None = None) -> Decision:
    """What to do with a file under INBOX (pure: looks only at names)."""
    try:
        rel = path.relative_to(inbox)
    except ValueError:
        return Decision("ignore", "hors du dossier surveillé")
    if len(rel.parts) != 2:
        where = "à la racine du dossier surveillé" if len(rel.parts) == 1 else "dans un sous-dossier"
        return Decision("ignore", f"fichier {where} (attendu : DOSSIER_COOP/fichier)")
    folder, name = rel.parts
    if not COOP_PATTERN.fullmatch(folder):
        return Decision("ignore", f"le dossier « {folder} » n'est pas un numéro de coopérative")
    lower = name.lower()
    suffix = Path(lower).suffix
    if name.startswith("~$"):
        return Decision("ignore", "fichier propriétaire d'Excel (~$)", folder)
    if name.startswith(".~lock."):
        return Decision("ignore", "verrou de LibreOffice", folder)
    if name.startswith("."):
        return Decision("ignore", "fichier caché (temporaire d'un logiciel de synchronisation ?)", folder)
    if is_own_output(name):
        return Decision("ignore", "statut ou rapport écrit par le service", folder)
    if lower.endswith(TEMP_SUFFIXES) or lower.endswith("~") or ".~" in name or name.startswith("~"):
        return Decision("ignore", "fichier temporaire", folder)
    if not suffix and EXCEL_TEMP.fullmatch(name):
        return Decision("ignore", "fichier temporaire d'Excel", folder)
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


def conflict_status(name: str) -> str:
    return (
        f"COPIE EN CONFLIT — « {name} » a été créé par le logiciel de synchronisation parce que le cahier a été "
        "modifié à deux endroits à la fois : il n'est pas pris en compte. Reportez vos changements dans le cahier "
        "principal, enregistrez-le, puis supprimez cette copie."
    )


# --------------------------------------------------------------------------- configuration


@dataclass
class WatchConfig:
    inbox: Path
    store: str = "./store"
    outbox: Path | None = None
    stability_delay: float = 2.0  # seconds without change before a file is read
    settle_timeout: float = 60.0  # a stable file that still does not open is checked (and refused) after this
    polling: bool = False  # polling observer (network shares where inotify sees nothing)
    poll_interval: float = 1.0
    rescan_interval: float = 60.0  # full scan of INBOX as a safety net for missed events
    retry_initial: float = 2.0  # back-off when the store is unreachable
    retry_max: float = 300.0
    once_retries: int = 3  # with --once: attempts on an unreachable store before giving up
    outbox_debounce: float = 5.0  # quiet seconds after the last acceptance before the outbox is rebuilt…
    outbox_max_wait: float = 60.0  # …but never later than this after the first one (a steady stream still refreshes)
    roster: Path | None = None  # CSV « coop,nom » of the expected cooperatives, for the consolidation
    max_bytes: int | None = None
    report_formats: tuple[str, ...] = REPORT_FORMATS
    store_options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_sources(cls, file: Path | None = None, **overrides: Any) -> WatchConfig:
        """Config file (TOML) values, then the command line's (those not None)."""
        values: dict[str, Any] = {}
        if file is not None:
            with open(file, "rb") as handle:
                data = tomllib.load(handle)
            known = {f.name for f in fields(cls)}
            unknown = sorted(set(data) - known)
            if unknown:
                raise ValueError(f"{file} : clé(s) inconnue(s) : {', '.join(unknown)}")
            values.update(data)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "inbox" not in values:
            raise ValueError("dossier INBOX manquant (argument ou clé « inbox » du fichier de configuration)")
        values["inbox"] = Path(values["inbox"]).expanduser()
        for key in ("outbox", "roster"):
            if values.get(key) is not None:
                values[key] = Path(values[key]).expanduser()
        if "report_formats" in values:
            values["report_formats"] = tuple(values["report_formats"])
        return cls(**values)


# --------------------------------------------------------------------------- the watcher


@dataclass
class _Pending:
    path: Path
    coop: str
    sig: tuple[int, int, int, int]
    since: float  # monotonic time from which the signature has not changed
    mtime: float


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
            level = (
                logging.DEBUG if is_own_output(path.name) or self._said.get(path) == decision.reason else logging.INFO
            )
            self._said[path] = decision.reason
            log.log(level, "ignoré %s : %s", rel, decision.reason)
            return
        try:
            st = path.stat()
        except FileNotFoundError:
            self.forget(path)
            return
        if not path.is_file():
            return
        sig = _signature(st)
        if decision.action == "conflict":
            if self._done.get(path) != sig:
                self._done[path] = sig
                self._count("conflits")
                log.warning("conflit %s : %s (non pris en compte)", rel, decision.reason)
                with contextlib.suppress(OSError):
                    write_status(path.parent, path.name, conflict_status(path.name))
            return
        assert decision.coop is not None
        with self._lock:
            if self._done.get(path) == sig or (path in self._pending and self._pending[path].sig == sig):
                return
            age = max(0.0, time.time() - max(st.st_mtime, st.st_ctime))
            since = time.monotonic() - age
            first = path not in self._pending
            self._pending[path] = _Pending(path, decision.coop, sig, since, st.st_mtime)
        if first:
            log.info("vu %s (%s)", rel, origin)
        self._wake.set()

    def forget(self, path: Path) -> None:
        with self._lock:
            self._pending.pop(Path(os.path.abspath(path)), None)

    def scan(self, origin: str = "inventaire") -> None:
        """Every file under INBOX, as if it had just appeared (the store tells what is already in)."""
        self._last_scan = time.monotonic()
        try:
            folders = sorted(p for p in self.inbox.iterdir() if p.is_dir())
        except OSError as exc:
            log.error("dossier surveillé illisible %s : %s", self.inbox, exc)
            return
        files: list[tuple[float, Path]] = []
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
        """Catch up, then watch (or, with ``once``, process what is there and return). Exit status."""
        log.info(
            "démarrage : dossier %s, dépôt %s%s", self.inbox, self.store.display_url, " (une passe)" if once else ""
        )
        observer = None if once else self._start_observer()
        try:
            self.scan("rattrapage au démarrage")
            tick = max(0.05, min(0.5, self.config.stability_delay / 4))
            while not self._stop.is_set():
                self.step()
                if once and not self._pending:
                    break
                if once and self._failures > self.config.once_retries:
                    log.error("dépôt toujours injoignable : %d fichier(s) en attente", len(self._pending))
                    break
                if not once and time.monotonic() - self._last_scan > self.config.rescan_interval:
                    self.scan("inventaire périodique")
                self._wake.wait(tick)
                self._wake.clear()
            self._flush_outbox(force=once or self._stop.is_set())
        finally:
            if observer is not None:
                observer.stop()
                observer.join(timeout=10)
        left = len(self._pending)
        log.info("arrêt%s", f" : {left} fichier(s) en attente, repris au prochain démarrage" if left else "")
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

    def step(self) -> None:
        """Process every file that is due, oldest first; stop at the first store failure."""
        now = time.monotonic()
        self._flush_outbox()
        if now < self._retry_at:
            return
        ready: list[_Pending] = []
        with self._lock:
            items = list(self._pending.values())
        for item in items:
            try:
                st = item.path.stat()
            except FileNotFoundError:
                self.forget(item.path)
                log.info("disparu %s avant d'être lu", self._rel(item.path))
                continue
            sig = _signature(st)
            if sig != item.sig:
                item.sig, item.since, item.mtime = sig, now, st.st_mtime
                continue
            if now - item.since >= self.config.stability_delay:
                ready.append(item)
        for item in sorted(ready, key=lambda p: (p.mtime, str(p.path))):
            if self._stop.is_set():
                return
            if not opens_cleanly(item.path) and now - item.since < self.config.settle_timeout:
                log.debug("pas encore lisible %s : on attend", self._rel(item.path))
                continue
            if not self._process(item):
                return

    # -- one file

    def _process(self, item: _Pending) -> bool:
        """Ingest one stable file. False when the store is unreachable (the file stays pending)."""
        path, coop, rel = item.path, item.coop, self._rel(item.path)
        try:
            data = path.read_bytes()
            st = path.stat()
            if _signature(st) != item.sig:  # changed while read: wait again
                item.sig, item.since = _signature(st), time.monotonic()
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
            )
            self._log_outcome(rel, outcome)
            self._finish(item)
        except StoreUnavailable as exc:
            self._failures += 1
            delay = self._backoff
            self._backoff = min(self._backoff * 2, self.config.retry_max)
            self._retry_at = time.monotonic() + delay
            self._count("nouveaux essais")
            log.warning(
                "nouvel essai dans %.0f s pour %s (%d fichier(s) en attente) : %s", delay, rel, len(self._pending), exc
            )
            return False
        except FileNotFoundError:
            self.forget(path)
            log.info("disparu %s pendant la lecture", rel)
        except Exception as exc:  # one bad file never stops the watcher
            self._count("échecs")
            log.error("échec %s : %s: %s", rel, type(exc).__name__, exc, exc_info=log.isEnabledFor(logging.DEBUG))
            with contextlib.suppress(OSError):
                write_status(
                    path.parent,
                    path.name,
                    f"ERREUR — {path.name} n'a pas pu être traité ({type(exc).__name__}) ; "
                    "le service départemental a été prévenu. Enregistrez à nouveau le fichier pour réessayer.",
                )
            self._finish(item)
        return True

    def _finish(self, item: _Pending) -> None:
        self._failures = 0
        self._backoff = self.config.retry_initial
        with self._lock:
            self._done[item.path] = item.sig
            current = self._pending.get(item.path)
            if current is not None and current.sig == item.sig:
                del self._pending[item.path]

    def _log_outcome(self, rel: str, outcome: Outcome) -> None:
        v = outcome.version
        if outcome.repeated:
            log.info("déjà archivé %s (version %s)", rel, v.version)
            return
        if v.status in (ACCEPTED, REFUSED):  # a refused newer version shows in the consolidation too
            now = time.monotonic()
            if self._outbox_due is None:
                self._outbox_first = now
            self._outbox_due = min(now + self.config.outbox_debounce, self._outbox_first + self.config.outbox_max_wait)
        if v.status == ACCEPTED:
            self._count("acceptés")
            log.info("accepté %s → version %s (%d avertissement(s))", rel, v.version, outcome.warnings)
        elif v.status == DUPLICATE:
            self._count("doublons")
            log.info("déjà reçu %s : identique à la version %s", rel, v.duplicate_of)
        else:
            self._count("refusés")
            log.info("refusé %s → version %s : %d erreur(s)", rel, v.version, outcome.errors)

    def _flush_outbox(self, force: bool = False) -> None:
        due = self._outbox_due
        if due is None or self.config.outbox is None or (time.monotonic() < due and not force):
            return
        from workbook_tools.watcher.outbox import refresh_outbox

        try:
            written = refresh_outbox(self.store, self.config.outbox, roster=self.config.roster)
        except (StoreError, OSError) as exc:
            log.warning("boîte de sortie non rafraîchie (%s) : nouvel essai plus tard", exc)
            self._outbox_due = time.monotonic() + max(self.config.outbox_debounce, self._backoff)
            return
        self._outbox_due = None
        log.info("boîte de sortie rafraîchie : %s", ", ".join(p.name for p in written))

    def _count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def _rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.inbox))
        except ValueError:
            return str(path)
