"""The chart of accounts (SPEC §3): data in schemas/chart.toml, 4- and 8-digit codes, alias, roll-up."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import august

from workbook_tools.chart import Chapitre, Chart, default_chart, load_chart
from workbook_tools.fill import Book, Line
from workbook_tools.model import Code
from workbook_tools.validate import check_file

CHART = default_chart()


def test_default_chart_is_the_guide() -> None:
    assert [c.code for c in CHART.charges] == ["6070", "6180", "6281", "6282", "6500", "6700", "6800"]
    assert [c.code for c in CHART.produits] == ["7070", "7080", "7410", "7420", "7500", "7560", "7700"]
    assert all(c.definition for c in CHART.chapitres)
    assert CHART.by_code["6180"].header == "6180 Activités pédagogiques"


@pytest.mark.parametrize(
    ("written", "code", "rolled_up"),
    [
        ("6180", "6180", False),
        (6180.0, "6180", False),
        ("62810008", "6281", False),  # national 8-digit form
        ("68000008", "6800", False),
        ("6180 Activités pédagogiques", "6180", False),  # the drop-down's text
        ("6168", "6282", False),  # alias: insurance, today's code
        ("61681008", "6282", False),
        ("6181", "6180", True),  # finer code: rolled up, with a warning
        ("7562", "7560", True),
        ("6283", None, False),  # 628 matches two chapters: unknown
        ("9999", None, False),
    ],
)
def test_resolve(written: object, code: str | None, rolled_up: bool) -> None:
    res = CHART.resolve(written)
    assert res is not None and (res.code, res.rolled_up) == (code, rolled_up)


@pytest.mark.parametrize("written", ["", "Sortie", "12", "618", "123456789"])
def test_text_without_a_code(written: str) -> None:
    assert CHART.resolve(written) is None


def test_chart_is_data(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text('[[chapitre]]\ncode = "6180"\nlibelle = "Sorties"\nsens = "charge"\n', encoding="utf-8")
    assert [c.header for c in load_chart(path).chapitres] == ["6180 Sorties"]
    with pytest.raises(ValueError, match="sens incohérent"):
        Chart([Chapitre("7080", "Ventes", "charge", "")], {})
    with pytest.raises(ValueError, match="en double"):
        Chart([Chapitre("6180", "A", "charge", ""), Chapitre("6180", "B", "charge", "")], {})


def test_codes_as_teachers_write_them_count_in_their_chapter(book: Book, write: Callable[[Book], Path]) -> None:
    base = check_file(write(copy.deepcopy(book))).totals
    assert base is not None
    book.lines.append(
        Line(august(21), "Assurance MAE", banque_depense="40.00", chapitre="61681008", piece="Z1", mode="CB")
    )
    book.lines.append(
        Line(august(22), "Abonnement revue", banque_depense="25.00", chapitre="6181", piece="Z2", mode="CB")
    )
    result = check_file(write(book))
    assert [f.code for f in result.findings] == [Code.CHAPTER_ROLLUP]  # the alias is silent
    assert result.totals is not None
    assert result.totals.chapitres["6282"] - base.chapitres["6282"] == 4000
    assert result.totals.chapitres["6180"] - base.chapitres["6180"] == 2500
