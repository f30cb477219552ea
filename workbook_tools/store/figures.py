"""The stored figures of every cooperative, read at once: what a consolidation needs (issue 16).

A consolidation needs, for every cooperative, its history (the manifests: statuses, dates, and the totals its check
computed) and, for the version whose figures count, three things of its check report: the cooperative's name, the
codes it found (a bank or cash balance below zero) and the totals of a version stored without them. Read one file
at a time, 10,000 cooperatives are ≈ 21,000 small files and as many JSON documents, the reports alone 2 KB each:
≈ 2 s before the first row is written. So the store keeps a **derived index** of them::

    index/figures/<id>.json     {"format": 2, "written_at": …, "supersedes": [<id>, …],
                                 "versions": [{"folder": <coop>, "manifest": {…}, "report": {…}}, …]}

Rules that keep it safe (the store's own, :mod:`workbook_tools.store`):

* **derived, never the truth**: the listing of ``coops/<coop>/manifests`` still says which versions exist; an entry
  is used only for a manifest that is listed, a listed version that no segment holds is read from its files. A
  manifest never changes once published, so an entry made from it stays right;
* **append-only**: a segment is written once, under a new name (hidden temporary name, then a rename that fails when
  the target exists), never changed nor deleted. A reader that had to read ≥ ``MIN_NEW`` versions from their files
  writes them as a new segment; past ``MAX_SEGMENTS`` segments it writes one holding everything, whose
  ``supersedes`` lists the segments it replaces (they are then no longer read). Two readers writing at once give
  two segments with the same entries: harmless;
* **rebuildable**: deleting ``index/`` loses nothing, the next consolidation reads the files and writes it again;
  a segment that cannot be read (cut short, not JSON) is skipped, its versions read from their files; a segment of
  an older format (an earlier cahier wrote it) too, silently, and the next segment written replaces it;
* **readable over WebDAV**: plain JSON files, read with one GET each, like the manifests. A store that cannot be
  written (read-only share, vanished marker) simply gets no index.

:func:`load` is the one entry point: ``load(store)`` → :class:`StoredFigures`, whose :meth:`~StoredFigures.standings`
gives where every cooperative stands for any exercice (this one, or the one before for N−1 figures) and
:meth:`~StoredFigures.report` the report figures of any version.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from workbook_tools.model import Severity, Totals
from workbook_tools.store.backends import LocalBackend
from workbook_tools.store.names import VERSION_PATTERN, new_version_id
from workbook_tools.store.standing import Standing, standing
from workbook_tools.store.version import ACCEPTED, DUPLICATE, REFUSED, Version
from workbook_tools.text import os_error

if TYPE_CHECKING:
    from workbook_tools.model import Report
    from workbook_tools.store import Store

log = logging.getLogger("cahier.store.figures")

INDEX = "index/figures"
INDEX_FORMAT = 2  # 2: the report figures hold the first findings and the cahier's own number (issue 14)
FIRST_FINDINGS = 3  # findings kept per version: the consolidation shows the first three
MIN_NEW = 100  # versions read from their files before a reader writes them down as a new segment
MAX_SEGMENTS = 32  # past this, a reader writes one segment holding everything
_WORKERS = 8  # parallel reads on a remote store (a local disk is faster read from one thread)


@dataclass(frozen=True)
class ReportFigures:
    """What a consolidation reads of one version's check report."""

    nom: str | None  # the cooperative's name (Paramètres)
    codes: frozenset[str]  # the finding codes of the check
    totals: Totals | None  # the totals the check computed (left out of the index where the manifest holds them)
    # the first findings (errors first, then warnings, in the report's order), each {code, severity, cell, message,
    # value}: why a version was refused, at a glance (issue 14)
    first: tuple[dict[str, Any], ...] = ()
    coop: str | None = None  # the cooperative number the cahier itself gives (Paramètres), whatever its folder
    cra: dict[str, int] = field(default_factory=dict)  # the CRA's headcounts (issue 14, items 6–7)
    quitus_manque: tuple[str, ...] | None = None  # what the quitus lacks (empty: signed; None: no annexes read)

    @classmethod
    def of(cls, report: Report) -> ReportFigures:
        nom = report.annexes.param("coop_nom") if report.annexes is not None else None
        ordered = sorted(
            report.findings, key=lambda f: f.severity is not Severity.ERROR
        )  # stable: the report's order kept
        first = tuple(
            {k: v for k, v in f.to_dict().items() if k in ("code", "severity", "cell", "message", "value")}
            for f in ordered[:FIRST_FINDINGS]
        )
        figures = cls(nom, frozenset(str(f.code) for f in report.findings), report.totals, first, report.coop)
        if report.annexes is not None:  # the CRA and the quitus (issue 14, items 6–7)
            figures = replace(figures, cra=dict(report.annexes.cra), quitus_manque=tuple(report.annexes.quitus.missing))
        return figures

    def to_dict(self, *, totals: bool = True) -> dict[str, Any]:
        """JSON-ready; ``totals=False`` leaves the totals out (the index's entry of a manifest that has them)."""
        return {
            "nom": self.nom,
            "codes": sorted(self.codes),
            "totals": self.totals.to_dict() if totals and self.totals is not None else None,
            "first": list(self.first),
            "coop": self.coop,
            "cra": dict(self.cra),
            "quitus_manque": list(self.quitus_manque) if self.quitus_manque is not None else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReportFigures:
        totals = data.get("totals")
        nom = data.get("nom")
        coop = data.get("coop")
        manque = data.get("quitus_manque")
        return cls(
            str(nom) if nom else None,
            frozenset(str(c) for c in data.get("codes") or ()),
            Totals.from_dict(totals) if totals else None,
            tuple(dict(f) for f in data.get("first") or () if isinstance(f, dict)),
            str(coop) if coop else None,
            {str(k): int(v) for k, v in (data.get("cra") or {}).items()},
            tuple(str(m) for m in manque) if isinstance(manque, list) else None,
        )


@dataclass
class StoredFigures:
    """Every cooperative's history, and the report figures of its versions (from the index, else read)."""

    store: Store
    histories: dict[str, list[Version]]  # coop folder → its versions, oldest first
    _reports: dict[tuple[str, str], ReportFigures | None] = field(default_factory=dict)
    _indexed: set[tuple[str, str]] = field(default_factory=set)  # versions some readable segment holds
    _segments: list[str] = field(default_factory=list)  # the segments read
    _outdated: list[str] = field(default_factory=list)  # older-format or unreadable segments: the next replaces them

    def standings(self, exercice: str) -> dict[str, Standing]:
        """Where every cooperative of the store stands for ``exercice``."""
        return {coop: standing(coop, history, exercice) for coop, history in self.histories.items()}

    def report(self, coop: str, version: Version) -> ReportFigures | None:
        """The report figures of ``version`` (for a duplicate: of the version it repeats); None when it has no
        readable report."""
        return self.reports([(coop, version)])[0]

    def reports(self, items: Sequence[tuple[str, Version]]) -> list[ReportFigures | None]:
        """:meth:`report` of each (coop, version), the missing ones read together."""
        keys = [(coop, _holder(v)) for coop, v in items]
        missing = list(dict.fromkeys(k for k in keys if k not in self._reports))
        read = _map(self.store, lambda key: _read_report(self.store, key[0], self._version(*key)), missing)
        for key, figures in zip(missing, read, strict=True):
            self._reports[key] = figures
        return [self._reports[k] for k in keys]

    def _version(self, coop: str, version: str) -> Version | str:
        """The manifest of ``version`` when the history holds it (no second listing to find it), else its id."""
        return next((v for v in self.histories.get(coop, ()) if v.version == version), version)

    def write_index(self) -> str | None:
        """Write down, as a new segment, the versions read from their files (when there are ≥ MIN_NEW of them), or
        everything (past MAX_SEGMENTS segments). The segment's name, None when none was written."""
        versions = [(coop, v) for coop, history in self.histories.items() for v in history]
        full = len(self._segments) >= MAX_SEGMENTS
        new = versions if full else [(c, v) for c, v in versions if (c, v.version) not in self._indexed]
        if len(new) < (1 if full or self._outdated else MIN_NEW):
            return None
        # accepted versions carry their report figures (the ones that can count); duplicates are read if ever needed
        # refused ones too (few): the consolidation shows why they were refused, and spots a cahier in the wrong folder
        wanted = [(c, v) for c, v in new if v.status in (ACCEPTED, REFUSED) and "report" in v.files]
        self.reports(wanted)
        entries = []
        raw = self.store._manifests  # the manifests as stored (a history may read one as the duplicate of another)
        for coop, v in new:
            entry: dict[str, Any] = {"folder": coop, "manifest": raw.get((coop, v.version), v).to_dict()}
            if (coop, v.version) in self._reports:
                figures = self._reports[(coop, v.version)]
                entry["report"] = figures.to_dict(totals=v.totals is None) if figures is not None else None
            entries.append(entry)
        name = new_version_id()
        segment = {
            "format": INDEX_FORMAT,
            "written_at": datetime.now(UTC).isoformat(),
            "supersedes": [*(self._segments if full else []), *self._outdated],
            "versions": entries,
        }
        data = json.dumps(segment, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        backend = self.store._backend
        try:
            if not backend.exists("cahier-store.json"):  # never a tree where the store has vanished
                return None
            backend.makedirs(INDEX)
            if not backend.put_new(f"{INDEX}/{name}.json", data):
                return None
        except Exception as exc:  # a read-only share, a full disk: the index is only a shortcut
            log.info("index des chiffres non écrit dans %s : %s", self.store.display_url, exc)
            return None
        log.debug("index des chiffres : %d versions écrites dans %s/%s.json", len(entries), INDEX, name)
        return name


def load(store: Store, coops: Sequence[str] | None = None, *, index: bool = True) -> StoredFigures:
    """Every cooperative's history (``coops``, default: all the store's; listing its manifests, reading only those
    no index segment holds) and the report figures the index holds. ``index=False`` reads every manifest from its
    file (what the index saves)."""
    figures = StoredFigures(store, {})
    if index:
        _read_index(store, figures)
    coops = store.coops() if coops is None else coops
    figures.histories = dict(zip(coops, _map(store, store.history, coops), strict=True))
    return figures


# --------------------------------------------------------------------------- reading


class _Newer(ValueError):
    """A segment of a later format than this cahier reads."""


def _older(fmt: object) -> bool:
    return isinstance(fmt, int) and not isinstance(fmt, bool) and 1 <= fmt < INDEX_FORMAT


def _read_index(store: Store, figures: StoredFigures) -> None:
    backend = store._backend
    try:
        names = [n for n in backend.list(INDEX) if n.endswith(".json") and VERSION_PATTERN.fullmatch(n[:-5])]
    except Exception as exc:
        log.info("index des chiffres illisible dans %s : %s", store.display_url, exc)
        return
    superseded: set[str] = set()
    manifests: dict[tuple[str, str], Version] = {}
    for name in sorted(names, reverse=True):  # newest first: a full segment names the ones it replaces
        stem = name[:-5]
        if stem in superseded:
            continue
        try:
            segment = json.loads(backend.read(f"{INDEX}/{name}"))
            if not isinstance(segment, dict):
                raise ValueError("ce n'est pas un segment d'index")
            if _older(segment.get("format")):  # written by an earlier cahier: its versions are read from their
                log.debug("segment d'index %s/%s d'un format antérieur : remplacé", INDEX, name)  # files, then
                figures._outdated.append(stem)  # written down again in a segment that replaces it
                continue
            if segment.get("format") != INDEX_FORMAT:  # a later cahier's: left as it is, for it
                raise _Newer(f"format {segment.get('format')}, d'une version plus récente de cahier")
            entries = segment["versions"]
            superseded.update(str(s) for s in segment.get("supersedes") or ())
        except _Newer as exc:
            log.info("segment d'index %s/%s ignoré (%s) : ses versions sont relues depuis leurs fichiers", INDEX, name,
                     exc)  # fmt: skip
            continue
        except Exception as exc:  # cut short, not JSON: its versions are read from their files, then written down
            reason = "fichier coupé ou abîmé" if isinstance(exc, json.JSONDecodeError | UnicodeDecodeError) else (
                os_error(exc) if isinstance(exc, OSError) else str(exc))  # fmt: skip
            log.warning(
                "segment d'index illisible %s/%s (%s) : ses versions sont relues depuis leurs fichiers, et le prochain "
                "segment écrit le remplace (rien à faire)", INDEX, name, reason,
            )  # fmt: skip
            figures._outdated.append(stem)  # again in a segment that replaces it: said once, not at every command
            continue
        figures._segments.append(stem)
        for entry in entries:
            try:
                coop = str(entry["folder"])
                version = Version.from_dict(entry["manifest"])
                if version.status not in (ACCEPTED, REFUSED, DUPLICATE) or not isinstance(version.files, dict):
                    raise ValueError(f"statut {version.status!r}")
                report = entry.get("report", ...)
                figures_of = None if report is None or report is ... else ReportFigures.from_dict(report)
            except Exception as exc:  # one bad entry: that version is read from its files
                log.warning("entrée d'index illisible dans %s/%s : %s", INDEX, name, exc)
                continue
            key = (coop, version.version)
            manifests[key] = version
            figures._indexed.add(key)
            if report is not ...:
                figures._reports[key] = figures_of
    with store._lock:  # the store's cache of manifests: history() lists each folder and takes these as read
        for key, version in manifests.items():
            store._manifests.setdefault(key, version)


def _holder(v: Version) -> str:
    """The version whose files hold ``v``'s report: itself, or for a duplicate the version it repeats."""
    return v.duplicate_of if v.status == DUPLICATE and v.duplicate_of else v.version


def _read_report(store: Store, coop: str, version: Version | str) -> ReportFigures | None:
    try:
        report = store.read_report(coop, version)
    except (OSError, ValueError) as exc:
        log.info("rapport illisible pour %s, version %s : %s", coop, version, exc)
        return None
    return ReportFigures.of(report) if report is not None else None


def _map(store: Store, fn: Any, items: Iterable[Any]) -> list[Any]:
    """``fn`` over ``items``: in this thread on a local disk (the reads are cheap, threads would only contend),
    through a pool of threads on a remote store (each read waits for the server)."""
    items = list(items)
    if isinstance(store._backend, LocalBackend) or len(items) < 2:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(_WORKERS) as pool:
        return list(pool.map(fn, items))
