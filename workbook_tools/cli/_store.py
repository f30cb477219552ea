"""Shared bits of the commands: the --store/--coop/--max-size options, opening a store that must exist, and the
translation of store and system errors into one French line."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from workbook_tools.text import os_error

if TYPE_CHECKING:
    from workbook_tools.store import Store

F = TypeVar("F", bound=Callable[..., Any])


def store_option(func: F) -> F:
    return click.option(
        "--store",
        "store_url",
        metavar="DÉPÔT",
        default=lambda: os.environ.get("CAHIER_STORE", "./store"),
        show_default="./store ou $CAHIER_STORE",
        help="Dépôt des versions : dossier, file://, webdav://hôte:port/chemin, webdavs://, https://…",
    )(func)


def coop_option(func: F) -> F:
    return click.option("--coop", metavar="NUMÉRO", required=True, help="Numéro de la coopérative.")(func)


def exercice_option(func: F) -> F:
    return click.option(
        "--exercice",
        metavar="AAAA-AAAA",
        help="Exercice, par exemple 2025-2026 (par défaut : le plus récent qui a une version acceptée).",
    )(func)


def workbook_output_options(xlsx_help: str) -> Callable[[F], F]:
    """``-o FICHIER``, ``--force`` and ``--format xlsx|json``, shared by the commands that write a workbook or its JSON figures."""

    def decorate(func: F) -> F:
        func = click.option(
            "--format",
            "fmt",
            type=click.Choice(["xlsx", "json"]),
            help=f"xlsx : {xlsx_help} ; json : les mêmes chiffres, pour un programme (par défaut : json pour un "
            "-o FICHIER.json, xlsx sinon).",
        )(func)
        func = click.option("--force", is_flag=True, help="Remplace FICHIER s'il existe déjà.")(func)
        return click.option(
            "-o",
            "--output",
            metavar="FICHIER",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Classeur à écrire (.xlsx), ou fichier JSON avec --format json (sinon à l'écran) ; un fichier "
            "existant n'est remplacé qu'avec --force.",
        )(func)

    return decorate


def max_size_option(func: F) -> F:
    from workbook_tools.i18n import FrenchFloatRange

    return click.option(
        "--max-size",
        metavar="MO",
        type=FrenchFloatRange(min=0, min_open=True),
        help="Taille maximale d'un fichier reçu, en Mo (défaut : environ 20 pour check, 50 pour ingest).",
    )(func)


def megabytes(size: float | None) -> int | None:
    """--max-size (Mo) in bytes, None when not given."""
    return None if size is None else int(size * 1_000_000)


def existing_store(url: str, coop: str | None = None) -> Store:
    """The store at ``url`` for a command that reads it: one that was never written there (a mistyped path, a
    folder that is not a store) is an error, never an empty answer. ``coop``, when given, is checked first."""
    from workbook_tools.store import Store, check_coop

    if coop is not None:
        check_coop(coop)
    store = Store(url)
    if not store.exists():
        raise click.ClickException(
            f"Aucun dépôt à l'adresse {store.display_url} : vérifiez --store (ou $CAHIER_STORE). "
            "Un dépôt est le dossier que le service de surveillance ou « cahier ingest » remplit "
            "(il contient cahier-store.json)."
        )
    return store


@contextlib.contextmanager
def store_errors() -> Iterator[None]:
    """Library errors become one French line on stderr and exit status 1, never a traceback."""
    from workbook_tools.store import StoreError

    try:
        yield
    except StoreError as exc:
        raise click.ClickException(_for_a_command(str(exc))) from None
    except _server_faults() as exc:  # a server fault met outside the store's own mapping: the same French answer
        from workbook_tools.store.faults import store_fault

        mapped = store_fault(exc, "serveur du dépôt", "l'opération")
        if mapped is None:
            raise
        raise click.ClickException(_for_a_command(str(mapped))) from None
    except FileExistsError as exc:
        raise click.ClickException(str(exc.args[0] if exc.args else exc)) from None
    except BrokenPipeError:  # « cahier … | head »: our output's reader went away, not the store; click ends quietly
        raise
    except OSError as exc:
        where = f"{exc.filename} : " if exc.filename else ""
        raise click.ClickException(f"{where}{os_error(exc)}.") from None


def _for_a_command(message: str) -> str:
    """A store's message said to someone who typed a command: the store's errors speak for the watcher, which
    tries again by itself (« nouvel essai plus tard ») — a command does not, its user runs it again."""
    message = message.replace("Rien n'est perdu : nouvel essai plus tard.", "Rien n'a été modifié : relancez la "
                              "commande quand le dépôt répond.")  # fmt: skip
    return message.replace("nouvel essai plus tard", "relancez la commande plus tard")


def _server_faults() -> tuple[type[BaseException], ...]:
    """The exception classes of a storage server's faults that are not OSError (httpx, webdav4)."""
    from workbook_tools.store.faults import fault_errors

    return tuple(e for e in fault_errors() if not issubclass(e, OSError))
