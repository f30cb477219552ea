"""``cahier consolidate --store URL [--exercice E] [--roster coops.csv] -o FILE.xlsx [--format json]``."""

from __future__ import annotations

from pathlib import Path

import click

from workbook_tools.cli._output import emit_json
from workbook_tools.cli._store import (
    exercice_option,
    existing_store,
    store_errors,
    store_option,
    workbook_output_options,
)


@click.command("consolidate")
@store_option
@exercice_option
@click.option(
    "--roster",
    metavar="LISTE.csv",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Liste CSV des coopératives attendues (colonnes coop et nom, séparées par « ; » ou « , »).",
)
@workbook_output_options("le classeur du trésorier")
def command(store_url: str, exercice: str | None, roster: Path | None, output: Path | None, fmt: str) -> None:
    """Classeur départemental : une ligne par coopérative, totaux par chapitre, alertes, manquantes.

    \b
    Exemples :
      cahier consolidate --store /srv/cahier/depot --roster coops.csv -o consolidation.xlsx
      cahier consolidate --exercice 2025-2026 --format json
    """
    from workbook_tools.consolidation import consolidate
    from workbook_tools.consolidation_workbook import write_consolidation_workbook
    from workbook_tools.store.standing import Status
    from workbook_tools.text import count

    if fmt == "xlsx" and output is None:
        raise click.UsageError("indiquez le classeur à écrire avec -o FICHIER.xlsx (ou --format json).")
    with store_errors():
        result = consolidate(existing_store(store_url), exercice, roster=roster)
        if fmt == "json":
            emit_json(result.to_dict(), output)
            return
        assert output is not None
        written = write_consolidation_workbook(result, output)
    counts = result.counts()
    click.echo(
        f"Consolidation {result.exercice} : {count(len(result.rows), 'coopérative')} "
        f"({count(counts[Status.ACCEPTED], 'acceptée')}, "
        f"{count(counts[Status.REFUSED_NEWER], 'avec une version plus récente refusée', 'avec une version plus récente refusée')}, "
        f"{count(counts[Status.REFUSED], 'refusée')}, {count(counts[Status.MISSING], 'manquante')}), "
        f"{count(len(result.alerts), 'alerte')}"
        + (f", comparée à {result.exercice_precedent}" if result.has_precedent else "")
        + f" : {written}",
        err=True,
    )
