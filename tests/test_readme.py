"""The README's transcript is what `cahier demo` really prints and writes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.slow
def test_readme_transcript_matches_the_demo(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    transcript = text.split("```text\n", 1)[1].split("```", 1)[0]
    proc = subprocess.run(
        [sys.executable, "-m", "workbook_tools", "demo", str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        timeout=300,
        env={"COLUMNS": "80", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr
    # the table rows shown in the README are rows of the demo's table
    shown = [line for line in transcript.splitlines() if line.startswith("│ 69")]
    assert shown and all(line in proc.stdout for line in shown), (shown, proc.stdout)
    # the report quoted in the README is the file the demo wrote
    quoted = re.search(r"\$ cat demo/(\S+)\n(.*)", transcript, re.S)
    assert quoted is not None
    written = (tmp_path / "demo" / quoted.group(1)).read_text(encoding="utf-8")
    assert written.strip() == quoted.group(2).strip()
