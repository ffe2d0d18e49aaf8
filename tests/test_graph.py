"""The recorded graph: TF1 names, static shapes, build-time shape errors, collections, scopes."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import tftrain_compat as shim


def _names(tfm):
    x = tfm.placeholder(tf.float32, [None, 784])
    y = tfm.placeholder(tf.float32, [None, 10])
    w = tfm.Variable(tfm.zeros([784, 10]))
    b = tfm.Variable(tfm.zeros([10]), name="bias")
    b2 = tfm.Variable(tfm.zeros([10]))
    logits = tfm.matmul(x, w) + b
    with tfm.name_scope("loss"):
        ce = tfm.reduce_mean(-tfm.reduce_sum(y * tfm.log(tfm.nn.softmax(logits)), axis=[1]))
    with tfm.name_scope("loss"):
        again = tfm.identity(ce, name="again")
    return [t.name for t in (x, y, w, b, b2, logits, ce, again)]


def test_names_match_tf_compat_v1(fresh_graph):
    with tf.Graph().as_default():
        want = _names(tf.compat.v1)
    assert _names(shim) == want
    assert want[:5] == ["Placeholder:0", "Placeholder_1:0", "Variable:0", "bias:0", "Variable_1:0"]


def test_static_shape_and_dtype_known_at_build_time(fresh_graph):
    x = shim.placeholder(tf.float32, [None, 784], name="x")
    img = shim.reshape(x, [-1, 28, 28, 1])
    w = shim.Variable(shim.truncated_normal([5, 5, 1, 32], stddev=0.1))
    conv = shim.nn.conv2d(img, w, strides=[1, 1, 1, 1], padding="SAME")
    pool = shim.nn.max_pool(conv, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
    assert x.get_shape().as_list() == [None, 784]
    assert img.shape.as_list() == [None, 28, 28, 1]
    assert pool.get_shape().as_list() == [None, 14, 14, 32]
    assert pool.dtype == tf.float32 and shim.argmax(pool, 1).dtype == tf.int64
    assert w.get_shape().as_list() == [5, 5, 1, 32]


def test_shape_errors_raised_at_build_time(fresh_graph):
    a = shim.placeholder(tf.float32, [None, 3])
    b = shim.placeholder(tf.float32, [4, 5])
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        shim.matmul(a, b)
    with pytest.raises(ValueError):
        shim.reshape(b, [3, 3])


def test_operator_overloads_match_tf_compat_v1(fresh_graph):
    a_val = np.array([[1.5, -2.0], [3.0, 4.25]], np.float32)
    b_val = np.array([[0.5, 3.0], [-1.0, 2.0]], np.float32)

    def build(tfm):
        a = tfm.placeholder(tf.float32, [2, 2])
        b = tfm.constant(b_val)
        outs = [a + b, a - b, a * b, a / b, a // b, a % b, a ** 2, a @ b, -a, abs(a),
                2.0 + a, 2.0 - a, 3.0 * a, 1.0 / a, 2.0 ** a, a < b, a <= b, a > b, a >= b,
                a[0], a[:, 1], a[::-1, 0:1]]
        return a, outs

    with tf.Graph().as_default():
        a, outs = build(tf.compat.v1)
        with tf.compat.v1.Session() as sess:
            want = sess.run(outs, {a: a_val})
    a, outs = build(shim)
    with shim.Session() as sess:
        got = sess.run(outs, {a: a_val})
    for g, w in zip(got, want):
        assert np.array_equal(g, w)


def test_collections_and_graph_keys(fresh_graph):
    w = shim.Variable(1.0, name="w")
    s = shim.Variable(0, trainable=False, name="s")
    c = shim.Variable(2.0, collections=["mine"], name="c")
    assert shim.global_variables() == [w, s]
    assert shim.trainable_variables() == [w, c]
    assert shim.get_collection("mine") == [c]
    shim.add_to_collection(shim.GraphKeys.LOSSES, w * 2)
    assert len(shim.get_collection(shim.GraphKeys.LOSSES)) == 1
    assert shim.GraphKeys.TRAINABLE_VARIABLES == "trainable_variables"


def test_default_graph_stack_and_reset():
    shim.reset_default_graph()
    g0 = shim.get_default_graph()
    g = shim.Graph()
    with g.as_default():
        assert shim.get_default_graph() is g
        c = shim.constant(1.0)
        assert c.graph is g
        with pytest.raises(AssertionError):
            shim.reset_default_graph()
    assert shim.get_default_graph() is g0
    shim.reset_default_graph()
    assert shim.get_default_graph() is not g0


def test_tensor_and_operation_api(fresh_graph):
    x = shim.placeholder(tf.float32, [None, 3], name="x")
    y = shim.identity(x, name="y")
    assert isinstance(y, shim.Tensor) and isinstance(y.op, shim.Operation)
    assert y.op.name == "y" and y.op.type == "Identity" and y.op.inputs == [x]
    assert y.value_index == 0 and y.graph is fresh_graph
    assert fresh_graph.get_tensor_by_name("y:0") is y
    assert fresh_graph.get_operation_by_name("y") is y.op
    assert str(x) == 'Tensor("x:0", shape=(None, 3), dtype=float32)'
    with pytest.raises(TypeError):
        bool(x)
    with pytest.raises(TypeError):
        iter(x)


def test_any_tf2_function_records_a_node(fresh_graph):
    """Names TF1 shared with TF2 come through the generic wrapper, unchanged."""
    x = shim.placeholder(tf.float32, [None, 3])
    out = shim.nn.gelu(shim.concat([x, shim.square(x)], axis=1))
    assert isinstance(out, shim.Tensor) and out.shape.as_list() == [None, 6]
    assert shim.math.sqrt(x).op.type == "Sqrt"
    with shim.Session() as sess:
        got = sess.run(out, {x: np.ones((2, 3))})
    assert got.shape == (2, 6)


def test_unsupported_names_say_so_and_name_the_replacement():
    with pytest.raises(AttributeError, match=r"tf.train.Supervisor .* a plain training loop"):
        shim.train.Supervisor  # noqa: B018
    with pytest.raises(AttributeError,
                       match=r"tf.layers.separable_conv1d.*tf.keras.layers.SeparableConv1D"):
        shim.layers.separable_conv1d  # noqa: B018
    with pytest.raises(AttributeError, match="not provided by tftrain_compat"):
        shim.this_was_never_a_tf_name  # noqa: B018


def test_tf2_modules_pass_through_but_unsupported_tf1_names_still_explain():
    # tf.summary is the shim's own now (tests/test_summary_writer.py); its TF2-only names pass
    # through and its TF1 names it does not provide still explain.
    with pytest.raises(AttributeError, match=r"tf.summary.initialize .*create_file_writer"):
        shim.summary.initialize  # noqa: B018
    assert shim.summary.create_file_writer is tf.summary.create_file_writer
