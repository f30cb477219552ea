"""``cahier ingest``, ``cahier history``, ``cahier restore``: exit statuses and French messages."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from store_helpers import make_cahier

from workbook_tools.cli import main
from workbook_tools.store import Store


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    store = str(tmp_path / "store")

    def _run(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(main, [*args, "--store", store])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        return result.exit_code, result.stdout, result.stderr

    return _run


def test_ingest_history_restore(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = make_cahier(tmp_path / "janvier.xlsx", seed=1)
    bad = make_cahier(tmp_path / "fevrier.xlsx", seed=2, spoil=True)
    code, out, _ = run("ingest", str(good), "--coop", "0001")
    assert code == 0 and out.startswith("ACCEPTÉ — janvier.xlsx reçu le ")
    code, out, _ = run("ingest", str(bad), "--coop", "0001")
    assert code == 1 and out.startswith("REFUSÉ — fevrier.xlsx") and "DATE_MISSING" in out
    code, out, _ = run("ingest", str(good), "--coop", "0001")
    assert code == 0 and out.startswith("DÉJÀ REÇU — janvier.xlsx est identique")

    code, out, _ = run("history", "--coop", "0001")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["n°", "version", "reçu", "le", "statut", "exercice", "err.", "avert.", "fichier"]
    assert "accepté ← en cours" in lines[1] and lines[1].endswith("janvier.xlsx")
    assert " refusé " in lines[2] and lines[2].endswith("fevrier.xlsx")
    assert "déjà reçu (= " in lines[3]

    out_file = tmp_path / "rendu.xlsx"
    code, out, _ = run("restore", "--coop", "0001", "--version", "2", "-o", str(out_file))
    assert code == 0 and out.startswith("Version ") and out_file.read_bytes() == bad.read_bytes()
    code, _, err = run("restore", "--coop", "0001", "--version", "1", "-o", str(out_file))
    assert code == 1 and err == f"Erreur : {out_file} existe déjà (utilisez --force pour le remplacer).\n"
    assert out_file.read_bytes() == bad.read_bytes()
    code, _, _ = run("restore", "--coop", "0001", "--version", "1", "-o", str(out_file), "--force")
    assert code == 0 and out_file.read_bytes() == good.read_bytes()


def test_wrong_coop_is_refused_and_kept_in_its_folder_only(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    other = make_cahier(tmp_path / "cahier.xlsx", coop="0002")
    code, out, _ = run("ingest", str(other), "--coop", "0001")
    assert code == 1 and "COOP_MISMATCH" in out
    store = Store(str(tmp_path / "store"))
    assert [v.status for v in store.history("0001")] == ["refused"] and store.history("0002") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["history", "--coop", "../etc"], "Erreur : Numéro de coopérative invalide : '../etc'"),
        (["restore", "--coop", "0001", "--version", "9", "-o", "x.xlsx"], "Erreur : La coopérative 0001 n'a pas de version n° 9 (0 version)."),
        (["restore", "--coop", "0001", "--version", "zz", "-o", "x.xlsx"], "Erreur : Aucune version 'zz' pour la coopérative 0001."),
    ],
)  # fmt: skip
def test_bad_input_one_line_exit_1(run, args: list[str], message: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("ingest", str(make_cahier(tmp_path / "autre.xlsx", coop="0002", seed=1)), "--coop", "0002")[0] == 0
    code, _, err = run(*args)
    assert code == 1
    assert err.startswith(message) and "Traceback" not in err


def test_ingest_bad_coop_never_writes(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = make_cahier(tmp_path / "c.xlsx", seed=1)
    code, _, err = run("ingest", str(good), "--coop", "0001/../../x")
    assert code == 1 and err.startswith("Erreur : Numéro de coopérative invalide")
    assert not (tmp_path / "store").exists()


def test_history_of_unreachable_webdav_store(tmp_path: Path) -> None:
    from webdav_server import free_port

    result = CliRunner().invoke(main, ["history", "--coop", "0001", "--store", f"webdav://127.0.0.1:{free_port()}/x"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Erreur : Dépôt injoignable (webdav://127.0.0.1:")
    assert "nouvel essai" not in result.stderr  # nothing will try again: the watcher's words, not a command's
    assert result.stderr.endswith("Rien n'a été modifié : relancez la commande quand le dépôt répond.\n")


@pytest.mark.parametrize("below", ["", "/depot"])
def test_a_store_that_is_a_file_is_a_configuration_error(tmp_path: Path, below: str) -> None:
    """Trying again cannot help: said at once, exit 1, by every command and by the watcher at start-up."""
    afile = tmp_path / "afile"
    afile.write_text("pas un dépôt")
    store = f"{afile}{below}"
    cahier = make_cahier(tmp_path / "c.xlsx", seed=1)
    (tmp_path / "inbox").mkdir()
    for args in (
        ["ingest", str(cahier), "--coop", "0001"],
        ["history", "--coop", "0001"],
        ["restore", "--coop", "0001", "--version", "1", "-o", str(tmp_path / "r.xlsx")],
        ["verifier-depot"],
        ["watch", str(tmp_path / "inbox"), "--outbox", str(tmp_path / "out"), "--once"],
    ):
        result = CliRunner().invoke(main, [*args, "--store", store])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit | None), (args, result.exception)
        what = "est un fichier" if not below else f"passe par {afile}, qui est un fichier"
        said = f"Erreur : Le dépôt {store} {what}"
        assert result.stderr.startswith(said + ", pas un dossier : indiquez un dossier"), (args, result.stderr)
        assert "nouvel essai" not in result.stderr
    assert afile.read_text() == "pas un dépôt"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "c.xlsx", "inbox"]  # nothing created


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc")
def test_a_store_folder_that_cannot_be_created(tmp_path: Path) -> None:
    cahier = make_cahier(tmp_path / "c.xlsx", seed=1)
    (tmp_path / "inbox").mkdir()
    for args in (
        ["ingest", str(cahier), "--coop", "0001"],
        ["watch", str(tmp_path / "inbox"), "--outbox", str(tmp_path / "out"), "--once"],
    ):
        result = CliRunner().invoke(main, [*args, "--store", "/proc/nope"])
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr.startswith("Erreur : Le dossier du dépôt /proc/nope ne peut pas être créé dans /proc : "
                                        "ce dossier n'accepte pas de nouveau dossier"), result.stderr  # fmt: skip
        assert "introuvable" not in result.stderr and "nouvel essai" not in result.stderr


def test_a_reader_that_stops_early_is_not_a_store_fault(tmp_path: Path) -> None:
    """« cahier consolidate --format json | head »: the reader closes the pipe. That ends the command quietly (status
    1, like any interrupted output), never « Erreur : connexion impossible » about a store that is fine."""
    import subprocess
    import sys

    from workbook_tools.ingest import ingest

    store = Store(str(tmp_path / "store"))
    for i in range(1, 4):  # accepted cahiers; the pipe is closed before the first byte, so a few are enough
        ingest(make_cahier(tmp_path / f"c{i}.xlsx", seed=i), f"000{i}", store)
    command = [sys.executable, "-m", "workbook_tools", "consolidate", "--store", store.url, "--format", "json"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # the reader is gone before the first byte
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=60) == 1
    assert "connexion" not in err and "Traceback" not in err and "Erreur" not in err, err


def test_a_cut_output_is_never_a_success(monkeypatch: pytest.MonkeyPatch) -> None:
    """« … --format json | head -c 100 » on a national consolidation (16 MB): the reader leaves after 100 bytes.
    Python's buffered writer then returns a short count without an error, and the text layer ignores it — the
    command ended with status 0 on a cut JSON. ``echo_all`` writes the rest again and meets the broken pipe."""
    import io
    import os
    import threading

    from workbook_tools.cli._output import echo_all

    read_end, write_end = os.pipe()

    def reader() -> None:
        os.read(read_end, 100)
        os.close(read_end)

    thread = threading.Thread(target=reader)
    thread.start()
    stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(write_end, "w")), encoding="utf-8")
    monkeypatch.setattr("sys.stdout", stdout)
    try:
        with pytest.raises(BrokenPipeError):
            echo_all("x" * 2_000_000)
    finally:
        thread.join()
        monkeypatch.undo()
        with contextlib.suppress(BrokenPipeError):
            stdout.close()
