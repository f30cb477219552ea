"""Real WebDAV servers for tests, on 127.0.0.1, each able to stop and start again on the same port (an
unreachable store):

* :class:`WebdavServer` — wsgidav on cheroot, anonymous, in a thread of the test process;
* :class:`ApacheServer` — Debian's Apache httpd 2.4 with mod_dav / mod_dav_fs and Basic auth, its own config
  file, pid file and logs in a private folder (as root it serves as ``www-data``, like a real install);
* :class:`RcloneServer` — ``rclone serve webdav`` with Basic auth.

Each has ``folder`` (what it serves, on disk), ``url`` (``webdav://user:password@127.0.0.1:port/``), ``start``,
``stop`` and ``prepare(path)`` (a folder inside ``folder`` the server may write, as the server's user).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

USER, PASSWORD = "cahier", "s3cret-dépôt"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_listening(port: int, timeout: float = 15.0, process: subprocess.Popen[bytes] | None = None) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


class WebdavServer:
    kind = "wsgidav"

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = folder
        self.port = port or free_port()
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"webdav://127.0.0.1:{self.port}/"

    def prepare(self, path: Path) -> Path:
        path.mkdir(parents=True, exist_ok=True)
        return path

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


class _ProcessServer:
    """A server run as a child process; ``stop`` ends it (SIGTERM, then SIGKILL), ``start`` runs it again."""

    kind = "process"

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = folder
        self.port = port or free_port()
        self.user, self.password = USER, PASSWORD
        self._process: subprocess.Popen[bytes] | None = None
        self._state = Path(tempfile.mkdtemp(prefix=f"cahier-{self.kind}-"))
        self._state.chmod(0o755)
        self._log = self._state / "server.log"

    @property
    def url(self) -> str:
        from urllib.parse import quote

        return f"webdav://{quote(self.user)}:{quote(self.password, safe='')}@127.0.0.1:{self.port}/"

    def command(self) -> list[str]:
        raise NotImplementedError

    def prepare(self, path: Path) -> Path:
        path.mkdir(parents=True, exist_ok=True)
        return path

    def start(self) -> None:
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, env=self.environment(), start_new_session=True
            )
        _wait_listening(self.port, process=self._process)

    def environment(self) -> dict[str, str]:
        return dict(os.environ)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        end = time.monotonic() + 10
        while time.monotonic() < end:  # the port free again, so that start() can take it at once
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) != 0:
                    return
            time.sleep(0.05)

    def log_text(self) -> str:
        return self._log.read_text(errors="replace") if self._log.exists() else ""

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self._state, ignore_errors=True)


MODULES = "/usr/lib/apache2/modules"


class ApacheServer(_ProcessServer):
    """Apache httpd 2.4, mod_dav + mod_dav_fs, Basic auth (htpasswd), event MPM, its own config."""

    kind = "apache"

    def __init__(self, folder: Path, port: int | None = None) -> None:
        super().__init__(folder, port)
        self.run_as = _apache_user()
        locks = self._state / "locks"
        locks.mkdir()
        subprocess.run(
            ["htpasswd", "-b", "-B", "-c", str(self._state / "htpasswd"), self.user, self.password],
            check=True,
            capture_output=True,
        )
        (self._state / "htpasswd").chmod(0o644)
        self.prepare(folder)
        self._chown(locks)
        user_lines = f"User {self.run_as[0]}\nGroup {self.run_as[1]}\n" if os.geteuid() == 0 else ""
        modules = [  # Debian's defaults that touch WebDAV requests (mod_dir redirects a folder asked without its slash)
            "mpm_event", "authn_core", "authn_file", "authz_core", "authz_user", "auth_basic", "dir", "dav", "dav_fs",
        ]  # fmt: skip
        loads = "\n".join(f"LoadModule {m}_module {MODULES}/mod_{m}.so" for m in modules)
        (self._state / "httpd.conf").write_text(
            f"""ServerRoot "{self._state}"
DefaultRuntimeDir "{self._state}"
PidFile "{self._state}/httpd.pid"
ErrorLog "{self._log}"
LogLevel warn
Listen 127.0.0.1:{self.port}
ServerName 127.0.0.1
{loads}
{user_lines}StartServers 1
ThreadsPerChild 16
MaxRequestWorkers 32
Timeout 30
KeepAlive On
DocumentRoot "{folder}"
DavLockDB "{locks}/DavLock"
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "{folder}">
    Dav On
    Options None
    AllowOverride None
    AuthType Basic
    AuthName "cahier"
    AuthBasicProvider file
    AuthUserFile "{self._state}/htpasswd"
    Require valid-user
</Directory>
""",
            encoding="utf-8",
        )

    def _chown(self, path: Path) -> None:
        if os.geteuid() == 0:
            shutil.chown(path, *self.run_as)

    def prepare(self, path: Path) -> Path:
        """A folder Apache's user may write (created, and every folder above it inside ``folder``)."""
        path.mkdir(parents=True, exist_ok=True)
        for folder in [path, *path.parents]:
            self._chown(folder)
            folder.chmod(0o755)
            if folder == self.folder:
                break
        for folder in self.folder.parents:  # the server's user must reach its DocumentRoot
            if folder.stat().st_mode & 0o005 != 0o005:
                folder.chmod(folder.stat().st_mode | 0o005)
        return path

    def command(self) -> list[str]:
        return ["apache2", "-f", str(self._state / "httpd.conf"), "-DFOREGROUND"]

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({"APACHE_RUN_DIR": str(self._state), "APACHE_LOCK_DIR": str(self._state)})
        return env


def _apache_user() -> tuple[str, str]:
    if os.geteuid() != 0:
        return ("", "")
    return ("www-data", "www-data")


class RcloneServer(_ProcessServer):
    """``rclone serve webdav`` on a local folder, Basic auth."""

    kind = "rclone"

    def command(self) -> list[str]:
        return [
            "rclone", "serve", "webdav", str(self.folder), "--addr", f"127.0.0.1:{self.port}",
            "--user", self.user, "--pass", self.password, "--config", str(self._state / "rclone.conf"),
            "--log-level", "ERROR",
        ]  # fmt: skip

    def prepare(self, path: Path) -> Path:
        """Made through the server itself (MKCOL) while it runs: rclone caches its folder listings (the default
        ``--dir-cache-time`` of 5 min), so a folder made on disk behind its back stays unseen for a while."""
        if self._process is None:
            return super().prepare(path)
        import httpx

        rel = path.relative_to(self.folder)
        done = ""
        for part in rel.parts:
            done = f"{done}/{part}"
            response = httpx.request(
                "MKCOL", f"http://127.0.0.1:{self.port}{done}/", auth=(self.user, self.password), timeout=10
            )
            if response.status_code not in (201, 405):
                raise RuntimeError(f"MKCOL {done}: {response.status_code}")
        return path


def available(kind: str) -> bool:
    """Whether this machine can run that server (``scripts/setup --test`` installs them)."""
    if kind == "apache":
        return shutil.which("apache2") is not None and shutil.which("htpasswd") is not None
    if kind == "rclone":
        return shutil.which("rclone") is not None
    return True


def server_class(kind: str) -> type[WebdavServer] | type[ApacheServer] | type[RcloneServer]:
    return {"wsgidav": WebdavServer, "apache": ApacheServer, "rclone": RcloneServer}[kind]
