"""``cahier watch INBOX --store URL --outbox DIR [--once] [--polling] [--config FILE] [-v] [--debug]``"""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path

import click

from workbook_tools.i18n import FrenchFloatRange

# What the treasurer reads: the date the French way, the level in French when it is not a plain INFO line.
LEVELS = {logging.DEBUG: "détail", logging.WARNING: "ATTENTION", logging.ERROR: "ERREUR", logging.CRITICAL: "ERREUR"}
NOISY = ("watchdog", "httpx", "httpcore", "fsspec", "webdav4", "urllib3", "asyncio")


class FrenchFormatter(logging.Formatter):
    """``28/11/2026 07:21:28 accepté 69001/cahier.xlsx : …``; ``… ATTENTION nouvel essai …`` for a warning."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(message)s", datefmt="%d/%m/%Y %H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        level = LEVELS.get(record.levelno)
        if level is None:
            return text
        stamp = self.formatTime(record, self.datefmt)
        return f"{stamp} {level} {text[len(stamp) + 1 :]}"


def configure_logging(verbose: bool, debug: bool) -> None:
    """INFO: one line per cahier answered. ``-v``: the watcher's decisions too. ``--debug``: everything, the raw
    file-system events of watchdog and the HTTP requests of a WebDAV store included."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(FrenchFormatter())
    logging.basicConfig(level=logging.DEBUG if debug else logging.INFO, handlers=[handler], force=True)
    logging.getLogger("cahier").setLevel(logging.DEBUG if verbose or debug else logging.INFO)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.DEBUG if debug else logging.WARNING)


@click.command("watch")
@click.argument("inbox", metavar="[DOSSIER]", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--store",
    "store",
    metavar="DÉPÔT",
    help="Dépôt des versions (dossier, webdav://…, https://…). Défaut : ./store",
)
@click.option(
    "--outbox",
    metavar="DOSSIER",
    type=click.Path(file_okay=False, path_type=Path),
    help="Dossier du trésorier départemental : classeur consolidé et état du dépôt.",
)
@click.option("--once", is_flag=True, help="Traite ce qui est déjà là puis s'arrête (sans surveiller).")
@click.option(
    "--roster",
    metavar="LISTE.csv",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Liste CSV des coopératives attendues (coop,nom), pour la consolidation.",
)
@click.option("--polling", is_flag=True, default=None, help="Scrute les dossiers (partages réseau) au lieu d'écouter.")
@click.option(
    "--delay",
    "stability_delay",
    metavar="SECONDES",
    type=FrenchFloatRange(min=0),
    help="Secondes sans changement avant de lire un fichier (2).",
)
@click.option(
    "--config",
    "config_file",
    metavar="FICHIER.toml",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Fichier de configuration (TOML, voir watcher/config.example.toml) ; les options données ici l'emportent.",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Journal détaillé : les décisions du service (fichier vu, ignoré et pourquoi, pas encore lisible…).",
)
@click.option(
    "--debug",
    is_flag=True,
    help="Journal technique complet, pour le support : événements bruts du système de fichiers, requêtes WebDAV.",
)
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
    debug: bool,
) -> None:
    """Surveille DOSSIER (un sous-dossier par coopérative, nommé par son numéro) : chaque cahier enregistré est
    contrôlé, archivé dans le dépôt, et reçoit à côté de lui un statut et un rapport.

    Le journal dit une ligne par cahier traité (réponse, dossier et fichier, secondes depuis l'enregistrement).

    Statut de sortie : 0 ; avec --once, 1 s'il reste des fichiers en attente (dépôt injoignable).

    \b
    Exemples :
      cahier watch /srv/cahier/inbox --store /srv/cahier/depot --outbox /srv/cahier/tresorier
      cahier watch --config /etc/cahier/cahier-watch.toml
      cahier watch inbox --once -v
    """
    from workbook_tools.text import os_error
    from workbook_tools.watcher.config import WatchConfig
    from workbook_tools.watcher.service import Watcher

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
    except OSError as exc:
        raise click.ClickException(f"configuration illisible ({config_file}) : {os_error(exc)}") from None
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if not config.inbox.is_dir():
        raise click.ClickException(f"Le dossier surveillé {config.inbox} n'existe pas.")
    configure_logging(verbose, debug)
    from workbook_tools.store import StoreError
    from workbook_tools.watcher.service import InboxLocked

    try:
        watcher = Watcher(config)
        watcher.store.create_folder()  # a local store that can never work is a configuration error: said now
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None

    def on_signal(signum: int, _frame: object) -> None:
        logging.getLogger("cahier.watch").info("signal %s reçu : arrêt propre", signal.Signals(signum).name)
        watcher.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        status = watcher.run(once=once)
    except InboxLocked as exc:
        raise click.ClickException(str(exc)) from None
    raise SystemExit(status)
