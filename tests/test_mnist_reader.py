"""The MNIST tutorial reader on local files: TF1's API and behaviour (TF1_SEMANTICS.md section 4),
checked on the real digits in ../shared/mnist_small and on small synthetic files."""

from __future__ import annotations

import gzip
import inspect
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mnist_helpers import (MNIST_FILES, mnist_env, shared_mnist, synthetic_arrays,  # noqa: E402,F401
                           write_synthetic)

from tftrain_compat import datasets  # noqa: E402
from tftrain_compat.examples.tutorials.mnist import input_data  # noqa: E402

F32_SCALE = np.float32(1.0 / 255.0)


def raw(folder: Path, name: str) -> np.ndarray:
    with open(folder / name, "rb") as f:
        return input_data.extract_images(f) if "images" in name else input_data.extract_labels(f)


@pytest.fixture(scope="module")
def real() -> Path:
    return shared_mnist()


# ---------------------------------------------------------------- the real digits

def test_defaults_on_real_digits(real: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = input_data.read_data_sets(str(real))
    out = capsys.readouterr().out
    assert out.splitlines() == ["Extracting %s" % (real / name) for name in MNIST_FILES]
    assert isinstance(data, input_data.Datasets) and data._fields == ("train", "validation", "test")
    assert [d.num_examples for d in data] == [3000, 5000, 2000]
    for part in data:
        assert part.images.shape == (part.num_examples, 784) and part.images.dtype == np.float32
        assert part.labels.shape == (part.num_examples,) and part.labels.dtype == np.uint8
        assert 0.0 <= part.images.min() and part.images.max() <= 1.0 and part.images.max() == 1.0
        assert set(np.unique(part.labels)) == set(range(10))
        assert part.epochs_completed == 0


def test_float32_scaling_bits_and_validation_split(real: Path) -> None:
    data = input_data.read_data_sets(str(real))
    train_raw = raw(real, MNIST_FILES[0]).reshape(8000, 784)
    labels_raw = raw(real, MNIST_FILES[1])
    expected = train_raw.astype(np.float32) * F32_SCALE
    # The validation set is the first 5000 training examples, unshuffled; train is the rest.
    assert np.array_equal(data.validation.images, expected[:5000])
    assert np.array_equal(data.train.images, expected[5000:])
    assert np.array_equal(data.validation.labels, labels_raw[:5000])
    assert np.array_equal(data.train.labels, labels_raw[5000:])
    test_raw = raw(real, MNIST_FILES[2]).reshape(2000, 784)
    assert np.array_equal(data.test.images, test_raw.astype(np.float32) * F32_SCALE)
    # The formula matters: dividing in float64 first gives different bits for some pixels.
    assert not np.array_equal(expected, (train_raw / 255.0).astype(np.float32))


def test_uint8_unreshaped_and_one_hot(real: Path) -> None:
    data = input_data.read_data_sets(str(real), one_hot=True, dtype=tf.uint8, reshape=False, validation_size=0)
    assert data.validation.num_examples == 0 and data.validation.images.shape == (0, 28, 28, 1)
    assert data.train.images.shape == (8000, 28, 28, 1) and data.train.images.dtype == np.uint8
    assert np.array_equal(data.train.images, raw(real, MNIST_FILES[0]))
    assert data.train.labels.shape == (8000, 10) and data.train.labels.dtype == np.float64
    assert np.array_equal(data.train.labels.sum(axis=1), np.ones(8000))
    assert np.array_equal(data.train.labels.argmax(axis=1), raw(real, MNIST_FILES[1]))
    assert data.test.labels.shape == (2000, 10)


@pytest.mark.parametrize("size", [-1, 8001])
def test_validation_size_bounds(real: Path, size: int) -> None:
    with pytest.raises(ValueError) as err:
        input_data.read_data_sets(str(real), validation_size=size)
    assert str(err.value) == "Validation size should be between 0 and 8000. Received: %d." % size


def test_validation_size_may_take_everything(real: Path) -> None:
    data = input_data.read_data_sets(str(real), validation_size=8000)
    assert (data.train.num_examples, data.validation.num_examples) == (0, 8000)


# ---------------------------------------------------------------- dtypes, one-hot, signatures

@pytest.mark.parametrize("dtype", [tf.float64, np.float64, "float64", tf.int32])
def test_rejected_image_dtypes_use_tf1_text(dtype: object) -> None:
    name = tf.as_dtype(dtype).name
    with pytest.raises(TypeError, match=r"^Invalid image dtype tf\.%s, expected uint8 or float32$" % name):
        input_data.DataSet(np.zeros((1, 28, 28, 1), np.uint8), np.zeros(1, np.uint8), dtype=dtype)


@pytest.mark.parametrize("dtype,expected", [(tf.uint8, np.uint8), (np.uint8, np.uint8), ("uint8", np.uint8),
                                            (tf.float32, np.float32), (np.float32, np.float32)])
def test_accepted_image_dtypes(dtype: object, expected: type) -> None:
    images = np.full((2, 28, 28, 1), 255, np.uint8)
    ds = input_data.DataSet(images, np.zeros(2, np.uint8), dtype=dtype)
    assert ds.images.dtype == expected and ds.images.max() == (255 if expected is np.uint8 else 1.0)


def test_dense_to_one_hot_matches_tf1() -> None:
    result = input_data.dense_to_one_hot(np.array([3, 0]), 4)
    assert result.dtype == np.float64
    assert np.array_equal(result, [[0, 0, 0, 1], [1, 0, 0, 0]])


def test_mismatched_arrays_raise_tf1_assertion() -> None:
    with pytest.raises(AssertionError, match=r"^images.shape: \(2, 28, 28, 1\) labels.shape: \(3,\)$"):
        input_data.DataSet(np.zeros((2, 28, 28, 1), np.uint8), np.zeros(3, np.uint8))


def test_tf1_signatures() -> None:
    def defaults(fn: object) -> list[tuple[str, object]]:
        return [(p.name, p.default) for p in inspect.signature(fn).parameters.values()]

    assert defaults(input_data.read_data_sets) == [
        ("train_dir", inspect.Parameter.empty), ("fake_data", False), ("one_hot", False), ("dtype", tf.float32),
        ("reshape", True), ("validation_size", 5000), ("seed", None),
        ("source_url", "https://storage.googleapis.com/cvdf-datasets/mnist/")]
    assert defaults(input_data.DataSet) == [
        ("images", inspect.Parameter.empty), ("labels", inspect.Parameter.empty), ("fake_data", False),
        ("one_hot", False), ("dtype", tf.float32), ("reshape", True), ("seed", None)]
    assert defaults(input_data.DataSet.next_batch)[1:] == [
        ("batch_size", inspect.Parameter.empty), ("fake_data", False), ("shuffle", True)]
    assert defaults(input_data.extract_labels) == [("f", inspect.Parameter.empty), ("one_hot", False),
                                                   ("num_classes", 10)]
    assert input_data.DEFAULT_SOURCE_URL == "https://storage.googleapis.com/cvdf-datasets/mnist/"


PUBLIC = {"DEFAULT_SOURCE_URL", "DataSet", "Datasets", "MNISTDataError", "dense_to_one_hot", "extract_images",
          "extract_labels", "load_mnist", "maybe_download", "read_data_sets"}


def test_public_names_both_ways() -> None:
    assert set(input_data.__all__) == PUBLIC
    assert {name for name in vars(input_data) if not name.startswith("_")} == PUBLIC
    assert {"_DataSet", "_Datasets", "_maybe_download", "_extract_images"} <= set(vars(input_data))
    assert issubclass(input_data.MNISTDataError, ValueError)


# ---------------------------------------------------------------- fake data

def test_fake_data_touches_no_disk(tmp_path: Path) -> None:
    target = tmp_path / "never_created"
    data = input_data.read_data_sets(str(target), fake_data=True, one_hot=True)
    assert not target.exists()
    assert [d.num_examples for d in data] == [10000] * 3
    images, labels = data.train.next_batch(3, fake_data=True)
    assert isinstance(images, list) and images == [[1] * 784] * 3
    assert labels == [[1, 0, 0, 0, 0, 0, 0, 0, 0, 0]] * 3
    plain = input_data.read_data_sets(str(target), fake_data=True)
    assert plain.test.next_batch(2, fake_data=True)[1] == [0, 0]
    # TF1: without fake_data=True a fake set fails when shuffling and is empty otherwise.
    with pytest.raises(TypeError):
        plain.train.next_batch(2)
    assert plain.validation.next_batch(2, shuffle=False) == ([], [])


# ---------------------------------------------------------------- next_batch (section 4.5)

class ReferenceBatcher:
    """Section 4.5 written against indices: which original examples each call returns."""

    def __init__(self, n: int) -> None:
        self.n, self.order, self.index, self.epochs = n, np.arange(n), 0, 0

    def _shuffle(self) -> None:
        permutation = np.arange(self.n)
        np.random.shuffle(permutation)
        self.order = self.order[permutation]

    def next(self, batch_size: int, shuffle: bool) -> np.ndarray:
        start = self.index
        if self.epochs == 0 and start == 0 and shuffle:
            self._shuffle()
        if start + batch_size <= self.n:
            self.index = start + batch_size
            return self.order[start:self.index]
        self.epochs += 1
        rest = self.order[start:self.n]
        if shuffle:
            self._shuffle()
        self.index = batch_size - (self.n - start)
        return np.concatenate([rest, self.order[:self.index]])


def make_ids(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Images and labels where the label is the example's original index; the pixels repeat it."""
    images = np.repeat(np.arange(n, dtype=np.uint8), 4).reshape(n, 2, 2, 1)
    return images, np.arange(n, dtype=np.uint8)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 12), seed=st.integers(1, 2**31 - 2),
       calls=st.lists(st.tuples(st.integers(0, 30), st.booleans()), min_size=1, max_size=15))
def test_next_batch_matches_reference(n: int, seed: int, calls: list[tuple[int, bool]]) -> None:
    images, labels = make_ids(n)
    ds = input_data.DataSet(images, labels, dtype=tf.uint8, seed=seed)
    got = []
    for batch_size, shuffle in calls:
        batch_images, batch_labels = ds.next_batch(batch_size, shuffle=shuffle)
        assert np.array_equal(batch_images[:, 0], batch_labels)  # images and labels stay paired
        got.append((batch_labels.copy(), ds.epochs_completed, ds._index_in_epoch))
    np.random.seed(seed)  # what DataSet(seed=seed) does with get_seed(seed)[1]
    reference = ReferenceBatcher(n)
    for (batch_size, shuffle), (labels_got, epochs, index) in zip(calls, got):
        expected = reference.next(batch_size, shuffle)
        assert np.array_equal(labels_got, expected)
        assert (epochs, index) == (reference.epochs, reference.index)


def test_next_batch_documented_cases() -> None:
    images, labels = make_ids(10)
    ds = input_data.DataSet(images, labels, dtype=tf.uint8, seed=1)
    seq = [ds.next_batch(4, shuffle=False)[1].tolist() for _ in range(4)]
    assert seq == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 0, 1], [2, 3, 4, 5]]
    assert (ds.epochs_completed, ds._index_in_epoch) == (1, 6)

    images, labels = make_ids(4)
    ds = input_data.DataSet(images, labels, dtype=tf.uint8, seed=1)
    first = ds.next_batch(4, shuffle=False)
    assert first[1].tolist() == [0, 1, 2, 3] and ds.epochs_completed == 0  # lazy epoch count
    assert np.shares_memory(first[0], ds.images)  # in-epoch batches are views
    assert ds.next_batch(4, shuffle=False)[1].tolist() == [0, 1, 2, 3] and ds.epochs_completed == 1

    images, labels = make_ids(3)
    ds = input_data.DataSet(images, labels, dtype=tf.uint8, seed=1)
    assert ds.next_batch(5, shuffle=False)[1].tolist() == [0, 1, 2, 0, 1] and ds._index_in_epoch == 2


def test_seed_gives_tf1_permutation() -> None:
    images, labels = make_ids(10)
    ds = input_data.DataSet(images, labels, dtype=tf.uint8, seed=1)
    assert ds.next_batch(10)[1].tolist() == [2, 9, 6, 4, 0, 3, 1, 7, 8, 5]


def test_next_batch_zero_reshuffles_every_time() -> None:
    images, labels = make_ids(6)
    ds = input_data.DataSet(images, labels, dtype=tf.uint8, seed=3)
    for _ in range(3):
        assert ds.next_batch(0)[1].shape == (0,) and ds._index_in_epoch == 0
    order = ds.next_batch(6, shuffle=False)[1]
    np.random.seed(3)
    expected = np.arange(6)
    for _ in range(3):
        permutation = np.arange(6)
        np.random.shuffle(permutation)
        expected = expected[permutation]
    assert np.array_equal(order, expected)


# ---------------------------------------------------------------- broken local files

@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    write_synthetic(folder, n_train=30, n_test=10)
    return folder


def test_synthetic_round_trip(synthetic: Path) -> None:
    arrays = synthetic_arrays(30, 10)
    data = input_data.read_data_sets(str(synthetic), dtype=tf.uint8, reshape=False, validation_size=10)
    assert np.array_equal(data.validation.images[..., 0], arrays[MNIST_FILES[0]][:10])
    assert np.array_equal(data.train.labels, arrays[MNIST_FILES[1]][10:])
    assert np.array_equal(data.test.images[..., 0], arrays[MNIST_FILES[2]])


def expect_error(folder: Path, pattern: str) -> input_data.MNISTDataError:
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with pytest.raises(input_data.MNISTDataError, match=pattern) as err:
        input_data.read_data_sets(str(folder), validation_size=5)
    after = {p.name: p.read_bytes() for p in folder.iterdir() if p.name != ".tftrain_compat_mnist.lock"}
    assert after == before  # the user's files are reported, never touched
    return err.value


def test_truncated_gzip_names_the_file(synthetic: Path) -> None:
    path = synthetic / MNIST_FILES[2]
    path.write_bytes(path.read_bytes()[:-40])
    err = expect_error(synthetic, r"t10k-images-idx3-ubyte\.gz is not a complete gzip stream")
    assert err.filename == str(path)


def test_wrong_magic_keeps_tf1_text(synthetic: Path) -> None:
    shutil.copy(synthetic / MNIST_FILES[1], synthetic / MNIST_FILES[0])
    err = expect_error(synthetic, r"^Invalid magic number 2049 in MNIST image file: %s$"
                       % str(synthetic / MNIST_FILES[0]).replace(".", r"\."))
    assert isinstance(err, ValueError)
    shutil.copy(synthetic / MNIST_FILES[2], synthetic / MNIST_FILES[0])
    shutil.copy(synthetic / MNIST_FILES[2], synthetic / MNIST_FILES[3])
    expect_error(synthetic, r"^Invalid magic number 2051 in MNIST label file: .*t10k-labels")


def test_count_mismatch_names_both_files(synthetic: Path) -> None:
    datasets.write_idx_labels(synthetic / MNIST_FILES[1], np.zeros(29, np.uint8))
    expect_error(synthetic, r"train-images-idx3-ubyte\.gz holds 30 images but .*train-labels-idx1-ubyte\.gz "
                            r"holds 29 labels")


def test_wrong_image_size_names_file_and_expectation(synthetic: Path) -> None:
    datasets.write_idx_images(synthetic / MNIST_FILES[2], np.zeros((10, 20, 20), np.uint8))
    expect_error(synthetic, r"t10k-images-idx3-ubyte\.gz holds images of 20 x 20 pixels; expected 28 x 28")


def test_label_out_of_range(synthetic: Path) -> None:
    datasets.write_idx_labels(synthetic / MNIST_FILES[3], np.full(10, 12, np.uint8))
    expect_error(synthetic, r"t10k-labels-idx1-ubyte\.gz holds label 12; expected labels 0\.\.9")


def test_header_announcing_more_than_the_file_holds(synthetic: Path) -> None:
    payload = np.array([2051, 31, 28, 28], ">u4").tobytes() + bytes(30 * 784)
    (synthetic / MNIST_FILES[0]).write_bytes(gzip.compress(payload))
    expect_error(synthetic, r"train-images-idx3-ubyte\.gz is truncated: its header announces 31 images of "
                            r"28 x 28 pixels, i\.e\. 24304 bytes of data, but the file holds only 23520")


def test_trailing_data_is_an_error(synthetic: Path) -> None:
    payload = np.array([2049, 30], ">u4").tobytes() + bytes(31)
    (synthetic / MNIST_FILES[1]).write_bytes(gzip.compress(payload))
    expect_error(synthetic, r"train-labels-idx1-ubyte\.gz has data after the 30 bytes its header announces")


def test_missing_files_offline_lists_every_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  mnist_env: object) -> None:
    monkeypatch.setenv("TFTRAIN_COMPAT_MNIST_OFFLINE", "1")
    target = tmp_path / "MNIST_data"
    keras = tmp_path / "keras_home" / "datasets" / "mnist.npz"
    with pytest.raises(input_data.MNISTDataError) as err:
        input_data.read_data_sets(str(target))
    text = str(err.value)
    assert text.startswith("Could not find or fetch MNIST file train-images-idx3-ubyte.gz")
    order = ["1. train_dir: %s does not exist" % (target / MNIST_FILES[0]), "2. source_url: not given",
             "3. $TFTRAIN_COMPAT_MNIST_SOURCE: not set", "4. Keras cache %s: does not exist" % keras,
             "5. TF1 default URL https://storage.googleapis.com/cvdf-datasets/mnist/: skipped: "
             "$TFTRAIN_COMPAT_MNIST_OFFLINE is set", "- help:"]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    assert mnist_env.refused == []  # offline means no attempt at all
    assert sorted(p.name for p in target.iterdir()) == [".tftrain_compat_mnist.lock"]
