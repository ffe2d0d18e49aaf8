"""``tensorflow.examples.tutorials.mnist.input_data``: TF1's MNIST tutorial reader.

``from tensorflow.examples.tutorials.mnist import input_data`` serves this module once
``tftrain_compat`` is imported. Where the reader looks for data, the environment variables it
reads and the errors it raises are described in tftrain_compat/docs/mnist_reader.md (shipped in the package).
"""

from tftrain_compat._src import mnist as _mnist
from tftrain_compat._src.mnist import DEFAULT_SOURCE_URL as DEFAULT_SOURCE_URL
from tftrain_compat._src.mnist import DataSet as DataSet
from tftrain_compat._src.mnist import Datasets as Datasets
from tftrain_compat._src.mnist import MNISTDataError as MNISTDataError
from tftrain_compat._src.mnist import dense_to_one_hot as dense_to_one_hot
from tftrain_compat._src.mnist import extract_images as extract_images
from tftrain_compat._src.mnist import extract_labels as extract_labels
from tftrain_compat._src.mnist import load_mnist as load_mnist
from tftrain_compat._src.mnist import maybe_download as maybe_download
from tftrain_compat._src.mnist import read_data_sets as read_data_sets

# TF 1.15 kept the implementation under private names in this module; a few scripts used them.
_DataSet = DataSet
_Datasets = Datasets
_dense_to_one_hot = dense_to_one_hot
_extract_images = extract_images
_extract_labels = extract_labels
_maybe_download = maybe_download

__all__ = list(_mnist.__all__)
