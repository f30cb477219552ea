"""The ``cahier`` command: one small module per command, each a thin layer over the library."""

from __future__ import annotations

import sys
from typing import Any

import click

from workbook_tools import __version__


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


@click.group(cls=_FrenchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cahier")
def main() -> None:
    """Cahier de comptes des coopératives scolaires : contrôle, archivage, bilan."""


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
