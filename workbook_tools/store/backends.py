"""Storage backends: the few operations the store needs, over one fsspec filesystem (local folder, WebDAV, other).

Every backend publishes a file with a rename that fails when the target exists, so that nothing is
ever overwritten (see :mod:`workbook_tools.store`).
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import secrets
import tempfile
import time
import urllib.parse
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from workbook_tools.store.faults import ServerAnswer

TMP_PREFIX = ".tmp-"


def tmp_name() -> str:
    """A hidden temporary name carrying its time of birth (seconds), so that a leftover's age reads from its name."""
    return f"{TMP_PREFIX}{int(time.time())}-{secrets.token_hex(6)}"


def tmp_age(name: str, now: float | None = None) -> float | None:
    """Seconds since a temporary file made by :func:`tmp_name` was named; None for another name."""
    parts = name.removeprefix(TMP_PREFIX).split("-")
    if not name.startswith(TMP_PREFIX) or len(parts) < 2 or not parts[0].isdigit():
        return None
    return (now or time.time()) - int(parts[0])


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

    def put(self, rel: str, data: bytes) -> None:
        """Write ``data`` at ``rel``, a name nobody else writes (a version's own files, a writer's own claim)."""
        self.fs.pipe_file(self.path(rel), data)

    def modified(self, rel: str) -> float | None:
        """When ``rel`` was last modified (POSIX seconds), None when unknown."""
        try:
            return float(self.fs.modified(self.path(rel)).timestamp())
        except Exception:
            return None

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
        tmp = _synced_temp(target, data)
        try:
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

    def put(self, rel: str, data: bytes) -> None:
        """A unique name: written under a temporary name, synced, then renamed (never seen half-written)."""
        target = Path(self.path(rel))
        tmp = _synced_temp(target, data)
        try:
            os.replace(tmp, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    def modified(self, rel: str) -> float | None:
        try:
            return os.stat(self.path(rel)).st_mtime
        except OSError:
            return None

    def remove_tree(self, rel: str) -> None:
        import shutil

        shutil.rmtree(self.path(rel), ignore_errors=True)

    def remove_file(self, rel: str) -> None:
        os.unlink(self.path(rel))


def _synced_temp(target: Path, data: bytes) -> str:
    """``data`` written and synced under a temporary name beside ``target`` (its age in the name): the path."""
    fd, tmp = tempfile.mkstemp(prefix=tmp_name() + "-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


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
    """WebDAV, one plain HTTP request per operation (httpx through webdav4's client), every unexpected answer
    raised as :class:`~workbook_tools.store.faults.ServerAnswer` for the store to map (see
    :mod:`workbook_tools.store.faults`).

    ``put`` is a plain PUT (names the store makes unique); ``put_new`` a PUT under a hidden name then a ``MOVE``
    with ``Overwrite: F`` — which some servers do not make atomic (Apache mod_dav: two racing MOVEs may both
    answer 201), so the store never relies on it for a decision (see :mod:`workbook_tools.store`)."""

    def __init__(self, fs: Any, root: str) -> None:
        super().__init__(fs, root)
        self._known_dirs: set[str] = set()

    def _url(self, rel: str, collection: bool = False) -> Any:
        return self.fs.client.join_url(self.path(rel), add_trailing_slash=collection)

    def _request(self, method: str, rel: str, *, collection: bool = False, **kwargs: Any) -> Any:
        return self.fs.client.http.request(method, self._url(rel, collection), **kwargs)

    def _answer(self, method: str, rel: str, *, collection: bool = False, **kwargs: Any) -> int:
        """The status of a request other than PROPFIND; a 207 Multi-Status (Apache answers a MKCOL or DELETE in a
        locked folder so) stands for the first failed status it holds."""
        response = self._request(method, rel, collection=collection, **kwargs)
        if response.status_code != 207:
            return int(response.status_code)
        inner = [int(code) for code in re.findall(r"HTTP/1\.[01] (\d{3})", response.text)]
        if 423 in inner:  # the locked member, rather than the 424 « failed dependency » of its parents
            return 423
        return next((code for code in inner if code >= 300), 200)

    def read(self, rel: str) -> bytes:
        response = self._request("GET", rel)
        if response.status_code == 404:
            raise FileNotFoundError(rel)
        if response.status_code != 200:
            raise ServerAnswer(response.status_code, "GET", rel)
        return bytes(response.content)

    def exists(self, rel: str) -> bool:
        """Asked of the server itself: fsspec's ``exists`` says False for a server that does not answer."""
        response = self._request("PROPFIND", rel, collection=not rel, headers={"Depth": "0"})
        if response.status_code in (301, 302, 307, 308):  # a folder asked without its slash (Apache's mod_dir)
            response = self._request("PROPFIND", rel, collection=True, headers={"Depth": "0"})
        if response.status_code == 404:
            return False
        if response.status_code not in (200, 207):
            raise ServerAnswer(response.status_code, "PROPFIND", rel)
        return True

    def list(self, rel: str) -> list[str]:
        """The names in a folder (PROPFIND, depth 1), [] when it does not exist. The hrefs are read from the answer
        as text: Apache and rclone may append an error after a complete multistatus when a member vanishes while
        they list (a losing writer removing its claim), which an XML parser refuses."""
        for attempt in range(3):  # wsgidav answers 500 when a member vanishes while it lists: asked again
            response = self._request("PROPFIND", rel, collection=True, headers={"Depth": "1"})
            if response.status_code != 500:
                break
            time.sleep(0.05 * (attempt + 1))
        if response.status_code == 404:
            return []
        if response.status_code != 207:
            raise ServerAnswer(response.status_code, "PROPFIND", rel)
        own = urllib.parse.unquote(self._url(rel, True).path).rstrip("/")
        names = set()
        for href in _HREF.findall(response.text):
            path = urllib.parse.unquote(urllib.parse.urlsplit(html.unescape(href.strip())).path).rstrip("/")
            if path != own and path.startswith(own + "/"):
                names.add(path[len(own) + 1 :].split("/", 1)[0])
        return sorted(names)

    def makedirs(self, rel: str) -> None:
        done = ""
        for part in PurePosixPath(rel).parts:
            done = f"{done}/{part}" if done else part
            if done in self._known_dirs:
                continue
            for attempt in range(3):
                status = self._answer("MKCOL", done, collection=True)
                if status in (200, 201, 405):  # 405: already there
                    break
                # two writers creating it at once: Apache answers 403 « File exists », wsgidav 500, rclone 409 —
                # asked again, the folder is there
                if status in (403, 409, 423, 500) and self.exists(done):
                    break
                if attempt == 2 or status in (401, 404, 507):
                    raise ServerAnswer(status, "MKCOL", done)
                time.sleep(0.05 * (attempt + 1))
            self._known_dirs.add(done)

    def put(self, rel: str, data: bytes) -> None:
        status = self._answer("PUT", rel, content=data)
        if status not in (200, 201, 204):
            raise ServerAnswer(status, "PUT", rel)

    def put_new(self, rel: str, data: bytes) -> bool:
        parent = str(PurePosixPath(rel).parent)
        tmp = f"{parent}/{tmp_name()}" if parent != "." else tmp_name()
        self.put(tmp, data)
        status = self._answer("MOVE", tmp, headers={"Destination": str(self._url(rel)), "Overwrite": "F"})
        if status in (201, 204):
            return True
        with contextlib.suppress(*_network_errors(), ServerAnswer):
            self.remove_file(tmp)
        if status == 412:  # the target exists
            return False
        if status in (500, 409, 423) and self.exists(rel):  # two MOVEs at once: wsgidav answers 500 to one
            return False
        raise ServerAnswer(status, "MOVE", rel)

    def remove_tree(self, rel: str) -> None:
        self.remove_file(rel, collection=True)

    def remove_file(self, rel: str, *, collection: bool = False) -> None:
        status = self._answer("DELETE", rel, collection=collection)
        if status not in (200, 202, 204, 404):
            raise ServerAnswer(status, "DELETE", rel)
        self._known_dirs = {d for d in self._known_dirs if d != rel and not d.startswith(rel + "/")}

    def modified(self, rel: str) -> float | None:
        try:
            info = self.fs.client.info(self.path(rel))
        except Exception:
            return None
        when = info.get("modified")
        return when.timestamp() if when is not None else None


_HREF = re.compile(r"<(?:[A-Za-z][\w.-]*:)?href(?:\s[^>]*)?>(.*?)</(?:[A-Za-z][\w.-]*:)?href>", re.S)


def _network_errors() -> tuple[type[BaseException], ...]:
    import httpx

    return (httpx.HTTPError, OSError)


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
        # plain os calls (LocalBackend overrides every operation): a local store imports no fsspec (≈ 40 ms)
        return LocalBackend(None, str(root)), str(root)
    import fsspec

    fs, root = fsspec.core.url_to_fs(url, **options)
    return Backend(fs, root), url


def transient_errors() -> tuple[type[BaseException], ...]:
    """What a backend raises for a server fault (mapped by :func:`workbook_tools.store.faults.store_fault`)."""
    from workbook_tools.store.faults import fault_errors

    return fault_errors()
