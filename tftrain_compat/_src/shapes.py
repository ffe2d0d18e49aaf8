"""TF1's static shapes: ``x.get_shape()[1].value``, ``Dimension`` arithmetic, ``shape.dims``.

TF2's ``TensorShape`` gives ``int``/``None`` when indexed or iterated; TF1's gave
``tf.Dimension`` objects (``.value``, arithmetic with ``None`` as unknown, ``int()``,
comparisons) and printed unknown sizes as ``?``. Switching TF back with
``tf.compat.v1.disable_v2_tensorshape()`` is process-global, so the shim's ``Tensor.shape`` /
``get_shape()`` (and a Variable's) return ``TF1TensorShape``: TF's own ``TensorShape`` with its
TF1 behaviour selected for that object alone. ``unwrap`` hands TF functions a plain
``TensorShape``, so TF2 code that receives one keeps seeing ints.
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

Dimension = tf.compat.v1.Dimension


class TF1TensorShape(tf.TensorShape):
    """A ``tf.TensorShape`` that indexes, iterates and prints as TF1 did (``Dimension`` items).

    ``shape[i]`` is ``Dimension(n)`` (``Dimension(None)`` when unknown), ``shape[a:b]`` a
    TF1TensorShape, ``list(shape)`` Dimensions; ``as_list()``, ``ndims``, ``rank``, ``dims``,
    equality and hashing are TensorShape's.
    """

    __slots__ = ()

    @property
    def _v2_behavior(self) -> bool:  # TensorShape reads this to choose ints or Dimensions
        return False

    def __getitem__(self, key: Any) -> Any:
        value = super().__getitem__(key)
        return tf1_shape(value) if isinstance(value, tf.TensorShape) else value

    def merge_with(self, other: Any) -> "TF1TensorShape":
        return tf1_shape(super().merge_with(other))

    def concatenate(self, other: Any) -> "TF1TensorShape":
        return tf1_shape(super().concatenate(other))

    def __add__(self, other: Any) -> "TF1TensorShape":
        return self.concatenate(other)

    def __radd__(self, other: Any) -> "TF1TensorShape":
        return tf1_shape(tf.TensorShape(other).concatenate(self))

    def with_rank(self, rank: int) -> "TF1TensorShape":
        return tf1_shape(super().with_rank(rank))

    def with_rank_at_least(self, rank: int) -> "TF1TensorShape":
        return tf1_shape(super().with_rank_at_least(rank))

    def with_rank_at_most(self, rank: int) -> "TF1TensorShape":
        return tf1_shape(super().with_rank_at_most(rank))

    def most_specific_compatible_shape(self, other: Any) -> "TF1TensorShape":
        return tf1_shape(super().most_specific_compatible_shape(other))

    def __reduce__(self):
        return tf1_shape, (self.as_list() if self.rank is not None else None,)


def tf1_shape(shape: Any) -> TF1TensorShape:
    """``shape`` (a TensorShape or anything TensorShape accepts) as a TF1TensorShape."""
    if type(shape) is TF1TensorShape:
        return shape
    shape = tf.TensorShape(shape)
    return TF1TensorShape(None if shape.rank is None else shape.as_list())


def plain_shape(shape: TF1TensorShape) -> tf.TensorShape:
    """The same shape as TF2's own TensorShape (what TF functions are handed)."""
    return tf.TensorShape(None if shape.rank is None else shape.as_list())
