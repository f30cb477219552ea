"""Every word `cahier` prints is French: click's own messages (through the gettext catalog shipped in
workbook_tools/locale), every command's help (each option explained, an « Exemple : »), and the usual mistakes
— a missing option, an unknown command (« chek »), a missing file, a bad store path — in process (CliRunner)
and in a real process started with an English locale."""

from __future__ import annotations

import gettext
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from workbook_tools.cli import main
from workbook_tools.i18n import DOMAIN, MO, PO, compile_catalog

# English that click (or Python) would say: none of it may reach a user.
ENGLISH = [
    r"\bUsage:",
    r"\bError:",
    r"\bTry '",
    r"for help",
    r"Show this message",
    r"Show the version",
    r"\[required\]",
    r"\[default: ",
    r"\bdefault:",
    r"^Options:",
    r"^Commands:",
    r"^Arguments:",
    r"\bNo such\b",
    r"Did you mean",
    r"\bMissing\b",
    r"\bInvalid\b",
    r"does not exist",
    r"is not one of",
    r"is not a valid",
    r"is not in the range",
    r"\bGot unexpected\b",
    r"\brequires an argument\b",
    r"\bAborted\b",
    r"Traceback",
    r"No such file or directory",
    r"Permission denied",
    r"Connection refused",
    r"\[Errno",
    r"\b(TEXT|FILE|DIRECTORY|PATH|FLOAT|INTEGER|COMMAND|ARGS|FOLDER|INBOX)\b",  # click's default metavars
]
ENGLISH_RE = re.compile("|".join(ENGLISH), re.MULTILINE)

COMMANDS = sorted(main.commands)


def english(text: str) -> list[str]:
    return [m.group(0) for m in ENGLISH_RE.finditer(text)]


# --------------------------------------------------------------------------- the catalog of click's messages


def _click_msgids() -> set[str | tuple[str, str]]:
    """Every message the installed click passes to gettext, read from its source by Babel's extractor."""
    from babel.messages.extract import extract_from_dir

    found: set[str | tuple[str, str]] = set()
    for _, _, message, _, _ in extract_from_dir(
        str(Path(click.__file__).parent), method_map=[("**.py", "python")], keywords={"_": None, "ngettext": (1, 2)}
    ):
        found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found | {"required"}  # core.Option.get_help_record: _(extra["required"]), built from a variable


def test_every_click_message_has_its_french() -> None:
    from babel.messages.pofile import read_po

    with PO.open("rb") as handle:
        catalog = read_po(handle)
    translated = {
        (m.id if isinstance(m.id, str) else tuple(m.id)): m.string
        for m in catalog
        if m.id and (all(m.string) if isinstance(m.string, tuple | list) else m.string)
    }
    missing = _click_msgids() - set(translated)
    assert not missing, f"click messages without French in {PO.name}: {sorted(map(str, missing))}"


def test_the_committed_catalog_is_the_compiled_po() -> None:
    """scripts/locale was run after the last edit of the .po (compared message by message, whatever Babel)."""

    def messages(data: bytes) -> dict[object, str]:
        return {k: v for k, v in gettext.GNUTranslations(io.BytesIO(data))._catalog.items() if k != ""}  # type: ignore[attr-defined]

    assert messages(MO.read_bytes()) == messages(compile_catalog())


def test_click_speaks_french_in_this_process() -> None:
    assert gettext.dgettext(DOMAIN, "Usage:") == "Utilisation :"
    assert gettext.dngettext(DOMAIN, "Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", 1) == (
        "Vouliez-vous dire {possibility} ?"
    )


# --------------------------------------------------------------------------- help


@pytest.mark.parametrize("name", ["", *COMMANDS])
def test_help_is_french_with_an_example(name: str) -> None:
    args = [name, "--help"] if name else ["--help"]
    result = CliRunner().invoke(main, args, prog_name="cahier")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Utilisation : cahier {name}".rstrip())
    assert "Options :" in result.output and "Affiche cette aide et s'arrête." in result.output
    assert "Exemple" in result.output  # « Exemple : » or « Exemples : »
    assert english(result.output) == [], result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_is_explained(name: str) -> None:
    command = main.commands[name]
    bare = [p.name for p in command.params if isinstance(p, click.Option) and not p.help]
    assert bare == [], f"cahier {name}: options without help {bare}"


# --------------------------------------------------------------------------- the usual mistakes

MISTAKES = [
    (["chek", "x.xlsx"], 2, "Commande inconnue : 'chek'. Vouliez-vous dire 'check' ?"),
    (["restore"], 2, "Option manquante : '--coop'."),
    (["restore", "--coop", "0001", "-o", "x.xlsx"], 2, "Option manquante : '--version'."),
    (["history"], 2, "Option manquante : '--coop'."),
    (["bilan", "-o", "x.xlsx"], 2, "Option manquante : '--coop'."),
    (["check"], 2, "Argument manquant : 'CAHIER...'."),
    (["ingest", "--coop", "0001"], 2, "Argument manquant : 'CAHIER'."),
    (["check", "--formt", "json", "x.xlsx"], 2, "Option inconnue : '--formt'. Vouliez-vous dire '--format' ?"),
    (["check", "--format", "xml", "x.xlsx"], 2, "Valeur incorrecte pour '--format' : 'xml' n'est pas possible"),
    (["check", "--max-size", "-1", "x.xlsx"], 2, "Valeur incorrecte pour '--max-size' : -1 n'est pas supérieur à 0."),
    (["watch", "--delay", "deux"], 2, "Valeur incorrecte pour '--delay' : 'deux' n'est pas un nombre valable."),
    (["check", "absent.xlsx"], 1, "Le fichier ne peut pas être ouvert : fichier introuvable."),
    (["ingest", "absent.xlsx", "--coop", "0001"], 2, "Fichier 'absent.xlsx' introuvable."),
    (["template", "--chart", "absent.toml"], 2, "Fichier 'absent.toml' introuvable."),
    (["watch", "--config", "absent.toml"], 2, "Fichier 'absent.toml' introuvable."),
    (["watch", "absent-inbox"], 1, "Erreur : Le dossier surveillé absent-inbox n'existe pas."),
    (["consolidate", "--roster", "absent.csv", "--store", "depot", "-o", "c.xlsx"], 1, "fichier introuvable"),
    (["history", "--coop", "0001", "--store", "pas-de-depot"], 1, "Erreur : Aucun dépôt à l'adresse "),
    (["restore", "--coop", "0001", "--version", "1", "-o", "x.xlsx", "--store", "pas-de-depot"], 1, "Aucun dépôt"),
    (["bilan", "--coop", "0001", "-o", "x.xlsx", "--store", "pas-de-depot"], 1, "Erreur : Aucun dépôt à l'adresse "),
    (["consolidate", "-o", "x.xlsx", "--store", "pas-de-depot"], 1, "Erreur : Aucun dépôt à l'adresse "),
    (["verifier-depot", "--store", "pas-de-depot"], 1, "Aucun dépôt cahier à "),
]


@pytest.fixture
def depot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding a real store (one cahier of coop 0002), as ``depot``."""
    from store_helpers import make_cahier

    monkeypatch.chdir(tmp_path)
    cahier = make_cahier(tmp_path / "c.xlsx", coop="0002", seed=1)
    assert CliRunner().invoke(main, ["ingest", str(cahier), "--coop", "0002", "--store", "depot"]).exit_code == 0
    return tmp_path


@pytest.mark.parametrize(("args", "status", "said"), MISTAKES, ids=[" ".join(a) for a, _, _ in MISTAKES])
def test_usual_mistakes_in_french(depot: Path, args: list[str], status: int, said: str) -> None:
    result = CliRunner().invoke(main, args, prog_name="cahier")
    assert result.exit_code == status, result.output
    assert said in result.output, result.output
    assert english(result.output) == [], result.output
    if status == 2:  # a usage mistake: the usage line and where to find help, in French
        assert "Utilisation : cahier" in result.output and "Pour de l'aide : « cahier" in result.output
    assert not (depot / "x.xlsx").exists() and not (depot / "c.xlsx.rapport.txt").exists()


@pytest.mark.slow
def test_real_process_with_an_english_locale_speaks_french(depot: Path) -> None:
    """The catalog is found from an installed cahier, and the user's locale does not matter."""
    env = {**os.environ, "LANG": "en_US.UTF-8", "LC_ALL": "en_US.UTF-8", "LANGUAGE": "en_US:en"}
    runs = [["--help"], *([name, "--help"] for name in COMMANDS), *(args for args, _, _ in MISTAKES[:12])]
    runs.append(["history", "--coop", "0001", "--store", "pas-de-depot"])
    for args in runs:
        proc = subprocess.run(
            [sys.executable, "-m", "workbook_tools", *args], capture_output=True, text=True, env=env, timeout=60
        )
        said = proc.stdout + proc.stderr
        assert proc.returncode in (0, 1, 2), said
        assert said.strip() and english(said) == [], (args, said)
        if proc.returncode == 2:
            assert said.startswith("Utilisation : cahier"), said


def test_the_word_list_knows_clicks_english() -> None:
    said = "Usage: cahier [OPTIONS] COMMAND [ARGS]...\nTry 'cahier --help' for help.\n\nError: Missing option '--coop'."
    assert english(said) == ["Usage:", "COMMAND", "ARGS", "Try '", "for help", "Error:", "Missing"]
    assert english("Options:\n  --store TEXT  [default: ./store]") == ["Options:", "TEXT", "[default: "]
