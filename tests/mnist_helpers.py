"""Shared pieces of the MNIST reader tests: data locations, an isolated environment, synthetic
data sets and a loopback HTTP(S) server. Import the ``mnist_env`` fixture into a test module
(``from mnist_helpers import mnist_env``) to make it autouse there."""

from __future__ import annotations

import collections
import http.server
import os
import socket
import ssl
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "mnist_small"
MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
ENV_PREFIX = "TFTRAIN_COMPAT_MNIST_"
_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


def shared_mnist() -> Path:
    """../shared/mnist_small; missing is a failure under CI=true and a skip elsewhere."""
    if not (SHARED_MNIST / MNIST_FILES[0]).is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SHARED_MNIST} is missing; CI needs ../shared beside the checkout")
        pytest.skip(f"{SHARED_MNIST} is missing (../shared beside the checkout)")
    return SHARED_MNIST


class NetworkGuard:
    """Refuses every connection and name lookup except 127.0.0.1 / localhost; counts refusals."""

    def __init__(self) -> None:
        self.refused: list[Any] = []

    def _allowed(self, host: Any) -> bool:
        return host in ("127.0.0.1", "localhost", b"127.0.0.1", b"localhost")

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real_connect, real_lookup = socket.create_connection, socket.getaddrinfo

        def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
            if not self._allowed(address[0]):
                self.refused.append(address[0])
                raise OSError("test network guard: no connections beyond 127.0.0.1 (%s:%s)" % address[:2])
            return real_connect(address, *args, **kwargs)

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            if not self._allowed(host):
                self.refused.append(host)
                raise OSError("test network guard: no name lookups (%s)" % (host,))
            return real_lookup(host, *args, **kwargs)

        monkeypatch.setattr(socket, "create_connection", create_connection)
        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture(autouse=True)
def mnist_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> NetworkGuard:
    """No reader settings from the outside, an empty Keras cache, no proxies, no network except
    127.0.0.1, and instant retries."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIX) or name in _PROXY_VARS or name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setenv(ENV_PREFIX + "TIMEOUT", "5")
    from tftrain_compat._src import mnist_sources

    monkeypatch.setattr(mnist_sources, "_RETRY_DELAY_S", 0.0)
    guard = NetworkGuard()
    guard.install(monkeypatch)
    return guard


def synthetic_arrays(n_train: int, n_test: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.RandomState(seed)
    return {
        MNIST_FILES[0]: rng.randint(0, 256, size=(n_train, 28, 28)).astype(np.uint8),
        MNIST_FILES[1]: rng.randint(0, 10, size=n_train).astype(np.uint8),
        MNIST_FILES[2]: rng.randint(0, 256, size=(n_test, 28, 28)).astype(np.uint8),
        MNIST_FILES[3]: rng.randint(0, 10, size=n_test).astype(np.uint8),
    }


def write_synthetic(folder: Path, n_train: int = 60, n_test: int = 20, seed: int = 0,
                    checksums: bool = True) -> dict[str, np.ndarray]:
    """Four small MNIST files (+ SHA256SUMS) in ``folder``; returns the arrays by file name."""
    from tftrain_compat import datasets

    arrays = synthetic_arrays(n_train, n_test, seed)
    datasets.write_mnist(folder, *(arrays[name] for name in MNIST_FILES), checksums=checksums)
    return arrays


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def leftovers(folder: Path) -> list[str]:
    """Files in ``folder`` other than the four MNIST files and the lock file."""
    if not folder.exists():
        return []
    return sorted(p.name for p in folder.iterdir() if p.name not in MNIST_FILES
                  and p.name != ".tftrain_compat_mnist.lock")


class LoopbackServer:
    """An http.server on 127.0.0.1 in a daemon thread, serving ``files`` by name.

    ``behaviour[name]``: ``"ok"`` (default), ``"drop"`` (announce the full length, send half,
    close), ``"drop_once"`` (drop on the first request only), ``"slow"`` (wait before answering
    until the server stops). ``requests`` counts GETs per name. With ``tls`` (a trustme CA) it
    speaks HTTPS with a certificate for 127.0.0.1. It shuts itself down after ``lifetime`` s.
    """

    def __init__(self, files: dict[str, bytes], tls: Any = None, lifetime: float = 60.0) -> None:
        self.files = dict(files)
        self.behaviour: dict[str, str] = {}
        self.redirects: dict[str, str] = {}
        self.requests: collections.Counter[str] = collections.Counter()
        self.tls = tls
        self.lifetime = lifetime
        self._stop = threading.Event()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return "%s://127.0.0.1:%d/" % (scheme, self.server.server_address[1])

    def __enter__(self) -> LoopbackServer:
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                name = self.path.lstrip("/")
                with owner._lock:
                    owner.requests[name] += 1
                    count = owner.requests[name]
                body = owner.files.get(name)
                mode = owner.behaviour.get(name, "ok")
                if name in owner.redirects:
                    self.send_response(302)
                    self.send_header("Location", owner.redirects[name])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if body is None:
                    self.send_error(404)
                    return
                if mode == "slow":
                    owner._stop.wait(owner.lifetime)
                    self.close_connection = True
                    return
                dropping = mode == "drop" or (mode == "drop_once" and count == 1)
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                if dropping:
                    self.send_header("Connection", "close")
                self.end_headers()
                try:
                    self.wfile.write(body[: len(body) // 2] if dropping else body)
                    self.wfile.flush()
                except OSError:
                    pass
                if dropping:
                    self.close_connection = True

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if self.tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.tls.issue_cert("127.0.0.1").configure_cert(context)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()
        self._timer = threading.Timer(self.lifetime, self.stop)
        self._timer.daemon = True
        self._timer.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()

    def __exit__(self, *exc: Any) -> None:
        self._timer.cancel()
        self.stop()
        self.thread.join(5)
