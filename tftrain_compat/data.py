"""TF1 ``tf.data`` in graph mode: datasets built in the TF1 graph, iterators per session."""
from __future__ import annotations

import tensorflow as _tf2

from tftrain_compat._src import unsupported as _unsupported
from tftrain_compat._src.data import (  # noqa: F401
    Dataset as Dataset, FixedLengthRecordDataset as FixedLengthRecordDataset,
    Iterator as Iterator, TFRecordDataset as TFRecordDataset, TextLineDataset as TextLineDataset,
    get_output_classes as get_output_classes, get_output_shapes as get_output_shapes,
    get_output_types as get_output_types, make_initializable_iterator as make_initializable_iterator,
    make_one_shot_iterator as make_one_shot_iterator,
)

_PASS_THROUGH = {"Options", "AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY",
                 "DatasetSpec", "ThreadingOptions", "experimental"}


def __getattr__(name: str):
    if name in _PASS_THROUGH:
        return getattr(_tf2.compat.v1.data, name)
    if name.startswith("__"):
        raise AttributeError(name)
    raise _unsupported.missing_error("tf.data." + name)
