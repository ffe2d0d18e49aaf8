"""TF1 ``tf.nn``: hand-written names where TF1 needs them; every other TF1 name from the table
(TF's own TF1 op builders, recorded in the graph; see ``_src/namespace.py``)."""
from __future__ import annotations

from tftrain_compat._src.ops_nn import (  # noqa: F401
    dropout as dropout, l2_loss as l2_loss, relu as relu,
    sigmoid_cross_entropy_with_logits as sigmoid_cross_entropy_with_logits,
    softmax_cross_entropy_with_logits as softmax_cross_entropy_with_logits,
    sparse_softmax_cross_entropy_with_logits as sparse_softmax_cross_entropy_with_logits,
)
from tftrain_compat._src import namespace as _namespace
from tftrain_compat._src.rnn.rnn import (  # noqa: F401
    bidirectional_dynamic_rnn as bidirectional_dynamic_rnn, dynamic_rnn as dynamic_rnn,
    static_bidirectional_rnn as static_bidirectional_rnn, static_rnn as static_rnn,
)
from tftrain_compat.nn import rnn_cell as rnn_cell  # noqa: F401

__getattr__, __dir__ = _namespace.front("tf.nn", globals())
