"""A few bytes that would make python-calamine build a grid of billions of cells are refused before it does,
whatever the XML's form (issue 13: a far « x » at ZZ199999, written first, in lower case, or in cells without
an ``r`` attribute)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from store_helpers import cahier_bytes

from workbook_tools.intake import sheet_extent

FAR = '<c r="ZZ199999" t="inlineStr"><is><t>x</t></is></c>'
VARIANTS = {
    "far cell at the end": ("end", f'<row r="199999">{FAR}</row>'),
    "far row written first": ("start", f'<row r="199999">{FAR}</row>'),
    "lower-case reference": ("end", f'<row r="199999">{FAR.replace("ZZ199999", "zz199999")}</row>'),
    "cells without r": ("end", '<row r="199999">' + '<c t="inlineStr"><is><t>x</t></is></c>' * 702 + "</row>"),
    "rows without r": ("end", "<row><c/></row>" * 5 + '<row r="150000"><c r="AB150000"/></row>'),
}


def _poisoned(where: str, xml: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(cahier_bytes()))
    workbook = source.read("xl/workbook.xml").decode()
    rels = source.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(r'<sheet [^>]*name="Journal"[^>]*r:id="([^"]+)"', workbook)
    assert rid is not None
    target = re.search(rf'Id="{rid.group(1)}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels)
    assert target is not None
    member = "xl/" + (target.group(1) or target.group(2)).lstrip("/").removeprefix("xl/")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == member:
                text = data.decode()
                text = (
                    text.replace("<sheetData>", "<sheetData>" + xml, 1)
                    if where == "start"
                    else text.replace("</sheetData>", xml + "</sheetData>", 1)
                )
                data = text.encode()
            zf.writestr(info, data)
    return out.getvalue()


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_a_far_cell_is_refused_before_any_grid_is_built(variant: str, tmp_path: Path) -> None:
    path = tmp_path / "cahier.xlsx"
    path.write_bytes(_poisoned(*VARIANTS[variant]))
    assert len(path.read_bytes()) < 300_000
    # the peak RSS of this process image: VmHWM (ru_maxrss would carry over the forked pytest's, kept across exec)
    script = (
        "import json, re, sys\n"
        "from workbook_tools.validate import check_file\n"
        "r = check_file(sys.argv[1])\n"
        "hwm = int(re.search(r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read()).group(1))\n"
        "print(json.dumps({'codes': [str(f.code) for f in r.findings], 'messages': [f.message for f in r.findings],"
        " 'rss_mb': hwm / 1024}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["codes"] == ["FILE_UNREADABLE"] and "démesurée" in result["messages"][0]
    assert result["rss_mb"] < 400, result  # the check's own imports; no grid


def test_sheet_extent_reads_every_form() -> None:
    assert sheet_extent(b'<row r="3"><c r="b3"/></row><row><c/><c/><c/></row>') == (4, 3)
    assert sheet_extent(b'<x:row r="2"><x:c r="$C$2"/></x:row>') == (2, 3)
    assert sheet_extent(b"") == (0, 0)


@pytest.mark.slow
def test_the_watcher_answers_each_poisoned_workbook_and_goes_on(
    tmp_path: Path, fault_summary: Callable[[str], None]
) -> None:
    import resource

    from store_helpers import wait_for
    from test_watcher import Running

    with Running(tmp_path) as running:
        for i, variant in enumerate(VARIANTS):
            folder = running.folder(f"000{i + 1}")
            (folder / "cahier.xlsx").write_bytes(_poisoned(*VARIANTS[variant]))
        good = running.folder("0009")
        (good / "cahier.xlsx").write_bytes(cahier_bytes(coop="0009"))
        folders = [running.inbox / f"000{i + 1}" for i in range(len(VARIANTS))] + [good]
        wait_for(lambda: all((f / "cahier.statut.txt").exists() for f in folders), timeout=120)
        assert running.thread.is_alive()
        answers = [(f / "cahier.statut.txt").read_text(encoding="utf-8") for f in folders]
        assert all(a.startswith("REFUSÉ") for a in answers[:-1]) and answers[-1].startswith("ACCEPTÉ"), answers
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    fault_summary(
        f"poisoned workbooks (far cell ZZ199999 in {len(VARIANTS)} forms) through the watcher: "
        f"{len(VARIANTS)}/{len(VARIANTS)} refused with an answer, the next cooperative accepted, watcher alive; "
        f"peak RSS {rss:.0f} MB (the whole test process so far, watcher included), {worker:.0f} MB (largest child)"
    )
