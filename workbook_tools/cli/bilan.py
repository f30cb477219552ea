"""``cahier bilan --store URL --coop ID [--exercice E] -o FILE.xlsx [--format json]``: the CRF of one cooperative."""

from __future__ import annotations

from pathlib import Path

import click

from workbook_tools.cli._output import emit_json
from workbook_tools.cli._store import coop_option, store_errors, store_option


@click.command("bilan")
@store_option
@coop_option
@click.option("--exercice", help="Exercice, par exemple 2025-2026 (par défaut : le dernier accepté).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Fichier à écrire.")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "json"]), default="xlsx", show_default=True)
def command(store_url: str, coop: str, exercice: str | None, output: Path | None, fmt: str) -> None:
    """Compte-rendu financier d'une coopérative, calculé à partir du dépôt (classeur ou JSON)."""
    from workbook_tools.bilan import crf_from_store
    from workbook_tools.crf import write_crf_workbook
    from workbook_tools.store import Store

    if fmt == "xlsx" and output is None:
        raise click.UsageError("indiquez le classeur à écrire avec -o FICHIER.xlsx (ou --format json).")
    with store_errors():
        crf = crf_from_store(Store(store_url), coop, exercice)
        if fmt == "json":
            emit_json(crf.to_dict(), output)
            return
        assert output is not None
        written = write_crf_workbook(crf, output)
    click.echo(f"Compte-rendu financier de la coopérative {crf.coop} ({crf.exercice}) : {written}", err=True)
