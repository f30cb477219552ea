"""Shared fixtures: cahiers are made from the real template by :mod:`workbook_tools.fill`."""

from __future__ import annotations

import copy
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from workbook_tools.fill import Book, Line, write_cahier
from workbook_tools.sample import sample_book

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
        return write_cahier(book, tmp_path / (name or f"cahier{next(counter)}.xlsx"))

    return _write


def august(day: int = 20) -> dt.date:
    return dt.date(2026, 8, day)


__all__ = ["Line", "august"]
