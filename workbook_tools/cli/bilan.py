"""``cahier bilan --store URL --coop ID [--exercice E] -o FILE.xlsx [--format json]``: the CRF of one cooperative."""

from __future__ import annotations

from pathlib import Path

import click

from workbook_tools.cli._output import guard_output, output_format, write_figures
from workbook_tools.cli._store import (
    coop_option,
    exercice_option,
    existing_store,
    store_errors,
    store_option,
    workbook_output_options,
)


@click.command("bilan")
@store_option
@coop_option
@exercice_option
@workbook_output_options("le classeur à imprimer")
def command(store_url: str, coop: str, exercice: str | None, output: Path | None, force: bool, fmt: str | None) -> None:
    """Compte-rendu financier d'une coopérative, calculé à partir du dépôt (classeur ou JSON).

    \b
    Exemples :
      cahier bilan --store /srv/cahier/depot --coop 69001 -o crf-69001.xlsx
      cahier bilan --coop 69001 --exercice 2025-2026 --format json
    """
    from workbook_tools.bilan import crf_from_store
    from workbook_tools.crf import write_crf_workbook

    fmt = output_format(fmt, output)
    if fmt == "xlsx" and output is None:
        raise click.UsageError("indiquez le classeur à écrire avec -o FICHIER.xlsx (ou --format json).")
    with store_errors():
        store = existing_store(store_url, coop)
        crf = crf_from_store(store, coop, exercice)
        guard_output(output, force=force, store=store)  # after the inputs' own errors, before anything is written
        written = write_figures(fmt, output, crf.to_dict, lambda path: write_crf_workbook(crf, path))
        if written is None:
            return
    click.echo(f"Compte-rendu financier de la coopérative {crf.coop} ({crf.exercice}) : {written}", err=True)
