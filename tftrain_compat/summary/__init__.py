"""TF1 ``tf.summary``: summary ops that record serialized ``Summary`` protos in the graph, and
``FileWriter`` for TensorBoard's event files.

A TF1 name not provided here raises the error naming its TF2 replacement; TF2-only names
(``create_file_writer``, ``SummaryWriter``, ``record_if``, ...) are TF2's own, passed through.
"""
from __future__ import annotations

import tensorflow as _tf2
from tensorflow.core.framework.summary_pb2 import (  # noqa: F401
    Summary as Summary, SummaryDescription as SummaryDescription,
)
from tensorflow.core.util.event_pb2 import (  # noqa: F401
    Event as Event, SessionLog as SessionLog, TaggedRunMetadata as TaggedRunMetadata,
)

from tftrain_compat._src import unsupported as _unsupported
from tftrain_compat._src.summary_ops import (  # noqa: F401
    audio as audio, get_summary_description as get_summary_description, histogram as histogram,
    image as image, merge as merge, merge_all as merge_all, scalar as scalar, tensor_summary as
    tensor_summary, text as text,
)
from tftrain_compat._src.summary_writer import (  # noqa: F401
    FileWriter as FileWriter, FileWriterCache as FileWriterCache,
)


def __getattr__(name: str):
    """TF1 names not provided raise the "not provided" error; TF2-only names are TF2's."""
    if name.startswith("__"):
        raise AttributeError(name)
    err = _unsupported.unsupported_error("tf.summary." + name)
    if err is not None:
        raise err
    if hasattr(_tf2.summary, name):
        return getattr(_tf2.summary, name)
    raise _unsupported.missing_error("tf.summary." + name)
