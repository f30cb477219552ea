"""Writing a command's JSON: to standard output, or to a file that appears complete or not at all.

Indented (two spaces) when it is small enough to be read by a person — one cooperative's CRF, a department's
consolidation of up to about 1,200 cooperatives; on one line beyond ``READABLE_BYTES``, where only programs read it: the
indented form goes through the json module's pure-Python encoder, ≈ 0.5 s for 10,000 cooperatives, while the
compact one is encoded in C (BENCHMARKS.md, « Issue 16 »). Either way the same JSON value.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from workbook_tools.files import replace_bytes

if TYPE_CHECKING:
    from workbook_tools.store import Store

READABLE_BYTES = 2_000_000  # compact JSON larger than this (≈ 1,200 cooperatives) is written as it is, on one line


def emit_json(data: Any, output: Path | None) -> None:
    text = json.dumps(data, ensure_ascii=False)
    if len(text) <= READABLE_BYTES:  # the indented form costs little at this size
        text = json.dumps(data, ensure_ascii=False, indent=2)
    text += "\n"
    if output is None:
        echo_all(text)
    else:
        replace_bytes(output, text.encode("utf-8"))


def write_figures(
    fmt: str, output: Path | None, data: Callable[[], Any], workbook: Callable[[Path], Path]
) -> Path | None:
    """The figures as JSON (``data()``, to ``output`` or the screen) or as the workbook written at ``output`` by
    ``workbook`` → the file written, None when the JSON went to the screen."""
    if fmt == "json":
        emit_json(data(), output)
        return output
    assert output is not None  # the commands ask for -o with xlsx before any work
    return workbook(output)


def echo_all(text: str) -> None:
    """Write ``text`` whole to standard output, or fail. Python's buffered writer returns a short count for a large
    write when the reader goes away meanwhile (« | head »), and the text layer ignores it: the command would end
    with status 0 on a cut output. Here the rest is written again, and the broken pipe raised (status 1)."""
    stream = sys.stdout
    stream.flush()
    out = getattr(stream, "buffer", None)
    if out is None:  # a text-only stream (tests may give one): nothing below it to cut short
        stream.write(text)
        stream.flush()
        return
    data = memoryview(text.encode(stream.encoding or "utf-8"))
    while data:
        written = out.write(data)
        if not written:
            raise BrokenPipeError(32, "Broken pipe")
        data = data[written:]
    out.flush()


def guard_output(
    output: Path | None,
    inputs: Iterable[tuple[Path | None, str]] = (),
    *,
    force: bool,
    store: Store | None = None,
) -> None:
    """Before any work: the file a command will write is none of the files it reads (not even with ``--force``, not
    even through a link), nor inside the local ``store`` (append-only: nothing there is ever replaced), and replaces
    an existing file only with ``--force``: a French error, nothing written — never a cahier, a bank statement, a
    roster or a stored report lost to a mistyped ``-o``."""
    if output is None:
        return
    root = store.local_root() if store is not None else None
    if root is not None and output.resolve().is_relative_to(root.resolve()):
        raise click.ClickException(
            f"{output} est dans le dépôt ({root}), où rien n'est jamais remplacé : choisissez un autre dossier, "
            "rien n'a été écrit."
        )
    for path, what in inputs:
        if path is not None and same_file(output, path):
            raise click.ClickException(f"{output} est {what} : choisissez un autre nom, rien n'a été écrit.")
    if output.exists() and not force:
        raise click.ClickException(f"{output} existe déjà : rien n'a été écrit (--force pour le remplacer).")


def same_file(a: Path, b: Path) -> bool:
    """Two paths to the same file: the same file on disk when both exist (links included), else the same resolved
    path."""
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def output_format(fmt: str | None, output: Path | None) -> str:
    """``--format`` as given, else from the name of ``-o`` (« .json » → json, else xlsx); a name whose extension says
    the other format is refused (a JSON named .xlsx that Excel refuses to open, a workbook named .json)."""
    suffix = output.suffix.lower() if output is not None else ""
    if fmt is None:
        return "json" if suffix == ".json" else "xlsx"
    other = {"xlsx": (".json",), "json": (".xlsx", ".xlsm", ".xls", ".ods")}[fmt]
    if suffix in other:
        assert output is not None
        fitting = output.with_suffix(".json" if fmt == "json" else ".xlsx").name
        raise click.ClickException(
            f"{output} : l'extension {suffix} ne correspond pas à --format {fmt} ; nommez-le {fitting}, ou changez "
            "de format. Rien n'a été écrit."
        )
    return fmt
