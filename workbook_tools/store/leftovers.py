"""Leftovers of interrupted writes, collected (``cahier verifier-depot`` lists them, ``--reparer`` collects them).

A writer stopped between two steps (the server stopped or unreachable, the process killed) leaves files nobody
reads: readers only list published manifests, so leftovers are never visible, but they would pile up. Past a grace
period (a writer still at work is never touched; default one hour), each is settled:

* a version folder without a published manifest:
    - complete (its prepared manifest readable) and claimed first → rolled forward: its manifest is published,
      as any reader would do (listed « à publier » without ``repair``: a listing writes nothing to the store);
    - complete, and its bytes held by another published version → removed (its claim first);
    - complete and its bytes nowhere else → claimed and published (the claim protocol decides, as for a writer);
    - incomplete (no readable prepared manifest): removed; its original is first copied under
      ``quarantaine/<time>/…`` when its bytes are not held by a published version (nothing a teacher sent is lost);
* a claim whose version is neither published nor present → removed;
* a ``.tmp-…`` file (a PUT or a rename cut short) → removed.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from workbook_tools.store.backends import TMP_PREFIX, tmp_age
from workbook_tools.store.errors import DamagedMetadata
from workbook_tools.store.names import SHA_PATTERN, VERSION_PATTERN, sha256
from workbook_tools.store.version import Version

if TYPE_CHECKING:
    from workbook_tools.store import Store

GRACE = 3600.0  # seconds a leftover is left alone: a writer still at work takes seconds
QUARANTINE = "quarantaine"


@dataclass
class Leftover:
    path: str  # relative to the store's root
    what: str  # French: what it is and what is (or would be) done
    done: bool = False


def collect(store: Store, *, grace: float = GRACE, repair: bool = True) -> list[Leftover]:
    """The leftovers of ``store`` older than ``grace`` seconds; with ``repair``, settled (see the module)."""
    return _Collector(store, grace, repair).run()


def version_age(version: str, now: float) -> float:
    stamp = version.split("-", 1)[0]
    when = datetime.strptime(stamp, "%Y%m%dT%H%M%S_%fZ").replace(tzinfo=UTC)
    return now - when.timestamp()


class _Collector:
    def __init__(self, store: Store, grace: float, repair: bool) -> None:
        self.store, self.grace, self.repair = store, grace, repair
        self.backend = store._backend
        self.now = time.time()
        self.found: list[Leftover] = []
        self.stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")

    def note(self, path: str, what: str, action: Callable[[], object], todo: str, done: str) -> None:
        """A leftover: ``what`` it is, then ``done`` once settled (with ``repair``) or ``todo``."""
        item = Leftover(path, f"{what} : {todo}")
        if self.repair:
            action()
            item.done, item.what = True, f"{what} : {done}"
        self.found.append(item)

    def old(self, name: str, rel: str) -> bool:
        age = tmp_age(name, self.now)
        if age is None:
            modified = self.backend.modified(rel)
            age = self.now - modified if modified is not None else self.grace
        return age >= self.grace

    def run(self) -> list[Leftover]:
        self.temporaries("")
        for coop in self.store.coops():
            self.coop(coop)
        return self.found

    def temporaries(self, folder: str, names: list[str] | None = None) -> None:
        for name in self.backend.list(folder) if names is None else names:
            rel = f"{folder}/{name}" if folder else name
            if name.startswith(TMP_PREFIX) and self.old(name, rel):
                self.note(rel, "fichier temporaire d'une écriture interrompue",
                          functools.partial(self.backend.remove_file, rel), "à supprimer", "supprimé")  # fmt: skip

    def coop(self, coop: str) -> None:
        base = f"coops/{coop}"
        self.temporaries(base)
        manifests = self.backend.list(f"{base}/manifests")
        self.temporaries(f"{base}/manifests", manifests)
        self.temporaries(f"{base}/hashes")
        published = {n.removesuffix(".json") for n in manifests if n.endswith(".json")}
        present: set[str] = set()
        for version in self.backend.list(f"{base}/versions"):
            folder = f"{base}/versions/{version}"
            if version.startswith(TMP_PREFIX):
                self.temporaries(f"{base}/versions", [version])
                continue
            if not VERSION_PATTERN.fullmatch(version):
                continue
            present.add(version)
            if version in published:
                self.temporaries(folder)
            elif version_age(version, self.now) >= self.grace:
                self.unpublished(coop, version)
        self.claims(coop, published, present)

    def unpublished(self, coop: str, version: str) -> None:
        folder = f"coops/{coop}/versions/{version}"
        try:
            prepared: Version | None = Version.from_json(self.backend.read(f"{folder}/manifest.json"))
        except (FileNotFoundError, DamagedMetadata):
            prepared = None
        if prepared is not None:
            # with repair, rolls a claimed winner forward; without, only reads (a listing writes nothing)
            holder = self.store.lookup(coop, prepared.sha256, complete=self.repair)
            if self.repair and self.backend.exists(f"coops/{coop}/manifests/{version}.json"):
                self.found.append(Leftover(folder, "version interrompue avant sa publication : complétée", True))
            elif holder is not None and holder.version == version:  # claimed first: --reparer completes it
                self.found.append(Leftover(folder, "version interrompue avant sa publication : à publier"))
            elif holder is not None:
                self.note(folder, f"version interrompue, ses octets sont dans la version {holder.version}",
                          lambda: self.remove_version(coop, version, prepared.sha256), "à supprimer",
                          "supprimée")  # fmt: skip
            else:
                self.note(folder, "version interrompue avant sa réservation, complète",
                          lambda: self.publish(coop, prepared), "à publier", "publiée")  # fmt: skip
            return
        files = self.backend.list(folder)
        original = next((n for n in files if n.startswith("original")), None)
        keep = None
        if original is not None:
            data = self.backend.read(f"{folder}/{original}")
            if self.store.lookup(coop, sha256(data), complete=self.repair) is None:
                keep = (f"{QUARANTINE}/{self.stamp}/{folder}/{original}", data)
        what = "version interrompue avant d'être complète"
        kept = f", son fichier reçu gardé sous {keep[0]}" if keep is not None else ""

        def settle() -> None:
            if keep is not None:
                self.backend.makedirs(keep[0].rsplit("/", 1)[0])
                self.backend.put_new(*keep)
            self.backend.remove_tree(folder)

        self.note(folder, what, settle, f"à supprimer{kept}", f"supprimée{kept}")

    def publish(self, coop: str, prepared: Version) -> None:
        self.store._claim_and_publish(coop, prepared, name=prepared.filename, mtime=prepared.source_mtime,
                                      duplicate=False)  # fmt: skip

    def remove_version(self, coop: str, version: str, digest: str) -> None:
        claims = f"coops/{coop}/claims/{digest}"
        for claim in self.backend.list(claims):
            if f".{version}." in claim:
                self.backend.remove_file(f"{claims}/{claim}")
        self.backend.remove_tree(f"coops/{coop}/versions/{version}")

    def claims(self, coop: str, published: set[str], present: set[str]) -> None:
        base = f"coops/{coop}/claims"
        for digest in self.backend.list(base):
            if not SHA_PATTERN.fullmatch(digest):
                continue
            names = self.backend.list(f"{base}/{digest}")
            self.temporaries(f"{base}/{digest}", names)
            for name in names:
                parts = name.split(".")
                if len(parts) != 3 or not VERSION_PATTERN.fullmatch(parts[1]):
                    continue
                version, rel = parts[1], f"{base}/{digest}/{name}"
                if version in published or version in present or version_age(version, self.now) < self.grace:
                    continue
                self.note(rel, "réservation d'une version qui n'existe plus",
                          functools.partial(self.backend.remove_file, rel), "à supprimer", "supprimée")  # fmt: skip
