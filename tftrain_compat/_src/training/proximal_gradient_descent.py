"""TF1 ``tf.train.ProximalGradientDescentOptimizer``."""
from __future__ import annotations

import tensorflow as tf

from tftrain_compat._src.training.optimizer import Optimizer


class ProximalGradientDescentOptimizer(Optimizer):
    """Gradient descent followed by the proximal step of l1/l2 (FOBOS, Duchi & Singer 2009).

    ``prox = var - grad * learning_rate``;
    ``var = sign(prox) * max(|prox| - learning_rate * l1_regularization_strength, 0)
    / (1 + l2_regularization_strength * learning_rate)`` (``prox / (1 + l2 * lr)`` when
    ``l1 == 0``). No slots. Kernels ``ResourceApplyProximalGradientDescent`` /
    ``ResourceSparseApplyProximalGradientDescent``.

    Warning (TF1 quirk): the dense path passes the hyperparameters without a cast, so they must
    already have the variable's dtype — a float64 variable with Python-float hyperparameters
    fails with TF1's TypeError. A callable ``learning_rate`` is not called.
    """

    def __init__(self, learning_rate, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, use_locking: bool = False,
                 name: str = "ProximalGradientDescent") -> None:
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._l1 = l1_regularization_strength
        self._l2 = l2_regularization_strength

    def _prepare(self) -> None:
        self._lr_t = self._hyper(self._learning_rate, "learning_rate", call=False)
        self._l1_t = self._hyper(self._l1, "l1_regularization_strength", call=False)
        self._l2_t = self._hyper(self._l2, "l2_regularization_strength", call=False)

    def _apply_dense(self, grad, var):
        return tf.raw_ops.ResourceApplyProximalGradientDescent(
            var=var.handle, alpha=self._lr_t, l1=self._l1_t, l2=self._l2_t, delta=grad,
            use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        dtype = grad.values.dtype
        return tf.raw_ops.ResourceSparseApplyProximalGradientDescent(
            var=var.handle, alpha=tf.cast(self._lr_t, dtype), l1=tf.cast(self._l1_t, dtype),
            l2=tf.cast(self._l2_t, dtype), grad=grad.values, indices=grad.indices,
            use_locking=self._use_locking)
