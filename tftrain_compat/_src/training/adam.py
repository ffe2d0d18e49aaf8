"""TF1 ``tf.train.AdamOptimizer``."""
from __future__ import annotations

import tensorflow as tf

from tftrain_compat._src.training.optimizer import Optimizer


class AdamOptimizer(Optimizer):
    """TF1 Adam, with TF1's "epsilon hat" form and ``epsilon=1e-8``.

    ``alpha = lr * sqrt(1 - beta2_power) / (1 - beta1_power)``;
    ``m += (g - m) * (1 - beta1)``; ``v += (g*g - v) * (1 - beta2)``;
    ``var -= m * alpha / (sqrt(v) + epsilon)``. Slots ``'m'`` (``w/Adam``) and ``'v'``
    (``w/Adam_1``); non-slot ``beta1_power``/``beta2_power`` start at beta1/beta2 and are
    multiplied by them (float32) after each step. Kernel ``ResourceApplyAdam``.

    Warning: not Keras' Adam (whose epsilon is added to the bias-corrected ``sqrt(v_hat)``).
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8,
                 use_locking: bool = False, name: str = "Adam") -> None:
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._beta1 = beta1
        self._beta2 = beta2
        self._epsilon = epsilon

    def _get_beta_accumulators(self):
        graph = self._building_graph
        return (self._get_non_slot_variable("beta1_power", graph),
                self._get_non_slot_variable("beta2_power", graph))

    def _create_slots(self, var_list) -> None:
        first = min(var_list, key=lambda x: x.name)
        self._create_non_slot_variable(self._beta1, "beta1_power", first)
        self._create_non_slot_variable(self._beta2, "beta2_power", first)
        for v in var_list:
            self._zeros_slot(v, "m", self._name)
            self._zeros_slot(v, "v", self._name)

    def _prepare(self) -> None:
        self._lr_t = self._hyper(self._lr, "learning_rate")
        self._beta1_t = self._hyper(self._beta1, "beta1")
        self._beta2_t = self._hyper(self._beta2, "beta2")
        self._epsilon_t = self._hyper(self._epsilon, "epsilon")

    def _apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        beta1_power, beta2_power = self._get_beta_accumulators()
        return tf.raw_ops.ResourceApplyAdam(
            var=var.handle, m=self._slots["m"][id(var)].handle, v=self._slots["v"][id(var)].handle,
            beta1_power=tf.cast(beta1_power, dtype), beta2_power=tf.cast(beta2_power, dtype),
            lr=tf.cast(self._lr_t, dtype), beta1=tf.cast(self._beta1_t, dtype),
            beta2=tf.cast(self._beta2_t, dtype), epsilon=tf.cast(self._epsilon_t, dtype),
            grad=grad, use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        # TF1 had no sparse Adam kernel: a composite that decays all of m and v (dense-equivalent).
        dtype = var.dtype.base_dtype
        beta1_power, beta2_power = self._get_beta_accumulators()
        beta1_power = tf.cast(beta1_power, dtype)
        beta2_power = tf.cast(beta2_power, dtype)
        lr_t = tf.cast(self._lr_t, dtype)
        beta1_t = tf.cast(self._beta1_t, dtype)
        beta2_t = tf.cast(self._beta2_t, dtype)
        epsilon_t = tf.cast(self._epsilon_t, dtype)
        lr = lr_t * tf.sqrt(1 - beta2_power) / (1 - beta1_power)
        m = self._slots["m"][id(var)]
        v = self._slots["v"][id(var)]
        m_t = m.assign(m * beta1_t, use_locking=self._use_locking)
        with tf.control_dependencies([m_t]):
            m_t = tf.raw_ops.ResourceScatterAdd(resource=m.handle, indices=grad.indices,
                                                updates=grad.values * (1 - beta1_t))
        v_t = v.assign(v * beta2_t, use_locking=self._use_locking)
        with tf.control_dependencies([v_t]):
            v_t = tf.raw_ops.ResourceScatterAdd(resource=v.handle, indices=grad.indices,
                                                updates=(grad.values * grad.values) * (1 - beta2_t))
        with tf.control_dependencies([m_t, v_t]):
            var_update = var.assign_sub(lr * m.read_value() / (tf.sqrt(v.read_value()) + epsilon_t),
                                        use_locking=self._use_locking)
        return tf.group(var_update, m_t, v_t)

    def _finish(self, update_ops, name_scope):
        beta1_power, beta2_power = self._get_beta_accumulators()
        with tf.control_dependencies(update_ops):
            update_beta1 = beta1_power.assign(beta1_power * self._beta1_t,
                                              use_locking=self._use_locking)
            update_beta2 = beta2_power.assign(beta2_power * self._beta2_t,
                                              use_locking=self._use_locking)
        return tf.group(*update_ops + [update_beta1, update_beta2], name=name_scope)
