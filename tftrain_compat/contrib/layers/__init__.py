"""TF1 ``tf.contrib.layers`` regularizers (contrib's formulas: l2 is ``scale * sum(w**2) / 2``)."""
from __future__ import annotations

from tftrain_compat._src import unsupported as _unsupported
from tftrain_compat._src.initializers import (  # noqa: F401
    contrib_variance_scaling_initializer as variance_scaling_initializer,
    xavier_initializer as xavier_initializer,
    xavier_initializer_conv2d as xavier_initializer_conv2d,
)
from tftrain_compat._src.regularizers import (  # noqa: F401
    apply_regularization as apply_regularization, l1_l2_regularizer as l1_l2_regularizer,
    l1_regularizer as l1_regularizer, l2_regularizer as l2_regularizer,
    sum_regularizer as sum_regularizer,
)


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    raise _unsupported.missing_error("tf.contrib.layers." + name)
