"""``cahier consolidate --store URL [--exercice E] [--roster coops.csv] -o FILE.xlsx [--format json]``."""

from __future__ import annotations

from pathlib import Path

import click

from workbook_tools.cli._output import emit_json
from workbook_tools.cli._store import store_errors, store_option


@click.command("consolidate")
@store_option
@click.option("--exercice", help="Exercice, par exemple 2025-2026 (par défaut : le dernier accepté).")
@click.option(
    "--roster",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Liste CSV des coopératives attendues (colonnes coop et nom, séparées par « ; » ou « , »).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Fichier à écrire.")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "json"]), default="xlsx", show_default=True)
def command(store_url: str, exercice: str | None, roster: Path | None, output: Path | None, fmt: str) -> None:
    """Classeur départemental : une ligne par coopérative, totaux par chapitre, alertes, manquantes."""
    from workbook_tools.consolidation import consolidate
    from workbook_tools.consolidation_workbook import write_consolidation_workbook
    from workbook_tools.store import Store
    from workbook_tools.store.standing import Status

    if fmt == "xlsx" and output is None:
        raise click.UsageError("indiquez le classeur à écrire avec -o FICHIER.xlsx (ou --format json).")
    with store_errors():
        result = consolidate(Store(store_url), exercice, roster=roster)
        if fmt == "json":
            emit_json(result.to_dict(), output)
            return
        assert output is not None
        written = write_consolidation_workbook(result, output)
    counts = result.counts()
    click.echo(
        f"Consolidation {result.exercice} : {len(result.rows)} coopératives ({counts[Status.ACCEPTED]} acceptées, "
        f"{counts[Status.REFUSED_NEWER]} avec une version plus récente refusée, {counts[Status.REFUSED]} refusées, "
        f"{counts[Status.MISSING]} manquantes), {len(result.alerts)} alertes : {written}",
        err=True,
    )
