"""TF1 ``tf.train.MomentumOptimizer``."""
from __future__ import annotations

import tensorflow as tf

from tftrain_compat._src.training.optimizer import Optimizer


class MomentumOptimizer(Optimizer):
    """TF1 momentum — not Keras' velocity form.

    ``accum = accum * momentum + grad``; ``var -= accum * learning_rate``; with
    ``use_nesterov``: ``var -= grad * lr + accum * momentum * lr``. Slot ``'momentum'``
    (``w/Momentum``, zeros). Kernel ``ResourceApplyMomentum`` / ``ResourceSparseApplyMomentum``.
    """

    def __init__(self, learning_rate, momentum, use_locking: bool = False,
                 name: str = "Momentum", use_nesterov: bool = False) -> None:
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._momentum = momentum
        self._use_nesterov = use_nesterov

    def _create_slots(self, var_list) -> None:
        for v in var_list:
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")
        self._momentum_tensor = self._hyper(self._momentum, "momentum")

    def _apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        return tf.raw_ops.ResourceApplyMomentum(
            var=var.handle, accum=self._slots["momentum"][id(var)].handle,
            lr=tf.cast(self._learning_rate_tensor, dtype), grad=grad,
            momentum=tf.cast(self._momentum_tensor, dtype), use_locking=self._use_locking,
            use_nesterov=self._use_nesterov)

    def _apply_sparse(self, grad, var):
        dtype = var.dtype.base_dtype
        return tf.raw_ops.ResourceSparseApplyMomentum(
            var=var.handle, accum=self._slots["momentum"][id(var)].handle,
            lr=tf.cast(self._learning_rate_tensor, grad.values.dtype), grad=grad.values,
            indices=grad.indices, momentum=tf.cast(self._momentum_tensor, grad.values.dtype),
            use_locking=self._use_locking, use_nesterov=self._use_nesterov)
