"""tf.train API details against tf.compat.v1: decays, slots, names, errors, global step;
tf.contrib.layers regularizers against contrib's formulas and validation."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import tftrain_compat as shim

V1 = tf.compat.v1
STEPS = [0, 1, 5, 9, 10, 11, 15, 20, 25, 30, 70]


def _decays(t, step):
    return [t.train.exponential_decay(0.1, step, 10, 0.96),
            t.train.exponential_decay(0.1, step, 10, 0.96, staircase=True),
            t.train.natural_exp_decay(0.1, step, 10, 0.5),
            t.train.natural_exp_decay(0.1, step, 10, 0.5, staircase=True),
            t.train.inverse_time_decay(0.1, step, 10, 0.5),
            t.train.inverse_time_decay(0.1, step, 10, 0.5, staircase=True),
            t.train.exponential_decay(tf.constant(0.1, tf.float64) if t is V1 else
                                      t.constant(0.1, tf.float64), step, 7, 0.5)]


def test_decays_bitwise_equal_over_steps():
    with tf.Graph().as_default():
        step = V1.placeholder(tf.int64, [])
        out = _decays(V1, step)
        with V1.Session() as sess:
            want = [sess.run(out, {step: s}) for s in STEPS]
    with shim.Graph().as_default():
        step = shim.placeholder(tf.int64, [])
        out = _decays(shim, step)
        assert [o.op.name for o in out[:3]] == ["ExponentialDecay", "ExponentialDecay_1",
                                                 "ExponentialDecay_2"]
        with shim.Session() as sess:
            got = [sess.run(out, {step: s}) for s in STEPS]
    for g, w in zip(got, want):
        for a, b in zip(g, w):
            assert a.dtype == b.dtype and np.array_equal(a, b)
    # Spot-check TF1_SEMANTICS.md §2's table (float32 values printed with repr).
    assert [float(g[0]) for g in got][:2] == [np.float32(0.100000001), np.float32(0.0995926186)]
    assert float(got[10][1]) == np.float32(0.075144738)


def test_decay_needs_global_step():
    with shim.Graph().as_default():
        with pytest.raises(ValueError, match="None values not supported."):
            shim.train.exponential_decay(0.1, None, 10, 0.9)


def _slots_model(t, opt_factory):
    w = t.Variable(np.ones((3, 2), np.float32), name="w")
    b = t.Variable(np.zeros(2, np.float32), name="b")
    loss = t.reduce_sum(t.matmul(t.ones([1, 3]), w) + b)
    opt = opt_factory(t)
    train = opt.minimize(loss)
    return w, b, opt, train


@pytest.mark.parametrize("factory", [
    lambda t: t.train.GradientDescentOptimizer(0.1),
    lambda t: t.train.MomentumOptimizer(0.1, 0.9),
    lambda t: t.train.MomentumOptimizer(0.1, 0.9, name="MyMom", use_nesterov=True),
    lambda t: t.train.AdamOptimizer(),
])
def test_slot_names_variables_and_train_op_name_match(factory):
    def describe(t):
        w, b, opt, train = _slots_model(t, factory)
        return (train.name, opt.get_slot_names(),
                [opt.get_slot(w, n).name for n in opt.get_slot_names()],
                [v.name for v in opt.variables()], opt.get_slot(w, "nope"),
                [op.name for op in t.get_collection(t.GraphKeys.TRAIN_OP)])
    with tf.Graph().as_default():
        want = describe(V1)
    with shim.Graph().as_default():
        got = describe(shim)
    assert got == want


def test_no_gradient_errors_same_text():
    def minimize(t):
        w = t.Variable([1.0, 2.0], name="w")
        return t.train.GradientDescentOptimizer(0.1).minimize(t.constant(3.0))

    def apply_none(t):
        w = t.Variable([1.0, 2.0], name="w")
        return t.train.GradientDescentOptimizer(0.1).apply_gradients([(None, w)])

    for build in (minimize, apply_none):
        with tf.Graph().as_default():
            with pytest.raises(ValueError) as want:
                build(V1)
        with shim.Graph().as_default():
            with pytest.raises(ValueError) as got:
                build(shim)
        assert str(got.value) == str(want.value)


def test_optimizer_argument_errors():
    with shim.Graph().as_default():
        w = shim.Variable(1.0)
        opt = shim.train.GradientDescentOptimizer(0.1)
        with pytest.raises(ValueError, match="No variables provided."):
            opt.apply_gradients([])
        with pytest.raises(ValueError, match=r"gate_gradients must be one of: .*  Not 5"):
            opt.minimize(w * 2, gate_gradients=5)
        with pytest.raises(ValueError, match="Invalid type"):
            opt.minimize(shim.constant(1), var_list=[w])
        with pytest.raises(ValueError, match="Must specify the optimizer name"):
            shim.train.Optimizer(False, "")
        with pytest.raises(TypeError):
            shim.train.MomentumOptimizer(0.1)  # momentum is required


def test_global_step_helpers():
    with shim.Graph().as_default():
        assert shim.train.get_global_step() is None
        step = shim.train.get_or_create_global_step()
        assert step.dtype == tf.int64 and step.name == "global_step:0" and not step.trainable
        assert shim.train.get_or_create_global_step() is step
        assert shim.train.get_global_step() is step
        assert step in shim.global_variables() and step not in shim.trainable_variables()
        with pytest.raises(ValueError, match='"global_step" already exists.'):
            shim.train.create_global_step()


def test_int32_variable_as_global_step():
    with shim.Graph().as_default():
        step = shim.Variable(0, trainable=False)
        w = shim.Variable(1.0)
        lr = shim.train.exponential_decay(0.5, step, 1, 0.5)
        train = shim.train.GradientDescentOptimizer(lr).minimize(w * w, global_step=step)
        with shim.Session() as sess:
            sess.run(shim.global_variables_initializer())
            sess.run(train)
            sess.run(train)
            # step 0: lr 0.5, w = 1 - 0.5*2 = 0; step 1: grad 0
            assert sess.run(step) == 2 and sess.run(w) == 0.0


# ----- regularizers -------------------------------------------------------------------------
def test_l2_and_l1_regularizer_values_and_names():
    w_val = np.random.RandomState(3).randn(4, 3).astype(np.float32)
    with tf.Graph().as_default(), V1.Session() as sess:
        w = tf.constant(w_val)
        want = sess.run([tf.multiply(tf.constant(0.1), tf.nn.l2_loss(w)),
                         tf.multiply(tf.constant(0.2), tf.reduce_sum(tf.abs(w)))])
    with shim.Graph().as_default(), shim.Session() as sess:
        w = shim.constant(w_val)
        l2 = shim.contrib.layers.l2_regularizer(0.1)(w)
        l1 = shim.contrib.layers.l1_regularizer(0.2)(w)
        both = shim.contrib.layers.l1_l2_regularizer(0.2, 0.1)(w)
        got = sess.run([l2, l1, both])
    assert l2.op.name == "l2_regularizer" and l1.op.name == "l1_regularizer"
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
    assert np.isclose(got[0], 0.1 * np.sum(w_val.astype(np.float64) ** 2) / 2, rtol=1e-5)
    assert np.array_equal(got[2], np.float32(got[1] + got[0]))


def test_regularizer_validation_texts():
    layers = shim.contrib.layers
    with pytest.raises(ValueError, match=r"^scale cannot be an integer: 1$"):
        layers.l2_regularizer(1)
    with pytest.raises(ValueError, match=r"^Setting a scale less than 0 on a regularizer: -0.5\.$"):
        layers.l2_regularizer(-0.5)
    with pytest.raises(ValueError, match=r"^Setting a scale less than 0 on a regularizer: -0.5$"):
        layers.l1_regularizer(-0.5)
    with pytest.raises(ValueError, match=r"^scale_l1 cannot be an integer: 2$"):
        layers.l1_l2_regularizer(2, 0.1)
    assert layers.l2_regularizer(0.0)(None) is None


def test_apply_regularization():
    with shim.Graph().as_default():
        with pytest.raises(ValueError, match="No weights to regularize."):
            shim.contrib.layers.apply_regularization(shim.contrib.layers.l2_regularizer(0.1))
        w1 = shim.Variable(np.ones((2, 2), np.float32))
        w2 = shim.Variable(np.full(3, 2.0, np.float32))
        total = shim.contrib.layers.apply_regularization(
            shim.contrib.layers.l2_regularizer(0.5), [w1, w2])
        assert shim.get_collection(shim.GraphKeys.REGULARIZATION_LOSSES) == [total]
        assert total.op.name == "get_regularization_penalty"
        with shim.Session() as sess:
            sess.run(shim.global_variables_initializer())
            assert sess.run(total) == 0.5 * 4 / 2 + 0.5 * 12 / 2


def test_slot_names_under_variable_scopes_and_reuse_error():
    """TF1 prepends the variable scope active at minimize() to slots and non-slot variables."""
    def build(t):
        with t.variable_scope("layer1"):
            w = t.get_variable("w", [2], initializer=t.ones_initializer())
        with t.variable_scope("train"):
            opt = t.train.AdamOptimizer(0.1)
            opt.minimize(t.reduce_sum(w * w))
        names = [v.name for v in opt.variables()]
        with t.variable_scope("again", reuse=True):
            with pytest.raises(ValueError) as err:
                t.train.MomentumOptimizer(0.1, 0.9).minimize(t.reduce_sum(w * w))
        return names, str(err.value)
    with tf.Graph().as_default():
        want = build(V1)
    with shim.Graph().as_default():
        got = build(shim)
    assert got == want
    assert got[0] == ["train/beta1_power:0", "train/beta2_power:0", "train/layer1/w/Adam:0",
                      "train/layer1/w/Adam_1:0"]
