"""Invariants over many lines (hypothesis), checked on the validator's frame without writing workbooks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbook_tools.chart import default_chart
from workbook_tools.read import Cahier
from workbook_tools.validate import check_cahier

CHART = default_chart()
CHARGES = [c.code for c in CHART.charges]


def _cahier(amount: int, split: dict[str, int]) -> Cahier:
    """One expense line of ``amount`` cents split as given, in the reader's normalised form."""
    row: dict[str, object] = {
        "row": 4, "pointe": False, "piece": "D1", "mode": "CB", "date": pd.Timestamp(2025, 10, 1), "date_bad": False,
        "libelle": "Achat", "cheque": None, "action": None, "banque_recette": None, "banque_depense": amount,
        "caisse_recette": None, "caisse_depense": None, "amount_bad": False, "chapitre": None, "chapitre_ecrit": None,
        "chapitre_inconnu": False, "split_unknown": 0, "split_bad": False,
    }  # fmt: skip
    for code in CHART.by_code:
        row[f"v_{code}"] = split.get(code)
    frame = pd.DataFrame([row])
    for col in (
        "banque_recette",
        "banque_depense",
        "caisse_recette",
        "caisse_depense",
        *(f"v_{c}" for c in CHART.by_code),
    ):
        frame[col] = frame[col].astype("Int64")
    frame["date"] = frame["date"].astype("datetime64[ns]")
    cahier = Cahier(path=Path("x.xlsx"), journal=frame)
    cahier.params = {"coop_numero": "1", "exercice": "2025-2026", "report_banque": 10_000_000, "report_caisse": 0}
    cahier.columns = {"date": "D", "libelle": "E", "chapitre": "L", "banque_depense": "I", "piece": "B"}
    return cahier


splits = st.dictionaries(st.sampled_from(CHARGES), st.integers(1, 10_000_000), min_size=1, max_size=5)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(split=splits)
def test_split_that_adds_up_never_mismatches(split: dict[str, int]) -> None:
    result = check_cahier(_cahier(sum(split.values()), split))
    assert "SPLIT_MISMATCH" not in [f.code for f in result.findings]
    assert result.ok  # at most the inventory warning of a 6800 purchase
    assert result.totals is not None and result.totals.charges == sum(split.values())


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(split=splits, gap=st.integers(-1_000_000, 1_000_000).filter(lambda g: g != 0))
def test_split_that_does_not_add_up_always_mismatches(split: dict[str, int], gap: int) -> None:
    amount = sum(split.values()) + gap
    if amount <= 0:
        return
    result = check_cahier(_cahier(amount, split))
    codes = [f.code for f in result.findings]
    assert codes.count("SPLIT_MISMATCH") == 1
    message = result.findings[codes.index("SPLIT_MISMATCH")].message
    assert ("inversés" in message) == (abs(gap) % 9 == 0)


@settings(max_examples=60, deadline=None)
@given(split=splits)
def test_chapter_totals_add_up(split: dict[str, int]) -> None:
    t = check_cahier(_cahier(sum(split.values()), split)).totals
    assert t is not None
    assert sum(t.chapitres.values()) == t.charges + t.produits
    assert t.report + t.resultat == t.banque_fin + t.caisse_fin
