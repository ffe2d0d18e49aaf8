"""Fetching the MNIST files: sources in order, verified downloads, failures that leave nothing
behind, and two processes sharing a folder. Every server here is a loopback http.server; the
``mnist_env`` fixture refuses any other connection."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import trustme

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mnist_helpers import (MNIST_FILES, REPO, LoopbackServer, folder_bytes, leftovers,  # noqa: E402,F401
                           mnist_env, shared_mnist, synthetic_arrays)

from tftrain_compat._src import mnist_sources  # noqa: E402
from tftrain_compat.examples.tutorials.mnist import input_data  # noqa: E402

MNISTDataError = input_data.MNISTDataError


@pytest.fixture(scope="module")
def real_files() -> dict[str, bytes]:
    """The real digits' four files and their SHA256SUMS, as a server would publish them."""
    return folder_bytes(shared_mnist())


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def trust(ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the loopback CA the certificate store, through the standard $SSL_CERT_FILE."""
    pem = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    monkeypatch.setenv("SSL_CERT_FILE", str(pem))


def arrays_of(data: input_data.Datasets) -> list[np.ndarray]:
    return [a for part in data for a in (part.images, part.labels)]


def same_data(a: input_data.Datasets, b: input_data.Datasets) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(arrays_of(a), arrays_of(b)))


@pytest.fixture(scope="module")
def reference() -> input_data.Datasets:
    return input_data.read_data_sets(str(shared_mnist()), validation_size=100)


# ---------------------------------------------------------------- success

def test_https_download_verified_by_sha256sums(ca: trustme.CA, trust: None, real_files: dict[str, bytes],
                                               reference: input_data.Datasets, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "MNIST_data"
    with LoopbackServer(real_files, tls=ca) as server:
        data = input_data.read_data_sets(str(target), source_url=server.url, validation_size=100)
        lines = capsys.readouterr().out.splitlines()
        assert same_data(data, reference)
        # TF1's lines, interleaved as TF1 printed them: each file is fetched, then extracted.
        expected = []
        for name in MNIST_FILES:
            expected += ["Successfully downloaded %s %d bytes." % (name, len(real_files[name])),
                         "Extracting %s" % (target / name)]
        assert lines == expected
        assert folder_bytes(target) == {name: real_files[name] for name in MNIST_FILES} | {
            ".tftrain_compat_mnist.lock": b""}
        assert dict(server.requests) == {name: 1 for name in (*MNIST_FILES, "SHA256SUMS")}
        # Files present are used as they are: no further request.
        input_data.read_data_sets(str(target), source_url=server.url, validation_size=100)
        assert sum(server.requests.values()) == 5


def test_canonical_md5_when_the_source_has_no_sha256sums(real_files: dict[str, bytes], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_ALLOW_HTTP", "1")
    files = {name: real_files[name] for name in MNIST_FILES}
    with LoopbackServer(files) as server:
        with pytest.raises(MNISTDataError) as err:
            input_data.read_data_sets(str(tmp_path / "a"), source_url=server.url)
        assert ("train-images-idx3-ubyte.gz is not the canonical MNIST file (MD5 %s, expected "
                "f68b3c2dcbeaaa9fbdd348bbdeb94873) and the source has no SHA256SUMS"
                % hashlib.md5(files[MNIST_FILES[0]]).hexdigest()) in str(err.value)
        assert "TFTRAIN_COMPAT_MNIST_ALLOW_UNVERIFIED=1" in str(err.value)
        assert leftovers(tmp_path / "a") == [] and not (tmp_path / "a" / MNIST_FILES[0]).exists()

        # A source whose files match the published MD5s is accepted without SHA256SUMS.
        monkeypatch.setattr(mnist_sources, "CANONICAL_MD5",
                            {name: hashlib.md5(data).hexdigest() for name, data in files.items()})
        input_data.read_data_sets(str(tmp_path / "b"), source_url=server.url)
        assert folder_bytes(tmp_path / "b")[MNIST_FILES[0]] == files[MNIST_FILES[0]]

        # The documented opt-out accepts them with a warning.
        monkeypatch.undo()
        monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_ALLOW_HTTP", "1")
        monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_ALLOW_UNVERIFIED", "1")
        with pytest.warns(UserWarning) as record:
            input_data.read_data_sets(str(tmp_path / "c"), source_url=server.url)
        assert [str(w.message).split(" from ")[0] for w in record] == [
            "accepting unverified %s" % name for name in MNIST_FILES]


def test_maybe_download(real_files: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_ALLOW_HTTP", "1")
    with LoopbackServer(real_files) as server:
        path = input_data.maybe_download(MNIST_FILES[1], str(tmp_path / "new" / "dir"), server.url)
        assert path == str(tmp_path / "new" / "dir" / MNIST_FILES[1])
        assert capsys.readouterr().out == "Successfully downloaded %s %d bytes.\n" % (
            MNIST_FILES[1], len(real_files[MNIST_FILES[1]]))
        assert input_data.maybe_download(MNIST_FILES[1], str(tmp_path / "new" / "dir"), server.url) == path
        assert capsys.readouterr().out == "" and server.requests[MNIST_FILES[1]] == 1


# ---------------------------------------------------------------- refusals and failures

def test_untrusted_certificate_is_refused(ca: trustme.CA, real_files: dict[str, bytes], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    with LoopbackServer(real_files, tls=ca) as server:
        with pytest.raises(MNISTDataError, match="CERTIFICATE_VERIFY_FAILED"):
            input_data.read_data_sets(str(tmp_path / "d"), source_url=server.url)
        assert sum(server.requests.values()) == 0
    assert leftovers(tmp_path / "d") == []


def test_plain_http_is_refused_unless_allowed(real_files: dict[str, bytes], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    with LoopbackServer(real_files) as server:
        with pytest.raises(MNISTDataError, match=r"refused: plain http:// is not verified in transit; use "
                                                 r"https://, or set \$TFTRAIN_COMPAT_MNIST_ALLOW_HTTP=1"):
            input_data.read_data_sets(str(tmp_path / "d"), source_url=server.url)
        assert sum(server.requests.values()) == 0
        monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_ALLOW_HTTP", "1")
        input_data.read_data_sets(str(tmp_path / "d"), source_url=server.url)
        assert server.requests[MNIST_FILES[0]] == 1


def test_redirect_to_plain_http_is_refused(ca: trustme.CA, trust: None, real_files: dict[str, bytes],
                                           tmp_path: Path) -> None:
    with LoopbackServer(real_files) as plain, LoopbackServer(real_files, tls=ca) as secure:
        secure.redirects[MNIST_FILES[0]] = plain.url + MNIST_FILES[0]
        with pytest.raises(MNISTDataError, match=r"refused redirect to http://127\.0\.0\.1:\d+/train-images"):
            input_data.read_data_sets(str(tmp_path / "d"), source_url=secure.url)
        assert sum(plain.requests.values()) == 0
    assert leftovers(tmp_path / "d") == []


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_dropped_connection_is_retried_then_reported(tls: bool, ca: trustme.CA, trust: None,
                                                     real_files: dict[str, bytes], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_ALLOW_HTTP", "1")
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_RETRIES", "2")
    target = tmp_path / "d"
    size = len(real_files[MNIST_FILES[0]])
    with LoopbackServer(real_files, tls=ca if tls else None) as server:
        server.behaviour[MNIST_FILES[0]] = "drop"
        with pytest.raises(MNISTDataError) as err:
            input_data.read_data_sets(str(target), source_url=server.url)
        assert server.requests[MNIST_FILES[0]] == 3
    assert "%strain-images-idx3-ubyte.gz: connection dropped after %d of %d bytes (after 3 attempts)" % (
        server.url, size // 2, size) in str(err.value)
    assert err.value.filename == MNIST_FILES[0]
    assert leftovers(target) == [] and not (target / MNIST_FILES[0]).exists()


def test_dropped_connection_once_recovers(real_files: dict[str, bytes], reference: input_data.Datasets,
                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_ALLOW_HTTP", "1")
    with LoopbackServer(real_files) as server:
        server.behaviour[MNIST_FILES[0]] = "drop_once"
        data = input_data.read_data_sets(str(tmp_path / "d"), source_url=server.url, validation_size=100)
        assert server.requests[MNIST_FILES[0]] == 2
    assert same_data(data, reference)


def test_wrong_bytes_fail_the_checksum(real_files: dict[str, bytes], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_ALLOW_HTTP", "1")
    files = dict(real_files)
    files[MNIST_FILES[1]] = real_files[MNIST_FILES[3]]  # a valid gzip'd label file, but the wrong one
    target = tmp_path / "d"
    with LoopbackServer(files) as server:
        with pytest.raises(MNISTDataError) as err:
            input_data.read_data_sets(str(target), source_url=server.url)
    expected = hashlib.sha256(real_files[MNIST_FILES[1]]).hexdigest()
    got = hashlib.sha256(real_files[MNIST_FILES[3]]).hexdigest()
    assert ("checksum mismatch for train-labels-idx1-ubyte.gz: SHA256SUMS says SHA-256 %s, the file has %s"
            % (expected, got)) in str(err.value)
    assert err.value.filename == MNIST_FILES[1]
    assert not (target / MNIST_FILES[1]).exists() and leftovers(target) == []
    assert (target / MNIST_FILES[0]).read_bytes() == real_files[MNIST_FILES[0]]  # verified, kept


def test_corrupt_file_listed_in_sha256sums_is_not_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tftrain_compat import datasets

    source = tmp_path / "source"
    arrays = synthetic_arrays(10, 5)
    datasets.write_mnist(source, *(arrays[name] for name in MNIST_FILES), checksums=False)
    broken = source / MNIST_FILES[2]
    broken.write_bytes(broken.read_bytes()[:-30])
    datasets.write_sha256sums(source)  # the checksum matches the broken file
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_SOURCE", str(source))
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_OFFLINE", "1")
    target = tmp_path / "d"
    with pytest.raises(MNISTDataError, match=r"t10k-images-idx3-ubyte\.gz is not a complete gzip stream"):
        input_data.read_data_sets(str(target), validation_size=2)
    assert not (target / MNIST_FILES[2]).exists() and leftovers(target) == []


def test_slow_server_times_out(real_files: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_ALLOW_HTTP", "1")
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_TIMEOUT", "0.2")
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_RETRIES", "1")
    target = tmp_path / "d"
    with LoopbackServer(real_files) as server:
        server.behaviour[MNIST_FILES[0]] = "slow"
        with pytest.raises(MNISTDataError, match=r"train-images-idx3-ubyte\.gz: timed out \(no data for 0\.2s; "
                                                 r"see \$TFTRAIN_COMPAT_MNIST_TIMEOUT\) \(after 2 attempts\)"):
            input_data.read_data_sets(str(target), source_url=server.url)
        assert server.requests[MNIST_FILES[0]] == 2
    assert leftovers(target) == [] and not (target / MNIST_FILES[0]).exists()


# ---------------------------------------------------------------- the order of sources

@pytest.mark.parametrize("as_url", [False, True], ids=["folder", "file-url"])
def test_environment_source_after_a_failing_source_url(as_url: bool, real_files: dict[str, bytes],
                                                       reference: input_data.Datasets, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_ALLOW_HTTP", "1")
    folder = shared_mnist()
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_SOURCE", folder.as_uri() if as_url else str(folder))
    with LoopbackServer({}) as empty:
        data = input_data.read_data_sets(str(tmp_path / "d"), source_url=empty.url, validation_size=100)
        # The explicit source was asked first (SHA256SUMS once, then each file), then the folder served.
        assert dict(empty.requests) == {"SHA256SUMS": 1} | {name: 1 for name in MNIST_FILES}
    assert same_data(data, reference)
    assert folder_bytes(tmp_path / "d")[MNIST_FILES[3]] == real_files[MNIST_FILES[3]]


def test_every_source_failing_is_one_error(mnist_env: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_ALLOW_HTTP", "1")
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_SOURCE", str(tmp_path / "no_such_folder"))
    target = tmp_path / "d"
    with LoopbackServer({}) as empty:
        with pytest.raises(MNISTDataError) as err:
            input_data.read_data_sets(str(target), source_url=empty.url)
    lines = str(err.value).splitlines()
    # The first configured source's failure is the headline; the whole list follows.
    assert lines[0].endswith(": source_url %s: %strain-images-idx3-ubyte.gz: HTTP 404 Not Found"
                             % (empty.url, empty.url))
    assert lines[1] == "Tried, in order:"
    assert lines[2:7] == [
        "  1. train_dir: %s does not exist" % (target / MNIST_FILES[0]),
        "  2. source_url %s: %strain-images-idx3-ubyte.gz: HTTP 404 Not Found" % (empty.url, empty.url),
        "  3. $TFTRAIN_COMPAT_MNIST_SOURCE %s: no such folder" % (tmp_path / "no_such_folder"),
        "  4. Keras cache %s: does not exist" % (tmp_path / "keras_home" / "datasets" / "mnist.npz"),
        "  5. TF1 default URL https://storage.googleapis.com/cvdf-datasets/mnist/: "
        "https://storage.googleapis.com/cvdf-datasets/mnist/SHA256SUMS: OSError: test network guard: "
        "no connections beyond 127.0.0.1 (storage.googleapis.com:443)"]
    # The default URL really was tried, last (and stopped by the test's guard).
    assert mnist_env.refused == ["storage.googleapis.com"]
    assert leftovers(target) == []


def write_npz(path: Path, **arrays: np.ndarray) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


def test_keras_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_OFFLINE", "1")
    arrays = synthetic_arrays(12, 6, seed=4)
    npz = tmp_path / "keras_home" / "datasets" / "mnist.npz"
    content = write_npz(npz, x_train=arrays[MNIST_FILES[0]], y_train=arrays[MNIST_FILES[1]],
                        x_test=arrays[MNIST_FILES[2]], y_test=arrays[MNIST_FILES[3]])
    with pytest.raises(MNISTDataError, match=r"mnist\.npz: SHA-256 %s is not Keras' published 731c5ac6"
                                             % hashlib.sha256(content).hexdigest()):
        input_data.read_data_sets(str(tmp_path / "a"))
    assert leftovers(tmp_path / "a") == [] and not (tmp_path / "a" / MNIST_FILES[0]).exists()

    monkeypatch.setattr(mnist_sources, "KERAS_MNIST_SHA256", hashlib.sha256(content).hexdigest())
    data = input_data.read_data_sets(str(tmp_path / "b"), dtype="uint8", reshape=False, validation_size=2)
    assert np.array_equal(data.train.images[..., 0], arrays[MNIST_FILES[0]][2:])
    assert np.array_equal(data.test.labels, arrays[MNIST_FILES[3]])
    # The cache became the four IDX files in train_dir, which now work without it.
    npz.unlink()
    again = input_data.read_data_sets(str(tmp_path / "b"), dtype="uint8", reshape=False, validation_size=2)
    assert np.array_equal(again.validation.images, data.validation.images)


def test_keras_cache_with_pickled_objects_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_OFFLINE", "1")
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_ALLOW_UNVERIFIED", "1")
    npz = tmp_path / "keras_home" / "datasets" / "mnist.npz"
    objects = np.array([{"x": 1}, None], dtype=object)
    write_npz(npz, x_train=objects, y_train=objects, x_test=objects, y_test=objects)
    with pytest.warns(UserWarning, match="accepting unverified"), \
            pytest.raises(MNISTDataError, match=r"cannot be read as Keras' mnist\.npz: ValueError: Object arrays "
                                                r"cannot be loaded when allow_pickle=False"):
        input_data.read_data_sets(str(tmp_path / "a"))


# ---------------------------------------------------------------- two processes, one folder

WORKER = textwrap.dedent("""
    import hashlib, sys, time
    from pathlib import Path
    from tftrain_compat.examples.tutorials.mnist import input_data
    ready = Path(sys.argv[2])
    ready.touch()
    deadline = time.monotonic() + 60
    while len(list(ready.parent.glob("ready-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.005)
    data = input_data.read_data_sets(sys.argv[1], source_url=sys.argv[3], validation_size=100)
    digest = hashlib.sha256(b"".join(a.tobytes() for part in data for a in (part.images, part.labels)))
    print("DIGEST", digest.hexdigest())
""")


def test_two_processes_download_into_one_folder(real_files: dict[str, bytes], tmp_path: Path) -> None:
    target, barrier = tmp_path / "shared_target", tmp_path / "barrier"
    barrier.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TFTRAIN_COMPAT_MNIST_")}
    env.update(PYTHONPATH=os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]), TF_CPP_MIN_LOG_LEVEL="3",
               TFTRAIN_COMPAT_MNIST_ALLOW_HTTP="1", TFTRAIN_COMPAT_MNIST_TIMEOUT="20")
    with LoopbackServer(real_files) as server:
        workers = [subprocess.Popen([sys.executable, "-c", WORKER, str(target), str(barrier / ("ready-%d" % i)),
                                     server.url], env=env, cwd=str(tmp_path), stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True) for i in range(2)]
        outputs = [worker.communicate(timeout=120) for worker in workers]
    for worker, (out, err) in zip(workers, outputs):
        assert worker.returncode == 0, err[-3000:]
    digests = [line for out, _ in outputs for line in out.splitlines() if line.startswith("DIGEST")]
    assert len(digests) == 2 and digests[0] == digests[1]
    # One process fetched each file while the other waited for the folder's lock, then used them.
    assert dict(server.requests) == {name: 1 for name in (*MNIST_FILES, "SHA256SUMS")}
    assert sum("Successfully downloaded" in out for out, _ in outputs) == 1
    assert folder_bytes(target) == {name: real_files[name] for name in MNIST_FILES} | {
        ".tftrain_compat_mnist.lock": b""}
