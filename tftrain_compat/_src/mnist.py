"""TF1's MNIST tutorial reader (``tensorflow.examples.tutorials.mnist.input_data``), rebuilt.

Behaviour follows TF 1.x (contrib ``learn.datasets.mnist``, TF 1.15 ``input_data``): the same
signatures and defaults, the same ``Extracting``/``Successfully downloaded`` lines on stdout, the
same float32 scaling bits, the same use of NumPy's *global* RNG in ``next_batch``. What is new is
where the files come from and how they are checked (``mnist_sources``), and that every data
problem raises :class:`MNISTDataError`, a ``ValueError``. See tftrain_compat/docs/mnist_reader.md (shipped in the package).
"""

from __future__ import annotations

import collections
import os
from typing import Any, BinaryIO

import numpy as np
import tensorflow as tf

from tftrain_compat._src import errors as _errors
from tftrain_compat._src import idx
from tftrain_compat._src import mnist_sources as sources
from tftrain_compat._src.idx import MNISTDataError
from tftrain_compat._src.mnist_sources import DEFAULT_SOURCE_URL

__all__ = [
    "DEFAULT_SOURCE_URL",
    "DataSet",
    "Datasets",
    "MNISTDataError",
    "dense_to_one_hot",
    "extract_images",
    "extract_labels",
    "load_mnist",
    "maybe_download",
    "read_data_sets",
]

Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])

_FAKE_NUM_EXAMPLES = 10000
_FAKE_IMAGE_SIZE = 784


def extract_images(f: BinaryIO) -> np.ndarray:
    """Images from a gzip'd IDX file object as uint8 ``[index, y, x, depth=1]`` (TF1).

    Prints ``Extracting <f.name>`` as TF1 did. A wrong magic number raises TF1's
    ``Invalid magic number <n> in MNIST image file: <name>``; that and every other defect raise
    :class:`MNISTDataError`.
    """
    print("Extracting", idx.stream_name(f))
    return idx.read_images(f)


def extract_labels(f: BinaryIO, one_hot: bool = False, num_classes: int = 10) -> np.ndarray:
    """Labels from a gzip'd IDX file object: uint8 ``[index]``, or float64 one-hot rows (TF1)."""
    print("Extracting", idx.stream_name(f))
    labels = idx.read_labels(f)
    return dense_to_one_hot(labels, num_classes) if one_hot else labels


def dense_to_one_hot(labels_dense: np.ndarray, num_classes: int) -> np.ndarray:
    """Class indices -> float64 one-hot rows ``[n, num_classes]`` (TF1 sets ``flat[i*C + label_i]``)."""
    labels_dense = np.asarray(labels_dense)
    num_labels = labels_dense.shape[0]
    one_hot = np.zeros((num_labels, num_classes))
    one_hot.flat[np.arange(num_labels) * num_classes + labels_dense.ravel()] = 1
    return one_hot


def _image_dtype(dtype: Any) -> tf.DType:
    """``as_dtype(dtype).base_dtype``, accepting TF and NumPy dtypes (and objects named like one)."""
    try:
        result = tf.as_dtype(dtype)
    except TypeError:
        name = getattr(dtype, "name", None)
        if not isinstance(name, str):
            raise
        result = tf.as_dtype(name)
    result = result.base_dtype
    if result not in (tf.uint8, tf.float32):
        raise TypeError("Invalid image dtype %r, expected uint8 or float32" % result)
    return result


class DataSet:
    """One split of MNIST, with TF1's ``next_batch``.

    As in TF1, the constructor seeds NumPy's **global** RNG with ``seed1 if seed is None else seed2``
    from ``get_seed(seed)`` (graph-level seed rules), so with no seed anywhere it reseeds from OS
    entropy. ``dtype=float32`` scales images to [0, 1] as ``x.astype(float32) * float32(1/255)``;
    ``uint8`` keeps the bytes. ``reshape=True`` flattens ``[n, rows, cols, 1]`` to
    ``[n, rows*cols]``. ``fake_data=True`` makes a stand-in of 10000 examples whose batches come
    from ``next_batch(..., fake_data=True)``.
    """

    def __init__(self, images: Any, labels: Any, fake_data: bool = False, one_hot: bool = False,
                 dtype: Any = tf.float32, reshape: bool = True, seed: int | None = None) -> None:
        # Imported here so the reader imports without the graph core.
        from tftrain_compat._src.random_seed import get_seed

        seed1, seed2 = get_seed(seed)
        np.random.seed(seed1 if seed is None else seed2)
        dtype = _image_dtype(dtype)
        if fake_data:
            self._num_examples = _FAKE_NUM_EXAMPLES
            self.one_hot = one_hot  # TF1 set this attribute on fake data sets only
        else:
            if images.shape[0] != labels.shape[0]:
                # TF1 used `assert` with this message; raised explicitly so `python -O` keeps it.
                raise AssertionError("images.shape: %s labels.shape: %s" % (images.shape, labels.shape))
            self._num_examples = images.shape[0]
            if reshape:
                if images.shape[3] != 1:
                    raise AssertionError("images.shape[3] must be 1 to reshape, got %s" % (images.shape,))
                images = images.reshape(images.shape[0], images.shape[1] * images.shape[2])
            if dtype == tf.float32:
                # float32 times float32(1/255): TF1's bits, not float32(x / 255.0).
                images = images.astype(np.float32) * np.float32(1.0 / 255.0)
        self._images = images
        self._labels = labels
        self._epochs_completed = 0
        self._index_in_epoch = 0

    @property
    def images(self) -> Any:
        return self._images

    @property
    def labels(self) -> Any:
        return self._labels

    @property
    def num_examples(self) -> int:
        return self._num_examples

    @property
    def epochs_completed(self) -> int:
        return self._epochs_completed

    def _permute(self) -> None:
        order = np.arange(self._num_examples)
        np.random.shuffle(order)  # the global RNG, as TF1
        self._images = self._images[order]
        self._labels = self._labels[order]

    def next_batch(self, batch_size: int, fake_data: bool = False, shuffle: bool = True) -> tuple[Any, Any]:
        """The next ``batch_size`` examples (TF1's algorithm, quirks included).

        The first call with ``shuffle=True`` at index 0 of epoch 0 shuffles. A batch crossing the
        end of the epoch is the epoch's rest (taken before reshuffling) followed by the start of
        the next one; ``epochs_completed`` counts up only when a call crosses or starts past the
        end, so a batch ending exactly at the end leaves it unchanged until the next call.
        Returns views for an in-epoch batch and new arrays across the boundary.
        """
        if fake_data:
            image = [1] * _FAKE_IMAGE_SIZE
            label = [1] + [0] * 9 if self.one_hot else 0
            return [image for _ in range(batch_size)], [label for _ in range(batch_size)]
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:
            self._permute()
        end = start + batch_size
        if end <= self._num_examples:
            self._index_in_epoch = end
            return self._images[start:end], self._labels[start:end]
        # The epoch is finished: keep its rest, reshuffle, and fill up from the new order.
        self._epochs_completed += 1
        rest_images = self._images[start:self._num_examples]
        rest_labels = self._labels[start:self._num_examples]
        if shuffle:
            self._permute()
        self._index_in_epoch = batch_size - (self._num_examples - start)
        new = slice(0, self._index_in_epoch)
        return (np.concatenate((rest_images, self._images[new]), axis=0),
                np.concatenate((rest_labels, self._labels[new]), axis=0))


def _read(resolver: sources.Resolver, filename: str) -> np.ndarray:
    path = resolver.ensure(filename)
    if os.path.getsize(path) == 0:
        raise MNISTDataError(_errors.with_help(
            f"MNIST file {path} is empty (0 bytes), probably left by an interrupted download or "
            "copy.", "delete it and run again; the reader then fetches it from its sources"), path)
    with open(path, "rb") as f:
        if sources.is_images_file(filename):
            array = extract_images(f)
            sources.check_images(array, path)
        else:
            array = extract_labels(f)
            sources.check_labels(array, path)
    return array


def _check_counts(images: np.ndarray, labels: np.ndarray, images_name: str, labels_name: str) -> None:
    if images.shape[0] != labels.shape[0]:
        raise MNISTDataError(
            "MNIST files disagree: %s holds %d images but %s holds %d labels; expected one label per "
            "image (are they from different copies of the data?)"
            % (images_name, images.shape[0], labels_name, labels.shape[0]), images_name)


def read_data_sets(train_dir: str, fake_data: bool = False, one_hot: bool = False, dtype: Any = tf.float32,
                   reshape: bool = True, validation_size: int = 5000, seed: int | None = None,
                   source_url: str | None = DEFAULT_SOURCE_URL) -> Datasets:
    """TF1's ``read_data_sets``: ``Datasets(train, validation, test)`` from the four MNIST files.

    Files missing from ``train_dir`` are fetched from, in order: ``source_url`` (when not TF1's
    default), ``$TFTRAIN_COMPAT_MNIST_SOURCE``, the Keras cache and TF1's default URL, each verified
    before it is renamed into place. The first ``validation_size`` training examples (unshuffled)
    become the validation set; the three ``DataSet``s are built in the order train, validation,
    test with ``dtype``, ``reshape`` and ``seed``. ``fake_data=True`` touches no file.
    """
    if fake_data:
        def fake() -> DataSet:
            return DataSet([], [], fake_data=True, one_hot=one_hot, dtype=dtype, seed=seed)

        train = fake()
        validation = fake()
        test = fake()
        return Datasets(train=train, validation=validation, test=test)

    explicit = source_url if source_url and source_url != DEFAULT_SOURCE_URL else None
    resolver = sources.Resolver(train_dir, explicit)
    try:
        # TF1's order: each file is fetched, then extracted, before the next one.
        train_images, train_labels, test_images, test_labels = (
            _read(resolver, filename) for filename in sources.MNIST_FILES)
    finally:
        resolver.close()
    names = [os.path.join(resolver.train_dir, name) for name in sources.MNIST_FILES]
    _check_counts(train_images, train_labels, names[0], names[1])
    _check_counts(test_images, test_labels, names[2], names[3])
    if one_hot:
        train_labels = dense_to_one_hot(train_labels, sources.NUM_CLASSES)
        test_labels = dense_to_one_hot(test_labels, sources.NUM_CLASSES)

    if not 0 <= validation_size <= len(train_images):
        raise ValueError("Validation size should be between 0 and {}. Received: {}."
                         .format(len(train_images), validation_size))
    validation_images = train_images[:validation_size]
    validation_labels = train_labels[:validation_size]
    train_images = train_images[validation_size:]
    train_labels = train_labels[validation_size:]

    options = dict(dtype=dtype, reshape=reshape, seed=seed)
    train = DataSet(train_images, train_labels, **options)
    validation = DataSet(validation_images, validation_labels, **options)
    test = DataSet(test_images, test_labels, **options)
    return Datasets(train=train, validation=validation, test=test)


def load_mnist(train_dir: str = "MNIST-data") -> Datasets:
    """TF1 contrib's shorthand for ``read_data_sets(train_dir)``."""
    return read_data_sets(train_dir)


def maybe_download(filename: str, work_directory: str, source_url: str | None = DEFAULT_SOURCE_URL) -> str:
    """TF1: the path of ``work_directory/filename``, downloaded from ``source_url + filename`` if missing.

    An existing file is returned as is. A download is verified (``SHA256SUMS`` at ``source_url``,
    else the canonical MNIST MD5) and prints ``Successfully downloaded <filename> <size> bytes.``.
    """
    resolver = sources.Resolver(work_directory, source_url or DEFAULT_SOURCE_URL, only_source=True)
    try:
        return resolver.ensure(filename)
    finally:
        resolver.close()
