"""The bilan: a cooperative's yearly figures (the CRF in numbers), from the store.

Everything comes from what the store kept with each accepted version — the
normalised journal (Parquet) and the check report (parameters, inventory,
subsidies, findings) — never from re-reading a workbook. Money is integer
cents throughout; pandas sums of int64 columns are exact.

:func:`crf_from_store` gives a :class:`Crf`; :mod:`workbook_tools.crf` writes it
as a workbook and :mod:`workbook_tools.consolidation` gathers every cooperative.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from workbook_tools.chart import Chart, default_chart
from workbook_tools.model import Balances
from workbook_tools.store import ACCEPTED, DUPLICATE, REFUSED, Store, StoreError, Version

if TYPE_CHECKING:
    import pandas as pd

AMOUNTS = ["banque_recette", "banque_depense", "caisse_recette", "caisse_depense"]
EXERCICE_RE = re.compile(r"^(\d{4})-(\d{4})$")
DEADLINE = (9, 30)  # the CRF is due by 30 September after the year end (OCCE departmental guides)

# Status of a cooperative for one exercice
STATUS_ACCEPTED = "accepted"  # an accepted version, and nothing newer refused
STATUS_REFUSED_NEWER = "refused_newer"  # an accepted version, but the latest submission was refused
STATUS_REFUSED = "refused"  # only refused submissions
STATUS_MISSING = "missing"  # nothing at all
STATUS_FR = {
    STATUS_ACCEPTED: "accepté",
    STATUS_REFUSED_NEWER: "nouvelle version refusée",
    STATUS_REFUSED: "refusé (aucune version acceptée)",
    STATUS_MISSING: "manquant",
}


class BilanError(StoreError):
    """No figures can be built (unknown coop, nothing accepted, empty store); the message is French."""


# --------------------------------------------------------------------------- exercice and standing


def exercice_bounds(exercice: str) -> tuple[dt.date, dt.date]:
    """``2025-2026`` → (1 September 2025, 31 August 2026)."""
    m = EXERCICE_RE.match(exercice or "")
    if not m or int(m.group(2)) != int(m.group(1)) + 1:
        raise BilanError(f"Exercice mal écrit : « {exercice} » (attendu par exemple 2025-2026).")
    y = int(m.group(1))
    return dt.date(y, 9, 1), dt.date(y + 1, 8, 31)


def deadline(exercice: str) -> dt.date:
    """The date by which the CRF is due: 30 September after the year end."""
    return dt.date(exercice_bounds(exercice)[1].year, *DEADLINE)


def received_date(version: Version) -> dt.date:
    """The day a version was received, in French time when the zone database is there (else UTC)."""
    return _paris_date(version.received)


def sent_date(version: Version) -> dt.date:
    """The day the teacher saved the version in the synced folder: the file's own modification time, kept by
    sync clients, when it is earlier than its reception (a watcher down for a few days must not make a
    cooperative late); else the reception."""
    when = version.received
    if version.source_mtime:
        with contextlib.suppress(ValueError):
            when = min(when, dt.datetime.fromisoformat(version.source_mtime))
    return _paris_date(when)


def _paris_date(when: dt.datetime) -> dt.date:
    try:
        from zoneinfo import ZoneInfo

        when = when.astimezone(ZoneInfo("Europe/Paris"))
    except Exception:  # no tz database: UTC is a day off at most around midnight
        pass
    return when.date()


def is_late(version: Version, exercice: str) -> bool:
    return sent_date(version) > deadline(exercice)


@dataclass(frozen=True)
class Standing:
    """Where a cooperative stands for one exercice: its current version and any newer refusal."""

    coop: str
    exercice: str
    current: Version | None  # newest accepted version of the exercice
    refused: Version | None  # the latest submission, when it was refused (newer than ``current``)
    submissions: int  # submissions considered for this exercice

    @property
    def status(self) -> str:
        if self.current is not None:
            return STATUS_REFUSED_NEWER if self.refused is not None else STATUS_ACCEPTED
        return STATUS_REFUSED if self.submissions else STATUS_MISSING


def _effective_status(v: Version) -> str:
    return (v.duplicate_status or REFUSED) if v.status == DUPLICATE else v.status


def standing(coop: str, history: list[Version], exercice: str) -> Standing:
    """The standing of ``coop`` for ``exercice`` from its history (oldest first).

    A submission counts for the exercice when it says so, or when it says nothing (an
    unreadable file) and came after the exercice began. A duplicate counts as the status
    of the bytes it repeats.
    """
    start, _ = exercice_bounds(exercice)
    mine = [v for v in history if v.exercice == exercice or (v.exercice is None and received_date(v) >= start)]
    accepted = [v for v in mine if v.status == ACCEPTED]
    current = accepted[-1] if accepted else None
    refused = None
    if mine and _effective_status(mine[-1]) == REFUSED:
        refused = mine[-1]
    if current is not None and refused is not None and refused.version < current.version:
        refused = None
    return Standing(coop, exercice, current, refused, len(mine))


def latest_exercice(store: Store, coops: list[str] | None = None) -> str | None:
    """The most recent exercice that has an accepted version in the store."""
    found = [
        v.exercice
        for c in (coops if coops is not None else store.coops())
        for v in store.history(c)
        if v.status == ACCEPTED and v.exercice
    ]
    return max(found) if found else None


# --------------------------------------------------------------------------- the CRF in numbers


@dataclass(frozen=True)
class ChapterTotal:
    code: str
    libelle: str
    sens: str  # "charge" | "produit"
    montant: int


@dataclass(frozen=True)
class Operation:
    """A bank line not ticked against the statement (rapprochement)."""

    row: int
    date: dt.date | None
    piece: str | None
    mode: str | None
    cheque: str | None
    libelle: str | None
    recette: int
    depense: int


@dataclass(frozen=True)
class ActionTotal:
    """Receipts and expenses of one action (Journal column « Action »); ``action`` None = lines without one."""

    action: str | None
    recettes: int
    depenses: int
    lignes: int

    @property
    def solde(self) -> int:
        return self.recettes - self.depenses


@dataclass(frozen=True)
class Subvention:
    date: dt.date | None
    organisme: str | None
    objet: str | None
    montant: int | None
    piece: str | None


@dataclass(frozen=True)
class Bien:
    date: dt.date | None
    piece: str | None
    designation: str | None
    valeur: int | None
    date_sortie: dt.date | None
    motif: str | None


@dataclass(frozen=True)
class Avertissement:
    code: str
    cell: str | None
    message: str


@dataclass
class Crf(Balances):
    """A cooperative's compte-rendu financier for one exercice, in integer cents."""

    coop: str
    exercice: str
    version: str
    received_at: str
    filename: str
    nom: str | None = None
    commune: str | None = None
    mandataire: str | None = None
    chapitres: list[ChapterTotal] = field(default_factory=list)
    report_banque: int = 0
    report_caisse: int = 0
    banque_recettes: int = 0
    banque_depenses: int = 0
    caisse_recettes: int = 0
    caisse_depenses: int = 0
    banque_min: int = 0  # lowest running balance over the year, in date order
    caisse_min: int = 0
    releve_31_08: int | None = None
    non_pointes: list[Operation] = field(default_factory=list)
    caisse_comptee: int | None = None
    subventions: list[Subvention] = field(default_factory=list)
    actions: list[ActionTotal] = field(default_factory=list)
    inventaire: list[Bien] = field(default_factory=list)
    billets: list[tuple[int, int]] = field(default_factory=list)  # arrêté de caisse: (denomination in cents, count)
    avertissements: list[Avertissement] = field(default_factory=list)
    lignes: int = 0
    refused: Version | None = None  # a newer submission that was refused

    # -- compte de fonctionnement
    def chapitre(self, code: str) -> int:
        return next((c.montant for c in self.chapitres if c.code == code), 0)

    @property
    def charges(self) -> int:
        return sum(c.montant for c in self.chapitres if c.sens == "charge")

    @property
    def produits(self) -> int:
        return sum(c.montant for c in self.chapitres if c.sens == "produit")

    @property
    def resultat(self) -> int:
        return self.produits - self.charges

    # -- bilan (report, banque_fin, caisse_fin: see Balances)
    @property
    def disponible_fin(self) -> int:
        return self.banque_fin + self.caisse_fin

    @property
    def ecart_bilan(self) -> int:
        """Report à nouveau + résultat − (banque + caisse au 31 août): 0 when the books balance."""
        return self.report + self.resultat - self.disponible_fin

    # -- rapprochement, caisse, subventions
    @property
    def non_pointe_recettes(self) -> int:
        return sum(o.recette for o in self.non_pointes)

    @property
    def non_pointe_depenses(self) -> int:
        return sum(o.depense for o in self.non_pointes)

    @property
    def banque_rapprochee(self) -> int | None:
        if self.releve_31_08 is None:
            return None
        return self.releve_31_08 + self.non_pointe_recettes - self.non_pointe_depenses

    @property
    def ecart_rapprochement(self) -> int | None:
        adjusted = self.banque_rapprochee
        return None if adjusted is None else adjusted - self.banque_fin

    @property
    def ecart_caisse(self) -> int | None:
        return None if self.caisse_comptee is None else self.caisse_comptee - self.caisse_fin

    @property
    def subventions_journal(self) -> int:
        return sum(c.montant for c in self.chapitres if c.code[:2] == "74")

    @property
    def subventions_feuille(self) -> int:
        return sum(s.montant or 0 for s in self.subventions)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: money in integer cents, dates ISO; derived figures included."""
        data = asdict(self)
        data["refused"] = self.refused.to_dict() if self.refused else None
        data["chapitres"] = {c.code: c.montant for c in self.chapitres}
        for name in (
            "charges",
            "produits",
            "resultat",
            "report",
            "banque_fin",
            "caisse_fin",
            "disponible_fin",
            "ecart_bilan",
            "non_pointe_recettes",
            "non_pointe_depenses",
            "banque_rapprochee",
            "ecart_rapprochement",
            "ecart_caisse",
            "subventions_journal",
            "subventions_feuille",
        ):
            data[name] = getattr(self, name)
        for action, item in zip(self.actions, data["actions"], strict=True):
            item["solde"] = action.solde
        return _jsonable(data)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# --------------------------------------------------------------------------- from the store


def crf_from_store(store: Store, coop: str, exercice: str | None = None, *, chart: Chart | None = None) -> Crf:
    """The CRF of ``coop`` for ``exercice`` (default: its latest accepted exercice), from its current version.

    Raises :class:`BilanError` (French message) when the coop has no accepted version for it.
    """
    history = store.history(coop)
    if not history:
        raise BilanError(f"La coopérative {coop} n'a rien envoyé : aucune version dans le dépôt {store.display_url}.")
    if exercice is None:
        exercice = max((v.exercice for v in history if v.status == ACCEPTED and v.exercice), default=None)
        if exercice is None:
            raise BilanError(
                f"La coopérative {coop} n'a aucune version acceptée ({len(history)} envoi(s), tous refusés) : "
                "pas de compte-rendu financier possible."
            )
    exercice_bounds(exercice)
    where = standing(coop, history, exercice)
    if where.current is None:
        raise BilanError(f"La coopérative {coop} n'a aucune version acceptée pour l'exercice {exercice}.")
    journal = store.read_journal(coop, where.current)
    report = store.read_report(coop, where.current) or {}
    if journal is None:
        raise BilanError(f"La version {where.current.version} de la coopérative {coop} n'a pas de journal normalisé.")
    crf = build_crf(journal, report, where.current, chart=chart)
    crf.refused = where.refused
    return crf


def chapter_columns(columns: Any, chart: Chart) -> list[tuple[str, str, str]]:
    """(code, label, sens) of each ``c_<code>`` column: the chart's chapters first, then any other code found."""
    present = {str(c)[2:] for c in columns if str(c).startswith("c_")}
    out = [(c.code, c.libelle, c.sens) for c in chart.chapitres]
    known = {c.code for c in chart.chapitres}
    for code in sorted(present - known):
        out.append((code, f"Chapitre {code}", "charge" if code.startswith("6") else "produit"))
    return out


def build_crf(journal: pd.DataFrame, report: dict[str, Any], version: Version, *, chart: Chart | None = None) -> Crf:
    """Compute the CRF from a normalised journal and its stored report (see :func:`crf_from_store`)."""
    import pandas as pd

    chart = chart or default_chart()
    totals = report.get("totals") or version.totals or {}
    annexes = report.get("annexes") or {}
    params = annexes.get("parametres") or {}
    f = journal
    crf = Crf(
        coop=version.coop,
        exercice=version.exercice or str(report.get("exercice") or ""),
        version=version.version,
        received_at=version.received_at,
        filename=version.filename,
        nom=_text(params.get("coop_nom")),
        commune=_text(params.get("coop_commune")),
        mandataire=_text(params.get("coop_mandataire")),
        report_banque=int(totals.get("report_banque") or 0),
        report_caisse=int(totals.get("report_caisse") or 0),
        releve_31_08=_cents(totals.get("releve_31_08")),
        caisse_comptee=_cents(totals.get("caisse_comptee")),
        lignes=len(f),
    )
    present = set(f.columns)
    for code, libelle, sens in chapter_columns(f.columns, chart):
        column = f"c_{code}"
        total = int(f[column].sum()) if column in present else 0
        crf.chapitres.append(ChapterTotal(code, libelle, sens, total))
    amounts = {c: f[c].fillna(0).astype("int64") if c in present else pd.Series(0, index=f.index) for c in AMOUNTS}
    crf.banque_recettes = int(amounts["banque_recette"].sum())
    crf.banque_depenses = int(amounts["banque_depense"].sum())
    crf.caisse_recettes = int(amounts["caisse_recette"].sum())
    crf.caisse_depenses = int(amounts["caisse_depense"].sum())
    order = f.sort_values(["date", "row"], kind="stable", na_position="last").index if len(f) else f.index
    bank = crf.report_banque + (amounts["banque_recette"] - amounts["banque_depense"]).loc[order].cumsum()
    cash = crf.report_caisse + (amounts["caisse_recette"] - amounts["caisse_depense"]).loc[order].cumsum()
    crf.banque_min = min(crf.report_banque, int(bank.min())) if len(f) else crf.report_banque
    crf.caisse_min = min(crf.report_caisse, int(cash.min())) if len(f) else crf.report_caisse

    # rapprochement: bank lines not ticked (same rule as the check)
    ticked = f["pointe"].fillna(False).astype(bool) if "pointe" in present else pd.Series(False, index=f.index)
    on_bank = (amounts["banque_recette"] != 0) | (amounts["banque_depense"] != 0)
    for i in f.index[~ticked & on_bank]:
        line = f.loc[i]
        crf.non_pointes.append(
            Operation(
                row=int(line["row"]),
                date=_date(line.get("date")),
                piece=_text(line.get("piece")),
                mode=_text(line.get("mode")),
                cheque=_text(line.get("cheque")),
                libelle=_text(line.get("libelle")),
                recette=int(amounts["banque_recette"][i]),
                depense=int(amounts["banque_depense"][i]),
            )
        )

    # per action: real receipts and expenses (internal movements are neither)
    montant = f["montant"].fillna(0).astype("int64") if "montant" in present else pd.Series(0, index=f.index)
    recette = f["recette"].astype(bool) if "recette" in present else pd.Series(False, index=f.index)
    depense = f["depense"].astype(bool) if "depense" in present else pd.Series(False, index=f.index)
    raw_action = f["action"] if "action" in present else pd.Series(None, index=f.index, dtype=object)
    action = raw_action.astype(object).where(raw_action.notna(), None).map(_text)
    by = pd.DataFrame(
        {
            "action": action.fillna("\x00"),  # lines without action last, kept apart
            "recettes": montant.where(recette, 0),
            "depenses": montant.where(depense, 0),
            "lignes": (recette | depense).astype("int64"),
        }
    )
    grouped = by.groupby("action", sort=False)[["recettes", "depenses", "lignes"]].sum()
    named = sorted((k for k in grouped.index if k != "\x00"), key=lambda s: s.casefold())
    for key in [*named, "\x00"]:
        if key not in grouped.index or (key == "\x00" and grouped.loc[key, "lignes"] == 0):
            continue
        row = grouped.loc[key]
        crf.actions.append(
            ActionTotal(
                None if key == "\x00" else str(key), int(row["recettes"]), int(row["depenses"]), int(row["lignes"])
            )
        )

    crf.billets = [(int(b["valeur"]), int(b["nombre"])) for b in annexes.get("arrete_caisse") or []]
    for s in annexes.get("subventions") or []:
        crf.subventions.append(
            Subvention(
                _iso(s.get("date")), _text(s.get("organisme")), _text(s.get("objet")), _cents(s.get("montant")),
                _text(s.get("piece")),
            )
        )  # fmt: skip
    for b in annexes.get("inventaire") or []:
        crf.inventaire.append(
            Bien(
                _iso(b.get("date")), _text(b.get("piece")), _text(b.get("designation")), _cents(b.get("valeur")),
                _iso(b.get("date_sortie")), _text(b.get("motif")),
            )
        )  # fmt: skip
    for finding in report.get("findings") or []:
        if finding.get("severity") == "warning":
            crf.avertissements.append(
                Avertissement(str(finding.get("code")), finding.get("cell"), str(finding.get("message") or ""))
            )
    return crf


def _text(value: Any) -> str | None:
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    text = str(value).strip()
    return text or None


def _cents(value: Any) -> int | None:
    if value is None or value == "":
        return None
    return int(value)


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    import pandas as pd

    if pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def _iso(value: Any) -> dt.date | None:
    if not value:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
