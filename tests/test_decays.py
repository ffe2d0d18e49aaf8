"""Every TF1 learning-rate decay against tf.compat.v1: values bitwise over a range of steps (float32
and float64 learning rates, int32 and int64 steps), op names, errors, piecewise_constant's
validation texts, cosine restarts and the seeded noisy decay."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import tftrain_compat as shim

V1 = tf.compat.v1
STEPS = [0, 1, 2, 3, 5, 7, 9, 10, 11, 15, 19, 20, 21, 25, 30, 45, 70, 150, 1000]

DECAYS = {
    "exponential": lambda t, lr, s: t.train.exponential_decay(lr, s, 10, 0.96),
    "polynomial": lambda t, lr, s: t.train.polynomial_decay(lr, s, 10, 0.01, power=0.5),
    "polynomial_cycle": lambda t, lr, s: t.train.polynomial_decay(lr, s, 10, 0.01, cycle=True),
    "polynomial_defaults": lambda t, lr, s: t.train.polynomial_decay(lr, s, 7),
    "cosine": lambda t, lr, s: t.train.cosine_decay(lr, s, 10, alpha=0.1),
    "cosine_no_alpha": lambda t, lr, s: t.train.cosine_decay(lr, s, 13),
    "cosine_restarts": lambda t, lr, s: t.train.cosine_decay_restarts(lr, s, 3, m_mul=0.5),
    "cosine_restarts_t1": lambda t, lr, s: t.train.cosine_decay_restarts(
        lr, s, 4, t_mul=1.0, m_mul=0.9, alpha=0.05),
    "cosine_restarts_t15": lambda t, lr, s: t.train.cosine_decay_restarts(
        lr, s, 5, t_mul=1.5, alpha=0.2),
    "linear_cosine": lambda t, lr, s: t.train.linear_cosine_decay(lr, s, 10),
    "linear_cosine_args": lambda t, lr, s: t.train.linear_cosine_decay(
        lr, s, 20, num_periods=2.0, alpha=0.1, beta=0.01),
    "piecewise": lambda t, lr, s: t.train.piecewise_constant(s, [10, 20], [1.0, 0.5, 0.1]),
    "piecewise_decay_alias": lambda t, lr, s: t.train.piecewise_constant_decay(
        s, [3, 9, 25], [0.4, 0.3, 0.2, 0.1]),
    "piecewise_single": lambda t, lr, s: t.train.piecewise_constant(s, [5], [0.7, 0.07]),
    # Seeded by the graph seed set in _outcome; a float64 learning rate fails in TF's own code
    # (random_normal's float32 stddev), and must fail the same way here.
    "noisy_linear_cosine": lambda t, lr, s: t.train.noisy_linear_cosine_decay(lr, s, 10),
}


def _outcome(t, graph, session, decay, lr_dtype, step_dtype):
    """Values at every step in STEPS (plus the op name), or the build-time error."""
    with graph.as_default():
        t.set_random_seed(7)
        step = t.placeholder(step_dtype, [], name="step")
        lr = 0.1 if lr_dtype is None else t.constant(0.1, lr_dtype)
        try:
            out = DECAYS[decay](t, lr, step)
        except (TypeError, ValueError) as e:
            return type(e), str(e)
        with session() as sess:
            return out.name, [sess.run(out, {step: s}) for s in STEPS]


@pytest.mark.parametrize("step_dtype", [tf.int64, tf.int32])
@pytest.mark.parametrize("lr_dtype", [None, tf.float64])
@pytest.mark.parametrize("decay", list(DECAYS))
def test_decay_bitwise_over_steps(decay, lr_dtype, step_dtype):
    got = _outcome(shim, shim.Graph(), shim.Session, decay, lr_dtype, step_dtype)
    want = _outcome(V1, tf.Graph(), V1.Session, decay, lr_dtype, step_dtype)
    if isinstance(want[0], type):  # TF raised while building: the same error and text
        assert got == want
        return
    assert got[0] == want[0]  # the output tensor's name
    for s, a, b in zip(STEPS, got[1], want[1]):
        assert a.dtype == b.dtype and np.array_equal(a, b), (decay, s, a, b)


def test_decays_on_a_variable_step_names_and_dtypes():
    """Several decays in one graph, on the global step variable: names uniquified as in TF."""
    def build(t):
        t.set_random_seed(3)  # for the noisy decay
        gs = t.train.get_or_create_global_step()
        out = [f(t, 0.1, gs) for f in DECAYS.values()]
        out.append(t.train.cosine_decay(0.1, gs, 10, name="my_cos"))
        out.append(t.train.piecewise_constant(gs, [4], [1, 2], name="pc"))
        inc = t.assign_add(gs, 3)
        return out, inc

    def run(t, graph, session):
        with graph.as_default():
            out, inc = build(t)
            with session() as sess:
                sess.run(t.global_variables_initializer())
                values = []
                for _ in range(12):
                    values.append(sess.run(out))
                    sess.run(inc)
                return [(o.name, o.dtype) for o in out], values
    got_names, got = run(shim, shim.Graph(), shim.Session)
    want_names, want = run(V1, tf.Graph(), V1.Session)
    assert got_names == want_names
    for g, w in zip(got, want):
        for a, b in zip(g, w):
            assert a.dtype == b.dtype and np.array_equal(a, b)


def test_values_from_the_semantics_table():
    """TF1_SEMANTICS.md §2: lr = 0.1, decay_steps = 10."""
    steps = [0, 1, 5, 9, 10, 11, 15, 20, 25, 30, 70]
    with shim.Graph().as_default():
        s = shim.placeholder(tf.int64, [])
        out = [shim.train.piecewise_constant(s, [10, 20], [1.0, 0.5, 0.1]),
               shim.train.polynomial_decay(0.1, s, 10, 0.01, power=0.5),
               shim.train.polynomial_decay(0.1, s, 10, 0.01, cycle=True),
               shim.train.cosine_decay(0.1, s, 10, alpha=0.1),
               shim.train.linear_cosine_decay(0.1, s, 10)]
        with shim.Session() as sess:
            values = np.array([sess.run(out, {s: k}) for k in steps]).T
    f32 = lambda xs: np.array(xs, np.float32)  # noqa: E731
    assert np.array_equal(values[0], f32([1, 1, 1, 1, 1, .5, .5, .5, .1, .1, .1]))
    assert np.array_equal(values[1][:4], f32([0.100000001, 0.0953814983, 0.0736396089,
                                              0.0384604931]))
    assert np.array_equal(values[1][4:], f32([0.00999999978] * 7))
    assert np.array_equal(values[2], f32([
        0.100000001, 0.0909999982, 0.0549999997, 0.0190000013, 0.00999999978, 0.050499998,
        0.0324999988, 0.00999999978, 0.0250000022, 0.00999999978, 0.00999999978]))
    assert np.array_equal(values[3][:4], f32([0.100000001, 0.0977975428, 0.054999996,
                                              0.0122024529]))
    assert np.array_equal(values[4][:4], f32([0.100100003, 0.0878975466, 0.0250999983,
                                              0.000344717002]))


def _piecewise_error(t, graph, x_dtype, boundaries, values):
    with graph.as_default():
        x = t.placeholder(x_dtype, [])
        with pytest.raises(ValueError) as info:
            t.train.piecewise_constant(x, boundaries, values)
        return str(info.value)


@pytest.mark.parametrize("x_dtype, boundaries, values", [
    (tf.int64, [1.0, 2.0], [0.1, 0.2, 0.3]),                       # float boundaries, int x
    (tf.int32, [np.int64(1)], [0.1, 0.2]),                         # int64 boundaries, int32 x
    (tf.float32, [1, 2], [0.1, 0.2, 0.3]),                         # int boundaries, float x
    (tf.int64, [1, 2], [0.1, 2, 0.3]),                             # mixed value dtypes
    (tf.int64, [1, 2], [0.1, 0.2]),                                # wrong lengths
    (tf.int64, [1.0, 2], [0.1, 2]),                                # two errors: dtype first
])
def test_piecewise_constant_validation_texts(x_dtype, boundaries, values):
    got = _piecewise_error(shim, shim.Graph(), x_dtype, boundaries, values)
    want = _piecewise_error(V1, tf.Graph(), x_dtype, boundaries, values)
    assert got == want


def test_piecewise_constant_int32_boundaries_cast_for_int64_step_and_int_values():
    def run(t, graph, session):
        with graph.as_default():
            x = t.placeholder(tf.int64, [])
            out = t.train.piecewise_constant(x, [2, 4], [7, 8, 9])  # int32 values
            with session() as sess:
                return out.dtype, [sess.run(out, {x: k}) for k in range(6)]
    assert run(shim, shim.Graph(), shim.Session) == run(V1, tf.Graph(), V1.Session)


def test_decays_need_global_step():
    for fn in (lambda t: t.train.polynomial_decay(0.1, None, 10),
               lambda t: t.train.cosine_decay(0.1, None, 10),
               lambda t: t.train.cosine_decay_restarts(0.1, None, 10),
               lambda t: t.train.linear_cosine_decay(0.1, None, 10),
               lambda t: t.train.noisy_linear_cosine_decay(0.1, None, 10)):
        with shim.Graph().as_default():
            with pytest.raises(ValueError, match="None values not supported."):
                fn(shim)


def _noisy(t, graph, session, seed, alpha=0.0, runs_per_step=2):
    with graph.as_default():
        if seed is not None:
            t.set_random_seed(seed)
        step = t.placeholder(tf.int64, [])
        first = t.train.noisy_linear_cosine_decay(0.1, step, 10)
        second = t.train.noisy_linear_cosine_decay(
            t.constant(0.05), step, 30, initial_variance=0.5, variance_decay=0.3,
            num_periods=1.5, alpha=alpha, beta=0.01, name="noisy2")
        after = t.random_uniform([3])  # takes the next op seed: the decays consumed theirs
        with session() as sess:
            values = [sess.run([first, second, after], {step: s})
                      for s in STEPS for _ in range(runs_per_step)]
        return [first.name, second.name], values


def _assert_noisy_equal(seed, alpha=0.0):
    got_names, got = _noisy(shim, shim.Graph(), shim.Session, seed, alpha)
    want_names, want = _noisy(V1, tf.Graph(), V1.Session, seed, alpha)
    assert got_names == want_names == ["NoisyLinearCosineDecay:0", "noisy2:0"]
    for g, w in zip(got, want):
        for a, b in zip(g, w):
            assert a.dtype == b.dtype and np.array_equal(a, b)
    # The noise is drawn again on every run (TF1: a stateful random op).
    assert got[0][0] != got[1][0]


@pytest.mark.parametrize("seed", [0, 1234])
def test_noisy_linear_cosine_decay_seeded_streams(seed):
    _assert_noisy_equal(seed)


def test_noisy_linear_cosine_decay_with_alpha():
    _assert_noisy_equal(1234, alpha=0.1)


def test_noisy_linear_cosine_decay_unseeded_draws_fresh_noise():
    _, values = _noisy(shim, shim.Graph(), shim.Session, None, runs_per_step=1)
    firsts = {float(v[0]) for v in values[:5]}
    assert len(firsts) > 1


@pytest.mark.parametrize("name", ["piecewise_constant", "piecewise_constant_decay",
                                  "polynomial_decay", "cosine_decay", "cosine_decay_restarts",
                                  "linear_cosine_decay", "noisy_linear_cosine_decay"])
def test_signature_matches_compat_v1(name):
    import inspect
    params = lambda fn: [(p.name, p.kind, p.default)  # noqa: E731
                         for p in inspect.signature(fn).parameters.values()]
    assert params(getattr(shim.train, name)) == params(getattr(V1.train, name))
