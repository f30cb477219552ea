"""Shared bits of the commands: the --store/--coop/--max-size options and the translation of store errors."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def store_option(func: F) -> F:
    return click.option(
        "--store",
        "store_url",
        default=lambda: os.environ.get("CAHIER_STORE", "./store"),
        show_default="./store ou $CAHIER_STORE",
        help="Dépôt des versions : dossier, file://, webdav://hôte:port/chemin, webdavs://, https://…",
    )(func)


def coop_option(func: F) -> F:
    return click.option("--coop", required=True, help="Numéro de la coopérative.")(func)


def max_size_option(func: F) -> F:
    return click.option(
        "--max-size",
        type=click.FloatRange(min=0, min_open=True),
        help="Taille maximale d'un fichier reçu, en Mo (défaut : environ 20 pour check, 50 pour ingest).",
    )(func)


def megabytes(size: float | None) -> int | None:
    """--max-size (Mo) in bytes, None when not given."""
    return None if size is None else int(size * 1_000_000)


@contextlib.contextmanager
def store_errors() -> Iterator[None]:
    """Library errors become one French line on stderr and exit status 1, never a traceback."""
    from workbook_tools.store import StoreError

    try:
        yield
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    except FileExistsError as exc:
        raise click.ClickException(str(exc.args[0] if exc.args else exc)) from None
    except OSError as exc:
        raise click.ClickException(f"{exc.filename or ''} : {exc.strerror or exc}".lstrip(" :")) from None
