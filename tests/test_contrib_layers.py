"""tf.contrib.layers and tf.contrib.framework: contrib's names and defaults (TF 1.15's
contrib/layers), checked against tf.layers where contrib computes the same thing (bitwise, two
graphs with the same seed) and against contrib's documented formulas elsewhere. There is no
oracle for contrib on TF 2.21."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tftrain_compat as tf
from support import assert_bitwise_equal

cl = tf.contrib.layers
R = np.random.RandomState(7)


def _x(*shape):
    return R.randn(*shape).astype(np.float32)


def _run(build, seed=3, steps=0, lr=0.1):
    """Builds in a fresh graph (graph seed ``seed``); returns variable names, values, outputs
    and the variables after ``steps`` SGD steps under control_dependencies(UPDATE_OPS)."""
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(seed)
        out, feeds = build()
        loss = tf.reduce_sum(tf.square(out))
        train = None
        if steps:
            with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
                train = tf.train.GradientDescentOptimizer(lr).minimize(loss)
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            init = {v.name: s.run(v) for v in tf.global_variables()}
            y = s.run(out, feeds)
            for _ in range(steps):
                s.run(train, feeds)
            final = {v.name: s.run(v) for v in tf.global_variables()}
        return dict(names=[v.name for v in tf.global_variables()],
                    model=[v.name for v in tf.model_variables()],
                    trainable=[v.name for v in tf.trainable_variables()],
                    updates=len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)),
                    init=init, y=y, final=final)


# ----- fully_connected ---------------------------------------------------------------------
def test_fully_connected_names_defaults_and_equals_relu_dense():
    xv = _x(4, 5)

    def contrib():
        x = tf.placeholder(tf.float32, [None, 5])
        h = cl.fully_connected(x, 3)
        return cl.fully_connected(h, 2), {x: xv}

    def layers():  # contrib's defaults spelled out: xavier (glorot uniform) weights, ReLU
        x = tf.placeholder(tf.float32, [None, 5])
        h = tf.nn.relu(tf.layers.dense(x, 3, kernel_initializer=cl.xavier_initializer()))
        return tf.nn.relu(tf.layers.dense(h, 2, kernel_initializer=cl.xavier_initializer())), \
            {x: xv}
    a, b = _run(contrib, steps=3), _run(layers, steps=3)
    assert a["names"] == ["fully_connected/weights:0", "fully_connected/biases:0",
                          "fully_connected_1/weights:0", "fully_connected_1/biases:0"]
    assert a["model"] == a["names"]  # contrib's variables are MODEL variables
    assert b["model"] == []
    assert_bitwise_equal(a["y"], b["y"])
    for na, nb in zip(a["names"], b["names"]):
        assert_bitwise_equal(a["init"][na], b["init"][nb])
        assert_bitwise_equal(a["final"][na], b["final"][nb])
    assert not np.array_equal(a["init"]["fully_connected/weights:0"],
                              a["final"]["fully_connected/weights:0"])


def test_fully_connected_options():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 4])
        y = cl.fully_connected(x, 3, activation_fn=None, biases_initializer=None, scope="fc",
                               weights_regularizer=cl.l2_regularizer(0.5),
                               variables_collections=["mine"], outputs_collections="outs")
        z = cl.fully_connected(x, 3, activation_fn=None, biases_initializer=None, scope="fc",
                               reuse=True)
        assert [v.name for v in tf.global_variables()] == ["fc/weights:0"]
        assert [v.name for v in tf.get_collection("mine")] == ["fc/weights:0"]
        assert tf.get_collection("outs") == [y]
        regs = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
        assert [r.name for r in regs] == ["fc/kernel/Regularizer/l2_regularizer:0"]
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            xv = _x(2, 4)
            w = s.run(tf.global_variables()[0])
            yv, zv, reg = s.run([y, z, regs[0]], {x: xv})
        assert_bitwise_equal(yv, zv)
        np.testing.assert_allclose(yv, xv @ w, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(reg, 0.5 * np.sum(w.astype(np.float64) ** 2) / 2, rtol=1e-5)
        with pytest.raises(ValueError, match="num_outputs type should be one of"):
            cl.fully_connected(x, 3.0)
        # linear = no activation, relu = ReLU
        lin = cl.linear(x, 2, scope="lin")
        assert lin.op.type == "BiasAdd"
        assert cl.relu(x, 2, scope="rel").op.type == "Relu"


def test_normalizer_fn_replaces_biases():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 4])
        cl.fully_connected(x, 3, normalizer_fn=cl.batch_norm,
                           normalizer_params={"is_training": True, "scale": True})
        assert [v.name for v in tf.global_variables()] == [
            "fully_connected/weights:0", "fully_connected/BatchNorm/beta:0",
            "fully_connected/BatchNorm/gamma:0", "fully_connected/BatchNorm/moving_mean:0",
            "fully_connected/BatchNorm/moving_variance:0"]


# ----- conv2d / conv2d_transpose / pools / flatten -----------------------------------------
def test_conv2d_equals_layers_conv2d_same_relu():
    xv = _x(2, 6, 6, 3)

    def contrib():
        x = tf.placeholder(tf.float32, [None, 6, 6, 3])
        h = cl.conv2d(x, 4, 3)
        h = cl.max_pool2d(h, 2)
        h = cl.convolution2d(h, 2, [2, 2], stride=1)
        h = cl.avg_pool2d(h, 2, stride=1, padding="SAME")
        h = cl.conv2d_transpose(h, 2, 3, stride=2)
        return cl.flatten(h), {x: xv}

    def layers():
        x = tf.placeholder(tf.float32, [None, 6, 6, 3])
        xi = cl.xavier_initializer()
        h = tf.nn.relu(tf.layers.conv2d(x, 4, 3, padding="same", kernel_initializer=xi))
        h = tf.layers.max_pooling2d(h, 2, 2)
        h = tf.nn.relu(tf.layers.conv2d(h, 2, 2, padding="same", kernel_initializer=xi))
        h = tf.layers.average_pooling2d(h, 2, 1, padding="same")
        h = tf.nn.relu(tf.layers.conv2d_transpose(h, 2, 3, strides=2, padding="same",
                                                  kernel_initializer=xi))
        return tf.layers.flatten(h), {x: xv}
    a, b = _run(contrib, steps=2), _run(layers, steps=2)
    assert a["names"] == ["Conv/weights:0", "Conv/biases:0", "Conv_1/weights:0",
                          "Conv_1/biases:0", "Conv2d_transpose/weights:0",
                          "Conv2d_transpose/biases:0"]
    assert_bitwise_equal(a["y"], b["y"])
    for na, nb in zip(a["names"], b["names"]):
        assert_bitwise_equal(a["final"][na], b["final"][nb])
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="data_format has to be either NCHW or NHWC."):
            cl.max_pool2d(tf.placeholder(tf.float32, [1, 4, 4, 1]), 2, data_format="NWC")
        with pytest.raises(ValueError, match="Invalid data_format: 'XY'"):
            cl.conv2d(tf.placeholder(tf.float32, [1, 4, 4, 1]), 2, 2, data_format="XY")


# ----- batch_norm / layer_norm -------------------------------------------------------------
def test_batch_norm_4d_is_layers_batch_normalization_with_contrib_defaults():
    xv = _x(4, 3, 3, 2)

    def contrib():
        x = tf.placeholder(tf.float32, [None, 3, 3, 2])
        return cl.batch_norm(x) * tf.get_variable("w", initializer=tf.constant(0.5)), {x: xv}

    def layers():  # contrib: decay 0.999, scale=False, is_training=True
        x = tf.placeholder(tf.float32, [None, 3, 3, 2])
        y = tf.layers.batch_normalization(x, momentum=0.999, scale=False, training=True)
        return y * tf.get_variable("w", initializer=tf.constant(0.5)), {x: xv}
    a, b = _run(contrib, steps=3), _run(layers, steps=3)
    assert a["names"][:3] == ["BatchNorm/beta:0", "BatchNorm/moving_mean:0",
                              "BatchNorm/moving_variance:0"]
    assert a["model"] == a["names"][:3]
    assert a["updates"] == b["updates"] == 2
    assert_bitwise_equal(a["y"], b["y"])
    for na, nb in zip(a["names"], b["names"]):
        assert_bitwise_equal(a["final"][na], b["final"][nb])


def test_batch_norm_2d_fused_path_uses_unbiased_variance_and_no_update_collection():
    """TF1: a 2-D input takes contrib's own fused path (reshaped to [-1, 1, 1, C]) whose batch
    variance is the unbiased one; ``updates_collections=None`` updates with the output."""
    xv = _x(6, 3)
    for collections in (tf.GraphKeys.UPDATE_OPS, None):
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [None, 3])
            y = cl.batch_norm(x, decay=0.9, updates_collections=collections)
            ups = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
            assert len(ups) == (2 if collections else 0)
            mm, mv = tf.global_variables()[1:3]
            with tf.Session() as s:
                s.run(tf.global_variables_initializer())
                s.run([y] + ups, {x: xv})
                mean, var = s.run([mm, mv])
            x64 = xv.astype(np.float64)
            np.testing.assert_allclose(mean, x64.mean(0) * 0.1, rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(var, 1 - (1 - x64.var(0, ddof=1)) * 0.1, rtol=1e-5)
            assert not np.allclose(var, 1 - (1 - x64.var(0)) * 0.1, rtol=1e-5)


def test_batch_norm_inference_uses_moving_statistics():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 2, 2, 3])
        y = cl.batch_norm(x, is_training=False, center=False)
        assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            xv = _x(2, 2, 2, 3)
            np.testing.assert_allclose(s.run(y, {x: xv}), xv / np.sqrt(1 + 0.001), rtol=1e-6)


@settings(max_examples=6, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=2, max_size=4), st.integers(1, 3),
       st.booleans(), st.booleans())
def test_layer_norm_formula(shape, begin, center, scale):
    begin = min(begin, len(shape) - 1)
    xv = R.randn(*shape).astype(np.float32) * 3 + 1
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, shape)
        y = cl.layer_norm(x, center=center, scale=scale, begin_norm_axis=begin)
        names = [v.name for v in tf.global_variables()]
        assert names == (["LayerNorm/beta:0"] if center else []) + \
            (["LayerNorm/gamma:0"] if scale else [])
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            got = s.run(y, {x: xv})
    axes = tuple(range(begin, len(shape)))
    x64 = xv.astype(np.float64)
    want = (x64 - x64.mean(axes, keepdims=True)) / np.sqrt(x64.var(axes, keepdims=True) + 1e-12)
    np.testing.assert_allclose(got, want, rtol=2e-4, atol=2e-5)


# ----- dropout, one_hot_encoding -------------------------------------------------------------
@settings(max_examples=6, deadline=None)
@given(st.sampled_from([0.3, 0.5, 0.9]), st.sampled_from([None, 4]), st.integers(1, 5))
def test_dropout_is_layers_dropout_with_rate_one_minus_keep_prob(keep_prob, seed, rows):
    xv = R.randn(rows, 6).astype(np.float32)

    def contrib():
        x = tf.placeholder(tf.float32, [None, 6])
        return cl.dropout(x, keep_prob, seed=seed), {x: xv}

    def layers():
        x = tf.placeholder(tf.float32, [None, 6])
        return tf.layers.dropout(x, 1 - keep_prob, seed=seed, training=True), {x: xv}
    assert_bitwise_equal(_run(contrib)["y"], _run(layers)["y"])
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 6])
        y = cl.dropout(x, keep_prob, is_training=False)
        with tf.Session() as s:
            assert_bitwise_equal(s.run(y, {x: xv}), xv)


def test_one_hot_encoding():
    with tf.Graph().as_default():
        labels = tf.constant([0, 2, 1], dtype=tf.int32)
        y = cl.one_hot_encoding(labels, 3, on_value=2.0, off_value=-1.0)
        assert y.op.name.startswith("OneHotEncoding/")
        with tf.Session() as s:
            assert_bitwise_equal(s.run(y), np.where(np.eye(3, dtype=np.float32)[[0, 2, 1]] > 0, 2.0,
                                     -1.0).astype(np.float32))


# ----- stack / repeat / arg_scope / framework ---------------------------------------------------
def test_stack_and_repeat_scopes():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        cl.stack(x, cl.fully_connected, [4, 5], scope="mlp")
        cl.repeat(tf.reshape(x, [-1, 1, 3, 1]), 2, cl.conv2d, 1, [1, 1])
        cl.stack(x, cl.linear, [(2,), (3,)])
        names = [v.name for v in tf.global_variables()]
        assert names == [
            "mlp/mlp_1/weights:0", "mlp/mlp_1/biases:0", "mlp/mlp_2/weights:0",
            "mlp/mlp_2/biases:0", "Repeat/convolution2d_1/weights:0",
            "Repeat/convolution2d_1/biases:0", "Repeat/convolution2d_2/weights:0",
            "Repeat/convolution2d_2/biases:0", "Stack/fully_connected_1/weights:0",
            "Stack/fully_connected_1/biases:0", "Stack/fully_connected_2/weights:0",
            "Stack/fully_connected_2/biases:0"]
        with pytest.raises(ValueError, match="stack_args need to be a list or tuple"):
            cl.stack(x, cl.fully_connected, 3)


def test_arg_scope_rules():
    arg_scope = tf.contrib.framework.arg_scope
    add_arg_scope = tf.contrib.framework.add_arg_scope

    @add_arg_scope
    def f(a, b=1, c=2):
        return a, b, c

    def plain(a):
        return a
    assert f(0) == (0, 1, 2)
    with arg_scope([f], b=10) as outer:
        assert f(0) == (0, 10, 2)
        assert f(0, b=3) == (0, 3, 2)  # the caller wins
        with arg_scope([f], c=20):
            assert f(0) == (0, 10, 20)  # nested scopes merge
        assert f(0) == (0, 10, 2)
    assert f(0) == (0, 1, 2)
    with arg_scope(outer):
        assert f(0) == (0, 10, 2)  # a saved scope re-entered
    with pytest.raises(ValueError, match="kwargs must be empty"):
        with arg_scope(outer, b=1):
            pass
    with pytest.raises(ValueError, match="is not decorated with @add_arg_scope"):
        with arg_scope([plain], a=1):
            pass
    with pytest.raises(TypeError, match="list_ops_or_scope must either be a list/tuple"):
        with arg_scope(f, b=1):
            pass
    assert tf.contrib.framework.has_arg_scope(f) and not tf.contrib.framework.has_arg_scope(plain)
    assert tf.contrib.framework.arg_scoped_arguments(f) == ["a", "b", "c"]
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        with arg_scope([cl.fully_connected, cl.conv2d], activation_fn=None,
                       weights_initializer=tf.zeros_initializer()):
            y = cl.fully_connected(x, 2)
        assert y.op.type == "BiasAdd"
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            assert_bitwise_equal(s.run(y, {x: _x(2, 3)}), np.zeros((2, 2), np.float32))


def test_framework_get_variables():
    fw = tf.contrib.framework
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        cl.fully_connected(x, 2, scope="a")
        with tf.variable_scope("b") as b:
            cl.fully_connected(x, 2)
        tf.get_variable("c", [1])
        assert [v.name for v in fw.get_variables("a")] == ["a/weights:0", "a/biases:0"]
        assert [v.name for v in fw.get_variables(b)] == ["b/fully_connected/weights:0",
                                                         "b/fully_connected/biases:0"]
        assert [v.name for v in fw.get_variables(suffix="biases")] == [
            "a/biases:0", "b/fully_connected/biases:0"]
        assert [v.name for v in fw.get_model_variables()] == [
            "a/weights:0", "a/biases:0", "b/fully_connected/weights:0",
            "b/fully_connected/biases:0"]
        assert [v.name for v in fw.get_variables_by_name("weights")] == [
            "a/weights:0", "b/fully_connected/weights:0"]
        assert [v.name for v in fw.get_variables_to_restore(exclude=["b"])] == [
            "a/weights:0", "a/biases:0", "c:0"]


# ----- optimize_loss ---------------------------------------------------------------------------
def test_optimize_loss_equals_minimize_and_increments_step():
    xv = _x(5, 3)

    def run(use_contrib):
        with tf.Graph().as_default():
            tf.set_random_seed(1)
            x = tf.placeholder(tf.float32, [None, 3])
            y = tf.layers.dense(x, 2, kernel_initializer=tf.glorot_uniform_initializer())
            loss = tf.reduce_mean(tf.square(y - 1.0))
            gs = tf.train.get_or_create_global_step()
            if use_contrib:
                train = cl.optimize_loss(loss, gs, 0.1, "SGD", clip_gradients=0.5)
                names = [v.name for v in tf.global_variables()]
                assert "OptimizeLoss/learning_rate:0" in names
            else:
                opt = tf.train.GradientDescentOptimizer(0.1)
                grads, tvars = zip(*opt.compute_gradients(loss))
                clipped = tf.clip_by_global_norm(list(grads), 0.5)[0]
                train = opt.apply_gradients(list(zip(clipped, tvars)), global_step=gs)
            with tf.Session() as s:
                s.run(tf.global_variables_initializer())
                for _ in range(4):
                    s.run(train, {x: xv})
                return s.run(tf.trainable_variables()), s.run(gs)
    (wa, sa), (wb, sb) = run(True), run(False)
    assert sa == sb == 4
    for a, b in zip(wa, wb):
        assert_bitwise_equal(a, b)
    with tf.Graph().as_default():
        loss = tf.reduce_sum(tf.get_variable("v", [2]))
        gs = tf.train.get_or_create_global_step()
        with pytest.raises(ValueError, match="Optimizer name should be one of"):
            cl.optimize_loss(loss, gs, 0.1, "Nope")
        with pytest.raises(ValueError, match="Learning rate should be 0d Tensor or float"):
            cl.optimize_loss(loss, gs, "0.1", "SGD")


# ----- names not provided ------------------------------------------------------------------------
@pytest.mark.parametrize("path, replacement", [
    ("tf.contrib.layers.embed_sequence", "tf.keras.layers.Embedding"),
    ("tf.contrib.layers.group_norm", "tf.keras.layers.GroupNormalization"),
    ("tf.layers.separable_conv1d", "tf.keras.layers.SeparableConv1D"),
    ("tf.layers.Conv3DTranspose", "tf.keras.layers.Conv3DTranspose"),
    ("tf.contrib.framework.nest", "tf.nest"),
])
def test_not_provided_names_raise_with_replacement(path, replacement):
    ns = tf
    parts = path.split(".")[1:]
    for part in parts[:-1]:
        ns = getattr(ns, part)
    with pytest.raises(AttributeError, match="does not provide") as info:
        getattr(ns, parts[-1])
    assert replacement in str(info.value) and path in str(info.value)
