"""``cahier ingest FILE --coop ID --store URL``: check one cahier and record it in the store."""

from __future__ import annotations

from pathlib import Path

import click

from workbook_tools.cli._store import coop_option, max_size_option, megabytes, store_errors, store_option


@click.command("ingest")
@click.argument("file", metavar="CAHIER", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@coop_option
@store_option
@click.option(
    "--outputs",
    metavar="DOSSIER",
    type=click.Path(file_okay=False, path_type=Path),
    help="Écrit aussi dans ce dossier le statut et les rapports (comme le fait le service de surveillance).",
)
@max_size_option
def command(file: Path, coop: str, store_url: str, outputs: Path | None, max_size: float | None) -> None:
    """Contrôle un cahier au nom de la coopérative --coop et l'archive dans le dépôt (accepté ou refusé).

    Statut de sortie : 0 accepté (ou déjà reçu et accepté, ou cahier préparé encore vide : « prêt à remplir »),
    1 refusé ou erreur.

    \b
    Exemple :
      cahier ingest --store /srv/cahier/depot --coop 69001 cahier-2025-2026.xlsx
    """
    from workbook_tools.ingest import ingest, output_stem
    from workbook_tools.store import Store

    with store_errors():
        if outputs is not None:
            outputs.mkdir(parents=True, exist_ok=True)
        outcome = ingest(file, coop, Store(store_url), outputs=outputs, max_bytes=megabytes(max_size))
    if outputs is None:
        where = "voir le rapport ci-dessous"
    else:
        where = f"voir le rapport {output_stem(file.name)}.rapport.txt dans {outputs}"
    click.echo(outcome.message(report=where))
    if outcome.result is not None and outcome.result.findings:
        from workbook_tools.report import to_text

        click.echo(to_text(outcome.result).split("\n", 1)[1], nl=False)
    if not outcome.accepted and not outcome.ready:  # « prêt à remplir » is not a refusal (issue 12)
        raise SystemExit(1)
