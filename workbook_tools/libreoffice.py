"""Run LibreOffice headless to convert a workbook, with every formula recomputed.

LibreOffice does not recalculate the formulas of an xlsx (or ods) file on load by
default: it shows the cached values, and openpyxl writes none. Each conversion
here runs with a private, throw-away user profile that says "always recalculate
on load" for OOXML and ODF, so the converted file holds LibreOffice's own results.
A private profile also lets several conversions run at once.

``recalculate=False`` runs with a fresh profile left at LibreOffice's DEFAULT settings (as a teacher's
LibreOffice is), which shows the cached values and computes only the formula cells that have none: the
tests use it to check that a workbook the tool wrote opens with the right figures everywhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

_CANDIDATES = (
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
)

# 0 = "always recalculate", 1 = "never", 2 = "prompt".
_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


class LibreOfficeError(RuntimeError):
    """LibreOffice is missing, timed out, or produced no output."""


def soffice_path() -> str | None:
    """The LibreOffice executable: ``$CAHIER_SOFFICE``, then ``soffice``/``libreoffice`` on PATH, then usual places."""
    env = os.environ.get("CAHIER_SOFFICE")
    if env and Path(env).is_file():
        return env
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in _CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return None


def _write_profile(root: Path) -> None:
    user = root / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_REGISTRY, encoding="utf-8")


def convert(src: Path, fmt: str, outdir: Path, timeout: float = 120, *, recalculate: bool = True) -> Path:
    """Convert ``src`` to ``fmt`` (``xlsx``, ``ods``, ``pdf``, or ``ext:Filter``) into ``outdir``; formulas recomputed.

    Returns the converted file, ``outdir/<stem>.<ext>``. The source is never overwritten:
    LibreOffice writes into a private temporary folder and the result is moved into place.
    """
    return convert_all([src], fmt, outdir, timeout, recalculate=recalculate)[0]


def convert_all(
    srcs: list[Path], fmt: str, outdir: Path, timeout: float = 120, *, recalculate: bool = True
) -> list[Path]:
    """Like :func:`convert`, for several files in one LibreOffice run (one start-up, seconds saved per file).

    The files must have distinct names (stems): each comes back as ``outdir/<stem>.<ext>``, in the order given.
    ``recalculate=False``: LibreOffice's default settings (cached values shown), not "always recalculate"."""
    srcs = [Path(src) for src in srcs]
    outdir = Path(outdir)
    for src in srcs:
        if not src.is_file():
            raise LibreOfficeError(f"fichier introuvable : {src}")
    if len({src.stem for src in srcs}) != len(srcs):
        raise LibreOfficeError("deux fichiers à convertir portent le même nom")
    exe = soffice_path()
    if exe is None:
        raise LibreOfficeError("LibreOffice (soffice) est introuvable sur cette machine.")
    ext = fmt.split(":", 1)[0].lower()
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cahier-lo-") as tmp:
        tmpdir = Path(tmp)
        profile = tmpdir / "profile"
        if recalculate:
            _write_profile(profile)
        else:
            profile.mkdir()
        work_out = tmpdir / "out"
        work_out.mkdir()
        cmd = [
            exe,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            fmt,
            "--outdir",
            str(work_out),
            *(str(src.resolve()) for src in srcs),
        ]
        env = dict(os.environ)
        env.setdefault("HOME", str(tmpdir))
        names = srcs[0].name if len(srcs) == 1 else f"{len(srcs)} fichiers"
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout * len(srcs), env=env, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise LibreOfficeError(f"LibreOffice n'a pas fini en {timeout * len(srcs):g} s : {names} → {fmt}") from exc
        targets = []
        for src in srcs:
            produced = work_out / f"{src.stem}.{ext}"
            if proc.returncode != 0 or not produced.is_file():
                output = (proc.stdout + proc.stderr).strip() or "(aucune sortie)"
                raise LibreOfficeError(
                    f"LibreOffice n'a pas converti {src.name} en {fmt} (code {proc.returncode}) : {output}"
                )
            target = outdir / produced.name
            shutil.move(str(produced), str(target))
            targets.append(target)
    return targets
