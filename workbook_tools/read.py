"""Any workbook → :class:`Cahier`: every value with its sheet, row and column (opened by :mod:`workbook_tools.intake`).

The Journal's columns are found by their header text, never by letter alone.
Nothing here judges the books: the reader only says what it could not read
(or read from text), and :mod:`workbook_tools.validate` checks the rest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook

from workbook_tools import cells, layout, messages
from workbook_tools import read_annexes as annexes
from workbook_tools.chart import Chart, Resolution, default_chart
from workbook_tools.intake import MAX_FILE_BYTES, MAX_ROWS, Unreadable, file_finding, open_workbook, sheet_rows
from workbook_tools.model import Code, Finding
from workbook_tools.text import fold

J = layout.SHEET_JOURNAL
HEADER_KEYS = {fold(header): key for key, header in layout.JOURNAL_COLUMNS}
TEMPLATE_LETTERS = {key: layout.column_letter(i) for i, (key, _) in enumerate(layout.JOURNAL_COLUMNS)}
TEXT_KEYS = ["piece", "mode", "libelle", "cheque", "action"]
_EPOCH = dt.date(1970, 1, 1).toordinal()
_NO_DAY = np.iinfo("int64").min  # numpy's NaT


@dataclass
class ChapterColumn:
    letter: str
    header: str
    code: str | None  # chapter it counts in, None when unknown
    rolled_up: bool


@dataclass
class Cahier:
    """What was read from one workbook."""

    path: Path
    findings: list[Finding] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    param_rows: dict[str, int] = field(default_factory=dict)
    journal: pd.DataFrame | None = None
    columns: dict[str, str] = field(default_factory=dict)  # key -> letter in this workbook
    chapter_columns: list[ChapterColumn] = field(default_factory=list)
    inventaire: list[dict[str, Any]] = field(default_factory=list)
    subventions: list[dict[str, Any]] = field(default_factory=list)
    caisse_comptee: int | None = None
    caisse_detail: list[tuple[int, int]] = field(default_factory=list)  # (denomination in cents, count)
    tick_texts: list[tuple[int, str, dt.date]] = field(default_factory=list)  # Pointé typed as a text date
    en_attente: list[dict[str, Any]] = field(default_factory=list)  # « En attente »: last year's outstanding lines
    attente_tick_texts: list[tuple[int, str, dt.date]] = field(default_factory=list)  # their ticks typed as text
    cra: dict[str, int] = field(default_factory=dict)  # CRA headcounts (model.CRA_KEYS), only the valid ones
    cra_actions: list[dict[str, Any]] = field(default_factory=list)  # CRA table of actions
    cra_illisibles: dict[str, str] = field(default_factory=dict)  # CRA headcounts not counted: key → as typed
    quitus_invalides: dict[str, str] = field(default_factory=dict)  # quitus dates that cannot count (model.Quitus)
    journal_xml: bytes | None = field(default=None, repr=False)  # xlsx: the Journal sheet as stored

    def letters_of(self, code: str) -> list[str]:
        return [c.letter for c in self.chapter_columns if c.code == code]


def read_cahier(path: Path, *, chart: Chart | None = None, max_bytes: int = MAX_FILE_BYTES) -> Cahier:
    """Read a cahier. Never raises for a bad file: an unreadable one comes back with its finding and no journal."""
    chart = chart or default_chart()
    cahier = Cahier(Path(path))
    try:
        book, intake = open_workbook(cahier.path, max_bytes)
        cahier.findings.extend(intake.findings)
        cahier.journal_xml = intake.journal_xml
        with book:
            _read_book(cahier, book, chart)
    except Unreadable as exc:
        cahier.findings.append(exc.finding)
        cahier.journal = None
    return cahier


def _read_book(cahier: Cahier, book: CalamineWorkbook, chart: Chart) -> None:
    rows = sheet_rows(book, J)
    if rows is None:
        names = ", ".join(book.sheet_names) or "aucune"
        raise Unreadable(
            file_finding(
                Code.NOT_A_CAHIER,
                f"Le classeur n'a pas de feuille « Journal » (feuilles trouvées : {names}). "
                "Partez du modèle cahier.xlsx et recopiez-y vos lignes.",
            )
        )
    annexes.read_params(cahier, sheet_rows(book, layout.SHEET_PARAMS))
    annexes.read_quitus(cahier)
    _read_journal(cahier, rows, chart)
    annexes.read_inventaire(cahier, sheet_rows(book, layout.SHEET_INVENTAIRE))
    annexes.read_subventions(cahier, sheet_rows(book, layout.SHEET_SUBVENTIONS))
    annexes.read_attente(cahier, sheet_rows(book, layout.SHEET_ATTENTE))
    annexes.read_caisse(cahier, sheet_rows(book, layout.SHEET_CAISSE))
    annexes.read_cra(cahier, sheet_rows(book, layout.SHEET_CRA))
    annexes.find_cell_errors(cahier)


# --- Journal --------------------------------------------------------------------------------------


def _find_header(rows: list[list[Any]]) -> int | None:
    for i, row in enumerate(rows[:30]):
        folded = {fold(v) for v in row if isinstance(v, str)}
        if "date" in folded and "libelle" in folded:
            return i
    return None


def _read_journal(cahier: Cahier, rows: list[list[Any]], chart: Chart) -> None:
    h = _find_header(rows)
    if h is None:
        raise Unreadable(
            Finding(
                Code.NOT_A_CAHIER,
                J,
                layout.JOURNAL_HEADER_ROW,
                "D",
                "La feuille Journal n'a pas de ligne d'en-tête reconnaissable (une ligne avec « Date » et « Libellé »). "
                "Ne modifiez pas les titres des colonnes du modèle.",
            )
        )
    header_row = h + 1
    index, chapters, extra = _read_header(cahier, rows[h], header_row, chart)
    missing = [dict(layout.JOURNAL_COLUMNS)[k] for k in layout.REQUIRED_COLUMNS if k not in index]
    if missing:
        raise Unreadable(
            Finding(
                Code.NOT_A_CAHIER,
                J,
                header_row,
                "A",
                f"La ligne d'en-tête du Journal (ligne {header_row}) n'a pas les colonnes : {', '.join(missing)}. "
                "Remettez les titres du modèle.",
            )
        )
    cahier.columns = {k: layout.column_letter(j) for k, j in index.items()}
    cahier.chapter_columns = [c for _, c in chapters]
    _layout_changes(cahier, header_row, chart, extra)
    data = rows[h + 1 :]
    cahier.journal = _journal_frame(cahier, data, header_row + 1, index, chapters, chart)


def _read_header(
    cahier: Cahier, header: list[Any], header_row: int, chart: Chart
) -> tuple[dict[str, int], list[tuple[int, ChapterColumn]], list[str]]:
    """The Journal's header → (key → column index, chapter columns with their index, unknown headers, as quoted)."""
    index: dict[str, int] = {}
    chapters: list[tuple[int, ChapterColumn]] = []
    extra: list[str] = []
    for j, value in enumerate(header):
        if not isinstance(value, str) and not isinstance(value, int | float):
            continue
        folded = fold(value) if not isinstance(value, float) else fold(int(value))
        if not folded:
            continue
        letter = layout.column_letter(j)
        if folded in HEADER_KEYS and HEADER_KEYS[folded] not in index:
            index[HEADER_KEYS[folded]] = j
            continue
        if folded == fold(layout.REMAINDER_HEADER):
            continue
        res = chart.resolve(value)
        if res is not None:
            chapters.append((j, ChapterColumn(letter, str(value).strip(), res.code, res.rolled_up)))
            _chapter_header_finding(cahier, value, res, header_row, letter, chart)
            continue
        extra.append(f"« {value} » ({letter})")
    return index, chapters, extra


def _chapter_header_finding(
    cahier: Cahier, value: str | int | float, res: Resolution, header_row: int, letter: str, chart: Chart
) -> None:
    """A chapter column whose header is not in the chart, or is a sub-account counted in its chapter."""
    cell = f"{letter}{header_row}"
    if res.code is None:
        cahier.findings.append(
            Finding(
                Code.CHAPTER_UNKNOWN,
                J,
                header_row,
                letter,
                messages.chapter_column_unknown(value),
                str(value),
            )
        )
    elif res.rolled_up:
        cahier.findings.append(
            Finding(
                Code.CHAPTER_ROLLUP,
                J,
                header_row,
                letter,
                f"La colonne « {value} » ({cell}) est un sous-compte : ses montants sont comptés "
                f"dans le chapitre {res.code} {chart.by_code[res.code].libelle}.",
                str(value),
            )
        )


def _layout_changes(cahier: Cahier, header_row: int, chart: Chart, extra: list[str]) -> None:
    moved = [
        f"{dict(layout.JOURNAL_COLUMNS)[k]} en {letter} (modèle : {TEMPLATE_LETTERS[k]})"
        for k, letter in cahier.columns.items()
        if TEMPLATE_LETTERS[k] != letter
    ]
    absent = [h for k, h in layout.JOURNAL_COLUMNS if k not in cahier.columns]
    found_codes = [c.code for c in cahier.chapter_columns]
    missing_chapters = [c.code for c in chart.chapitres if c.code not in found_codes]
    parts = []
    if moved:
        parts.append("colonnes déplacées : " + "; ".join(moved))
    if absent:
        parts.append("colonnes absentes : " + ", ".join(absent))
    if missing_chapters:
        parts.append("chapitres sans colonne : " + ", ".join(missing_chapters))
    if extra:
        parts.append("colonnes inconnues, ignorées : " + ", ".join(extra))
    if parts:
        cahier.findings.append(
            Finding(
                Code.LAYOUT_CHANGED,
                J,
                header_row,
                "A",
                "Le Journal n'a pas exactement les colonnes du modèle ; il a été lu d'après les titres ("
                + " — ".join(parts)
                + ").",
            )
        )


def _journal_frame(
    cahier: Cahier,
    data: list[list[Any]],
    first_row: int,
    index: dict[str, int],
    chapters: list[tuple[int, ChapterColumn]],
    chart: Chart,
) -> pd.DataFrame:
    """The non-empty lines as a frame, built column by column."""
    input_cols = [j for k, j in index.items() if k != "pointe"] + [j for j, _ in chapters]
    width = max([*input_cols, index.get("pointe", 0)]) + 1
    if any(len(row) < width for row in data):
        data = [row + [""] * (width - len(row)) for row in data]
    filled = [i for i, row in enumerate(data) if _holds_value(row, input_cols)]
    lines = [data[i] for i in filled]
    rownums = [first_row + i for i in filled]
    out: dict[str, Any] = {"row": np.asarray(rownums, dtype="int64")}
    findings = cahier.findings
    empty = [""] * len(filled)
    by_column = [list(col) for col in zip(*lines, strict=True)] if lines else [empty] * width  # transposed in C

    def column(key: str) -> list[Any]:
        j = index.get(key)
        return by_column[j] if j is not None else empty

    ticks = column("pointe")
    out["pointe"] = [v != "" and not cells.is_empty(v) for v in ticks]  # any mark; only spaces is no mark
    out["pointe_le"] = _tick_dates(ticks)
    cahier.tick_texts = _text_ticks(rownums, ticks)
    for key in TEXT_KEYS:
        out[key] = _text_column(column(key))

    out["date"], out["date_bad"] = _date_column(findings, rownums, column("date"), cahier.columns["date"])

    amounts = {key: column(key) for key in layout.AMOUNT_COLUMNS}
    out.update(_amount_columns(findings, rownums, amounts, cahier.columns))

    chap_written = column("chapitre")
    chap_letter = cahier.columns.get("chapitre", "L")
    chap_code, chap_unknown = _chapter_dropdown(findings, rownums, chap_written, chap_letter, chart)
    out["chapitre"] = chap_code
    out["chapitre_ecrit"] = _text_column(chap_written)
    out["chapitre_inconnu"] = chap_unknown

    out.update(_split_columns(findings, rownums, by_column, chapters, chart))
    frame = pd.DataFrame(out)
    frame.index = pd.RangeIndex(len(frame))
    # column names as plain objects: under pandas 3 they would be an Arrow string Index, which each of the ≈ 30
    # columns rules.derive adds concatenates again, chunk by chunk (≈ 5 ms a 5,000-line check)
    frame.columns = pd.Index(list(out), dtype=object)
    return frame


def _date_column(
    findings: list[Finding], rownums: list[int], values: list[Any], letter: str
) -> tuple[np.ndarray, list[bool]]:
    """→ (the dates as datetime64[ns], NaT where missing or unreadable; the unreadable mask), with a finding
    for each date typed as text or unreadable."""
    dates: list[dt.date | None] = []
    date_bad: list[bool] = []
    for r, v in zip(rownums, values, strict=True):
        if type(v) is dt.date:  # the usual case, straight through
            dates.append(v)
            date_bad.append(False)
            continue
        d, status, reason = cells.date(v)
        dates.append(d)
        date_bad.append(status == cells.BAD)
        if status == cells.TEXT:
            findings.append(
                Finding(
                    Code.DATE_TEXT,
                    J,
                    r,
                    letter,
                    f"La date « {v} » est écrite comme du texte ; elle a été lue {d:%d/%m/%Y} (jour/mois/année). "
                    "Vérifiez-la, puis retapez-la comme une vraie date.",
                    v,
                )
            )
        elif status == cells.BAD:
            findings.append(
                Finding(
                    Code.DATE_INVALID,
                    J,
                    r,
                    letter,
                    f"La date « {cells.text(v)} » ne peut pas être lue : {reason}. Écrivez-la sous la forme jj/mm/aaaa, par exemple 12/09/2025.",
                    cells.text(v),
                )
            )
    days = np.array([d.toordinal() - _EPOCH if d is not None else _NO_DAY for d in dates], dtype="int64")
    return days.astype("datetime64[D]").astype("datetime64[ns]"), date_bad  # _NO_DAY → NaT


def _tick_dates(values: list[Any]) -> np.ndarray:
    """The date of each tick when it is one (a date, or text read as jj/mm/aaaa), NaT for « x » or no tick: a
    line ticked with a date after 31 August was still outstanding at 31/08 (see ``rules.derive``)."""
    days = np.full(len(values), _NO_DAY, dtype="int64")
    for i, v in enumerate(values):
        if v == "" or (type(v) is str and not any(ch.isdigit() for ch in v)):
            continue
        d, status, _ = cells.date(v)
        if d is not None and status in (cells.OK, cells.TEXT):
            days[i] = d.toordinal() - _EPOCH
    return days.astype("datetime64[D]").astype("datetime64[ns]")


def _text_ticks(rownums: list[int], values: list[Any]) -> list[tuple[int, str, dt.date]]:
    """The ticks typed as text that read as a date (row, text, date): the cahier's formulas take them for a mere
    mark, so one dated after 31 August would make the sheet and the tool disagree (TICK_TEXT, in ``validate``)."""
    out: list[tuple[int, str, dt.date]] = []
    for r, v in zip(rownums, values, strict=True):
        if type(v) is str and any(ch.isdigit() for ch in v):
            d, status, _ = cells.date(v)
            if d is not None and status == cells.TEXT:
                out.append((r, v, d))
    return out


def _amount_columns(
    findings: list[Finding], rownums: list[int], values: dict[str, list[Any]], letters: dict[str, str]
) -> dict[str, Any]:
    """The four amount columns in cents (Int64, missing where empty), and ``amount_bad``: one unreadable."""
    out: dict[str, Any] = {}
    amount_bad = np.zeros(len(rownums), dtype=bool)
    for key in layout.AMOUNT_COLUMNS:
        cents, present, bad = _money_column(
            findings, rownums, values[key], letters[key], dict(layout.JOURNAL_COLUMNS)[key]
        )
        out[key] = pd.arrays.IntegerArray(cents, ~present)
        amount_bad |= bad
    out["amount_bad"] = amount_bad
    return out


def _chapter_dropdown(
    findings: list[Finding], rownums: list[int], written: list[Any], letter: str, chart: Chart
) -> tuple[list[str | None], list[bool]]:
    """The chapter drop-down → (its code, None when empty or unknown; the unknown mask), with a finding for
    each sub-account."""
    chap_code: list[str | None] = []
    chap_unknown: list[bool] = []
    resolved: dict[Any, Any] = {}
    for r, v in zip(rownums, written, strict=True):
        if v == "" or cells.is_empty(v):
            chap_code.append(None)
            chap_unknown.append(False)
            continue
        if v not in resolved:
            resolved[v] = chart.resolve(v)
        res = resolved[v]
        code = res.code if res else None
        chap_code.append(code)
        chap_unknown.append(code is None)
        if res is not None and res.rolled_up and code is not None:
            findings.append(
                Finding(
                    Code.CHAPTER_ROLLUP,
                    J,
                    r,
                    letter,
                    f"Le chapitre « {v} » est un sous-compte : la ligne est comptée dans {code} "
                    f"{chart.by_code[code].libelle}.",
                    cells.text(v),
                )
            )
    return chap_code, chap_unknown


def _split_columns(
    findings: list[Finding],
    rownums: list[int],
    by_column: list[list[Any]],
    chapters: list[tuple[int, ChapterColumn]],
    chart: Chart,
) -> dict[str, Any]:
    """The split: one column ``v_<code>`` per chapter of the chart (sub-codes rolled up), the columns of unknown
    chapters summed apart in ``split_unknown``, and ``split_bad``: one amount unreadable."""
    out: dict[str, Any] = {}
    n = len(rownums)
    split = {c.code: np.zeros(n, dtype="int64") for c in chart.chapitres}
    seen = {c.code: np.zeros(n, dtype=bool) for c in chart.chapitres}
    unknown = np.zeros(n, dtype="int64")
    split_bad = np.zeros(n, dtype=bool)
    for j, col in chapters:
        if by_column[j].count("") == n:  # nothing typed in this chapter column
            continue
        cents, present, bad = _money_column(findings, rownums, by_column[j], col.letter, col.header, split=True)
        if col.code:
            split[col.code] += cents
            seen[col.code] |= present
        else:
            unknown += cents
        split_bad |= bad
    for code in split:
        out[f"v_{code}"] = pd.arrays.IntegerArray(split[code], ~seen[code])
    out["split_unknown"] = unknown
    out["split_bad"] = split_bad
    return out


def _holds_value(row: list[Any], columns: list[int]) -> bool:
    for j in columns:
        v = row[j]
        if v != "" and (type(v) is not str or v.strip()):
            return True
    return False


def _text_column(values: list[Any]) -> list[str | None]:
    return [None if v == "" else (v.strip() or None) if type(v) is str else cells.text(v) for v in values]


def _money_column(
    findings: list[Finding], rownums: list[int], values: list[Any], letter: str, header: str, *, split: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """→ (cents, present, bad): int64 cents (0 where empty or unreadable), and two masks.

    An amount typed as text is read, with a warning (AMOUNT_TEXT) in H–K, whose text the cahier's formulas read
    too; in a chapter column (``split``) the cahier's formulas cannot add it up: an error (SPLIT_TEXT)."""
    n = len(values)
    result = np.zeros(n, dtype="int64")
    present = np.zeros(n, dtype=bool)
    bad = np.zeros(n, dtype=bool)
    if values.count("") == n:  # most chapter columns: nothing typed (list.count runs in C)
        return result, present, bad
    for i, v in enumerate(values):
        if v == "":
            continue
        t = type(v)
        if t is float or t is int:
            cents = round(v * 100)
            if abs(v * 100 - cents) <= 1e-6:
                result[i] = cents
                present[i] = True
                continue
        cents, status, reason = cells.money(v)
        if cents is not None:
            result[i] = cents
            present[i] = True
        bad[i] = status == cells.BAD
        r = rownums[i]
        if status == cells.TEXT:
            findings.append(
                Finding(
                    Code.SPLIT_TEXT if split else Code.AMOUNT_TEXT,
                    J,
                    r,
                    letter,
                    messages.split_as_text(v, header, cents) if split else messages.amount_as_text(v, header, cents),
                    v,
                )
            )
        elif status == cells.BAD:
            findings.append(
                Finding(
                    Code.AMOUNT_INVALID,
                    J,
                    r,
                    letter,
                    messages.amount_unreadable(v, header, reason),
                    cells.text(v),
                )
            )
    return result, present, bad


__all__ = ["MAX_FILE_BYTES", "MAX_ROWS", "Cahier", "ChapterColumn", "Unreadable", "read_cahier"]
