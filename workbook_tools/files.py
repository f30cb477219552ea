"""Writing files so that nobody — a teacher, the watcher, a sync client — ever sees one half-written."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

_TEMPORARY = re.compile(r"\..+\.[0-9a-f]{8}\.tmp")  # what atomic_path names its temporary files


def is_temporary(name: str) -> bool:
    """A temporary file of :func:`atomic_path` (``.NAME.1a2b3c4d.tmp``): never anybody's cahier."""
    return _TEMPORARY.fullmatch(name) is not None


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A hidden temporary path beside ``path``; renamed onto ``path`` when the block succeeds, removed otherwise."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.stem}.{secrets.token_hex(4)}.tmp")
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def replace_bytes(target: Path, payload: bytes) -> Path:
    """Write ``payload`` to ``target`` through a hidden temporary file, replacing an earlier version at once."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(payload)
    return target
