"""``cahier restore --coop ID --version V -o FILE --store URL``: give any version back."""

from __future__ import annotations

from pathlib import Path

import click

from workbook_tools.cli._store import coop_option, store_errors, store_option


@click.command("restore")
@coop_option
@click.option("--version", "ref", required=True, help="Identifiant de version, son début, ou son n° dans l'historique.")
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Fichier à écrire."
)
@click.option("--force", is_flag=True, help="Remplace le fichier s'il existe déjà.")
@store_option
def command(coop: str, ref: str, output: Path, force: bool, store_url: str) -> None:
    """Écrit le fichier d'origine d'une version (jamais par-dessus un fichier existant, sauf --force)."""
    from workbook_tools.store import Store

    with store_errors():
        store = Store(store_url)
        version = store.version(coop, ref)
        path = store.restore(coop, version, output, force=force)
    click.echo(
        f"Version {version.version} ({version.filename}, reçue le {version.received_at[:10]}) écrite dans {path}."
    )
