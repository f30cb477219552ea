"""``cahier nouvel-exercice --coop ID [-o FILE]`` and ``cahier nouvel-exercice --all --inbox INBOX [--roster CSV]``:
next year's cahier prepared from this year's accepted one (issue 12)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from workbook_tools.cli._store import existing_store, store_errors, store_option

if TYPE_CHECKING:
    from workbook_tools.exercice import Exercice


@click.command("nouvel-exercice")
@click.option("--coop", metavar="NUMÉRO", help="Numéro de la coopérative (une seule).")
@click.option(
    "--all",
    "every",
    is_flag=True,
    help="Toutes les coopératives du dépôt (et de --roster) : un cahier dans le dossier de chacune, dans --inbox.",
)
@click.option(
    "--inbox",
    metavar="DOSSIER",
    type=click.Path(file_okay=False, path_type=Path),
    help="Avec --all : le dossier des coopératives (celui que surveille « cahier watch »).",
)
@click.option(
    "--roster",
    metavar="LISTE.csv",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Avec --all : la liste des coopératives attendues (colonnes coop;nom) ; celles sans version acceptée "
    "reçoivent un cahier vierge à leur numéro et à leur nom.",
)
@click.option(
    "-o",
    "--output",
    metavar="FICHIER",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Avec --coop : le cahier à écrire (défaut : cahier-AAAA-AAAA.xlsx dans le dossier courant).",
)
@click.option(
    "--exercice",
    metavar="AAAA-AAAA",
    help="Avec --all : l'exercice à préparer pour tout le département (défaut : celui qui suit l'exercice que la "
    "plupart des coopératives ont pour dernier accepté).",
)
@click.option("--force", is_flag=True, help="Avec --coop : remplace un cahier déjà là (sinon il est gardé tel quel).")
@store_option
def command(
    coop: str | None,
    every: bool,
    inbox: Path | None,
    roster: Path | None,
    output: Path | None,
    exercice: str | None,
    force: bool,
    store_url: str,
) -> None:
    """Prépare le cahier de l'exercice suivant à partir de la version acceptée de cette année.

    Paramètres remplis (coopérative, exercice suivant, report à nouveau banque et caisse = soldes au 31 août),
    chèques et remises pas encore passés en banque au 31 août dans la feuille « En attente », inventaire repris.
    Un fichier déjà là n'est jamais remplacé sans --force ; avec --all, jamais : le cahier qu'un enseignant a
    peut-être commencé reste le sien.

    Avec --all, un seul exercice pour tout le département (--exercice, ou celui qui suit l'exercice que la plupart
    des coopératives ont pour dernier accepté) ; chaque coopérative reçoit le cahier tiré de SA version acceptée de
    l'exercice d'avant, ou un cahier vierge si elle n'en a pas.

    Statut de sortie : 0 écrit (ou, avec --all, rien à écrire), 1 erreur.

    \b
    Exemples :
      cahier nouvel-exercice --store /srv/cahier/depot --coop 69001
      cahier nouvel-exercice --store /srv/cahier/depot --all --inbox /srv/cahier/cooperatives --roster coops.csv
      cahier nouvel-exercice --store /srv/cahier/depot --all --inbox /srv/cahier/cooperatives --exercice 2026-2027
    """
    if every == (coop is not None):
        raise click.UsageError("Donnez soit --coop NUMÉRO, soit --all --inbox DOSSIER.")
    if every and inbox is None:
        raise click.UsageError("Avec --all, donnez --inbox DOSSIER (le dossier des coopératives).")
    if coop is not None and (inbox is not None or roster is not None):
        raise click.UsageError("--inbox et --roster vont avec --all, pas avec --coop.")
    if every and output is not None:
        raise click.UsageError("-o va avec --coop ; avec --all, chaque cahier va dans le dossier de sa coopérative.")
    if coop is not None and exercice is not None:
        raise click.UsageError("--exercice va avec --all ; avec --coop, l'exercice suit la dernière version acceptée.")
    if every and force:
        raise click.ClickException(
            "--force ne va pas avec --all : un cahier déjà dans le dossier d'une coopérative est peut-être commencé, "
            "il n'est jamais remplacé en masse. Pour en refaire un, utilisez --coop NUMÉRO -o FICHIER --force."
        )
    from workbook_tools.bilan import BilanError
    from workbook_tools.exercice import Exercice, ExerciceError
    from workbook_tools.nouvel_exercice import NouvelExerciceError

    try:
        chosen = Exercice.parse(exercice) if exercice is not None else None
    except ExerciceError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        with store_errors():
            if coop is not None:
                _one(store_url, coop, output, force)
            else:
                assert inbox is not None
                _all(store_url, inbox, roster, chosen)
    except (NouvelExerciceError, BilanError) as exc:
        raise click.ClickException(str(exc)) from None


def _one(store_url: str, coop: str, output: Path | None, force: bool) -> None:
    from workbook_tools.nouvel_exercice import prepare_one
    from workbook_tools.text import count, euros

    store = existing_store(store_url, coop)
    path, prepared = prepare_one(store, coop, output, force=force)
    before = prepared.handover
    assert before is not None
    click.echo(
        f"Cahier {prepared.exercice} écrit : {path} (d'après la version {before.version} de {before.exercice}) — "
        f"report banque {euros(prepared.report_banque)}, caisse {euros(prepared.report_caisse)}"
        + ("" if before.caisse_comptee else " (caisse du cahier : elle n'avait pas été comptée)")
        + f", {count(len(before.outstanding), 'opération en attente', none='aucune opération en attente')}, "
        f"{count(len(before.inventaire), 'bien', none='aucun bien')} à l'inventaire."
    )


def _all(store_url: str, inbox: Path, roster: Path | None, exercice: Exercice | None) -> None:
    from workbook_tools.nouvel_exercice import file_name, prepare_all
    from workbook_tools.store import Store
    from workbook_tools.text import count

    store = Store(store_url)
    bulk = prepare_all(store if store.exists() else None, inbox, roster, exercice=exercice)
    how = (
        "choisi par --exercice"
        if exercice is not None
        else f"celui qui suit {bulk.exercice.previous}, le dernier exercice accepté de la plupart des coopératives ; "
        "--exercice AAAA-AAAA pour en choisir un autre"
    )
    click.echo(
        f"Exercice préparé : {bulk.exercice} ({how}). Chaque cahier part de la version acceptée de "
        f"{bulk.exercice.previous} de sa coopérative, vierge sans elle."
    )
    name = file_name(bulk.exercice)
    blank = f" ({count(len(bulk.blank), 'vierge', 'vierges', none='aucun vierge')})" if bulk.written else ""
    click.echo(
        f"{name} : {count(len(bulk.written), 'cahier écrit', 'cahiers écrits', none='aucun cahier écrit')}{blank}, "
        f"{count(len(bulk.kept), 'déjà là, gardé tel quel', 'déjà là, gardés tels quels', none='aucun déjà là')}."
    )
