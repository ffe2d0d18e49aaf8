"""Write MNIST-format data: gzip'd IDX files and a ``SHA256SUMS`` file.

For small synthetic data sets (tests, offline mirrors) that ``input_data.read_data_sets`` reads
exactly like the real MNIST files::

    from tftrain_compat import datasets
    datasets.write_mnist("MNIST_data", train_images, train_labels, test_images, test_labels)

Every file is written to a temporary name in the target folder and renamed into place, so a reader
never sees half a file. Needs only NumPy.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable

from tftrain_compat._src import idx
from tftrain_compat._src.mnist_sources import MNIST_FILES, SUMS_NAME

__all__ = [
    "MNIST_FILES",
    "write_idx_images",
    "write_idx_labels",
    "write_mnist",
    "write_sha256sums",
]

PathLike = str | os.PathLike[str]


def write_idx_images(path: PathLike, images: object, compresslevel: int = 6) -> str:
    """Write uint8 images ``[count, rows, cols]`` (or ``[..., 1]``) as a gzip'd IDX file (magic 2051).

    Integer arrays with values 0..255 are accepted; returns the path written.
    """
    idx.write_gzip_atomic(path, idx.encode_images(images), compresslevel)
    return os.fspath(path)


def write_idx_labels(path: PathLike, labels: object, compresslevel: int = 6) -> str:
    """Write labels ``[count]`` (values 0..255) as a gzip'd IDX file (magic 2049); returns the path."""
    idx.write_gzip_atomic(path, idx.encode_labels(labels), compresslevel)
    return os.fspath(path)


def write_sha256sums(folder: PathLike, filenames: Iterable[str] | None = None) -> str:
    """Write ``folder/SHA256SUMS`` in ``sha256sum`` format for ``filenames`` (default: the MNIST
    files present in ``folder``); returns its path."""
    folder = os.fspath(folder)
    if filenames is None:
        filenames = [name for name in MNIST_FILES if os.path.isfile(os.path.join(folder, name))]
    lines = []
    for name in filenames:
        digest = hashlib.sha256()
        with open(os.path.join(folder, name), "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        lines.append("%s  %s\n" % (digest.hexdigest(), name))
    path = os.path.join(folder, SUMS_NAME)
    tmp = path + ".%d.part" % os.getpid()
    with open(tmp, "w", encoding="ascii") as f:
        f.writelines(lines)
    os.replace(tmp, path)
    return path


def write_mnist(folder: PathLike, train_images: object, train_labels: object, test_images: object,
                test_labels: object, checksums: bool = True) -> list[str]:
    """Write the four MNIST files (canonical names) into ``folder``, plus ``SHA256SUMS`` unless
    ``checksums=False``; the folder is created if needed. Returns the paths written."""
    folder = os.fspath(folder)
    os.makedirs(folder, exist_ok=True)
    writers = (write_idx_images, write_idx_labels, write_idx_images, write_idx_labels)
    arrays = (train_images, train_labels, test_images, test_labels)
    paths = [write(os.path.join(folder, name), array) for write, name, array in zip(writers, MNIST_FILES, arrays)]
    if checksums:
        paths.append(write_sha256sums(folder))
    return paths
