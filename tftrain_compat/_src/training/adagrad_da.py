"""TF1 ``tf.train.AdagradDAOptimizer``."""
from __future__ import annotations

import tensorflow as tf

from tftrain_compat._src import tensor as _tensor
from tftrain_compat._src.training.optimizer import Optimizer


class AdagradDAOptimizer(Optimizer):
    """Adagrad Dual Averaging (Duchi et al., 2011), for sparse linear models.

    With ``t = global_step + 1`` (the kernel converts it to float):
    ``gradient_accumulator += grad``; ``gradient_squared_accumulator += grad * grad``;
    ``var = -learning_rate * sign(g_acc) * max(|g_acc| - t * l1_regularization_strength, 0)
    / (l2_regularization_strength * t * learning_rate + sqrt(gg_acc))`` (without the
    ``sign``/``max`` shrinkage when ``l1 == 0``).

    Slots ``'gradient_accumulator'`` (``w/AdagradDA``, zeros) and
    ``'gradient_squared_accumulator'`` (``w/AdagradDA_1``, the initial value). Kernels
    ``ResourceApplyAdagradDA`` / ``ResourceSparseApplyAdagradDA``.

    Warning (TF1): ``global_step`` is required, read before the step's increment, and must be
    int64 (an int32 step fails in the kernel with TF1's TypeError). A callable
    ``learning_rate`` is not called.
    """

    def __init__(self, learning_rate, global_step,
                 initial_gradient_squared_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking: bool = False, name: str = "AdagradDA") -> None:
        if initial_gradient_squared_accumulator_value <= 0.0:
            raise ValueError("initial_gradient_squared_accumulator_value must be positive: %s" %
                             initial_gradient_squared_accumulator_value)
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_gg = initial_gradient_squared_accumulator_value
        self._l1 = l1_regularization_strength
        self._l2 = l2_regularization_strength
        self._global_step = global_step

    def _create_slots(self, var_list) -> None:
        for v in var_list:
            dtype = v.dtype.base_dtype
            self._get_or_make_slot(
                v, lambda v=v, dtype=dtype: tf.constant(0.0, dtype=dtype, shape=v.shape),
                "gradient_accumulator", self._name)
            self._get_or_make_slot(
                v, lambda v=v, dtype=dtype: tf.constant(self._initial_gg, dtype=dtype,
                                                        shape=v.shape),
                "gradient_squared_accumulator", self._name)

    def _prepare(self) -> None:
        # TF1 passes no callable through here: the value is converted as it is.
        self._learning_rate_tensor = tf.convert_to_tensor(
            _tensor.unwrap(self._learning_rate), name="learning_rate")
        self._step_t = tf.identity(_tensor.unwrap(self._global_step)) + 1
        # l1 and l2 are cast straight to the gradient's dtype (a Python float via float32).
        self._l1_t = _tensor.unwrap(self._l1)
        self._l2_t = _tensor.unwrap(self._l2)

    def _accumulators(self, var):
        return (self._slots["gradient_accumulator"][id(var)].handle,
                self._slots["gradient_squared_accumulator"][id(var)].handle)

    def _apply_dense(self, grad, var):
        g_acc, gg_acc = self._accumulators(var)
        dtype = grad.dtype.base_dtype
        return tf.raw_ops.ResourceApplyAdagradDA(
            var=var.handle, gradient_accumulator=g_acc, gradient_squared_accumulator=gg_acc,
            grad=grad, lr=tf.cast(self._learning_rate_tensor, dtype),
            l1=tf.cast(self._l1_t, dtype), l2=tf.cast(self._l2_t, dtype),
            global_step=tf.identity(self._step_t),
            use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        g_acc, gg_acc = self._accumulators(var)
        dtype = grad.values.dtype
        return tf.raw_ops.ResourceSparseApplyAdagradDA(
            var=var.handle, gradient_accumulator=g_acc, gradient_squared_accumulator=gg_acc,
            grad=grad.values, indices=grad.indices, lr=tf.cast(self._learning_rate_tensor, dtype),
            l1=tf.cast(self._l1_t, dtype), l2=tf.cast(self._l2_t, dtype),
            global_step=tf.identity(self._step_t), use_locking=self._use_locking)
