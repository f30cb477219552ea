"""`cahier demo` (the README's main command) can be run again, and never writes over a user's folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from workbook_tools.cli import main


@pytest.mark.slow
def test_demo_runs_twice_and_spares_other_folders(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    first = CliRunner().invoke(main, ["demo", str(demo)])
    assert first.exit_code == 0, first.output
    statuses = sorted(demo.glob("inbox/*/*.statut.txt"))
    assert len(statuses) == 14 and (demo / "tresorier" / "consolidation-2025-2026.xlsx").exists()
    assert len(list(demo.glob("inbox/*/*.crf.xlsx"))) == 9  # one per accepted cahier
    second = CliRunner().invoke(main, ["demo", str(demo)])
    assert second.exit_code == 0, second.output
    assert "Démonstration précédente remplacée" in second.output
    assert sorted(demo.glob("inbox/*/*.statut.txt")) == statuses

    mine = tmp_path / "mes-papiers"
    mine.mkdir()
    (mine / "budget.xlsx").write_bytes(b"a teacher's file")
    refused = CliRunner().invoke(main, ["demo", str(mine)])
    assert refused.exit_code == 1
    assert "n'est pas une démonstration" in refused.output
    assert [p.name for p in mine.iterdir()] == ["budget.xlsx"] and (
        mine / "budget.xlsx"
    ).read_bytes() == b"a teacher's file"
