"""A real WebDAV server (wsgidav on cheroot) for tests: anonymous, on 127.0.0.1, in a thread.

It can be stopped and started again on the same port, to play an unreachable store.
"""

from __future__ import annotations

import logging
import socket
import threading
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class WebdavServer:
    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = folder
        self.port = port or free_port()
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"webdav://127.0.0.1:{self.port}/"

    def start(self) -> None:
        from cheroot import wsgi
        from wsgidav.wsgidav_app import WsgiDAVApp

        config = {
            "host": "127.0.0.1",
            "port": self.port,
            "provider_mapping": {"/": str(self.folder)},
            "simple_dc": {"user_mapping": {"*": True}},
            "verbose": 0,
            "logging": {"enable": False, "enable_loggers": []},
            "lock_storage": True,
            "property_manager": True,
        }
        app = WsgiDAVApp(config)
        logging.getLogger("wsgidav").setLevel(logging.ERROR)
        server = wsgi.Server(("127.0.0.1", self.port), app, numthreads=8)
        server.prepare()
        self._server = server
        self._thread = threading.Thread(target=server.serve, name=f"webdav-{self.port}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
