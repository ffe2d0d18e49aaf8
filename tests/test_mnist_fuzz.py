"""Fuzzing the IDX parser: whatever the bytes, ``extract_images``/``extract_labels`` either return
an array consistent with the header or raise ``MNISTDataError``, and they finish quickly."""

from __future__ import annotations

import contextlib
import gzip
import io
import sys
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mnist_helpers import mnist_env  # noqa: E402,F401

from tftrain_compat._src import idx  # noqa: E402
from tftrain_compat.examples.tutorials.mnist import input_data  # noqa: E402

FUZZ = settings(max_examples=300, deadline=timedelta(seconds=2),
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
READERS = {"images": input_data.extract_images, "labels": input_data.extract_labels}


def parse(kind: str, data: bytes) -> np.ndarray | None:
    """The parsed array, or None when the parser raised its documented error (and nothing else)."""
    stream = io.BytesIO(data)
    stream.name = "fuzz-%s.gz" % kind
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            return READERS[kind](stream)
        except input_data.MNISTDataError as err:
            assert "fuzz-%s.gz" % kind in str(err)  # every message names the file
            return None


def header(kind: str, magic: int, dims: list[int]) -> bytes:
    return np.array([magic, *dims[: 3 if kind == "images" else 1]], ">u4").tobytes()


def check_consistent(kind: str, result: np.ndarray | None, payload: bytes) -> None:
    if result is None:
        return
    words = np.frombuffer(payload[: 16 if kind == "images" else 8], ">u4")
    expected = (int(words[1]), int(words[2]), int(words[3]), 1) if kind == "images" else (int(words[1]),)
    assert result.dtype == np.uint8 and result.shape == expected
    assert result.tobytes() == payload[len(words) * 4:]


kinds = st.sampled_from(["images", "labels"])


@FUZZ
@given(kind=kinds, data=st.binary(max_size=400))
def test_arbitrary_bytes(kind: str, data: bytes) -> None:
    assert parse(kind, data) is None or data[:2] == b"\x1f\x8b"


@FUZZ
@given(kind=kinds, payload=st.binary(max_size=400))
def test_arbitrary_gzipped_payloads(kind: str, payload: bytes) -> None:
    check_consistent(kind, parse(kind, gzip.compress(payload)), payload)


dims = st.lists(st.one_of(st.integers(0, 6), st.integers(0, 2**32 - 1)), min_size=3, max_size=3)


@FUZZ
@given(kind=kinds, magic=st.sampled_from([2049, 2051, 0, 2**32 - 1]), dims=dims, body=st.binary(max_size=300),
       cut=st.integers(0, 40))
@example(kind="images", magic=2051, dims=[0, 3_036_988_439, 3_037_012_561], body=b"", cut=0)
def test_headers_with_any_counts(kind: str, magic: int, dims: list[int], body: bytes, cut: int) -> None:
    """Huge announced sizes must not allocate them; short, long and cut-off streams are errors."""
    payload = header(kind, magic, dims) + body
    check_consistent(kind, parse(kind, gzip.compress(payload)), payload)
    compressed = gzip.compress(payload)
    assert parse(kind, compressed[: max(0, len(compressed) - 1 - cut)]) is None


@FUZZ
@given(count=st.integers(0, 5), rows=st.integers(0, 5), cols=st.integers(0, 5), seed=st.integers(0, 2**32 - 1),
       data=st.data())
def test_written_files_read_back_and_any_damage_is_caught(count: int, rows: int, cols: int, seed: int,
                                                          data: st.DataObject, tmp_path: Path) -> None:
    from tftrain_compat import datasets

    rng = np.random.RandomState(seed)
    images = rng.randint(0, 256, size=(count, rows, cols)).astype(np.uint8)
    labels = rng.randint(0, 256, size=count).astype(np.uint8)
    paths = (datasets.write_idx_images(tmp_path / "i.gz", images), datasets.write_idx_labels(tmp_path / "l.gz", labels))
    blobs = [Path(path).read_bytes() for path in paths]
    assert np.array_equal(parse("images", blobs[0])[..., 0], images)
    assert np.array_equal(parse("labels", blobs[1]), labels)
    for kind, blob in zip(("images", "labels"), blobs):
        # Cutting the file anywhere is always reported.
        assert parse(kind, blob[: data.draw(st.integers(0, len(blob) - 1))]) is None
        # Flipping a byte is caught by gzip's CRC or the header checks, or leaves a consistent array.
        position = data.draw(st.integers(0, len(blob) - 1))
        damaged = bytearray(blob)
        damaged[position] ^= data.draw(st.integers(1, 255))
        result = parse(kind, bytes(damaged))
        if result is not None:
            check_consistent(kind, result, gzip.decompress(bytes(damaged)))


def test_parser_never_reads_an_announced_size_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A header announcing 2**96 bytes is read in bounded chunks (no giant allocation)."""
    sizes = []
    real = gzip.GzipFile.read

    def read(self: gzip.GzipFile, size: int = -1) -> bytes:
        sizes.append(size)
        return real(self, size)

    monkeypatch.setattr(gzip.GzipFile, "read", read)
    payload = header("images", 2051, [2**32 - 1] * 3) + bytes(100)
    assert parse("images", gzip.compress(payload)) is None
    assert max(sizes) <= idx._CHUNK and -1 not in sizes
