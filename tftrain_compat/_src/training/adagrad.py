"""TF1 ``tf.train.AdagradOptimizer``."""
from __future__ import annotations

import tensorflow as tf

from tftrain_compat._src.training.optimizer import Optimizer


class AdagradOptimizer(Optimizer):
    """Adagrad (Duchi et al., 2011) as TF1's kernel computes it.

    ``accumulator += grad * grad``; ``var -= grad * learning_rate * rsqrt(accumulator)``.

    Slot ``'accumulator'`` (``w/Adagrad``) starts at ``initial_accumulator_value`` (converted
    straight to the variable's dtype). Kernels ``ResourceApplyAdagrad`` /
    ``ResourceSparseApplyAdagrad`` (repeated indices are summed first).

    Warning: there is no epsilon (Keras' Adagrad adds ``epsilon=1e-7``), the initial value must
    be > 0, and ``rsqrt`` is Eigen's, not ``1/sqrt``. The sparse kernel computes
    ``lr * g / sqrt(acc)`` when a row has a single element.
    """

    def __init__(self, learning_rate, initial_accumulator_value=0.1, use_locking: bool = False,
                 name: str = "Adagrad") -> None:
        if initial_accumulator_value <= 0.0:
            raise ValueError("initial_accumulator_value must be positive: %s" %
                             initial_accumulator_value)
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value

    def _create_slots(self, var_list) -> None:
        for v in var_list:
            dtype = v.dtype.base_dtype
            self._get_or_make_slot(
                v, lambda v=v, dtype=dtype: tf.constant(self._initial_accumulator_value,
                                                        dtype=dtype, shape=v.shape),
                "accumulator", self._name)

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad, var):
        return tf.raw_ops.ResourceApplyAdagrad(
            var=var.handle, accum=self._slots["accumulator"][id(var)].handle,
            lr=tf.cast(self._learning_rate_tensor, grad.dtype.base_dtype), grad=grad,
            use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        return tf.raw_ops.ResourceSparseApplyAdagrad(
            var=var.handle, accum=self._slots["accumulator"][id(var)].handle,
            lr=tf.cast(self._learning_rate_tensor, grad.values.dtype), grad=grad.values,
            indices=grad.indices, use_locking=self._use_locking)
