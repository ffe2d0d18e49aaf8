"""IDX files (the MNIST container format): parsing, writing, and the reader's error type.

An MNIST file is a gzip stream holding a big-endian header and raw uint8 data:

* images: magic ``2051`` (``0x00000803``: ubyte, 3 dimensions), count, rows, cols, then
  ``count * rows * cols`` pixels;
* labels: magic ``2049`` (``0x00000801``: ubyte, 1 dimension), count, then ``count`` bytes.

TF1 read exactly the number of bytes the header announced and ignored anything after it; a short
file gave a confusing NumPy error. Here a file whose payload does not match its header, and any
broken gzip stream, raises :class:`MNISTDataError` naming the file and what was expected.
This module only needs NumPy and the standard library.
"""

from __future__ import annotations

import gzip
import os
import zlib
from typing import BinaryIO

import numpy as np

IMAGE_MAGIC = 2051
LABEL_MAGIC = 2049
_CHUNK = 1 << 20


class MNISTDataError(ValueError):
    """A missing, unreachable, corrupt or unverifiable MNIST file.

    A subclass of ``ValueError`` so that code written for TF1, whose reader raised ``ValueError``
    (e.g. ``Invalid magic number ...``), still catches it. ``filename`` names the file concerned
    (a path or a bare MNIST file name) when there is one.
    """

    def __init__(self, message: str, filename: str | None = None) -> None:
        super().__init__(message)
        self.filename = filename


# Tracebacks print ``module.Class``: name the public module that exports it, not this private one
# (the class is importable, and picklable, from there).
MNISTDataError.__module__ = "tftrain_compat.examples.tutorials.mnist.input_data"


def temp_file_beside(path: str) -> tuple[int, str]:
    """Open a new, unique, hidden ``.part`` file in ``path``'s folder; returns (fd, its path).

    Created with mode 0666 less the umask -- the mode any file the user creates gets -- so the
    final file has it after ``os.replace`` (``tempfile.mkstemp`` would leave it 0600).
    """
    folder = os.path.dirname(os.path.abspath(path))
    prefix = "." + os.path.basename(path) + "."
    for _ in range(100):
        tmp = os.path.join(folder, prefix + os.urandom(6).hex() + ".part")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError("could not create a temporary file beside %s" % path)


def stream_name(f: object) -> str:
    """The name TF1 printed for a file object: its ``name``, else a placeholder."""
    name = getattr(f, "name", None)
    if isinstance(name, (str, bytes, os.PathLike)):
        return os.fsdecode(name)
    return "<%s>" % type(f).__name__


def _read_exact(gz: gzip.GzipFile, size: int) -> bytes:
    """Read up to ``size`` bytes (fewer only at end of stream), in bounded chunks."""
    parts = []
    remaining = size
    while remaining > 0:
        block = gz.read(min(_CHUNK, remaining))
        if not block:
            break
        parts.append(block)
        remaining -= len(block)
    return b"".join(parts)


def _read_payload(f: BinaryIO, name: str, header_words: int, magic: int, kind: str) -> tuple[list[int], np.ndarray]:
    """Parse one gzip'd IDX stream; returns the header words (after the magic) and the data."""
    header_size = 4 * (1 + header_words)
    try:
        with gzip.GzipFile(fileobj=f, mode="rb") as gz:
            header = _read_exact(gz, header_size)
            if len(header) < 4:
                raise MNISTDataError(
                    "MNIST %s file %s is truncated: expected a %d-byte header, got %d bytes"
                    % (kind, name, header_size, len(header)), name)
            found_magic = int(np.frombuffer(header[:4], dtype=">u4")[0])
            if found_magic != magic:
                # TF1's text, kept word for word (scripts and tests match on it).
                raise MNISTDataError(
                    "Invalid magic number %d in MNIST %s file: %s" % (found_magic, kind, name), name)
            if len(header) < header_size:
                raise MNISTDataError(
                    "MNIST %s file %s is truncated: expected a %d-byte header, got %d bytes"
                    % (kind, name, header_size, len(header)), name)
            words = [int(w) for w in np.frombuffer(header[4:], dtype=">u4")]
            expected = int(np.prod(words, dtype=object))
            data = _read_exact(gz, expected)
            if len(data) < expected:
                raise MNISTDataError(
                    "MNIST %s file %s is truncated: its header announces %s, i.e. %d bytes of data, "
                    "but the file holds only %d" % (kind, name, _describe(kind, words), expected, len(data)),
                    name)
            if gz.read(1):
                raise MNISTDataError(
                    "MNIST %s file %s has data after the %d bytes its header announces (%s); "
                    "the header or the file is wrong" % (kind, name, expected, _describe(kind, words)),
                    name)
    except MNISTDataError:
        raise
    except (EOFError, zlib.error, gzip.BadGzipFile) as err:
        raise MNISTDataError(
            "MNIST %s file %s is not a complete gzip stream (%s: %s); it is truncated or corrupt, "
            "delete it and fetch it again" % (kind, name, type(err).__name__, err), name) from None
    return words, np.frombuffer(data, dtype=np.uint8)


def _describe(kind: str, words: list[int]) -> str:
    if kind == "image":
        return "%d images of %d x %d pixels" % tuple(words)
    return "%d labels" % words[0]


def read_images(f: BinaryIO) -> np.ndarray:
    """Images from a gzip'd IDX stream as a read-only uint8 array ``[count, rows, cols, 1]``."""
    name = stream_name(f)
    (num, rows, cols), data = _read_payload(f, name, 3, IMAGE_MAGIC, "image")
    if rows * cols >= np.iinfo(np.intp).max:  # no data (num 0) but a shape numpy cannot hold
        raise MNISTDataError(
            "MNIST image file %s announces %s, an array shape too large to exist; the header "
            "is wrong" % (name, _describe("image", [num, rows, cols])), name)
    return data.reshape(num, rows, cols, 1)


def read_labels(f: BinaryIO) -> np.ndarray:
    """Labels from a gzip'd IDX stream as a read-only uint8 array ``[count]``."""
    name = stream_name(f)
    _, data = _read_payload(f, name, 1, LABEL_MAGIC, "label")
    return data


def _as_uint8(array: object, what: str) -> np.ndarray:
    arr = np.asarray(array)
    if arr.dtype == np.uint8:
        return arr
    if arr.dtype.kind not in "iub":
        raise TypeError("%s must be an integer array with values 0..255, got dtype %s" % (what, arr.dtype))
    if arr.size and (arr.min() < 0 or arr.max() > 255):
        raise ValueError("%s must hold values 0..255, got %d..%d" % (what, arr.min(), arr.max()))
    return arr.astype(np.uint8)


def encode_images(images: object) -> bytes:
    """The uncompressed IDX bytes for images ``[count, rows, cols]`` or ``[count, rows, cols, 1]``."""
    arr = _as_uint8(images, "images")
    if arr.ndim == 4 and arr.shape[3] == 1:
        arr = arr[..., 0]
    if arr.ndim != 3:
        raise ValueError("images must have shape [count, rows, cols] or [count, rows, cols, 1], got %s"
                         % (arr.shape,))
    header = np.array([IMAGE_MAGIC, *arr.shape], dtype=">u4").tobytes()
    return header + np.ascontiguousarray(arr).tobytes()


def encode_labels(labels: object) -> bytes:
    """The uncompressed IDX bytes for labels ``[count]``."""
    arr = _as_uint8(labels, "labels")
    if arr.ndim != 1:
        raise ValueError("labels must have shape [count], got %s" % (arr.shape,))
    header = np.array([LABEL_MAGIC, arr.shape[0]], dtype=">u4").tobytes()
    return header + arr.tobytes()


def write_gzip_atomic(path: str | os.PathLike[str], payload: bytes, compresslevel: int = 6) -> None:
    """Write ``payload`` gzip'd to ``path`` through a temporary file in the same folder + ``os.replace``.

    The gzip header carries no time stamp, so equal payloads give equal files.
    """
    path = os.fspath(path)
    fd, tmp = temp_file_beside(path)
    try:
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=compresslevel,
                                                       mtime=0, filename="") as gz:
            gz.write(payload)
        os.replace(tmp, path)
    except BaseException:
        _unlink_quietly(tmp)
        raise


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
