"""TF1 clipping and gating functions that differ from TF2's top-level names.

``tf.clip_by_global_norm``, ``clip_by_norm``, ``clip_by_value``, ``stop_gradient``,
``identity`` and ``no_op`` are the very functions tf.compat.v1 exports, so the generic wrapper
serves them (None entries and IndexedSlices in ``clip_by_global_norm`` included). Written out
here only: ``tuple`` (TF1's positional order is ``(tensors, name, control_inputs)``; TF2 swapped
the last two), and the TF1 names TF2 no longer has at the top level: ``global_norm`` and
``clip_by_average_norm``.
"""
from __future__ import annotations

import builtins

import tensorflow as tf

from tftrain_compat._src import tensor as _tensor


def tuple(tensors, name: str | None = None, control_inputs=None):  # noqa: A001 - TF1's name
    """TF1 ``tf.tuple(tensors, name=None, control_inputs=None)``: the same tensors (None kept),
    each gated on all of them (and ``control_inputs``) having been computed."""
    return _tensor.call_in_graph(
        lambda ts, cs: tf.tuple(ts, control_inputs=cs, name=name),
        (builtins.list(tensors), None if control_inputs is None else builtins.list(control_inputs)),
        {})


def global_norm(t_list, name: str | None = None):
    """TF1 ``tf.global_norm``: ``sqrt(sum(l2_loss(t) * 2))`` over the non-None entries
    (IndexedSlices count their values)."""
    return _tensor.call_in_graph(lambda ts: tf.linalg.global_norm(ts, name=name),
                                 (builtins.list(t_list),), {})


def clip_by_average_norm(t, clip_norm, name: str | None = None):
    """TF1 ``tf.clip_by_average_norm`` (removed in TF2):
    ``t * clip_norm * min(n / ||t||_2, 1 / clip_norm)``, ``n`` = number of elements."""
    def build(t, clip_norm):
        with tf.name_scope(name or "clip_by_average_norm") as scope:
            t = tf.convert_to_tensor(t, name="t")
            n_element = tf.cast(tf.size(t), tf.float32)
            l2norm_inv = tf.math.rsqrt(tf.reduce_sum(t * t, tf.range(tf.rank(t))))
            return tf.identity(
                t * clip_norm * tf.minimum(l2norm_inv * n_element, tf.constant(1.0) / clip_norm),
                name=scope)
    return _tensor.call_in_graph(build, (t, clip_norm), {})
