"""TF1 ``tf.train.RMSPropOptimizer``."""
from __future__ import annotations

import tensorflow as tf

from tftrain_compat._src.training.optimizer import Optimizer


class RMSPropOptimizer(Optimizer):
    """RMSProp (Hinton's lecture 6e) with TF1's momentum and centered variants.

    ``rms += (grad**2 - rms) * (1 - decay)``;
    ``momentum = momentum_slot * momentum + grad * learning_rate / sqrt(rms + epsilon)``;
    ``var -= momentum``. With ``centered``: ``mg += (grad - mg) * (1 - decay)`` and the
    denominator is ``sqrt(rms - mg**2 + epsilon)``.

    Slots, in creation order: ``'rms'`` (``w/RMSProp``, **ones**), ``'mg'`` if centered
    (``w/RMSProp_1``, zeros), ``'momentum'`` (zeros; created even when ``momentum == 0``).
    Kernels ``ResourceApply[Centered]RMSProp`` / ``ResourceSparseApply[Centered]RMSProp``.

    Warning: the rms slot starts at 1 and epsilon (1e-10) sits inside the square root, unlike
    Keras' RMSprop; the sparse kernels round differently (``rms*decay + g**2*(1-decay)``).
    """

    def __init__(self, learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10,
                 use_locking: bool = False, centered: bool = False,
                 name: str = "RMSProp") -> None:
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._decay = decay
        self._momentum = momentum
        self._epsilon = epsilon
        self._centered = centered

    def _create_slots(self, var_list) -> None:
        for v in var_list:
            self._get_or_make_slot(v, lambda v=v: tf.ones(v.shape, v.dtype.base_dtype), "rms",
                                   self._name)
            if self._centered:
                self._zeros_slot(v, "mg", self._name)
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")
        self._decay_tensor = self._hyper(self._decay, "decay")
        self._momentum_tensor = self._hyper(self._momentum, "momentum")
        self._epsilon_tensor = self._hyper(self._epsilon, "epsilon")

    def _kernel_args(self, var, dtype) -> dict:
        args = dict(var=var.handle, ms=self._slots["rms"][id(var)].handle,
                    mom=self._slots["momentum"][id(var)].handle,
                    lr=tf.cast(self._learning_rate_tensor, dtype),
                    rho=tf.cast(self._decay_tensor, dtype),
                    momentum=tf.cast(self._momentum_tensor, dtype),
                    epsilon=tf.cast(self._epsilon_tensor, dtype), use_locking=self._use_locking)
        if self._centered:
            args["mg"] = self._slots["mg"][id(var)].handle
        return args

    def _apply_dense(self, grad, var):
        args = self._kernel_args(var, grad.dtype.base_dtype)
        kernel = (tf.raw_ops.ResourceApplyCenteredRMSProp if self._centered
                  else tf.raw_ops.ResourceApplyRMSProp)
        return kernel(grad=grad, **args)

    def _apply_sparse(self, grad, var):
        args = self._kernel_args(var, grad.values.dtype)
        kernel = (tf.raw_ops.ResourceSparseApplyCenteredRMSProp if self._centered
                  else tf.raw_ops.ResourceSparseApplyRMSProp)
        return kernel(grad=grad.values, indices=grad.indices, **args)
