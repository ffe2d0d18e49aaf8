"""TF1 graph inputs and constants: ``placeholder``, ``placeholder_with_default``, ``constant``."""
from __future__ import annotations

import tensorflow as tf

from tftrain_compat._src import tensor as _tensor


def placeholder(dtype, shape=None, name: str | None = None) -> "_tensor.Tensor":
    """TF1 ``tf.placeholder(dtype, shape=None, name=None)``: a value that must be fed.

    ``shape=None`` accepts any shape; ``None`` dimensions accept any size (no retrace).
    """
    shape = tf.TensorShape(shape)
    return _tensor.call_in_graph(
        lambda: tf.raw_ops.Placeholder(dtype=tf.as_dtype(dtype), shape=shape,
                                       name=name or "Placeholder"), (), {})


def placeholder_with_default(input, shape, name: str | None = None):  # noqa: A002
    """TF1 ``tf.placeholder_with_default``: ``input`` unless fed."""
    return _tensor.call_in_graph(
        lambda x: tf.raw_ops.PlaceholderWithDefault(input=x, shape=tf.TensorShape(shape),
                                                    name=name or "PlaceholderWithDefault"),
        (input,), {})


def constant(value, dtype=None, shape=None, name: str = "Const", verify_shape: bool = False):
    """TF1 ``tf.constant(value, dtype=None, shape=None, name='Const', verify_shape=False)``."""
    if verify_shape and shape is not None:
        import numpy as np
        got = tuple(np.shape(value))
        if got != tuple(shape):
            raise TypeError(f"Expected Tensor's shape: {tuple(shape)}, got {got}.")
    return _tensor.call_in_graph(tf.constant, (value,), dict(dtype=dtype, shape=shape, name=name))


def sparse_placeholder(dtype, shape=None, name: str | None = None):
    """TF1 ``tf.sparse_placeholder(dtype, shape=None, name=None)``: a SparseTensor to feed with a
    ``SparseTensorValue`` or an ``(indices, values, dense_shape)`` tuple (TF's own builder)."""
    return _tensor.call_in_graph(
        lambda: tf.compat.v1.sparse_placeholder(dtype, shape=shape, name=name), (), {})
