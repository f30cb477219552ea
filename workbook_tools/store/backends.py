"""Storage backends: the few operations the store needs, over one fsspec filesystem (local folder, WebDAV, other).

Every backend publishes a file with a rename that fails when the target exists, so that nothing is
ever overwritten (see :mod:`workbook_tools.store`).
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import tempfile
import urllib.parse
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any


class Backend:
    """The few operations the store needs, over one fsspec filesystem."""

    def __init__(self, fs: Any, root: str) -> None:
        self.fs = fs
        self.root = root.rstrip("/")

    def path(self, rel: str) -> str:
        return f"{self.root}/{rel}" if self.root else rel

    def read(self, rel: str) -> bytes:
        data = self.fs.cat_file(self.path(rel))
        return bytes(data)

    def list(self, rel: str) -> list[str]:
        try:
            entries = self.fs.ls(self.path(rel), detail=False)
        except FileNotFoundError:
            return []
        return sorted(PurePosixPath(str(e).rstrip("/")).name for e in entries)

    def makedirs(self, rel: str) -> None:
        self.fs.makedirs(self.path(rel), exist_ok=True)

    def exists(self, rel: str) -> bool:
        return bool(self.fs.exists(self.path(rel)))

    def put_new(self, rel: str, data: bytes) -> bool:
        """Publish ``data`` at ``rel`` unless something is already there. True if written."""
        target = self.path(rel)
        if self.fs.exists(target):
            return False
        self.fs.pipe_file(target, data)
        return True

    def remove_tree(self, rel: str) -> None:
        self.fs.rm(self.path(rel), recursive=True)

    def remove_file(self, rel: str) -> None:
        """Only ``cahier verifier-depot --reparer`` removes a file, once a copy is kept in quarantine."""
        self.fs.rm_file(self.path(rel))


class LocalBackend(Backend):
    """A local folder: write, fsync, then ``os.link`` (fails if the target exists)."""

    def read(self, rel: str) -> bytes:
        return Path(self.path(rel)).read_bytes()

    def list(self, rel: str) -> list[str]:
        try:
            return sorted(os.listdir(self.path(rel)))
        except FileNotFoundError:
            return []

    def exists(self, rel: str) -> bool:
        return os.path.exists(self.path(rel))

    def makedirs(self, rel: str) -> None:
        os.makedirs(self.path(rel), exist_ok=True)

    def put_new(self, rel: str, data: bytes) -> bool:
        target = Path(self.path(rel))
        if target.exists():
            return False
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(tmp, target)
            except FileExistsError:
                return False
            except OSError:  # a filesystem without hard links: check, then rename (best effort)
                if target.exists():
                    return False
                os.rename(tmp, target)
            _fsync_dir(target.parent)
            return True
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    def remove_tree(self, rel: str) -> None:
        import shutil

        shutil.rmtree(self.path(rel), ignore_errors=True)

    def remove_file(self, rel: str) -> None:
        os.unlink(self.path(rel))


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class WebdavBackend(Backend):
    """WebDAV through webdav4: PUT under a hidden name, then MOVE with ``Overwrite: F``."""

    def __init__(self, fs: Any, root: str) -> None:
        super().__init__(fs, root)
        self._known_dirs: set[str] = set()

    def read(self, rel: str) -> bytes:
        client = self.fs.client
        response = client.http.get(client.join_url(self.path(rel)))
        if response.status_code == 404:
            raise FileNotFoundError(rel)
        response.raise_for_status()
        return bytes(response.content)

    def exists(self, rel: str) -> bool:
        """Asked of the server itself: fsspec's ``exists`` says False for a server that does not answer."""
        return bool(self.fs.client.exists(self.path(rel)))

    def list(self, rel: str) -> list[str]:
        from webdav4.client import ResourceNotFound

        try:
            entries = self.fs.client.ls(self.path(rel), detail=False, allow_listing_resource=False)
        except ResourceNotFound:
            return []
        return sorted(PurePosixPath(str(e).rstrip("/")).name for e in entries)

    def makedirs(self, rel: str) -> None:
        from webdav4.client import HTTPError, ResourceAlreadyExists

        done = ""
        for part in PurePosixPath(self.path(rel)).parts:
            done = f"{done}/{part}" if done else part
            if done in self._known_dirs:
                continue
            try:
                self.fs.client.mkdir(done)
            except ResourceAlreadyExists:
                pass
            except HTTPError:  # two writers creating it at once: some servers answer 500 to the second
                if not self.fs.client.isdir(done):
                    raise
            self._known_dirs.add(done)

    def put_new(self, rel: str, data: bytes) -> bool:
        from webdav4.client import HTTPError, ResourceAlreadyExists

        target = self.path(rel)
        parent = str(PurePosixPath(target).parent)
        tmp = f"{parent}/.tmp-{secrets.token_hex(8)}"
        client = self.fs.client
        client.upload_fileobj(io.BytesIO(data), tmp, overwrite=False)
        try:
            client.move(tmp, target, overwrite=False)
        except ResourceAlreadyExists:
            with contextlib.suppress(Exception):
                client.remove(tmp)
            return False
        except HTTPError:
            # Two MOVEs onto one name at once: some servers (wsgidav) answer 500 to one of them.
            if not client.exists(target):
                raise
            if client.exists(tmp):  # ours did not move: the other writer won
                with contextlib.suppress(Exception):
                    client.remove(tmp)
                return False
            return self.read(rel) == data
        return True

    def remove_tree(self, rel: str) -> None:
        self.fs.client.remove(self.path(rel))

    def remove_file(self, rel: str) -> None:
        self.fs.client.remove(self.path(rel))


def webdav_backend(url: str, options: Mapping[str, Any]) -> WebdavBackend:
    from webdav4.fsspec import WebdavFileSystem

    parts = urllib.parse.urlsplit(url)
    scheme = {"webdav": "http", "dav": "http", "webdavs": "https", "davs": "https"}.get(parts.scheme, parts.scheme)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    base_url = urllib.parse.urlunsplit((scheme, netloc, parts.path.rstrip("/") or "/", "", ""))
    opts = dict(options)
    auth = opts.pop("auth", None)
    if auth is None and parts.username:
        auth = (urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or ""))
    if auth is None and os.environ.get("CAHIER_STORE_USER"):
        auth = (os.environ["CAHIER_STORE_USER"], os.environ.get("CAHIER_STORE_PASSWORD", ""))
    opts.setdefault("timeout", 30)
    opts.setdefault("retry", False)  # the watcher retries with its own back-off
    fs = WebdavFileSystem(base_url, auth=auth, **opts)
    return WebdavBackend(fs, "")


def backend_for(url: str, options: Mapping[str, Any]) -> tuple[Backend, str]:
    """The backend and a display form of the URL (without password)."""
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme in {"webdav", "webdavs", "dav", "davs", "http", "https"}:
        parts = urllib.parse.urlsplit(url)
        shown = urllib.parse.urlunsplit((parts.scheme, parts.hostname or "", parts.path, "", ""))
        if parts.port:
            shown = urllib.parse.urlunsplit((parts.scheme, f"{parts.hostname}:{parts.port}", parts.path, "", ""))
        return webdav_backend(url, options), shown
    if scheme in {"", "file", "local"} or (len(scheme) == 1 and os.name == "nt"):
        path = urllib.parse.unquote(urllib.parse.urlsplit(url).path) if scheme in {"file", "local"} else url
        root = Path(path).expanduser().resolve()
        from fsspec.implementations.local import LocalFileSystem

        return LocalBackend(LocalFileSystem(), str(root)), str(root)
    import fsspec

    fs, root = fsspec.core.url_to_fs(url, **options)
    return Backend(fs, root), url


def transient_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OSError, TimeoutError]
    with contextlib.suppress(ImportError):
        import httpx

        errors.append(httpx.HTTPError)
    with contextlib.suppress(ImportError):
        from webdav4.client import HTTPError, ResourceConflict, ResourceLocked

        errors += [HTTPError, ResourceLocked, ResourceConflict]
    return tuple(errors)
