"""Findings → what people read: JSON (SPEC §5), French text, and an annotated copy of the workbook."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbook_tools.files import atomic_path
from workbook_tools.model import Finding, Severity
from workbook_tools.package import open_original, save_copy
from workbook_tools.text import findings, titled
from workbook_tools.validate import CheckResult

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

RED = "FFF4A6A6"
ORANGE = "FFFFD08A"
ANNOTATED_SUFFIX = ".annote"
HEADER_ROW = 4  # of the « Erreurs » sheet
ERRORS_WIDTHS = (20, 13, 32, 58)  # cell, severity, finding, what to do: one A4 landscape page wide at ~9 pt


def to_json(result: CheckResult) -> dict[str, Any]:
    """One object per file; stable keys (documented in the README). Money in integer cents."""
    out = result.to_report().to_dict()
    if result.continuity:  # issue 12: what the opening balances were compared with (French), as in the text report
        out["continuity"] = result.continuity
    return out


ERRORS_HEADING = "Erreurs à corriger :"
WARNINGS_HEADING = "Avertissements (à vérifier) :"


def summary(result: CheckResult) -> str:
    """« cahier.xlsx : 1 erreur, aucun avertissement — à corriger avant l'envoi. »; a cahier without error, warnings
    or not, « — le cahier est accepté. » (the watcher's « ACCEPTÉ »)."""
    tail = " — le cahier est accepté." if result.ok else " — à corriger avant l'envoi."
    return f"{result.path.name} : {findings(result.errors, result.warnings)}{tail}"


def to_text(result: CheckResult) -> str:
    """The summary, then the errors under their heading, then the warnings under theirs (each group in the order
    of the cells), one line per finding: « Journal!O14 — title (CODE) : message »; last, the continuity sentence."""
    lines = [summary(result)]
    for heading, severity in ((ERRORS_HEADING, Severity.ERROR), (WARNINGS_HEADING, Severity.WARNING)):
        group = [f for f in result.findings if f.severity is severity]
        if group:
            lines += ["", heading]
            lines += [f"  {f.cell or '(fichier)'} — {titled(f.code)} : {f.message}" for f in group]
    if result.continuity:  # issue 12: whether the opening balances were compared with last year's closing ones
        lines += ["", result.continuity] if result.findings else [result.continuity]
    return "\n".join(lines) + "\n"


def annotated_path(result: CheckResult, out_dir: Path) -> Path:
    src = result.path
    suffix = src.suffix.lower() if src.suffix.lower() in (".xlsx", ".xlsm") else ".xlsx"
    return out_dir / f"{src.stem}{ANNOTATED_SUFFIX}{suffix}"


def annotate(result: CheckResult, out_dir: Path) -> Path | None:
    """A copy of the teacher's workbook (never the original) with faulty cells coloured and commented,
    and a first sheet « Erreurs » linking to each. For .ods/.xls, a workbook with the « Erreurs » sheet alone.
    Returns None when there is nothing to annotate (no finding)."""
    if not result.findings:
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    dest = annotated_path(result, out_dir)
    if dest.resolve() == result.path.resolve():
        raise ValueError("le rapport annoté ne doit pas remplacer le cahier d'origine")
    wb, editable = _open_copy(result, dest)
    marked, ahead = _mark_cells(wb, result) if editable else (set(), {})
    _errors_sheet(wb, result, marked)
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
    with atomic_path(dest) as tmp:  # hidden while written: watchers and sync clients skip it
        if editable:  # what openpyxl drops (Excel's x14 drop-downs and formats) is put back
            save_copy(wb, result.path, tmp, ahead=ahead)
        else:
            wb.save(tmp)
    return dest


def _open_copy(result: CheckResult, dest: Path) -> tuple[Workbook, bool]:
    """→ (workbook, editable): the teacher's workbook when it can be annotated in place, else an empty one."""
    import openpyxl

    editable = dest.suffix in (".xlsx", ".xlsm") and result.path.suffix.lower() == dest.suffix
    editable = editable and result.cahier is not None and result.cahier.journal is not None
    if editable:
        try:  # openpyxl only reads the original; what it writes is the copy
            return open_original(result.path, keep_vba=dest.suffix == ".xlsm"), True
        except Exception:
            pass
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    return wb, False


def _mark_cells(wb: Workbook, result: CheckResult) -> tuple[set[tuple[str, str]], dict[str, int]]:
    """Colour each faulty cell (red for an error, orange for a warning) and comment it → the (sheet, cell) marked,
    and per sheet how many conditional-format rules were put before the sheet's own."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in result.findings:
        if f.sheet and f.column and f.row and f.sheet in wb.sheetnames:
            by_cell.setdefault((f.sheet, f"{f.column}{f.row}"), []).append(f)
    marks: dict[str, list[tuple[str, str]]] = {}  # sheet → (cell, colour)
    for (sheet, ref), found in by_cell.items():
        cell = _writable(wb[sheet], ref)
        if cell is None:  # a chart sheet, or a cell openpyxl cannot reach: the « Erreurs » sheet still lists it
            continue
        worst = Severity.ERROR if any(f.severity is Severity.ERROR for f in found) else Severity.WARNING
        colour = RED if worst is Severity.ERROR else ORANGE
        cell.fill = PatternFill("solid", start_color=colour, end_color=colour)
        marks.setdefault(sheet, []).append((cell.coordinate, colour))
        text = "\n".join(f"{titled(f.code)} : {f.message}" for f in found)
        cell.comment = Comment(text, "cahier", width=420, height=min(60 + 18 * len(text) // 60, 400))
    for sheet, cells in marks.items():
        _over_conditional_formats(wb[sheet], cells)
    return set(by_cell), {sheet: len(cells) for sheet, cells in marks.items()}


def _over_conditional_formats(ws: Worksheet, cells: list[tuple[str, str]]) -> None:
    """A conditional format on each marked cell, always true, that outranks the sheet's own (the template paints a
    date typed as text red, an amount typed as text orange): a warning shows orange, an error red, whatever the
    template says. The sheet's rules move down by as many places (1 is the highest priority); ``stopIfTrue`` keeps
    theirs from applying over ours."""
    from openpyxl.formatting.formatting import ConditionalFormattingList
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill

    formats = ConditionalFormattingList()  # ours first: LibreOffice applies the first rule written that holds
    for priority, (ref, colour) in enumerate(cells, start=1):
        fill = PatternFill("solid", start_color=colour, end_color=colour)
        rule = FormulaRule(formula=["TRUE"], fill=fill, stopIfTrue=True)
        rule.priority = priority
        formats.add(ref, rule)
    for existing in ws.conditional_formatting:
        for rule in existing.rules:
            rule.priority = (rule.priority or 0) + len(cells)
            formats.add(existing, rule)
    ws.conditional_formatting = formats


def _writable(ws: Any, ref: str) -> Any:
    """The cell to colour for ``ref``: itself, or the top-left cell of the merged range it belongs to."""
    from openpyxl.cell.cell import MergedCell

    try:
        cell = ws[ref]
    except (AttributeError, KeyError, TypeError, ValueError):
        return None
    if isinstance(cell, MergedCell):
        for merged in ws.merged_cells.ranges:
            if ref in merged:
                return ws.cell(merged.min_row, merged.min_col)
        return None
    return cell


def _errors_sheet(wb: Workbook, result: CheckResult, marked: set[tuple[str, str]]) -> None:
    """The first sheet « Erreurs »: the summary, then one row per finding, linked to its cell when it was marked."""
    from openpyxl.styles import Font, PatternFill

    ws = wb.create_sheet("Erreurs", 0)
    ws["A1"] = summary(result)
    ws["A1"].data_type = "s"  # it starts with the file's name, which may start with « = »
    ws["A1"].font = Font(bold=True, size=13, color="FF1F4E79")
    ws["A2"] = (
        "Chaque ligne dit quelle cellule corriger et comment. Cliquez sur la cellule pour y aller dans cette copie ; "
        "faites la correction dans votre cahier, puis enregistrez-le à nouveau."
    )
    ws["A2"].font = Font(italic=True, color="FF555555")
    ws.append([])
    ws.append(["Cellule", "Gravité", "Constat", "Ce qu'il faut faire"])
    for c in ws[HEADER_ROW]:
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", start_color="FFDDEBF7", end_color="FFDDEBF7")
    for f in result.findings:
        _error_row(ws, f, linked=bool(f.cell) and (f.sheet, f"{f.column}{f.row}") in marked)
    for letter, width in zip("ABCD", ERRORS_WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    _across_the_table(ws)
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"


def _across_the_table(ws: Worksheet) -> None:
    """The summary and the note above the table, each merged across it and wrapped: text spilling past the table
    would make the page, fit to its width, print smaller."""
    from openpyxl.styles import Alignment

    from workbook_tools.xlsx import wrapped_lines

    width = sum(ERRORS_WIDTHS) * 0.9  # Calibri (see _error_row)
    for row, line in ((1, 20), (2, 15)):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(ERRORS_WIDTHS))
        cell = ws.cell(row, 1)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = line * wrapped_lines(cell.value, width * (0.75 if row == 1 else 1))


def _error_row(ws: Worksheet, f: Finding, *, linked: bool) -> None:
    """One finding on the « Erreurs » sheet: cell (a link to it when ``linked``), severity, code, message."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    from workbook_tools.xlsx import wrapped_lines

    ws.append(
        [f.cell or "(fichier)", "erreur" if f.severity is Severity.ERROR else "avertissement", titled(f.code), None]
    )
    r = ws.max_row
    msg = ws.cell(r, 4)
    msg.value = f.message
    msg.data_type = "s"  # a message quotes teachers' text: never a formula
    wrap = Alignment(wrap_text=True, vertical="top")
    for c in ws[r]:
        c.alignment = wrap
    if linked:
        link = ws.cell(r, 1)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{f.sheet}'!{f.column}{f.row}")
        link.font = Font(color="FF0563C1", underline="single")
    # spreadsheets do not size wrapped rows; Calibri 11 fits about 0.9 of what wrapped_lines counts for Arial 10
    lines = max(wrapped_lines(titled(f.code), ERRORS_WIDTHS[2] * 0.9), wrapped_lines(f.message, ERRORS_WIDTHS[3] * 0.9))
    ws.row_dimensions[r].height = 15 * lines
    fill = RED if f.severity is Severity.ERROR else ORANGE
    ws.cell(r, 2).fill = PatternFill("solid", start_color=fill, end_color=fill)
