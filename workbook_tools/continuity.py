"""The year cycle (issue 12): what an accepted exercice hands on to the next, and the check that the next one starts
where it ended.

:class:`Handover` is read from a stored accepted version (its report and its normalised journal): the closing bank
(the books' bank at 31 August), the closing cash (the counted cash, or the books' cash when none was counted), the
bank lines outstanding at 31 August (unticked, or ticked with a date after it — the Journal's and those still
« En attente » from the year before), the inventory still held (items without a date of disposal) and the
cooperative's parameters. ``nouvel_exercice`` writes next year's cahier from it; :func:`check` compares a cahier of
the next exercice with it:

* ``REPORT_DISCONTINUITY`` (error) at the Paramètres cell of each opening balance that differs from the closing one;
* ``OUTSTANDING_DROPPED`` (warning) for each outstanding line found neither in « En attente » nor in the Journal (the
  same direction and amount; the same cheque number when both have one), pointed at the header of « En attente ».
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workbook_tools import layout, messages
from workbook_tools.exercice import Exercice
from workbook_tools.model import Attente, Bien, Code, Finding, Report, Severity

if TYPE_CHECKING:
    import pandas as pd

    from workbook_tools.store import Store, Version
    from workbook_tools.validate import CheckResult

# the parameters carried as they are into next year's Paramètres
CARRIED_PARAMS = ("coop_numero", "coop_nom", "coop_commune", "coop_mandataire")

NOT_CHECKED = (
    "Continuité avec l'exercice précédent non vérifiée : sans dépôt (--store), le report à nouveau n'est pas "
    "comparé au solde de clôture de l'an dernier."
)


@dataclass(frozen=True)
class Handover:
    """What the accepted version of one exercice hands on to the next. Money in integer cents."""

    coop: str
    exercice: Exercice  # the exercice that ended
    version: str  # the store's version it was read from
    banque: int  # the books' bank at 31 August
    caisse: int  # the cash counted at 31 August, else the books' cash
    caisse_comptee: bool  # False: nobody counted the cash, ``caisse`` is the books' figure
    outstanding: list[Attente] = field(default_factory=list)
    inventaire: list[Bien] = field(default_factory=list)
    parametres: dict[str, str] = field(default_factory=dict)


def handover(report: Report, journal: pd.DataFrame | None, coop: str, version: str) -> Handover:
    """The handover of an accepted version, from its report and its normalised journal."""
    exercice = Exercice.parse(report.exercice)
    totals = report.totals
    if totals is None:
        raise ValueError("version sans chiffres")
    annexes = report.annexes
    counted = totals.caisse_comptee is not None
    carried = list(annexes.en_attente) if annexes else []
    outstanding = _journal_outstanding(journal) + [a for a in carried if a.outstanding_at(exercice.end)]
    outstanding.sort(key=lambda a: (a.date is None, a.date or exercice.end))  # by date, as « En attente » reads
    params = {}
    if annexes is not None:
        for name in CARRIED_PARAMS:
            value = annexes.param(name)
            if value is not None:
                params[name] = value
    params["coop_numero"] = coop  # the store's id: the folder, not a cell, says whose cahier it is
    return Handover(
        coop=coop,
        exercice=exercice,
        version=version,
        banque=totals.banque_fin,
        caisse=totals.caisse_cloture,
        caisse_comptee=counted,
        outstanding=outstanding,
        inventaire=[b for b in (annexes.inventaire if annexes else []) if b.date_sortie is None],
        parametres=params,
    )


def _journal_outstanding(journal: pd.DataFrame | None) -> list[Attente]:
    """The Journal's bank lines outstanding at 31 August (``pointe_31_08`` false), as lines to carry (unticked)."""
    if journal is None or journal.empty or "pointe_31_08" not in journal:
        return []
    import pandas as pd

    bank = journal["banque_recette"].notna() | journal["banque_depense"].notna()
    lines = journal[bank & ~journal["pointe_31_08"].astype(bool)]

    def text(value: Any) -> str | None:
        return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)

    def cents(value: Any) -> int | None:
        return None if value is None or pd.isna(value) else int(value)

    out: list[Attente] = []
    for line in lines.to_dict("records"):
        day = line.get("date")
        out.append(
            Attente(
                row=None,
                date=None if day is None or pd.isna(day) else pd.Timestamp(day).date(),
                piece=text(line.get("piece")),
                mode=text(line.get("mode")),
                libelle=text(line.get("libelle")),
                cheque=text(line.get("cheque")),
                recette=cents(line.get("banque_recette")),
                depense=cents(line.get("banque_depense")),
            )
        )
    return out


def from_store(store: Store, coop: str, exercice: str | None = None) -> Handover | None:
    """The handover of ``coop``'s current accepted version of ``exercice`` (default: its latest accepted), None when
    the store holds none. Raises StoreError when the store cannot be read."""
    current = store.current(coop, exercice)
    if current is None or (exercice is not None and current.exercice != exercice):
        return None
    return from_version(store, current)


def from_version(store: Store, version: Version) -> Handover | None:
    report = store.read_report(version.coop, version)
    if report is None or report.totals is None or Exercice.read(report.exercice) is None:
        return None
    return handover(report, store.read_journal(version.coop, version), version.coop, version.version)


# --------------------------------------------------------------------------- the check


def check(result: CheckResult, store: Store | None, coop: str | None = None, *, say_first: bool = True) -> None:
    """Compare ``result`` with the previous exercice's accepted version in ``store`` of ``coop`` (default: the coop
    number the cahier gives): add the findings and say in ``result.continuity`` what was compared (``NOT_CHECKED``
    without a store). ``say_first``: say also when the store has no previous exercice to compare with (the watcher
    does not: a cooperative's first year in the store is no news to its teacher)."""
    if result.totals is None:  # not read as a cahier (a PDF renamed, an empty file): no year to speak of
        result.continuity = None
        return
    if store is None:
        result.continuity = NOT_CHECKED
        return
    if any(f.code is Code.COOP_MISMATCH for f in result.findings):  # another cooperative's cahier: its year is not
        result.continuity = (  # compared with this folder's
            "Continuité non vérifiée : ce cahier est celui d'une autre coopérative (voir l'erreur sur son numéro)."
        )
        return
    coop = coop or result.coop
    current = Exercice.read(result.exercice)
    if coop is None or current is None or result.totals is None:
        return
    previous = current.previous
    before = from_store(store, coop, str(previous))
    if before is None:
        if not say_first:
            return
        result.continuity = (
            f"Continuité non vérifiée : le dépôt n'a pas de version acceptée de l'exercice {previous} "
            f"pour la coopérative {coop}."
        )
        return
    found = findings(result, before)
    result.findings.extend(found)
    from workbook_tools.validate import sort_findings

    sort_findings(result.findings)
    broken = [f for f in found if f.code is Code.REPORT_DISCONTINUITY]
    result.continuity = f"Continuité vérifiée avec la version acceptée de {previous} ({before.version}) : " + (
        "le report à nouveau ne suit pas." if broken else "le report à nouveau suit le solde de clôture."
    )


def findings(result: CheckResult, before: Handover) -> list[Finding]:
    """REPORT_DISCONTINUITY and OUTSTANDING_DROPPED of ``result`` against the previous exercice's handover."""
    out: list[Finding] = []
    cahier, totals = result.cahier, result.totals
    if cahier is None or totals is None:
        return out
    end = before.exercice.end
    previous = str(before.exercice)
    opening = {
        "report_banque": (totals.report_banque, before.banque, "banque", "banque du cahier au 31 août"),
        "report_caisse": (
            totals.report_caisse,
            before.caisse,
            "caisse",
            "caisse comptée au 31 août" if before.caisse_comptee else "caisse du cahier, non comptée",
        ),
    }
    for name, (typed, closing, what, source) in opening.items():
        raw = cahier.params.get(name)
        if raw is None or str(raw).strip() == "" or typed == closing:
            continue
        row = cahier.param_rows.get(name, layout.PARAMS_BY_NAME[name].row)
        message = messages.report_discontinuity(what, typed, closing, previous, end, source)
        out.append(Finding(Code.REPORT_DISCONTINUITY, layout.SHEET_PARAMS, row, "B", message, typed))
    out.extend(_dropped(result, before))
    return out


def _key(recette: int | None, depense: int | None) -> tuple[str, int] | None:
    if recette is not None:
        return ("recette", recette)
    if depense is not None:
        return ("depense", depense)
    return None


def _cheque(value: object) -> str | None:
    text = "" if value is None else str(value).strip().lstrip("0")
    return text or None


def _dropped(result: CheckResult, before: Handover) -> list[Finding]:
    """Each line outstanding at the previous 31 August must reappear: in « En attente », or in the Journal."""
    cahier = result.cahier
    if cahier is None or not before.outstanding:
        return []
    here: list[tuple[tuple[str, int], str | None]] = []
    for item in cahier.en_attente:
        key = _key(item.get("recette"), item.get("depense"))
        if key is not None:
            here.append((key, _cheque(item.get("cheque"))))
    journal = result.journal
    if journal is not None and not journal.empty:
        import pandas as pd

        for rec, dep, chq in zip(journal["banque_recette"], journal["banque_depense"], journal["cheque"], strict=True):
            key = _key(None if pd.isna(rec) else int(rec), None if pd.isna(dep) else int(dep))
            if key is not None:
                here.append((key, _cheque(chq)))
    out: list[Finding] = []
    for line in before.outstanding:
        key = _key(line.recette, line.depense)
        if key is None:
            continue
        cheque = _cheque(line.cheque)
        match = next(
            (i for i, (k, c) in enumerate(here) if k == key and (cheque is None or c is None or c == cheque)), None
        )
        if match is not None:
            del here[match]
            continue
        kind = "remise" if key[0] == "recette" else "cheque" if cheque else "depense"
        message = messages.outstanding_dropped(kind, line.libelle, key[1], line.date, line.cheque,
                                               str(before.exercice))  # fmt: skip
        out.append(
            Finding(Code.OUTSTANDING_DROPPED, layout.SHEET_ATTENTE, layout.TABLE_HEADER_ROW, "A", message, key[1])
        )
    return out


def is_untouched(result: CheckResult) -> bool:
    """A prepared cahier nobody has filled yet (« prêt à remplir »): it reads as a cahier, with no Journal line
    and no line of « En attente » ticked, and no error but parameters still to type (a blank cahier's opening
    balances). Run after :func:`check`: a report à nouveau that does not follow last year's closing one
    (REPORT_DISCONTINUITY), a parameter mistyped or another cooperative's number is refused, not « prêt à remplir »."""
    cahier = result.cahier
    if cahier is None or cahier.journal is None:
        return False
    if any(f.severity is Severity.ERROR and f.code is not Code.PARAM_MISSING for f in result.findings):
        return False
    return len(cahier.journal) == 0 and all(item.get("pointe") is None for item in cahier.en_attente)
