"""TF1 ``tf.train.ProximalAdagradOptimizer``."""
from __future__ import annotations

import tensorflow as tf

from tftrain_compat._src.training.optimizer import Optimizer


class ProximalAdagradOptimizer(Optimizer):
    """Adagrad followed by the proximal step of l1/l2 (Duchi et al., 2011).

    ``accumulator += grad**2``; ``lr_t = learning_rate * rsqrt(accumulator)``;
    ``prox = var - grad * lr_t``;
    ``var = sign(prox) * max(|prox| - lr_t * l1_regularization_strength, 0)
    / (1 + l2_regularization_strength * lr_t)`` (``prox / (1 + l2 * lr_t)`` when ``l1 == 0``).

    Slot ``'accumulator'`` (``w/ProximalAdagrad``, filled with ``initial_accumulator_value``).
    Kernels ``ResourceApplyProximalAdagrad`` / ``ResourceSparseApplyProximalAdagrad``.

    Warning (TF1 quirk): the dense path does not cast the hyperparameters, so a float64
    variable with Python-float hyperparameters fails with TF1's TypeError. A callable
    ``learning_rate`` is not called.
    """

    def __init__(self, learning_rate, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking: bool = False, name: str = "ProximalAdagrad") -> None:
        if initial_accumulator_value <= 0.0:
            raise ValueError("initial_accumulator_value must be positive: %s" %
                             initial_accumulator_value)
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value
        self._l1 = l1_regularization_strength
        self._l2 = l2_regularization_strength

    def _create_slots(self, var_list) -> None:
        for v in var_list:
            self._get_or_make_slot(
                v, lambda v=v: tf.constant(self._initial_accumulator_value,
                                           dtype=v.dtype.base_dtype, shape=v.shape),
                "accumulator", self._name)

    def _prepare(self) -> None:
        self._lr_t = self._hyper(self._learning_rate, "learning_rate", call=False)
        self._l1_t = self._hyper(self._l1, "l1_regularization_strength", call=False)
        self._l2_t = self._hyper(self._l2, "l2_regularization_strength", call=False)

    def _apply_dense(self, grad, var):
        return tf.raw_ops.ResourceApplyProximalAdagrad(
            var=var.handle, accum=self._slots["accumulator"][id(var)].handle, lr=self._lr_t,
            l1=self._l1_t, l2=self._l2_t, grad=grad, use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        dtype = grad.values.dtype
        return tf.raw_ops.ResourceSparseApplyProximalAdagrad(
            var=var.handle, accum=self._slots["accumulator"][id(var)].handle,
            lr=tf.cast(self._lr_t, dtype), l1=tf.cast(self._l1_t, dtype),
            l2=tf.cast(self._l2_t, dtype), grad=grad.values, indices=grad.indices,
            use_locking=self._use_locking)
