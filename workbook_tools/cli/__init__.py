"""The ``cahier`` command: one small module per command, each a thin layer over the library."""

from __future__ import annotations

import click

from workbook_tools import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cahier")
def main() -> None:
    """Cahier de comptes des coopératives scolaires : contrôle, archivage, bilan."""


def _register() -> None:
    from workbook_tools.cli import bilan, check, consolidate, demo, history, ingest, restore, template, watch

    for module in (check, template, ingest, history, restore, watch, demo, bilan, consolidate):
        main.add_command(module.command)


_register()
