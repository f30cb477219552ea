"""``cahier watch INBOX --store URL --outbox DIR [--once] [--polling] [--config FILE] [--verbose]``"""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path

import click


@click.command("watch")
@click.argument("inbox", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--store", "store", help="Dépôt des versions (dossier, webdav://…, https://…). Défaut : ./store")
@click.option("--outbox", type=click.Path(file_okay=False, path_type=Path), help="Dossier du trésorier départemental.")
@click.option("--once", is_flag=True, help="Traite ce qui est déjà là puis s'arrête (sans surveiller).")
@click.option(
    "--roster",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Liste CSV des coopératives attendues (coop,nom), pour la consolidation.",
)
@click.option("--polling", is_flag=True, default=None, help="Scrute les dossiers (partages réseau) au lieu d'écouter.")
@click.option("--delay", "stability_delay", type=float, help="Secondes sans changement avant de lire un fichier (2).")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-v", "--verbose", is_flag=True, help="Journal détaillé (fichiers ignorés, tracebacks).")
def command(
    inbox: Path | None,
    store: str | None,
    outbox: Path | None,
    once: bool,
    roster: Path | None,
    polling: bool | None,
    stability_delay: float | None,
    config_file: Path | None,
    verbose: bool,
) -> None:
    """Surveille INBOX (un dossier par coopérative, nommé par son numéro) : chaque cahier enregistré est
    contrôlé, archivé dans le dépôt, et reçoit à côté de lui un statut et un rapport.

    Statut de sortie : 0 ; avec --once, 1 s'il reste des fichiers en attente (dépôt injoignable).
    """
    from workbook_tools.watcher.service import WatchConfig, Watcher

    try:
        config = WatchConfig.from_sources(
            config_file,
            inbox=inbox,
            store=store,
            outbox=outbox,
            roster=roster,
            polling=polling,
            stability_delay=stability_delay,
        )
    except (ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    if not config.inbox.is_dir():
        raise click.ClickException(f"Le dossier surveillé {config.inbox} n'existe pas.")
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        stream=sys.stderr,
        force=True,
    )
    if not verbose:
        for noisy in ("watchdog", "httpx", "httpcore", "fsspec"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    from workbook_tools.store import StoreError

    try:
        watcher = Watcher(config)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None

    def on_signal(signum: int, _frame: object) -> None:
        logging.getLogger("cahier.watch").info("signal %s reçu : arrêt propre", signal.Signals(signum).name)
        watcher.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    raise SystemExit(watcher.run(once=once))
