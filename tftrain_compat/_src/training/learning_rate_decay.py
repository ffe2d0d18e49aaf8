"""TF1 learning-rate decay functions (``tf.train.exponential_decay`` and friends).

Graph mode, as TF1 scripts use them: each returns a scalar tensor computed from ``global_step``
on every run. The dtype rule is TF1's: ``learning_rate`` is converted first (a Python float
becomes float32) and every other argument, ``global_step`` included, is cast to its dtype; the
operations follow TF's order exactly, so the values are bit-equal to tf.compat.v1's.
"""
from __future__ import annotations

import math
from typing import Callable

import tensorflow as tf

from tftrain_compat._src import tensor as _tensor


def _decay(default_name: str, name: str | None, learning_rate, global_step,
           rule: Callable[..., tf.Tensor], *args):
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


def piecewise_constant(x, boundaries, values, name: str | None = None):
    """``values[0]`` while ``x <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < x <= boundaries[i]``, ``values[-1]`` once ``x > boundaries[-1]``.

    The result has the dtype of ``values``; built with ``tf.case(exclusive=True)`` under the
    name scope ``PiecewiseConstant``. TF1's checks, in TF1's order: every boundary has ``x``'s
    dtype (int32 boundaries are cast for an int64 ``x``), the values share one dtype, and
    ``len(boundaries) == len(values) - 1`` — each a ``ValueError`` with TF1's text.
    """
    def build(x, boundaries, values):
        boundaries = [tf.convert_to_tensor(b) for b in tf.nest.flatten(boundaries)]
        values = [tf.convert_to_tensor(v) for v in tf.nest.flatten(values)]
        x_t = tf.convert_to_tensor(x)
        for i, b in enumerate(boundaries):
            if b.dtype.base_dtype != x_t.dtype.base_dtype:
                if b.dtype.base_dtype != tf.int32 or x_t.dtype.base_dtype != tf.int64:
                    raise ValueError("Boundaries (%s) must have the same dtype as x (%s)." %
                                     (b.dtype.base_dtype, x_t.dtype.base_dtype))
                boundaries[i] = tf.cast(b, x_t.dtype.base_dtype)
        for v in values[1:]:
            if v.dtype.base_dtype != values[0].dtype.base_dtype:
                raise ValueError("Values must have elements all with the same dtype (%s vs %s)." %
                                 (values[0].dtype.base_dtype, v.dtype.base_dtype))
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values")
        with tf.name_scope(name or "PiecewiseConstant"):
            # TF converts ``x`` again inside the scope (a second read of a variable step).
            step = tf.convert_to_tensor(x)
            pairs = [(step <= boundaries[0], lambda: values[0]),
                     (step > boundaries[-1], lambda: values[-1])]
            for low, high, v in zip(boundaries[:-1], boundaries[1:], values[1:-1]):
                pairs.append(((step > low) & (step <= high), lambda v=v: v))
            return tf.case(pairs, lambda: values[0], exclusive=True)
    return _tensor.call_in_graph(build, (x, boundaries, values), {})


piecewise_constant_decay = piecewise_constant


def polynomial_decay(learning_rate, global_step, decay_steps, end_learning_rate=0.0001,
                     power=1.0, cycle: bool = False, name: str | None = None):
    """``(learning_rate - end_learning_rate) * (1 - step / decay_steps) ** power
    + end_learning_rate`` with ``step = min(global_step, decay_steps)``.

    With ``cycle`` the step is not clamped; ``decay_steps`` is multiplied by
    ``ceil(global_step / decay_steps)`` (1 at step 0), dividing by the raw ``decay_steps``.
    Name scope ``PolynomialDecay``.
    """
    def rule(lr, dtype, step, scope, decay_steps, end_learning_rate, power):
        end = tf.cast(end_learning_rate, dtype)
        power_t = tf.cast(power, dtype)
        s = tf.cast(step, dtype)
        ds = tf.cast(decay_steps, dtype)
        if cycle:
            multiplier = tf.where(tf.equal(s, 0), 1.0, tf.math.ceil(s / decay_steps))
            ds = tf.multiply(ds, multiplier)
        else:
            s = tf.minimum(s, ds)
        p = tf.divide(s, ds)
        return tf.add(tf.multiply(lr - end, tf.pow(1 - p, power_t)), end, name=scope)
    return _decay("PolynomialDecay", name, learning_rate, global_step, rule, decay_steps,
                  end_learning_rate, power)


def cosine_decay(learning_rate, global_step, decay_steps, alpha=0.0, name: str | None = None):
    """``learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * step / decay_steps)) + alpha)``
    with ``step = min(global_step, decay_steps)`` (Loshchilov & Hutter, 2017, no restarts).

    TF's quirk: ``alpha`` is not cast, so ``1 - alpha`` is Python arithmetic; pi is a float32
    constant. Name scope ``CosineDecay``; the output op is unnamed (``CosineDecay/Mul_3``).
    """
    def rule(lr, dtype, step, scope, decay_steps, alpha):
        ds = tf.cast(decay_steps, dtype)
        s = tf.minimum(tf.cast(step, dtype), ds)
        fraction = s / ds
        cosine = 0.5 * (1.0 + tf.cos(tf.constant(math.pi) * fraction))
        return tf.multiply(lr, (1 - alpha) * cosine + alpha)
    return _decay("CosineDecay", name, learning_rate, global_step, rule, decay_steps, alpha)


def cosine_decay_restarts(learning_rate, global_step, first_decay_steps, t_mul=2.0,
                          m_mul=1.0, alpha=0.0, name: str | None = None):
    """Cosine decay with warm restarts (SGDR, Loshchilov & Hutter, 2017).

    ``f = global_step / first_decay_steps``; restart ``i = floor(f)`` when ``t_mul == 1`` (a
    ``tf.cond``), else ``i = floor(log(1 - f * (1 - t_mul)) / log(t_mul))`` and
    ``f = (f - (1 - t_mul**i) / (1 - t_mul)) / t_mul**i``; then
    ``learning_rate * ((1 - alpha) * 0.5 * m_mul**i * (1 + cos(pi * f)) + alpha)``.
    Name scope ``SGDRDecay``.
    """
    def rule(lr, dtype, step, scope, first_decay_steps, t_mul, m_mul, alpha):
        first = tf.cast(first_decay_steps, dtype)
        alpha_t = tf.cast(alpha, dtype)
        t_mul_t = tf.cast(t_mul, dtype)
        m_mul_t = tf.cast(m_mul, dtype)
        fraction = tf.cast(step, dtype) / first

        def restart(geometric: bool):
            f = fraction
            if geometric:
                i = tf.floor(tf.math.log(1.0 - f * (1.0 - t_mul_t)) / tf.math.log(t_mul_t))
                sum_r = (1.0 - t_mul_t ** i) / (1.0 - t_mul_t)
                f = (f - sum_r) / t_mul_t ** i
            else:
                i = tf.floor(f)
                f -= i
            return i, f
        i, fraction = tf.cond(tf.equal(t_mul_t, 1.0), lambda: restart(False),
                              lambda: restart(True))
        m_fac = m_mul_t ** i
        cosine = 0.5 * m_fac * (1.0 + tf.cos(tf.constant(math.pi) * fraction))
        return tf.multiply(lr, (1 - alpha_t) * cosine + alpha_t, name=scope)
    return _decay("SGDRDecay", name, learning_rate, global_step, rule, first_decay_steps,
                  t_mul, m_mul, alpha)


def _linear_cosine(lr, dtype, step, scope, decay_steps, num_periods, alpha, beta, noise=None):
    """Shared body of (noisy) linear cosine decay, in TF's op order; ``noise`` is
    ``(initial_variance, variance_decay)`` for the noisy form."""
    ds = tf.cast(decay_steps, dtype)
    if noise is not None:
        initial_variance, variance_decay = noise
        initial_variance = tf.cast(initial_variance, dtype)
        variance_decay = tf.cast(variance_decay, dtype)
    num_periods = tf.cast(num_periods, dtype)
    alpha = tf.cast(alpha, dtype)
    beta = tf.cast(beta, dtype)
    s = tf.minimum(tf.cast(step, dtype), ds)
    linear = (ds - s) / ds
    if noise is not None:
        std = tf.sqrt(initial_variance / tf.pow(1.0 + s, variance_decay))
        # An unseeded random op in the backing graph: it takes TF's graph seeds (and one
        # value of the graph's op-seed counter), as tf.compat.v1's does.
        linear = linear + tf.random.normal(linear.shape, stddev=std)
    completed = s / ds
    fraction = 2.0 * num_periods * completed
    cosine = 0.5 * (1.0 + tf.cos(tf.constant(math.pi) * fraction))
    return tf.multiply(lr, (alpha + linear) * cosine + beta, name=scope)


def linear_cosine_decay(learning_rate, global_step, decay_steps, num_periods=0.5, alpha=0.0,
                        beta=0.001, name: str | None = None):
    """``learning_rate * ((alpha + linear) * cosine + beta)`` with ``s = min(global_step,
    decay_steps)``, ``linear = (decay_steps - s) / decay_steps`` and
    ``cosine = 0.5 * (1 + cos(pi * 2 * num_periods * s / decay_steps))`` (Bello et al., 2017).
    Name scope ``LinearCosineDecay``.
    """
    def rule(lr, dtype, step, scope, decay_steps, num_periods, alpha, beta):
        return _linear_cosine(lr, dtype, step, scope, decay_steps, num_periods, alpha, beta)
    return _decay("LinearCosineDecay", name, learning_rate, global_step, rule, decay_steps,
                  num_periods, alpha, beta)


def noisy_linear_cosine_decay(learning_rate, global_step, decay_steps, initial_variance=1.0,
                              variance_decay=0.55, num_periods=0.5, alpha=0.0, beta=0.001,
                              name: str | None = None):
    """Linear cosine decay with ``linear += N(0, sqrt(initial_variance /
    (1 + s) ** variance_decay))`` (``s`` the clamped step).

    The noise is an unseeded ``random_normal`` drawing a new value on every run; under
    ``tf.set_random_seed`` it takes the graph's next op seed, so the stream equals TF1's.
    Name scope ``NoisyLinearCosineDecay``.
    """
    def rule(lr, dtype, step, scope, decay_steps, initial_variance, variance_decay,
             num_periods, alpha, beta):
        return _linear_cosine(lr, dtype, step, scope, decay_steps, num_periods, alpha, beta,
                              noise=(initial_variance, variance_decay))
    return _decay("NoisyLinearCosineDecay", name, learning_rate, global_step, rule,
                  decay_steps, initial_variance, variance_decay, num_periods, alpha, beta)
