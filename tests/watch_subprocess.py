"""Run ``cahier`` in a subprocess for the kill tests, optionally with a slow store.

With CAHIER_TEST_SLOW=SECONDS, every store write and the teacher-side outputs print a
line (``PUT coops/…``, ``OUTPUTS``) on stderr, then wait that long before doing it: the
test kills the process while a given write is in hand.
"""

from __future__ import annotations

import os
import sys
import time


def _slow() -> None:
    delay = float(os.environ["CAHIER_TEST_SLOW"])
    from workbook_tools import ingest, store
    from workbook_tools.watcher import service

    real_put, real_put_new = store.LocalBackend.put, store.LocalBackend.put_new

    def put(self: store.LocalBackend, rel: str, data: bytes) -> None:
        print(f"PUT {rel}", file=sys.stderr, flush=True)
        time.sleep(delay)
        real_put(self, rel, data)

    def put_new(self: store.LocalBackend, rel: str, data: bytes) -> bool:
        print(f"PUT {rel}", file=sys.stderr, flush=True)
        time.sleep(delay)
        return real_put_new(self, rel, data)

    real_outputs = ingest.write_outputs

    def write_outputs(*args, **kwargs):  # type: ignore[no-untyped-def]
        print("OUTPUTS", file=sys.stderr, flush=True)
        time.sleep(delay)
        return real_outputs(*args, **kwargs)

    store.LocalBackend.put = put  # type: ignore[method-assign]
    store.LocalBackend.put_new = put_new  # type: ignore[method-assign]
    ingest.write_outputs = write_outputs
    service.write_outputs = write_outputs  # type: ignore[attr-defined]


if __name__ == "__main__":
    if os.environ.get("CAHIER_TEST_SLOW"):
        _slow()
    from workbook_tools.cli import main

    main(sys.argv[1:], prog_name="cahier")
