"""Writing a command's JSON: to standard output, or to a file that appears complete or not at all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from workbook_tools.files import replace_bytes


def emit_json(data: Any, output: Path | None) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        replace_bytes(output, text.encode("utf-8"))
