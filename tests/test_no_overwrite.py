"""A mistyped ``-o`` never loses a user's file: ``template``, ``bilan`` and ``consolidate`` replace an existing
file only with ``--force`` (a French error and status 1 otherwise, the file unchanged); with ``--force`` they do."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from store_helpers import make_cahier

from workbook_tools.cli import main
from workbook_tools.ingest import ingest
from workbook_tools.store import Store


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> str:
    s = Store(str(tmp_path / "depot"))
    ingest(make_cahier(tmp_path / "envoi.xlsx", seed=1), "0001", s)
    return s.url


@pytest.mark.parametrize(
    "command",
    [
        ["template"],  # its default name, cahier.xlsx: the teacher's filled cahier
        ["bilan", "--coop", "0001", "-o", "cahier.xlsx"],
        ["bilan", "--coop", "0001", "--format", "xlsx", "-o", "cahier.xlsx"],
        ["consolidate", "-o", "cahier.xlsx"],
        ["consolidate", "--format", "xlsx", "-o", "cahier.xlsx"],
        ["consolidate", "--relances", "cahier.xlsx", "-o", "c.xlsx"],
    ],
    ids=lambda c: " ".join(c),
)
def test_an_existing_file_is_replaced_only_with_force(
    store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    mine = make_cahier(tmp_path / "cahier.xlsx", seed=7)  # a filled cahier, a year of work
    before = digest(mine)
    store_args = [] if command[0] == "template" else ["--store", store]
    refused = CliRunner().invoke(main, [*command, *store_args])
    assert refused.exit_code == 1, refused.output
    assert refused.output == "Erreur : cahier.xlsx existe déjà : rien n'a été écrit (--force pour le remplacer).\n"
    assert digest(mine) == before and not (tmp_path / "c.xlsx").exists()
    forced = CliRunner().invoke(main, [*command, *store_args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert digest(mine) != before


def test_the_plan_given_to_template_is_never_its_output(tmp_path: Path) -> None:
    from importlib import resources

    chart = tmp_path / "plan.toml"
    chart.write_text(resources.files("workbook_tools.schemas").joinpath("chart.toml").read_text(encoding="utf-8"))
    before = digest(chart)
    result = CliRunner().invoke(main, ["template", "--chart", str(chart), "-o", str(chart), "--force"])
    assert result.exit_code == 1 and "est le plan comptable --chart" in result.output
    assert digest(chart) == before


@pytest.mark.parametrize("command", [["consolidate"], ["bilan", "--coop", "0001"]], ids=lambda c: c[0])
def test_the_format_follows_the_name_and_never_contradicts_it(store: str, tmp_path: Path, command: list[str]) -> None:
    """« -o x.json » writes JSON (it wrote a workbook named .json); « --format json -o x.xlsx » is refused (a JSON
    named .xlsx, which Excel refuses to open), nothing written."""
    import json

    named = tmp_path / "chiffres.json"
    result = CliRunner().invoke(main, [*command, "--store", store, "-o", str(named)])
    assert result.exit_code == 0, result.output
    assert json.loads(named.read_text(encoding="utf-8"))["exercice"] == "2025-2026"
    assert str(named) in result.stderr  # said where it went, as for a workbook
    wrong = tmp_path / "chiffres.xlsx"
    refused = CliRunner().invoke(main, [*command, "--store", store, "--format", "json", "-o", str(wrong)])
    assert refused.exit_code == 1 and not wrong.exists()
    assert refused.output == (
        f"Erreur : {wrong} : l'extension .xlsx ne correspond pas à --format json ; nommez-le chiffres.json, ou "
        "changez de format. Rien n'a été écrit.\n"
    )


@pytest.mark.parametrize("command", [["consolidate"], ["bilan", "--coop", "0001"]], ids=lambda c: c[0])
def test_nothing_is_written_inside_the_store_even_with_force(store: str, command: list[str]) -> None:
    """The store is append-only: « -o depot/cahier-store.json --force » replaced the store's marker, and a stored
    report could be replaced the same way (the next consolidation then lost the cooperative's name)."""
    root = Path(store)
    marker = root / "cahier-store.json"
    before = {p: digest(p) for p in root.rglob("*") if p.is_file()}
    for target in (marker, root / "coops" / "nouveau.json"):
        result = CliRunner().invoke(
            main, [*command, "--store", store, "--format", "json", "-o", str(target), "--force"]
        )
        assert result.exit_code == 1 and "est dans le dépôt" in result.output, result.output
    assert {p: digest(p) for p in root.rglob("*") if p.is_file()} == before
