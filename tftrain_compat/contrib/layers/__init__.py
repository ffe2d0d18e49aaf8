"""TF1 ``tf.contrib.layers``: contrib's layer functions (contrib's defaults and names, on the
shim's tf.layers), regularizers (l2 is ``scale * sum(w**2) / 2``), initializers and
``optimize_loss``; names not provided raise the error naming the TF2 replacement."""
from __future__ import annotations

from tftrain_compat._src import unsupported as _unsupported
from tftrain_compat._src.arg_scope import add_arg_scope as add_arg_scope  # noqa: F401
from tftrain_compat._src.arg_scope import arg_scope as arg_scope  # noqa: F401
from tftrain_compat._src.contrib_layers import (  # noqa: F401
    avg_pool2d as avg_pool2d, batch_norm as batch_norm, conv2d as conv2d,
    conv2d_transpose as conv2d_transpose, convolution as convolution,
    convolution2d as convolution2d, convolution2d_transpose as convolution2d_transpose,
    dropout as dropout, flatten as flatten, fully_connected as fully_connected,
    layer_norm as layer_norm, linear as linear, max_pool2d as max_pool2d,
    one_hot_encoding as one_hot_encoding, optimize_loss as optimize_loss, relu as relu,
    repeat as repeat, stack as stack,
)
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
