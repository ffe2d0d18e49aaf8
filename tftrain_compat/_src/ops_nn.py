"""TF1 ``tf.nn`` functions whose TF1 signature or semantics differ from TF2's.

Each is hand-written only because TF1 differed; the rest of ``tf.nn`` comes through the generic
wrapper (``wrap.graph_op``).
"""
from __future__ import annotations

import numbers

import tensorflow as tf

from tftrain_compat._src import tensor as _tensor
from tftrain_compat._src.wrap import graph_op, rename_kwargs


def _call(fn, *args, **kwargs):
    return _tensor.call_in_graph(fn, args, kwargs)


def softmax(logits, axis=None, name=None, dim=None):
    """TF1 ``tf.nn.softmax(logits, axis=None, name=None, dim=None)``; ``dim`` aliases ``axis``."""
    kw = rename_kwargs({"axis": axis, "dim": dim}, {"dim": "axis"})
    axis = -1 if kw["axis"] is None else kw["axis"]
    return _call(tf.nn.softmax, logits, axis=axis, name=name)


def log_softmax(logits, axis=None, name=None, dim=None):
    """TF1 ``tf.nn.log_softmax`` with the ``dim`` alias."""
    kw = rename_kwargs({"axis": axis, "dim": dim}, {"dim": "axis"})
    axis = -1 if kw["axis"] is None else kw["axis"]
    return _call(tf.nn.log_softmax, logits, axis=axis, name=name)


def conv2d(input, filter=None, strides=None, padding=None, use_cudnn_on_gpu=True,  # noqa: A002
           data_format="NHWC", dilations=(1, 1, 1, 1), name=None, filters=None):
    """TF1 ``tf.nn.conv2d``: the 2nd argument is ``filter``; ``use_cudnn_on_gpu`` is accepted.

    Same Conv2D kernel as TF1; TF2 renamed ``filter`` to ``filters`` and dropped the cudnn flag.
    """
    if filter is not None and filters is not None:
        raise ValueError("Cannot specify both 'filter' and 'filters'.")
    filters = filter if filters is None else filters
    return _call(tf.nn.conv2d, input, filters, strides=strides, padding=padding,
                 data_format=data_format, dilations=list(dilations), name=name)


def _pool(fn, name):
    def pool(value=None, ksize=None, strides=None, padding=None, data_format="NHWC", name=None,
             input=None):  # noqa: A002
        # TF1: the tensor argument is called `value` (TF2: `input`).
        if value is not None and input is not None:
            raise ValueError("Cannot specify both 'value' and 'input'.")
        x = value if input is None else input
        return _call(fn, x, ksize=ksize, strides=strides, padding=padding,
                     data_format=data_format, name=name)
    pool.__name__ = pool.__qualname__ = name
    pool.__doc__ = f"TF1 ``tf.nn.{name}(value, ksize, strides, padding, data_format='NHWC', name=None)``."
    return pool


max_pool = _pool(tf.nn.max_pool2d, "max_pool")
avg_pool = _pool(tf.nn.avg_pool2d, "avg_pool")


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


_NAMED_ONLY = ("Only call `{}` with named arguments (labels=..., logits=..., ...)")


def _check_sentinel(fn_name, sentinel):
    if sentinel is not None:
        raise ValueError(_NAMED_ONLY.format(fn_name))


def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1,
                                      name=None, axis=None):
    """TF1 ``tf.nn.softmax_cross_entropy_with_logits(labels=..., logits=...)``.

    As in TF1, positional arguments are refused, and no gradient flows into ``labels``
    (TF1 wrapped them in ``stop_gradient``; ``..._v2`` does not).
    """
    _check_sentinel("softmax_cross_entropy_with_logits", _sentinel)
    kw = rename_kwargs({"axis": axis, "dim": dim}, {"dim": "axis"})
    axis = -1 if kw["axis"] is None else kw["axis"]
    return _call(lambda lab, log: tf.nn.softmax_cross_entropy_with_logits(
        labels=tf.stop_gradient(lab), logits=log, axis=axis, name=name), labels, logits)


def softmax_cross_entropy_with_logits_v2(labels, logits, axis=None, name=None, dim=None):
    """TF1 ``..._v2``: gradients flow into labels too."""
    kw = rename_kwargs({"axis": axis, "dim": dim}, {"dim": "axis"})
    axis = -1 if kw["axis"] is None else kw["axis"]
    return _call(tf.nn.softmax_cross_entropy_with_logits, labels=labels, logits=logits,
                 axis=axis, name=name)


def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None,
                                             name=None):
    """TF1 ``tf.nn.sparse_softmax_cross_entropy_with_logits(labels=..., logits=...)``."""
    _check_sentinel("sparse_softmax_cross_entropy_with_logits", _sentinel)
    return _call(tf.nn.sparse_softmax_cross_entropy_with_logits, labels=labels, logits=logits,
                 name=name)


def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """TF1 ``tf.nn.sigmoid_cross_entropy_with_logits(labels=..., logits=...)``."""
    _check_sentinel("sigmoid_cross_entropy_with_logits", _sentinel)
    return _call(tf.nn.sigmoid_cross_entropy_with_logits, labels=labels, logits=logits,
                 name=name)


def in_top_k(predictions, targets, k, name=None):
    """TF1 ``tf.nn.in_top_k(predictions, targets, k)`` (TF2 swapped the first two)."""
    return _call(tf.math.in_top_k, targets=targets, predictions=predictions, k=k, name=name)


def moments(x, axes, shift=None, name=None, keep_dims=None, keepdims=None):
    """TF1 ``tf.nn.moments`` with ``keep_dims``."""
    kw = rename_kwargs({"keepdims": keepdims, "keep_dims": keep_dims}, {"keep_dims": "keepdims"})
    return _call(tf.nn.moments, x, axes, shift=shift, keepdims=bool(kw["keepdims"]), name=name)


l2_loss = graph_op(tf.nn.l2_loss, name="l2_loss")
relu = graph_op(tf.nn.relu, name="relu")
