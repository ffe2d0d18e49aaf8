"""TF1 learning-rate decay functions (``tf.train.exponential_decay`` and friends).

Graph mode, as TF1 scripts use them: each returns a scalar tensor computed from ``global_step``
on every run. The dtype rule is TF1's: ``learning_rate`` is converted first (a Python float
becomes float32) and every other argument, ``global_step`` included, is cast to its dtype; the
operations follow TF's order exactly, so the values are bit-equal to tf.compat.v1's.
"""
from __future__ import annotations

from typing import Callable

import tensorflow as tf

from tftrain_compat._src import tensor as _tensor


def _decay(default_name: str, name: str | None, learning_rate, global_step,
           rule: Callable[[tf.Tensor, tf.DType, tf.Tensor], tf.Tensor], *args):
    """Builds ``rule(lr, dtype, step)`` under TF1's name scope (shared by every decay)."""
    def build(lr, step, *rest):
        with tf.name_scope(name or default_name) as scope:
            lr = tf.convert_to_tensor(lr, name="initial_learning_rate")
            return rule(lr, lr.dtype, step, scope, *rest)
    return _tensor.call_in_graph(build, (learning_rate, global_step) + args, {})


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate,
                      staircase: bool = False, name: str | None = None):
    """``learning_rate * decay_rate ** (global_step / decay_steps)``.

    With ``staircase`` the exponent is floored. Name scope ``ExponentialDecay``.
    """
    def rule(lr, dtype, step, scope, decay_steps, decay_rate):
        p = tf.cast(step, dtype) / tf.cast(decay_steps, dtype)
        if staircase:
            p = tf.floor(p)
        return tf.multiply(lr, tf.pow(tf.cast(decay_rate, dtype), p), name=scope)
    return _decay("ExponentialDecay", name, learning_rate, global_step, rule, decay_steps,
                  decay_rate)


def natural_exp_decay(learning_rate, global_step, decay_steps, decay_rate,
                      staircase: bool = False, name: str | None = None):
    """``learning_rate * exp(-decay_rate) ** (global_step / decay_steps)`` (TF >= 1.13 form).

    ``exp(-decay_rate)`` is computed first as its own (float32 for a Python float) tensor, then
    the exponential decay runs with it — so the scope is ``ExponentialDecay``, as in TF.
    TF <= 1.12 computed ``lr * exp(-decay_rate * p)``, which differs by about 1 ulp.
    """
    rate = _tensor.call_in_graph(lambda r: tf.exp(tf.negative(r)), (decay_rate,), {})
    return exponential_decay(learning_rate, global_step, decay_steps, rate, staircase, name)


def inverse_time_decay(learning_rate, global_step, decay_steps, decay_rate,
                       staircase: bool = False, name: str | None = None):
    """``learning_rate / (1 + decay_rate * global_step / decay_steps)`` (floored with staircase)."""
    def rule(lr, dtype, step, scope, decay_steps, decay_rate):
        p = tf.cast(step, dtype) / tf.cast(decay_steps, dtype)
        if staircase:
            p = tf.floor(p)
        denom = tf.add(tf.cast(tf.constant(1), dtype), tf.multiply(tf.cast(decay_rate, dtype), p))
        return tf.divide(lr, denom, name=scope)
    return _decay("InverseTimeDecay", name, learning_rate, global_step, rule, decay_steps,
                  decay_rate)
