"""The reader as a newcomer meets it: the packaged sample, the ``demo`` command, file modes,
empty files, a source that never answers, the order of an error's lines, public class names.

References: the real digits in ../shared/mnist_small (the sample must be their first records,
byte for byte), the umask (POSIX's rule for a new file's mode), and a loopback server.
"""
from __future__ import annotations

import gzip
import logging
import os
import pickle
import shutil
import socket
import stat
import subprocess
import sys
import threading
import traceback
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest

from mnist_helpers import MNIST_FILES, REPO, mnist_env, shared_mnist  # noqa: F401 (fixture)
from tftrain_compat._src import idx, mnist_sources
from tftrain_compat.examples.tutorials.mnist import input_data

SAMPLE = Path(mnist_sources.SAMPLE_DIR)


def _records(path: Path) -> tuple[int, bytes]:
    data = gzip.open(path).read()
    header = 16 if "images" in path.name else 8
    return int.from_bytes(data[4:8], "big"), data[header:]


# ----- the sample --------------------------------------------------------------------------
def test_sample_is_the_first_records_of_the_real_digits() -> None:
    counts = {}
    for name in MNIST_FILES:
        n, payload = _records(SAMPLE / name)
        m, full = _records(shared_mnist() / name)
        per = 784 if "images" in name else 1
        assert len(payload) == n * per and payload == full[: n * per] and n < m
        counts[name] = n
    assert counts == {MNIST_FILES[0]: 6000, MNIST_FILES[1]: 6000, MNIST_FILES[2]: 1000,
                      MNIST_FILES[3]: 1000}
    notice = (SAMPLE / "README.md").read_text(encoding="utf-8")
    assert "CC BY-SA 3.0" in notice and "LeCun" in notice


def test_sample_only_when_asked(mnist_env, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_OFFLINE", "1")
    with pytest.raises(input_data.MNISTDataError):  # not asked: the sample is never a fallback
        input_data.read_data_sets(str(tmp_path / "a"))
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_SOURCE", "sample")
    data = input_data.read_data_sets(str(tmp_path / "b"), one_hot=True)
    assert (data.train.num_examples, data.validation.num_examples, data.test.num_examples) == (1000, 5000, 1000)
    ref = input_data.read_data_sets(str(shared_mnist()), one_hot=True)
    assert np.array_equal(data.test.images, ref.test.images[:1000])
    assert np.array_equal(data.validation.labels, ref.validation.labels)
    assert not mnist_env.refused


def test_demo_runs_offline_and_leaves_the_folder_clean(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TFTRAIN_COMPAT_MNIST_") and k != "TF_CPP_MIN_LOG_LEVEL"}
    env.update(PYTHONPATH=str(REPO), TFTRAIN_COMPAT_MNIST_OFFLINE="1",
               KERAS_HOME=str(tmp_path / "no_keras"))
    work = tmp_path / "work"
    work.mkdir()
    result = subprocess.run([sys.executable, "-m", "tftrain_compat", "demo", "--steps=200"],
                            cwd=str(work), env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    accuracy = float(result.stdout.strip().splitlines()[-1].split()[-1])
    assert 0.85 < accuracy <= 1.0, result.stdout  # softmax regression on real digits learns
    assert "step 200, loss" in result.stdout
    assert list(work.iterdir()) == []  # MNIST_data went to a temporary folder
    assert result.stderr == ""             # quiet: no TF banner, no reader chatter


# ----- file modes --------------------------------------------------------------------------
@pytest.fixture(params=[0o022, 0o002, 0o077])
def umask(request) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def test_fetched_files_get_the_umasks_mode(mnist_env, tmp_path: Path, monkeypatch, umask: int) -> None:
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_SOURCE", str(shared_mnist()))
    input_data.read_data_sets(str(tmp_path / "MNIST_data"))
    for name in MNIST_FILES:
        mode = stat.S_IMODE(os.stat(tmp_path / "MNIST_data" / name).st_mode)
        assert mode == 0o666 & ~umask, (name, oct(mode))
    idx.write_gzip_atomic(tmp_path / "written.gz", b"abc")  # the Keras-cache path writes this way
    assert stat.S_IMODE(os.stat(tmp_path / "written.gz").st_mode) == 0o666 & ~umask


# ----- errors ------------------------------------------------------------------------------
def test_zero_byte_file_gets_delete_it_advice(mnist_env, tmp_path: Path) -> None:
    folder = tmp_path / "MNIST_data"
    folder.mkdir()
    for name in MNIST_FILES:
        shutil.copy(shared_mnist() / name, folder / name)
    (folder / MNIST_FILES[1]).write_bytes(b"")
    with pytest.raises(input_data.MNISTDataError) as err:
        input_data.read_data_sets(str(folder))
    text = str(err.value)
    assert "is empty (0 bytes)" in text and "delete it" in text and MNIST_FILES[1] in text
    assert err.value.filename == str(folder / MNIST_FILES[1])


def test_error_class_prints_its_public_name(mnist_env, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_OFFLINE", "1")
    try:
        input_data.read_data_sets(str(tmp_path / "x"))
    except input_data.MNISTDataError as exc:
        printed = "".join(traceback.format_exception_only(type(exc), exc))
        again = pickle.loads(pickle.dumps(exc))
    assert printed.startswith("tftrain_compat.examples.tutorials.mnist.input_data.MNISTDataError: ")
    assert "_src" not in printed.splitlines()[0].split(":")[0]
    assert type(again) is input_data.MNISTDataError


def test_checksum_mismatch_is_on_the_first_line(mnist_env, tmp_path: Path, monkeypatch) -> None:
    source = tmp_path / "source"
    shutil.copytree(shared_mnist(), source)
    (source / "SHA256SUMS").write_text(
        "".join(f"{'0' * 64}  {name}\n" for name in MNIST_FILES), encoding="utf-8")
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_SOURCE", str(source))
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_OFFLINE", "1")
    with pytest.raises(input_data.MNISTDataError) as err:
        input_data.read_data_sets(str(tmp_path / "MNIST_data"))
    first = str(err.value).splitlines()[0]
    assert "checksum mismatch for train-images-idx3-ubyte.gz" in first
    assert "Tried, in order:" in str(err.value)  # the full list still follows
    assert not (tmp_path / "MNIST_data" / MNIST_FILES[0]).exists()  # nothing half-written


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A loopback HTTP server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield "http://127.0.0.1:%d/mnist/" % server.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        server.close()


def test_a_source_that_never_answers_is_reported(mnist_env, tmp_path: Path, monkeypatch,
                                                 silent_server: str, caplog) -> None:
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_TIMEOUT", "0.6")
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_RETRIES", "1")
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_ALLOW_HTTP", "1")
    resolver = mnist_sources.Resolver(str(tmp_path / "MNIST_data"), silent_server, only_source=True)
    with caplog.at_level(logging.WARNING, logger="tftrain_compat.mnist"):
        with pytest.raises(input_data.MNISTDataError) as err:
            try:
                resolver.ensure(MNIST_FILES[0])
            finally:
                resolver.close()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(m.startswith("MNIST: waiting for " + silent_server) and "no answer yet" in m
               for m in warnings), warnings
    assert any("retrying in" in m and "attempt 2 of 2" in m for m in warnings), warnings
    assert "timed out" in str(err.value).splitlines()[0]
    assert not list((tmp_path / "MNIST_data").glob(".*.part"))


def test_readme_first_command_is_the_demo_tested_above() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first = readme.split("```bash\n", 1)[1].splitlines()[0]
    assert first.startswith("python3 -m venv .venv && . .venv/bin/activate && pip install -e . && ")
    assert first.endswith("&& python -m tftrain_compat demo")  # run offline by the demo test
