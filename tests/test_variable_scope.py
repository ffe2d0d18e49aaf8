"""tf.get_variable / tf.variable_scope against tf.compat.v1: names, sharing, defaults, seeded
initial values, regularizer naming and collections, TF1's error texts."""
from __future__ import annotations

import inspect

import numpy as np
import pytest
import tensorflow as tf

import tftrain_compat as shim
from tftrain_compat._src import unsupported
from support import assert_bitwise_equal, both, raised, run_in_session

V1 = tf.compat.v1


def l2_for(t):
    """contrib's l2_regularizer for either namespace (compat.v1 has no contrib)."""
    if t is shim:
        return shim.contrib.layers.l2_regularizer

    def factory(scale):
        def l2(w):
            with V1.name_scope(None, "l2_regularizer", [w]) as name:
                s = tf.convert_to_tensor(scale, dtype=w.dtype.base_dtype, name="scale")
                return tf.multiply(s, tf.nn.l2_loss(w), name=name)
        return l2
    return factory


def run_both(build, init=True):
    """``build(t)`` -> (fetches, description) under compat.v1 and the shim; returns both pairs."""
    def program(t):
        fetches, description = build(t)
        inits = ("global",) if init else ()
        return (run_in_session(t, fetches, inits=inits) if fetches else [], description)
    ours, tf1 = both(program)
    return [tf1, ours]


def _model(t):
    """A TF1 two-layer model built with get_variable, scopes, default and explicit initializers."""
    t.set_random_seed(1234)
    x = t.placeholder(tf.float32, [None, 5], name="x")

    def layer(inp, n_out, name, act=True):
        with t.variable_scope(name):
            w = t.get_variable("w", [inp.get_shape()[1], n_out])  # default: glorot_uniform
            b = t.get_variable("b", [n_out], initializer=t.constant_initializer(0.1))
            y = t.matmul(inp, w) + b
            return (t.nn.relu(y) if act else y), w, b

    with t.variable_scope("model", regularizer=l2_for(t)(0.01)):
        h, w1, b1 = layer(x, 4, "layer1")
        logits, w2, b2 = layer(h, 3, "layer2", act=False)
    with t.variable_scope("model", reuse=True):
        with t.variable_scope("layer1"):
            w1_again = t.get_variable("w")
    with t.variable_scope("other", initializer=t.truncated_normal_initializer(stddev=0.5)):
        e = t.get_variable("emb", [6, 2])
        u = t.get_variable("u", [2], initializer=t.random_uniform_initializer(-1, 1, seed=7))
    k = t.get_variable("k", [3], dtype=tf.int32)  # default for ints: zeros
    reg = t.get_collection(t.GraphKeys.REGULARIZATION_LOSSES)
    total_reg = t.losses.get_regularization_loss()
    fetch_vars = [w1, b1, w2, b2, e, u, k]
    description = dict(
        same=w1_again is w1,
        names=[v.name for v in fetch_vars] + [logits.name, h.name],
        ops=[v.initializer.name for v in fetch_vars],
        globals=[v.name for v in t.global_variables()],
        trainables=[v.name for v in t.trainable_variables()],
        reg=[r.name for r in reg], total=total_reg.name,
        shapes=[v.get_shape().as_list() for v in fetch_vars],
        dtypes=[v.dtype.base_dtype for v in fetch_vars])
    feed = np.linspace(-1, 1, 10, dtype=np.float32).reshape(2, 5)
    logits_value = t.identity(logits)
    return (fetch_vars + reg + [total_reg],
            description), x, feed, logits_value


def test_model_names_collections_and_seeded_values_match():
    results = []
    for t in (V1, shim):
        graph = tf.Graph() if t is V1 else shim.Graph()
        with graph.as_default():
            (fetches, description), x, feed, logits = _model(t)
            with t.Session() as sess:
                sess.run(t.global_variables_initializer())
                results.append((sess.run(fetches), sess.run(logits, {x: feed}), description))
    (want, want_logits, want_d), (got, got_logits, got_d) = results
    assert got_d == want_d
    assert got_d["same"]
    assert got_d["reg"] == ["model/layer1/w/Regularizer/l2_regularizer:0",
                            "model/layer1/b/Regularizer/l2_regularizer:0",
                            "model/layer2/w/Regularizer/l2_regularizer:0",
                            "model/layer2/b/Regularizer/l2_regularizer:0"]
    assert got_d["total"] == "total_regularization_loss:0"
    assert got_d["names"][-2:] == ["model/layer2/add:0", "model/layer1/Relu:0"]
    assert_bitwise_equal(got, want)
    assert np.array_equal(got_logits, want_logits)


def test_regularizer_applied_once_per_new_variable_and_not_on_reuse():
    def build(t):
        with t.variable_scope("s", regularizer=l2_for(t)(0.5)):
            w = t.get_variable("w", [2, 2], initializer=t.ones_initializer())
        with t.variable_scope("s", reuse=True):
            t.get_variable("w")
        with t.variable_scope("s", reuse=t.AUTO_REUSE):
            t.get_variable("w")
            n = t.get_variable("n", [2], initializer=t.ones_initializer(),
                               regularizer=t.no_regularizer)
        losses = t.losses.get_regularization_losses()
        scoped = t.losses.get_regularization_losses(scope="s/w")
        return [losses, t.losses.get_regularization_loss(name="reg")], dict(
            n=len(losses), scoped=len(scoped), w=w.name, nn=n.name,
            reg_names=[x.name for x in losses])
    (want, wd), (got, gd) = run_both(build)
    assert gd == wd and gd["n"] == 1
    assert_bitwise_equal(got[0], want[0])
    assert got[1] == want[1] == np.float32(1.0)


def test_empty_regularization_loss_is_zero_constant():
    def build(t):
        total = t.losses.get_regularization_loss()
        return [total], dict(name=total.name, losses=t.losses.get_regularization_losses())
    (want, wd), (got, gd) = run_both(build, init=False)
    assert gd == wd and got == want == [np.float32(0.0)]


def test_scopes_default_names_reentry_and_name_scopes():
    def build(t):
        names = []
        with t.variable_scope(None, default_name="fc"):
            names.append(t.get_variable("w", [1]).name)
            names.append(t.constant(1.0, name="c").name)
        with t.variable_scope(None, default_name="fc") as sc:
            names.append(t.get_variable("w", [1]).name)
            names += [sc.name, sc.original_name_scope]
        with t.variable_scope("outer") as outer:
            with t.variable_scope("inner"):
                names.append(t.get_variable("v", [1]).name)
        with t.variable_scope(outer):  # re-enter by object: same variable scope, new name scope
            names.append(t.get_variable("v2", [1]).name)
            names.append(t.constant(1.0, name="c").name)
            names.append(t.get_variable_scope().name)
        with t.variable_scope(outer, auxiliary_name_scope=False):
            names.append(t.constant(1.0, name="c").name)
        with t.name_scope("ns"):
            with t.variable_scope("vs"):
                v = t.get_variable("v", [1])
                names += [v.name, v.initializer.name, t.constant(2.0, name="c").name]
        with t.variable_scope("dt", dtype=tf.float64):
            names.append(t.get_variable("d", [2]).dtype.name)
        with t.variable_scope("a"):
            with t.variable_scope(None, default_name="b"):
                names.append(t.get_variable("w", [1]).name)
        with t.variable_scope("a", reuse=True):
            with t.variable_scope("b"):
                names.append(t.get_variable("w", [1]).name)
        names.append(t.get_variable_scope().name)
        return [], names
    (_, want), (_, got) = run_both(build, init=False)
    assert got == want
    assert got[0] == "fc/w:0" and got[2] == "fc_1/w:0"


def test_reuse_inheritance_reuse_variables_and_auto_reuse():
    def build(t):
        out = []
        with t.variable_scope("r"):
            a = t.get_variable("a", [2])
            t.get_variable_scope().reuse_variables()
            out.append(t.get_variable("a") is a)
            out.append(t.get_variable_scope().reuse)
            with t.variable_scope("child", reuse=False):  # False means "inherit" in TF1
                out.append(t.get_variable_scope().reuse)
        with t.variable_scope("auto", reuse=t.AUTO_REUSE):
            b = t.get_variable("b", [3])
        with t.variable_scope("auto", reuse=t.AUTO_REUSE):
            out.append(t.get_variable("b", [3]) is b)
            out.append(t.get_variable_scope().reuse is t.AUTO_REUSE)
        with t.variable_scope("z"):
            out.append(t.get_variable_scope().reuse)
        return [], out
    (_, want), (_, got) = run_both(build, init=False)
    assert got == want == [True, True, True, True, True, False]


def test_variable_options_trainable_collections_local_constraint_and_custom_getter():
    def build(t):
        def getter(getter, name, *args, **kwargs):
            kwargs["trainable"] = False
            return getter(name + "_c", *args, **kwargs)
        t.set_random_seed(3)
        nt = t.get_variable("nt", [2], trainable=False)
        cv = t.get_variable("cv", [2], collections=["mine", t.GraphKeys.GLOBAL_VARIABLES])
        lv = t.get_local_variable("lv", [2], initializer=t.zeros_initializer())
        cst = t.get_variable("cst", initializer=np.arange(3, dtype=np.float32))
        cst2 = t.get_variable("cst2", initializer=t.constant([1, 2]))
        clipped = t.get_variable("cl", [2], constraint=lambda v: t.clip_by_value(v, -0.1, 0.1))
        with t.variable_scope("g", custom_getter=getter):
            cg = t.get_variable("w", [2])
        desc = dict(
            trainable=[v.name for v in t.trainable_variables()],
            glob=[v.name for v in t.global_variables()],
            local=[v.name for v in t.local_variables()],
            mine=[v.name for v in t.get_collection("mine")],
            cst=(cst.dtype.name, cst2.dtype.name, cst.get_shape().as_list()),
            cg=cg.name, constraint=clipped.constraint is not None)
        return [nt, cv, cst, cst2, cg], desc
    (want, wd), (got, gd) = run_both(build)
    assert gd == wd
    assert_bitwise_equal(got, want)


def test_default_initializer_consumes_seeds_like_tf1():
    """Interleaved unseeded random ops and default-initialized variables draw the same
    (graph seed, counter) pairs as tf.compat.v1, so every value is equal."""
    def build(t):
        t.set_random_seed(7)
        a = t.random_normal([3])
        w = t.get_variable("w", [4, 3])
        b = t.random_uniform([2])
        v = t.get_variable("v", [2, 2], initializer=t.glorot_normal_initializer())
        u = t.get_variable("u", [5], initializer=t.random_normal_initializer(seed=3))
        return [a, w, b, v, u], [w.initializer.name, a.name, b.name]
    (want, wd), (got, gd) = run_both(build)
    assert gd == wd
    assert_bitwise_equal(got, want)





def _exists(t):
    with t.variable_scope("x"):
        t.get_variable("w", [1])
    with t.variable_scope("x"):
        t.get_variable("w", [1])


def _missing(t):
    with t.variable_scope("x", reuse=True):
        t.get_variable("w", [1])


def _shape(t):
    with t.variable_scope("x"):
        t.get_variable("w", [1, 2])
    with t.variable_scope("x", reuse=True):
        t.get_variable("w", [2, 2])


def _dtype(t):
    t.get_variable("w", [2])
    with t.variable_scope("", reuse=True):
        t.get_variable("w", [2], dtype=tf.int32)


@pytest.mark.parametrize("fn", [
    _exists, _missing, _shape, _dtype,
    lambda t: t.get_variable("c", [2], initializer=np.zeros(2, np.float32)),
    lambda t: t.get_variable("c"),
    lambda t: t.get_variable("c", initializer=np.zeros(2, np.float32), dtype=tf.float64),
    lambda t: t.get_variable("s", [2], dtype=tf.complex64),
    lambda t: t.variable_scope("a", reuse=5),
    lambda t: t.variable_scope(None),
    lambda t: t.variable_scope(3).__enter__(),
    lambda t: t.variable_scope(None, default_name="d", reuse=True).__enter__(),
    lambda t: t.variable_scope("a", auxiliary_name_scope=1),
], ids=["exists", "missing", "shape", "dtype", "constant-with-shape", "no-initializer",
        "init-dtype", "complex-no-init", "bad-reuse", "no-name", "bad-name-type",
        "default-name-reuse", "aux-not-bool"])
def test_errors_match_tf1(fn):
    want = raised(V1, fn)
    got = raised(shim, fn)
    assert got == want


def test_exact_texts_of_the_sharing_errors():
    assert raised(shim, _exists) == (ValueError, (
        "Variable x/w already exists, disallowed. Did you mean to set reuse=True or "
        "reuse=tf.AUTO_REUSE in VarScope?"))
    assert raised(shim, _missing) == (ValueError, (
        "Variable x/w does not exist, or was not created with tf.get_variable(). Did you mean "
        "to set reuse=tf.AUTO_REUSE in VarScope?"))
    assert raised(shim, _shape)[1] == ("Trying to share variable x/w, but specified shape "
                                       "(2, 2) and found shape (1, 2).")


def test_variables_from_tf_variable_are_not_shared():
    with shim.Graph().as_default():
        shim.Variable(1.0, name="w")
        with shim.variable_scope("", reuse=True), pytest.raises(ValueError, match="does not exist"):
            shim.get_variable("w", [])
        w = shim.get_variable("w", [])  # a new variable, uniquified like TF1 does
        assert w.name == "w_1:0"


def test_stores_are_per_graph():
    g1, g2 = shim.Graph(), shim.Graph()
    with g1.as_default():
        a = shim.get_variable("w", [1])
    with g2.as_default():
        b = shim.get_variable("w", [1])
        assert b.graph is g2
    assert a is not b and a.name == b.name == "w:0"


def test_partitioner_is_reported_unsupported():
    with shim.Graph().as_default():
        with pytest.raises(NotImplementedError, match="partition"):
            shim.get_variable("p", [4, 2], partitioner=lambda shape, dtype: [2, 1])


def test_no_longer_listed_unsupported():
    assert unsupported.unsupported_error("tf.get_variable") is None
    assert unsupported.unsupported_error("tf.variable_scope") is None
    assert callable(shim.get_variable) and shim.AUTO_REUSE is not None


def test_optimizer_slots_of_scoped_variables_have_tf1_names():
    def build(t):
        with t.variable_scope("layer1"):
            w = t.get_variable("w", [2, 2], initializer=t.ones_initializer())
        loss = t.reduce_sum(w * w)
        opt = t.train.AdamOptimizer(0.1)
        train = opt.minimize(loss)
        return [], [v.name for v in opt.variables()] + [train.name]
    (_, want), (_, got) = run_both(build, init=False)
    assert got == want


@pytest.mark.parametrize("name", ["get_variable", "get_local_variable", "variable_scope",
                                  "get_variable_scope", "no_regularizer", "VariableScope"])
def test_tf1_signatures(name):
    def params(fn):
        return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]
    assert params(getattr(shim, name)) == params(getattr(V1, name))
