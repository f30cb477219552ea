"""Shared fixtures: cahiers are made from the real template by :mod:`workbook_tools.fill`."""

from __future__ import annotations

import copy
import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from store_helpers import filled_bytes

from workbook_tools.fill import Book, Line, write_cahier
from workbook_tools.sample import sample_book
from workbook_tools.validate import CheckResult, check_file

_BASE = sample_book(lines=60, seed=3)
_FAULT_LINES = pytest.StashKey[list[str]]()


@pytest.fixture
def fault_summary(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Records a line of the fault-injection figures: shown at once on stderr and again in the
    terminal summary, so that CI logs show them whatever the capture options."""

    def say(line: str) -> None:
        request.config.stash.setdefault(_FAULT_LINES, []).append(line)
        sys.stderr.write(line + "\n")

    return say


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    lines = config.stash.get(_FAULT_LINES, [])
    if lines:
        terminalreporter.section("fault injection")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture
def book() -> Book:
    """A small clean book (about 50 lines) to spoil, one mistake at a time."""
    return copy.deepcopy(_BASE)


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(10_000))

    def _write(book: Book, name: str | None = None) -> Path:
        """``write_cahier(book, …)`` in this test's folder; the bytes are made once per distinct book."""
        path = tmp_path / (name or f"cahier{next(counter)}.xlsx")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(filled_bytes(book))
        return path

    return _write


# --------------------------------------------------------------------------- halves (scripts/test --fast)
# scripts/test --fast runs two pytest processes at once, one a core, with CAHIER_SHARD=1/2 and 2/2: each keeps
# whole test modules (a module's fixtures are made once), shared out by the durations that every run records
# in pytest's cache (a test never timed counts for one second).

_SHARD = os.environ.get("CAHIER_SHARD", "")
_TIMES: dict[str, dict[str, float]] = {}  # module → {test id: seconds} in this run


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def _times_key(module: str) -> str:
    return "cahier/durations/" + module.removesuffix(".py").replace("/", ".")


@pytest.hookimpl(trylast=True)  # after -m and -k have deselected
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _SHARD:
        return
    index, count = (int(n) for n in _SHARD.split("/"))
    cache = getattr(config, "cache", None)
    known: dict[str, dict[str, float]] = {}
    weights: dict[str, float] = {}
    for item in items:
        module = _module(item.nodeid)
        if module not in known:
            known[module] = cache.get(_times_key(module), {}) if cache else {}
        weights[module] = weights.get(module, 0.0) + known[module].get(item.nodeid, 1.0)
    loads = [0.0] * count
    mine = set()
    for module in sorted(weights, key=lambda m: (-weights[m], m)):
        shard = loads.index(min(loads))
        loads[shard] += weights[module]
        if shard == index - 1:
            mine.add(module)
    keep = [item for item in items if _module(item.nodeid) in mine]
    if len(keep) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if _module(item.nodeid) not in mine])
        items[:] = keep


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    times = _TIMES.setdefault(_module(report.nodeid), {})
    times[report.nodeid] = times.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    cache = getattr(session.config, "cache", None)
    if cache is None:
        return
    for module, times in _TIMES.items():
        known = cache.get(_times_key(module), {})
        cache.set(_times_key(module), known | {test: round(seconds, 2) for test, seconds in times.items()})


def august(day: int = 20) -> dt.date:
    return dt.date(2026, 8, day)


__all__ = ["Line", "august"]


@pytest.fixture
def check(tmp_path: Path) -> Callable[[Book], CheckResult]:  # the tests of real books (book_helpers)
    """Write a Book through the template (write_cahier) and check the file as a teacher's save would be."""
    counter = iter(range(1000))

    def _check(book: Book) -> CheckResult:
        return check_file(write_cahier(book, tmp_path / f"cahier{next(counter)}.xlsx"))

    return _check
