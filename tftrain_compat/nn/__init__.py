"""TF1 ``tf.nn``: TF1 signatures where they differ from TF2; other TF2 functions wrapped."""
from __future__ import annotations

import tensorflow as _tf2

from tftrain_compat._src import unsupported as _unsupported
from tftrain_compat._src.ops_nn import (  # noqa: F401
    avg_pool as avg_pool, conv2d as conv2d, dropout as dropout,
    embedding_lookup as embedding_lookup, in_top_k as in_top_k, l2_loss as l2_loss,
    log_softmax as log_softmax, max_pool as max_pool, moments as moments, relu as relu,
    sigmoid_cross_entropy_with_logits as sigmoid_cross_entropy_with_logits,
    softmax as softmax, softmax_cross_entropy_with_logits as softmax_cross_entropy_with_logits,
    softmax_cross_entropy_with_logits_v2 as softmax_cross_entropy_with_logits_v2,
    sparse_softmax_cross_entropy_with_logits as sparse_softmax_cross_entropy_with_logits,
)
from tftrain_compat._src.rnn.rnn import (  # noqa: F401
    bidirectional_dynamic_rnn as bidirectional_dynamic_rnn, dynamic_rnn as dynamic_rnn,
    static_bidirectional_rnn as static_bidirectional_rnn, static_rnn as static_rnn,
)
from tftrain_compat._src.wrap import wraps_tf2 as _wraps_tf2
from tftrain_compat.nn import rnn_cell as rnn_cell  # noqa: F401


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    err = _unsupported.unsupported_error("tf.nn." + name)
    if err is not None:
        raise err
    if hasattr(_tf2.nn, name):
        value = _wraps_tf2(getattr(_tf2.nn, name))
        globals()[name] = value
        return value
    raise _unsupported.missing_error("tf.nn." + name)
