"""``cahier restore --coop ID --version V -o FILE --store URL``: give any version back."""

from __future__ import annotations

from pathlib import Path

import click

from workbook_tools.cli._store import coop_option, existing_store, store_errors, store_option


@click.command("restore")
@coop_option
@click.option(
    "--version",
    "ref",
    metavar="VERSION",
    required=True,
    help="Identifiant de version, son début, ou son n° dans l'historique (cahier history).",
)
@click.option(
    "-o",
    "--output",
    metavar="FICHIER",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Fichier à écrire.",
)
@click.option("--force", is_flag=True, help="Remplace le fichier s'il existe déjà.")
@store_option
def command(coop: str, ref: str, output: Path, force: bool, store_url: str) -> None:
    """Écrit le fichier d'origine d'une version (jamais par-dessus un fichier existant, sauf --force), après avoir
    vérifié ses octets contre leur empreinte : un original abîmé n'est jamais écrit.

    \b
    Exemples :
      cahier restore --store /srv/cahier/depot --coop 69011 --version 2 -o cahier-juin.xlsx
      cahier restore --coop 69011 --version 20251014T081502 -o cahier.xlsx --force
    """
    from workbook_tools.text import date_time, os_error

    with store_errors():
        store = existing_store(store_url, coop)
        version = store.version(coop, ref)
        try:
            path = store.restore(coop, version, output, force=force)
        except OSError as exc:
            if isinstance(exc, FileExistsError):
                raise
            raise click.ClickException(f"impossible d'écrire {output} : {os_error(exc)}.") from None
    click.echo(
        f"Version {version.version} ({version.filename}, reçue le {date_time(version.received_at)}) écrite dans {path}."
    )
