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
    coops/<coop>/claims/<sha256>/<time>.<version>.json   each writer's own claim on these bytes
    coops/<coop>/hashes/<sha256>.json         {"version": …}: an index, which version holds these bytes

Rules that keep it safe, on servers whose ``MOVE … Overwrite: F`` and ``PUT If-None-Match: *`` are not atomic
(Apache mod_dav: two racing writers may both get 201) or absent (rclone ignores ``If-None-Match``):

* Nothing is ever overwritten, and no decision rests on an exclusive create. A version's files go into a folder
  of its own (the version id: UTC time to the microsecond + random suffix), so no two writers ever write one
  name; the prepared manifest is written last. Published names (``manifests/…``, the index) are written under
  a hidden ``.tmp-…`` name and moved into place; readers skip hidden names and list only ``manifests/``.
* The one contested question — who holds these bytes — is settled by claims, not by a rename: each writer, once
  its version is complete, writes its own uniquely named claim ``claims/<sha256>/<time>.<version>.json`` (a
  plain PUT of a name nobody else writes: no server can lose it to another writer), waits a few tens of
  milliseconds, then lists the claims (the read-back). The oldest claim whose version is complete wins; that
  writer publishes its manifest (then the index), every other writer removes its own claim and folder and
  records a duplicate of the winner. The read-back is the commit point: every writer reads the same listing
  order, so they agree on the winner whatever the server did with concurrent requests.
* Why it is safe where a MOVE is not: a claim is never replaced (unique name) and the order is in the names,
  so two writers can only disagree when a claim stamped *earlier* than a winner's becomes visible only *after*
  the winner's read-back (a claim write slower than the winner's write plus its wait). The wait makes that
  rare (none in 30 rounds of 8 racing writers on each server, see SECURITY.md); when it happens anyway, both are
  published with the same bytes and the same report, and every reader applies one rule (:func:`one_holder`):
  the oldest published version holds the bytes, the younger reads as its duplicate — never two current
  versions, never a version lost.
* A writer stopped after its claim but before publishing is completed by the next reader that meets the claim
  ("roll forward": the prepared manifest is published as it is). A writer stopped earlier leaves an invisible
  folder, collected after a grace period (:mod:`workbook_tools.store.leftovers`, ``cahier verifier-depot``).
* Every server fault is mapped to one French message and one decision (:mod:`workbook_tools.store.faults`):
  try again later (the watcher keeps the file) or refuse with the reason; never a raw exception. A store
  folder missing on a server that answers is said so (« le dossier du dépôt n'existe pas sur le serveur »),
  never created there behind the administrator's back. A store whose ``cahier-store.json`` has vanished since
  it was opened (share unmounted, folder moved away) is unavailable: it is never silently recreated empty.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import io
import json
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from workbook_tools.model import Report
from workbook_tools.store.backends import Backend, LocalBackend, WebdavBackend, backend_for, transient_errors
from workbook_tools.store.errors import (
    DamagedMetadata,
    DamagedOriginal,
    InvalidName,
    StoreError,
    StoreMissing,
    StoreRefused,
    StoreUnavailable,
    StoreUnusable,
    VersionNotFound,
)
from workbook_tools.store.faults import FAULTS, classify, store_fault
from workbook_tools.store.names import (
    COOP_PATTERN,
    MAX_NAME_BYTES,
    SAFE_EXTENSIONS,
    SHA_PATTERN,
    VERSION_PATTERN,
    check_coop,
    coop_key,
    new_version_id,
    printable_name,
    safe_filename,
    sha256,
)
from workbook_tools.store.standing import Standing, Status, latest_accepted, standing
from workbook_tools.store.version import ACCEPTED, DUPLICATE, REFUSED, STATUS_FR, STORE_FORMAT, Version
from workbook_tools.text import count, os_error

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger("cahier.store")

DEFAULT_URL = "./store"


class Store:
    """An append-only store of cahier versions. Thread-safe; many processes may share one store."""

    def __init__(self, url: str | os.PathLike[str] = DEFAULT_URL, **storage_options: Any) -> None:
        self.url = os.fspath(url)
        self._backend, self.display_url = backend_for(self.url, storage_options)
        self._transient = transient_errors()
        self._manifests: dict[tuple[str, str], Version] = {}
        self.damaged: set[str] = set()
        self._keys: dict[
            str, str
        ] = {}  # coop_key → the coop folder holding it  # metadata files met damaged (relative paths), see ``verifier-depot``
        self._lock = threading.Lock()
        self._initialised = False
        if isinstance(self._backend, LocalBackend):
            self._not_a_folder()

    def _not_a_folder(self) -> None:
        """A local store whose path (or a folder on the way to it) is a regular file can never work: said at once
        (:class:`StoreUnusable`), never « nouvel essai plus tard »."""
        root = Path(self._backend.root)
        for place in (root, *root.parents):
            if place.is_dir():
                return
            if place.exists() or place.is_symlink():
                if place.is_dir():  # made meanwhile by another writer (a folder never turns into a file)
                    return
                what = "est un fichier" if place == root else f"passe par {place}, qui est un fichier"
                raise StoreUnusable(
                    f"Le dépôt {self.display_url} {what}, pas un dossier : indiquez un dossier "
                    "(--store, $CAHIER_STORE, « store » de la configuration)."
                )

    def create_folder(self) -> None:
        """Create a local store's folder now (no store marker yet): one that cannot be created there is a
        configuration error (:class:`StoreUnusable`), said with the reason. Nothing to do for a server's store."""
        if isinstance(self._backend, LocalBackend):
            self._not_a_folder()
            try:
                self._backend.makedirs("")
            except OSError as exc:
                raise self._cannot_create(exc) from exc

    def _cannot_create(self, exc: OSError) -> StoreUnusable:
        root = Path(self._backend.root)
        parent = next((p for p in root.parents if p.is_dir()), root.anchor)
        if exc.errno == errno.ENOENT:  # the parent is there, yet refuses a new folder: /proc, /sys
            why = "ce dossier n'accepte pas de nouveau dossier (dossier spécial du système, comme /proc ou /sys)"
        else:
            why = os_error(exc)
        return StoreUnusable(
            f"Le dossier du dépôt {self.display_url} ne peut pas être créé dans {parent} : {why}. "
            "Indiquez un autre dossier (--store, $CAHIER_STORE, « store » de la configuration)."
        )

    def __repr__(self) -> str:
        return f"Store({self.display_url!r})"

    # -- plumbing

    @contextlib.contextmanager
    def _io(self, what: str) -> Iterator[None]:
        """Every server fault met inside becomes the store's French error (see :mod:`workbook_tools.store.faults`)."""
        try:
            yield
        except (StoreError, FileNotFoundError, FileExistsError):
            raise
        except self._transient as exc:
            mapped = store_fault(exc, self.display_url, what)
            if mapped is None:
                raise
            if isinstance(mapped, StoreUnavailable) and classify(exc) in (FAULTS["404"], FAULTS["409"]):
                mapped = self._missing_folder(what) or mapped
            raise mapped from exc

    def _missing_folder(self, what: str) -> StoreMissing | None:
        """A 404/409 because the store's own folder is not on the server (reachable, but the folder is missing)."""
        with contextlib.suppress(Exception):
            if not self._backend.exists(""):
                return StoreMissing(
                    f"Dépôt {self.display_url} : le dossier du dépôt n'existe pas sur le serveur (pendant : {what}). "
                    "Le serveur répond, mais ce dossier manque : créez-le sur le serveur (par exemple « Nouveau "
                    "dossier » dans Nextcloud), ou corrigez l'adresse du dépôt (--store, $CAHIER_STORE, « store » de "
                    "la configuration). Rien n'est perdu : nouvel essai plus tard."
                )
        return None

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
            if isinstance(self._backend, WebdavBackend) and not self._backend.exists(""):
                raise self._missing_folder("initialisation") or StoreMissing(self.display_url)
            if isinstance(self._backend, LocalBackend):
                self.create_folder()
            self._backend.makedirs("coops")
            marker = {"format": STORE_FORMAT, "created_at": datetime.now(UTC).isoformat()}
            if not self._backend.put_new("cahier-store.json", json.dumps(marker).encode()):
                try:
                    existing = json.loads(self._backend.read("cahier-store.json"))
                    if not isinstance(existing, dict):
                        raise TypeError(type(existing).__name__)
                except (ValueError, TypeError) as exc:  # emptied or cut short: like a missing marker, wait
                    raise StoreUnavailable(
                        f"Dépôt {self.display_url} : cahier-store.json est illisible ({exc}) ; rien n'y est écrit, "
                        "nouvel essai plus tard. « cahier verifier-depot --reparer » le refait."
                    ) from exc
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
        path = f"coops/{coop}/manifests/{version}.json"
        try:
            manifest = Version.from_json(self._backend.read(path), where=path)
        except FileNotFoundError:
            return None
        except DamagedMetadata as exc:  # reported, never raised: the other versions stay readable
            log.warning("%s", exc)
            with self._lock:
                self.damaged.add(path)
            return None
        with self._lock:
            self._manifests[key] = manifest
        return manifest

    # -- reading

    def exists(self) -> bool:
        """True when a store is there (its marker or its coops folder)."""
        with self._io("vérification du dépôt"):
            return self._backend.exists("cahier-store.json") or self._backend.exists("coops")

    def local_root(self) -> Path | None:
        """The store's folder on this machine (None on a server)."""
        return Path(self._backend.path("")) if isinstance(self._backend, LocalBackend) else None

    def coops(self) -> list[str]:
        """Coop ids that have at least one submission."""
        with self._io("liste des coopératives"):
            return [c for c in self._backend.list("coops") if COOP_PATTERN.fullmatch(c)]

    def resolve(self, coop: str) -> str:
        """The store's id for ``coop``: the folder of the cooperative with the same key (``069003`` is ``69003``),
        kept under the first form the store saw; ``coop`` itself for a new cooperative."""
        check_coop(coop)
        key = coop_key(coop)
        known = self._keys.get(key)
        if known is None:
            for found in self.coops():
                self._keys.setdefault(coop_key(found), found)
            known = self._keys.get(key)
        return known or coop

    def history(self, coop: str) -> list[Version]:
        """Every submission of a coop, oldest first (only complete ones)."""
        coop = self.resolve(coop)
        with self._io(f"historique de {coop}"):
            names = self._backend.list(f"coops/{coop}/manifests")
            versions = []
            for name in names:
                stem = name.removesuffix(".json")
                if name.endswith(".json") and VERSION_PATTERN.fullmatch(stem):
                    manifest = self._manifest(coop, stem)
                    if manifest is not None:
                        versions.append(manifest)
        return one_holder(sorted(versions, key=lambda v: v.version))

    def version(self, coop: str, ref: str) -> Version:
        """A version by its id, a unique prefix of it, or its number in the history (1 = oldest)."""
        history = self.history(coop)
        ref = str(ref).strip()
        if ref.isdigit() and len(ref) < 6:
            number = int(ref)
            if 1 <= number <= len(history):
                return history[number - 1]
            raise VersionNotFound(
                f"La coopérative {coop} n'a pas de version n° {ref} ({count(len(history), 'version')})."
            )
        matches = [v for v in history if v.version == ref] or [v for v in history if v.version.startswith(ref)]
        if len(matches) == 1 and ref:
            return matches[0]
        if not matches or not ref:
            raise VersionNotFound(f"Aucune version {ref!r} pour la coopérative {coop}.")
        raise VersionNotFound(f"Plusieurs versions de la coopérative {coop} commencent par {ref!r} : précisez.")

    def standing(self, coop: str, exercice: str | None = None) -> Standing:
        """Where ``coop`` stands for ``exercice`` (default: its latest exercice with an accepted version)."""
        history = self.history(coop)
        if exercice is None:
            exercice = latest_accepted(history)
        return standing(coop, history, exercice)

    def current(self, coop: str, exercice: str | None = None) -> Version | None:
        """The version whose figures count (of ``exercice``, or of the latest exercice accepted): see
        :mod:`workbook_tools.store.standing`."""
        return self.standing(coop, exercice).current

    def lookup(self, coop: str, digest: str, *, complete: bool = True) -> Version | None:
        """The version holding these bytes for this coop, if any (completing it if its writer died): the one the
        index ``hashes/<sha256>.json`` names, else the oldest complete claim's.

        With ``complete=False`` nothing is written: a claimed version whose writer died is returned as its prepared
        manifest says, unpublished (``cahier verifier-depot`` without ``--reparer`` only lists)."""
        settle = self._roll_forward if complete else self._prepared
        coop = self.resolve(coop)
        if not SHA_PATTERN.fullmatch(digest):
            raise InvalidName(f"Empreinte SHA-256 invalide : {digest!r}")
        path = f"coops/{coop}/hashes/{digest}.json"
        with self._io(f"recherche d'une empreinte pour {coop}"):
            damaged = False
            try:
                indexed: str | None = claimed_version(self._backend.read(path))
            except FileNotFoundError:
                indexed = None
            except DamagedMetadata as exc:  # the index is derived from the manifests: look there
                log.warning("empreinte illisible %s : %s", path, exc)
                with self._lock:
                    self.damaged.add(path)
                indexed, damaged = None, True
            if indexed is not None:
                found = self._manifest(coop, indexed) or settle(coop, indexed)
                if found is not None:
                    return found
            winner = self._first_claim(coop, digest)
            if winner is not None:
                found = self._manifest(coop, winner) or settle(coop, winner)
                if found is not None:
                    return found
            return self._holder(coop, digest) if damaged or indexed is not None else None

    def _holder(self, coop: str, digest: str) -> Version | None:
        """The version holding these bytes, found among the manifests (when the claim cannot be read)."""
        return next((v for v in self.history(coop) if v.sha256 == digest and v.status != DUPLICATE), None)

    def _original(self, coop: str, ref: str | Version) -> Version:
        version = ref if isinstance(ref, Version) else self.version(coop, ref)
        if version.status == DUPLICATE and version.duplicate_of:
            found = self._manifest(coop, version.duplicate_of)
            if found is None:
                raise VersionNotFound(f"La version {version.duplicate_of} est introuvable.")
            version = found
        return version

    def _read_file(self, coop: str, ref: str | Version, role: str) -> bytes | None:
        coop = self.resolve(coop)
        version = self._original(coop, ref)
        name = version.files.get(role)
        if name is None:
            return None
        with self._io(f"lecture de {role}"):
            return self._backend.read(f"coops/{coop}/versions/{version.version}/{name}")

    def read_original(self, coop: str, ref: str | Version) -> bytes:
        """The bytes received (for a duplicate: those of the version it repeats), checked against their SHA-256:
        damaged bytes raise :class:`DamagedOriginal`, never pass for the file received."""
        coop = self.resolve(coop)
        version = self._original(coop, ref)  # for a duplicate: the version holding the bytes
        data = self._read_file(coop, version, "original")
        if data is None:
            raise VersionNotFound(f"La version {ref} n'a pas de fichier d'origine.")
        if sha256(data) != version.sha256:
            raise DamagedOriginal(
                f"Version {version.version} de la coopérative {version.coop} : l'original conservé est abîmé "
                f"(empreinte différente) : rien n'est écrit ; lancez cahier verifier-depot --store "
                f"{self.display_url}, puis redemandez le fichier à l'école ou prenez une autre version "
                "(cahier history)."
            )
        return data

    def read_report(self, coop: str, ref: str | Version) -> Report | None:
        """The check report of a version (None when it has none, or when it is damaged: reported)."""
        data = self._read_file(coop, ref, "report")
        if data is None:
            return None
        try:
            raw = json.loads(data)
            return Report.from_dict(raw) if isinstance(raw, dict) else None
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("rapport illisible pour %s, version %s : %s", coop, ref, exc)
            return None

    def read_journal(self, coop: str, ref: str | Version) -> pd.DataFrame | None:
        """The normalised journal of a version (None when the file could not be read at all)."""
        data = self._read_file(coop, ref, "journal")
        if data is None:
            return None
        import pandas as pd

        try:
            return pd.read_parquet(io.BytesIO(data))
        except Exception as exc:  # pyarrow raises its own kinds for a damaged file
            log.warning("journal illisible pour %s, version %s : %s", coop, ref, exc)
            return None

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
            os.chmod(tmp, 0o666 & ~_umask())  # an ordinary file, as any program writes it (mkstemp makes it 0600)
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
        report: Report | None = None,
        journal: pd.DataFrame | None = None,
        *,
        source_mtime: float | None = None,
    ) -> Version:
        """Record one submission: a new version, or a duplicate of the version holding the same bytes.

        ``report`` is what the check found; without it the submission is refused. ``journal`` is the
        normalised journal.
        """
        coop = self.resolve(coop)
        name = safe_filename(filename)
        digest = sha256(data)
        report = report or Report.unreadable(name)
        self._ensure_initialised()
        mtime = datetime.fromtimestamp(source_mtime, UTC).isoformat() if source_mtime is not None else None

        existing = self.lookup(coop, digest)
        if existing is not None:
            return self._record_duplicate(coop, name, digest, len(data), existing, mtime)

        version = new_version_id()
        ext = PurePosixPath(name.lower()).suffix
        files = {"original": "original" + (ext if ext in SAFE_EXTENSIONS else ".bin"), "report": "report.json"}
        payloads = {
            files["original"]: data,
            "report.json": json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str).encode("utf-8"),
        }
        if journal is not None:
            files["journal"] = "journal.parquet"
            payloads["journal.parquet"] = journal_to_parquet(journal)
        manifest = Version(
            version=version,
            coop=coop,
            status=ACCEPTED if report.ok else REFUSED,
            sha256=digest,
            filename=name,
            received_at=datetime.now(UTC).isoformat(),
            size=len(data),
            exercice=report.exercice,
            errors=report.errors,
            warnings=report.warnings,
            totals=report.totals,
            files=files,
            source_mtime=mtime,
        )
        folder = f"coops/{coop}/versions/{version}"
        with self._io(f"écriture de la version {version} de {coop}"):
            for rel in (folder, f"coops/{coop}/manifests"):
                self._backend.makedirs(rel)
            try:  # a folder of its own: plain writes, nobody else writes these names
                for file_name, payload in payloads.items():
                    self._backend.put(f"{folder}/{file_name}", payload)
                self._backend.put(f"{folder}/manifest.json", manifest.to_json())
            except Exception:  # e.g. a full disk: this version was never claimed, nobody else knows its id
                with contextlib.suppress(Exception):
                    self._backend.remove_tree(folder)
                raise
            return self._claim_and_publish(coop, manifest, name=name, mtime=mtime)

    # -- bank statements (issue 17): proofs the vérificateurs ask for, kept beside the versions

    def keep_statement(self, coop: str, filename: str, data: bytes) -> str:
        """Keep a bank statement a cooperative saved next to its cahier, once per content:
        ``coops/<coop>/releves/<sha256>-<name>``, never overwritten. → its path in the store."""
        coop = self.resolve(coop)
        self._ensure_initialised()
        rel = f"coops/{coop}/releves/{sha256(data)}-{safe_filename(filename)}"
        with self._io(f"relevé bancaire de {coop}"):
            self._backend.makedirs(f"coops/{coop}/releves")
            self._backend.put_new(rel, data)  # False: these bytes are already kept
        return rel

    def statements(self, coop: str) -> list[str]:
        """The names of the bank statements kept for a cooperative (``<sha256>-<name>``), sorted."""
        coop = self.resolve(coop)
        with self._io(f"relevés bancaires de {coop}"):
            return sorted(n for n in self._backend.list(f"coops/{coop}/releves") if not n.startswith("."))

    # -- the claim: who holds these bytes (see the module's docstring)

    def _claim_and_publish(
        self, coop: str, manifest: Version, *, name: str, mtime: str | None, duplicate: bool = True
    ) -> Version:
        """Claim the bytes of a prepared version and publish it if it wins; else remove it and record a duplicate
        of the winner (``duplicate``; else return the winner). The read-back of the claims is the commit point."""
        version, digest = manifest.version, manifest.sha256
        claims = f"coops/{coop}/claims/{digest}"
        self._backend.makedirs(claims)
        stamped = time.monotonic()
        mine = f"{claims}/{claim_stamp()}.{version}.json"
        self._backend.put(mine, json.dumps({"version": version, "sha256": digest}).encode())
        # the read-back waits a little after our stamp: a racing claim stamped before ours and written as fast as
        # ours is then visible (the window left is a claim slower than three of ours: see the module)
        written = time.monotonic() - stamped
        time.sleep(max(0.0, stamped + min(CLAIM_SETTLE_MAX, max(CLAIM_SETTLE_MIN, 3 * written)) - time.monotonic()))
        winner = self._first_claim(coop, digest, mine=version)
        if winner is None or winner == version:
            self._backend.put_new(f"coops/{coop}/manifests/{version}.json", manifest.to_json())
            with contextlib.suppress(*self._transient):  # an index for a one-request lookup, rebuilt if missing
                self._backend.makedirs(f"coops/{coop}/hashes")
                self._backend.put_new(
                    f"coops/{coop}/hashes/{digest}.json", json.dumps({"version": version, "sha256": digest}).encode()
                )
            with self._lock:
                self._manifests[(coop, version)] = manifest
            return manifest
        if self._backend.exists(f"coops/{coop}/manifests/{version}.json"):
            # lost the read-back, yet published: a reader that saw our claim first, before the winner's was visible,
            # rolled us forward meanwhile. Ours is then a published version of these bytes (two published: the
            # readers' rule shows one) — never removed under its manifest, never recorded again as a duplicate
            log.info("version %s de %s publiée par un autre lecteur pendant la vérification des réservations",
                     version, coop)  # fmt: skip
            with self._lock:
                self._manifests[(coop, version)] = manifest
            return manifest
        with contextlib.suppress(*self._transient):  # lost: never published, never visible; the claim goes first
            self._backend.remove_file(mine)
            self._backend.remove_tree(f"coops/{coop}/versions/{version}")
        existing = self._manifest(coop, winner) or self._roll_forward(coop, winner)
        if existing is None:
            raise StoreUnavailable(f"Dépôt {self.display_url} : la version {winner} qui détient ces octets est "
                                   "illisible pour l'instant ; nouvel essai plus tard.")  # fmt: skip
        if not duplicate:
            return existing
        return self._record_duplicate(coop, name, digest, manifest.size, existing, mtime)

    def _first_claim(self, coop: str, digest: str, *, mine: str | None = None) -> str | None:
        """The version of the oldest claim on these bytes whose version is complete (its prepared manifest
        readable); None when there is none."""
        for claim in sorted(self._backend.list(f"coops/{coop}/claims/{digest}")):
            match = CLAIM_PATTERN.fullmatch(claim)
            if match is None:
                continue
            version = match.group(2)
            if version == mine or self._manifest(coop, version) is not None:
                return version
            try:
                Version.from_json(self._backend.read(f"coops/{coop}/versions/{version}/manifest.json"))
            except (FileNotFoundError, DamagedMetadata):
                continue  # a loser's claim whose folder is gone, or a damaged copy: not a candidate
            return version
        return None

    def _prepared(self, coop: str, version: str) -> Version | None:
        """The prepared manifest of a version, read only (None when absent or damaged)."""
        try:
            return Version.from_json(self._backend.read(f"coops/{coop}/versions/{version}/manifest.json"))
        except (FileNotFoundError, DamagedMetadata):
            return None

    def _roll_forward(self, coop: str, version: str) -> Version | None:
        """Publish the prepared manifest of a claimed version whose writer stopped before publishing it."""
        try:
            prepared = self._backend.read(f"coops/{coop}/versions/{version}/manifest.json")
            Version.from_json(prepared)
        except (FileNotFoundError, DamagedMetadata):
            return None
        self._backend.makedirs(f"coops/{coop}/manifests")
        self._backend.put_new(f"coops/{coop}/manifests/{version}.json", prepared)
        log.info("version %s de %s complétée (son écriture avait été interrompue)", version, coop)
        return self._manifest(coop, version)

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


CLAIM_PATTERN = re.compile(r"(\d{8}T\d{6}_\d{6}Z)\.(" + VERSION_PATTERN.pattern + r")\.json")


CLAIM_SETTLE_MIN, CLAIM_SETTLE_MAX = 0.05, 0.25  # seconds between a claim's stamp and its read-back


def claim_stamp() -> str:
    """The time a claim is written, to the microsecond (UTC): claims are ordered by it."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S_%fZ")


def one_holder(history: list[Version]) -> list[Version]:
    """The history as read: when two versions of the same bytes were both published (two writers each saw itself
    first in the claims, a window the claim protocol narrows but no read/write protocol closes), the older one
    holds them and the younger reads as its duplicate — the same answer for every reader."""
    holders: dict[str, Version] = {}
    read: list[Version] = []
    for v in history:
        if v.status != DUPLICATE:
            holder = holders.setdefault(v.sha256, v)
            if holder is not v:
                v = dataclasses.replace(
                    v, status=DUPLICATE, duplicate_of=holder.version, duplicate_status=holder.status, files={}
                )
        read.append(v)
    return read


def claimed_version(data: bytes) -> str:
    """The version named by a hash claim; :class:`DamagedMetadata` when the claim cannot be read."""
    try:
        raw = json.loads(data)
        version = str(raw["version"])
    except (ValueError, TypeError, KeyError) as exc:
        raise DamagedMetadata(f"réservation d'empreinte illisible : {exc}") from exc
    if not VERSION_PATTERN.fullmatch(version):
        raise DamagedMetadata(f"réservation d'empreinte illisible : version {version!r}")
    return version


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


def _umask() -> int:
    """The process's umask, read without changing it (``/proc``; else set and put back at once)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


__all__ = [
    "ACCEPTED", "COOP_PATTERN", "DEFAULT_URL", "DUPLICATE", "MAX_NAME_BYTES", "REFUSED", "SAFE_EXTENSIONS",
    "SHA_PATTERN", "STATUS_FR", "STORE_FORMAT", "VERSION_PATTERN", "Backend", "DamagedOriginal", "InvalidName", "LocalBackend",
    "Standing", "Status", "Store", "StoreError", "StoreMissing", "StoreRefused", "StoreUnavailable", "StoreUnusable", "Version", "VersionNotFound", "WebdavBackend",
    "check_coop", "claimed_version", "coop_key", "journal_to_parquet", "new_version_id", "printable_name", "safe_filename", "sha256",
]  # fmt: skip
