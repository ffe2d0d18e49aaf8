"""TF1 ``tf.train.FtrlOptimizer``."""
from __future__ import annotations

import functools

import tensorflow as tf

from tftrain_compat._src import tensor as _tensor
from tftrain_compat._src.training.optimizer import Optimizer


class FtrlOptimizer(Optimizer):
    """FTRL-Proximal (McMahan et al., 2013), TF1's kernel form. With ``p = -learning_rate_power``:

    ``g_s = grad + 2 * l2_shrinkage_regularization_strength * var`` (``g_s = grad`` without
    shrinkage); ``new_accum = accum + grad**2``;
    ``linear += g_s - (new_accum**p - accum**p) / learning_rate * var``;
    ``var = (l1 * sign(linear) - linear) / (new_accum**p / learning_rate + 2 * l2)`` if
    ``|linear| > l1`` else ``0``; ``accum = new_accum``.

    Slots ``'accum'`` (``w/<accum_name or name>``, filled with ``initial_accumulator_value``)
    and ``'linear'`` (``w/<linear_name or name>``, zeros). Kernels ``ResourceApplyFtrl``, or
    ``ResourceApplyFtrlV2`` when ``l2_shrinkage_regularization_strength > 0``, and their
    ``ResourceSparseApply`` forms.

    Warning: the ``linear`` slot is not multiplied by the learning rate; a callable
    ``learning_rate`` is not called (TF1). ``beta`` is tf.compat.v1's addition (TF 2.x): the
    kernel's l2 is ``l2 + beta / (2 * max(learning_rate, 1e-36))``, computed in the learning
    rate's dtype — as tf.compat.v1 does even for ``beta=None``.
    """

    def __init__(self, learning_rate, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking: bool = False, name: str = "Ftrl", accum_name: str | None = None,
                 linear_name: str | None = None, l2_shrinkage_regularization_strength=0.0,
                 beta=None) -> None:
        super().__init__(use_locking, name)
        # TF1's checks, in TF1's order (after the name check); sign -1: must be <= 0.
        for what, value, sign in (
                ("initial_accumulator_value", initial_accumulator_value, 1),
                ("learning_rate_power", learning_rate_power, -1),
                ("l1_regularization_strength", l1_regularization_strength, 1),
                ("l2_regularization_strength", l2_regularization_strength, 1),
                ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength, 1)):
            if value * sign < 0.0:
                raise ValueError("%s %f needs to be %s" % (
                    what, value, "positive or zero" if sign > 0 else "negative or zero"))
        self._learning_rate = learning_rate
        self._learning_rate_power = learning_rate_power
        self._initial_accumulator_value = initial_accumulator_value
        self._l1 = l1_regularization_strength
        self._l2 = l2_regularization_strength
        self._l2_shrinkage = l2_shrinkage_regularization_strength
        self._beta = 0.0 if beta is None else beta
        self._accum_name = accum_name
        self._linear_name = linear_name

    def _create_slots(self, var_list) -> None:
        for v in var_list:
            self._get_or_make_slot(v, functools.partial(self._accum_init, v), "accum",
                                   self._accum_name or self._name)
            self._zeros_slot(v, "linear", self._linear_name or self._name)

    def _accum_init(self, var) -> tf.Tensor:
        # TF1: ones * value (the Python float is converted straight to the variable's dtype).
        return tf.ones(var.shape, var.dtype.base_dtype) * self._initial_accumulator_value

    def _prepare(self) -> None:
        lr = _tensor.unwrap(self._learning_rate)
        self._lr_t = tf.convert_to_tensor(lr, name="learning_rate")
        self._l1_t = self._hyper(self._l1, "l1_regularization_strength", call=False)
        self._l2_t = tf.convert_to_tensor(
            _tensor.unwrap(self._l2) + self._beta / (2.0 * tf.maximum(lr, 1e-36)),
            name="adjusted_l2_regularization_strength")
        self._l2_shrinkage_t = self._hyper(self._l2_shrinkage, "l2_shrinkage_regularization_strength", call=False)
        self._lr_power_t = self._hyper(self._learning_rate_power, "learning_rate_power", call=False)

    def _kernel_args(self, var, dtype) -> dict:
        args = dict(var=var.handle, accum=self._slots["accum"][id(var)].handle,
                    linear=self._slots["linear"][id(var)].handle,
                    lr=tf.cast(self._lr_t, dtype), l1=tf.cast(self._l1_t, dtype),
                    l2=tf.cast(self._l2_t, dtype), lr_power=tf.cast(self._lr_power_t, dtype),
                    use_locking=self._use_locking)
        if self._l2_shrinkage > 0.0:
            args["l2_shrinkage"] = tf.cast(self._l2_shrinkage_t, dtype)
        return args

    def _apply_dense(self, grad, var):
        args = self._kernel_args(var, var.dtype.base_dtype)
        kernel = (tf.raw_ops.ResourceApplyFtrlV2 if "l2_shrinkage" in args
                  else tf.raw_ops.ResourceApplyFtrl)
        return kernel(grad=grad, **args)

    def _apply_sparse(self, grad, var):
        args = self._kernel_args(var, grad.values.dtype)
        kernel = (tf.raw_ops.ResourceSparseApplyFtrlV2 if "l2_shrinkage" in args
                  else tf.raw_ops.ResourceSparseApplyFtrl)
        return kernel(grad=grad.values, indices=grad.indices, **args)
