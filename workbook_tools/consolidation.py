"""The department's consolidated figures and workbook: one row per cooperative, chapter matrices, alerts.

Built from the store alone. For each cooperative: its manifests (status, dates) and,
for the current version, the totals its check summed from the normalised journal at
ingest (chapters, bank and cash movements, opening balances: stored in the manifest)
and its stored report (name, findings). No journal is re-read and no workbook is
opened, so a thousand cooperatives consolidate in a fraction of a second; a version
stored without totals is computed from its journal. Money is integer cents.

The stored figures are loaded by :func:`workbook_tools.store.figures.load` (one call: every history, and the
report figures kept in the store's derived index, ``index/figures/``): ten thousand cooperatives are read in a
fraction of a second instead of 21,000 small files. ``loaded.standings(exercice)`` gives any exercice's standings
the same way (last year's for N−1 figures).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from workbook_tools.alertes import TREASURER_ALERTS, Seuils, treasurer_alerts
from workbook_tools.bilan import (
    BilanError,
    Discontinuite,
    Precedent,
    chapter_list,
    discontinuities,
    exercice_of,
)
from workbook_tools.bulk import bulk
from workbook_tools.chart import Chart, default_chart
from workbook_tools.files import atomic_path
from workbook_tools.model import CRA_KEYS, Code, Report, Totals, known_code
from workbook_tools.store import COOP_PATTERN, Store, Version, coop_key
from workbook_tools.store import figures as stored_figures
from workbook_tools.store.backends import LocalBackend
from workbook_tools.store.figures import ReportFigures, StoredFigures
from workbook_tools.store.standing import Standing, Status, counts_for, latest_accepted, sent_date, standing
from workbook_tools.store.version import DUPLICATE, REFUSED
from workbook_tools.text import count, date, euros, fold, os_error

# Alert codes: what the departmental treasurer looks at first.
ALERTS: dict[str, str] = {
    "MANQUANTE": "Aucun cahier reçu pour l'exercice.",
    "REFUSEE": "Aucune version acceptée : le dernier cahier reçu a été refusé.",
    "VERSION_REFUSEE": "Une version plus récente a été refusée : les chiffres sont ceux de la dernière version acceptée.",
    "RETARD": "Compte-rendu enregistré après la date limite (date du fichier, ou de sa réception si elle est plus tôt).",
    "AUTRE_DOSSIER": "Un cahier de cette coopérative a été déposé dans le dossier d'une autre : il n'a pas été enregistré.",
    "DEFICIT": "L'exercice est en déficit.",
    "BANQUE_NEGATIVE": "Le compte bancaire est passé en dessous de zéro.",
    "CAISSE_NEGATIVE": "La caisse est passée en dessous de zéro.",
    "RAPPROCHEMENT_MANQUANT": "Pas de solde du relevé bancaire au 31 août : rapprochement impossible.",
    # the same code and title as the teacher's finding: this year's opening ≠ last year's accepted closing
    Code.REPORT_DISCONTINUITY.value: Code.REPORT_DISCONTINUITY.titre,
    **TREASURER_ALERTS,  # what a treasurer hunts for (issue 14, item 5): workbook_tools.alertes
}
FIGURES = ("ouverture", "produits", "charges", "resultat", "cloture")


@dataclass(frozen=True)
class Alert:
    coop: str
    code: str
    message: str

    @property
    def titre(self) -> str:
        return ALERTS[self.code]


@dataclass(frozen=True)
class Constat:
    """One finding of a cooperative's check, as the treasurer reads it: its title in French words and its cell."""

    code: str
    titre: str
    severity: str  # error | warning
    cell: str | None
    message: str

    @property
    def texte(self) -> str:
        """« Titre (Journal!C12) »."""
        titre = self.titre.rstrip(". ")
        return f"{titre} ({self.cell})" if self.cell else titre

    @classmethod
    def of(cls, data: dict[str, Any]) -> Constat:
        code = str(data.get("code") or "")
        known = known_code(code)
        return cls(
            code,
            known.titre if known is not None else code,
            str(data.get("severity") or "error"),
            str(data["cell"]) if data.get("cell") else None,
            str(data.get("message") or ""),
        )


@dataclass(frozen=True)
class Misplaced:
    """A cahier saved in another cooperative's folder: refused there, it belongs to ``owner``."""

    owner: str  # the cooperative number the cahier gives
    folder: str  # the folder's cooperative
    version: str
    filename: str
    received_at: str
    saved_at: str | None  # the file's time, when the sync client kept it


@dataclass
class CoopRow:
    """One cooperative in the consolidation. Money in cents; None when there are no accepted figures."""

    coop: str
    nom: str | None
    status: Status
    in_roster: bool | None = None  # None when no roster was given
    version: str | None = None
    received_at: str | None = None
    sent_on: dt.date | None = None  # saved by the teacher (file time), when earlier than the reception
    filename: str | None = None
    late: bool = False
    refused_version: str | None = None
    refused_at: str | None = None
    refused_errors: int | None = None
    warnings: int = 0
    totals: Totals | None = None  # the figures of the current version, as its check computed them
    banque_negative: bool = False  # below zero at some point of the year
    caisse_negative: bool = False
    chapitres: dict[str, int] = field(default_factory=dict)  # every chapter of the consolidation, 0 when absent
    alerts: list[Alert] = field(default_factory=list)
    precedent: Precedent | None = None  # last year's accepted figures (N−1), when the store holds them
    discontinuites: list[Discontinuite] = field(default_factory=list)  # this year's opening ≠ last year's closing
    # issue 14: why, not just that; the dates; the roster's own columns
    saved_at: str | None = None  # the file's modification time at reception (« Enregistré le »), ISO UTC
    checked_version: str | None = None  # the version the counts and findings below are of (refused one, else current)
    errors: int = 0
    checked_warnings: int = 0
    constats: list[Constat] = field(default_factory=list)  # its first findings, errors first
    report_link: str | None = None  # the stored check report, when the store is a folder or a web address
    misplaced: list[Misplaced] = field(default_factory=list)  # its cahiers saved in another cooperative's folder
    extra: dict[str, str] = field(default_factory=dict)  # the roster's other columns (commune, e-mail…)
    # issue 14, items 5–7: the finding codes, CRA headcounts and quitus of the version that counts
    codes: frozenset[str] = frozenset()
    cra: dict[str, int] = field(default_factory=dict)
    quitus_manque: tuple[str, ...] | None = None  # what the quitus lacks: () signed, None unknown (no annexes)

    @property
    def quitus_fr(self) -> str:
        """« signé », « non signé », or empty when nothing is known."""
        if self.quitus_manque is None:
            return ""
        return "non signé" if self.quitus_manque else "signé"

    @property
    def has_figures(self) -> bool:
        return self.totals is not None

    @property
    def banque_fin(self) -> int | None:
        return None if self.totals is None else self.totals.banque_fin

    @property
    def caisse_fin(self) -> int | None:
        return None if self.totals is None else self.totals.caisse_fin

    @property
    def releve_31_08(self) -> int | None:
        return None if self.totals is None else self.totals.releve_31_08

    @property
    def status_fr(self) -> str:
        return self.status.fr


def _figures(t: Totals | None) -> dict[str, int | None]:
    """Opening, produits, charges, résultat, closing (banque + caisse at 31 August) of one cahier's figures."""
    if t is None:
        return dict.fromkeys(FIGURES, None)
    return {
        "ouverture": t.report,
        "produits": t.produits,
        "charges": t.charges,
        "resultat": t.resultat,
        "cloture": t.disponible_fin,
    }


@dataclass
class Consolidation:
    exercice: str
    generated_at: str
    store: str
    chapitres: list[tuple[str, str, str]]  # (code, label, sens)
    rows: list[CoopRow]
    roster: bool = False
    deadline: dt.date | None = None  # the CRF's deadline the lateness is judged against (default: 30 September)
    roster_columns: list[str] = field(default_factory=list)  # the roster's columns besides number and name, in order
    seuils: Seuils = field(default_factory=Seuils)  # the treasurer's thresholds (issue 14, item 5)

    def cra_totals(self) -> dict[str, int]:
        """The department's CRA: each headcount summed over the cooperatives with accepted figures, and how many
        cooperatives gave it (``<key>_cooperatives``) — an empty CRA is not a zero."""
        out: dict[str, int] = {}
        for key in CRA_KEYS:
            given = [r.cra[key] for r in self.rows if r.has_figures and key in r.cra]
            out[key] = sum(given)
            out[f"{key}_cooperatives"] = len(given)
        return out

    @property
    def due(self) -> dt.date:
        """The deadline « En retard » is judged against: ``--echeance``, else 30 September after the year end."""
        return self.deadline or exercice_of(self.exercice).deadline

    @property
    def due_text(self) -> str:
        """« au plus tard le 15/09/2026 »: the one deadline sentence of the workbook, the alerts and the relances
        (a cahier saved on that day is on time)."""
        return f"au plus tard le {self.due:%d/%m/%Y}"

    @property
    def exercice_precedent(self) -> str:
        """Last year (N−1), written ``2024-2025``."""
        return str(exercice_of(self.exercice).previous)

    def figures(self, row: CoopRow) -> dict[str, int | None]:
        """Opening, produits, charges, résultat, closing (banque + caisse at 31 August)."""
        return _figures(row.totals)

    def figures_precedent(self, row: CoopRow) -> dict[str, int | None]:
        """The same figures for last year (N−1): all None when the store holds no accepted version of it."""
        return _figures(row.precedent.totals if row.precedent is not None else None)

    def variation(self, row: CoopRow) -> dict[str, int | None]:
        """This year's figures − last year's; None where one of the two is missing."""
        now, before = self.figures(row), self.figures_precedent(row)
        return {k: None if now[k] is None or before[k] is None else now[k] - before[k] for k in FIGURES}  # type: ignore[operator]

    @property
    def has_precedent(self) -> bool:
        """True when the store holds last year's accepted figures of at least one cooperative here."""
        return any(r.precedent is not None for r in self.rows)

    @property
    def alerts(self) -> list[Alert]:
        return [a for r in self.rows for a in r.alerts]

    @property
    def missing(self) -> list[CoopRow]:
        return [r for r in self.rows if r.status is Status.MISSING]

    def counts(self) -> dict[Status, int]:
        out = dict.fromkeys(Status, 0)
        for r in self.rows:
            out[r.status] += 1
        return out

    def totals(self) -> dict[str, Any]:
        """Department totals over the cooperatives with accepted figures; ``precedent``: last year's (N−1), over the
        cooperatives with accepted figures for it; ``variation``: this year's − last year's."""
        sums = dict.fromkeys(FIGURES, 0)
        chapitres = {code: 0 for code, _, _ in self.chapitres}
        before = dict.fromkeys(FIGURES, 0)
        chapitres_before = {code: 0 for code, _, _ in self.chapitres}
        for r in self.rows:
            if r.has_figures:
                for k, v in self.figures(r).items():
                    sums[k] += v or 0
                for code, v in r.chapitres.items():
                    chapitres[code] = chapitres.get(code, 0) + v
            if r.precedent is not None:
                for k, v in self.figures_precedent(r).items():
                    before[k] += v or 0
                for code, v in r.precedent.totals.chapitres.items():
                    chapitres_before[code] = chapitres_before.get(code, 0) + v
        precedent = {
            "exercice": self.exercice_precedent,
            **before,
            "chapitres": chapitres_before,
            "cooperatives": sum(r.precedent is not None for r in self.rows),
        }
        return {
            **sums,
            "chapitres": chapitres,
            "cooperatives": len(self.rows),
            "statuts": self.counts(),
            "precedent": precedent,
            "variation": {k: sums[k] - before[k] for k in FIGURES} if self.has_precedent else None,  # no N−1: none
            "cra": self.cra_totals(),
            "quitus_signes": sum(r.quitus_manque == () for r in self.rows if r.has_figures),
        }

    @bulk()
    def to_dict(self) -> dict[str, Any]:
        """The same figures as the workbook, JSON-ready (money in integer cents)."""
        return {
            "exercice": self.exercice,
            "exercice_precedent": self.exercice_precedent,
            "generated_at": self.generated_at,
            "store": self.store,
            "roster": self.roster,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "roster_columns": self.roster_columns,
            "chapitres": [{"code": c, "libelle": lib, "sens": s} for c, lib, s in self.chapitres],
            "totals": self.totals(),
            "cooperatives": [
                {
                    "coop": r.coop,
                    "nom": r.nom,
                    "status": r.status,
                    "in_roster": r.in_roster,
                    "version": r.version,
                    "received_at": r.received_at,
                    "sent_on": r.sent_on.isoformat() if r.sent_on else None,
                    "filename": r.filename,
                    "late": r.late,
                    "refused_version": r.refused_version,
                    "refused_at": r.refused_at,
                    "warnings": r.warnings,
                    **self.figures(r),
                    "banque_fin": r.banque_fin,
                    "caisse_fin": r.caisse_fin,
                    "releve_31_08": r.releve_31_08,
                    "chapitres": r.chapitres if r.has_figures else None,
                    "alerts": [a.code for a in r.alerts],
                    "precedent": self._precedent_dict(r),
                    "variation": self.variation(r) if r.has_figures and r.precedent is not None else None,
                    "discontinuites": [{**asdict(d), "ecart": d.ecart} for d in r.discontinuites],
                    "saved_at": r.saved_at,
                    "checked": {
                        "version": r.checked_version,
                        "errors": r.errors,
                        "warnings": r.checked_warnings,
                        "findings": [asdict(k) for k in r.constats],
                        "report": r.report_link,
                    }
                    if r.checked_version
                    else None,
                    "misplaced": [asdict(m) for m in r.misplaced],
                    "extra": r.extra,
                    "cra": dict(r.cra),
                    "quitus": r.quitus_fr or None,
                }
                for r in self.rows
            ],
            "alerts": [{"coop": a.coop, "code": a.code, "titre": a.titre, "message": a.message} for a in self.alerts],
            "missing": [r.coop for r in self.missing],
        }

    def _precedent_dict(self, r: CoopRow) -> dict[str, Any] | None:
        p = r.precedent
        if p is None:
            return None
        t = p.totals
        return {
            "version": p.version,
            "received_at": p.received_at,
            **self.figures_precedent(r),
            "banque_fin": t.banque_fin,
            "caisse_fin": t.caisse_fin,
            "chapitres": dict(t.chapitres),
        }


# --------------------------------------------------------------------------- roster


@dataclass
class Roster:
    """The expected cooperatives as the roster lists them: number, name and every other column, in order."""

    columns: list[str]  # the headers of the other columns (commune, circonscription, e-mail…), as written
    entries: list[tuple[str, str | None, dict[str, str]]]  # (coop, nom, {column: value})

    def pairs(self) -> list[tuple[str, str | None]]:
        return [(coop, nom) for coop, nom, _ in self.entries]


def read_roster(path: str | os.PathLike[str]) -> list[tuple[str, str | None]]:
    """The expected cooperatives: a CSV with ``coop`` and ``nom`` columns (``,`` or ``;``, BOM tolerated).

    Raises :class:`BilanError` with a French message when it cannot be read.
    """
    return read_roster_table(path).pairs()


def read_roster_table(path: str | os.PathLike[str]) -> Roster:
    """:func:`read_roster` with the roster's other columns kept (any header, in the file's order)."""
    source = Path(path)
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise BilanError(f"Liste des coopératives illisible : {source} ({os_error(exc)}).") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise BilanError(f"Liste des coopératives illisible : {source} n'est pas un fichier CSV.")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise BilanError(f"Liste des coopératives vide : {source}.")
    first = lines[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    header = [fold(h).strip() for h in rows[0]]
    coop_col = next((i for i, h in enumerate(header) if h in ("coop", "cooperative", "numero", "no", "n")), None)
    if coop_col is None:
        raise BilanError(
            f"Liste des coopératives illisible : {source} n'a pas de colonne « coop » "
            f"(en-tête lu : {', '.join(rows[0])}). Attendu par exemple : coop;nom"
        )
    nom_col = next((i for i, h in enumerate(header) if h in ("nom", "ecole", "name")), None)
    others: list[tuple[int, str]] = []
    for i, h in enumerate(rows[0]):
        if i in (coop_col, nom_col):
            continue
        name = base = h.strip() or f"Colonne {i + 1}"
        n = 1
        while fold(name) in {fold(o) for _, o in others} or fold(name) in RELANCE_COLUMNS:
            n += 1  # a header given twice (« commune ;commune »): both kept, the second « commune (2) »
            name = f"{base} ({n})"
        others.append((i, name))
    out: list[tuple[str, str | None, dict[str, str]]] = []
    seen: dict[str, tuple[int, str]] = {}  # coop_key → (line, name) of its first listing
    for n, row in enumerate(rows[1:], start=2):
        coop = row[coop_col].strip() if coop_col < len(row) else ""
        if not coop:
            continue
        if not COOP_PATTERN.fullmatch(coop):
            raise BilanError(f"Liste des coopératives : ligne {n}, numéro invalide « {coop} ».")
        nom = row[nom_col].strip() if nom_col is not None and nom_col < len(row) else ""
        if coop_key(coop) in seen:
            line, first = seen[coop_key(coop)]
            if fold(first).strip() != fold(nom).strip():
                raise BilanError(
                    f"Liste des coopératives {source} : la coopérative {coop} est listée deux fois avec des noms "
                    f"différents, ligne {line} (« {first} ») et ligne {n} (« {nom} ») : gardez une seule ligne."
                )
            continue  # listed twice under the same name: once is enough
        seen[coop_key(coop)] = (n, nom)
        extra = {h: (row[i].strip() if i < len(row) else "") for i, h in others}
        out.append((coop, nom or None, extra))
    if not out:  # a header and nothing under it: never a consolidation that silently ignores the roster
        raise BilanError(f"Liste des coopératives vide : {source} n'a que sa ligne d'en-tête, aucune coopérative.")
    return Roster([h for _, h in others], out)


# --------------------------------------------------------------------------- deadline, relances (issue 14)


def parse_deadline(text: str, exercice: str) -> dt.date:
    """The CRF's deadline as the treasurer types it: ``JJ/MM`` (the first such day after the year end, 31 August)
    or a whole date ``JJ/MM/AAAA`` (or ``AAAA-MM-JJ``), within the year after the exercice's end (end excluded, the
    same day a year later included). :class:`BilanError` with a French message otherwise."""
    raw = text.strip()
    end = exercice_of(exercice).end
    when: dt.date | None = None
    try:
        if "-" in raw:
            when = dt.date.fromisoformat(raw)
        else:
            parts = [int(p) for p in raw.split("/")]
            if len(parts) == 3:
                when = dt.date(parts[2], parts[1], parts[0])
            elif len(parts) == 2:
                day, month = parts
                year = end.year if (month, day) > (end.month, end.day) else end.year + 1
                when = dt.date(year, month, day)
    except ValueError:
        pass
    if when is None:
        raise BilanError(f"Date limite illisible « {text} » : attendu JJ/MM (par exemple 30/09) ou JJ/MM/AAAA.")
    last = end.replace(year=end.year + 1)
    if not end < when <= last:
        raise BilanError(
            f"Date limite « {text} » hors de l'année qui suit l'exercice {exercice} : attendu une date du "
            f"{end + dt.timedelta(days=1):%d/%m/%Y} au {last:%d/%m/%Y}."
        )
    return when


RELANCE_COLUMNS = ("coop", "nom", "motif", "detail")


def relances(c: Consolidation) -> list[dict[str, str]]:
    """The cooperatives to write to: missing, refused (no accepted version, or a newer version refused) and late,
    each with why and the roster's columns (its contacts), for a mail merge. One row per cooperative."""
    out: list[dict[str, str]] = []
    when = f"{c.due:%d/%m/%Y}"
    for r in c.rows:
        first = next((k for k in r.constats if k.severity == "error"), None)
        why = f"{first.texte} ; {count(r.errors, 'erreur')} en tout" if first is not None else ""
        if r.status is Status.MISSING:
            motif, detail = "manquant", f"aucun cahier de l'exercice {c.exercice} reçu (attendu {c.due_text})"
        elif r.status is Status.REFUSED:
            motif, detail = "refusé", why
        elif r.status is Status.REFUSED_NEWER:
            motif, detail = "nouvelle version refusée", why
        elif r.late:
            motif, detail = "en retard", f"enregistré le {r.sent_on:%d/%m/%Y}, après le {when}" if r.sent_on else ""
        else:
            continue
        if r.late and r.status in (Status.REFUSED, Status.REFUSED_NEWER):
            motif += ", en retard"
        out.append({**r.extra, "coop": r.coop, "nom": r.nom or "", "motif": motif, "detail": detail})
    return out


def write_relances(c: Consolidation, path: str | os.PathLike[str]) -> Path:
    """:func:`relances` as a CSV French Excel opens as is: UTF-8 with a BOM, ``;`` between columns; complete or
    not at all. The roster's columns follow ``coop;nom;motif;detail`` under their own headers."""
    target = Path(path)
    columns = [*RELANCE_COLUMNS, *(k for k in c.roster_columns if k not in RELANCE_COLUMNS)]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, delimiter=";", lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(relances(c))
    with atomic_path(target) as tmp:
        tmp.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return target


# --------------------------------------------------------------------------- consolidation


@bulk()
def consolidate(
    store: Store,
    exercice: str | None = None,
    *,
    roster: Iterable[tuple[str, str | None]] | Roster | str | os.PathLike[str] | None = None,
    chart: Chart | None = None,
    deadline: dt.date | str | None = None,
    seuils: Seuils | None = None,
) -> Consolidation:
    """Gather every cooperative of the store (and of the roster) for ``exercice`` (default: the latest exercice with
    an accepted version), with each one's figures of the exercice before (N−1) when the store holds them; a
    cooperative that sent last year's cahier and nothing yet for this one is listed as missing."""
    chart = chart or default_chart()
    table = read_roster_table(roster) if isinstance(roster, str | os.PathLike) else roster
    if not isinstance(table, Roster):
        table = Roster([], [(coop, nom, {}) for coop, nom in table or []])
    expected = table.pairs()
    extras = {coop_key(coop): extra for coop, _, extra in table.entries}
    coops = store.coops()
    if not coops and not expected:
        raise BilanError(f"Le dépôt {store.display_url} est vide : aucune coopérative n'a encore envoyé de cahier.")
    loaded = stored_figures.load(store, coops)  # every history, and the report figures of the store's index
    histories = loaded.histories
    if exercice is None:
        exercice = latest_accepted([v for h in histories.values() for v in h])
        if exercice is None:
            raise BilanError(f"Le dépôt {store.display_url} ne contient aucune version acceptée.")
    exercice = str(exercice_of(exercice))
    deadline = parse_deadline(deadline, exercice) if isinstance(deadline, str) else deadline
    deadline = deadline or exercice_of(exercice).deadline
    misplaced = _misplaced(loaded, exercice)  # never counted for the folder's cooperative
    moved = {(m.folder, m.version) for ms in misplaced.values() for m in ms}
    standings = {
        c: standing(c, [v for v in h if (c, v.version) not in moved and (c, v.duplicate_of) not in moved], exercice)
        for c, h in histories.items()
    }
    if not any(s.submissions for s in standings.values()):  # a mistyped exercice: never an empty workbook
        present = sorted({v.exercice for h in histories.values() for v in h if v.exercice})
        seen = f" (exercices reçus : {', '.join(present)})" if present else ""
        raise BilanError(
            f"Aucun cahier de l'exercice {exercice} dans le dépôt {store.display_url}{seen} : vérifiez l'exercice."
        )

    by_key = {coop_key(c): c for c in coops}
    names: dict[str, str | None] = {}
    rows: list[CoopRow] = []
    listed: set[str] = set()
    for coop, nom in expected:
        stored = by_key.get(coop_key(coop))
        where = standings.get(stored) if stored else None
        if where is None:
            where = Standing(coop, exercice, None, None, 0)
        rows.append(_row(where, nom, in_roster=True, deadline=deadline))
        listed.add(where.coop)
        names[where.coop] = nom
    precedents = _precedents(loaded, exercice)
    for coop in coops:
        where = standings[coop]
        if coop in listed or (where.submissions == 0 and coop not in precedents):
            continue
        rows.append(_row(where, None, in_roster=False if expected else None, deadline=deadline))
        listed.add(coop)
    known = {coop_key(r.coop) for r in rows}
    for key, ms in misplaced.items():  # the owner of a misplaced cahier, known from nothing else: listed, missing
        if key not in known:
            owner = ms[0].owner
            rows.append(_row(Standing(owner, exercice, None, None, 0), None, in_roster=False if expected else None,
                             deadline=deadline))  # fmt: skip
    for r in rows:
        r.misplaced = misplaced.get(coop_key(r.coop), [])
        r.extra = dict(extras.get(coop_key(r.coop), dict.fromkeys(table.columns, "")))
    for r in rows:
        r.precedent = precedents.get(r.coop)
    rows.sort(key=lambda r: _sort_key(r.coop))

    current = [(r, standings[r.coop].current) for r in rows if r.coop in standings and standings[r.coop].current]
    reports = loaded.reports([(r.coop, version) for r, version in current if version is not None])
    codes = [c.code for c in chart.chapitres]
    for (r, version), report in zip(current, reports, strict=True):
        assert version is not None
        _fill(r, version, report)
        codes += [k for k in r.chapitres if k not in codes]
    for r in rows:
        if r.precedent is not None:
            codes += [k for k in r.precedent.totals.chapitres if k not in codes]
        if r.totals is not None and r.precedent is not None:
            r.discontinuites = discontinuities(r.totals, r.precedent.totals)
    _name_from_last_year(loaded, rows)
    for r, _ in current:
        r.chapitres = {code: r.chapitres.get(code, 0) for code in codes}
    result = Consolidation(
        exercice=exercice,
        generated_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        store=store.display_url,
        chapitres=chapter_list(codes, chart),
        rows=rows,
        roster=bool(expected),
        deadline=deadline,
        roster_columns=list(table.columns),
        seuils=seuils or Seuils(),
    )
    _fill_checks(store, loaded, rows, standings)
    for r in rows:
        r.alerts = _misplaced_alerts(r) + _alerts(result, r, exercice)
    loaded.write_index()  # the next consolidation reads in one file what this one read file by file
    return result


def _sort_key(coop: str) -> tuple[int, int, str]:
    return (0, int(coop), coop) if coop.isdigit() else (1, 0, coop)


def _row(where: Standing, nom: str | None, *, in_roster: bool | None, deadline: dt.date) -> CoopRow:
    row = CoopRow(where.coop, nom, where.status, in_roster=in_roster)
    if where.current is not None:
        v = where.current
        row.version, row.received_at, row.filename = v.version, v.received_at, v.filename
        row.saved_at = v.source_mtime
        row.late = sent_date(v) > deadline  # the one lateness rule (store.standing), against this deadline
        row.sent_on = sent_date(v)
        row.warnings = v.warnings
        row.totals = v.totals
    if where.refused is not None:
        row.refused_version, row.refused_at = where.refused.version, where.refused.received_at
        row.refused_errors = where.refused.errors
        if where.current is None:  # nothing accepted: the refused cahier's own dates, file and lateness
            v = where.refused
            row.received_at, row.filename, row.saved_at = v.received_at, v.filename, v.source_mtime
            row.sent_on = sent_date(v)
            row.late = row.sent_on > deadline
    return row


def _alerts(c: Consolidation, r: CoopRow, exercice: str) -> list[Alert]:
    out: list[Alert] = []
    when = f"{c.due:%d/%m/%Y}"

    def add(code: str, message: str) -> None:
        out.append(Alert(r.coop, code, message))

    if r.status is Status.MISSING:
        add("MANQUANTE", f"Aucun cahier de l'exercice {exercice} n'a été reçu (attendu {c.due_text}).")
        return out
    if r.status is Status.REFUSED:
        add(
            "REFUSEE",
            "Tous les cahiers reçus pour cet exercice ont été refusés : aucun chiffre n'est disponible." + _why(r),
        )
        if r.late:
            add("RETARD", f"Cahier refusé enregistré le {r.sent_on:%d/%m/%Y}, après la date limite du {when}.")
        return out
    if r.status is Status.REFUSED_NEWER:
        at = _fr_date(r.refused_at)
        add(
            "VERSION_REFUSEE",
            f"Le cahier reçu le {at} a été refusé ({count(r.refused_errors or 0, 'erreur')}) : les chiffres sont ceux de "
            f"la version acceptée du {_fr_date(r.received_at)}." + _why(r),
        )
    if r.late:
        add("RETARD", f"Version retenue enregistrée le {r.sent_on:%d/%m/%Y}, après la date limite du {when}.")
    fig = c.figures(r)
    if (fig["resultat"] or 0) < 0:
        add("DEFICIT", f"Résultat de l'exercice : {euros(fig['resultat'])}.")
    if r.banque_negative:
        add(
            "BANQUE_NEGATIVE",
            f"Le compte bancaire est passé sous zéro pendant l'année ; au 31 août : {euros(r.banque_fin)}.",
        )
    if r.caisse_negative:
        add("CAISSE_NEGATIVE", f"La caisse est passée sous zéro pendant l'année ; au 31 août : {euros(r.caisse_fin)}.")
    if r.releve_31_08 is None:
        add("RAPPROCHEMENT_MANQUANT", "Le solde du relevé bancaire au 31 août n'est pas saisi (Paramètres).")
    if r.discontinuites:
        before = c.exercice_precedent
        details = " ; ".join(d.texte(before) for d in r.discontinuites)
        add(Code.REPORT_DISCONTINUITY.value, f"{details[0].upper()}{details[1:]}.")
    if r.totals is not None:  # issue 14, item 5: workbook_tools.alertes
        for code, message in treasurer_alerts(r.totals, r.codes, r.cra, r.quitus_manque, c.seuils):
            add(code, message)
    return out


def _why(r: CoopRow) -> str:
    """« Première erreur : … (Journal!C12). », from the refused version's first finding."""
    first = next((k for k in r.constats if k.severity == "error"), None)
    return f" Première erreur : {first.texte}." if first is not None else ""


def _misplaced_alerts(r: CoopRow) -> list[Alert]:
    """The cooperative's cahiers found in another's folder: an alert on it, never on the folder's cooperative."""
    out = []
    for m in r.misplaced:
        saved = f", enregistré le {date(m.saved_at)}" if m.saved_at else ""
        out.append(
            Alert(
                r.coop,
                "AUTRE_DOSSIER",
                f"Cahier « {m.filename} »{saved}, reçu le {date(m.received_at)} : déposé dans le dossier de "
                f"{m.folder}, il a été refusé et n'est pas compté. À déposer dans le dossier de la coopérative "
                f"{r.coop}.",
            )
        )
    return out


def _misplaced(loaded: StoredFigures, exercice: str) -> dict[str, list[Misplaced]]:
    """The refused submissions of ``exercice`` whose check found the cahier is another cooperative's (COOP_MISMATCH,
    the cahier's own number in its report), by the owner's :func:`coop_key`."""
    candidates = [
        (coop, v)
        for coop, history in loaded.histories.items()
        for v in history
        if v.status == REFUSED and v.errors and "report" in v.files and counts_for(v, exercice)
    ]
    out: dict[str, list[Misplaced]] = {}
    for (folder, v), report in zip(candidates, loaded.reports(candidates), strict=True):
        if report is None or Code.COOP_MISMATCH.value not in report.codes or not report.coop:
            continue
        owner = report.coop.strip()
        if not COOP_PATTERN.fullmatch(owner) or coop_key(owner) == coop_key(folder):
            continue
        out.setdefault(coop_key(owner), []).append(
            Misplaced(owner, folder, v.version, v.filename, v.received_at, v.source_mtime)
        )
    return out


def _fill_checks(store: Store, loaded: StoredFigures, rows: list[CoopRow], standings: dict[str, Standing]) -> None:
    """Each row's counts and first findings: of the refused version when the latest submission was refused (why it
    was), else of the current version (its warnings)."""
    items: list[tuple[CoopRow, str, Version]] = []
    for r in rows:
        where = standings.get(r.coop)
        shown = None if where is None else (where.refused or where.current)
        if where is None or shown is None:
            continue
        if shown.status == DUPLICATE and shown.duplicate_of:  # the counts of the bytes it repeats
            shown = next((v for v in loaded.histories.get(where.coop, ()) if v.version == shown.duplicate_of), shown)
        items.append((r, where.coop, shown))
    reports = loaded.reports([(folder, v) for _, folder, v in items])
    link = _report_links(store)
    for (r, folder, v), report in zip(items, reports, strict=True):
        r.checked_version, r.errors, r.checked_warnings = v.version, v.errors, v.warnings
        r.constats = [Constat.of(f) for f in report.first] if report is not None else []
        if not r.nom and report is not None:  # a refused cooperative, without a roster: the name in its cahier
            r.nom = report.nom
        r.report_link = link(folder, v)


def _report_links(store: Store) -> Callable[[str, Version], str | None]:
    """Where the treasurer opens a stored check report: a file:// link on a local store, the web address on a
    WebDAV one; None when the version has no report or the store has no such address. The store's own address is
    worked out once (a national consolidation links 10,000 reports)."""
    if isinstance(store._backend, LocalBackend):
        root = Path(store._backend.path("")).resolve()

        def where(rel: str) -> str | None:
            return (root / rel).as_uri()

    else:  # a WebDAV store: its web address (display_url carries no credentials), webdav:// read as http://
        parts = urllib.parse.urlsplit(store.display_url)
        scheme = _WEB_SCHEMES.get(parts.scheme.lower())
        base = urllib.parse.urlunsplit((scheme or "", parts.netloc, parts.path.rstrip("/"), "", ""))

        def where(rel: str) -> str | None:
            return None if scheme is None else f"{base}/{urllib.parse.quote(rel)}"

    def link(folder: str, v: Version) -> str | None:
        name = v.files.get("report")
        return None if name is None else where(f"coops/{folder}/versions/{v.version}/{name}")

    return link


_WEB_SCHEMES = {"http": "http", "https": "https", "webdav": "http", "dav": "http", "webdavs": "https", "davs": "https"}


def _fr_date(iso: str | None) -> str:
    return date(iso or None)


def _precedents(loaded: StoredFigures, exercice: str) -> dict[str, Precedent]:
    """Last year's accepted figures (N−1) of every cooperative that has some, from the figures already loaded: the
    standings of the exercice before, and the totals of their current versions (manifest, else report)."""
    previous = str(exercice_of(exercice).previous)
    current = {c: s.current for c, s in loaded.standings(previous).items() if s.current is not None}
    without = [(c, v) for c, v in current.items() if v.totals is None]
    reports = dict(zip([c for c, _ in without], loaded.reports(without), strict=True))
    out: dict[str, Precedent] = {}
    for coop, version in current.items():
        report = reports.get(coop)
        totals = version.totals or (report.totals if report is not None else None)
        if totals is not None:
            out[coop] = Precedent(previous, version.version, version.received_at, totals)
    return out


def _name_from_last_year(loaded: StoredFigures, rows: list[CoopRow]) -> None:
    """The name of a cooperative known only from last year (it has sent nothing yet this year), from that report."""
    unnamed: list[tuple[CoopRow, Version]] = []
    for r in rows:
        if not r.nom and r.totals is None and r.precedent is not None:
            wanted = r.precedent.version
            unnamed += [(r, v) for v in loaded.histories.get(r.coop, ()) if v.version == wanted]
    for (r, _), report in zip(unnamed, loaded.reports([(r.coop, v) for r, v in unnamed]), strict=True):
        if report is not None:
            r.nom = report.nom


def _report(store: Store, coop: str, version: Version | str) -> Report | None:
    try:
        return store.read_report(coop, version)
    except (OSError, ValueError):
        return None


def _fill(r: CoopRow, version: Version, report: ReportFigures | None) -> None:
    """The figures of a current version: the totals its check computed (stored in its manifest and report)."""
    totals = version.totals or (report.totals if report else None)
    if totals is None:
        raise BilanError(f"La version {version.version} de la coopérative {r.coop} n'a pas de totaux.")
    if not r.nom and report is not None:
        r.nom = report.nom
    codes = report.codes if report is not None else frozenset()
    r.totals = totals
    r.chapitres = dict(totals.chapitres)
    r.banque_negative = totals.banque_fin < 0 or totals.report_banque < 0 or "BANK_NEGATIVE" in codes
    r.caisse_negative = totals.caisse_fin < 0 or totals.report_caisse < 0 or "CASH_NEGATIVE" in codes
    r.codes = codes
    if report is not None:  # the CRA and the quitus (issue 14)
        r.cra, r.quitus_manque = dict(report.cra), report.quitus_manque
