"""The department's consolidated figures and workbook: one row per cooperative, chapter matrices, alerts.

Built from the store alone. For each cooperative: its manifests (status, dates) and,
for the current version, the totals its check summed from the normalised journal at
ingest (chapters, bank and cash movements, opening balances: stored in the manifest)
and its stored report (name, findings). No journal is re-read and no workbook is
opened, so a thousand cooperatives consolidate in a fraction of a second; a version
stored without totals is computed from its journal. Money is integer cents.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from workbook_tools.bilan import (
    STATUS_FR,
    STATUS_MISSING,
    STATUS_REFUSED,
    STATUS_REFUSED_NEWER,
    BilanError,
    Standing,
    build_crf,
    chapter_columns,
    deadline,
    exercice_bounds,
    is_late,
    sent_date,
    standing,
)
from workbook_tools.chart import Chart, default_chart
from workbook_tools.files import atomic_path
from workbook_tools.store import COOP_PATTERN, Store, Version
from workbook_tools.text import euros, fold
from workbook_tools.xlsx import (
    Formats,
    a4,
    chapter_bar_chart,
    date,
    formula_money,
    fr_datetime,
    local_date,
    merged_text,
    money,
    new_workbook,
    text,
)

# Alert codes: what the departmental treasurer looks at first.
ALERTS = {
    "MANQUANTE": "Aucun cahier reçu pour l'exercice.",
    "REFUSEE": "Aucune version acceptée : le dernier cahier reçu a été refusé.",
    "VERSION_REFUSEE": "Une version plus récente a été refusée : les chiffres sont ceux de la dernière version acceptée.",
    "RETARD": "Compte-rendu enregistré après le 30 septembre (date du fichier, ou de sa réception si elle est plus tôt).",
    "DEFICIT": "L'exercice est en déficit.",
    "BANQUE_NEGATIVE": "Le compte bancaire est passé en dessous de zéro.",
    "CAISSE_NEGATIVE": "La caisse est passée en dessous de zéro.",
    "RAPPROCHEMENT_MANQUANT": "Pas de solde du relevé bancaire au 31 août : rapprochement impossible.",
}
_WORKERS = 8


@dataclass(frozen=True)
class Alert:
    coop: str
    code: str
    message: str

    @property
    def titre(self) -> str:
        return ALERTS[self.code]


@dataclass
class CoopRow:
    """One cooperative in the consolidation. Money in cents; None when there are no accepted figures."""

    coop: str
    nom: str | None
    status: str
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
    report_banque: int | None = None
    report_caisse: int | None = None
    banque_fin: int | None = None
    caisse_fin: int | None = None
    banque_negative: bool = False  # below zero at some point of the year
    caisse_negative: bool = False
    releve_31_08: int | None = None
    chapitres: dict[str, int] = field(default_factory=dict)
    alerts: list[Alert] = field(default_factory=list)

    @property
    def has_figures(self) -> bool:
        return self.version is not None

    def _sum(self, sens: str, chart_sens: dict[str, str]) -> int | None:
        if not self.has_figures:
            return None
        return sum(v for k, v in self.chapitres.items() if chart_sens.get(k) == sens)

    @property
    def status_fr(self) -> str:
        return STATUS_FR[self.status]


@dataclass
class Consolidation:
    exercice: str
    generated_at: str
    store: str
    chapitres: list[tuple[str, str, str]]  # (code, label, sens)
    rows: list[CoopRow]
    roster: bool = False

    @property
    def sens(self) -> dict[str, str]:
        return {code: s for code, _, s in self.chapitres}

    def produits(self, row: CoopRow) -> int | None:
        return row._sum("produit", self.sens)

    def charges(self, row: CoopRow) -> int | None:
        return row._sum("charge", self.sens)

    def figures(self, row: CoopRow) -> dict[str, int | None]:
        """Opening, produits, charges, résultat, closing (banque + caisse at 31 August)."""
        if not row.has_figures:
            return dict.fromkeys(("ouverture", "produits", "charges", "resultat", "cloture"), None)
        produits, charges = self.produits(row) or 0, self.charges(row) or 0
        return {
            "ouverture": (row.report_banque or 0) + (row.report_caisse or 0),
            "produits": produits,
            "charges": charges,
            "resultat": produits - charges,
            "cloture": (row.banque_fin or 0) + (row.caisse_fin or 0),
        }

    @property
    def alerts(self) -> list[Alert]:
        return [a for r in self.rows for a in r.alerts]

    @property
    def missing(self) -> list[CoopRow]:
        return [r for r in self.rows if r.status == STATUS_MISSING]

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATUS_FR, 0)
        for r in self.rows:
            out[r.status] += 1
        return out

    def totals(self) -> dict[str, Any]:
        """Department totals over the cooperatives with accepted figures."""
        keys = ("ouverture", "produits", "charges", "resultat", "cloture")
        sums = dict.fromkeys(keys, 0)
        chapitres = {code: 0 for code, _, _ in self.chapitres}
        for r in self.rows:
            if not r.has_figures:
                continue
            for k, v in self.figures(r).items():
                sums[k] += v or 0
            for code, v in r.chapitres.items():
                chapitres[code] = chapitres.get(code, 0) + v
        return {**sums, "chapitres": chapitres, "cooperatives": len(self.rows), "statuts": self.counts()}

    def to_dict(self) -> dict[str, Any]:
        """The same figures as the workbook, JSON-ready (money in integer cents)."""
        return {
            "exercice": self.exercice,
            "generated_at": self.generated_at,
            "store": self.store,
            "roster": self.roster,
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
                }
                for r in self.rows
            ],
            "alerts": [{"coop": a.coop, "code": a.code, "titre": a.titre, "message": a.message} for a in self.alerts],
            "missing": [r.coop for r in self.missing],
        }


# --------------------------------------------------------------------------- roster


def read_roster(path: str | os.PathLike[str]) -> list[tuple[str, str | None]]:
    """The expected cooperatives: a CSV with ``coop`` and ``nom`` columns (``,`` or ``;``, BOM tolerated).

    Raises :class:`BilanError` with a French message when it cannot be read.
    """
    source = Path(path)
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise BilanError(f"Liste des coopératives illisible : {source} ({exc.strerror or exc}).") from None
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
    out: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for n, row in enumerate(rows[1:], start=2):
        coop = row[coop_col].strip() if coop_col < len(row) else ""
        if not coop:
            continue
        if not COOP_PATTERN.fullmatch(coop):
            raise BilanError(f"Liste des coopératives : ligne {n}, numéro invalide « {coop} ».")
        if _key(coop) in seen:
            continue
        seen.add(_key(coop))
        nom = row[nom_col].strip() if nom_col is not None and nom_col < len(row) else ""
        out.append((coop, nom or None))
    return out


def _key(coop: str) -> str:
    """How coop numbers are matched: ``069001`` = ``69001`` (a spreadsheet drops leading zeros)."""
    c = coop.strip()
    return str(int(c)) if c.isdigit() else c.upper()


# --------------------------------------------------------------------------- consolidation


def consolidate(
    store: Store,
    exercice: str | None = None,
    *,
    roster: Iterable[tuple[str, str | None]] | str | os.PathLike[str] | None = None,
    chart: Chart | None = None,
) -> Consolidation:
    """Gather every cooperative of the store (and of the roster) for ``exercice`` (default: the latest one)."""
    chart = chart or default_chart()
    expected = read_roster(roster) if isinstance(roster, str | os.PathLike) else list(roster or [])
    coops = store.coops()
    if not coops and not expected:
        raise BilanError(f"Le dépôt {store.display_url} est vide : aucune coopérative n'a rien envoyé.")
    with ThreadPoolExecutor(_WORKERS) as pool:
        histories = dict(zip(coops, pool.map(store.history, coops), strict=True))
    if exercice is None:
        found = [v.exercice for h in histories.values() for v in h if v.status == "accepted" and v.exercice]
        if not found:
            raise BilanError(f"Le dépôt {store.display_url} ne contient aucune version acceptée.")
        exercice = max(found)
    exercice_bounds(exercice)
    standings = {c: standing(c, h, exercice) for c, h in histories.items()}

    by_key = {_key(c): c for c in coops}
    names: dict[str, str | None] = {}
    rows: list[CoopRow] = []
    listed: set[str] = set()
    for coop, nom in expected:
        stored = by_key.get(_key(coop))
        where = standings.get(stored) if stored else None
        if where is None:
            where = Standing(coop, exercice, None, None, 0)
        rows.append(_row(where, nom, in_roster=True, exercice=exercice))
        listed.add(where.coop)
        names[where.coop] = nom
    for coop in coops:
        where = standings[coop]
        if coop in listed or where.submissions == 0:
            continue
        rows.append(_row(where, None, in_roster=False if expected else None, exercice=exercice))
    rows.sort(key=lambda r: _sort_key(r.coop))

    current = [(r, standings[r.coop].current) for r in rows if r.coop in standings and standings[r.coop].current]
    with ThreadPoolExecutor(_WORKERS) as pool:
        reports = list(pool.map(lambda item: _report(store, item[0].coop, item[1]), current))
    codes = [c.code for c in chart.chapitres]
    for (r, version), report in zip(current, reports, strict=True):
        assert version is not None
        _fill(r, version, report, store, chart)
        codes += [k for k in r.chapitres if k not in codes]
    for r, _ in current:
        r.chapitres = {code: r.chapitres.get(code, 0) for code in codes}
    result = Consolidation(
        exercice=exercice,
        generated_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        store=store.display_url,
        chapitres=chapter_columns([f"c_{c}" for c in codes], chart),
        rows=rows,
        roster=bool(expected),
    )
    for r in rows:
        r.alerts = _alerts(result, r, exercice)
    return result


def _sort_key(coop: str) -> tuple[int, int, str]:
    return (0, int(coop), coop) if coop.isdigit() else (1, 0, coop)


def _row(where: Standing, nom: str | None, *, in_roster: bool | None, exercice: str) -> CoopRow:
    row = CoopRow(where.coop, nom, where.status, in_roster=in_roster)
    if where.current is not None:
        v = where.current
        row.version, row.received_at, row.filename = v.version, v.received_at, v.filename
        row.late = is_late(v, exercice)
        row.sent_on = sent_date(v)
        row.warnings = v.warnings
    if where.refused is not None:
        row.refused_version, row.refused_at = where.refused.version, where.refused.received_at
        row.refused_errors = where.refused.errors
    return row


def _alerts(c: Consolidation, r: CoopRow, exercice: str) -> list[Alert]:
    out: list[Alert] = []
    when = deadline(exercice).strftime("%d/%m/%Y")

    def add(code: str, message: str) -> None:
        out.append(Alert(r.coop, code, message))

    if r.status == STATUS_MISSING:
        add("MANQUANTE", f"Aucun cahier de l'exercice {exercice} n'a été reçu (attendu avant le {when}).")
        return out
    if r.status == STATUS_REFUSED:
        add("REFUSEE", "Tous les cahiers reçus pour cet exercice ont été refusés : aucun chiffre n'est disponible.")
        return out
    if r.status == STATUS_REFUSED_NEWER:
        at = _fr_date(r.refused_at)
        add(
            "VERSION_REFUSEE",
            f"Le cahier reçu le {at} a été refusé ({r.refused_errors or 0} erreur(s)) : les chiffres sont ceux de "
            f"la version acceptée du {_fr_date(r.received_at)}.",
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
    return out


def _fr_date(iso: str | None) -> str:
    if not iso:
        return "—"
    return dt.datetime.fromisoformat(iso).astimezone().strftime("%d/%m/%Y")


def _report(store: Store, coop: str, version: Version) -> dict[str, Any]:
    try:
        return store.read_report(coop, version) or {}
    except (OSError, ValueError):
        return {}


def _fill(r: CoopRow, version: Version, report: dict[str, Any], store: Store, chart: Chart) -> None:
    """The figures of a current version: the totals its check computed from its normalised journal.

    Those totals are stored in the manifest (and the report) at ingest, summed by pandas from the
    same normalised journal the CRF reads, so the consolidation need not read a thousand journals.
    A version stored without them is computed from its journal (:func:`~workbook_tools.bilan.build_crf`).
    """
    totals = version.totals or report.get("totals") or {}
    params = (report.get("annexes") or {}).get("parametres") or {}
    if not r.nom and params.get("coop_nom"):
        r.nom = str(params["coop_nom"]).strip() or None
    codes = {str(f.get("code")) for f in report.get("findings") or []}
    if "chapitres" not in totals or "banque_recettes" not in totals:
        journal = store.read_journal(r.coop, version)
        if journal is None:
            raise BilanError(f"La version {version.version} de la coopérative {r.coop} n'a ni totaux ni journal.")
        crf = build_crf(journal, report, version, chart=chart)
        r.report_banque, r.report_caisse, r.releve_31_08 = crf.report_banque, crf.report_caisse, crf.releve_31_08
        r.chapitres = {c.code: c.montant for c in crf.chapitres}
        r.banque_fin, r.caisse_fin = crf.banque_fin, crf.caisse_fin
        r.banque_negative, r.caisse_negative = crf.banque_min < 0, crf.caisse_min < 0
        return
    r.report_banque = int(totals.get("report_banque") or 0)
    r.report_caisse = int(totals.get("report_caisse") or 0)
    r.releve_31_08 = None if totals.get("releve_31_08") is None else int(totals["releve_31_08"])
    r.chapitres = {str(k): int(v) for k, v in totals["chapitres"].items()}
    r.banque_fin = r.report_banque + int(totals["banque_recettes"]) - int(totals.get("banque_depenses") or 0)
    r.caisse_fin = r.report_caisse + int(totals.get("caisse_recettes") or 0) - int(totals.get("caisse_depenses") or 0)
    r.banque_negative = r.banque_fin < 0 or r.report_banque < 0 or "BANK_NEGATIVE" in codes
    r.caisse_negative = r.caisse_fin < 0 or r.report_caisse < 0 or "CASH_NEGATIVE" in codes


# --------------------------------------------------------------------------- the workbook


def write_consolidation(
    store: Store,
    path: str | os.PathLike[str],
    *,
    roster: Iterable[tuple[str, str | None]] | str | os.PathLike[str] | None = None,
    exercice: str | None = None,
) -> Path:
    """Consolidate the store (see :func:`consolidate`) and write the workbook to ``path``, complete or not at all."""
    return write_consolidation_workbook(consolidate(store, exercice, roster=roster), path)


def write_consolidation_workbook(c: Consolidation, path: str | os.PathLike[str]) -> Path:
    target = Path(path)
    with atomic_path(target) as tmp:
        wb = new_workbook(tmp, f"Consolidation départementale {c.exercice}")
        _Workbook(wb, c).write()
        wb.close()
    return target


class _Workbook:
    def __init__(self, wb: Any, c: Consolidation) -> None:
        self.wb, self.c, self.f = wb, c, Formats(wb)
        self.header = f"Consolidation départementale — exercice {c.exercice}"

    def write(self) -> None:
        self.synthese()
        self.cooperatives()
        self.matrix("Charges", "charge")
        self.matrix("Produits", "produit")
        self.alertes()
        self.manquantes()

    def sheet(self, name: str, widths: list[float], *, landscape: bool = True) -> Any:
        ws = self.wb.add_worksheet(name)
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        a4(ws, self.header, landscape=landscape)
        return ws

    def table_header(self, ws: Any, row: int, labels: list[str], last_row: int) -> None:
        """Header row with filters, frozen, repeated on each printed page."""
        for col, label in enumerate(labels):
            ws.write_string(row, col, label, self.f.header)
        ws.set_row(row, 44)
        ws.autofilter(row, 0, max(last_row, row), len(labels) - 1)
        ws.freeze_panes(row + 1, 2)
        ws.repeat_rows(row)

    # ------------------------------------------------------------------ synthèse

    def synthese(self) -> None:
        c, f = self.c, self.f
        ws = self.sheet("Synthèse", [9, 44, 16, 16], landscape=False)
        totals = c.totals()
        merged_text(ws, 0, 0, 3, f"Consolidation départementale — exercice {c.exercice}", f.title)
        ws.set_row(0, 22)
        merged_text(ws, 1, 0, 3, f"Dépôt : {c.store} — établie le {fr_datetime(c.generated_at)}", f.subtitle)
        start, end = exercice_bounds(c.exercice)
        merged_text(
            ws,
            2,
            0,
            3,
            f"Exercice du {start:%d/%m/%Y} au {end:%d/%m/%Y} ; comptes-rendus attendus avant le "
            f"{deadline(c.exercice):%d/%m/%Y}" + (" ; liste des coopératives fournie" if c.roster else ""),
            f.subtitle,
        )
        row = 4
        merged_text(ws, row, 0, 3, "Coopératives", f.section)
        row += 1
        status_first = row
        for status, n in totals["statuts"].items():
            merged_text(ws, row, 0, 2, STATUS_FR[status].capitalize(), f.text)
            ws.write_number(row, 3, n, f.number)
            row += 1
        status_last = row - 1
        merged_text(ws, row, 0, 2, "Total", f.label_bold)
        ws.write_formula(row, 3, f"=SUM(D{status_first + 1}:D{status_last + 1})", f.number_bold, len(c.rows))
        row += 1
        merged_text(ws, row, 0, 2, "Alertes", f.text)
        ws.write_number(row, 3, len(c.alerts), f.number)
        row += 2
        merged_text(ws, row, 0, 3, "Totaux du département (versions acceptées)", f.section)
        row += 1
        for label, key in (
            ("Report à nouveau au 1er septembre (banque + caisse)", "ouverture"),
            ("Total des produits", "produits"),
            ("Total des charges", "charges"),
            ("Résultat (produits − charges)", "resultat"),
            ("Disponible au 31 août (banque + caisse)", "cloture"),
        ):
            merged_text(ws, row, 0, 2, label, f.text)
            money(ws, row, 3, totals[key], f.money)
            row += 1
        row += 1
        merged_text(ws, row, 0, 3, "Totaux par chapitre", f.section)
        row += 1
        for col, label in enumerate(("Chapitre", "Libellé", "Charges", "Produits")):
            ws.write_string(row, col, label, f.header)
        row += 1
        first = row
        for code, libelle, sens in c.chapitres:
            ws.write_string(row, 0, code, f.code)
            text(ws, row, 1, libelle, f.text)
            amount = totals["chapitres"].get(code, 0)
            money(ws, row, 2, amount if sens == "charge" else None, f.money)
            money(ws, row, 3, None if sens == "charge" else amount, f.money)
            row += 1
        last = row - 1
        merged_text(ws, row, 0, 1, "Totaux", f.label_bold)
        ws.write_formula(row, 2, f"=SUM(C{first + 1}:C{last + 1})", f.money_bold, totals["charges"] / 100)
        ws.write_formula(row, 3, f"=SUM(D{first + 1}:D{last + 1})", f.money_bold, totals["produits"] / 100)
        row += 2

        chart = chapter_bar_chart(self.wb, "Synthèse", first, last, "Charges et produits du département par chapitre")
        ws.insert_chart(row, 0, chart, {"x_offset": 4, "y_offset": 4})

        pie = self.wb.add_chart({"type": "pie"})
        pie.add_series(
            {
                "name": "Coopératives",
                "categories": ["Synthèse", status_first, 0, status_last, 0],
                "values": ["Synthèse", status_first, 3, status_last, 3],
                "data_labels": {"value": True},
                "points": [{"fill": {"color": colour}} for colour in ("#70AD47", "#FFC000", "#C00000", "#A5A5A5")],
            }
        )
        pie.set_title({"name": "Coopératives par statut", "name_font": {"size": 11}})
        pie.set_legend({"position": "right"})
        pie.set_size({"width": 620, "height": 260})
        ws.set_h_pagebreaks([row + 21])  # the second chart on its own page, never cut in two
        ws.insert_chart(row + 21, 0, pie, {"x_offset": 4, "y_offset": 4})

    # ------------------------------------------------------------------ one row per cooperative

    def cooperatives(self) -> None:
        c, f = self.c, self.f
        labels = [
            "N°", "Nom", "Statut", "Version du", "Fichier", "En retard", "Version refusée le", "Report à nouveau",
            "Produits", "Charges", "Résultat", "Disponible au 31/08", "dont banque", "dont caisse",
            "Relevé au 31/08", "Avertissements", "Alertes",
        ]  # fmt: skip
        if c.roster:
            labels.append("Dans la liste")
        ws = self.sheet("Coopératives", [9, 30, 22, 11, 22, 8, 11, 14, 14, 14, 14, 14, 14, 12, 14, 13, 8, 8])
        self.table_header(ws, 0, labels, len(c.rows))
        for row, r in enumerate(c.rows, start=1):
            fig = c.figures(r)
            text(ws, row, 0, r.coop, f.code)
            text(ws, row, 1, r.nom, f.text)
            ws.write_string(row, 2, r.status_fr, f.text)
            date(ws, row, 3, local_date(r.received_at), f.date)
            text(ws, row, 4, r.filename, f.text)
            text(ws, row, 5, "oui" if r.late else ("non" if r.has_figures else None), f.code)
            date(ws, row, 6, local_date(r.refused_at), f.date)
            for col, key in enumerate(("ouverture", "produits", "charges", "resultat", "cloture"), start=7):
                money(ws, row, col, fig[key], f.money)
            money(ws, row, 12, r.banque_fin, f.money)
            money(ws, row, 13, r.caisse_fin, f.money)
            money(ws, row, 14, r.releve_31_08, f.money)
            if r.has_figures:
                ws.write_number(row, 15, r.warnings, f.number)
            else:
                ws.write_blank(row, 15, None, f.number)
            ws.write_number(row, 16, len(r.alerts), f.number)
            if c.roster:
                ws.write_string(row, 17, "oui" if r.in_roster else "non", f.code)
        last = len(c.rows)
        if last:
            ws.conditional_format(1, 10, last, 10, {"type": "cell", "criteria": "<", "value": 0, "format": f.red_font})
            ws.conditional_format(1, 12, last, 13, {"type": "cell", "criteria": "<", "value": 0, "format": f.red_font})
            ws.conditional_format(1, 16, last, 16, {"type": "cell", "criteria": ">", "value": 0, "format": f.red_fill})

    def matrix(self, name: str, sens: str) -> None:
        """Chapter × cooperative: one row per cooperative with accepted figures, one column per chapter."""
        c, f = self.c, self.f
        chapters = [(code, lib) for code, lib, s in c.chapitres if s == sens]
        rows = [r for r in c.rows if r.has_figures]
        labels = ["N°", "Nom", *[f"{code} {lib}" for code, lib in chapters], f"Total des {name.lower()}"]
        ws = self.sheet(name, [9, 30, *[14] * len(chapters), 15])
        self.table_header(ws, 0, labels, len(rows))  # the total row stays out of the filter
        for row, r in enumerate(rows, start=1):
            text(ws, row, 0, r.coop, f.code)
            text(ws, row, 1, r.nom, f.text)
            for col, (code, _) in enumerate(chapters, start=2):
                money(ws, row, col, r.chapitres.get(code, 0), f.money)
            total = sum(r.chapitres.get(code, 0) for code, _ in chapters)
            last_col = len(chapters) + 1
            formula_money(ws, row, last_col + 1, f"=SUM(C{row + 1}:{_col(last_col)}{row + 1})", total, f.money_bold)
        total_row = len(rows) + 1
        ws.write_string(total_row, 0, "Total", f.label_bold)
        ws.write_string(total_row, 1, "Département", f.label_bold)
        for col in range(2, len(chapters) + 3):
            amount = (
                sum(r.chapitres.get(chapters[col - 2][0], 0) for r in rows)
                if col - 2 < len(chapters)
                else sum(r.chapitres.get(code, 0) for r in rows for code, _ in chapters)
            )
            letter = _col(col)
            formula_money(ws, total_row, col, f"=SUBTOTAL(9,{letter}2:{letter}{total_row})", amount, f.money_bold)

    # ------------------------------------------------------------------ alerts, missing

    def alertes(self) -> None:
        c, f = self.c, self.f
        ws = self.sheet("Alertes", [9, 30, 24, 48, 70])
        alerts = c.alerts
        self.table_header(ws, 0, ["N°", "Nom", "Code", "Alerte", "Détail"], len(alerts))
        names = {r.coop: r.nom for r in c.rows}
        for row, a in enumerate(alerts, start=1):
            text(ws, row, 0, a.coop, f.code)
            text(ws, row, 1, names.get(a.coop), f.text)
            ws.write_string(row, 2, a.code, f.text)
            ws.write_string(row, 3, a.titre, f.wrap)
            text(ws, row, 4, a.message, f.wrap)
        if not alerts:
            ws.write_string(1, 0, "Aucune alerte.", f.plain)

    def manquantes(self) -> None:
        c, f = self.c, self.f
        ws = self.sheet("Manquantes", [9, 40, 60], landscape=False)
        missing = [r for r in c.rows if r.status in (STATUS_MISSING, STATUS_REFUSED)]
        self.table_header(ws, 0, ["N°", "Nom", "Situation"], len(missing))
        for row, r in enumerate(missing, start=1):
            text(ws, row, 0, r.coop, f.code)
            text(ws, row, 1, r.nom, f.text)
            ws.write_string(row, 2, r.alerts[0].message if r.alerts else r.status_fr, f.wrap)
        if not missing:
            note = "Aucune coopérative manquante." if c.roster else "Aucune (sans liste des coopératives attendues)."
            ws.write_string(1, 0, note, f.plain)


def _col(index: int) -> str:
    return str(xl_col_to_name(index))
