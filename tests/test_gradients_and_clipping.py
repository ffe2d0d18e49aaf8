"""Gradients, clipping and graph-control functions against tf.compat.v1: compute_gradients'
options (gate_gradients, aggregation_method, colocate_gradients_with_ops, grad_loss),
tf.gradients, stop_gradient, clip_*, global_norm, tuple, group, control_dependencies,
assign*, and the UPDATE_OPS idiom — bit for bit."""
from __future__ import annotations

import inspect

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, strategies as st

import tftrain_compat as shim
from support import assert_bitwise_equal, both

V1 = tf.compat.v1


def _both(build, steps=0, feeds=None):
    """``build(t)`` -> (fetches, train_op or None, description), run under compat.v1 and shim.

    With ``steps``, the train op runs that many times and the fetches are taken after each."""
    def program(t):
        fetches, train, description = build(t)
        with t.Session() as sess:
            sess.run(t.global_variables_initializer())
            values = [sess.run(fetches)]
            for _ in range(steps):
                sess.run(train)
                values.append(sess.run(fetches))
        return values, description
    ours, tf1 = both(program)
    return [tf1, ours]


def _mlp(t, seed):
    """A 2-layer MLP whose first weight is used twice (two gradient contributions)."""
    rng = np.random.RandomState(seed)
    x = t.constant(rng.randn(5, 3).astype(np.float32))
    y = t.constant(np.eye(2, dtype=np.float32)[rng.randint(0, 2, 5)])
    w1 = t.Variable(rng.randn(3, 4).astype(np.float32), name="w1")
    w2 = t.Variable(rng.randn(4, 2).astype(np.float32), name="w2")
    b = t.Variable(np.zeros(2, np.float32), name="b")
    h = t.nn.tanh(t.matmul(x, w1))
    logits = t.matmul(h, w2) + b + t.reduce_sum(w1) * 0.01
    loss = t.reduce_mean(t.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
    return loss, [w1, w2, b]


OPTIONS = [
    dict(),
    dict(gate_gradients=0), dict(gate_gradients=2),
    dict(aggregation_method=tf.AggregationMethod.ADD_N),
    dict(aggregation_method=tf.AggregationMethod.EXPERIMENTAL_TREE),
    dict(aggregation_method=tf.AggregationMethod.EXPERIMENTAL_ACCUMULATE_N),
    dict(colocate_gradients_with_ops=True),
    dict(grad_loss=2.5),
]


@pytest.mark.parametrize("options", OPTIONS, ids=[",".join(o) or "defaults" for o in OPTIONS])
def test_compute_gradients_options_bitwise(options):
    def build(t):
        loss, var_list = _mlp(t, 0)
        kw = dict(options)
        if "grad_loss" in kw:
            kw["grad_loss"] = t.constant(kw["grad_loss"])
        opt = t.train.MomentumOptimizer(0.05, 0.9)
        gv = opt.compute_gradients(loss, **kw)
        train = opt.apply_gradients(gv)
        return [[g for g, _ in gv], var_list, loss], train, [v.name for _, v in gv]
    (want, wd), (got, gd) = _both(build, steps=3)
    assert gd == wd
    assert_bitwise_equal(got, want)


@given(seed=st.integers(0, 2**16), gate=st.sampled_from([0, 1, 2]),
       method=st.sampled_from([None, 0, 1, 2]), clip=st.floats(0.01, 10.0))
def test_clipped_training_property(seed, gate, method, clip):
    """compute_gradients -> clip_by_global_norm -> apply_gradients, 3 steps, bit for bit."""
    def build(t):
        loss, var_list = _mlp(t, seed)
        opt = t.train.GradientDescentOptimizer(0.1)
        gv = opt.compute_gradients(loss, gate_gradients=gate, aggregation_method=method)
        grads, norm = t.clip_by_global_norm([g for g, _ in gv], clip)
        train = opt.apply_gradients(list(zip(grads, var_list)))
        return [var_list, norm, loss], train, None
    (want, _), (got, _) = _both(build, steps=3)
    assert_bitwise_equal(got, want)


def test_gradients_grad_ys_stop_gradients_and_stop_gradient():
    def build(t):
        a = t.Variable([1.0, 2.0, 3.0], name="a")
        b = t.Variable([0.5, -1.0, 2.0], name="b")
        c = a * b
        d = t.stop_gradient(c * 2.0) + a * a
        e = t.reduce_sum(t.square(d) + t.sin(c))
        g = t.gradients([e, t.reduce_sum(c)], [a, b, c], grad_ys=[t.constant(1.5), None])
        g2 = t.gradients(e, [a, b], stop_gradients=[c])
        none = t.gradients(e, [t.Variable(1.0, name="unused")])
        desc = [x is None for x in none + g2] + [d.name, g[0].name]
        return [g, [x for x in g2 if x is not None]], None, desc
    (want, wd), (got, gd) = _both(build)
    assert gd == wd and gd[:3] == [True, False, True]  # b's gradient stops at c
    assert_bitwise_equal(got, want)


def test_clipping_functions():
    rng = np.random.RandomState(2)
    m = (rng.randn(4, 3) * 3).astype(np.float32)

    def build(t):
        x = t.constant(m)
        params = t.Variable(rng.randn(6, 3).astype(np.float32), name="emb")
        ids = t.constant([0, 2, 2, 5])
        sparse = t.gradients(t.reduce_sum(t.gather(params, ids) * x), [params])[0]
        clipped, norm = t.clip_by_global_norm([x, None, sparse, x * 2.0], 4.0)
        (clipped_norm, _), used = t.clip_by_global_norm([x, x], 1.0,
                                                        use_norm=t.constant(5.0), name="cg")
        out = [t.clip_by_value(x, -1.0, 0.5), t.clip_by_value(x, t.constant(-0.2), 2),
               t.clip_by_norm(x, 2.0), t.clip_by_norm(x, 1.5, axes=[1], name="cn"),
               t.global_norm([x, None, sparse]), norm, clipped[0], clipped[3],
               clipped[2].values, clipped[2].indices, clipped_norm, used,
               t.clip_by_average_norm(x, 0.3)]
        kinds = [None if c is None else "IndexedSlices" if hasattr(c, "indices") else "Tensor"
                 for c in clipped] + [o.name for o in out]
        return out, None, kinds
    (want, wd), (got, gd) = _both(build)
    assert gd == wd
    assert gd[:4] == ["Tensor", None, "IndexedSlices", "Tensor"]
    assert_bitwise_equal(got, want)


def test_clip_errors_match():
    def error(t, fn):
        with (tf.Graph() if t is V1 else shim.Graph()).as_default():
            with pytest.raises(Exception) as info:
                fn(t)
        return type(info.value), str(info.value)
    for fn in [lambda t: t.clip_by_global_norm(t.constant([1.0]), 1.0),
               lambda t: t.train.GradientDescentOptimizer(0.1).compute_gradients(
                   t.reduce_sum(t.Variable([1.0])), gate_gradients=5)]:
        assert error(shim, fn) == error(V1, fn)


def test_tuple_group_identity_no_op_and_control_dependencies():
    def build(t):
        v = t.Variable(1.0, name="v")
        w = t.Variable(10.0, name="w")
        inc = t.assign_add(v, 2.0)
        with t.control_dependencies([inc]):
            after = t.identity(v, name="after")  # reads v after the increment
            nop = t.no_op(name="nop")
        tup = t.tuple([after, None, t.constant(3.0)], name="tup", control_inputs=[nop])
        grp = t.group(t.assign(w, 0.5), t.assign_sub(v, 0.25), name="grp")
        desc = [tup[0].name, tup[1], tup[2].name, grp.name, grp.type, nop.type,
                after.op.type, [i.name for i in after.op.control_inputs]]
        return [tup[0], tup[2]], None, desc

    results = []
    for t in (V1, shim):
        with (tf.Graph() if t is V1 else shim.Graph()).as_default():
            fetches, _, desc = build(t)
            grp = t.get_default_graph().get_operation_by_name("grp")
            v = [x for x in t.global_variables() if x.op.name == "v"][0]
            w = [x for x in t.global_variables() if x.op.name == "w"][0]
            with t.Session() as sess:
                sess.run(t.global_variables_initializer())
                first = sess.run(fetches)  # 3.0: the identity runs after v += 2
                sess.run(grp)
                results.append((first + sess.run([v, w]), desc))
    (want, wd), (got, gd) = results
    assert gd == wd
    assert_bitwise_equal(got, want)
    assert got[0] == np.float32(3.0)


def test_assign_functions_and_variable_methods():
    def build(t):
        v = t.Variable([1.0, 2.0], name="v")
        ops = [t.assign(v, [3.0, 4.0]), t.assign_add(v, [0.5, 0.5]), t.assign_sub(v, [1.0, 0.0]),
               v.assign([7.0, 8.0]), v.assign_add([1.0, 1.0]), v.assign_sub([2.0, 2.0])]
        return ops, None, [o.dtype.name for o in ops]
    results = []
    for t in (V1, shim):
        with (tf.Graph() if t is V1 else shim.Graph()).as_default():
            ops, _, desc = build(t)
            with t.Session() as sess:
                sess.run(t.global_variables_initializer())
                results.append(([sess.run(o) for o in ops], desc))
    (want, wd), (got, gd) = results
    assert gd == wd
    assert_bitwise_equal(got, want)
    assert got[-1].tolist() == [6.0, 7.0]


def test_update_ops_collection_idiom():
    """TF1's batch-norm idiom: train op under control_dependencies(UPDATE_OPS)."""
    def build(t):
        x = t.constant(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3))
        w = t.Variable(np.ones((3, 1), np.float32), name="w")
        moving = t.Variable(np.zeros(3, np.float32), trainable=False, name="moving_mean")
        mean, _ = t.nn.moments(x, [0])
        t.add_to_collection(t.GraphKeys.UPDATE_OPS, t.assign(moving, moving * 0.9 + mean * 0.1))
        loss = t.reduce_sum(t.matmul(x, w) ** 2)
        with t.control_dependencies(t.get_collection(t.GraphKeys.UPDATE_OPS)):
            train = t.train.GradientDescentOptimizer(0.01).minimize(loss)
        return [w, moving], train, [o.name for o in t.get_collection(t.GraphKeys.UPDATE_OPS)]
    (want, wd), (got, gd) = _both(build, steps=3)
    # TF1's tf.assign returned the Tensor 'Assign:0' (reference variables); compat.v1's resource
    # variables return an op there, so the name is checked against TF1, the values against v1
    assert gd == ["Assign:0"] and wd == ["AssignVariableOp"]
    assert_bitwise_equal(got, want)


@pytest.mark.parametrize("name", ["clip_by_global_norm", "clip_by_norm", "clip_by_value",
                                  "global_norm", "clip_by_average_norm", "tuple",
                                  "stop_gradient", "identity", "no_op"])
def test_tf1_signatures(name):
    def params(fn):
        return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]
    fn = getattr(shim, name)
    fn = getattr(fn, "__tf2_function__", fn)
    assert params(fn) == params(getattr(V1, name))
