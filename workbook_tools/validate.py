"""Check a cahier: the pandera line schema, then the book-level rules (parameters, year end).

``check_file`` is what the CLI, the watcher and the benchmarks call. All
findings are collected in one pass; nothing stops at the first error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa

from workbook_tools import cells, layout, messages
from workbook_tools.chart import Chart, default_chart
from workbook_tools.exercice import Exercice
from workbook_tools.messages import Messages
from workbook_tools.model import (
    ActionCra,
    Annexes,
    Attente,
    Bien,
    Code,
    Finding,
    FindingCounts,
    Report,
    Subvention,
    Totals,
)
from workbook_tools.read import MAX_FILE_BYTES, Cahier, read_cahier
from workbook_tools.rules import Context, build_schema, derive, running_balance
from workbook_tools.text import euros, gap

P = layout.SHEET_PARAMS
SHEET_ORDER = {name: i for i, name in enumerate(layout.SHEETS)}


@dataclass
class CheckResult(FindingCounts):
    path: Path
    findings: list[Finding] = field(default_factory=list)
    coop: str | None = None
    exercice: str | None = None
    journal: pd.DataFrame | None = None
    totals: Totals | None = None
    cahier: Cahier | None = None
    continuity: str | None = None  # what was compared with the previous exercice (``continuity.check``), French

    def to_report(self, *, file: str | None = None, sha256: str | None = None) -> Report:
        """The typed result that travels on to the report, the store, the CRF and the consolidation."""
        return Report(
            file=str(self.path) if file is None else file,
            coop=self.coop,
            exercice=self.exercice,
            findings=list(self.findings),
            totals=self.totals,
            annexes=annexes(self.cahier),
            sha256=sha256,
        )


def annexes(cahier: Cahier | None) -> Annexes | None:
    """What the CRF needs besides the journal lines: parameters, inventory, subsidies, cash count."""
    if cahier is None or cahier.journal is None:
        return None
    return Annexes(
        parametres=dict(cahier.params),
        inventaire=[Bien(**item) for item in cahier.inventaire],
        subventions=[Subvention(**item) for item in cahier.subventions],
        billets=list(cahier.caisse_detail),
        en_attente=[Attente(**item) for item in cahier.en_attente],
        cra=dict(cahier.cra),
        cra_actions=[ActionCra(**item) for item in cahier.cra_actions],
        cra_illisibles=dict(cahier.cra_illisibles),
        quitus_invalides=dict(cahier.quitus_invalides),
    )


def check_file(
    path: Path | str,
    *,
    expected_coop: str | None = None,
    max_bytes: int | None = None,
    chart: Chart | None = None,
) -> CheckResult:
    chart = chart or default_chart()
    cahier = read_cahier(Path(path), chart=chart, max_bytes=max_bytes or MAX_FILE_BYTES)
    return check_cahier(cahier, chart=chart, expected_coop=expected_coop)


def check_cahier(cahier: Cahier, *, chart: Chart | None = None, expected_coop: str | None = None) -> CheckResult:
    chart = chart or default_chart()
    result = CheckResult(cahier.path, list(cahier.findings), cahier=cahier)
    if cahier.journal is None:
        return result
    params = _params(cahier, result)
    if expected_coop is not None and not same_coop(result.coop, expected_coop):
        result.findings.append(
            Finding(
                Code.COOP_MISMATCH,
                P,
                cahier.param_rows.get("coop_numero", layout.PARAMS_BY_NAME["coop_numero"].row),
                "B",
                f"Ce cahier est celui de la coopérative « {result.coop or '(sans numéro)'} » mais il a été déposé dans le "
                f"dossier de la coopérative « {expected_coop} ». Il n'a pas été enregistré : déposez chaque cahier dans "
                "le dossier de sa coopérative, ou corrigez le n° de coopérative dans Paramètres.",
                result.coop,
            )
        )
    start, end = params.get("start"), params.get("end")
    ctx = Context(
        chart=chart,
        start=start,
        end=end,
        report_banque=params.get("report_banque") or 0,
        report_caisse=params.get("report_caisse") or 0,
        inventaire_pieces={str(i["piece"]).strip().upper() for i in cahier.inventaire if i["piece"]},
        inventaire_keys={(i["date"], i["valeur"]) for i in cahier.inventaire if i["date"] and i["valeur"]},
    )
    frame = derive(cahier.journal, chart, start, end)
    result.journal = frame
    messages = Messages(
        cahier,
        chart,
        start,
        end,
        {"report_banque": ctx.report_banque, "report_caisse": ctx.report_caisse},
        running=running_balance,
    )
    result.findings.extend(_line_findings(frame, ctx, messages))
    result.totals = _totals(frame, cahier, chart, ctx, params)
    result.findings.extend(_negative_chapters(frame, cahier, result.totals, chart))
    result.findings.extend(_ticks_as_text(cahier, end))
    result.findings.extend(_year_end(cahier, result.totals, chart))
    result.findings.sort(key=_finding_order)
    return result


def same_coop(found: str | None, expected: str) -> bool:
    if found is None:
        return False
    a, b = found.strip().upper(), expected.strip().upper()
    if a == b:
        return True
    return a.isdigit() and b.isdigit() and int(a) == int(b)


def sort_findings(findings: list[Finding]) -> None:
    """In the order of the sheets, then of the cells (in place)."""
    findings.sort(key=_finding_order)


def _finding_order(f: Finding) -> tuple[int, int, int, str]:
    return (SHEET_ORDER.get(f.sheet or "", -1), f.row or 0, len(f.column or ""), f.column or "")


def _line_findings(frame: pd.DataFrame, ctx: Context, messages: Messages) -> list[Finding]:
    if frame.empty:
        return []
    schema = build_schema(ctx)
    try:
        schema.validate(frame, lazy=True, inplace=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    names = [c.name for c in schema.checks]
    structural = cases[cases["schema_context"] != "DataFrameSchema"]
    if not structural.empty:  # the reader built a frame the schema does not expect: a bug, never the teacher's fault
        raise RuntimeError(f"journal normalisé inattendu : {structural.to_dict('records')}")
    cases = cases[cases["schema_context"] == "DataFrameSchema"]
    crashed = cases[cases["index"].isna()]
    if not crashed.empty:  # a check that raised judged no line: a bug in rules.py, which must never pass unnoticed
        details = "; ".join(
            f"{names[int(n)]} ({error})"
            for n, error in crashed[["check_number", "failure_case"]].itertuples(index=False)
        )
        raise RuntimeError(f"règle du Journal en panne : {details}")
    hits = cases[["check_number", "index"]].dropna().drop_duplicates()
    findings: list[Finding] = []
    for number, index in hits.itertuples(index=False):
        code = names[int(number)]
        line = frame.iloc[int(index)]  # the frame has a RangeIndex: label == position
        letter, message, value = messages.build(code, line, frame)
        level = messages.severity(code, line)
        findings.append(Finding(Code[code], layout.SHEET_JOURNAL, int(line["row"]), letter, message, value, level))
    return findings


# --- Paramètres ------------------------------------------------------------------------------------


def _params(cahier: Cahier, result: CheckResult) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for p in layout.PARAMS:
        raw = cahier.params.get(p.name, "")
        row = cahier.param_rows.get(p.name, p.row)

        def finding(code: Code, message: str, *, _row: int = row, _raw: Any = raw) -> None:
            result.findings.append(Finding(code, P, _row, "B", message, cells.text(_raw)))

        if cells.is_empty(raw):
            if p.required:
                finding(
                    Code.PARAM_MISSING,
                    f"« {p.label} » n'est pas rempli (feuille Paramètres, cellule B{row}) : {_HINTS[p.kind]}",
                )
            continue
        if p.kind == "text":
            out[p.name] = cells.text(raw)
        elif p.kind == "money":
            cents, status, reason = cells.money(raw)
            if status == cells.BAD or (cents is not None and cents < 0 and p.name == "report_caisse"):
                finding(
                    Code.PARAM_INVALID,
                    f"« {p.label} » vaut « {cells.text(raw)} » : {reason or 'une caisse ne peut pas être négative'}. {_HINTS['money']}",
                )
            else:
                out[p.name] = cents
        elif p.kind == "exercice":
            exercice = Exercice.read(cells.text(raw))
            if exercice is None:
                finding(Code.PARAM_INVALID, f"L'exercice « {cells.text(raw)} » est mal écrit : {_HINTS['exercice']}")
            else:
                out["exercice"] = str(exercice)
                out["start"], out["end"] = exercice.start, exercice.end
    result.coop = out.get("coop_numero")
    result.exercice = out.get("exercice")
    return out


_HINTS = {
    "text": "tapez le numéro de la coopérative donné par l'association départementale OCCE.",
    "money": "tapez un montant en euros, par exemple 1234,56 (0 s'il n'y avait rien).",
    "exercice": "écrivez les deux années de l'exercice, par exemple 2025-2026 (du 1er septembre 2025 au 31 août 2026).",
}


# --- totals and year end ---------------------------------------------------------------------------


def _sum(frame: pd.DataFrame, column: str, where: pd.Series | None = None) -> int:
    s = frame[column]
    if where is not None:
        s = s[where]
    return int(s.fillna(0).sum())


def _totals(frame: pd.DataFrame, cahier: Cahier, chart: Chart, ctx: Context, params: dict[str, Any]) -> Totals:
    t = Totals()
    for c in chart.chapitres:
        t.chapitres[c.code] = _sum(frame, f"c_{c.code}")
    t.charges = sum(t.chapitres[c.code] for c in chart.charges)
    t.produits = sum(t.chapitres[c.code] for c in chart.produits)
    t.report_banque, t.report_caisse = ctx.report_banque, ctx.report_caisse
    t.banque_recettes = _sum(frame, "banque_recette")
    t.banque_depenses = _sum(frame, "banque_depense")
    t.caisse_recettes = _sum(frame, "caisse_recette")
    t.caisse_depenses = _sum(frame, "caisse_depense")
    unticked = ~frame["pointe_31_08"].astype(bool)  # no mark, or cleared after 31 August: outstanding at 31/08
    t.non_pointe_recettes = _sum(frame, "banque_recette", unticked)
    t.non_pointe_depenses = _sum(frame, "banque_depense", unticked)
    # last year's lines still « En attente » at this 31 August count in the rapprochement only (issue 12)
    carried = [Attente(**item) for item in cahier.en_attente]
    t.attente_recettes = sum(a.recette or 0 for a in carried if a.outstanding_at(ctx.end))
    t.attente_depenses = sum(a.depense or 0 for a in carried if a.outstanding_at(ctx.end))
    t.non_pointe_recettes += t.attente_recettes
    t.non_pointe_depenses += t.attente_depenses
    t.releve_31_08 = params.get("releve_31_08")
    t.caisse_comptee = cahier.caisse_comptee
    t.subventions_feuille = sum(s["montant"] or 0 for s in cahier.subventions)
    regies = frame[frame["regie"]]
    advanced = regies[["banque_depense", "caisse_depense"]].notna().any(axis=1)
    t.regies_en_cours = _sum(regies, "montant", advanced) - _sum(regies, "montant", ~advanced)
    return t


def _negative_chapters(frame: pd.DataFrame, cahier: Cahier, t: Totals, chart: Chart) -> list[Finding]:
    """CHAPTER_NEGATIVE: a chapter's net total for the year below zero — its reductions (credit notes, refunds,
    counted in minus, see ``rules.derive``) exceed what it holds. Pointed at the chapter's total in the Journal's
    totals row."""
    out: list[Finding] = []
    for c in chart.chapitres:
        net = t.chapitres.get(c.code, 0)
        if net >= 0:
            continue
        column = frame[f"c_{c.code}"]
        gross = int(column[column > 0].sum())
        rows = [int(r) for r in frame.loc[column < 0, "row"]]
        letters = cahier.letters_of(c.code)
        letter = letters[0] if letters else cahier.columns.get("chapitre", "L")
        message = messages.chapter_negative(c.code, c.libelle, c.is_charge, net, gross, rows)
        out.append(
            Finding(Code.CHAPTER_NEGATIVE, layout.SHEET_JOURNAL, layout.JOURNAL_TOTALS_ROW, letter, message, net)
        )
    return out


def _ticks_as_text(cahier: Cahier, end: dt.date | None) -> list[Finding]:
    """TICK_TEXT: a tick typed as text that reads as a date after 31 August. The tool counts the line outstanding at
    31/08, the cahier's formulas (which cannot read a date in text) count it ticked: the sheet's rapprochement
    would disagree with the tool's. A text date up to 31 August is ticked for both: nothing to say."""
    if end is None:
        return []
    letter = cahier.columns.get("pointe", "A")
    return [
        Finding(Code.TICK_TEXT, layout.SHEET_JOURNAL, row, letter, messages.tick_as_text(written, read), written)
        for row, written, read in cahier.tick_texts
        if read > end
    ] + [
        Finding(Code.TICK_TEXT, layout.SHEET_ATTENTE, row, "A", messages.tick_as_text(written, read), written)
        for row, written, read in cahier.attente_tick_texts
        if read > end
    ]


def _year_end(cahier: Cahier, t: Totals, chart: Chart) -> list[Finding]:
    out: list[Finding] = []
    if t.releve_31_08 is not None:
        adjusted = t.releve_31_08 + t.non_pointe_recettes - t.non_pointe_depenses
        if adjusted != t.banque_fin:
            row = cahier.param_rows.get("releve_31_08", layout.PARAMS_BY_NAME["releve_31_08"].row)
            out.append(
                Finding(
                    Code.RAPPROCHEMENT_MISMATCH,
                    P,
                    row,
                    "B",
                    f"Rapprochement bancaire : relevé au 31 août {euros(t.releve_31_08)} + recettes non pointées "
                    f"{euros(t.non_pointe_recettes)} − dépenses non pointées {euros(t.non_pointe_depenses)} = {euros(adjusted)}, "
                    f"mais la banque du cahier est à {euros(t.banque_fin)} ({gap(adjusted - t.banque_fin)}). "
                    "Pointez (colonne A) les lignes qui figurent sur le relevé et cherchez l'opération manquante ou mal tapée.",
                    t.releve_31_08,
                )
            )
    if t.caisse_comptee is not None and t.caisse_comptee != t.caisse_fin:
        out.append(
            Finding(
                Code.CAISSE_ECART,
                layout.SHEET_CAISSE,
                layout.CAISSE_TOTAL_ROW,
                "C",
                f"L'arrêté de caisse compte {euros(t.caisse_comptee)} mais le cahier donne {euros(t.caisse_fin)} en caisse "
                f"({gap(t.caisse_comptee - t.caisse_fin)}). Recomptez, et cherchez une recette ou une dépense en espèces oubliée.",
                t.caisse_comptee,
            )
        )
    subsidies = sum(t.chapitres.get(code, 0) for code in ("7410", "7420") if code in chart.by_code)
    if (subsidies or t.subventions_feuille) and subsidies != t.subventions_feuille:
        first = cahier.subventions[0]["row"] if cahier.subventions else layout.TABLE_FIRST_ROW
        out.append(
            Finding(
                Code.SUBVENTION_UNTRACED,
                layout.SHEET_SUBVENTIONS,
                first,
                layout.column_letter([k for k, _ in layout.SUBVENTIONS_COLUMNS].index("montant")),
                f"Les subventions du Journal (7410 + 7420 : {euros(subsidies)}) ne correspondent pas à la feuille Subventions "
                f"({euros(t.subventions_feuille)}). Chaque subvention reçue doit y figurer avec son organisme et son objet.",
                t.subventions_feuille,
            )
        )
    return out
