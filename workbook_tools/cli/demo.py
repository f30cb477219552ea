"""``cahier demo [DIR]``: a small department, end to end, on local folders."""

from __future__ import annotations

import logging
import shutil
import sys
from pathlib import Path

import click

MARKER = ".cahier-demo"  # marks a folder this command made, so that running it again replaces it


@click.command("demo")
@click.argument(
    "folder", metavar="[DOSSIER]", required=False, default="demo", type=click.Path(file_okay=False, path_type=Path)
)
@click.option(
    "--force",
    is_flag=True,
    help="Écrit dans un dossier qui n'est pas vide (une démonstration précédente est, elle, toujours remplacée).",
)
def command(folder: Path, force: bool) -> None:
    """Construit un petit département dans DOSSIER (./demo) : douze coopératives, leurs cahiers (certains
    avec des erreurs typiques), traités par le service de surveillance, puis dit quoi ouvrir.

    \b
    Exemples :
      cahier demo
      cahier demo /tmp/departement
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.table import Table

    from workbook_tools.demo import build, department
    from workbook_tools.watcher.config import WatchConfig
    from workbook_tools.watcher.service import Watcher

    console = Console(stderr=False)
    if folder.exists() and any(folder.iterdir()):
        if (folder / MARKER).exists():  # a demonstration this command made: made again from scratch
            shutil.rmtree(folder)
            console.print(f"Démonstration précédente remplacée : {folder}")
        elif not force:
            raise click.ClickException(
                f"Le dossier {folder} n'est pas vide et n'est pas une démonstration : choisissez-en un autre, "
                "ou ajoutez --force pour y écrire quand même."
            )
    drops, roster = department()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console) as progress:
        task = progress.add_task("Cahiers des coopératives", total=len(drops))
        for drop in build(folder, drops, roster):
            progress.update(task, advance=1, description=f"Cahier {drop.folder}/{drop.name}")
    (folder / MARKER).write_text(
        "Dossier créé par « cahier demo » : il est remplacé à chaque démonstration.\n", encoding="utf-8"
    )
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr, force=True)
    config = WatchConfig.from_sources(
        None,
        inbox=folder / "inbox",
        store=str(folder / "store"),
        outbox=folder / "tresorier",
        roster=folder / "coops.csv",
        stability_delay=0.0,
    )
    with console.status("Le service de surveillance traite les dépôts…"):
        Watcher(config).run(once=True)
    table = Table(title="Ce que chaque coopérative a reçu en retour", show_lines=False)
    for col in ("Dossier", "Fichier", "Ce qu'il contenait", "Réponse du service"):
        table.add_column(col)
    from workbook_tools.ingest import status_path

    for drop in drops:
        status = status_path(folder / "inbox" / drop.folder, drop.name)
        table.add_row(
            drop.folder, drop.name, drop.story, _short(status.read_text(encoding="utf-8")) if status.exists() else "—"
        )
    console.print(table)
    console.print(
        "\nÀ ouvrir :\n"
        f"  • à côté de chaque cahier ({folder / 'inbox'}/<coop>/) : NOM.statut.txt, le rapport NOM.rapport.xlsx "
        "(copie annotée) et, s'il est accepté, son compte-rendu financier NOM.crf.xlsx\n"
        f"  • le classeur du trésorier : {folder / 'tresorier' / 'consolidation-2025-2026.xlsx'}\n"
        f"  • toutes les versions d'une coopérative : cahier history --store {folder / 'store'} --coop 69011"
    )


def _short(status: str) -> str:
    """« REFUSÉ — x.xlsx reçu le … : 1 erreur à corriger ; voir … » → « REFUSÉ : 1 erreur à corriger »."""
    word, _, rest = status.strip().partition(" — ")
    detail = rest.partition(" : ")[2].split(";")[0].strip().rstrip(".")
    if detail.startswith("cahier archivé"):
        tail = detail.rpartition("), ")[2] if "), " in detail else ""
        return f"{word}{' : ' + tail if tail else ''}"
    return f"{word} : {detail}" if detail else word
