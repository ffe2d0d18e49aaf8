"""tf.train.ExponentialMovingAverage against tf.compat.v1: shadow names and collections,
average/average_name/variables_to_restore, and the averages over training steps bit for bit."""
from __future__ import annotations

import inspect

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, strategies as st

import tftrain_compat as shim

V1 = tf.compat.v1


def _graph(t):
    return tf.Graph() if t is V1 else shim.Graph()


def _train_with_ema(t, decay, use_num_updates, steps, seed, zero_debias=False, float64=False):
    """SGD on a tiny regression, an EMA of the weights (and of the loss tensor) per step."""
    rng = np.random.RandomState(seed)
    xs = [rng.randn(4, 3).astype(np.float32) for _ in range(steps)]
    ys = [rng.randn(4, 1).astype(np.float32) for _ in range(steps)]
    w0 = rng.randn(3, 1).astype(np.float32)
    x = t.placeholder(tf.float32, [None, 3])
    y = t.placeholder(tf.float32, [None, 1])
    w = t.Variable(w0, name="w")
    b = t.Variable(0.5, name="b")
    d = t.Variable(np.arange(3, dtype=np.float64), name="d")  # never trained, averaged anyway
    loss = t.reduce_mean(t.square(t.matmul(x, w) + b - y))
    step = t.train.get_or_create_global_step()
    train = t.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    ema = t.train.ExponentialMovingAverage(decay, num_updates=step if use_num_updates else None,
                                           zero_debias=zero_debias)
    with t.control_dependencies([train]):
        averages_op = ema.apply([w, b, loss] + ([d] if float64 else []))
    shadows = [ema.average(v) for v in [w, b, loss] + ([d] if float64 else [])]
    description = dict(
        op=averages_op.name, shadows=[s.name for s in shadows],
        names=[ema.average_name(v) for v in [w, b, loss, d]],
        mav=[v.name for v in t.moving_average_variables()],
        glob=[v.name for v in t.global_variables()],
        trainable=[v.name for v in t.trainable_variables()],
        restore=sorted((k, v.name) for k, v in ema.variables_to_restore().items()),
        none=ema.average(d) is None if not float64 else None)
    with t.Session() as sess:
        sess.run(t.global_variables_initializer())
        history = [sess.run(shadows)]
        for a, c in zip(xs, ys):
            sess.run(averages_op, {x: a, y: c})
            history.append(sess.run(shadows + [w, b]))
    return history, description


def _compare(**kwargs):
    results = []
    for t in (V1, shim):
        with _graph(t).as_default():
            results.append(_train_with_ema(t, **kwargs))
    (want, wd), (got, gd) = results
    assert gd == wd
    for i, (g, w) in enumerate(zip(got, want)):
        for a, b in zip(g, w):
            assert a.dtype == b.dtype and np.array_equal(a, b), (i, a, b)
    return gd


def test_ema_over_training_with_num_updates_bitwise():
    d = _compare(decay=0.99, use_num_updates=True, steps=6, seed=0, float64=True)
    assert d["shadows"][:2] == ["w/ExponentialMovingAverage:0", "b/ExponentialMovingAverage:0"]
    assert d["op"] == "ExponentialMovingAverage"
    assert d["mav"] == ["w:0", "b:0", "d:0"]


def test_ema_zero_debias_of_a_tensor_bitwise():
    d = _compare(decay=0.9, use_num_updates=False, steps=4, seed=1, zero_debias=True)
    assert any("biased" in name for name in d["glob"])


@given(decay=st.floats(0.0, 0.9999), use_num_updates=st.booleans(), steps=st.integers(1, 4),
       seed=st.integers(0, 2**16), zero_debias=st.booleans())
def test_ema_property(decay, use_num_updates, steps, seed, zero_debias):
    _compare(decay=decay, use_num_updates=use_num_updates, steps=steps, seed=seed,
             zero_debias=zero_debias)


def test_second_average_scoped_and_random_initial_values():
    def build(t):
        t.set_random_seed(5)
        with t.variable_scope("net"):
            v = t.get_variable("v", [3, 2])  # glorot: a random initial value
        e1 = t.train.ExponentialMovingAverage(0.5)
        e2 = t.train.ExponentialMovingAverage(0.25, name="slow")
        e3 = t.train.ExponentialMovingAverage(0.75)
        with t.name_scope("upd"):
            ops = [e1.apply([v]), e2.apply([v]), e3.apply([v])]
        again = e1.apply([v])  # no new shadow
        shadows = [e1.average(v), e2.average(v), e3.average(v)]
        return ops + [again], shadows, v, dict(
            ops=[o.name for o in ops + [again]], shadows=[s.name for s in shadows],
            glob=[x.name for x in t.global_variables()])
    results = []
    for t in (V1, shim):
        with _graph(t).as_default():
            ops, shadows, v, desc = build(t)
            with t.Session() as sess:
                sess.run(t.global_variables_initializer())
                first = sess.run(shadows + [v])
                sess.run(v.assign(v * 3.0))
                sess.run(ops[:3])
                results.append((first + sess.run(shadows), desc))
    (want, wd), (got, gd) = results
    assert gd == wd
    assert gd["shadows"] == ["net/v/ExponentialMovingAverage:0", "net/v/slow:0",
                             "net/v/ExponentialMovingAverage_1:0"]
    for a, b in zip(got, want):
        assert np.array_equal(a, b)
    assert np.array_equal(got[0], got[3])  # shadows start at the variable's initial value


def test_non_float_variable_is_a_type_error():
    for t in (V1, shim):
        with _graph(t).as_default():
            v = t.Variable(3, name="i")
            with pytest.raises(TypeError, match="The variables must be half, float, or double: "
                                                "i:0"):
                t.train.ExponentialMovingAverage(0.9).apply([v])


def test_default_var_list_is_trainable_variables():
    names = []
    for t in (V1, shim):
        with _graph(t).as_default():
            t.Variable(1.0, name="a")
            t.Variable(2.0, name="frozen", trainable=False)
            ema = t.train.ExponentialMovingAverage(0.9)
            ema.apply()
            names.append([v.name for v in t.global_variables()] + [ema.name])
    assert names[0] == names[1]


@pytest.mark.parametrize("method", ["__init__", "apply", "average", "average_name",
                                    "variables_to_restore"])
def test_tf1_signatures(method):
    def params(fn):
        return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]
    assert params(getattr(shim.train.ExponentialMovingAverage, method)) == \
        params(getattr(V1.train.ExponentialMovingAverage, method))
