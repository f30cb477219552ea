"""Helpers for the store and watcher tests: stores on a local folder and three real WebDAV servers, small cahiers,
snapshots."""

from __future__ import annotations

import functools
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import webdav_server
from webdav_server import WebdavServer

from workbook_tools.fill import Book, write_cahier
from workbook_tools.model import Code, Finding, Report, Totals
from workbook_tools.sample import sample_book

SERVERS = ("wsgidav", "apache", "rclone")


def _server(kind: str, folder: Path) -> Iterator[Any]:
    """A real server of this kind serving ``folder``, started; stopped (and its state removed) afterwards."""
    if not webdav_server.available(kind):
        pytest.fail(f"{kind} n'est pas installé : lancez scripts/setup --test (apt-get install apache2 rclone)")
    server = webdav_server.server_class(kind)(folder)
    server.start()
    try:
        yield server
    finally:
        getattr(server, "cleanup", server.stop)()


@pytest.fixture(scope="module")
def webdav(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebdavServer]:
    yield from _server("wsgidav", tmp_path_factory.mktemp("dav"))


@pytest.fixture(scope="module")
def apache() -> Iterator[webdav_server.ApacheServer]:
    # served from a folder of its own under the system's temporary folder: Apache runs as www-data (as root), which
    # cannot go through pytest's private basetemp (mode 700, set again by pytest as it runs)
    folder = Path(tempfile.mkdtemp(prefix="cahier-apache-root-"))
    folder.chmod(0o755)
    try:
        yield from _server("apache", folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def rclone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdav_server.RcloneServer]:
    yield from _server("rclone", tmp_path_factory.mktemp("rclone"))


def server_fixture(request: pytest.FixtureRequest, kind: str) -> Any:
    return request.getfixturevalue("webdav" if kind == "wsgidav" else kind)


@pytest.fixture(params=["local", *SERVERS])
def store_place(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    """(store URL, the folder on disk that holds it) — on a local folder and on three real WebDAV servers:
    wsgidav, Apache httpd with mod_dav, rclone serve webdav (Basic auth for the last two)."""
    if request.param == "local":
        root = tmp_path / "store"
        return str(root), root
    server = server_fixture(request, request.param)
    name = f"s{abs(hash(request.node.nodeid)) % 10**10}"
    root = server.prepare(server.folder / name)
    return f"{server.url}{name}", root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under a store folder, with its bytes."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def report(ok: bool = True, exercice: str = "2025-2026", errors: int = 0, warnings: int = 0) -> Report:
    """A check report as the store receives it: ``errors`` errors and ``warnings`` warnings."""
    assert ok == (errors == 0)
    findings = [Finding(Code.AMOUNT_MISSING, "Journal", 4 + i, "H", "Pas de montant.") for i in range(errors)]
    findings += [Finding(Code.PIECE_MISSING, "Journal", 4 + i, "B", "Pas de pièce.") for i in range(warnings)]
    return Report("cahier.xlsx", "0001", exercice, findings, Totals(charges=1000, produits=2500))


@functools.lru_cache(maxsize=512)
def _filled(book_pickle: bytes) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        return write_cahier(pickle.loads(book_pickle), Path(tmp) / "cahier.xlsx").read_bytes()


def filled_bytes(book: Book) -> bytes:
    """The template filled with ``book`` by ``workbook_tools.fill.write_cahier``, built once per distinct book
    in a test run (openpyxl takes about half a second a workbook): equal books give the same bytes."""
    return _filled(pickle.dumps(book, protocol=pickle.HIGHEST_PROTOCOL))


@functools.cache
def cahier_bytes(*, coop: str = "0001", exercice: str = "2025-2026", seed: int = 1, spoil: bool = False) -> bytes:
    """A small real cahier (the template filled by ``workbook_tools.fill``); ``spoil`` removes a date."""
    book = sample_book(coop=coop, exercice=exercice, lines=40, seed=seed)
    if spoil:
        book.lines[2].date = None
    return filled_bytes(book)


def make_cahier(path: Path, **kwargs: Any) -> Path:
    path.write_bytes(cahier_bytes(**kwargs))
    return path


def wait_for(predicate: Callable[[], object], timeout: float = 30.0) -> None:
    """Poll ``predicate`` until it is true; fail the test after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"toujours faux après {timeout} s : {predicate}")
