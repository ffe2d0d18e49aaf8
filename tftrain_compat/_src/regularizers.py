"""TF1 ``tf.contrib.layers`` regularizers, with contrib's formulas and validation.

``l2_regularizer(scale)(w) = scale * sum(w**2) / 2`` (``tf.nn.l2_loss``) — half of Keras' l2.
``l1_regularizer(scale)(w) = scale * sum(|w|)``.
"""
from __future__ import annotations

import logging
import numbers
from typing import Callable

import tensorflow as tf

from tftrain_compat._src import graph as _graph
from tftrain_compat._src import tensor as _tensor
from tftrain_compat._src.graph import GraphKeys

_log = logging.getLogger("tftrain_compat")


def _check_scale(scale, period: str, label: str = "scale") -> bool:
    """contrib's validation; returns False when the scale disables the regularizer."""
    if isinstance(scale, numbers.Integral):
        raise ValueError(f"{label} cannot be an integer: {scale}")
    if isinstance(scale, numbers.Real):
        if scale < 0.0:
            raise ValueError("Setting a scale less than 0 on a regularizer: %g%s" % (scale, period))
        if scale == 0.0:
            _log.info("Scale of 0 disables regularizer.")
            return False
    return True


def _regularizer(scale, scope, default_scope: str, penalty: Callable) -> Callable:
    def regularize(weights, name=None):
        def build(w, s):
            with tf.name_scope(scope or default_scope) as name_:
                scale_t = tf.convert_to_tensor(s, dtype=w.dtype.base_dtype, name="scale")
                return tf.multiply(scale_t, penalty(w), name=name_)
        return _tensor.call_in_graph(build, (weights, scale), {})
    return regularize


def l1_regularizer(scale, scope: str | None = None) -> Callable:
    """A function ``w -> scale * reduce_sum(abs(w))`` (contrib; ValueError for int or < 0 scale)."""
    if not _check_scale(scale, ""):
        return lambda _: None
    return _regularizer(scale, scope, "l1_regularizer", lambda w: tf.reduce_sum(tf.abs(w)))


def l2_regularizer(scale, scope: str | None = None) -> Callable:
    """A function ``w -> scale * l2_loss(w)`` = ``scale * sum(w**2) / 2`` (contrib)."""
    if not _check_scale(scale, "."):
        return lambda _: None
    return _regularizer(scale, scope, "l2_regularizer", tf.nn.l2_loss)


def sum_regularizer(regularizer_list, scope: str | None = None):
    """Sum of the given regularizers' penalties (``None`` entries and results skipped)."""
    regularizer_list = [r for r in regularizer_list if r is not None]
    if not regularizer_list:
        return None

    def sum_reg(weights):
        with _graph.get_default_graph().name_scope(scope or "sum_regularizer") as name:
            penalties = [p for p in (r(weights) for r in regularizer_list) if p is not None]
            if not penalties:
                return None
            return _tensor.call_in_graph(lambda ps: tf.add_n(ps, name=name), (penalties,), {})
    return sum_reg


def l1_l2_regularizer(scale_l1: float = 1.0, scale_l2: float = 1.0, scope: str | None = None):
    """``l1_regularizer(scale_l1) + l2_regularizer(scale_l2)`` (either alone when the other is 0)."""
    if isinstance(scale_l1, numbers.Integral):
        raise ValueError(f"scale_l1 cannot be an integer: {scale_l1}")
    if isinstance(scale_l2, numbers.Integral):
        raise ValueError(f"scale_l2 cannot be an integer: {scale_l2}")
    scope = scope or "l1_l2_regularizer"
    if scale_l1 == 0.0:
        return l2_regularizer(scale_l2, scope)
    if scale_l2 == 0.0:
        return l1_regularizer(scale_l1, scope)
    return sum_regularizer([l1_regularizer(scale_l1), l2_regularizer(scale_l2)], scope=scope)


def apply_regularization(regularizer: Callable, weights_list=None):
    """Sum of ``regularizer(w)`` over ``weights_list`` (default: the WEIGHTS collection).

    The sum is added to ``REGULARIZATION_LOSSES`` and returned. Raises ``ValueError('No weights
    to regularize.')`` when there are none, and for a penalty that is not a scalar.
    """
    graph = _graph.get_default_graph()
    if not weights_list:
        weights_list = graph.get_collection(GraphKeys.WEIGHTS)
    if not weights_list:
        raise ValueError("No weights to regularize.")
    with graph.name_scope("get_regularization_penalty") as scope:
        penalties = [regularizer(w) for w in weights_list]
        penalties = [p if p is not None else _tensor.call_in_graph(lambda: tf.constant(0.0), (), {})
                     for p in penalties]
        for p in penalties:
            if p.get_shape().ndims != 0:
                raise ValueError("regularizer must return a scalar Tensor instead of a Tensor "
                                 "with rank %d." % p.get_shape().ndims)
        summed = _tensor.call_in_graph(lambda ps: tf.add_n(ps, name=scope), (penalties,), {})
    graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, summed)
    return summed
