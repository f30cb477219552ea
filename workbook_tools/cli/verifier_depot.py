"""``cahier verifier-depot [--store URL] [--reparer]``: check every blob and metadata file of a store (fsck)."""

from __future__ import annotations

import click

from workbook_tools.cli._store import store_errors, store_option
from workbook_tools.i18n import FrenchFloatRange


@click.command("verifier-depot")
@store_option
@click.option(
    "--reparer", is_flag=True, help="Refait ce qui peut l'être ; les fichiers abîmés sont gardés en quarantaine."
)
@click.option(
    "--delai",
    metavar="MINUTES",
    type=FrenchFloatRange(min=0),
    default=60,
    show_default=True,
    help="Âge à partir duquel une écriture interrompue (version inachevée, fichier .tmp-…) est un reste à traiter.",
)
def command(store_url: str, reparer: bool, delai: float) -> None:
    """Vérifie le dépôt : chaque fichier reçu contre son empreinte, chaque fiche, rapport et journal, et les restes
    d'écritures interrompues (serveur arrêté en cours d'écriture) : avec --reparer, une version complète est
    publiée, une version incomplète supprimée (son fichier reçu gardé en quarantaine s'il n'est nulle part ailleurs).

    Sort avec le statut 1 quand un problème reste (sans --reparer) ou qu'un envoi est perdu.

    \b
    Exemple :
      cahier verifier-depot --store /srv/cahier/depot --reparer
    """
    from workbook_tools.fsck import verify
    from workbook_tools.store import Store, StoreError
    from workbook_tools.text import count

    with store_errors():
        store = Store(store_url)
        if not store.exists():
            raise StoreError(f"Aucun dépôt cahier à {store.display_url} (ni cahier-store.json, ni dossier coops).")
        result = verify(store, repair=reparer, grace=delai * 60)
    for p in result.problems:
        state = "réparé" if p.repaired else ("PERDU" if p.lost else "à réparer")
        click.echo(f"{state:10}  {p.path}  {p.what}")
    repaired = sum(p.repaired for p in result.problems)
    click.echo(
        f"Dépôt {store.display_url} : {count(result.coops, 'coopérative')}, {count(result.versions, 'envoi')}, "
        f"{count(result.blobs, 'fichier reçu vérifié', 'fichiers reçus vérifiés')} ; "
        f"{count(len(result.problems), 'problème')}, {count(repaired, 'réparé')}, {count(len(result.lost), 'perdu')}."
    )
    if not result.ok:
        if not reparer and not result.lost:
            click.echo("Relancez avec --reparer pour refaire ce qui peut l'être.", err=True)
        raise SystemExit(1)
