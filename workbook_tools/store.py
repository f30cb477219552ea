"""The store: every version a cooperative ever sent, append-only, addressed by a URL.

A store is a folder tree reached through fsspec: a local folder (the default,
``./store``, a plain path or ``file://``), a WebDAV share (``webdav://host:port/path``,
``webdavs://`` for HTTPS, ``dav://``/``davs://`` likewise, or a plain ``http(s)://`` URL
such as a Nextcloud ``…/remote.php/dav/files/USER/cahier``), or any other fsspec URL
(``s3://``, ``memory://``) with weaker guarantees.

Layout (format 1)::

    cahier-store.json                         {"format": 1}
    coops/<coop>/manifests/<version>.json     one per submission: the only thing readers list
    coops/<coop>/versions/<version>/original.xlsx    the bytes received (extension kept)
    coops/<coop>/versions/<version>/report.json      the check report (SPEC §5)
    coops/<coop>/versions/<version>/journal.parquet  the normalised journal
    coops/<coop>/versions/<version>/manifest.json    the manifest, prepared before it is published
    coops/<coop>/hashes/<sha256>.json         {"version": …}: which version holds these bytes

Rules that keep it safe:

* Nothing is ever overwritten or deleted. Every file is written under a hidden
  temporary name (``.tmp-…``) in its final folder, then published by a rename that
  fails when the target exists (``os.link`` locally, ``MOVE`` with ``Overwrite: F`` on
  WebDAV). Readers skip hidden names.
* A version becomes visible when ``manifests/<version>.json`` appears, which is written
  last; a writer killed before that leaves only invisible files.
* Version ids are unique (UTC time to the microsecond + random suffix), so two writers
  never aim at the same name. The one shared name is the hash claim
  ``hashes/<sha256>.json``, created exclusively *after* the version's files and its
  prepared manifest exist: whoever creates it owns these bytes, the other writer records
  a duplicate. A claim whose manifest is not yet published (writer killed between the two
  steps) is completed by the next reader that meets it ("roll forward"): the claim is the
  commit point. Claims are an index derivable from the manifests.
* A write that fails before its claim (a full disk, the share gone) removes its own
  unclaimed folder, best effort. A store whose ``cahier-store.json`` has vanished since
  it was opened (share unmounted, folder moved away) is unavailable: it is never
  silently recreated empty where it was.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import os
import re
import secrets
import tempfile
import threading
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

STORE_FORMAT = 1
DEFAULT_URL = "./store"
ACCEPTED, REFUSED, DUPLICATE = "accepted", "refused", "duplicate"
STATUS_FR = {ACCEPTED: "accepté", REFUSED: "refusé", DUPLICATE: "déjà reçu"}

COOP_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
VERSION_PATTERN = re.compile(r"\d{8}T\d{6}_\d{6}Z-[0-9a-f]{6}")
SHA_PATTERN = re.compile(r"[0-9a-f]{64}")
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,10}$")
MAX_NAME_BYTES = 200
_SAFE_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".ods", ".xltx", ".csv", ".pdf", ".zip", ".bin"}


class StoreError(Exception):
    """A store operation failed; the message is French and meant for the user."""


class StoreUnavailable(StoreError):
    """The store could not be reached or written (network, permissions): try again later."""


class InvalidName(StoreError, ValueError):
    """A coop id or version reference that is not acceptable."""


class VersionNotFound(StoreError, LookupError):
    """No such version in this coop's history."""


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


@dataclass(frozen=True)
class Version:
    """One submission as its manifest records it."""

    version: str
    coop: str
    status: str  # accepted | refused | duplicate
    sha256: str
    filename: str
    received_at: str  # ISO 8601, UTC
    size: int
    exercice: str | None = None
    errors: int = 0
    warnings: int = 0
    totals: dict[str, Any] | None = None
    files: dict[str, str] = field(default_factory=dict)  # role -> name inside versions/<version>/
    duplicate_of: str | None = None  # for a duplicate: the version holding these bytes
    duplicate_status: str | None = None  # for a duplicate: the status of that version
    source_mtime: str | None = None  # modification time of the file received, ISO 8601 UTC
    format: int = STORE_FORMAT

    @property
    def accepted(self) -> bool:
        return self.status == ACCEPTED

    @property
    def received(self) -> datetime:
        return datetime.fromisoformat(self.received_at)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Version:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


Submission = Version


# --------------------------------------------------------------------------- backends


class _Backend:
    """The few operations the store needs, over one fsspec filesystem."""

    def __init__(self, fs: Any, root: str) -> None:
        self.fs = fs
        self.root = root.rstrip("/")

    def path(self, rel: str) -> str:
        return f"{self.root}/{rel}" if self.root else rel

    def read(self, rel: str) -> bytes:
        data = self.fs.cat_file(self.path(rel))
        return bytes(data)

    def list(self, rel: str) -> list[str]:
        try:
            entries = self.fs.ls(self.path(rel), detail=False)
        except FileNotFoundError:
            return []
        return sorted(PurePosixPath(str(e).rstrip("/")).name for e in entries)

    def makedirs(self, rel: str) -> None:
        self.fs.makedirs(self.path(rel), exist_ok=True)

    def exists(self, rel: str) -> bool:
        return bool(self.fs.exists(self.path(rel)))

    def put_new(self, rel: str, data: bytes) -> bool:
        """Publish ``data`` at ``rel`` unless something is already there. True if written."""
        target = self.path(rel)
        if self.fs.exists(target):
            return False
        self.fs.pipe_file(target, data)
        return True

    def remove_tree(self, rel: str) -> None:
        self.fs.rm(self.path(rel), recursive=True)


class _LocalBackend(_Backend):
    """A local folder: write, fsync, then ``os.link`` (fails if the target exists)."""

    def read(self, rel: str) -> bytes:
        return Path(self.path(rel)).read_bytes()

    def list(self, rel: str) -> list[str]:
        try:
            return sorted(os.listdir(self.path(rel)))
        except FileNotFoundError:
            return []

    def exists(self, rel: str) -> bool:
        return os.path.exists(self.path(rel))

    def makedirs(self, rel: str) -> None:
        os.makedirs(self.path(rel), exist_ok=True)

    def put_new(self, rel: str, data: bytes) -> bool:
        target = Path(self.path(rel))
        if target.exists():
            return False
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(tmp, target)
            except FileExistsError:
                return False
            except OSError:  # a filesystem without hard links: check, then rename (best effort)
                if target.exists():
                    return False
                os.rename(tmp, target)
            _fsync_dir(target.parent)
            return True
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    def remove_tree(self, rel: str) -> None:
        import shutil

        shutil.rmtree(self.path(rel), ignore_errors=True)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class _WebdavBackend(_Backend):
    """WebDAV through webdav4: PUT under a hidden name, then MOVE with ``Overwrite: F``."""

    def __init__(self, fs: Any, root: str) -> None:
        super().__init__(fs, root)
        self._known_dirs: set[str] = set()

    def read(self, rel: str) -> bytes:
        client = self.fs.client
        response = client.http.get(client.join_url(self.path(rel)))
        if response.status_code == 404:
            raise FileNotFoundError(rel)
        response.raise_for_status()
        return bytes(response.content)

    def list(self, rel: str) -> list[str]:
        from webdav4.client import ResourceNotFound

        try:
            entries = self.fs.client.ls(self.path(rel), detail=False, allow_listing_resource=False)
        except ResourceNotFound:
            return []
        return sorted(PurePosixPath(str(e).rstrip("/")).name for e in entries)

    def makedirs(self, rel: str) -> None:
        from webdav4.client import HTTPError, ResourceAlreadyExists

        done = ""
        for part in PurePosixPath(self.path(rel)).parts:
            done = f"{done}/{part}" if done else part
            if done in self._known_dirs:
                continue
            try:
                self.fs.client.mkdir(done)
            except ResourceAlreadyExists:
                pass
            except HTTPError:  # two writers creating it at once: some servers answer 500 to the second
                if not self.fs.client.isdir(done):
                    raise
            self._known_dirs.add(done)

    def put_new(self, rel: str, data: bytes) -> bool:
        from webdav4.client import HTTPError, ResourceAlreadyExists

        target = self.path(rel)
        parent = str(PurePosixPath(target).parent)
        tmp = f"{parent}/.tmp-{secrets.token_hex(8)}"
        client = self.fs.client
        client.upload_fileobj(io.BytesIO(data), tmp, overwrite=False)
        try:
            client.move(tmp, target, overwrite=False)
        except ResourceAlreadyExists:
            with contextlib.suppress(Exception):
                client.remove(tmp)
            return False
        except HTTPError:
            # Two MOVEs onto one name at once: some servers (wsgidav) answer 500 to one of them.
            if not client.exists(target):
                raise
            if client.exists(tmp):  # ours did not move: the other writer won
                with contextlib.suppress(Exception):
                    client.remove(tmp)
                return False
            return self.read(rel) == data
        return True

    def remove_tree(self, rel: str) -> None:
        self.fs.client.remove(self.path(rel))


def _webdav_backend(url: str, options: Mapping[str, Any]) -> _WebdavBackend:
    from webdav4.fsspec import WebdavFileSystem

    parts = urllib.parse.urlsplit(url)
    scheme = {"webdav": "http", "dav": "http", "webdavs": "https", "davs": "https"}.get(parts.scheme, parts.scheme)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    base_url = urllib.parse.urlunsplit((scheme, netloc, parts.path.rstrip("/") or "/", "", ""))
    opts = dict(options)
    auth = opts.pop("auth", None)
    if auth is None and parts.username:
        auth = (urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or ""))
    if auth is None and os.environ.get("CAHIER_STORE_USER"):
        auth = (os.environ["CAHIER_STORE_USER"], os.environ.get("CAHIER_STORE_PASSWORD", ""))
    opts.setdefault("timeout", 30)
    opts.setdefault("retry", False)  # the watcher retries with its own back-off
    fs = WebdavFileSystem(base_url, auth=auth, **opts)
    return _WebdavBackend(fs, "")


def _backend_for(url: str, options: Mapping[str, Any]) -> tuple[_Backend, str]:
    """The backend and a display form of the URL (without password)."""
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme in {"webdav", "webdavs", "dav", "davs", "http", "https"}:
        parts = urllib.parse.urlsplit(url)
        shown = urllib.parse.urlunsplit((parts.scheme, parts.hostname or "", parts.path, "", ""))
        if parts.port:
            shown = urllib.parse.urlunsplit((parts.scheme, f"{parts.hostname}:{parts.port}", parts.path, "", ""))
        return _webdav_backend(url, options), shown
    if scheme in {"", "file", "local"} or (len(scheme) == 1 and os.name == "nt"):
        path = urllib.parse.unquote(urllib.parse.urlsplit(url).path) if scheme in {"file", "local"} else url
        root = Path(path).expanduser().resolve()
        from fsspec.implementations.local import LocalFileSystem

        return _LocalBackend(LocalFileSystem(), str(root)), str(root)
    import fsspec

    fs, root = fsspec.core.url_to_fs(url, **options)
    return _Backend(fs, root), url


def _transient_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OSError, TimeoutError]
    with contextlib.suppress(ImportError):
        import httpx

        errors.append(httpx.HTTPError)
    with contextlib.suppress(ImportError):
        from webdav4.client import HTTPError, ResourceConflict, ResourceLocked

        errors += [HTTPError, ResourceLocked, ResourceConflict]
    return tuple(errors)


# --------------------------------------------------------------------------- the store


class Store:
    """An append-only store of cahier versions. Thread-safe; many processes may share one store."""

    def __init__(self, url: str | os.PathLike[str] = DEFAULT_URL, **storage_options: Any) -> None:
        self.url = os.fspath(url)
        self._backend, self.display_url = _backend_for(self.url, storage_options)
        self._transient = _transient_errors()
        self._manifests: dict[tuple[str, str], Version] = {}
        self._lock = threading.Lock()
        self._initialised = False

    def __repr__(self) -> str:
        return f"Store({self.display_url!r})"

    # -- plumbing

    @contextlib.contextmanager
    def _io(self, what: str) -> Iterator[None]:
        try:
            yield
        except (StoreError, FileNotFoundError, FileExistsError):
            raise
        except self._transient as exc:
            if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StoreUnavailable(f"Dépôt plein ({self.display_url}) pendant : {what} — {exc}") from exc
            raise StoreUnavailable(f"Dépôt injoignable ({self.display_url}) pendant : {what} — {exc}") from exc

    def _ensure_initialised(self) -> None:
        if self._initialised:  # still there? A share unmounted or a folder moved away must not get a new tree
            with self._io("vérification du dépôt"):
                if not self._backend.exists("cahier-store.json"):
                    raise StoreUnavailable(
                        f"Dépôt introuvable ({self.display_url}) : cahier-store.json a disparu "
                        "(partage démonté, dossier déplacé ?) ; rien n'y est écrit, nouvel essai plus tard."
                    )
            return
        with self._io("initialisation"):
            self._backend.makedirs("coops")
            marker = {"format": STORE_FORMAT, "created_at": datetime.now(UTC).isoformat()}
            if not self._backend.put_new("cahier-store.json", json.dumps(marker).encode()):
                existing = json.loads(self._backend.read("cahier-store.json"))
                if existing.get("format") != STORE_FORMAT:
                    raise StoreError(
                        f"Le dépôt {self.display_url} est au format {existing.get('format')}, "
                        f"cette version de cahier lit le format {STORE_FORMAT}."
                    )
        self._initialised = True

    def _manifest(self, coop: str, version: str) -> Version | None:
        key = (coop, version)
        cached = self._manifests.get(key)
        if cached is not None:
            return cached
        try:
            data = self._backend.read(f"coops/{coop}/manifests/{version}.json")
        except FileNotFoundError:
            return None
        manifest = Version.from_dict(json.loads(data))
        with self._lock:
            self._manifests[key] = manifest
        return manifest

    # -- reading

    def coops(self) -> list[str]:
        """Coop ids that have at least one submission."""
        with self._io("liste des coopératives"):
            return [c for c in self._backend.list("coops") if COOP_PATTERN.fullmatch(c)]

    def history(self, coop: str) -> list[Version]:
        """Every submission of a coop, oldest first (only complete ones)."""
        check_coop(coop)
        with self._io(f"historique de {coop}"):
            names = self._backend.list(f"coops/{coop}/manifests")
            versions = []
            for name in names:
                stem = name.removesuffix(".json")
                if name.endswith(".json") and VERSION_PATTERN.fullmatch(stem):
                    manifest = self._manifest(coop, stem)
                    if manifest is not None:
                        versions.append(manifest)
        return sorted(versions, key=lambda v: v.version)

    def version(self, coop: str, ref: str) -> Version:
        """A version by its id, a unique prefix of it, or its number in the history (1 = oldest)."""
        history = self.history(coop)
        ref = str(ref).strip()
        if ref.isdigit() and len(ref) < 6:
            number = int(ref)
            if 1 <= number <= len(history):
                return history[number - 1]
            raise VersionNotFound(f"La coopérative {coop} n'a pas de version n° {ref} ({len(history)} versions).")
        matches = [v for v in history if v.version == ref] or [v for v in history if v.version.startswith(ref)]
        if len(matches) == 1 and ref:
            return matches[0]
        if not matches or not ref:
            raise VersionNotFound(f"Aucune version {ref!r} pour la coopérative {coop}.")
        raise VersionNotFound(f"Plusieurs versions de la coopérative {coop} commencent par {ref!r} : précisez.")

    def current(self, coop: str, exercice: str | None = None) -> Version | None:
        """The newest accepted version (of ``exercice``, or of the latest exercice accepted)."""
        accepted = [v for v in self.history(coop) if v.accepted]
        if exercice is None and accepted:
            exercice = max((v.exercice or "") for v in accepted)
            accepted = [v for v in accepted if (v.exercice or "") == exercice]
        elif exercice is not None:
            accepted = [v for v in accepted if v.exercice == exercice]
        return accepted[-1] if accepted else None

    def lookup(self, coop: str, digest: str) -> Version | None:
        """The version holding these bytes for this coop, if any (completing it if its writer died)."""
        check_coop(coop)
        if not SHA_PATTERN.fullmatch(digest):
            raise InvalidName(f"Empreinte SHA-256 invalide : {digest!r}")
        with self._io(f"recherche d'une empreinte pour {coop}"):
            try:
                claim = json.loads(self._backend.read(f"coops/{coop}/hashes/{digest}.json"))
            except FileNotFoundError:
                return None
            version = str(claim["version"])
            manifest = self._manifest(coop, version)
            if manifest is None:  # the writer died after claiming: its prepared manifest is complete
                prepared = self._backend.read(f"coops/{coop}/versions/{version}/manifest.json")
                self._backend.makedirs(f"coops/{coop}/manifests")
                self._backend.put_new(f"coops/{coop}/manifests/{version}.json", prepared)
                manifest = self._manifest(coop, version)
        return manifest

    def _original(self, coop: str, ref: str | Version) -> Version:
        version = ref if isinstance(ref, Version) else self.version(coop, ref)
        if version.status == DUPLICATE and version.duplicate_of:
            found = self._manifest(coop, version.duplicate_of)
            if found is None:
                raise VersionNotFound(f"La version {version.duplicate_of} est introuvable.")
            version = found
        return version

    def _read_file(self, coop: str, ref: str | Version, role: str) -> bytes | None:
        version = self._original(coop, ref)
        name = version.files.get(role)
        if name is None:
            return None
        with self._io(f"lecture de {role}"):
            return self._backend.read(f"coops/{coop}/versions/{version.version}/{name}")

    def read_original(self, coop: str, ref: str | Version) -> bytes:
        """The bytes received (for a duplicate: those of the version it repeats)."""
        data = self._read_file(coop, ref, "original")
        if data is None:
            raise VersionNotFound(f"La version {ref} n'a pas de fichier d'origine.")
        return data

    def read_report(self, coop: str, ref: str | Version) -> dict[str, Any] | None:
        data = self._read_file(coop, ref, "report")
        return None if data is None else json.loads(data)

    def read_journal(self, coop: str, ref: str | Version) -> pd.DataFrame | None:
        """The normalised journal of a version (None when the file could not be read at all)."""
        data = self._read_file(coop, ref, "journal")
        if data is None:
            return None
        import pandas as pd

        return pd.read_parquet(io.BytesIO(data))

    def restore(self, coop: str, ref: str | Version, dest: str | os.PathLike[str], *, force: bool = False) -> Path:
        """Write a version's original file to ``dest``; an existing file is kept unless ``force``."""
        target = Path(dest)
        if target.exists() and not force:
            raise FileExistsError(f"{target} existe déjà (utilisez --force pour le remplacer).")
        data = self.read_original(coop, ref)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            if force:
                os.replace(tmp, target)
            else:
                try:
                    os.link(tmp, target)
                except FileExistsError as exc:
                    raise FileExistsError(f"{target} existe déjà (utilisez --force pour le remplacer).") from exc
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        return target

    # -- writing

    def submit(
        self,
        coop: str,
        filename: str,
        data: bytes,
        report: Mapping[str, Any] | None = None,
        journal: pd.DataFrame | None = None,
        *,
        source_mtime: float | None = None,
    ) -> Version:
        """Record one submission: a new version, or a duplicate of the version holding the same bytes.

        ``report`` is the SPEC §5 JSON object (``ok``, ``exercice``, ``errors``, ``warnings``,
        ``totals``…); without it the submission is refused. ``journal`` is the normalised journal.
        """
        check_coop(coop)
        name = safe_filename(filename)
        digest = sha256(data)
        report = dict(report or {"ok": False, "errors": 1, "warnings": 0, "findings": []})
        self._ensure_initialised()
        mtime = datetime.fromtimestamp(source_mtime, UTC).isoformat() if source_mtime is not None else None

        existing = self.lookup(coop, digest)
        if existing is not None:
            return self._record_duplicate(coop, name, digest, len(data), existing, mtime)

        version = new_version_id()
        ext = PurePosixPath(name.lower()).suffix
        files = {"original": "original" + (ext if ext in _SAFE_EXTENSIONS else ".bin"), "report": "report.json"}
        payloads = {
            files["original"]: data,
            "report.json": json.dumps(report, ensure_ascii=False, indent=2, default=str).encode("utf-8"),
        }
        if journal is not None:
            files["journal"] = "journal.parquet"
            payloads["journal.parquet"] = journal_to_parquet(journal)
        manifest = Version(
            version=version,
            coop=coop,
            status=ACCEPTED if report.get("ok") else REFUSED,
            sha256=digest,
            filename=name,
            received_at=datetime.now(UTC).isoformat(),
            size=len(data),
            exercice=report.get("exercice"),
            errors=int(report.get("errors") or 0),
            warnings=int(report.get("warnings") or 0),
            totals=report.get("totals"),
            files=files,
            source_mtime=mtime,
        )
        folder = f"coops/{coop}/versions/{version}"
        with self._io(f"écriture de la version {version} de {coop}"):
            for rel in (folder, f"coops/{coop}/hashes", f"coops/{coop}/manifests"):
                self._backend.makedirs(rel)
            try:
                for file_name, payload in payloads.items():
                    self._write_new(f"{folder}/{file_name}", payload)
                self._write_new(f"{folder}/manifest.json", manifest.to_json())
            except Exception:  # e.g. a full disk: this version was never claimed, nobody else knows its id
                with contextlib.suppress(Exception):
                    self._backend.remove_tree(folder)
                raise
            claim = json.dumps({"version": version, "sha256": digest}).encode()
            won = self._backend.put_new(f"coops/{coop}/hashes/{digest}.json", claim)
            if won:  # read back: a server without an atomic MOVE could let a racing writer replace it
                won = json.loads(self._backend.read(f"coops/{coop}/hashes/{digest}.json"))["version"] == version
            if not won:
                with contextlib.suppress(*self._transient):
                    self._backend.remove_tree(folder)  # never published, never visible
                existing = self.lookup(coop, digest)
                if existing is None:
                    raise StoreError(f"Empreinte {digest} réservée mais sans version lisible dans {coop}.")
                return self._record_duplicate(coop, name, digest, len(data), existing, mtime)
            self._backend.put_new(f"coops/{coop}/manifests/{version}.json", manifest.to_json())
        with self._lock:
            self._manifests[(coop, version)] = manifest
        return manifest

    def _write_new(self, rel: str, payload: bytes) -> None:
        if not self._backend.put_new(rel, payload):
            raise StoreError(f"Le dépôt contient déjà {rel} : refus de l'écraser.")

    def _record_duplicate(
        self, coop: str, name: str, digest: str, size: int, original: Version, mtime: str | None
    ) -> Version:
        version = new_version_id()
        manifest = Version(
            version=version,
            coop=coop,
            status=DUPLICATE,
            sha256=digest,
            filename=name,
            received_at=datetime.now(UTC).isoformat(),
            size=size,
            exercice=original.exercice,
            errors=original.errors,
            warnings=original.warnings,
            duplicate_of=original.version,
            duplicate_status=original.status,
            source_mtime=mtime,
        )
        with self._io(f"écriture d'un doublon pour {coop}"):
            self._backend.makedirs(f"coops/{coop}/manifests")
            self._write_new(f"coops/{coop}/manifests/{version}.json", manifest.to_json())
        with self._lock:
            self._manifests[(coop, version)] = manifest
        return manifest


def journal_to_parquet(journal: pd.DataFrame) -> bytes:
    """The journal as Parquet bytes; columns of mixed Python objects are written as text."""
    buffer = io.BytesIO()
    try:
        journal.to_parquet(buffer, index=False)
    except (TypeError, ValueError, ImportError, ArithmeticError) as first:
        frame = journal.copy()
        for column in frame.columns:
            if frame[column].dtype == object:
                frame[column] = frame[column].map(lambda v: None if v is None else str(v))
        buffer = io.BytesIO()
        try:
            frame.to_parquet(buffer, index=False)
        except Exception as exc:
            raise StoreError(f"Le journal normalisé ne peut pas être écrit en Parquet : {exc}") from first
    return buffer.getvalue()
