"""Writing a command's JSON: to standard output, or to a file that appears complete or not at all.

Indented (two spaces) when it is small enough to be read by a person — one cooperative's CRF, a department's
consolidation of up to about 1,200 cooperatives; on one line beyond ``READABLE_BYTES``, where only programs read it: the
indented form goes through the json module's pure-Python encoder, ≈ 0.5 s for 10,000 cooperatives, while the
compact one is encoded in C (BENCHMARKS.md, « Issue 16 »). Either way the same JSON value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from workbook_tools.files import replace_bytes

READABLE_BYTES = 2_000_000  # compact JSON larger than this (≈ 1,200 cooperatives) is written as it is, on one line


def emit_json(data: Any, output: Path | None) -> None:
    text = json.dumps(data, ensure_ascii=False)
    if len(text) <= READABLE_BYTES:  # the indented form costs little at this size
        text = json.dumps(data, ensure_ascii=False, indent=2)
    text += "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        replace_bytes(output, text.encode("utf-8"))
