"""The ``cahier`` command: one small module per command, each a thin layer over the library.

Everything it prints is French, click's own words included (« Utilisation : », « Erreur : Option manquante »,
« Affiche cette aide et s'arrête. »): click translates them through gettext, and :func:`speak_french` makes
them French with the catalog shipped in ``workbook_tools/locale`` whatever the user's locale — before the
commands below are built, since click translates some words (« fichier », « Affiche la version… ») then.

Each command imports only what it needs (issue 16): ``cahier --help``, ``history`` and ``restore`` never load the
data stack; ``check`` pays for pandas and pandera (≈ 0.5 s of imports, BENCHMARKS.md) once for all its files. The pattern, for whoever adds a
command (``cli/nouvel_exercice.py`` and the next ones):

* one module per command, ``cli/<name>.py``, exposing ``command`` (a click command), registered in
  :func:`_register` below;
* at its top, a command module imports only click, the standard library and the light helpers of ``cli/``
  (``_store``, ``_output``), because every module is imported for ``cahier --help``;
* every library module goes inside the command's function (``from workbook_tools.bilan import …``): pandas,
  pandera, numpy, pyarrow, openpyxl, xlsxwriter and python-calamine are imported only by the commands that use
  them, when they run.

``tests/test_imports.py`` runs each ``COMMANDE --help``, ``history`` and ``restore`` in a real process under
``python -X importtime`` and fails when one of them imports the data stack; measure a command yourself with
``python -X importtime -m workbook_tools COMMANDE … 2>&1 | sort -t'|' -k2 -n | tail``.

:func:`run` is the program (the ``cahier`` script and ``python -m workbook_tools``): it also keeps pandera from
importing hypothesis, which pandera loads for its data synthesis when it is installed (it is, with the test extra,
on a developer's machine; a user's install has none): cahier never synthesises data, and that import cost every
check ≈ 0.1 s. Tests that call :data:`main` in their own process (click's ``CliRunner``) do not go through it.
"""

from __future__ import annotations

import sys
from typing import Any

from workbook_tools.i18n import speak_french

speak_french()

import click  # noqa: E402  (after speak_french: click's words are looked up in French from here on)

from workbook_tools import __version__  # noqa: E402


class _FrenchGroup(click.Group):
    """Says a command's failure in French (« Erreur : … », status 1); usage mistakes keep click's help (status 2)."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.UsageError as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(f"Erreur : {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Interrompu.", err=True)
            sys.exit(1)


@click.group(
    cls=_FrenchGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    subcommand_metavar="COMMANDE [ARGUMENTS]...",
)
@click.version_option(__version__, prog_name="cahier", help="Affiche la version de cahier et s'arrête.")
def main() -> None:
    """Cahier de comptes des coopératives scolaires : contrôle, archivage, bilan.

    Chaque commande a son aide : cahier COMMANDE --help.

    \b
    Exemples :
      cahier check cahier-2025-2026.xlsx
      cahier demo
    """


def _register() -> None:
    from workbook_tools.cli import (
        bilan,
        check,
        consolidate,
        demo,
        history,
        ingest,
        nouvel_exercice,
        pointer,
        restore,
        template,
        verifier_depot,
        watch,
    )

    for module in (
        check, template, ingest, history, restore, watch, demo, bilan, consolidate, verifier_depot, pointer,
        nouvel_exercice,
    ):  # fmt: skip
        main.add_command(module.command)


_register()


def run() -> None:
    """The ``cahier`` program: :data:`main`, in a process where pandera does not import hypothesis (see above)."""
    sys.modules.setdefault("hypothesis", None)  # type: ignore[arg-type]  # None: « import hypothesis » fails
    main(prog_name="cahier")
