"""TF1 ``tf.train.AdadeltaOptimizer``."""
from __future__ import annotations

import tensorflow as tf

from tftrain_compat._src.training.optimizer import Optimizer


class AdadeltaOptimizer(Optimizer):
    """Adadelta (Zeiler, 2012) with TF1's learning-rate factor.

    ``accum = accum * rho + grad**2 * (1 - rho)``;
    ``update = sqrt(accum_update + epsilon) * rsqrt(accum + epsilon) * grad``;
    ``var -= update * learning_rate``;
    ``accum_update = accum_update * rho + update**2 * (1 - rho)``.

    Slots ``'accum'`` (``w/Adadelta``) and ``'accum_update'`` (``w/Adadelta_1``), both zeros.
    Kernels ``ResourceApplyAdadelta`` / ``ResourceSparseApplyAdadelta``.

    Warning: TF1's default ``learning_rate=0.001`` scales the paper's update (which has no
    learning rate; use 1.0 for the paper's rule), and ``epsilon`` defaults to 1e-8.
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-08, use_locking: bool = False,
                 name: str = "Adadelta") -> None:
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._rho = rho
        self._epsilon = epsilon

    def _create_slots(self, var_list) -> None:
        for v in var_list:
            self._zeros_slot(v, "accum", self._name)
            self._zeros_slot(v, "accum_update", self._name)

    def _prepare(self) -> None:
        self._lr_t = self._hyper(self._lr, "lr")
        self._rho_t = self._hyper(self._rho, "rho")
        self._epsilon_t = self._hyper(self._epsilon, "epsilon")

    def _kernel_args(self, var, dtype) -> dict:
        return dict(var=var.handle, accum=self._slots["accum"][id(var)].handle,
                    accum_update=self._slots["accum_update"][id(var)].handle,
                    lr=tf.cast(self._lr_t, dtype), rho=tf.cast(self._rho_t, dtype),
                    epsilon=tf.cast(self._epsilon_t, dtype), use_locking=self._use_locking)

    def _apply_dense(self, grad, var):
        return tf.raw_ops.ResourceApplyAdadelta(grad=grad,
                                                **self._kernel_args(var, grad.dtype.base_dtype))

    def _apply_sparse(self, grad, var):
        return tf.raw_ops.ResourceSparseApplyAdadelta(
            grad=grad.values, indices=grad.indices, **self._kernel_args(var, grad.values.dtype))
