"""Builders shared by the equivalence tests: one model, built twice — by tftrain_compat and by
tf.compat.v1 (the oracle, always inside its own ``tf.Graph().as_default()``)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tensorflow as tf

import tftrain_compat


@dataclass
class TrainCase:
    optimizer: str            # "gd" | "momentum" | "adam"
    decay: str | None         # None | "exponential" | "natural_exp" | "inverse_time"
    lr: float
    decay_steps: int
    decay_rate: float
    staircase: bool
    momentum: float
    nesterov: bool
    beta1: float
    beta2: float
    epsilon: float
    l2_scale: float | None
    n_in: int
    n_hidden: int
    n_out: int
    batch: int
    steps: int
    seed: int


def _data(case: TrainCase):
    rng = np.random.RandomState(case.seed)
    w1 = (rng.randn(case.n_in, case.n_hidden) * 0.5).astype(np.float32)
    b1 = (rng.randn(case.n_hidden) * 0.1).astype(np.float32)
    w2 = (rng.randn(case.n_hidden, case.n_out) * 0.5).astype(np.float32)
    xs = [rng.randn(case.batch, case.n_in).astype(np.float32) for _ in range(case.steps)]
    ys = [np.eye(case.n_out, dtype=np.float32)[rng.randint(0, case.n_out, case.batch)]
          for _ in range(case.steps)]
    return (w1, b1, w2), xs, ys


def _build(tfm, case: TrainCase, init, l2):
    """The same TF1 program for either namespace; returns (x, y, train_op, loss, opt, vars)."""
    w1i, b1i, w2i = init
    x = tfm.placeholder(tf.float32, [None, case.n_in], name="x")
    y = tfm.placeholder(tf.float32, [None, case.n_out], name="y")
    w1 = tfm.Variable(w1i, name="w1")
    b1 = tfm.Variable(b1i, name="b1")
    w2 = tfm.Variable(w2i, name="w2")
    h = tfm.nn.relu(tfm.matmul(x, w1) + b1)
    logits = tfm.matmul(h, w2)
    loss = tfm.reduce_mean(tfm.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
    if case.l2_scale is not None:
        loss = loss + l2(case.l2_scale, w1) + l2(case.l2_scale, w2)
    step = tfm.train.get_or_create_global_step()
    lr = case.lr
    if case.decay is not None:
        fn = getattr(tfm.train, case.decay + "_decay")
        lr = fn(case.lr, step, case.decay_steps, case.decay_rate, staircase=case.staircase)
    if case.optimizer == "gd":
        opt = tfm.train.GradientDescentOptimizer(lr)
    elif case.optimizer == "momentum":
        opt = tfm.train.MomentumOptimizer(lr, case.momentum, use_nesterov=case.nesterov)
    else:
        opt = tfm.train.AdamOptimizer(lr, case.beta1, case.beta2, case.epsilon)
    train = opt.minimize(loss, global_step=step)
    return x, y, train, loss, opt, [w1, b1, w2, step]


def run_shim(case: TrainCase):
    """Variables and slots after ``case.steps`` steps under tftrain_compat."""
    tfm = tftrain_compat
    init, xs, ys = _data(case)
    graph = tfm.Graph()
    with graph.as_default():
        l2 = lambda s, w: tfm.contrib.layers.l2_regularizer(s)(w)  # noqa: E731
        x, y, train, loss, opt, variables = _build(tfm, case, init, l2)
        slots = [opt.get_slot(v, n) for v in variables[:3] for n in opt.get_slot_names()]
        with tfm.Session() as sess:
            sess.run(tfm.global_variables_initializer())
            losses = [sess.run([train, loss], {x: a, y: b})[1] for a, b in zip(xs, ys)]
            return sess.run(variables + slots + opt.variables()), losses


def run_reference(case: TrainCase):
    """The same under tf.compat.v1 (contrib's l2_regularizer is scale * l2_loss(w))."""
    v1 = tf.compat.v1
    init, xs, ys = _data(case)
    with tf.Graph().as_default():
        def l2(s, w):
            with v1.name_scope(None, "l2_regularizer", [w]) as name:
                return tf.multiply(tf.convert_to_tensor(s, dtype=w.dtype.base_dtype, name="scale"),
                                   tf.nn.l2_loss(w), name=name)
        x, y, train, loss, opt, variables = _build(v1, case, init, l2)
        slots = [opt.get_slot(v, n) for v in variables[:3] for n in opt.get_slot_names()]
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            losses = [sess.run([train, loss], {x: a, y: b})[1] for a, b in zip(xs, ys)]
            return sess.run(variables + slots + opt.variables()), losses
