"""The bank statement ticks the cahier (« pointage »): plan, then write the ticked copy, then say it in French.

:func:`plan` reads the cahier (the one reader, :mod:`workbook_tools.validate`), its bank lines, the statements
(:mod:`workbook_tools.statement`), pairs them (:mod:`workbook_tools.matching`) and finds the statement's balance at
31 August when a statement covers that day. :func:`write_copy` writes a copy of the cahier — never the original —
with each paired line's « Pointé » cell holding the statement's date (SPEC §4 v2: a date after 31 August means the
line was still outstanding at 31/08) and that balance in Paramètres; the copy is written like every copy of a
teacher's workbook (:mod:`workbook_tools.package`), so its formulas, drop-downs and formats keep working.
:func:`to_text` is the report the CLI prints and the watcher writes beside the statement.

Choices where the issue is silent:

* a line already ticked (« x ») that the statement shows gets the statement's date too (the rapprochement then
  knows whether it cleared by 31 August); a ticked line the statements do not show keeps its mark, and is named
  when a statement covers its date;
* the statement balance already typed in Paramètres is replaced by the statements' when they differ, and the
  report says both;
* only the statement lines dated within the exercice are « missing from the cahier »; the others (last year's
  cheques, next year's lines) are counted, not listed;
* the « En attente » sheet's lines (last year's, outstanding at its 31 August) are paired as the Journal's, their
  window counting from the exercice's first day, and ticked in that sheet; never suggested for the Journal;
* in the synced folder, a statement that cannot be read is answered « POINTAGE NON FAIT » and the cahier is still
  ticked with the folder's other statements.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbook_tools import layout
from workbook_tools.exercice import Exercice
from workbook_tools.matching import BankLine, Matching, Window, match
from workbook_tools.model import Severity
from workbook_tools.statement import (
    Operation,
    Statement,
    StatementError,
    balance_on,
    is_statement_name,
    merged_operations,
    read_statement,
)
from workbook_tools.text import count, euros, fold

if TYPE_CHECKING:
    from workbook_tools.isolation import Limits
    from workbook_tools.store import Store
    from workbook_tools.validate import CheckResult

POINTE_SUFFIX = ".pointe.xlsx"  # the ticked copy, beside the cahier
REPORT_SUFFIX = ".pointage.txt"  # the report, beside the statement (watcher)
WRITABLE = (".xlsx", ".xlsm")
DATE_WIDTH = 11.5  # characters: « 08/09/2025 » in Calibri 11 or Arial 10, with its margins


class PointageError(ValueError):
    """The cahier cannot be ticked (unreadable, not a cahier, not a format openpyxl writes); French message."""


@dataclass
class Pointage:
    cahier: Path
    statements: list[Statement]
    matching: Matching
    start: dt.date | None  # the exercice
    end: dt.date | None
    pointe_letter: str
    releve_row: int
    releve_avant: int | None  # the statement balance typed in the cahier
    releve_31_08: int | None  # the statements' balance at 31 August, when they cover it
    notes: list[str] = field(default_factory=list)
    ticked_absent: list[BankLine] = field(default_factory=list)  # ticked, covered by a statement, not on it
    outside: list[Operation] = field(default_factory=list)  # statement lines outside the exercice, unpaired
    ticked_on: dict[tuple[bool, int], dt.date] = field(default_factory=dict)  # BankLine.key → the date already in
    # its « Pointé » cell (a line ticked with an x is not there): what the report says of the marks replaced

    @property
    def missing(self) -> list[Operation]:
        """Statement lines of the exercice that the cahier lacks (bank fees, a direct debit, a transfer…)."""
        near = {id(n.operation) for n in self.matching.near}
        return [op for op in self.matching.operations_left if id(op) not in near and op not in self.outside]

    @property
    def outstanding(self) -> list[BankLine]:
        """Cahier lines not on the statements, unticked, dated up to the statements' last day."""
        near = {n.line.key for n in self.matching.near}
        last = max((s.end for s in self.statements if s.end), default=None)
        return [
            ln
            for ln in self.matching.lines_left
            if ln.key not in near and not ln.ticked and (last is None or ln.date <= last)
        ]


def plan(
    cahier: Path,
    statements: list[Path] | list[Statement],
    *,
    window: Window | None = None,
    profiles: Path | None = None,
    checked: CheckResult | None = None,
) -> Pointage:
    """Everything decided, nothing written. ``statements``: files, or statements already read; ``profiles``: a file
    of extra CSV layouts (TOML, as banques.toml)."""
    from workbook_tools.statement.profiles import load_profiles
    from workbook_tools.validate import check_file

    result = checked if checked is not None else check_file(cahier)  # the watcher's is made in a worker process
    read = result.cahier
    if read is None or read.journal is None or result.journal is None:
        worst = sorted(result.findings, key=lambda f: f.severity is not Severity.ERROR)
        problem = next((f.message for f in worst), "Ce n'est pas un cahier.")  # a sentence of its own, capital
        raise PointageError(f"« {Path(cahier).name} » ne peut pas être pointé. {problem}")
    if "pointe" not in read.columns:
        raise PointageError(
            f"« {Path(cahier).name} » : le Journal n'a pas de colonne « Pointé » où écrire les dates du relevé. "
            "Remettez la colonne du modèle (titre « Pointé »), puis pointez à nouveau."
        )
    exercice = Exercice.read(result.exercice) if result.exercice else None
    start, end = (exercice.start, exercice.end) if exercice is not None else (None, None)
    lines = bank_lines(result.journal) + carried_lines(read.en_attente, start)
    layouts = load_profiles(profiles)
    read_ones = [s if isinstance(s, Statement) else read_statement(s, layouts) for s in statements]
    operations = merged_operations(read_ones)
    matching = match(lines, operations, window)
    pointage = Pointage(
        cahier=Path(cahier),
        statements=read_ones,
        matching=matching,
        start=start,
        end=end,
        pointe_letter=read.columns.get("pointe", "A"),
        releve_row=read.param_rows.get("releve_31_08", layout.PARAMS_BY_NAME["releve_31_08"].row),
        releve_avant=result.totals.releve_31_08 if result.totals is not None else None,
        releve_31_08=None,
    )
    if end is not None:
        pointage.releve_31_08, notes = balance_on(read_ones, end)
        pointage.notes += notes
    if start is not None and end is not None:
        pointage.outside = [op for op in matching.operations_left if not start <= op.date <= end]
    covered = [(s.start, s.end) for s in read_ones if s.start and s.end]
    paired = {p.line.key for p in matching.pairs}
    pointage.ticked_on = tick_dates(result.journal, read.en_attente)
    pointage.ticked_absent = [
        ln for ln in lines if ln.ticked and ln.key not in paired and any(a <= ln.date <= b for a, b in covered)
    ]
    return pointage


def bank_lines(journal: Any) -> list[BankLine]:
    """The cahier's bank lines (Banque recette or Banque dépense), from the checked journal; a line without a
    readable date or amount cannot be paired and is left out (the check already says why)."""
    out: list[BankLine] = []
    f = journal
    has_bank = f["banque_recette"].notna() | f["banque_depense"].notna()
    for i in f.index[has_bank & f["date"].notna()]:
        receipt = f.at[i, "banque_recette"]
        expense = f.at[i, "banque_depense"]
        amount = (0 if receipt is None or _na(receipt) else int(receipt)) - (
            0 if expense is None or _na(expense) else int(expense)
        )
        if amount == 0:
            continue
        out.append(
            BankLine(
                row=int(f.at[i, "row"]),
                date=f.at[i, "date"].date(),
                amount=amount,
                label=_text(f.at[i, "libelle"]) or "",
                cheque=_text(f.at[i, "cheque"]),
                mode=f.at[i, "mode_lu"] if isinstance(f.at[i, "mode_lu"], str) else None,
                ticked=bool(f.at[i, "pointe"]),
            )
        )
    return out


def tick_dates(journal: Any, en_attente: list[dict[str, Any]]) -> dict[tuple[bool, int], dt.date]:
    """The dates already typed in the « Pointé » cells (Journal and « En attente »), by line (``BankLine.key``)."""
    out: dict[tuple[bool, int], dt.date] = {}
    if "pointe_le" in journal:
        for row, day in zip(journal["row"], journal["pointe_le"], strict=True):
            if not _na(day):
                out[(False, int(row))] = day.date() if hasattr(day, "date") else day
    for item in en_attente:
        if item.get("pointe_le") is not None:
            out[(True, int(item["row"]))] = item["pointe_le"]
    return out


def carried_lines(en_attente: list[dict[str, Any]], start: dt.date | None = None) -> list[BankLine]:
    """The lines of the « En attente » sheet (issue 12: last year's cheques and deposits still outstanding at its
    31 August), paired with the statement as the Journal's lines are, their window counting from ``start`` (the
    exercice's first day: they cleared after it); a line without a readable date or amount is left out (the check
    already says why)."""
    out: list[BankLine] = []
    for item in en_attente:
        amount = (item.get("recette") or 0) - (item.get("depense") or 0)
        if item.get("date") is None or amount == 0:
            continue
        out.append(
            BankLine(
                row=int(item["row"]),
                date=item["date"],
                amount=amount,
                label=item.get("libelle") or "",
                cheque=item.get("cheque"),
                mode=item.get("mode"),
                ticked=item.get("pointe") is not None,
                carried=True,
                since=start,
            )
        )
    return out


def where(line: BankLine) -> str:
    """« Journal ligne 12 », « En attente ligne 5 »: where the teacher finds the line."""
    return f"{'« En attente »' if line.carried else 'Journal'} ligne {line.row}"


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _na(value: Any) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


# --------------------------------------------------------------------------- the ticked copy


def copy_path(cahier: Path, out_dir: Path | None = None) -> Path:
    return (
        out_dir or cahier.parent
    ) / f"{cahier.stem}{POINTE_SUFFIX if cahier.suffix.lower() != '.xlsm' else '.pointe.xlsm'}"


def write_copy(pointage: Pointage, dest: Path) -> Path:
    """The ticked copy of the cahier at ``dest`` (written atomically). Never the original."""
    from workbook_tools.files import atomic_path
    from workbook_tools.package import open_original, save_copy

    src = pointage.cahier
    if src.suffix.lower() not in WRITABLE:
        raise PointageError(
            f"« {src.name} » est au format {src.suffix or '(sans extension)'} : la copie pointée ne peut être écrite "
            "que pour un classeur .xlsx. Dans Excel ou LibreOffice, « Enregistrer sous » → « Classeur Excel (.xlsx) »."
        )
    if dest.resolve() == src.resolve():
        raise PointageError("la copie pointée ne doit pas remplacer le cahier d'origine : donnez un autre nom (-o).")
    wb = open_original(src, keep_vba=dest.suffix.lower() == ".xlsm")
    journal = wb[_sheet(wb.sheetnames, layout.SHEET_JOURNAL) or layout.SHEET_JOURNAL]
    attente = _sheet(wb.sheetnames, layout.SHEET_ATTENTE)
    attente_letter = _attente_pointe_letter(wb[attente]) if attente is not None else None
    for pair in pointage.matching.pairs:
        if pair.line.carried:  # read from the sheet, so it is there with its « Pointé » header
            assert attente is not None and attente_letter is not None
            cell = wb[attente][f"{attente_letter}{pair.line.row}"]
        else:
            cell = journal[f"{pointage.pointe_letter}{pair.line.row}"]
        cell.value = pair.operation.date
        cell.number_format = "DD/MM/YYYY"
    if attente is not None and attente_letter is not None and any(p.line.carried for p in pointage.matching.pairs):
        dims = wb[attente].column_dimensions[attente_letter]
        if (dims.width or 0) < DATE_WIDTH:
            dims.width = DATE_WIDTH
    width = journal.column_dimensions[pointage.pointe_letter]
    if pointage.matching.pairs and (width.width or 0) < DATE_WIDTH:  # a narrow « Pointé » would show ### for a date
        width.width = DATE_WIDTH
    params = _sheet(wb.sheetnames, layout.SHEET_PARAMS)
    if pointage.releve_31_08 is not None and params is not None:
        cell = wb[params].cell(pointage.releve_row, 2)
        cell.value = pointage.releve_31_08 / 100 if pointage.releve_31_08 % 100 else pointage.releve_31_08 // 100
    dest.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(dest) as tmp:
        save_copy(wb, src, tmp)
    return dest


def _attente_pointe_letter(ws: Any) -> str | None:
    """The « Pointé » column of the « En attente » sheet, found by its header as the reader finds it."""
    from openpyxl.utils import get_column_letter

    header = fold(dict(layout.ATTENTE_COLUMNS)["pointe"])
    for row in ws.iter_rows(min_row=1, max_row=15):
        for cell in row:
            if isinstance(cell.value, str) and fold(cell.value) == header:
                return str(get_column_letter(cell.column))
    return None


def _sheet(names: list[str], wanted: str) -> str | None:
    """The sheet the reader took for ``wanted`` (names compared folded, as :func:`workbook_tools.intake.sheet_rows`)."""
    return next((n for n in names if fold(n) == fold(wanted)), None)


# --------------------------------------------------------------------------- the report


def to_text(p: Pointage, copy: Path | None = None) -> str:
    m = p.matching
    out = [f"Pointage de {p.cahier.name} avec {count(len(p.statements), 'relevé')} :"]
    for s in p.statements:
        period = f"du {s.start:%d/%m/%Y} au {s.end:%d/%m/%Y}" if s.start and s.end else "sans date"
        out.append(f"  - {s.path.name} ({s.kind}, {count(len(s.operations), 'opération')}, {period})")
    carried = sum(1 for pair in m.pairs if pair.line.carried)
    in_copy = f" dans la copie {copy.name}" if copy is not None else ""
    before = _marks_before(p)
    out.append(
        f"{count(len(m.pairs), 'ligne pointée', 'lignes pointées')} : la colonne Pointé{in_copy} porte la date du "
        "relevé." + (" Leur colonne Pointé, avant :" if before else "")
    )
    out += before
    if carried:
        them = ("ligne", "pointée", "la") if carried == 1 else ("lignes", "pointées", "les")
        out.append(
            f"Dont {carried} {them[0]} de la feuille « En attente » (chèques et remises de l'an dernier pas encore "
            f"passés en banque au 31 août), {them[1]} dans cette feuille : ne {them[2]} recopiez pas dans le Journal."
        )
    out += _balance(p)
    out += _near(p)
    out += _missing(p)
    out += _outstanding(p)
    out += _date_order(p)
    if p.ticked_absent:
        out.append("")
        out.append("Pointées dans le cahier mais absentes des relevés (à vérifier, le pointage est laissé tel quel) :")
        out += [f"  {where(ln)}, {ln.date:%d/%m/%Y}, « {ln.label} » : {_side(ln.amount)}" for ln in p.ticked_absent]
    if p.outside:
        out.append("")
        out.append(
            f"{count(len(p.outside), 'opération')} des relevés hors de l'exercice, non rapprochée(s) (l'exercice "
            "précédent ou le suivant) : non listée(s)."
        )
    out += ["", *p.notes] if p.notes else []
    return "\n".join(out) + "\n"


def _marks_before(p: Pointage) -> list[str]:
    """What the « Pointé » cells of the lines just ticked held before: nothing, an x, or a date (the statement's,
    or another one, which the statement's replaces). Said only when some were already ticked; the numbers add up
    to the lines ticked."""
    empty = crossed = same = other = 0
    for pair in p.matching.pairs:
        typed = p.ticked_on.get(pair.line.key)
        if not pair.line.ticked:
            empty += 1
        elif typed is None:
            crossed += 1
        elif typed == pair.operation.date:
            same += 1
        else:
            other += 1
    if not crossed + same + other:
        return []
    none = "aucune n'était vide"
    out = [f"  - {count(empty, 'était vide', 'étaient vides', none=none)} ;"]
    if crossed:
        out.append(f"  - {count(crossed, 'portait un x', 'portaient un x')}, remplacé par la date du relevé ;")
    if same and not other:
        out.append(f"  - {count(same, 'portait déjà la date du relevé', 'portaient déjà la date du relevé')} ;")
    elif other and not same:
        replaced = count(other, "portait une autre date", "portaient une autre date")
        out.append(f"  - {replaced}, remplacée par celle du relevé ;")
    elif same and other:
        out.append(
            f"  - {count(same + other, 'portait une date', 'portaient une date')} : {same} la même que le relevé, "
            f"{other} une autre, remplacée par celle du relevé ;"
        )
    out[-1] = out[-1].removesuffix(" ;") + "."
    return out


def _side(amount: int) -> str:
    return f"{euros(abs(amount))} ({'recette' if amount > 0 else 'dépense'})"


def _balance(p: Pointage) -> list[str]:
    if p.end is None:
        return ["L'exercice du cahier est illisible : le solde au 31 août n'a pas été cherché."]
    day = f"{p.end:%d/%m/%Y}"
    if p.releve_31_08 is None:
        return [f"Aucun relevé ne couvre le {day} avec un solde : le solde au 31 août n'a pas été rempli."]
    line = f"Solde du relevé au {day} : {euros(p.releve_31_08)} — écrit dans Paramètres (Solde du relevé bancaire au 31 août)"
    if p.releve_avant is not None and p.releve_avant != p.releve_31_08:
        line += f" à la place de {euros(p.releve_avant)}"
    return [line + "."]


def _near(p: Pointage) -> list[str]:
    if not p.matching.near:
        return []
    out = ["", "Montants qui diffèrent entre le cahier et le relevé (non pointés : corrigez le cahier) :"]
    for n in p.matching.near:
        hint = " : deux chiffres inversés ?" if n.swapped else ""
        out.append(
            f"  {where(n.line)}, {n.line.date:%d/%m/%Y}, « {n.line.label} » : {euros(abs(n.line.amount))} dans "
            f"le cahier, {euros(abs(n.operation.amount))} sur le relevé du {n.operation.date:%d/%m/%Y} "
            f"(« {n.operation.label} ») — écart {euros(abs(n.gap))}{hint}"
        )
    return out


def _missing(p: Pointage) -> list[str]:
    missing = p.missing
    if not missing:
        return ["", "Rien ne manque au cahier : chaque opération des relevés de l'exercice y est."]
    out = ["", f"Sur le relevé mais pas dans le cahier ({len(missing)}) — à ajouter au Journal, par exemple :"]
    for op in missing:
        out.append(f"  {op.date:%d/%m/%Y}  {op.label}  {_side(op.amount)}")
        out.append(f"    ligne à recopier : {suggested_line(op)}")
    return out


def _outstanding(p: Pointage) -> list[str]:
    lines = p.outstanding
    if not lines:
        return []
    out = [
        "",
        f"Dans le cahier mais pas sur le relevé ({len(lines)}) — en attente : normal pour un chèque pas encore "
        "encaissé ; sinon cherchez l'erreur :",
    ]
    for ln in lines:
        cheque = f", chèque {ln.cheque}" if ln.cheque else ""
        out.append(f"  {where(ln)}, {ln.date:%d/%m/%Y}{cheque}, « {ln.label} » : {_side(ln.amount)}")
    return out


def _date_order(p: Pointage) -> list[str]:
    out: list[str] = []
    for group in p.matching.in_date_order:
        if not out:
            out = ["", "Même montant plusieurs fois à quelques jours d'écart : appariés dans l'ordre des dates :"]
        said = "; ".join(
            f"{where(pair.line)} du {pair.line.date:%d/%m/%Y} ↔ relevé du {pair.operation.date:%d/%m/%Y}"
            for pair in group
        )
        out.append(f"  {euros(abs(group[0].line.amount))} : {said}")
    return out


_MODES = [
    (r"\b(prlv|prelevement|prelev)\b", "PRLV"),
    (r"\b(vir|virement)\b", "VIR"),
    (r"\b(cb|carte|paiement par carte)\b", "CB"),
    (r"\b(cheque|chq)\b", "CHQ"),
    (r"\b(especes|versement esp)\b", "ESP"),
]
_CHAPTERS = [  # (words in the label, direction, chapter): a suggestion, the teacher decides
    (r"\b(frais|commission|cotisation|agios|tenue de compte|abonnement)\b", -1, "6500"),
    (r"\b(mairie|commune|departement|region|conseil)\b", +1, "7410"),
    (r"\b(ape|association|parents|amicale)\b", +1, "7420"),
    (r"\b(occe)\b", -1, "6281"),
]


_BANK_PREFIX = re.compile(
    r"^(?:VIR(?:EMENT)?(?: SEPA)?(?: EMIS| RECU| INST)?(?: DE)?|PRLV(?: SEPA)?|PRELEVEMENT(?: SEPA)?|PAIEMENT (?:PAR )?CB|CB)\s+",
    re.IGNORECASE,
)


def suggested_line(op: Operation) -> str:
    """What to type in the Journal for a statement line the cahier lacks."""
    label = fold(op.label)
    mode = next((m for pattern, m in _MODES if re.search(pattern, label)), None)
    chapter = next((c for pattern, sign, c in _CHAPTERS if re.search(pattern, label) and sign * op.amount > 0), None)
    column = "Banque recette" if op.amount > 0 else "Banque dépense"
    parts = [f"Date {op.date:%d/%m/%Y}"]
    parts += [f"Mode {mode}"] if mode else []
    label = _BANK_PREFIX.sub("", op.label.strip()).strip() or op.label.strip()
    parts += [f"Libellé « {label.capitalize()} »", f"{column} {euros(abs(op.amount))}"]
    parts += [f"N° chèque {op.cheque}"] if op.cheque and op.amount < 0 else []
    parts += [f"Chapitre {chapter} (à vérifier)"] if chapter else ["Chapitre : à choisir"]
    return " · ".join(parts)


# --------------------------------------------------------------------------- in the synced folder (the watcher)


def answer_statement(
    statement: Path,
    coop: str,
    store: Store | None = None,
    *,
    limits: Limits | None = None,
    max_bytes: int | None = None,
) -> str:
    """A bank statement saved in a cooperative's folder: kept in the store with the cooperative's versions (a proof
    the vérificateurs ask for), then the cahier beside it (the newest workbook of the folder) ticked with every
    statement of the folder, the copy written beside the cahier (``<cahier>.pointe.xlsx``) and the report beside the
    statement (``<statement>.pointage.txt``). → one line for the log. Store faults propagate (the watcher retries).
    With ``limits`` (the watcher), everything after the store — the statements read, the cahier checked, its copy
    written — runs in a worker process (:mod:`workbook_tools.isolation`) under those limits, as every file the
    watcher checks: no statement or cahier can stop the service; a cahier that cannot be read is answered, never
    opened by openpyxl."""
    from workbook_tools.files import replace_bytes

    if store is not None:
        store.keep_statement(coop, statement.name, statement.read_bytes())
    folder = statement.parent
    if limits is not None:  # the statements read, the cahier checked and its copy written in a worker process
        import functools

        from workbook_tools.isolation import WorkerDied, call_isolated

        try:
            work = functools.partial(answer_statement, statement, coop, None, max_bytes=max_bytes)
            return call_isolated(work, limits=limits, name="cahier-pointage")
        except WorkerDied as died:
            detail = (
                f"plus de {limits.seconds:.0f} secondes" if died.why == "time" else f"plus de {limits.memory_mb} Mo"
            )
            text = (
                f"POINTAGE NON FAIT — {statement.name} : lire les relevés et le cahier a demandé {detail}. "
                "Vérifiez que le relevé est bien l'export de la banque (OFX, QIF ou CSV) et que le cahier est parti "
                "du modèle, puis enregistrez à nouveau le relevé.\n"
            )
            replace_bytes(folder / f"{statement.name}{REPORT_SUFFIX}", text.encode("utf-8"))
            return "pointage non fait"
    cahier = _cahier_beside(folder)
    copy: Path | None = None
    refused = ""  # the report on this statement when it cannot be read
    try:
        if cahier is None:
            raise PointageError(
                "aucun cahier (.xlsx) dans ce dossier : enregistrez-y le cahier, puis enregistrez à nouveau le relevé."
            )
        read_ones, notes = [], []
        for other in sorted(f for f in folder.iterdir() if f.is_file() and is_statement_name(f.name)):
            try:
                read_ones.append(read_statement(other))
            except StatementError as exc:
                if other == statement:
                    refused = f"POINTAGE NON FAIT — {statement.name} : {exc}\n"
                else:
                    notes.append(f"{other.name} laissé de côté : {exc}")
        if refused and not read_ones:
            raise _Refused(refused)
        checked = None
        if max_bytes is not None:
            from workbook_tools.validate import check_file

            checked = check_file(cahier, max_bytes=max_bytes)
        pointage = plan(cahier, read_ones, checked=checked)
        pointage.notes += notes
        copy = write_copy(pointage, copy_path(cahier))
        text, said = (
            to_text(pointage, copy),
            f"{count(len(pointage.matching.pairs), 'ligne pointée', 'lignes pointées')}",
        )
        if refused:  # this statement is left out; the others of the folder still tick the cahier
            text = f"{refused}\nLe cahier a été pointé avec les autres relevés du dossier :\n\n{text}"
            said = f"pointage non fait pour {statement.name} ; {said} avec les autres relevés"
    except _Refused as exc:
        text, said = str(exc), "pointage non fait"
    except (StatementError, PointageError) as exc:
        text, said = f"POINTAGE NON FAIT — {statement.name} : {exc}\n", "pointage non fait"
    replace_bytes(folder / f"{statement.name}{REPORT_SUFFIX}", text.encode("utf-8"))
    return f"{said}{f' dans {copy.name}' if copy else ''}"


class _Refused(Exception):
    """The statement saved cannot be read and no other statement of the folder can tick the cahier."""


def refresh_after_save(
    cahier: Path, coop: str, store: Store | None = None, *, limits: Limits | None = None, max_bytes: int | None = None
) -> str | None:
    """A cahier saved in a folder that holds statements: ticked again (a copy ticked from an earlier save would
    mislead), when it is the newest workbook of the folder. None when there is nothing to do."""
    folder = cahier.parent
    statements = [f for f in folder.iterdir() if f.is_file() and is_statement_name(f.name)]
    if not statements or _cahier_beside(folder) != cahier:
        return None
    newest = max(statements, key=lambda f: (f.stat().st_mtime, f.name))
    return answer_statement(newest, coop, store, limits=limits, max_bytes=max_bytes)


def _cahier_beside(folder: Path) -> Path | None:
    """The newest workbook of the folder that is a teacher's save (not a temporary nor one of the tool's outputs)."""
    from workbook_tools.files import is_temporary
    from workbook_tools.ingest import is_own_output

    saves = [
        f
        for f in folder.iterdir()
        if f.is_file()
        and f.suffix.lower() in WRITABLE
        and not is_own_output(f.name)
        and not is_temporary(f.name)
        and not f.name.startswith(("~$", "."))
    ]
    return max(saves, key=lambda f: (f.stat().st_mtime, f.name), default=None)


__all__ = [
    "POINTE_SUFFIX",
    "REPORT_SUFFIX",
    "Pointage",
    "PointageError",
    "StatementError",
    "answer_statement",
    "copy_path",
    "plan",
    "to_text",
    "write_copy",
]
