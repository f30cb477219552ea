"""The docs say what the code does: finding codes, commands and options, pictures."""

from __future__ import annotations

import importlib.util
import re
import struct
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from workbook_tools import guide
from workbook_tools.cli import main as cli_main
from workbook_tools.guide import CONSEILS, GRAVITE, codes_table
from workbook_tools.model import SEVERITY_VARIES, Code

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
GUIDES = [DOCS / "guide-mandataire.md", DOCS / "guide-tresorier.md", DOCS / "guide-pointage.md"]
ROW = re.compile(r"^\| `([A-Z_]+)` \| ([a-z]+(?: ou [a-z]+)?) \| (.+) \| (.+) \|$", re.MULTILINE)


def _docs_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cahier_docs_script", ROOT / "scripts" / "docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_code_has_advice() -> None:
    assert set(CONSEILS) == set(Code)
    for code, text in CONSEILS.items():
        assert text.strip() and text != code.titre, code


@pytest.mark.parametrize("path", [DOCS / "codes.md", DOCS / "guide-mandataire.md"], ids=lambda p: p.name)
def test_each_code_once_with_its_severity(path: Path) -> None:
    rows = ROW.findall(path.read_text(encoding="utf-8"))
    codes = [r[0] for r in rows]
    assert sorted(codes) == sorted(c.value for c in Code), "every Code exactly once"
    for value, gravite, titre, _ in rows:
        code = Code[value]
        assert gravite == guide.gravite(code), value
        assert gravite == GRAVITE[code.severity] or code in SEVERITY_VARIES, value
        assert titre == code.titre, value


def test_committed_docs_are_what_the_script_generates() -> None:
    docs = _docs_script()
    for path, text in docs.expected().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} : lancer scripts/docs.py codes"
    guide = (DOCS / "guide-mandataire.md").read_text(encoding="utf-8")
    assert codes_table() in guide


def test_docs_check_mode_reports_a_stale_file(tmp_path: Path) -> None:
    docs = _docs_script()
    stale = "# Guide\n<!-- codes:start -->\nvieux tableau\n<!-- codes:end -->\nfin\n"
    (tmp_path / "guide-mandataire.md").write_text(stale, encoding="utf-8")
    fresh = docs.expected(tmp_path)[tmp_path / "guide-mandataire.md"]
    assert "vieux tableau" not in fresh and codes_table() in fresh and fresh.endswith("<!-- codes:end -->\nfin\n")


def _cited_commands() -> list[tuple[str, str, str]]:
    """(file, subcommand, option) for every `cahier SUB … --opt` written in README and docs."""
    found = []
    for path in [ROOT / "README.md", *GUIDES]:
        for line in path.read_text(encoding="utf-8").splitlines():
            for m in re.finditer(r"\bcahier ([a-z]+)\b([^`|]*)", line):
                if m.group(1) not in cli_main.commands:
                    continue
                for opt in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", m.group(2)):
                    found.append((path.name, m.group(1), opt))
    return found


def test_cited_options_exist() -> None:
    cited = _cited_commands()
    assert len(cited) > 20
    for where, sub, opt in cited:
        command = cli_main.commands[sub]
        options = {o for p in command.params for o in (*p.opts, *p.secondary_opts)} | {"-h", "--help"}
        assert opt in options, f"{where} : cahier {sub} {opt} n'existe pas"


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_pictures_shown_exist_and_fit_a_readme() -> None:
    shown = set()
    for path in [ROOT / "README.md", *GUIDES]:
        for target in re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", path.read_text(encoding="utf-8")):
            picture = (path.parent / target).resolve()
            assert picture.is_file(), f"{path.name} : {target}"
            shown.add(picture)
    committed = set((DOCS / "img").glob("*.png"))
    assert committed and committed <= shown, "every picture is shown somewhere"
    for picture in committed:
        width, _ = _png_size(picture)
        assert width <= 1200, picture.name
        assert picture.stat().st_size < 400_000, picture.name


@pytest.mark.libreoffice
@pytest.mark.slow
def test_pictures_script_renders_every_picture(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "pictures"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    made = {p.name for p in tmp_path.glob("*.png")}
    assert made == {p.name for p in (DOCS / "img").glob("*.png")}
    for p in tmp_path.glob("*.png"):
        width, height = _png_size(p)
        assert 150 <= width <= 1200 and height >= 150, (p.name, width, height)
