"""The ``cahier`` command: one small module per command, each a thin layer over the library.

Everything it prints is French, click's own words included (« Utilisation : », « Erreur : Option manquante »,
« Affiche cette aide et s'arrête. »): click translates them through gettext, and :func:`speak_french` makes
them French with the catalog shipped in ``workbook_tools/locale`` whatever the user's locale — before the
commands below are built, since click translates some words (« fichier », « Affiche la version… ») then.
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
        restore,
        template,
        verifier_depot,
        watch,
    )

    for module in (check, template, ingest, history, restore, watch, demo, bilan, consolidate, verifier_depot):
        main.add_command(module.command)


_register()
