"""Sheets 2 and 3: « Paramètres » (one named value a row) and the « Journal » (the cash book)."""

from __future__ import annotations

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from workbook_tools import layout as L
from workbook_tools.template.common import (
    AMOUNT_COLS,
    CHAPITRES_LIST,
    COL_ACTION,
    COL_BD,
    COL_BR,
    COL_CD,
    COL_CHAPITRE,
    COL_CR,
    COL_DATE,
    COL_LIBELLE,
    COL_MODE,
    COL_POINTE,
    DATE,
    GRID,
    HAND_SPLIT,
    HEADER_BLUE,
    HELPERS,
    J1,
    JN,
    LISTES_CODES_COL,
    LISTES_PREFIXES_COL,
    MODES_LIST,
    MONEY,
    NBSP,
    PROTECTION,
    TEXT,
    TITLE_BLUE,
    JournalGeometry,
    Styles,
    a1,
    amount_read,
    blank,
    chapter_total_formula,
    cleaned_amount,
    column_total_formula,
    date_rule,
    filled,
    listes_range,
    number_from_text,
    page_setup,
    regie_label,
    sheet_ref,
)

# ---------------------------------------------------------------------------
# 2. Paramètres

_PARAM_HINTS = {
    "coop_numero": "Le numéro de la coopérative donné par l'OCCE (recopiez-le exactement).",
    "coop_nom": "Le nom de la coopérative ou de l'école.",
    "coop_commune": "",
    "coop_mandataire": "La personne qui tient le cahier.",
    "exercice": "Deux années qui se suivent : 2025-2026 = du 1er septembre 2025 au 31 août 2026.",
    "report_banque": "Solde de la banque au 1er septembre, repris du compte-rendu de l'an dernier. "
    "Ce n'est pas une recette : ne pas le mettre dans le Journal.",
    "report_caisse": "Espèces en caisse au 1er septembre, reprises de l'arrêté de caisse de l'an dernier.",
    "releve_31_08": "À remplir en fin d'année : le solde indiqué par le relevé de la banque au 31 août.",
    "verificateur1_nom": "Quitus : un parent d'élève, vérificateur aux comptes élu en début d'année.",
    "verificateur1_date": "Le jour où il ou elle a signé le quitus (jj/mm/aaaa).",
    "verificateur2_nom": "Quitus : un(e) enseignant(e) qui n'a pas tenu la comptabilité.",
    "verificateur2_date": "Le jour où il ou elle a signé le quitus (jj/mm/aaaa).",
    "mandataire_date": "Le jour où le mandataire a signé le quitus (jj/mm/aaaa).",
}


def write_params(wb: Workbook, ws: Worksheet, st: Styles, exercice: str | None) -> None:
    ws.set_column(0, 0, 44)
    ws.set_column(1, 1, 26)
    ws.set_column(2, 2, 80)
    ws.set_column(L.PARAM_READ_COL, L.PARAM_READ_COL, 14, None, {"hidden": True})
    page_setup(ws)
    ws.write_string(0, 0, "Paramètres de la coopérative", st.title())
    ws.write_string(1, 0, "Remplissez les cellules blanches de la colonne B.", st.note())
    label = st.label(bold=True, border=1, border_color=GRID, bg_color=HEADER_BLUE)
    hint = st.get(italic=True, font_color="#595959", valign="top", text_wrap=True, indent=1)
    for p in L.PARAMS:
        r = p.row - 1
        text = p.label + (" *" if p.required else "")
        ws.write_string(r, 0, text, label)
        ws.write_string(r, 2, _PARAM_HINTS.get(p.name, ""), hint)
        ws.set_row(r, 30 if len(_PARAM_HINTS.get(p.name, "")) > 80 else 18)
        if p.kind == "money":
            fmt = st.input(MONEY)
            ws.write_blank(r, 1, None, fmt)
            ws.data_validation(
                r,
                1,
                r,
                1,
                {
                    "validate": "decimal",
                    "criteria": ">=",
                    "value": 0,
                    "input_title": "Montant en euros",
                    "input_message": "Tapez le nombre seul, par exemple 1234,56.",
                    "error_title": "Montant invalide",
                    "error_message": "Tapez un montant positif ou nul, sans le symbole €, par exemple 1234,56.",
                },
            )
        elif p.kind == "exercice":
            fmt = st.input(TEXT)
            if exercice:
                ws.write_string(r, 1, exercice, fmt)
            else:
                ws.write_blank(r, 1, None, fmt)
            ws.data_validation(
                r,
                1,
                r,
                1,
                {
                    "validate": "length",
                    "criteria": "==",
                    "value": 9,
                    "input_title": "Exercice",
                    "input_message": "Par exemple 2025-2026 (du 1er septembre 2025 au 31 août 2026).",
                    "error_title": "Exercice invalide",
                    "error_message": "Écrivez deux années qui se suivent, séparées par un tiret : 2025-2026.",
                },
            )
        elif p.kind == "date":
            ws.write_blank(r, 1, None, st.input(DATE, align="center"))
            ws.data_validation(
                r,
                1,
                r,
                1,
                date_rule("15/09/2026", "Date du quitus", "Le jour de la signature, par exemple 15/09/2026."),
            )
        else:
            fmt = st.input(TEXT)
            ws.write_blank(r, 1, None, fmt)
        wb.define_name(p.name, f"={sheet_ref(L.SHEET_PARAMS, p.row, 1)}")
        _write_param_read(wb, ws, st, p)
    last = max(p.row for p in L.PARAMS)
    ws.write_string(last + 1, 0, "* obligatoire", st.note())
    ws.protect("", PROTECTION)


def _write_param_read(wb: Workbook, ws: Worksheet, st: Styles, p: L.Param) -> None:
    """A hidden cell beside an amount, the value the formulas use (``<name>_lu``): the amount typed as a number
    or as text (« 1 843,27 € », read by the tool with a warning); beside the exercice, its last day
    (``exercice_fin``, for the ticks dated after 31 August)."""
    r, value = p.row - 1, a1(p.row, 1, absolute=False)
    if p.kind == "money":
        name, formula, fmt = f"{p.name}_lu", f"=ROUND({amount_read(value)},2)", st.computed(MONEY)
    elif p.kind == "exercice":
        year = f"VALUE(LEFT(TRIM({value}),4))"
        name, formula, fmt = L.EXERCICE_END_NAME, f"=IFERROR(DATE({year}+1,8,31),0)", st.computed(DATE)
    else:
        return
    ws.write_formula(r, L.PARAM_READ_COL, formula, fmt, 0)
    wb.define_name(name, f"={sheet_ref(L.SHEET_PARAMS, p.row, L.PARAM_READ_COL)}")


# ---------------------------------------------------------------------------
# 3. Journal


def _remainder_formula(row: int, geo: JournalGeometry) -> str:
    """Amount − split for a receipt or an expense; nothing for an internal movement or a cancelled cheque (no
    direction), for a régie d'avance (not ventilated: no chapter, no split, « régie » in the label), nor for an
    empty line."""
    h = {k: a1(row, geo.helper(k), absolute=False) for k, _ in HELPERS}
    split = f"{a1(row, geo.first_chapter, absolute=False)}:{a1(row, geo.remainder - 1, absolute=False)}"
    regie = f'AND({h["chapitre"]}="",{blank(a1(row, COL_CHAPITRE, absolute=False))},'
    regie += f"{regie_label(a1(row, COL_LIBELLE, absolute=False))}>0)"
    ventilated = f'IF({h["chapitre"]}="{HAND_SPLIT}",SUM({split}),IF({h["chapitre"]}<>"",{h["montant"]},0))'
    return f'=IF(OR({h["sens"]}=0,{regie}),"",ROUND({h["montant"]}-{ventilated},2))'


def _helper_formulas(row: int, geo: JournalGeometry) -> dict[str, tuple[str, str | int]]:
    """The hidden helpers of one Journal row (see :data:`~.common.HELPERS`): key → (formula, value before any
    recalculation, that of an empty row). They follow ``rules.derive`` for every line the tool accepts."""

    def cell(col: int) -> str:
        return a1(row, col, absolute=False)

    amounts = f"{cell(COL_BR)}:{cell(COL_CD)}"
    split = f"{cell(geo.first_chapter)}:{cell(geo.remainder - 1)}"
    # no amount typed as a number: the first amount cell that is not blank, typed as text
    first_text = cell(COL_CD)
    for col in (COL_CR, COL_BD, COL_BR):
        first_text = f"IF({blank(cell(col))},{first_text},{cell(col)})"
    montant = f"=IF(COUNT({amounts})>0,MAX({amounts}),{number_from_text(cleaned_amount(first_text))})"
    # +1 an expense, −1 a receipt: one amount only; 0 for a movement (two), a cancelled cheque or an empty line (none)
    present = {key: f"({filled(cell(col))})" for key, col in zip(L.AMOUNT_COLUMNS, AMOUNT_COLS, strict=True)}
    out_ = f"{present['banque_depense']}+{present['caisse_depense']}"
    in_ = f"{present['banque_recette']}+{present['caisse_recette']}"
    sens = f"=IF({out_}+{in_}=1,{out_}-({in_}),0)"
    # the chapter of column L as ``Chart.resolve`` reads it (62810008 → 6281, 6168 → 6282, 6181 → 6180), for a
    # receipt or an expense not ventilated by hand; « * » when ventilated by hand
    written = f'TRIM(CLEAN(SUBSTITUTE({cell(COL_CHAPITRE)},"{NBSP}"," ")))'
    codes, prefixes = listes_range(LISTES_CODES_COL), listes_range(LISTES_PREFIXES_COL)
    lookup = (
        f'IFERROR(VLOOKUP(LEFT({written},4),{codes},2,FALSE),IFERROR(VLOOKUP(LEFT({written},3),{prefixes},2,FALSE),""))'
    )
    sens_cell = a1(row, geo.helper("sens"), absolute=False)
    chapitre = f'=IF({sens_cell}=0,"",IF(SUMPRODUCT(--({filled(split)}))>0,"{HAND_SPLIT}",{lookup}))'
    return {"montant": (montant, 0), "sens": (sens, 0), "chapitre": (chapitre, "")}


_COLUMN_WIDTHS = {
    "pointe": 10.5,  # a statement date (08/09/2026) shows whole, not ###
    "piece": 8,
    "mode": 7,
    "date": 11,
    "libelle": 30,
    "cheque": 10,
    "action": 16,
    "banque_recette": 11,
    "banque_depense": 11,
    "caisse_recette": 11,
    "caisse_depense": 11,
    "chapitre": 24,
}

_INPUT_HINTS: dict[str, tuple[str, str]] = {
    "pointe": ("Pointé", "Mettez un x (ou la date du relevé) quand la ligne apparaît sur le relevé bancaire."),
    "piece": ("N° de pièce", "Le numéro écrit sur le justificatif : 1, 2, 3… ou R01 / D01…"),
    "libelle": ("Libellé (obligatoire)", "Ce que c'est, en quelques mots."),
    "cheque": ("N° de chèque", "Le numéro du chèque émis."),
    "action": ("Action", "Le projet ou l'activité, écrit toujours de la même façon (ex. Sortie zoo CE1)."),
}


def write_journal(ws: Worksheet, st: Styles, geo: JournalGeometry) -> None:
    keys = [k for k, _ in L.JOURNAL_COLUMNS]
    for i, key in enumerate(keys):
        ws.set_column(i, i, _COLUMN_WIDTHS.get(key, 12))
    ws.set_column(geo.first_chapter, geo.remainder - 1, 12.5)
    ws.set_column(geo.remainder, geo.remainder, 11.5)
    ws.set_column(geo.remainder + 1, geo.last, 12, None, {"hidden": True})
    _journal_print_setup(ws, geo)
    _write_journal_heading(ws, st, geo)
    _write_journal_inputs(ws, st, geo, keys)
    _add_journal_validations(ws, geo)
    for key, (title, message) in _INPUT_HINTS.items():
        c = keys.index(key)
        ws.data_validation(J1 - 1, c, JN - 1, c, {"validate": "any", "input_title": title, "input_message": message})
    _add_journal_highlights(ws, st, geo)
    ws.freeze_panes(L.JOURNAL_HEADER_ROW, COL_LIBELLE + 1)
    ws.autofilter(L.JOURNAL_HEADER_ROW - 1, 0, JN - 1, geo.remainder)
    ws.protect("", PROTECTION)


JOURNAL_PRINT_SCALE = 80  # % : the 11 pt text prints at 8.8 pt


def _journal_print_setup(ws: Worksheet, geo: JournalGeometry) -> None:
    """Print the Journal legibly, at a fixed scale, over as many pages as it takes: the title, totals and header rows
    and the columns Pointé … Libellé on every page, the pages of the same lines side by side (« over, then down »),
    so the chapter columns follow one another in order. LibreOffice leaves out the pages without content, so it
    prints only the lines in use — provided the empty prepared rows hold nothing it counts: no formula (the print
    area stops before « Reste à ventiler », a formula on each row) and no border (the input cells have none, the
    gridlines are printed instead). Excel prints every prepared row; the CRF workbook's « Journal » sheet is the
    copy to print."""
    page_setup(ws, repeat=(0, L.JOURNAL_HEADER_ROW - 1), scale=JOURNAL_PRINT_SCALE)
    ws.repeat_columns(COL_POINTE, COL_LIBELLE)
    ws.print_across()
    ws.print_area(0, 0, JN - 1, geo.remainder - 1)
    ws.hide_gridlines(0)  # gridlines on screen and on paper: the input rows have no borders (Styles.open_input)


def _amount_ranges(geo: JournalGeometry) -> tuple[str, str]:
    """The input rows of the amount columns (``H4:K1003``) and of the chapter columns (``M4:…``)."""
    amount_range = f"{a1(J1, COL_BR, absolute=False)}:{a1(JN, COL_CD, absolute=False)}"
    chapter_range = f"{a1(J1, geo.first_chapter, absolute=False)}:{a1(JN, geo.remainder - 1, absolute=False)}"
    return amount_range, chapter_range


def _write_journal_heading(ws: Worksheet, st: Styles, geo: JournalGeometry) -> None:
    """Row 1: the title; row 2: the column totals; row 3: the column headers."""
    r_title, r_tot, r_head = L.JOURNAL_TITLE_ROW - 1, L.JOURNAL_TOTALS_ROW - 1, L.JOURNAL_HEADER_ROW - 1
    ws.set_row(r_title, 30)
    ws.write_string(r_title, 0, "Journal — cahier de comptes de la coopérative", st.title())
    # who and which year, over Action … Caisse recette (the first printed page), on two lines rather than cut
    who = st.get(bold=True, font_color=TITLE_BLUE, text_wrap=True, valign="top")
    ws.merge_range(r_title, COL_ACTION, r_title, COL_CR, "", who)
    ws.write_formula(
        r_title,
        COL_ACTION,
        '="Exercice "&exercice&" — coopérative "&coop_numero&" "&coop_nom',
        who,
        "Exercice  — coopérative  ",
    )

    # Row 2: column totals.
    tot = st.computed(MONEY, bold=True)
    ws.write_string(r_tot, COL_ACTION, "Totaux", st.computed(bold=True, align="right"))
    for c in range(geo.first_chapter - 1):
        if c not in AMOUNT_COLS and c != COL_ACTION:
            ws.write_blank(r_tot, c, None, st.computed())
    ws.write_blank(r_tot, COL_CHAPITRE, None, st.computed())
    # above an amount column: the sum of its amounts as the tool reads them (typed as numbers or as text)
    for c in AMOUNT_COLS:
        ws.write_formula(r_tot, c, column_total_formula(c, geo), tot, 0)
    rem = L.column_letter(geo.remainder)
    ws.write_formula(r_tot, geo.remainder, f"=SUM({rem}{J1}:{rem}{JN})", tot, 0)
    # above a chapter column: the chapter's whole net total (typed split + lines given that chapter in column L,
    # reductions in minus), the same figure as the CRF, so that a teacher never reads a partial total
    for chap in geo.chapitres:
        ws.write_formula(r_tot, geo.chapter_col(chap.code), chapter_total_formula(chap.code, geo), tot, 0)

    # Row 1 above the hidden helpers: what each computes (row 3, the header, stays empty there: the reader skips them).
    note = st.note()
    for key, meaning in HELPERS:
        ws.write_string(r_title, geo.helper(key), f"calcul : {meaning}", note)

    # Row 3: header.
    ws.set_row(r_head, 50)
    hdr = st.header()
    small = st.header(font_size=10)  # the chapters' long names, on three lines; 8 pt once printed
    for c, text in enumerate(geo.headers()):
        ws.write_string(r_head, c, text, small if geo.first_chapter <= c < geo.remainder else hdr)


def _write_journal_inputs(ws: Worksheet, st: Styles, geo: JournalGeometry, keys: list[str]) -> None:
    """Input rows: unlocked, with their formats, drawn by the gridlines (see :meth:`Styles.open_input`); the
    remainder is computed."""
    fmts: dict[int, Format] = {}
    for c, key in enumerate(keys):
        if key in ("pointe", "date"):
            fmts[c] = st.open_input(DATE, align="center")
        elif key in ("piece", "cheque"):
            fmts[c] = st.open_input(TEXT, align="center")
        elif key == "mode":
            fmts[c] = st.open_input(align="center")
        elif key in L.AMOUNT_COLUMNS:
            fmts[c] = st.open_input(MONEY)
        else:
            fmts[c] = st.open_input(TEXT)
    chap_fmt = st.open_input(MONEY)
    for c in range(geo.first_chapter, geo.remainder):
        fmts[c] = chap_fmt
    rem_fmt = st.computed(MONEY)
    for r in range(J1 - 1, JN):
        for c, fmt in fmts.items():
            ws.write_blank(r, c, None, fmt)
        ws.write_formula(r, geo.remainder, _remainder_formula(r + 1, geo), rem_fmt, "")
        for key, (formula, value) in _helper_formulas(r + 1, geo).items():
            ws.write_formula(r, geo.helper(key), formula, None, value)


def _add_journal_validations(ws: Worksheet, geo: JournalGeometry) -> None:
    """Drop-down lists for the mode and the chapter, a real date, a positive amount."""
    first, last = J1 - 1, JN - 1
    ws.data_validation(
        first,
        COL_MODE,
        last,
        COL_MODE,
        {
            "validate": "list",
            "source": f"={MODES_LIST}",  # a defined name: Excel keeps it in the standard validations
            "input_title": "Mode de paiement",
            "input_message": "CHQ chèque, VIR virement, CB carte, ESP espèces, PRLV prélèvement, "
            "ANNULÉ chèque annulé (son n°, sans montant).",
            "error_title": "Mode inconnu",
            "error_message": "Choisissez dans la liste : CHQ, VIR, CB, ESP, PRLV ou ANNULÉ.",
        },
    )
    ws.data_validation(
        first,
        COL_DATE,
        last,
        COL_DATE,
        date_rule("15/09/2025", "Date (obligatoire)", "Au format jj/mm/aaaa, par exemple 15/09/2025."),
    )
    ws.data_validation(
        first,
        COL_CHAPITRE,
        last,
        COL_CHAPITRE,
        {
            "validate": "list",
            "source": f"={CHAPITRES_LIST}",
            "input_title": "Ventilation automatique",
            "input_message": "Toute la somme va dans ce chapitre. Pour partager la somme entre plusieurs "
            "chapitres, laissez vide et tapez les parts dans les colonnes des chapitres.",
            "error_title": "Chapitre inconnu",
            "error_message": "Choisissez un chapitre dans la liste.",
        },
    )
    amount_range, chapter_range = _amount_ranges(geo)
    ws.data_validation(
        first,
        COL_BR,
        last,
        COL_CD,
        {
            "validate": "decimal",
            "criteria": ">",
            "value": 0,
            "multi_range": f"{amount_range} {chapter_range}",
            "input_title": "Montant en euros",
            "input_message": "Le nombre seul, positif, par exemple 12,50 (le symbole € s'affiche tout seul).",
            "error_title": "Montant invalide",
            "error_message": "Tapez un montant positif, sans le symbole €, par exemple 12,50.",
        },
    )


def _add_journal_highlights(ws: Worksheet, st: Styles, geo: JournalGeometry) -> None:
    """Conditional formatting: red where a line is wrong, orange where it is incomplete."""
    d, e = L.column_letter(COL_DATE), L.column_letter(COL_LIBELLE)
    rem = L.column_letter(geo.remainder)
    for ref in (f"{rem}{L.JOURNAL_TOTALS_ROW}", f"{rem}{J1}"):
        ws.conditional_format(
            f"{ref}:{rem}{JN}" if ref.endswith(str(J1)) else ref,
            {"type": "formula", "criteria": f"=AND(ISNUMBER({ref}),{ref}<>0)", "format": st.cf_error()},
        )
    # A value that is not a number where a date or an amount is expected (pasted text). An amount typed as text in
    # H–K is still counted (the tool warns: AMOUNT_TEXT): orange; in a chapter column the sheet cannot add it (the tool
    # refuses it: SPLIT_TEXT): red.
    amount_range, chapter_range = _amount_ranges(geo)
    ws.conditional_format(
        f"{d}{J1}:{d}{JN}",
        {"type": "formula", "criteria": f'=AND({d}{J1}<>"",NOT(ISNUMBER({d}{J1})))', "format": st.cf_error()},
    )
    for cells, fmt in ((amount_range, st.cf_check()), (chapter_range, st.cf_error())):
        first = cells.split(":")[0]
        ws.conditional_format(
            cells,
            {"type": "formula", "criteria": f"=AND(NOT(ISNUMBER({first})),{filled(first)})", "format": fmt},
        )
    # An amount (a number, or text the sheet reads) but no date or no label: orange on the missing cell.
    montant = L.column_letter(geo.helper("montant"))
    for col in (d, e):
        ws.conditional_format(
            f"{col}{J1}:{col}{JN}",
            {
                "type": "formula",
                "criteria": f'=AND(${montant}{J1}<>0,{col}{J1}="")',
                "format": st.cf_check(),
            },
        )
