"""Where the MNIST reader finds its four files, and how it fetches and verifies them.

``Resolver.ensure(filename)`` returns the path of ``filename`` in ``train_dir``. A file already
there is used as is (TF1 did the same). Otherwise the sources are tried in this order, and one
:class:`MNISTDataError` lists every one of them if none works:

1. ``source_url``, when the caller passed one other than TF1's default;
2. ``$TFTRAIN_COMPAT_MNIST_SOURCE``: a folder, ``file://`` URL or ``https://`` URL, or ``sample``
   for the 7,000-digit sample shipped inside the package (``SAMPLE_DIR``; used only when asked);
3. the Keras cache, ``$KERAS_HOME/datasets/mnist.npz`` (default ``~/.keras/datasets/mnist.npz``);
4. TF1's default URL.

Every fetched file is checked before it is moved into ``train_dir`` with ``os.replace``: against
``SHA256SUMS`` at the source if the source has one, else against the published MD5 of the
canonical MNIST file (refused on mismatch unless ``$TFTRAIN_COMPAT_MNIST_ALLOW_UNVERIFIED`` is
set), and then parsed. A failed fetch leaves nothing behind. See tftrain_compat/docs/mnist_reader.md (shipped in the package).
"""

from __future__ import annotations

import functools
import hashlib
import http.client
import logging
import os
import random
import re
import shutil
import ssl
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from typing import TYPE_CHECKING, Any, Callable, TypeVar

import numpy as np

from tftrain_compat._src import idx
from tftrain_compat._src.idx import MNISTDataError

# Where a file came from is logged at DEBUG (TF1's reader printed only its "Extracting" and
# "Successfully downloaded" lines); waiting on a source, retries and lock trouble are warnings.
_log = logging.getLogger("tftrain_compat.mnist")
_T = TypeVar("_T")
if TYPE_CHECKING:
    import filelock

DEFAULT_SOURCE_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"
TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
MNIST_FILES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)
# The published MD5s of the canonical files (the ones torchvision checks).
CANONICAL_MD5 = {
    TRAIN_IMAGES: "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    TRAIN_LABELS: "d53e105ee54ea40749a09fcbcd1e9432",
    TEST_IMAGES: "9fb629c4189551a2d022fa330f9573f3",
    TEST_LABELS: "ec29112dd5afa0611ce80d1b7f02629c",
}
# SHA-256 of mnist.npz as Keras publishes it (keras.datasets.mnist.load_data checks the same).
KERAS_MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
_KERAS_KEYS = {TRAIN_IMAGES: "x_train", TRAIN_LABELS: "y_train", TEST_IMAGES: "x_test", TEST_LABELS: "y_test"}

ENV_SOURCE = "TFTRAIN_COMPAT_MNIST_SOURCE"
ENV_OFFLINE = "TFTRAIN_COMPAT_MNIST_OFFLINE"
ENV_ALLOW_HTTP = "TFTRAIN_COMPAT_MNIST_ALLOW_HTTP"
ENV_ALLOW_UNVERIFIED = "TFTRAIN_COMPAT_MNIST_ALLOW_UNVERIFIED"
ENV_TIMEOUT = "TFTRAIN_COMPAT_MNIST_TIMEOUT"
ENV_RETRIES = "TFTRAIN_COMPAT_MNIST_RETRIES"
SUMS_NAME = "SHA256SUMS"
SAMPLE = "sample"  # $TFTRAIN_COMPAT_MNIST_SOURCE value that names the packaged sample
GUIDE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs",
                     "mnist_reader.md")  # shipped with the package; named by the reader's errors
SAMPLE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "_data",
                          "mnist_sample")
LOCK_NAME = ".tftrain_compat_mnist.lock"

IMAGE_ROWS = IMAGE_COLS = 28
NUM_CLASSES = 10
_RETRY_DELAY_S = 1.0        # first back-off delay; doubles per retry, capped, +-25 % jitter
_RETRY_DELAY_MAX_S = 16.0
_WAIT_NOTICE_S = 5.0        # a request unanswered this long is reported (a warning)
_LOCK_TIMEOUT_S = 600.0
_MAX_DOWNLOAD_BYTES = 256 << 20
_MAX_SUMS_BYTES = 1 << 20
_SUMS_LINE = re.compile(r"^([0-9a-fA-F]{64}) [ *](.+)$")


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _number(name: str, default: float, convert: Callable[[str], float], minimum: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = convert(text)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise MNISTDataError("$%s must be a number >= %s, got %r" % (name, minimum, text))
    return value


class _Failed(Exception):
    """One source could not provide one file; the text says why."""


class _Transient(Exception):
    """A failure worth retrying (timeout, dropped connection, HTTP 5xx)."""


def is_images_file(filename: str) -> bool:
    return "-images-" in filename


def check_images(images: np.ndarray, name: str) -> None:
    """MNIST's layout: 28 x 28 pixels (TF1 accepted any size; the tutorials' models need 784)."""
    if images.shape[1:3] != (IMAGE_ROWS, IMAGE_COLS):
        raise MNISTDataError("MNIST image file %s holds images of %d x %d pixels; expected %d x %d"
                             % (name, images.shape[1], images.shape[2], IMAGE_ROWS, IMAGE_COLS), name)


def check_labels(labels: np.ndarray, name: str) -> None:
    if labels.size and int(labels.max()) >= NUM_CLASSES:
        raise MNISTDataError("MNIST label file %s holds label %d; expected labels 0..%d"
                             % (name, int(labels.max()), NUM_CLASSES - 1), name)


def parse_file(path: str, filename: str) -> np.ndarray:
    """Parse and check one of the four files (images by name); raises MNISTDataError."""
    with open(path, "rb") as f:
        if is_images_file(filename):
            array = idx.read_images(f)
            check_images(array, path)
        else:
            array = idx.read_labels(f)
            check_labels(array, path)
    return array


def _hashes(path: str) -> tuple[str, str]:
    sha, md5 = hashlib.sha256(), hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            sha.update(block)
            md5.update(block)
    return sha.hexdigest(), md5.hexdigest()


def parse_sums(text: str, where: str) -> dict[str, str]:
    """``sha256sum`` output -> {file name: hex digest}. Blank lines and ``#`` comments are skipped."""
    sums = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = _SUMS_LINE.match(line)
        if not match:
            raise _Failed("%s line %d is not in sha256sum format: %r" % (where, number, line[:80]))
        name = match.group(2).strip()
        sums[name[2:] if name.startswith("./") else name] = match.group(1).lower()
    return sums


class _Source:
    """Base: fetch ``filename`` into ``dest`` (verified, parsed, atomically renamed) or raise _Failed."""

    label = ""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver

    def fetch(self, filename: str, dest: str) -> None:
        raise NotImplementedError

    @functools.cached_property
    def sums(self) -> dict[str, str] | None:
        """The source's SHA256SUMS as {name: digest}, None when it has none (looked up once)."""
        return self.load_sums()

    def load_sums(self) -> dict[str, str] | None:
        return None

    def install(self, tmp: str, filename: str, dest: str) -> None:
        """Verify the temporary copy ``tmp``, parse it, then rename it to ``dest``."""
        sha, md5 = _hashes(tmp)
        sums = self.sums
        if sums is not None:
            if filename not in sums:
                raise _Failed("its %s does not list %s" % (SUMS_NAME, filename))
            if sums[filename] != sha:
                raise _Failed("checksum mismatch for %s: %s says SHA-256 %s, the file has %s"
                              % (filename, SUMS_NAME, sums[filename], sha))
        elif CANONICAL_MD5.get(filename) != md5:
            expected = CANONICAL_MD5.get(filename)
            what = ("not the canonical MNIST file (MD5 %s, expected %s)" % (md5, expected) if expected
                    else "a file with no published checksum")
            if not self.resolver.allow_unverified:
                raise _Failed("%s is %s and the source has no %s; add one there, or set $%s=1 to accept it"
                              % (filename, what, SUMS_NAME, ENV_ALLOW_UNVERIFIED))
            warnings.warn("accepting unverified %s from %s: it is %s ($%s is set)"
                          % (filename, self.label, what, ENV_ALLOW_UNVERIFIED), stacklevel=2)
        try:
            parse_file(tmp, filename)
        except MNISTDataError as err:
            raise _Failed(str(err).replace(tmp, filename)) from None
        os.replace(tmp, dest)


def _temp_in(dest: str) -> str:
    fd, tmp = idx.temp_file_beside(dest)  # the umask's mode, as any file the user creates
    os.close(fd)
    return tmp


class _FolderSource(_Source):
    def __init__(self, resolver: Resolver, label: str, folder: str) -> None:
        super().__init__(resolver)
        self.label, self.folder = label, folder

    def load_sums(self) -> dict[str, str] | None:
        path = os.path.join(self.folder, SUMS_NAME)
        if not os.path.isfile(path):
            return None
        with open(path, encoding="utf-8", errors="replace") as f:
            return parse_sums(f.read(_MAX_SUMS_BYTES), path)

    def fetch(self, filename: str, dest: str) -> None:
        src = os.path.join(self.folder, filename)
        if not os.path.isdir(self.folder):
            raise _Failed("no such folder")
        if not os.path.isfile(src):
            raise _Failed("the folder has no %s" % filename)
        tmp = _temp_in(dest)
        try:
            shutil.copyfile(src, tmp)
            self.install(tmp, filename, dest)
        finally:
            idx._unlink_quietly(tmp)
        _log.debug("Copied %s from %s", filename, self.folder)


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    def __init__(self, allow_http: bool) -> None:
        self.allow_http = allow_http

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        scheme = urllib.parse.urlsplit(newurl).scheme.lower()
        if scheme != "https" and not (scheme == "http" and self.allow_http):
            raise urllib.error.URLError("refused redirect to %s (https only unless $%s=1)"
                                        % (newurl, ENV_ALLOW_HTTP))
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _transient(err: BaseException) -> bool:
    if isinstance(err, urllib.error.HTTPError):
        return err.code >= 500 or err.code in (408, 429)
    if isinstance(err, urllib.error.URLError) and isinstance(err.reason, BaseException):
        err = err.reason
    return isinstance(err, (TimeoutError, ConnectionError, ssl.SSLEOFError, http.client.IncompleteRead, _Transient))


def _reason(err: BaseException) -> str:
    if isinstance(err, urllib.error.HTTPError):
        return "HTTP %d %s" % (err.code, err.reason)
    if isinstance(err, urllib.error.URLError):
        if not isinstance(err.reason, BaseException):
            return str(err.reason)
        err = err.reason
    if isinstance(err, _Transient):
        return str(err)
    if isinstance(err, TimeoutError):
        return "timed out (no data for %gs; see $%s)" % (_timeout(), ENV_TIMEOUT)
    return "%s: %s" % (type(err).__name__, err)


def _timeout() -> float:
    return _number(ENV_TIMEOUT, 30.0, float, 0.001)


class _UrlSource(_Source):
    def __init__(self, resolver: Resolver, label: str, url: str) -> None:
        super().__init__(resolver)
        self.label = label
        self.url = url if url.endswith("/") else url + "/"
        self.scheme = urllib.parse.urlsplit(url).scheme.lower()

    def _open(self, url: str) -> Any:
        opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=self.resolver.ssl_context()),
            _RedirectHandler(self.resolver.allow_http))
        request = urllib.request.Request(url, headers={"User-Agent": "tftrain_compat-mnist"})
        timeout = self.resolver.timeout
        # A source that does not answer would otherwise mean silence for the whole timeout.
        notice = threading.Timer(min(_WAIT_NOTICE_S, timeout / 2), _log.warning, args=(
            "MNIST: waiting for %s (%s): no answer yet; giving up after %gs without data ($%s), "
            "then retrying up to %d times ($%s)", url, self.label, timeout, ENV_TIMEOUT,
            self.resolver.retries, ENV_RETRIES))
        notice.daemon = True
        notice.start()
        try:
            return opener.open(request, timeout=timeout)
        finally:
            notice.cancel()

    def _with_retries(self, what: str, attempt: Callable[[], _T]) -> _T:
        tries = self.resolver.retries + 1
        for number in range(1, tries + 1):
            try:
                return attempt()
            except (OSError, http.client.HTTPException, _Transient) as err:
                if not _transient(err) or number == tries:
                    suffix = " (after %d attempts)" % tries if _transient(err) and tries > 1 else ""
                    raise _Failed("%s: %s%s" % (what, _reason(err), suffix)) from None
                delay = min(_RETRY_DELAY_S * 2 ** (number - 1), _RETRY_DELAY_MAX_S)
                delay *= random.uniform(0.75, 1.25)
                _log.warning("MNIST: %s: %s; retrying in %.1fs (attempt %d of %d; $%s sets the "
                             "number of retries)", what, _reason(err), delay, number + 1, tries,
                             ENV_RETRIES)
                time.sleep(delay)
        raise AssertionError("unreachable")

    def _check_allowed(self) -> None:
        if self.scheme not in ("https", "http"):
            raise _Failed("unsupported URL scheme %r (use https://, file:// or a folder)" % self.scheme)
        if self.resolver.offline:
            raise _Failed("skipped: $%s is set" % ENV_OFFLINE)
        if self.scheme == "http" and not self.resolver.allow_http:
            raise _Failed("refused: plain http:// is not verified in transit; use https://, "
                          "or set $%s=1 to allow it" % ENV_ALLOW_HTTP)

    def load_sums(self) -> dict[str, str] | None:
        url = self.url + SUMS_NAME

        def get() -> bytes | None:
            try:
                with self._open(url) as response:
                    return response.read(_MAX_SUMS_BYTES)
            except urllib.error.HTTPError as err:
                if err.code in (401, 403, 404, 410):
                    return None
                raise

        data = self._with_retries(url, get)
        return None if data is None else parse_sums(data.decode("utf-8", "replace"), url)

    def fetch(self, filename: str, dest: str) -> None:
        self._check_allowed()
        self.sums  # noqa: B018 -- SHA256SUMS first: an unreachable source fails before any download
        url = self.url + filename
        tmp = _temp_in(dest)
        try:
            size = self._with_retries(url, lambda: self._download(url, filename, tmp))
            self.install(tmp, filename, dest)
        finally:
            idx._unlink_quietly(tmp)
        print("Successfully downloaded", filename, size, "bytes.")  # TF1 printed this line.

    def _download(self, url: str, filename: str, tmp: str) -> int:
        from tqdm import tqdm

        with self._open(url) as response, open(tmp, "wb") as out:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            if total is not None and total > _MAX_DOWNLOAD_BYTES:
                raise _Failed("%s announces %d bytes, more than the %d allowed" % (url, total, _MAX_DOWNLOAD_BYTES))
            got = 0
            with tqdm(total=total, desc=filename, unit="B", unit_scale=True, unit_divisor=1024,
                      file=sys.stderr, disable=None, leave=False) as bar:
                for block in iter(lambda: response.read(1 << 16), b""):
                    got += len(block)
                    if got > _MAX_DOWNLOAD_BYTES:
                        raise _Failed("%s sent more than %d bytes" % (url, _MAX_DOWNLOAD_BYTES))
                    out.write(block)
                    bar.update(len(block))
            if total is not None and got != total:
                raise _Transient("connection dropped after %d of %d bytes" % (got, total))
        return got


class _KerasSource(_Source):
    def __init__(self, resolver: Resolver) -> None:
        super().__init__(resolver)
        home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
        self.path = os.path.join(home, "datasets", "mnist.npz")
        self.label = "Keras cache %s" % self.path
        self._arrays: dict[str, np.ndarray] | _Failed | None = None

    def _load(self) -> dict[str, np.ndarray]:
        if self._arrays is None:
            try:
                self._arrays = self._read()
            except _Failed as err:
                self._arrays = err
        if isinstance(self._arrays, _Failed):
            raise _Failed(str(self._arrays))
        return self._arrays

    def _read(self) -> dict[str, np.ndarray]:
        if not os.path.isfile(self.path):
            raise _Failed("does not exist")
        sha, _ = _hashes(self.path)
        if sha != KERAS_MNIST_SHA256:
            if not self.resolver.allow_unverified:
                raise _Failed("SHA-256 %s is not Keras' published %s; set $%s=1 to accept it"
                              % (sha, KERAS_MNIST_SHA256, ENV_ALLOW_UNVERIFIED))
            warnings.warn("accepting unverified %s ($%s is set)" % (self.path, ENV_ALLOW_UNVERIFIED), stacklevel=2)
        try:
            with np.load(self.path, allow_pickle=False) as npz:
                arrays = {key: np.asarray(npz[key]) for key in _KERAS_KEYS.values()}
        except Exception as err:  # zip, npy-format and missing-key errors all mean "unusable"
            raise _Failed("cannot be read as Keras' mnist.npz: %s: %s" % (type(err).__name__, err)) from None
        for name, key in _KERAS_KEYS.items():
            array, ndim = arrays[key], 3 if is_images_file(name) else 1
            if array.dtype != np.uint8 or array.ndim != ndim:
                raise _Failed("%s is %s %s; expected %d-D uint8" % (key, array.dtype, array.shape, ndim))
        return arrays

    def fetch(self, filename: str, dest: str) -> None:
        array = self._load()[_KERAS_KEYS[filename]]
        try:
            if is_images_file(filename):
                check_images(array[..., None], self.path)
                payload = idx.encode_images(array)
            else:
                check_labels(array, self.path)
                payload = idx.encode_labels(array)
        except MNISTDataError as err:
            raise _Failed(str(err)) from None
        idx.write_gzip_atomic(dest, payload, compresslevel=1)
        _log.debug("Wrote %s from %s", dest, self.path)


class Resolver:
    """Finds the files for one ``read_data_sets`` call; holds the folder's lock while writing.

    ``source_url`` is the caller's explicit source (None when not given). With ``only_source``
    it is the only source (TF1's ``maybe_download``); otherwise the full order above applies.
    """

    def __init__(self, train_dir: str, source_url: str | None, only_source: bool = False) -> None:
        self.train_dir = os.fspath(train_dir)
        self.offline = _flag(ENV_OFFLINE)
        self.allow_http = _flag(ENV_ALLOW_HTTP)
        self.allow_unverified = _flag(ENV_ALLOW_UNVERIFIED)
        self.timeout = _timeout()
        self.retries = int(_number(ENV_RETRIES, 2, int, 0))
        self._ssl: ssl.SSLContext | None = None
        self._lock: filelock.BaseFileLock | None = None
        self.sources: list[tuple[str, _Source | str]] = []  # (label, source or why it is absent)
        self._add("source_url", source_url, "not given")
        if not only_source:
            self._add("$" + ENV_SOURCE, os.environ.get(ENV_SOURCE, "").strip(), "not set")
            keras = _KerasSource(self)
            self.sources.append((keras.label, keras))
            self._add("TF1 default URL", DEFAULT_SOURCE_URL, "")

    def _add(self, label: str, where: str | None, absent: str) -> None:
        if not where:
            self.sources.append((label, absent))
            return
        if where == SAMPLE and label.startswith("$"):
            self.sources.append((label, _FolderSource(
                self, "%s=%s (the packaged 7,000-digit sample, not the full MNIST)" % (label, SAMPLE),
                SAMPLE_DIR)))
            return
        if where.lower().startswith("file://"):
            path = urllib.request.url2pathname(urllib.parse.urlsplit(where).path)
            self.sources.append((label, _FolderSource(self, "%s %s" % (label, where), path)))
        elif re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", where):
            self.sources.append((label, _UrlSource(self, "%s %s" % (label, where), where)))
        else:
            self.sources.append((label, _FolderSource(self, "%s %s" % (label, where), os.path.abspath(where))))

    def ssl_context(self) -> ssl.SSLContext:
        if self._ssl is None:  # the platform's store; honours $SSL_CERT_FILE / $SSL_CERT_DIR
            self._ssl = ssl.create_default_context()
        return self._ssl

    def ensure(self, filename: str) -> str:
        """The path of ``filename`` in train_dir, fetched from the first source that works."""
        dest = os.path.join(self.train_dir, filename)
        if os.path.exists(dest):
            return dest
        self._make_dir_and_lock()
        if os.path.exists(dest):  # another process fetched it while we waited for the lock
            return dest
        tried = ["train_dir: %s does not exist" % dest]
        causes: list[str] = []  # why configured sources failed (not merely absent), in order
        for label, source in self.sources:
            if isinstance(source, str):
                tried.append("%s: %s" % (label, source))
                continue
            try:
                source.fetch(filename, dest)
            except _Failed as err:
                tried.append("%s: %s" % (source.label, err))
                if not isinstance(source, _KerasSource) and not str(err).startswith("skipped"):
                    causes.append("%s: %s" % (source.label, err))
                continue
            except OSError as err:  # e.g. train_dir not writable
                tried.append("%s: %s: %s" % (source.label, type(err).__name__, err))
                causes.append(tried[-1])
                continue
            if len(tried) > 1:
                _log.debug("Fetched %s from %s after: %s", filename, source.label, "; ".join(tried))
            return dest
        lines = "\n".join("  %d. %s" % (n, text) for n, text in enumerate(tried, 1))
        first = (": " + causes[0]) if causes else ""  # the real cause first, then the whole list
        raise MNISTDataError(
            "Could not find or fetch MNIST file %s for train_dir %r%s\nTried, in order:\n%s\n"
            "- help: copy the four MNIST .gz files into %s, or set $%s to a folder or https:// URL "
            "that holds them, or to %r for the packaged sample (the reader's guide: %s)"
            % (filename, self.train_dir, first, lines, self.train_dir, ENV_SOURCE, SAMPLE, GUIDE),
            filename)

    def _make_dir_and_lock(self) -> None:
        if self._lock is not None:
            return
        try:
            os.makedirs(self.train_dir, exist_ok=True)
        except OSError as err:
            raise MNISTDataError("Cannot create train_dir %r: %s" % (self.train_dir, err), self.train_dir) from None
        import filelock

        lock = filelock.FileLock(os.path.join(self.train_dir, LOCK_NAME), timeout=_LOCK_TIMEOUT_S)
        try:
            lock.acquire()
        except (filelock.Timeout, OSError) as err:
            # Safe without the lock too: every write is a rename of a complete, verified file.
            _log.warning("Proceeding without the lock on %s: %s", self.train_dir, err)
            return
        self._lock = lock

    def close(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None
