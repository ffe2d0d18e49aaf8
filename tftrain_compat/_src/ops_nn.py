"""The few TF1 ``tf.nn`` functions written here: dropout's ``keep_prob`` and the
cross-entropies' named-only front over TF's own TF1 builders. Every other TF1 ``tf.nn`` name
(``softmax``, ``softmax_cross_entropy_with_logits_v2``, ``conv2d``, ``max_pool``, ``moments``
...) is TF's own TF1 builder from the table (``namespace.py``), so its graph is TF1's node for
node: Grappler's rewrites depend on a graph's structure and names, and a graph that differs from
TF1's in structure (not in value) can be summed in another order (docs/architecture.md).
"""
from __future__ import annotations

import inspect
import numbers

import tensorflow as tf

from tftrain_compat._src import tensor as _tensor
from tftrain_compat._src.wrap import graph_op


def _call(fn, *args, **kwargs):
    return _tensor.call_in_graph(fn, args, kwargs)


def dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None):
    """TF1 ``tf.nn.dropout(x, keep_prob, ...)``: the 2nd argument is the KEEP probability.

    As tf.compat.v1 on TF2: ``rate = 1 - keep_prob`` (Python arithmetic for a number, a Sub op for
    a tensor), then TF2's dropout: ``where(uniform >= rate, x * 1/(1-rate), 0)``. Validation
    texts are TF's (they report ``rate``).
    """
    if keep_prob is not None and rate is not None:
        raise ValueError("Cannot specify both 'keep_prob' and 'rate'.")
    if keep_prob is None and rate is None:
        raise ValueError("`rate` must be provided. Received: rate=None")
    if keep_prob is not None:
        if not isinstance(keep_prob, (numbers.Real, _tensor.Tensor, tf.Tensor)) or \
                isinstance(keep_prob, bool):
            raise ValueError("`keep_prob` must be a floating point number or Tensor. "
                             f"Received: keep_prob={keep_prob}")
        if isinstance(keep_prob, numbers.Real):
            rate = 1 - keep_prob
        else:
            rate = _call(lambda kp: 1 - kp, keep_prob)
    return _call(tf.nn.dropout, x, rate=rate, noise_shape=noise_shape, seed=seed, name=name)


_NAMED_ONLY = "Only call `{}` with named arguments (labels=..., logits=..., ...)"


def _named_only(fn_name: str, sentinel) -> None:
    # TF1's cross-entropies take ``_sentinel`` first, so a positional call raises; TF 2's
    # tf.compat.v1 dropped the sentinel (it reads positional arguments as labels, logits).
    if sentinel is not None:
        raise ValueError(_NAMED_ONLY.format(fn_name))


# TF's builder under its deprecation decorator (``inspect.unwrap``: TF's decorators keep the
# function as ``__wrapped__``; if not, the decorated one is used). Called from inside the shim the
# decorator's notice points at TF's own dispatch.py, and under absl logging it prints twice; the
# shim's documentation carries TF1's advice (use ``..._v2`` for gradients into the labels).
_SOFTMAX_XENT_V1 = inspect.unwrap(tf.compat.v1.nn.softmax_cross_entropy_with_logits)


def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1,
                                      name=None, axis=None):
    """TF1 ``tf.nn.softmax_cross_entropy_with_logits(labels=..., logits=...)``: named
    arguments only; no gradient into ``labels`` (TF's own TF1 builder)."""
    _named_only("softmax_cross_entropy_with_logits", _sentinel)
    return _call(_SOFTMAX_XENT_V1, labels=labels, logits=logits, dim=dim, name=name, axis=axis)


def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None,
                                             name=None):
    """TF1 ``tf.nn.sparse_softmax_cross_entropy_with_logits(labels=..., logits=...)``: named
    arguments only (TF's own TF1 builder)."""
    _named_only("sparse_softmax_cross_entropy_with_logits", _sentinel)
    return _call(tf.compat.v1.nn.sparse_softmax_cross_entropy_with_logits, labels=labels,
                 logits=logits, name=name)


def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """TF1 ``tf.nn.sigmoid_cross_entropy_with_logits(labels=..., logits=...)``: named
    arguments only (TF's own TF1 builder)."""
    _named_only("sigmoid_cross_entropy_with_logits", _sentinel)
    return _call(tf.compat.v1.nn.sigmoid_cross_entropy_with_logits, labels=labels,
                 logits=logits, name=name)


l2_loss = graph_op(tf.nn.l2_loss, name="l2_loss")
relu = graph_op(tf.nn.relu, name="relu")
