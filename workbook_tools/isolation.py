"""Checking a file in a worker process with a memory and a time limit, so that no input can stop the service.

Whatever happens inside the worker — python-calamine aborting the process, memory running out, a check that
never ends — the caller gets a :class:`~workbook_tools.validate.CheckResult` back: the real one, or one whose
only finding says in French that the file could not be checked, and why. Workers are forked from a
« forkserver » that has already imported the checks (a fresh, single-threaded process: forking the watcher
itself, which runs observer threads, would not be safe), so each file costs a fork, not an import — nor
pandera's first-validation setup, done once in the server (``worker_preload``).

The memory limit is on the worker's address space (``RLIMIT_AS``), counted from what the forked worker
already maps: it bounds what checking one file may add, whatever the file.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import resource
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from workbook_tools.model import Code, Finding

T = TypeVar("T")

if TYPE_CHECKING:
    from collections.abc import Callable

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
        # the checks imported and run once on a few lines in memory (worker_preload): each worker starts warm
        ctx.set_forkserver_preload(["workbook_tools.validate", "workbook_tools.worker_preload"])
        _CONTEXT = ctx
    return _CONTEXT


def warm_up() -> None:
    """Start the worker server now (it imports the checks once), not when the first file comes."""
    worker = _context().Process(target=_nothing, name="cahier-warm-up", daemon=True)
    worker.start()
    worker.join(timeout=60)


def _nothing() -> None:
    return None


class WorkerDied(RuntimeError):
    """The worker ran out of time (``why`` « time ») or memory, or died (``why`` « memory »)."""

    def __init__(self, why: str, exitcode: int | None) -> None:
        super().__init__(f"worker stopped ({why}, exit {exitcode})")
        self.why, self.exitcode = why, exitcode


def call_isolated(fn: Callable[[], T], *, limits: Limits, name: str = "cahier-work") -> T:
    """``fn()`` in a worker process under ``limits``: its result, or the exception it raised (as a RuntimeError
    naming it), or :class:`WorkerDied`. ``fn`` must pickle: a module-level function, or a ``functools.partial`` of
    one with picklable arguments."""
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    worker = ctx.Process(target=_work, args=(send, fn, limits), name=name, daemon=True)
    worker.start()
    send.close()
    answer: tuple[bool, object] | None = None
    why = ""
    try:
        if receive.poll(limits.seconds):
            try:
                answer = receive.recv()
            except (EOFError, OSError):  # the worker died before answering (abort, out of memory, killed)
                why = "memory"
        else:
            why = "time"
    finally:
        receive.close()
        if worker.is_alive():
            worker.kill()
        worker.join(timeout=10)
    if answer is None:
        raise WorkerDied(why or "memory", worker.exitcode)
    ok, value = answer
    if not ok:
        assert isinstance(value, BaseException)
        raise value  # an ordinary exception in the work: the caller's error trap reports it
    return value  # type: ignore[return-value]


def check_isolated(path: Path, *, expected_coop: str | None, max_bytes: int, limits: Limits) -> CheckResult:
    """:func:`~workbook_tools.validate.check_file` in a worker process under ``limits``."""
    from workbook_tools.validate import CheckResult, check_file

    work = functools.partial(check_file, Path(path), expected_coop=expected_coop, max_bytes=max_bytes)
    try:
        return call_isolated(work, limits=limits, name="cahier-check")
    except WorkerDied as died:
        return CheckResult(path, [_too_big(died.why, died.exitcode, limits)])


def _work(send: Connection, fn: Callable[[], object], limits: Limits) -> None:
    _limit_memory(limits.memory_mb)
    with contextlib.suppress(ValueError, OSError):
        cpu = int(limits.seconds) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    try:
        answer: tuple[bool, object] = (True, fn())
    except MemoryError:
        os._exit(3)  # nothing useful can be sent: the parent reads a death for lack of memory
    except Exception as exc:  # sent back and raised in the parent, like an in-process call
        answer = (False, RuntimeError(f"{type(exc).__name__}: {exc}"))
    try:
        send.send(answer)
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
