"""The pandera schema of the Journal: one named check per finding code.

A check gets the whole normalised journal (see :func:`derive`) and the
:class:`Context`, and returns a boolean Series, True where the line is right.
:data:`CHECKS` maps each finding code to its check; the code is the check's
``name``, so a failure of pandera's lazy validation maps straight to a finding.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, SupportsInt, cast

import numpy as np
import pandas as pd
import pandera.pandas as pa

from workbook_tools.chart import Chart
from workbook_tools.layout import AMOUNT_COLUMNS
from workbook_tools.text import fold

if TYPE_CHECKING:
    from pandas.api.typing import NaTType

RECEIPTS = ["banque_recette", "caisse_recette"]
EXPENSES = ["banque_depense", "caisse_depense"]
BANK = ["banque_recette", "banque_depense"]
CASH = ["caisse_recette", "caisse_depense"]
# internal movements: bank → cash (withdrawal), cash → bank (deposit)
MOVEMENTS = [("banque_depense", "caisse_recette"), ("caisse_depense", "banque_recette")]
# Whole words of a label in lower case, accents optional (precomposed or combining): plain patterns that pandas
# runs in Arrow's vectorised regex engine (folding each label in Python would cost more than the rest of the check
# of a 5,000-line cahier). A word boundary is anything but a letter or digit, accented letters included.
_LETTER = "a-z0-9\u00e0-\u00ff\u0153\u0300-\u036f"
_B, _E = f"(?:^|[^{_LETTER}])", f"(?:$|[^{_LETTER}])"
_ACUTE = "(?:e|\u00e9|e\u0301)"
# the label speaks of the opening balance (« reportage » is not « report »)
REPORT_WORDS = f"{_B}(?:reports?|(?:a|\u00e0|a\u0300) +nouveau|soldes?|avoir +au +(?:1|01|1er|premier)){_E}"
ANNULE_WORDS = f"{_B}annul{_ACUTE}e?s?{_E}"  # « annulé », « annule », « ANNULÉES »…
REGIE_WORDS = f"{_B}r{_ACUTE}gies?{_E}"  # « régie », « Regie », « RÉGIE »…
# words between « régie » and the colleague's name, and civilities: not part of the name
_REGIE_FILLER = {"d", "de", "du", "des", "l", "la", "le", "a", "au", "aux", "pour", "avance", "avances", "retour",
                 "rendu", "rendue", "remboursement", "mme", "m", "mr", "monsieur", "madame", "mlle", "mademoiselle"}  # fmt: skip
# the Mode drop-down and the words a teacher types instead of its codes
MODE_WORDS = {
    "chq": "CHQ", "cheque": "CHQ", "vir": "VIR", "virement": "VIR", "cb": "CB", "carte": "CB",
    "carte bancaire": "CB", "esp": "ESP", "especes": "ESP", "espece": "ESP", "liquide": "ESP",
    "prlv": "PRLV", "prelevement": "PRLV", "annule": "ANNULE", "annulee": "ANNULE",
}  # fmt: skip
BANK_MODES = {"VIR", "CB", "PRLV"}


@dataclass
class Context:
    """What line checks need besides the lines."""

    chart: Chart
    start: dt.date | None = None  # 1 September of the exercice
    end: dt.date | None = None  # 31 August
    report_banque: int = 0
    report_caisse: int = 0
    inventaire_pieces: set[str] = field(default_factory=set)
    inventaire_keys: set[tuple[dt.date, int]] = field(default_factory=set)


def words(text: object) -> str:
    """A label as the rules read it: folded (lower case, no accents), punctuation as spaces."""
    if not isinstance(text, str):
        return ""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


def regie_name(label: object) -> tuple[str, str]:
    """The colleague of a régie line: (key, as written). The key is the folded words after « régie », without
    « d'avance », « retour », civilities, a remark in brackets and punctuation: « Régie d'avance Mme Dupont »,
    « Retour régie dupont » and « Retour régie Mme Dupont (tickets) » → « dupont »."""
    text = "" if label is None else str(label)
    match = re.search("r(?:e|\u00e9|e\u0301)gies?(?![a-z0-9])", text, re.IGNORECASE)
    tail = text[match.end() :] if match else ""
    plain = _BRACKETS.sub(" ", tail)
    tokens = _regie_tokens(plain)
    if tokens:
        tail = plain
    else:  # « Régie (Mme Dupont) »: the brackets hold the name
        tokens = _regie_tokens(tail)
    shown = " ".join(tail.split()).strip(" :-–—,.;!?'’")
    for filler in ("d'avance", "d’avance", "d avance"):
        if fold(shown).startswith(filler):
            shown = shown[len(filler) :].strip(" :-–—,.")
    return " ".join(tokens), shown or " ".join(tokens)


_BRACKETS = re.compile(r"\([^)]*\)?|\[[^\]]*\]?")  # « (tickets) », « [chèque] », or a bracket left open


def _regie_tokens(tail: str) -> list[str]:
    tokens = words(tail).split()
    while tokens and tokens[0] in _REGIE_FILLER:
        tokens.pop(0)
    return tokens


def derive(frame: pd.DataFrame, chart: Chart, start: dt.date | None = None, end: dt.date | None = None) -> pd.DataFrame:
    """Add what every check and the bilan need: amount, kind of line, the chapter allocation ``c_<code>``.

    - ``recette``/``depense``: one amount, and neither a régie nor half of a transfer written on two lines.
    - ``reduction``: a receipt on a charge chapter (a supplier's credit note) or an expense on a produit chapter
      (a refund to families, a returned subsidy). It counts **negatively** in that chapter: ``c_<code>`` is
      −amount, so chapter totals, charges, produits, résultat, the CRF, the actions and the consolidation are
      net, and résultat = receipts − expenses still holds (SPEC §4 v2, CHAPTER_REDUCTION).
    - ``annule``: a cancelled cheque — a cheque number, no amount, no split, and the mark « ANNULÉ » in Mode or
      the word « annulé » in the label. Counted nowhere; kept for the cheque sequence and listed in the CRF.
    - ``regie``/``regie_nom``: a régie d'avance — the word « régie » in the label, one amount, no chapter, no split:
      an internal movement (an expense = cash advanced to the colleague named after « régie », a receipt = the
      advance returned). The colleague's justified expenses are ordinary ventilated lines.
    - ``paire``: the row of the other half of a withdrawal (or deposit) written on two lines without chapter
      (bank expense + cash receipt, or cash expense + bank receipt, same date and amount); ``paire_seconde`` on the
      later of the two, which carries the one finding.
    - ``pointe_31_08``: ticked, and not with a date after 31 August (a line cleared after the year end was
      outstanding at 31/08). ``date_tri``: the date used to order the running balances — a missing, unreadable
      or out-of-year date takes the previous line's, so the line keeps its row position.
    """
    f = frame
    present = f[AMOUNT_COLUMNS].notna()
    n = present.sum(axis=1)
    f["n_montants"] = n
    f["montant"] = f[AMOUNT_COLUMNS].sum(axis=1, min_count=1).astype("Int64")
    movement = pd.Series(False, index=f.index)
    for a, b in MOVEMENTS:
        movement |= present[a] & present[b] & (n == 2)
    f["mouvement"] = movement
    codes = [c.code for c in chart.chapitres]
    vcols = [f"v_{c}" for c in codes]
    typed = f[vcols].to_numpy(dtype="int64", na_value=0)
    f["split_sum"] = typed.sum(axis=1) + f["split_unknown"].to_numpy(dtype="int64")
    f["has_split"] = f[vcols].notna().to_numpy().any(axis=1) | (f["split_unknown"].to_numpy() != 0)
    label = _lower(f["libelle"])
    modes = {m: words(m) for m in pd.unique(f["mode"].dropna())}  # a handful of distinct modes
    mode = f["mode"].map({m: MODE_WORDS.get(w, w.upper()) for m, w in modes.items()})
    f["mode_lu"] = mode
    single = n == 1
    unventilated = single & f["chapitre_ecrit"].isna() & ~f["has_split"]
    f["regie"] = _has(label, REGIE_WORDS, "gie", unventilated)
    f["regie_nom"] = pd.Series(None, index=f.index, dtype=object)
    f["regie_qui"] = pd.Series(None, index=f.index, dtype=object)
    for i in f.index[f["regie"]]:
        f.at[i, "regie_nom"], f.at[i, "regie_qui"] = regie_name(f.at[i, "libelle"])
    amount_bad = f["amount_bad"] if "amount_bad" in f else pd.Series(False, index=f.index)
    blank_cheque = f["cheque"].notna() & (n == 0) & ~amount_bad.astype(bool) & ~f["has_split"]
    f["annule"] = blank_cheque & ((mode == "ANNULE") | _has(label, ANNULE_WORDS, "annul", blank_cheque))
    _pairs(f, unventilated & ~f["regie"] & ~amount_bad.astype(bool), present)
    operation = single & ~f["regie"] & f["paire"].isna()
    f["recette"] = operation & present[RECEIPTS].any(axis=1)
    f["depense"] = operation & present[EXPENSES].any(axis=1)
    # the allocation: the typed split, or the whole amount in the chapter of column L; nothing for a movement
    alloc = typed.copy()
    position = {code: i for i, code in enumerate(codes)}
    col = f["chapitre"].map(position)
    use_l = (col.notna() & ~f["has_split"]).to_numpy()
    rows = np.flatnonzero(use_l)
    alloc[rows, col.to_numpy()[rows].astype("int64")] += f["montant"].to_numpy(dtype="int64", na_value=0)[rows]
    alloc[f["mouvement"].to_numpy()] = 0
    # reductions: a charge chapter on a receipt, a produit chapter on an expense, count in minus
    charge = np.array([c.is_charge for c in chart.chapitres], dtype=bool)
    receipt, expense = f["recette"].to_numpy(), f["depense"].to_numpy()
    against = (receipt[:, None] & charge[None, :]) | (expense[:, None] & ~charge[None, :])
    f["reduction"] = (against & (alloc != 0)).any(axis=1)
    alloc = np.where(against, -alloc, alloc)
    allocation = pd.DataFrame(alloc, columns=[f"c_{c}" for c in codes], index=f.index)
    f[allocation.columns] = allocation
    f["pointe_31_08"] = _ticked_at_year_end(f, end)
    f["date_tri"] = _sort_dates(f, start, end)
    f["doublon_de"] = duplicate_of(f, label)
    f["parle_report"] = _has(label, REPORT_WORDS, "report|nouveau|solde|avoir")
    return f


def _lower(texts: pd.Series) -> pd.Series:
    """Text in lower case, "" where missing (vectorised on pandas' Arrow-backed strings)."""
    if not isinstance(texts.dtype, pd.StringDtype):  # object (pandas 2), or float when no line has a label
        texts = texts.astype(object).where(texts.notna(), None).astype("string")
    return texts.str.lower().fillna("")


def _has(texts: pd.Series, pattern: str, quick: str, where: pd.Series | None = None) -> pd.Series:
    """Where ``pattern`` is found (among the lines ``where``); ``quick``, a plain alternation of substrings the
    pattern needs, first picks the few lines worth the full pattern."""
    out = pd.Series(False, index=texts.index)
    if where is not None:
        if not where.any():
            return out
        texts = texts[where]
    maybe = texts.str.contains(quick, regex=True).fillna(False).astype(bool)
    if maybe.any():
        found = texts[maybe].str.contains(pattern, regex=True).fillna(False).astype(bool)
        out[found.index] = found
    return out


def _pairs(f: pd.DataFrame, candidate: pd.Series, present: pd.DataFrame) -> None:
    """A withdrawal or deposit written on two lines: pair each unventilated bank expense with an unventilated cash
    receipt of the same date and amount (a deposit: cash expense with bank receipt), one to one in row order."""
    usable = (candidate & f["date"].notna()).to_numpy(dtype=bool)
    if not usable.any():  # the usual book: every operation is ventilated
        f["paire"] = pd.Series(pd.NA, index=f.index, dtype="Int64")
        f["paire_seconde"] = False
        return
    partner: list[int | None] = [None] * len(f)
    second = [False] * len(f)
    rows = f["row"].to_numpy(dtype="int64")
    days = f["date"].to_numpy(dtype="datetime64[ns]")
    cents = f["montant"].to_numpy(dtype="int64", na_value=0)
    for out, into in MOVEMENTS:
        waiting: dict[tuple[object, int], list[int]] = {}
        for i in np.flatnonzero(usable & present[into].to_numpy(dtype=bool)).tolist():
            waiting.setdefault((days[i], int(cents[i])), []).append(i)
        for i in np.flatnonzero(usable & present[out].to_numpy(dtype=bool)).tolist():
            match = waiting.get((days[i], int(cents[i])))
            if match:
                j = match.pop(0)
                partner[i], partner[j] = int(rows[j]), int(rows[i])
                second[max(i, j)] = True
    f["paire"] = pd.array(partner, dtype="Int64")
    f["paire_seconde"] = second


def _ticked_at_year_end(f: pd.DataFrame, end: dt.date | None) -> pd.Series:
    ticked = f["pointe"].fillna(False).astype(bool)
    if end is None or "pointe_le" not in f or not f["pointe_le"].notna().any():
        return ticked
    cleared = pd.to_datetime(f["pointe_le"])
    return ticked & ~(cleared > pd.Timestamp(end)).fillna(False).astype(bool)


def _sort_dates(f: pd.DataFrame, start: dt.date | None, end: dt.date | None) -> pd.Series:
    d = f["date"]
    if start is not None and end is not None:
        inside = (d >= pd.Timestamp(start)) & (d <= pd.Timestamp(end))
        d = d if inside.all() else d.where(inside)
    return d.ffill().bfill() if d.isna().any() else d


def running_balance(f: pd.DataFrame, opening: int, inc: str, dec: str) -> pd.Series:
    """The balance (cash: ``caisse_recette``/``caisse_depense``; bank: ``banque_…``) after each line, in the order
    CASH_NEGATIVE and BANK_NEGATIVE follow it, as a Series in that order (index: the journal's).

    Date order (``date_tri``: a line without a readable date keeps its row position); the lines of one day have no
    order between them, so within a day the receipts come before the expenses, each in row order: the kermesse's
    cash and its deposit at the bank the same day pass whichever line was typed first, and the balance goes below
    zero within a day only when it ends that day below zero."""
    delta = f[inc].fillna(0).astype("int64") - f[dec].fillna(0).astype("int64")
    keys = pd.DataFrame({"day": f["date_tri"], "out": delta < 0, "row": f["row"]}, index=f.index)
    order = keys.sort_values(["day", "out", "row"], kind="stable", na_position="last").index
    return opening + delta.loc[order].cumsum()


def _running_negative(f: pd.DataFrame, opening: int, inc: str, dec: str) -> pd.Series:
    """True on the first line of each stretch where the running balance (:func:`running_balance`) is below zero."""
    below = running_balance(f, opening, inc, dec) < 0
    starts = below & ~below.shift(1, fill_value=False)
    return starts.reindex(f.index)


# --- the checks: each takes the derived journal and the context, and is True where the line is right ---------

Check = Callable[[pd.DataFrame, Context], pd.Series]


def _operation(f: pd.DataFrame) -> pd.Series:
    return f["recette"] | f["depense"]


def _split_columns(ctx: Context) -> list[str]:
    return [f"v_{c.code}" for c in ctx.chart.chapitres]


def _repeated(f: pd.DataFrame, keys: list[str], where: pd.Series) -> pd.Series:
    return ~(where & f[keys].duplicated(keep="first"))


def _date_outside(f: pd.DataFrame, ctx: Context) -> pd.Series:
    if ctx.start is None or ctx.end is None:
        return pd.Series(True, index=f.index)
    d = f["date"]
    return d.isna() | ((d >= pd.Timestamp(ctx.start)) & (d <= pd.Timestamp(ctx.end)))


def _date_order(f: pd.DataFrame, ctx: Context) -> pd.Series:
    previous = f["date"].ffill().shift(1)
    return f["date"].isna() | previous.isna() | (f["date"] >= previous)


def _amount_invalid(f: pd.DataFrame, ctx: Context) -> pd.Series:
    amounts_ok = (f[AMOUNT_COLUMNS].to_numpy(dtype="int64", na_value=1) > 0).all(axis=1)
    split_ok = (f[_split_columns(ctx)].to_numpy(dtype="int64", na_value=0) >= 0).all(axis=1)
    return pd.Series(amounts_ok & split_ok, index=f.index)


def _split_mismatch(f: pd.DataFrame, ctx: Context) -> pd.Series:
    checked = _operation(f) & f["has_split"] & ~f["split_bad"] & ~f["amount_bad"]
    return ~checked | (f["split_sum"] == f["montant"].fillna(0))


def _chapter_conflict(f: pd.DataFrame, ctx: Context) -> pd.Series:
    both = (f["chapitre"].notna() & f["has_split"] & ~f["mouvement"]).to_numpy()
    ok = np.ones(len(f), dtype=bool)
    rows = np.flatnonzero(both)
    if len(rows):
        position = {c.code: i for i, c in enumerate(ctx.chart.chapitres)}
        typed = f[_split_columns(ctx)].to_numpy(dtype="int64", na_value=0)[rows]
        cols = f["chapitre"].map(position).to_numpy()[rows].astype("int64")
        ok[rows] = typed[np.arange(len(rows)), cols] == f["split_sum"].to_numpy()[rows]
    return pd.Series(ok, index=f.index)


def _reduction(f: pd.DataFrame, ctx: Context) -> pd.Series:
    """A credit note or a refund: accepted, counted in minus in its chapter (see :func:`derive`)."""
    return ~f["reduction"]


def _transfer(f: pd.DataFrame, ctx: Context) -> pd.Series:
    equal = pd.Series(True, index=f.index)
    for a, b in MOVEMENTS:
        pair = f[a].notna() & f[b].notna()
        equal &= ~pair | (f[a].fillna(0) == f[b].fillna(0))
    one_line = ~f["mouvement"] | (equal & ~f["has_split"] & f["chapitre_ecrit"].isna())
    return one_line & ~f["paire_seconde"]


def _piece_duplicate(f: pd.DataFrame, ctx: Context) -> pd.Series:
    """A voucher number used again, unless both this line and the first one with it are expenses (one invoice paid
    in several cheques or instalments; a cancelled cheque counts as an expense of its invoice)."""
    key = f["piece"].str.strip().str.upper()
    repeated = key.notna() & key.duplicated(keep="first")
    if not repeated.any():
        return ~repeated
    expense = f["depense"] | f["annule"]
    first_is_expense = key.map(expense[key.notna()].groupby(key).first()).fillna(False).astype(bool)
    return ~(repeated & ~(expense & first_is_expense))


def _cheque_duplicate(f: pd.DataFrame, ctx: Context) -> pd.Series:
    """The same cheque number on two bank expenses; a cancelled cheque keeps its number (cancelled, then reused:
    a duplicate)."""
    return _repeated(f, ["cheque"], cheque_lines(f))


def cheque_lines(f: pd.DataFrame) -> pd.Series:
    """The lines whose cheque number counts in the sequence: bank expenses and cancelled cheques."""
    return f["cheque"].notna() & (f["banque_depense"].notna() | f["annule"])


def duplicate_of(f: pd.DataFrame, label: pd.Series) -> pd.Series:
    """For each line that may be typed twice, the row of the other line: same date, amount and label (``label``: in
    lower case), and no distinct voucher or cheque number (both written and different). Of two such lines, the one
    with fewer of these numbers is flagged (the later one when even): five families paying the same trip the same day
    with five receipts are no duplicates, and one of them typed again without its receipt number is one warning. The
    halves of a transfer written on two lines are left to TRANSFER_INVALID."""
    out = pd.Series(pd.NA, index=f.index, dtype="Int64")
    # cheap first, vectorised: one 64-bit hash of (day, amount, label) per line; the groups below are exact
    where = (f["date"].notna() & f["montant"].notna() & f["libelle"].notna() & f["paire"].isna()).to_numpy()
    days = f["date"].to_numpy(dtype="datetime64[D]").astype("uint64")
    cents = f["montant"].to_numpy(dtype="int64", na_value=0).astype("uint64")
    text = pd.util.hash_pandas_object(label, index=False).to_numpy()
    with np.errstate(over="ignore"):
        key = text + days * np.uint64(0x9E3779B97F4A7C15) + cents * np.uint64(0xC2B2AE3D27D4EB4F)
    same = where & pd.Series(key).duplicated(keep=False).to_numpy()
    if not same.any():
        return out
    keys = pd.DataFrame({"date": f["date"], "montant": f["montant"], "lib": label})[same]
    g = keys.assign(row=f["row"], piece=f["piece"], cheque=f["cheque"])
    for _, group in g.groupby(["date", "montant", "lib"], sort=False):
        lines = list(zip(group.index, group["row"], group["piece"], group["cheque"], strict=True))
        for k, (i, row_i, piece_i, cheque_i) in enumerate(lines):
            for j, row_j, piece_j, cheque_j in lines[k + 1 :]:
                if _distinct(piece_i, piece_j) or _distinct(cheque_i, cheque_j):
                    continue
                known_i = isinstance(piece_i, str) + isinstance(cheque_i, str)
                known_j = isinstance(piece_j, str) + isinstance(cheque_j, str)
                target, other = (i, row_j) if known_i < known_j else (j, row_i)
                if pd.isna(out[target]):
                    out[target] = int(other)
    return out


def _distinct(a: object, b: object) -> bool:
    return isinstance(a, str) and isinstance(b, str) and a.strip().upper() != b.strip().upper()


def _duplicate_line(f: pd.DataFrame, ctx: Context) -> pd.Series:
    return f["doublon_de"].isna()


def _report_as_receipt(f: pd.DataFrame, ctx: Context) -> pd.Series:
    """A receipt whose label speaks of report/solde (whole words), or whose amount equals an opening balance.
    Both: an error; one of the two: a warning (the finding's own severity, see ``Messages.severity``)."""
    openings = [v for v in (ctx.report_banque, ctx.report_caisse) if v > 0]
    equal = f["montant"].isin(openings).fillna(False).astype(bool)
    return ~(f["recette"] & (f["parle_report"] | equal))


def mode_mismatch(f: pd.DataFrame) -> pd.Series:
    """Mode VIR, CB or PRLV on a cash-only line; ESP on a bank-only line; ANNULÉ on a line with an amount."""
    mode = f["mode_lu"].where(f["paire"].isna())  # half of a transfer on two lines: TRANSFER_INVALID says it all
    if not mode.notna().any():
        return pd.Series(False, index=f.index)
    bank = (f["banque_recette"].notna() | f["banque_depense"].notna()).to_numpy()
    cash = (f["caisse_recette"].notna() | f["caisse_depense"].notna()).to_numpy()
    wrong = (
        (mode.isin(BANK_MODES).to_numpy() & cash & ~bank)
        | ((mode == "ESP").to_numpy() & bank & ~cash)
        | ((mode == "ANNULE").to_numpy() & (f["n_montants"] > 0).to_numpy())
    )
    return pd.Series(wrong, index=f.index)


def regie_balances(f: pd.DataFrame) -> pd.DataFrame:
    """Per colleague (``regie_nom``): advances (expenses), returns (receipts), the last advance's index."""
    lines = f[f["regie"]]
    advance = lines[EXPENSES].notna().any(axis=1)
    frame = pd.DataFrame(
        {
            "nom": lines["regie_nom"].fillna(""),
            "avances": lines["montant"].where(advance, 0).astype("int64"),
            "retours": lines["montant"].where(~advance, 0).astype("int64"),
            "derniere_avance": pd.Series(lines.index, index=lines.index).where(advance),
            "derniere": pd.Series(lines.index, index=lines.index),
        }
    )
    return frame.groupby("nom", sort=False).agg(
        avances=("avances", "sum"), retours=("retours", "sum"), derniere_avance=("derniere_avance", "max"),
        derniere=("derniere", "max"),
    )  # fmt: skip


def _regie_open(f: pd.DataFrame, ctx: Context) -> pd.Series:
    """A régie d'avance not settled at the end of the book: flagged on the colleague's last advance (or, with no
    advance at all, on the last return)."""
    ok = pd.Series(True, index=f.index)
    if not f["regie"].any():
        return ok
    balances = regie_balances(f)
    for _, b in balances[balances["avances"] != balances["retours"]].iterrows():
        at = b["derniere_avance"] if pd.notna(b["derniere_avance"]) else b["derniere"]
        ok[int(at)] = False
    return ok


def _inventory(f: pd.DataFrame, ctx: Context) -> pd.Series:
    """A 6800 purchase has its Inventaire row: same piece, or same date and value."""
    if "c_6800" not in f:
        return pd.Series(True, index=f.index)
    durable = f["depense"] & (f["c_6800"] > 0)
    ok = pd.Series(True, index=f.index)
    for i in f.index[durable]:
        piece = f.at[i, "piece"]  # text, or a missing value (None or NaN)
        # f.at is typed as any scalar: these are the reader's date and Int64 cents columns
        date = cast("pd.Timestamp | NaTType", f.at[i, "date"])
        cents = cast("SupportsInt", f.at[i, "c_6800"])
        ok[i] = (isinstance(piece, str) and piece.strip().upper() in ctx.inventaire_pieces) or (
            pd.notna(date) and (date.date(), int(cents)) in ctx.inventaire_keys
        )
    return ok


# finding code → its check, in the order of the report (validate.py maps a failure back by its check's index)
CHECKS: dict[str, Check] = {
    "DATE_MISSING": lambda f, ctx: f["date"].notna() | f["date_bad"],
    "DATE_OUTSIDE_EXERCICE": _date_outside,
    "DATE_ORDER": _date_order,
    "LIBELLE_MISSING": lambda f, ctx: f["libelle"].notna(),
    "AMOUNT_MISSING": lambda f, ctx: (f["n_montants"] > 0) | f["amount_bad"] | f["annule"],
    "AMOUNT_MULTIPLE": lambda f, ctx: (f["n_montants"] <= 1) | f["mouvement"],
    "AMOUNT_INVALID": _amount_invalid,
    "SPLIT_MISSING": lambda f, ctx: ~(_operation(f) & f["chapitre_ecrit"].isna() & ~f["has_split"]),
    "SPLIT_MISMATCH": _split_mismatch,
    "CHAPTER_CONFLICT": _chapter_conflict,
    "CHAPTER_UNKNOWN": lambda f, ctx: ~f["chapitre_inconnu"],
    "CHAPTER_REDUCTION": _reduction,
    "TRANSFER_INVALID": _transfer,
    "MODE_MISMATCH": lambda f, ctx: ~mode_mismatch(f),
    "PIECE_MISSING": lambda f, ctx: ~_operation(f) | f["piece"].notna(),
    "PIECE_DUPLICATE": _piece_duplicate,
    "CHEQUE_MISSING": lambda f, ctx: (
        ~(f["banque_depense"].notna() & (f["mode"].str.upper() == "CHQ") & f["cheque"].isna())
    ),
    "CHEQUE_DUPLICATE": _cheque_duplicate,
    "CASH_NEGATIVE": lambda f, ctx: ~_running_negative(f, ctx.report_caisse, "caisse_recette", "caisse_depense"),
    "BANK_NEGATIVE": lambda f, ctx: ~_running_negative(f, ctx.report_banque, "banque_recette", "banque_depense"),
    "DUPLICATE_LINE": _duplicate_line,
    "REPORT_AS_RECEIPT": _report_as_receipt,
    "REGIE_OPEN": _regie_open,
    "INVENTORY_MISSING": _inventory,
}


def _bound(check: Check, ctx: Context) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda f: check(f, ctx)


def build_schema(ctx: Context) -> pa.DataFrameSchema:
    columns = {
        "row": pa.Column(int, pa.Check.ge(1)),
        "date": pa.Column("datetime64[ns]", nullable=True),
        "libelle": pa.Column(nullable=True),  # text (object, or str under pandas 3)
        **{c: pa.Column("Int64", nullable=True) for c in AMOUNT_COLUMNS},
        "chapitre": pa.Column(nullable=True),
    }
    return pa.DataFrameSchema(
        columns=columns,
        # ignore_na=False: each check handles missing values itself, and pandera then skips an isna() of the frame per check
        checks=[pa.Check(_bound(check, ctx), name=code, ignore_na=False) for code, check in CHECKS.items()],
        name="Journal",
    )
