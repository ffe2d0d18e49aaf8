"""TF1 ``tf.nn``: hand-written names where TF1 needs them; every other TF1 name from the table
(TF's own TF1 op builders, recorded in the graph; see ``_src/namespace.py``)."""
from __future__ import annotations

from tftrain_compat._src.ops_nn import (  # noqa: F401
    avg_pool as avg_pool, conv2d as conv2d, dropout as dropout,
    in_top_k as in_top_k, l2_loss as l2_loss,
    log_softmax as log_softmax, max_pool as max_pool, moments as moments, relu as relu,
    sigmoid_cross_entropy_with_logits as sigmoid_cross_entropy_with_logits,
    softmax as softmax, softmax_cross_entropy_with_logits as softmax_cross_entropy_with_logits,
    softmax_cross_entropy_with_logits_v2 as softmax_cross_entropy_with_logits_v2,
    sparse_softmax_cross_entropy_with_logits as sparse_softmax_cross_entropy_with_logits,
)
from tftrain_compat._src import namespace as _namespace
from tftrain_compat._src.rnn.rnn import (  # noqa: F401
    bidirectional_dynamic_rnn as bidirectional_dynamic_rnn, dynamic_rnn as dynamic_rnn,
    static_bidirectional_rnn as static_bidirectional_rnn, static_rnn as static_rnn,
)
from tftrain_compat.nn import rnn_cell as rnn_cell  # noqa: F401

__getattr__, __dir__ = _namespace.front("tf.nn", globals())
