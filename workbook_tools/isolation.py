"""Checking a file in a worker process with a memory and a time limit, so that no input can stop the service.

Whatever happens inside the worker — python-calamine aborting the process, memory running out, a check that
never ends — the caller gets a :class:`~workbook_tools.validate.CheckResult` back: the real one, or one whose
only finding says in French that the file could not be checked, and why. Workers are forked from a
« forkserver » that has already imported the checks (a fresh, single-threaded process: forking the watcher
itself, which runs observer threads, would not be safe), so each file costs a fork, not an import.

The memory limit is on the worker's address space (``RLIMIT_AS``), counted from what the forked worker
already maps: it bounds what checking one file may add, whatever the file.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

from workbook_tools.model import Code, Finding

if TYPE_CHECKING:
    from workbook_tools.validate import CheckResult


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 1024  # what checking one file may add to the worker's address space
    seconds: float = 120.0


_CONTEXT: multiprocessing.context.ForkServerContext | None = None


def _context() -> multiprocessing.context.ForkServerContext:
    global _CONTEXT
    if _CONTEXT is None:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["workbook_tools.validate"])
        _CONTEXT = ctx
    return _CONTEXT


def warm_up() -> None:
    """Start the worker server now (it imports the checks once), not when the first file comes."""
    worker = _context().Process(target=_nothing, name="cahier-warm-up", daemon=True)
    worker.start()
    worker.join(timeout=60)


def _nothing() -> None:
    return None


def check_isolated(path: Path, *, expected_coop: str | None, max_bytes: int, limits: Limits) -> CheckResult:
    """:func:`~workbook_tools.validate.check_file` in a worker process under ``limits``."""
    from workbook_tools.validate import CheckResult

    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    worker = ctx.Process(
        target=_work, args=(send, str(path), expected_coop, max_bytes, limits), name="cahier-check", daemon=True
    )
    worker.start()
    send.close()
    result: CheckResult | None = None
    why = ""
    try:
        if receive.poll(limits.seconds):
            try:
                result = receive.recv()
            except (EOFError, OSError):  # the worker died before answering (abort, out of memory, killed)
                why = "memory"
        else:
            why = "time"
    finally:
        receive.close()
        if worker.is_alive():
            worker.kill()
        worker.join(timeout=10)
    if isinstance(result, CheckResult):
        return result
    if isinstance(result, BaseException):
        raise result  # an ordinary exception in the check: the caller's error trap reports it
    return CheckResult(path, [_too_big(why or "memory", worker.exitcode, limits)])


def _work(send: Connection, path: str, expected_coop: str | None, max_bytes: int, limits: Limits) -> None:
    _limit_memory(limits.memory_mb)
    with contextlib.suppress(ValueError, OSError):
        cpu = int(limits.seconds) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    from workbook_tools.validate import check_file

    try:
        outcome: object = check_file(Path(path), expected_coop=expected_coop, max_bytes=max_bytes)
    except MemoryError:
        os._exit(3)  # nothing useful can be sent: the parent reads a death for lack of memory
    except Exception as exc:  # sent back and raised in the parent, like an in-process check
        outcome = RuntimeError(f"{type(exc).__name__}: {exc}")
    try:
        send.send(outcome)
    except MemoryError:
        os._exit(3)
    send.close()


def _limit_memory(extra_mb: int) -> None:
    """Cap the address space at what the worker maps now plus ``extra_mb``."""
    try:
        with open("/proc/self/statm") as handle:
            mapped = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        mapped = 0
    cap = mapped + extra_mb * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _too_big(why: str, exitcode: int | None, limits: Limits) -> Finding:
    if why == "time":
        detail = f"son contrôle a duré plus de {limits.seconds:.0f} secondes"
    else:
        detail = f"son contrôle demandait plus de {limits.memory_mb} Mo de mémoire (arrêt {exitcode})"
    message = (
        f"Le classeur n'a pas pu être contrôlé : {detail}. Un cahier se contrôle en une seconde : il contient "
        "sans doute des cellules remplies très loin (tout en bas ou tout à droite d'une feuille), des images ou "
        "des objets lourds. Repartez du modèle, ou supprimez ces lignes et colonnes, puis enregistrez à nouveau."
    )
    return Finding(Code.FILE_UNREADABLE, None, None, None, message)
