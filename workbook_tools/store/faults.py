"""What a storage server's failure means: one table from the server's answer (HTTP status of a WebDAV server,
timeout, connection refused or cut, full disk) to one French reason and one decision.

The decisions:

* ``RETRY`` — nothing is wrong with the file: the server is away, refuses the account, lacks a folder, is full
  or has a file locked. :class:`~workbook_tools.store.errors.StoreUnavailable`: the watcher keeps the file pending
  and tries again with its back-off (the queue keeps its order, nothing is dropped, the teacher is never asked to
  save again); a command says why and exits with status 1.
* ``REFUSE`` — the server will never take this one submission as it is (413, a file too large for it):
  :class:`~workbook_tools.store.errors.StoreRefused`; the watcher answers the teacher and goes on.

Every server fault reaching the store's callers goes through :func:`store_fault`; none is raised raw.
"""

from __future__ import annotations

import errno
import sys
from dataclasses import dataclass
from typing import Any

from workbook_tools.store.errors import StoreError, StoreRefused, StoreUnavailable
from workbook_tools.text import os_error

RETRY, REFUSE = "retry", "refuse"


@dataclass(frozen=True)
class Fault:
    key: str  # an HTTP status ("403"), or "timeout", "refused", "reset", "full", "server", "other"
    reason: str  # French, what happened and what to do
    decision: str  # RETRY or REFUSE


FAULTS: dict[str, Fault] = {
    f.key: f
    for f in (
        Fault("401", "le serveur refuse l'identifiant ou le mot de passe (401) : vérifiez l'utilisateur et le mot de "
              "passe du dépôt ($CAHIER_STORE_USER et $CAHIER_STORE_PASSWORD, ou l'adresse)", RETRY),
        Fault("403", "le serveur interdit cette opération au compte du dépôt (403) : vérifiez ses droits d'écriture "
              "sur le dossier du dépôt (partage en lecture seule, droits du dossier, quota)", RETRY),
        Fault("404", "le serveur ne trouve pas un dossier du dépôt (404) : a-t-il été déplacé ou supprimé ?", RETRY),
        Fault("405", "le serveur n'accepte pas cette opération (405) : l'adresse est-elle celle d'un partage WebDAV "
              "où l'on peut écrire ?", RETRY),
        Fault("409", "le serveur signale qu'un dossier attendu manque (409) : le dossier du dépôt a-t-il été déplacé "
              "ou supprimé ?", RETRY),
        Fault("412", "le serveur a refusé une écriture conditionnelle (412)", RETRY),
        Fault("413", "le serveur refuse un fichier de cette taille (413) : sa limite d'envoi est à relever par "
              "l'administrateur du serveur", REFUSE),
        Fault("423", "un fichier ou dossier du dépôt est verrouillé par un autre programme (423)", RETRY),
        Fault("507", "le serveur n'a plus de place (507) : libérez de l'espace ou augmentez le quota", RETRY),
        Fault("full", "le disque du dépôt est plein", RETRY),
        Fault("timeout", "le serveur ne répond pas dans le délai", RETRY),
        Fault("refused", "connexion refusée : le serveur est arrêté, ou l'adresse ou le port sont faux", RETRY),
        Fault("reset", "la connexion au serveur a été coupée", RETRY),
        Fault("server", "le serveur a rencontré une erreur interne", RETRY),
        Fault("other", "réponse inattendue du serveur", RETRY),
    )
}  # fmt: skip


class ServerAnswer(Exception):
    """A WebDAV request answered with a status the store did not expect (raised by the backend)."""

    def __init__(self, status: int, method: str, path: str) -> None:
        super().__init__(f"{method} {path}: {status}")
        self.status, self.method, self.path = status, method, path


def classify(exc: BaseException) -> Fault | None:
    """The fault this exception stands for; None when it is not a storage fault (a bug: let it through)."""
    status = _status(exc)
    if status is not None:
        if str(status) in FAULTS:
            return FAULTS[str(status)]
        return FAULTS["server"] if status >= 500 else FAULTS["other"]
    name = type(exc).__name__
    httpx = _loaded("httpx")  # an httpx exception exists only once a WebDAV backend has imported httpx
    if httpx is not None:
        if isinstance(exc, httpx.TimeoutException):
            return FAULTS["timeout"]
        if isinstance(exc, httpx.ConnectError):
            return FAULTS["refused"]
        if isinstance(exc, (httpx.NetworkError, httpx.RemoteProtocolError)):
            return FAULTS["reset"]
        if isinstance(exc, httpx.HTTPError):
            return FAULTS["other"]
    if isinstance(exc, TimeoutError):
        return FAULTS["timeout"]
    if isinstance(exc, ConnectionRefusedError):
        return FAULTS["refused"]
    if isinstance(exc, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)):
        return FAULTS["reset"]
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return FAULTS["full"]
        return Fault("os", os_error(exc), RETRY)
    if name in {"ClientError", "MultiStatusError", "IsAResourceError", "IsACollectionError", "ResourceAlreadyExists"}:
        return FAULTS["other"]
    return None


def _status(exc: BaseException) -> int | None:
    """The HTTP status behind a backend or webdav4 exception."""
    if isinstance(exc, ServerAnswer):
        return exc.status
    code = getattr(exc, "status_code", None)
    if isinstance(code, int):
        return code
    answered = getattr(getattr(exc, "response", None), "status_code", None)
    if isinstance(answered, int):
        return answered
    return {
        "ForbiddenOperation": 403,
        "ResourceNotFound": 404,
        "ResourceConflict": 409,
        "ResourceLocked": 423,
        "InsufficientStorage": 507,
        "BadGatewayError": 502,
    }.get(type(exc).__name__)


def store_fault(exc: BaseException, where: str, what: str) -> StoreError | None:
    """The store's French error for a server fault met during ``what`` on the store at ``where``; None when
    ``exc`` is not a storage fault."""
    fault = classify(exc)
    if fault is None:
        return None
    reason = fault.reason
    if fault.key in {"server", "other"}:
        status = _status(exc)
        reason += f" ({status})" if status is not None else f" ({type(exc).__name__})"
    network = fault.key in {"timeout", "refused", "reset"}
    head = "Dépôt injoignable" if network else ("Dépôt plein" if fault.key in {"full", "507"} else "Dépôt")
    if fault.decision == REFUSE:
        return StoreRefused(f"{head} ({where}) : {what} refusée — {reason}.")
    return StoreUnavailable(f"{head} ({where}) pendant : {what} — {reason}. Rien n'est perdu : nouvel essai plus tard.")


def fault_errors() -> tuple[type[BaseException], ...]:
    """The exception classes a storage backend may raise for a server fault (what :func:`store_fault` maps)."""
    errors: list[type[BaseException]] = [OSError, TimeoutError, ServerAnswer]
    httpx, client = _loaded("httpx"), _loaded("webdav4.client")
    if httpx is not None:
        errors.append(httpx.HTTPError)
    if client is not None:
        errors.append(client.ClientError)
    return tuple(errors)


def _loaded(module: str) -> Any:
    """``module`` if something imported it already, else None: httpx and webdav4 (≈ 0.1 s to import, with rich and
    pygments that httpx's own command line brings) are imported by the WebDAV backend only, so a store on a local
    folder never loads them, and none of their exceptions can reach the store. The backend is made before the
    store asks (``Store.__init__``)."""
    return sys.modules.get(module)
