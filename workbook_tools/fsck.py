"""Checking and repairing a store (``cahier verifier-depot``): every blob against its hash, every metadata file.

What can be rebuilt is rebuilt from what the store still holds:

* a damaged published manifest, from the copy prepared beside its version's files (and the reverse);
* a damaged or missing hash claim, from the manifests (the claims are an index of them);
* a damaged report or normalised journal, by checking the original bytes again;
* a damaged ``cahier-store.json``, from the store's format.

Nothing is deleted: a damaged file is first copied under ``quarantaine/`` (its path kept) and only then replaced.
What cannot be rebuilt — an original whose bytes no longer match their hash, a record with no intact copy — is
lost, and said so.

The leftovers of interrupted writes (unpublished version folders, claims without a version, ``.tmp-…`` files)
older than a grace period are listed, and settled with ``repair``: see :mod:`workbook_tools.store.leftovers`.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from workbook_tools.store import STORE_FORMAT, Store, claimed_version, journal_to_parquet
from workbook_tools.store.errors import DamagedMetadata
from workbook_tools.store.leftovers import GRACE, collect
from workbook_tools.store.names import VERSION_PATTERN, sha256
from workbook_tools.store.version import DUPLICATE, Version

QUARANTINE = "quarantaine"


@dataclass
class Problem:
    path: str  # relative to the store's root
    what: str  # French
    repaired: bool = False
    lost: bool = False


@dataclass
class Verification:
    coops: int = 0
    versions: int = 0
    blobs: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def lost(self) -> list[Problem]:
        return [p for p in self.problems if p.lost]

    @property
    def open(self) -> list[Problem]:
        return [p for p in self.problems if not p.repaired]

    @property
    def ok(self) -> bool:
        return not self.open


def verify(store: Store, *, repair: bool = False, grace: float = GRACE) -> Verification:
    """Check every coop of ``store``; with ``repair``, rebuild what can be rebuilt and settle the leftovers older
    than ``grace`` seconds (see the module)."""
    return _Fsck(store, repair, grace).run()


class _Fsck:
    def __init__(self, store: Store, repair: bool, grace: float = GRACE) -> None:
        self.store, self.repair, self.grace = store, repair, grace
        self.backend = store._backend
        self.result = Verification()
        self.stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")

    # -- plumbing

    def problem(self, path: str, what: str, *, rebuilt: bytes | None = None, lost: bool = False) -> None:
        """Record a problem; with ``repair`` and ``rebuilt``, put the damaged file in quarantine and the rebuilt one
        in its place."""
        item = Problem(path, what, lost=lost)
        if self.repair and rebuilt is not None:
            self.replace(path, rebuilt)
            item.repaired = True
        self.result.problems.append(item)

    def replace(self, path: str, payload: bytes) -> None:
        if self.backend.exists(path):
            kept = f"{QUARANTINE}/{self.stamp}/{path}"
            self.backend.makedirs(str(Path(kept).parent))
            self.backend.put_new(kept, self.backend.read(path))
            self.backend.remove_file(path)
        self.backend.makedirs(str(Path(path).parent))
        self.backend.put_new(path, payload)

    def read(self, path: str) -> bytes | None:
        try:
            return self.backend.read(path)
        except FileNotFoundError:
            return None

    # -- the walk

    def run(self) -> Verification:
        self.marker()
        for item in collect(self.store, grace=self.grace, repair=self.repair):  # first: a version rolled forward
            self.result.problems.append(Problem(item.path, item.what, repaired=item.done))  # is then checked
        for coop in self.store.coops():
            self.result.coops += 1
            self.coop(coop)
        return self.result

    def marker(self) -> None:
        data = self.read("cahier-store.json")
        try:
            if data is None or not isinstance(json.loads(data), dict):
                raise ValueError
        except ValueError:
            rebuilt = json.dumps({"format": STORE_FORMAT, "rebuilt_at": datetime.now(UTC).isoformat()}).encode()
            self.problem("cahier-store.json", "marque du dépôt absente ou illisible", rebuilt=rebuilt)

    def coop(self, coop: str) -> None:
        base = f"coops/{coop}"
        manifests: list[Version] = []
        for name in self.backend.list(f"{base}/manifests"):
            stem = name.removesuffix(".json")
            if name.endswith(".json") and VERSION_PATTERN.fullmatch(stem):
                found = self.manifest(coop, stem)
                if found is not None:
                    manifests.append(found)
        self.result.versions += len(manifests)
        for v in manifests:
            if v.status != DUPLICATE:
                self.files(coop, v)
        self.claims(coop, manifests)

    def manifest(self, coop: str, version: str) -> Version | None:
        published = f"coops/{coop}/manifests/{version}.json"
        prepared = f"coops/{coop}/versions/{version}/manifest.json"
        data, copy = self.read(published), self.read(prepared)
        good_copy = _parse(copy) if copy is not None else None
        found = _parse(data) if data is not None else None
        if found is None:
            if good_copy is not None and copy is not None:
                self.problem(published, "fiche de version illisible, refaite depuis sa copie", rebuilt=copy)
                return good_copy
            self.problem(published, "fiche de version illisible et sans copie intacte : cet envoi est perdu", lost=True)
            return None
        if copy is not None and good_copy is None and data is not None:
            self.problem(prepared, "copie de la fiche de version illisible", rebuilt=data)
        return found

    def files(self, coop: str, v: Version) -> None:
        folder = f"coops/{coop}/versions/{v.version}"
        original = self.read(f"{folder}/{v.files.get('original', '')}") if v.files.get("original") else None
        self.result.blobs += 1
        if original is None or sha256(original) != v.sha256:
            what = "absent" if original is None else "ne correspond plus à son empreinte"
            self.problem(f"{folder}/{v.files.get('original')}", f"fichier reçu {what} : perdu", lost=True)
            return
        report = self.read(f"{folder}/report.json") if "report" in v.files else None
        journal = self.read(f"{folder}/journal.parquet") if "journal" in v.files else None
        report_ok = (report is None and "report" not in v.files) or (report is not None and _json_object(report))
        journal_ok = (journal is None and "journal" not in v.files) or (journal is not None and _parquet(journal))
        if report_ok and journal_ok:
            return
        rebuilt_report, rebuilt_journal = _check_again(coop, v, original)
        if not report_ok:
            self.problem(f"{folder}/report.json", "rapport illisible, refait en contrôlant à nouveau le fichier reçu",
                         rebuilt=rebuilt_report)  # fmt: skip
        if not journal_ok:
            self.problem(f"{folder}/journal.parquet", "journal normalisé illisible, refait depuis le fichier reçu",
                         rebuilt=rebuilt_journal)  # fmt: skip

    def claims(self, coop: str, manifests: list[Version]) -> None:
        holders = {v.sha256: v.version for v in manifests if v.status != DUPLICATE}
        for digest, version in holders.items():
            path = f"coops/{coop}/hashes/{digest}.json"
            data = self.read(path)
            claim = json.dumps({"version": version, "sha256": digest}).encode()
            if data is None:
                self.problem(path, "réservation d'empreinte absente, refaite depuis les fiches", rebuilt=claim)
                continue
            try:
                claimed_version(data)
            except DamagedMetadata:
                self.problem(path, "réservation d'empreinte illisible, refaite depuis les fiches", rebuilt=claim)


def _parse(data: bytes) -> Version | None:
    try:
        return Version.from_json(data)
    except DamagedMetadata:
        return None


def _json_object(data: bytes) -> bool:
    """A check report: a JSON object with at least its verdict and its findings."""
    try:
        raw = json.loads(data)
    except ValueError:
        return False
    return isinstance(raw, dict) and "ok" in raw and isinstance(raw.get("findings"), list)


def _parquet(data: bytes) -> bool:
    import io

    import pandas as pd

    try:
        pd.read_parquet(io.BytesIO(data))
    except Exception:
        return False
    return True


def _check_again(coop: str, v: Version, original: bytes) -> tuple[bytes, bytes | None]:
    """The report and normalised journal of a version, made again from its original bytes."""
    from workbook_tools.validate import check_file

    with tempfile.TemporaryDirectory(prefix="cahier-fsck-") as tmp:
        copy = Path(tmp) / (v.filename or "cahier.xlsx")
        copy.write_bytes(original)
        result = check_file(copy, expected_coop=coop)
    report = result.to_report(file=v.filename, sha256=v.sha256)
    text = json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str).encode("utf-8")
    return text, (journal_to_parquet(result.journal) if result.journal is not None else None)
