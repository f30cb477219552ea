"""No silent wrong answer: a store that is not there, a cooperative that sent nothing, an exercice with no cahier
— each a French sentence and status 1, never « nothing » with status 0, never an empty workbook."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from store_helpers import make_cahier

from workbook_tools.cli import main


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A real store: coop 0001 sent one cahier of 2025-2026."""
    root = tmp_path_factory.mktemp("depot")
    cahier = make_cahier(root / "cahier.xlsx", coop="0001", seed=1)
    result = CliRunner().invoke(main, ["ingest", str(cahier), "--coop", "0001", "--store", str(root / "store")])
    assert result.exit_code == 0, result.output
    return str(root / "store")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["history", "--coop", "0001"],
        ["history", "--coop", "0001", "--format", "json"],
        ["restore", "--coop", "0001", "--version", "1", "-o", "x.xlsx"],
        ["bilan", "--coop", "0001", "-o", "x.xlsx"],
        ["consolidate", "-o", "x.xlsx"],
        ["consolidate", "--format", "json"],
    ],
)
def test_a_store_path_that_does_not_exist(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: str
) -> None:
    monkeypatch.chdir(tmp_path)
    mistyped = store.removesuffix("store") + "stor"  # one letter missing
    code, out, err = run(*args, "--store", mistyped)
    assert code == 1 and out == ""
    assert err.startswith(f"Erreur : Aucun dépôt à l'adresse {mistyped} : vérifiez --store (ou $CAHIER_STORE).")
    assert not (tmp_path / "x.xlsx").exists() and not Path(mistyped).exists()  # nothing made there either


def test_a_folder_that_is_not_a_store(tmp_path: Path) -> None:
    (tmp_path / "documents").mkdir()
    code, _, err = run("history", "--coop", "0001", "--store", str(tmp_path / "documents"))
    assert code == 1 and err.startswith("Erreur : Aucun dépôt à l'adresse ")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_history_of_a_cooperative_that_sent_nothing(store: str, fmt: str) -> None:
    code, out, err = run("history", "--coop", "0002", "--store", store, "--format", fmt)
    assert code == 1 and out == ""
    assert err == (
        f"Erreur : La coopérative 0002 n'a envoyé aucun cahier au dépôt {store} : "
        "vérifiez son numéro (c'est le nom de son dossier).\n"
    )


def test_history_of_a_cooperative_that_sent_something(store: str) -> None:
    code, out, _ = run("history", "--coop", "0001", "--store", store)
    assert code == 0 and out.rstrip().endswith("Exercice 2025-2026 : accepté.")


def test_restore_and_bilan_of_a_cooperative_that_sent_nothing(store: str, tmp_path: Path) -> None:
    code, _, err = run("restore", "--coop", "0002", "--version", "1", "-o", str(tmp_path / "x.xlsx"), "--store", store)
    assert code == 1 and err == "Erreur : La coopérative 0002 n'a pas de version n° 1 (0 version).\n"
    code, _, err = run("bilan", "--coop", "0002", "-o", str(tmp_path / "x.xlsx"), "--store", store)
    assert code == 1 and err.startswith("Erreur : La coopérative 0002 n'a rien envoyé : aucune version dans le dépôt")
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("fmt", ["xlsx", "json"])
def test_consolidate_an_exercice_with_no_cahier(store: str, tmp_path: Path, fmt: str) -> None:
    out_file = tmp_path / f"consolidation.{fmt}"
    code, out, err = run(
        "consolidate", "--exercice", "2024-2025", "--store", store, "--format", fmt, "-o", str(out_file)
    )
    assert code == 1 and out == ""
    assert err == (
        f"Erreur : Aucun cahier de l'exercice 2024-2025 dans le dépôt {store} (exercices reçus : 2025-2026) : "
        "vérifiez l'exercice.\n"
    )
    assert not out_file.exists()  # never an empty workbook


def test_consolidate_an_exercice_with_no_cahier_even_with_a_roster(store: str, tmp_path: Path) -> None:
    roster = tmp_path / "coops.csv"
    roster.write_text("coop;nom\n0001;École A\n0002;École B\n", encoding="utf-8")
    out_file = tmp_path / "c.xlsx"
    args = ["consolidate", "--exercice", "2026-2027", "--roster", str(roster), "--store", store, "-o", str(out_file)]
    code, _, err = run(*args)
    assert code == 1 and "Aucun cahier de l'exercice 2026-2027" in err and not out_file.exists()


def test_consolidate_the_exercice_that_has_cahiers(store: str, tmp_path: Path) -> None:
    code, _, err = run("consolidate", "--exercice", "2025-2026", "--store", store, "-o", str(tmp_path / "c.xlsx"))
    assert code == 0 and (tmp_path / "c.xlsx").exists()
    assert err.startswith("Consolidation 2025-2026 : 1 coopérative (1 acceptée, 0 avec une version plus récente ")
    assert "0 refusée, 0 manquante), " in err and " alerte" in err
