"""TF1 initializers against tf.compat.v1: seeded values bit for bit (direct calls and through
get_variable), TF1's constant semantics, validation errors; contrib's xavier and variance
scaling against their TF 1.15 formulas built from compat.v1 random ops."""
from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, strategies as st

import tftrain_compat as shim
from support import assert_bitwise_equal, both, raised, run_in_session

V1 = tf.compat.v1

INITIALIZERS = {
    "zeros": lambda t, seed: t.zeros_initializer(),
    "ones": lambda t, seed: t.ones_initializer(dtype=tf.float64),
    "constant": lambda t, seed: t.constant_initializer(0.25),
    "random_uniform": lambda t, seed: t.random_uniform_initializer(-0.3, 0.7, seed=seed),
    "random_uniform_default": lambda t, seed: t.random_uniform_initializer(seed=seed),
    "random_normal": lambda t, seed: t.random_normal_initializer(0.5, 2.0, seed=seed),
    "truncated_normal": lambda t, seed: t.truncated_normal_initializer(stddev=0.1, seed=seed),
    "glorot_uniform": lambda t, seed: t.glorot_uniform_initializer(seed=seed),
    "glorot_normal": lambda t, seed: t.glorot_normal_initializer(seed=seed),
    "vs_fan_in": lambda t, seed: t.variance_scaling_initializer(2.0, seed=seed),
    "vs_fan_out_uniform": lambda t, seed: t.variance_scaling_initializer(
        0.5, "fan_out", "uniform", seed=seed),
    "vs_fan_avg_untruncated": lambda t, seed: t.variance_scaling_initializer(
        1.0, "fan_avg", "untruncated_normal", seed=seed),
    "orthogonal": lambda t, seed: t.orthogonal_initializer(gain=1.5, seed=seed),
    "unit_scaling": lambda t, seed: t.uniform_unit_scaling_initializer(1.2, seed=seed),
}
SHAPES = [[3, 4], [5], [2, 3, 4, 6], [7, 2]]


def _both(build, seed=None):
    """Runs ``build(t)`` -> fetches under compat.v1 and the shim (graph seed ``seed``)."""
    def program(t):
        if seed is not None:
            t.set_random_seed(seed)
        return run_in_session(t, build(t))
    ours, tf1 = both(program)
    return [tf1, ours]


@pytest.mark.parametrize("kind", sorted(INITIALIZERS))
def test_direct_calls_and_get_variable_bitwise(kind):
    def build(t):
        init = INITIALIZERS[kind](t, None)
        direct = [init(shape) for shape in SHAPES if kind != "orthogonal" or len(shape) > 1]
        direct.append(init([2, 3], dtype=tf.float64))
        variables = [t.get_variable(f"v{i}", shape, initializer=INITIALIZERS[kind](t, 11))
                     for i, shape in enumerate(SHAPES) if kind != "orthogonal" or len(shape) > 1]
        return direct + variables
    want, got = _both(build, seed=2024)
    assert_bitwise_equal(got, want)


@given(kind=st.sampled_from(sorted(set(INITIALIZERS) - {"zeros", "ones", "constant"})),
       shape=st.lists(st.integers(1, 6), min_size=2, max_size=4),
       graph_seed=st.one_of(st.none(), st.integers(0, 2**31 - 2)),
       op_seed=st.integers(0, 2**31 - 2), dtype=st.sampled_from([tf.float32, tf.float64]))
def test_seeded_initializers_property(kind, shape, graph_seed, op_seed, dtype):
    """Any shape, graph seed and op seed: the same numbers as tf.compat.v1."""
    def build(t):
        return [INITIALIZERS[kind](t, op_seed)(shape, dtype=dtype)]
    want, got = _both(build, seed=graph_seed)
    assert_bitwise_equal(got, want)


def test_default_dtype_and_config():
    for name in ["zeros_initializer", "random_normal_initializer", "variance_scaling_initializer",
                 "glorot_uniform_initializer", "constant_initializer"]:
        a, b = getattr(V1, name)(), getattr(shim, name)()
        assert a.get_config() == b.get_config()
        assert type(b).from_config(b.get_config()).get_config() == b.get_config()
    # TF1 quirk kept: glorot's dtype argument does not change its default dtype
    assert shim.glorot_uniform_initializer(dtype=tf.float64).dtype == tf.float32


def test_constant_initializer_tf1_semantics():
    def build(t):
        pad = t.constant_initializer([1.0, 2.0, 3.0])
        scalar = t.constant_initializer(7, dtype=tf.int32)
        return [pad([2, 3]), pad([3]), scalar([2, 2]),
                t.get_variable("v", [2, 2], initializer=t.constant_initializer([[1, 2], [3, 4]])),
                t.constant_initializer(np.array([0.5, 1.5]))([4], dtype=tf.float64)]
    want, got = _both(build)
    assert_bitwise_equal(got, want)
    assert got[0].tolist() == [[1, 2, 3], [3, 3, 3]]  # padded with the last element





@pytest.mark.parametrize("fn", [
    lambda t: t.constant_initializer([1.0, 2.0, 3.0])([2]),
    lambda t: t.constant_initializer([1.0, 2.0], verify_shape=True)([2, 2]),
    lambda t: t.constant_initializer({"a": 1}),
    lambda t: t.variance_scaling_initializer(scale=0.0),
    lambda t: t.variance_scaling_initializer(mode="fan_sum"),
    lambda t: t.variance_scaling_initializer(distribution="gamma"),
    lambda t: t.random_normal_initializer(dtype=tf.int32),
    lambda t: t.truncated_normal_initializer(dtype=tf.int64),
    lambda t: t.orthogonal_initializer()([4]),
], ids=["too-many", "verify-shape", "bad-value", "scale", "mode", "distribution",
        "normal-int", "truncated-int", "orthogonal-1d"])
def test_validation_errors_match(fn):
    assert raised(shim, fn) == raised(V1, fn)


# ----- contrib.layers --------------------------------------------------------------------------
def _contrib_reference(shape, factor, mode, uniform, seed, dtype):
    """TF 1.15 contrib formula on compat.v1 random ops (compat.v1 has no contrib)."""
    if shape:
        fan_in = float(shape[-2]) if len(shape) > 1 else float(shape[-1])
        fan_out = float(shape[-1])
    else:
        fan_in = fan_out = 1.0
    for dim in shape[:-2]:
        fan_in *= float(dim)
        fan_out *= float(dim)
    n = {"FAN_IN": fan_in, "FAN_OUT": fan_out, "FAN_AVG": (fan_in + fan_out) / 2.0}[mode]
    if uniform:
        limit = math.sqrt(3.0 * factor / n)
        return V1.random_uniform(shape, -limit, limit, dtype, seed=seed)
    return V1.truncated_normal(shape, 0.0, math.sqrt(1.3 * factor / n), dtype, seed=seed)


@pytest.mark.parametrize("factor,mode,uniform", [
    (2.0, "FAN_IN", False), (1.0, "FAN_AVG", True), (1.0, "FAN_AVG", False),
    (3.0, "FAN_OUT", True), (0.5, "FAN_IN", True)])
@pytest.mark.parametrize("seed", [None, 5])
def test_contrib_variance_scaling_and_xavier(factor, mode, uniform, seed):
    shapes = [[4, 3], [6], [3, 3, 2, 5], []]
    with tf.Graph().as_default():
        V1.set_random_seed(99)
        out = [_contrib_reference(s, factor, mode, uniform, seed, tf.float32) for s in shapes]
        if (factor, mode) == (1.0, "FAN_AVG"):
            out.append(_contrib_reference([5, 2], 1.0, "FAN_AVG", uniform, seed, tf.float64))
        with V1.Session() as sess:
            want = sess.run(out)
    with shim.Graph().as_default():
        shim.set_random_seed(99)
        init = shim.contrib.layers.variance_scaling_initializer(factor, mode, uniform, seed)
        vals = [shim.get_variable(f"w{i}", s, initializer=init) for i, s in enumerate(shapes)]
        if (factor, mode) == (1.0, "FAN_AVG"):
            xavier = shim.contrib.layers.xavier_initializer(uniform, seed, dtype=tf.float64)
            vals.append(shim.get_variable("x", [5, 2], initializer=xavier, dtype=tf.float64))
        with shim.Session() as sess:
            sess.run(shim.global_variables_initializer())
            got = sess.run(vals)
    assert_bitwise_equal(got, want)


def test_contrib_initializer_errors():
    layers = shim.contrib.layers
    with pytest.raises(TypeError, match="Cannot create initializer for non-floating point"):
        layers.xavier_initializer(dtype=tf.int32)
    with pytest.raises(TypeError, match="Unknown mode fan_in"):
        layers.variance_scaling_initializer(mode="fan_in")
    assert layers.xavier_initializer_conv2d is layers.xavier_initializer


def test_contrib_signatures():
    sig = inspect.signature(shim.contrib.layers.xavier_initializer)
    assert [(p.name, p.default) for p in sig.parameters.values()] == [
        ("uniform", True), ("seed", None), ("dtype", tf.float32)]
    sig = inspect.signature(shim.contrib.layers.variance_scaling_initializer)
    assert [(p.name, p.default) for p in sig.parameters.values()] == [
        ("factor", 2.0), ("mode", "FAN_IN"), ("uniform", False), ("seed", None),
        ("dtype", tf.float32)]


@pytest.mark.parametrize("name", [
    "constant_initializer", "zeros_initializer", "ones_initializer",
    "random_normal_initializer", "truncated_normal_initializer", "random_uniform_initializer",
    "glorot_uniform_initializer", "glorot_normal_initializer", "variance_scaling_initializer",
    "orthogonal_initializer", "uniform_unit_scaling_initializer"])
def test_tf1_signatures(name):
    def params(fn):
        return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]
    assert params(getattr(shim, name)) == params(getattr(V1, name))
    assert params(getattr(shim, name).__call__) == params(getattr(V1, name).__call__)
