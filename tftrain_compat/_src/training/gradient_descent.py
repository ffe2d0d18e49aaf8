"""TF1 ``tf.train.GradientDescentOptimizer``."""
from __future__ import annotations

import tensorflow as tf

from tftrain_compat._src.training.optimizer import Optimizer


class GradientDescentOptimizer(Optimizer):
    """``var -= learning_rate * grad`` (TF1 kernel ``ResourceApplyGradientDescent``: ``var - g*lr``).

    Sparse gradients are applied without deduplication, as TF1 did:
    ``var[indices] += -values * lr`` (``ResourceScatterAdd``), duplicates added one by one.
    """

    def __init__(self, learning_rate, use_locking: bool = False,
                 name: str = "GradientDescent") -> None:
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad, var):
        return tf.raw_ops.ResourceApplyGradientDescent(
            var=var.handle, alpha=tf.cast(self._learning_rate_tensor, var.dtype.base_dtype),
            delta=grad, use_locking=self._use_locking)

    def _apply_sparse_duplicate_indices(self, grad, var):
        lr = tf.cast(self._learning_rate_tensor, var.dtype.base_dtype)
        return tf.raw_ops.ResourceScatterAdd(resource=var.handle, indices=grad.indices,
                                             updates=-grad.values * lr)
