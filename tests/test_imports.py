"""Light commands stay light (issue 16): ``cahier --help``, every command's ``--help``, ``history`` and ``restore``
never import pandas, pandera nor the rest of the data stack; ``check`` imports them only when it has a cahier to
check, once for all the files of the call. Measured as the issue asks: ``python -X importtime`` on a real
``cahier`` process, whose list of imported modules is read back here.

The rule the test keeps (``workbook_tools/cli/__init__.py`` says it for whoever adds a command): a command module
imports click and light helpers at its top, and the library modules it needs inside its function.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from store_helpers import make_cahier, report

from workbook_tools.cli import main
from workbook_tools.store import Store

# What no light command may import: the data stack (a third of a second before the first byte is read).
HEAVY = ("pandas", "pandera", "numpy", "pyarrow", "openpyxl", "xlsxwriter", "python_calamine", "hypothesis")
_LINE = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)\s*$", re.MULTILINE)


def run_importtime(*args: str, module: bool = True) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``python -X importtime -m workbook_tools ARGS`` (or ``-c ARGS[0]``): the process and the top-level
    packages it imported (a package is loaded before any of its modules, so its own line is there; importtime also
    prints an import that failed, such as pandera's try of ``hypothesis.strategies`` where hypothesis is hidden)."""
    command = ["-m", "workbook_tools", *args] if module else ["-c", *args]
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *command], capture_output=True, text=True, timeout=120, check=False
    )
    return proc, {name for name in _LINE.findall(proc.stderr) if "." not in name}


# What a light command may not import for a store on a local folder either: the WebDAV side (httpx, which brings
# rich and pygments through its own command line, webdav4, fsspec: ≈ 0.1 s), needed only for a WebDAV URL.
WEBDAV = ("httpx", "webdav4", "fsspec", "rich", "pygments")


def heavy(packages: set[str]) -> list[str]:
    return sorted(packages.intersection(HEAVY))


def webdav_side(packages: set[str]) -> list[str]:
    return sorted(packages.intersection(WEBDAV))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A real local store holding one version of cooperative 69001 (written in this process, read by the others)."""
    root = tmp_path_factory.mktemp("imports") / "store"
    version = Store(str(root)).submit("69001", "cahier-2025-2026.xlsx", b"PK\x03\x04 bytes of the cahier", report())
    return str(root), version.version


def test_the_probe_sees_a_heavy_import() -> None:
    """The probe can fail: a process that imports pandas is caught."""
    proc, packages = run_importtime("import json, pandas", module=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "pandas" in heavy(packages) and "numpy" in heavy(packages)
    assert "json" in packages


def test_the_probe_sees_the_webdav_side(tmp_path: Path) -> None:
    """The probe can fail: a store on a WebDAV URL does import httpx and webdav4 (nothing is asked of the server:
    the backend is only made)."""
    proc, packages = run_importtime(
        "from workbook_tools.store import Store; Store('webdav://127.0.0.1:9/depot')", module=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert {"httpx", "webdav4"} <= set(webdav_side(packages))


@pytest.mark.parametrize("command", [None, *sorted(main.commands)])
def test_help_is_light(command: str | None) -> None:
    args = ["--help"] if command is None else [command, "--help"]
    proc, packages = run_importtime(*args)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Utilisation" in proc.stdout
    assert heavy(packages) == [], f"cahier {' '.join(args)} imports {heavy(packages)}"


def test_history_is_light(store: tuple[str, str]) -> None:
    root, version = store
    proc, packages = run_importtime("history", "--store", root, "--coop", "69001")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert version in proc.stdout and "accepté" in proc.stdout
    assert heavy(packages) == [], f"cahier history imports {heavy(packages)}"
    assert webdav_side(packages) == [], f"cahier history on a local store imports {webdav_side(packages)}"


def test_restore_is_light(store: tuple[str, str], tmp_path: Path) -> None:
    root, version = store
    out = tmp_path / "rendu.xlsx"
    proc, packages = run_importtime("restore", "--store", root, "--coop", "69001", "--version", "1", "-o", str(out))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert out.read_bytes() == b"PK\x03\x04 bytes of the cahier" and version in proc.stdout
    assert heavy(packages) == [], f"cahier restore imports {heavy(packages)}"
    assert webdav_side(packages) == [], f"cahier restore on a local store imports {webdav_side(packages)}"


def test_check_imports_the_data_stack_once_for_all_its_files(tmp_path: Path) -> None:
    """``check`` needs pandas and pandera: imported when there is a file to check, in the one process that checks
    every file of the call."""
    files = [make_cahier(tmp_path / f"cahier-{seed}.xlsx", seed=seed) for seed in (1, 2)]
    proc, packages = run_importtime("check", *map(str, files))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert all(f"{f.name} : aucune erreur" in proc.stdout for f in files), proc.stdout
    assert {"pandas", "pandera"} <= packages
    assert "hypothesis" not in packages  # pandera's data synthesis, never used by cahier: see cli/__init__.py
