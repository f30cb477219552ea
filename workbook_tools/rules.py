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

if TYPE_CHECKING:
    from pandas.api.typing import NaTType

RECEIPTS = ["banque_recette", "caisse_recette"]
EXPENSES = ["banque_depense", "caisse_depense"]
# internal movements: bank → cash (withdrawal), cash → bank (deposit)
MOVEMENTS = [("banque_depense", "caisse_recette"), ("caisse_depense", "banque_recette")]
REPORT_RE = re.compile(r"report|a nouveau|à nouveau|solde (?:de l'?|d')?(?:annee|année|exercice) pr|avoir au 1", re.I)


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


def derive(frame: pd.DataFrame, chart: Chart) -> pd.DataFrame:
    """Add what every check and the bilan need: amount, kind of line, the chapter allocation ``c_<code>``."""
    f = frame
    present = f[AMOUNT_COLUMNS].notna()
    n = present.sum(axis=1)
    f["n_montants"] = n
    f["montant"] = f[AMOUNT_COLUMNS].sum(axis=1, min_count=1).astype("Int64")
    movement = pd.Series(False, index=f.index)
    for a, b in MOVEMENTS:
        movement |= present[a] & present[b] & (n == 2)
    f["mouvement"] = movement
    single = n == 1
    f["recette"] = single & present[RECEIPTS].any(axis=1)
    f["depense"] = single & present[EXPENSES].any(axis=1)
    codes = [c.code for c in chart.chapitres]
    vcols = [f"v_{c}" for c in codes]
    typed = f[vcols].to_numpy(dtype="int64", na_value=0)
    f["split_sum"] = typed.sum(axis=1) + f["split_unknown"].to_numpy(dtype="int64")
    f["has_split"] = f[vcols].notna().to_numpy().any(axis=1) | (f["split_unknown"].to_numpy() != 0)
    # the allocation: the typed split, or the whole amount in the chapter of column L; nothing for a movement
    alloc = typed.copy()
    position = {code: i for i, code in enumerate(codes)}
    col = f["chapitre"].map(position)
    use_l = (col.notna() & ~f["has_split"]).to_numpy()
    rows = np.flatnonzero(use_l)
    alloc[rows, col.to_numpy()[rows].astype("int64")] += f["montant"].to_numpy(dtype="int64", na_value=0)[rows]
    alloc[f["mouvement"].to_numpy()] = 0
    allocation = pd.DataFrame(alloc, columns=[f"c_{c}" for c in codes], index=f.index)
    f[allocation.columns] = allocation
    return f


def _running_negative(f: pd.DataFrame, opening: int, inc: str, dec: str) -> pd.Series:
    """True on the first line of each stretch where the running balance (in date order) is below zero."""
    order = f.sort_values(["date", "row"], kind="stable", na_position="last").index
    delta = f[inc].fillna(0).astype("int64") - f[dec].fillna(0).astype("int64")
    balance = opening + delta.loc[order].cumsum()
    below = balance < 0
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


def _direction(f: pd.DataFrame, ctx: Context) -> pd.Series:
    charge_used = (f[[f"c_{c.code}" for c in ctx.chart.charges]] != 0).any(axis=1)
    produit_used = (f[[f"c_{c.code}" for c in ctx.chart.produits]] != 0).any(axis=1)
    return ~((f["recette"] & charge_used) | (f["depense"] & produit_used))


def _transfer(f: pd.DataFrame, ctx: Context) -> pd.Series:
    equal = pd.Series(True, index=f.index)
    for a, b in MOVEMENTS:
        pair = f[a].notna() & f[b].notna()
        equal &= ~pair | (f[a].fillna(0) == f[b].fillna(0))
    return ~f["mouvement"] | (equal & ~f["has_split"] & f["chapitre_ecrit"].isna())


def _piece_duplicate(f: pd.DataFrame, ctx: Context) -> pd.Series:
    key = f["piece"].str.strip().str.upper()
    return ~(key.notna() & key.duplicated(keep="first"))


def _cheque_duplicate(f: pd.DataFrame, ctx: Context) -> pd.Series:
    return _repeated(f, ["cheque"], f["cheque"].notna() & f["banque_depense"].notna())


def _duplicate_line(f: pd.DataFrame, ctx: Context) -> pd.Series:
    g = f.assign(_lib=f["libelle"].str.lower().str.strip())
    return _repeated(g, ["date", "montant", "_lib"], f["date"].notna() & f["montant"].notna() & f["libelle"].notna())


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
    "AMOUNT_MISSING": lambda f, ctx: (f["n_montants"] > 0) | f["amount_bad"],
    "AMOUNT_MULTIPLE": lambda f, ctx: (f["n_montants"] <= 1) | f["mouvement"],
    "AMOUNT_INVALID": _amount_invalid,
    "SPLIT_MISSING": lambda f, ctx: ~(_operation(f) & f["chapitre_ecrit"].isna() & ~f["has_split"]),
    "SPLIT_MISMATCH": _split_mismatch,
    "CHAPTER_CONFLICT": _chapter_conflict,
    "CHAPTER_UNKNOWN": lambda f, ctx: ~f["chapitre_inconnu"],
    "CHAPTER_DIRECTION": _direction,
    "TRANSFER_INVALID": _transfer,
    "PIECE_MISSING": lambda f, ctx: ~_operation(f) | f["piece"].notna(),
    "PIECE_DUPLICATE": _piece_duplicate,
    "CHEQUE_MISSING": lambda f, ctx: (
        ~(f["banque_depense"].notna() & (f["mode"].str.upper() == "CHQ") & f["cheque"].isna())
    ),
    "CHEQUE_DUPLICATE": _cheque_duplicate,
    "CASH_NEGATIVE": lambda f, ctx: ~_running_negative(f, ctx.report_caisse, "caisse_recette", "caisse_depense"),
    "BANK_NEGATIVE": lambda f, ctx: ~_running_negative(f, ctx.report_banque, "banque_recette", "banque_depense"),
    "DUPLICATE_LINE": _duplicate_line,
    "REPORT_AS_RECEIPT": lambda f, ctx: ~(f["recette"] & f["libelle"].fillna("").str.contains(REPORT_RE)),
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
