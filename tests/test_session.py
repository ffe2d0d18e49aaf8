"""Session.run: fetch structures, feeds, per-signature compile cache, default sessions."""
from __future__ import annotations

import collections

import numpy as np
import pytest
import tensorflow as tf

import tftrain_compat as shim
from tftrain_compat._src import lowering


def test_fetch_structures(fresh_graph):
    a = shim.constant(1.0, name="a")
    b = shim.constant([2, 3], name="b")
    op = shim.group(a, b, name="g")
    Pair = collections.namedtuple("Pair", "x y")
    with shim.Session() as sess:
        out = sess.run({"a": a, "nested": [b, (a, op)], "pair": Pair(a, "b:0"), "name": "g"})
        assert out["a"] == 1.0 and isinstance(out["a"], np.float32)
        assert np.array_equal(out["nested"][0], [2, 3])
        assert out["nested"][1] == (1.0, None)
        assert isinstance(out["pair"], Pair) and np.array_equal(out["pair"].y, [2, 3])
        assert out["name"] is None
        assert sess.run([]) == [] and sess.run(()) == () and sess.run({}) == {}
        assert sess.run([a, a]) == [1.0, 1.0]
        assert sess.run(op) is None
        assert sess.run(shim.constant(b"s")) == b"s"


def test_feeds_of_any_tensor_and_by_name(fresh_graph):
    x = shim.placeholder(tf.float32, name="x")  # no shape: any shape is accepted
    c = shim.constant(10.0, name="c")
    y = x * c
    with shim.Session() as sess:
        assert sess.run(y, {x: 2.0}) == 20.0
        assert sess.run(y, {x: 2.0, c: 3.0}) == 6.0  # a Const can be fed
        assert sess.run(y, {"x:0": [1.0, 2.0]}).tolist() == [10.0, 20.0]
        assert sess.run(x, {x: 5.0}) == 5.0  # fed and fetched: the fed value
        assert sess.run(x, {x: np.float64(5.5)}).dtype == np.float32


def test_placeholder_with_default(fresh_graph):
    d = shim.placeholder_with_default(shim.constant([1.0, 2.0]), shape=[None])
    with shim.Session() as sess:
        assert sess.run(d).tolist() == [1.0, 2.0]
        assert sess.run(d, {d: [5.0]}).tolist() == [5.0]


def test_variable_fetch_feed_assign_and_load(fresh_graph):
    w = shim.Variable([1.0, 2.0], name="w")
    doubled = w * 2
    with shim.Session() as sess:
        sess.run(w.initializer)
        assert sess.run(doubled, {w: [5.0, 5.0]}).tolist() == [10.0, 10.0]
        assert sess.run(w).tolist() == [1.0, 2.0]  # feeding does not store
        sess.run(w.assign([3.0, 4.0]))
        assert w.eval(session=sess).tolist() == [3.0, 4.0]
        w.load([7.0, 8.0], sess)
        assert sess.run(w).tolist() == [7.0, 8.0]


def test_same_signature_compiles_once_and_batch_size_does_not_retrace(fresh_graph):
    x = shim.placeholder(tf.float32, [None, 3], name="x")
    w = shim.Variable(np.ones((3, 2), np.float32))
    y = shim.matmul(x, w)
    with shim.Session() as sess:
        sess.run(shim.global_variables_initializer())
        before = lowering.trace_count()
        for n in (1, 5, 100, 7):
            assert sess.run(y, {x: np.ones((n, 3))}).shape == (n, 2)
        assert lowering.trace_count() == before + 1
        assert len(sess._cache) == 2  # the initializer and y
        sess.run([y], feed_dict={x: np.ones((2, 3))})  # another fetch structure, same plan
        assert len(sess._cache) == 3
        assert lowering.trace_count() == before + 1


def test_default_session_eval_and_run(fresh_graph):
    c = shim.constant(3.0)
    op = shim.no_op()
    with shim.Session() as sess:
        assert shim.get_default_session() is sess
        assert c.eval() == 3.0
        assert op.run() is None
    assert shim.get_default_session() is None


def test_interactive_session(fresh_graph):
    c = shim.constant(4.0)
    sess = shim.InteractiveSession()
    try:
        assert shim.get_default_session() is sess and c.eval() == 4.0
    finally:
        sess.close()
    assert shim.get_default_session() is None


def test_train_op_returns_none_and_loss_is_pre_update(fresh_graph):
    w = shim.Variable(2.0)
    loss = w * w
    step = shim.train.get_or_create_global_step()
    train = shim.train.GradientDescentOptimizer(0.25).minimize(loss, global_step=step)
    with shim.Session() as sess:
        sess.run(shim.global_variables_initializer())
        assert sess.run(train) is None
        out = sess.run([train, loss])
        assert out[0] is None and out[1] == 1.0  # w was 1.0 before this run's update
        assert sess.run(step) == 2 and sess.run(w) == 0.5


def test_tf2_eager_code_unaffected_in_the_same_process(fresh_graph):
    x = shim.placeholder(tf.float32, [None])
    y = x * 2
    assert tf.executing_eagerly()
    eager = tf.constant([1.0, 2.0]) * 3  # plain TF2 beside the shim
    with shim.Session() as sess:
        assert sess.run(y, {x: [1.0]}).tolist() == [2.0]
    assert tf.executing_eagerly() and eager.numpy().tolist() == [3.0, 6.0]


def test_unfed_placeholder_error_names_it_even_deep_in_the_graph(fresh_graph):
    x = shim.placeholder(tf.float32, [None, 2], name="inputs")
    y = shim.reduce_sum(shim.nn.relu(x) * 3)
    with shim.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="'inputs'"):
            sess.run(y)


def test_fetched_feed_is_the_fed_array_as_in_tf1(fresh_graph):
    """TF1 returned the fed value itself (after np.asarray with the tensor's dtype). tf.compat.v1
    does too on TF 2.20 and 2.21; on TF 2.18 it returns a copy, so identity is asserted from TF1's
    behaviour and the values from the oracle."""
    arr = np.ones(3, np.float32)
    with tf.Graph().as_default():
        ph = tf.compat.v1.placeholder(tf.float32, [3])
        with tf.compat.v1.Session() as sess:
            oracle_same = sess.run(ph, {ph: arr})
            oracle_list = sess.run(ph, {ph: [1, 2, 3]})
    x = shim.placeholder(tf.float32, [3])
    with shim.Session() as sess:
        got = sess.run(x, {x: arr})
        assert got is arr and np.array_equal(got, oracle_same)
        out = sess.run(x, {x: [1, 2, 3]})
        assert out.dtype == oracle_list.dtype and np.array_equal(out, oracle_list)

