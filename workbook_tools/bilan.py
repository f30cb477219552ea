"""The bilan: a cooperative's yearly figures (the CRF in numbers), from the store.

Everything comes from what the store kept with each accepted version — the figures the
check computed (:class:`~workbook_tools.model.Totals`, in the typed report), its annexes
(parameters, inventory, subsidies, cash count) and findings, and the normalised journal
(Parquet) for what is listed line by line — never from re-reading a workbook. Money is
integer cents throughout; pandas sums of int64 columns are exact.

:func:`crf_from_store` and :func:`build_crf` give a :class:`Crf`; :mod:`workbook_tools.crf`
writes it as a workbook and :mod:`workbook_tools.consolidation` gathers every cooperative.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

from workbook_tools.chart import Chart, default_chart
from workbook_tools.exercice import Exercice, ExerciceError
from workbook_tools.model import ActionCra, Annexes, Bien, Finding, Quitus, Report, Severity, Subvention, Totals
from workbook_tools.store import Store, StoreError, Version
from workbook_tools.store.standing import latest_accepted, standing
from workbook_tools.text import count, euros, gap

if TYPE_CHECKING:
    import pandas as pd

AMOUNTS = ["banque_recette", "banque_depense", "caisse_recette", "caisse_depense"]


class BilanError(StoreError):
    """No figures can be built (unknown coop, nothing accepted, empty store); the message is French."""


def exercice_of(text: str) -> Exercice:
    """The exercice asked for on the command line, or :class:`BilanError` in French."""
    try:
        return Exercice.parse(text)
    except ExerciceError as exc:
        raise BilanError(f"Exercice mal écrit : « {text} » (attendu par exemple 2025-2026).") from exc


# --------------------------------------------------------------------------- last year (N−1)


@dataclass(frozen=True)
class Precedent:
    """The previous exercice's figures of a cooperative (N−1): those of its accepted version for that exercice."""

    exercice: str
    version: str
    received_at: str
    totals: Totals


@dataclass(frozen=True)
class Discontinuite:
    """An opening balance (``compte``: banque or caisse) that is not last year's closing one (REPORT_DISCONTINUITY)."""

    compte: str  # "banque" | "caisse"
    cloture: int  # at 31 August of the previous exercice, as its accepted version closed
    report: int  # at 1 September, as this exercice's cahier opens

    @property
    def ecart(self) -> int:
        return self.report - self.cloture

    def texte(self, precedent: str) -> str:
        """In French, with both figures and the difference (``precedent``: last year's exercice, ``2024-2025``): the
        wording of the CRF's note and of the consolidation's alert."""
        return (
            f"report à nouveau {self.compte} au 1er septembre de {euros(self.report)}, mais la version acceptée de "
            f"l'exercice {precedent} se termine au 31 août à {euros(self.cloture)} en {self.compte} : {gap(self.ecart)}"
        )


def closing_balances(totals: Totals) -> tuple[int, int]:
    """(bank, cash) a year ends with, which next year's report à nouveau must equal: the books' bank at 31 August, and
    the cash counted then — the books' cash when none was counted."""
    return totals.banque_fin, totals.caisse_cloture


def discontinuities(totals: Totals, precedent: Totals) -> list[Discontinuite]:
    """The opening balances of ``totals`` that differ from the closing ones of ``precedent`` (bank first)."""
    bank, cash = closing_balances(precedent)
    pairs = (("banque", bank, totals.report_banque), ("caisse", cash, totals.report_caisse))
    return [Discontinuite(compte, closing, opening) for compte, closing, opening in pairs if closing != opening]


def previous_accepted(coop: str, history: Sequence[Version], exercice: str) -> Version | None:
    """The version whose figures count for the exercice before ``exercice``, None when the history holds none."""
    previous = str(exercice_of(exercice).previous)
    if not any(v.exercice == previous or v.exercice is None for v in history):  # most cooperatives: nothing to weigh
        return None
    return standing(coop, history, previous).current


def precedent_of(store: Store, coop: str, history: Sequence[Version], exercice: str) -> Precedent | None:
    """Last year's figures of ``coop`` (N−1 of ``exercice``) from its history, None when none were accepted. The
    figures are those stored with the version (its manifest; its report for a version stored without them)."""
    version = previous_accepted(coop, history, exercice)
    if version is None:
        return None
    totals = version.totals
    if totals is None:
        report = store.read_report(coop, version)
        totals = report.totals if report is not None else None
        if totals is None:
            return None
    return Precedent(str(exercice_of(exercice).previous), version.version, version.received_at, totals)


def previous_year(store: Store, coop: str, exercice: str) -> Precedent | None:
    """:func:`precedent_of` reading the history of ``coop`` from ``store``."""
    return precedent_of(store, coop, store.history(coop), exercice)


# --------------------------------------------------------------------------- the CRF in numbers


@dataclass(frozen=True)
class ChapterTotal:
    code: str
    libelle: str
    sens: str  # "charge" | "produit"
    montant: int


@dataclass(frozen=True)
class Operation:
    """A bank line not ticked against the statement (rapprochement); ``carried``: a line of the « En attente »
    sheet (last year's, still outstanding at this 31 August), ``row`` then being that sheet's row."""

    row: int | None
    date: dt.date | None
    piece: str | None
    mode: str | None
    cheque: str | None
    libelle: str | None
    recette: int
    depense: int
    carried: bool = False


@dataclass(frozen=True)
class ChequeAnnule:
    """A cancelled cheque: kept in the book for the cheque sequence, counted nowhere, listed in the CRF."""

    row: int
    date: dt.date | None
    cheque: str | None
    libelle: str | None


@dataclass(frozen=True)
class Regie:
    """A régie d'avance: what was advanced to one colleague and what came back (receipts « Retour régie … »)."""

    nom: str  # as written after « régie » on the first line
    avances: int
    retours: int
    lignes: int

    @property
    def reste(self) -> int:
        """Still with the colleague at the end of the book (REGIE_OPEN when not 0)."""
        return self.avances - self.retours


@dataclass(frozen=True)
class Ligne:
    """One line of the Journal as the CRF prints it (sheet « Journal », for the vérificateurs and the AG).

    Amounts in cents, None where the cell is empty; ``chapitres``: (code, cents) of each chapter the line counts
    in, chart order, negative for a reduction (a refund, a credit note); none for a movement, a régie, a cancelled
    cheque. ``pointe``: ticked against the statement, ``pointe_le`` the date written as the tick."""

    row: int
    date: dt.date | None
    piece: str | None
    mode: str | None
    libelle: str | None
    cheque: str | None
    action: str | None
    banque_recette: int | None
    banque_depense: int | None
    caisse_recette: int | None
    caisse_depense: int | None
    chapitres: tuple[tuple[str, int], ...] = ()
    pointe: bool = False
    pointe_le: dt.date | None = None
    regie: bool = False
    annule: bool = False


@dataclass(frozen=True)
class ActionTotal:
    """Receipts and expenses of one action (Journal column « Action »); ``action`` None = lines without one.

    Net, like the chapters: ``recettes`` is what the action's lines put in produit chapters, ``depenses`` what they
    put in charge chapters. A supplier's credit note (a receipt on a 6… chapter) lowers the action's expenses, a
    refund to families (an expense on a 7… chapter) lowers its receipts — so the actions add up to the compte de
    fonctionnement's charges and produits."""

    action: str | None
    recettes: int
    depenses: int
    lignes: int

    @property
    def solde(self) -> int:
        return self.recettes - self.depenses


@dataclass(kw_only=True)
class Crf(Totals):
    """A cooperative's compte-rendu financier for one exercice, in integer cents: the figures of its check
    (:class:`~workbook_tools.model.Totals`, never recomputed here) and what the CRF lists line by line."""

    coop: str
    exercice: str
    version: str
    received_at: str
    filename: str
    nom: str | None = None
    commune: str | None = None
    mandataire: str | None = None
    postes: list[ChapterTotal] = field(default_factory=list)  # each chapter with its label, chart order
    banque_min: int = 0  # lowest running balance over the year, in date order
    caisse_min: int = 0
    non_pointes: list[Operation] = field(default_factory=list)
    annules: list[ChequeAnnule] = field(default_factory=list)
    regies: list[Regie] = field(default_factory=list)
    subventions: list[Subvention] = field(default_factory=list)
    actions: list[ActionTotal] = field(default_factory=list)
    inventaire: list[Bien] = field(default_factory=list)
    billets: list[tuple[int, int]] = field(default_factory=list)  # arrêté de caisse: (denomination in cents, count)
    avertissements: list[Finding] = field(default_factory=list)
    lignes: int = 0
    journal: list[Ligne] = field(default_factory=list)  # every line of the year, in row order (not in the JSON)
    refused: Version | None = None  # a newer submission that was refused
    precedent: Precedent | None = None  # last year's accepted figures (N−1), when the store holds them
    cra: dict[str, int] = field(default_factory=dict)  # CRA headcounts (model.CRA_KEYS), issue 14
    cra_actions: list[ActionCra] = field(default_factory=list)
    cra_illisibles: dict[str, str] = field(default_factory=dict)  # CRA headcounts not counted (CRA_INVALID): as typed
    quitus: Quitus | None = None  # who signed the quitus and when (Paramètres)

    @property
    def exercice_precedent(self) -> str | None:
        """The exercice before this one (N−1), written ``2024-2025`` (None when this one is not readable)."""
        this = Exercice.read(self.exercice)
        return None if this is None else str(this.previous)

    @property
    def discontinuites(self) -> list[Discontinuite]:
        """This year's opening balances that differ from last year's closing ones (none without N−1)."""
        return discontinuities(self, self.precedent.totals) if self.precedent is not None else []

    def chapitre(self, code: str) -> int:
        return self.chapitres.get(code, 0)

    @property
    def ecart_bilan(self) -> int:
        """Report à nouveau + résultat − (banque + caisse au 31 août + régies d'avance non soldées, the cash still
        with a colleague): 0 when the books balance."""
        return self.report + self.resultat - self.disponible_fin - self.regies_en_cours

    @property
    def subventions_journal(self) -> int:
        return sum(c.montant for c in self.postes if c.code[:2] == "74")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: money in integer cents, dates ISO; derived figures included."""
        data = asdict(self)
        del data["postes"], data["journal"]
        data["refused"] = self.refused.to_dict() if self.refused else None
        data["exercice_precedent"] = self.exercice_precedent
        data["precedent"] = (
            None
            if self.precedent is None
            else {
                "exercice": self.precedent.exercice,
                "version": self.precedent.version,
                "received_at": self.precedent.received_at,
                **self.precedent.totals.to_dict(),
                "disponible_fin": self.precedent.totals.disponible_fin,
            }
        )
        data["discontinuites"] = [{**asdict(d), "ecart": d.ecart} for d in self.discontinuites]
        data["avertissements"] = [f.to_dict() for f in self.avertissements]
        if self.quitus is not None:
            data["quitus"]["signe"] = self.quitus.signe
        for name in (
            "resultat", "report", "banque_fin", "caisse_fin", "disponible_fin", "ecart_bilan", "banque_rapprochee",
            "ecart_rapprochement", "ecart_caisse", "subventions_journal",
        ):  # fmt: skip
            data[name] = getattr(self, name)
        for action, item in zip(self.actions, data["actions"], strict=True):
            item["solde"] = action.solde
        for regie, item in zip(self.regies, data["regies"], strict=True):
            item["reste"] = regie.reste
        out: dict[str, Any] = _jsonable(data)
        return out


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
        exercice = latest_accepted(history)
        if exercice is None:
            raise BilanError(
                f"La coopérative {coop} n'a aucune version acceptée ({count(len(history), 'envoi')}, {'refusé' if len(history) == 1 else 'tous refusés'}) : "
                "pas de compte-rendu financier possible."
            )
    exercice = str(exercice_of(exercice))
    where = standing(coop, history, exercice)
    if where.current is None:
        raise BilanError(f"La coopérative {coop} n'a aucune version acceptée pour l'exercice {exercice}.")
    journal = store.read_journal(coop, where.current)
    report = store.read_report(coop, where.current)
    if journal is None or report is None:
        raise BilanError(f"La version {where.current.version} de la coopérative {coop} n'a pas de journal normalisé.")
    precedent = precedent_of(store, coop, history, exercice)
    crf = build_crf(journal, report, where.current, chart=chart, precedent=precedent)
    crf.refused = where.refused
    return crf


def chapter_list(codes: Any, chart: Chart) -> list[tuple[str, str, str]]:
    """(code, label, sens) of each chapter: the chart's chapters first, then any other code among ``codes``."""
    out = [(c.code, c.libelle, c.sens) for c in chart.chapitres]
    known = {c.code for c in chart.chapitres}
    for code in sorted({str(c) for c in codes} - known):
        out.append((code, f"Chapitre {code}", "charge" if code.startswith("6") else "produit"))
    return out


def build_crf(
    journal: pd.DataFrame,
    report: Report,
    version: Version,
    *,
    chart: Chart | None = None,
    precedent: Precedent | None = None,
) -> Crf:
    """The CRF of one version: its checked figures and annexes, and the lines listed from its normalised journal;
    ``precedent``: last year's figures, shown beside this year's (N−1)."""

    chart = chart or default_chart()
    totals = report.totals or version.totals
    if totals is None:
        raise BilanError(f"La version {version.version} de la coopérative {version.coop} n'a pas de totaux.")
    annexes = report.annexes or Annexes()
    crf = Crf(
        **{f.name: getattr(totals, f.name) for f in fields(Totals)},
        coop=version.coop,
        exercice=version.exercice or report.exercice or "",
        version=version.version,
        received_at=version.received_at,
        filename=version.filename,
        nom=annexes.param("coop_nom"),
        commune=annexes.param("coop_commune"),
        mandataire=annexes.param("coop_mandataire"),
        postes=[ChapterTotal(c, lib, sens, totals.chapitres.get(c, 0)) for c, lib, sens in
                chapter_list([*totals.chapitres, *(precedent.totals.chapitres if precedent else ())], chart)],
        subventions=list(annexes.subventions),
        inventaire=list(annexes.inventaire),
        billets=list(annexes.billets),
        avertissements=[f for f in report.findings if f.severity is Severity.WARNING],
        lignes=len(journal),
        precedent=precedent,
        cra=dict(annexes.cra),
        cra_actions=list(annexes.cra_actions),
        cra_illisibles=dict(annexes.cra_illisibles),
        quitus=annexes.quitus,
    )  # fmt: skip
    _fill_lines(crf, journal, chart)
    crf.non_pointes += _carried_outstanding(annexes, crf.exercice)
    return crf


def _carried_outstanding(annexes: Annexes, exercice: str) -> list[Operation]:
    """The « En attente » lines still outstanding at this 31 August: they count in the rapprochement (issue 12)."""
    try:
        end = Exercice.parse(exercice).end
    except ExerciceError:
        end = None
    return [
        Operation(row=a.row, date=a.date, piece=a.piece, mode=a.mode, cheque=a.cheque, libelle=a.libelle,
                  recette=a.recette or 0, depense=a.depense or 0, carried=True)
        for a in annexes.en_attente if a.outstanding_at(end)
    ]  # fmt: skip


def _fill_lines(crf: Crf, f: pd.DataFrame, chart: Chart) -> None:
    """What the CRF lists or follows line by line: running minimums, unticked bank lines, actions, cancelled
    cheques, régies d'avance."""
    import pandas as pd

    present = set(f.columns)
    amounts = {c: f[c].fillna(0).astype("int64") if c in present else pd.Series(0, index=f.index) for c in AMOUNTS}
    by = "date_tri" if "date_tri" in present else "date"  # journals stored before date_tri: every date was valid
    order = f.sort_values([by, "row"], kind="stable", na_position="last").index if len(f) else f.index
    bank = crf.report_banque + (amounts["banque_recette"] - amounts["banque_depense"]).loc[order].cumsum()
    cash = crf.report_caisse + (amounts["caisse_recette"] - amounts["caisse_depense"]).loc[order].cumsum()
    crf.banque_min = min(crf.report_banque, int(bank.min())) if len(f) else crf.report_banque
    crf.caisse_min = min(crf.report_caisse, int(cash.min())) if len(f) else crf.report_caisse
    crf.non_pointes = _non_pointes(f, amounts)
    crf.actions = _actions(f, chart)
    crf.annules = _annules(f)
    crf.regies = _regies(f)
    crf.journal = _journal(f, chart)


def _journal(f: pd.DataFrame, chart: Chart) -> list[Ligne]:
    """Every line of the normalised journal, in row order, with the chapters it counts in."""
    present = set(f.columns)
    codes = [c for c, _, _ in chapter_list([col[2:] for col in f.columns if col.startswith("c_")], chart)]
    codes = [c for c in codes if f"c_{c}" in present]
    out: list[Ligne] = []
    for line in f.sort_values("row", kind="stable").to_dict("records"):
        text = {k: _text(line.get(k)) for k in ("piece", "mode", "libelle", "cheque", "action")}
        cents = {k: _cents(line.get(k)) for k in AMOUNTS}
        out.append(
            Ligne(
                row=int(line["row"]),
                date=_date(line.get("date")),
                piece=text["piece"],
                mode=text["mode"],
                libelle=text["libelle"],
                cheque=text["cheque"],
                action=text["action"],
                banque_recette=cents["banque_recette"],
                banque_depense=cents["banque_depense"],
                caisse_recette=cents["caisse_recette"],
                caisse_depense=cents["caisse_depense"],
                chapitres=tuple((c, int(line[f"c_{c}"])) for c in codes if _cents(line[f"c_{c}"]) not in (None, 0)),
                pointe=_flag(line.get("pointe")),
                pointe_le=_date(line.get("pointe_le")),
                regie=_flag(line.get("regie")),
                annule=_flag(line.get("annule")),
            )
        )
    return out


def _non_pointes(f: pd.DataFrame, amounts: dict[str, pd.Series]) -> list[Operation]:
    """The bank lines not ticked against the statement (same rule as the check's rapprochement)."""
    import pandas as pd

    present = set(f.columns)
    out: list[Operation] = []
    # ticked at 31/08: a tick dated after 31 August was still outstanding (journals stored before: « pointe »)
    tick = "pointe_31_08" if "pointe_31_08" in present else "pointe"
    ticked = f[tick].fillna(False).astype(bool) if tick in present else pd.Series(False, index=f.index)
    on_bank = (amounts["banque_recette"] != 0) | (amounts["banque_depense"] != 0)
    for i in f.index[~ticked & on_bank]:
        line = f.loc[i]
        out.append(
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
    return out


def _actions(f: pd.DataFrame, chart: Chart) -> list[ActionTotal]:
    """Receipts and expenses per action (Journal column « Action »), net like the chapters (see
    :class:`ActionTotal`); internal movements and régies are neither."""
    import pandas as pd

    present = set(f.columns)
    out: list[ActionTotal] = []
    recette = f["recette"].astype(bool) if "recette" in present else pd.Series(False, index=f.index)
    depense = f["depense"].astype(bool) if "depense" in present else pd.Series(False, index=f.index)
    zero = pd.Series(0, index=f.index, dtype="int64")

    def chapters(kind: list[str]) -> pd.Series:
        cols = [f"c_{code}" for code in kind if f"c_{code}" in present]
        return f[cols].fillna(0).astype("int64").sum(axis=1) if cols else zero

    raw_action = f["action"] if "action" in present else pd.Series(None, index=f.index, dtype=object)
    action = raw_action.astype(object).where(raw_action.notna(), None).map(_text)
    by = pd.DataFrame(
        {
            "action": action.fillna("\x00"),  # lines without action last, kept apart
            "recettes": chapters([c.code for c in chart.produits]).where(recette | depense, 0),
            "depenses": chapters([c.code for c in chart.charges]).where(recette | depense, 0),
            "lignes": (recette | depense).astype("int64"),
        }
    )
    grouped = by.groupby("action", sort=False)[["recettes", "depenses", "lignes"]].sum()
    named = sorted((k for k in grouped.index if k != "\x00"), key=lambda s: s.casefold())
    for key in [*named, "\x00"]:
        if key not in grouped.index or (key == "\x00" and grouped.loc[key, "lignes"] == 0):
            continue
        row = grouped.loc[key]
        out.append(
            ActionTotal(
                None if key == "\x00" else str(key), int(row["recettes"]), int(row["depenses"]), int(row["lignes"])
            )
        )
    return out


def _annules(f: pd.DataFrame) -> list[ChequeAnnule]:
    """The cancelled cheques, in row order (journals stored before this column: none)."""
    if "annule" not in f.columns:
        return []
    return [
        ChequeAnnule(int(line["row"]), _date(line.get("date")), _text(line.get("cheque")), _text(line.get("libelle")))
        for _, line in f[f["annule"].fillna(False).astype(bool)].iterrows()
    ]


def _regies(f: pd.DataFrame) -> list[Regie]:
    """Advances and returns per colleague (``regie_nom``), in the order of their first line."""
    if "regie" not in f.columns:
        return []
    lines = f[f["regie"].fillna(False).astype(bool)]
    out: dict[str, list[Any]] = {}
    for _, line in lines.iterrows():
        key = str(line.get("regie_nom") or "")
        entry = out.setdefault(key, [_text(line.get("regie_qui")) or key or "(sans nom)", 0, 0, 0])
        amount = int(line["montant"])
        advance = _present(line.get("banque_depense")) or _present(line.get("caisse_depense"))
        entry[1 if advance else 2] += amount
        entry[3] += 1
    return [Regie(nom, avances, retours, n) for nom, avances, retours, n in out.values()]


def _present(value: Any) -> bool:
    import pandas as pd

    return value is not None and bool(pd.notna(value))


def _flag(value: Any) -> bool:
    """A boolean column of the normalised journal (absent or NA: False)."""
    return bool(value) if _present(value) else False


def _cents(value: Any) -> int | None:
    """An amount cell of the normalised journal: integer cents, None when empty."""
    return int(value) if _present(value) else None


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


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    import pandas as pd

    if pd.isna(value):
        return None
    return pd.Timestamp(value).date()
