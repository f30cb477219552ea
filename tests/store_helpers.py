"""Helpers for the store and watcher tests: stores on two backends, small cahiers, snapshots."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from webdav_server import WebdavServer

from workbook_tools import layout


@pytest.fixture(scope="module")
def webdav(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebdavServer]:
    server = WebdavServer(tmp_path_factory.mktemp("dav"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["local", "webdav"])
def store_place(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    """(store URL, the folder on disk that holds it) — on a local folder and on a real WebDAV server."""
    if request.param == "local":
        root = tmp_path / "store"
        return str(root), root
    server: WebdavServer = request.getfixturevalue("webdav")
    name = f"s{abs(hash(request.node.nodeid)) % 10**10}"
    root = server.folder / name
    root.mkdir()
    return f"webdav://127.0.0.1:{server.port}/{name}", root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under a store folder, with its bytes."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def report(ok: bool = True, exercice: str = "2025-2026", errors: int = 0, warnings: int = 0) -> dict[str, Any]:
    return {
        "file": "cahier.xlsx",
        "ok": ok,
        "coop": "0001",
        "exercice": exercice,
        "errors": errors,
        "warnings": warnings,
        "findings": [],
        "totals": {"charges": 1000, "produits": 2500},
    }


Line = dict[str, Any]


def make_cahier(
    path: Path,
    *,
    coop: str = "0001",
    exercice: str = "2025-2026",
    lines: Sequence[Line] | None = None,
    report_banque: float = 100.0,
    report_caisse: float = 20.0,
) -> Path:
    """A small cahier the reader accepts: Paramètres and Journal as template version 1 lays them out.

    Prefers the colleagues' ``builders.make_cahier`` when it exists.
    """
    try:
        import builders  # type: ignore[import-not-found]
    except ImportError:
        builders = None
    if lines is None:
        lines = [
            {"piece": "R01", "mode": "VIR", "date": dt.date(2025, 9, 15), "libelle": "Cotisations",
             "banque_recette": 150.0, "chapitre": "7560"},
            {"piece": "D01", "mode": "CB", "date": dt.date(2025, 10, 2), "libelle": "Livres",
             "banque_depense": 42.5, "chapitre": "6180"},
        ]  # fmt: skip
    params = {
        "coop_numero": coop,
        "coop_nom": "École des tests",
        "exercice": exercice,
        "report_banque": report_banque,
        "report_caisse": report_caisse,
    }
    if builders is not None and hasattr(builders, "make_cahier"):
        try:
            return Path(builders.make_cahier(path, lines=list(lines), params=params) or path)
        except TypeError:
            pass
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = layout.SHEET_PARAMS
    for param in layout.PARAMS:
        ws.cell(param.row, 1, param.label)
        if param.name in params:
            ws.cell(param.row, 2, params[param.name])
    journal = wb.create_sheet(layout.SHEET_JOURNAL)
    keys = [k for k, _ in layout.JOURNAL_COLUMNS]
    from workbook_tools.chart import default_chart

    headers = [h for _, h in layout.JOURNAL_COLUMNS] + [c.header for c in default_chart().chapitres]
    for col, header in enumerate([*headers, layout.REMAINDER_HEADER], start=1):
        journal.cell(layout.JOURNAL_HEADER_ROW, col, header)
    for r, line in enumerate(lines, start=layout.JOURNAL_FIRST_ROW):
        for key, value in line.items():
            if key in keys:
                journal.cell(r, keys.index(key) + 1, value)
    wb.save(path)
    return path
