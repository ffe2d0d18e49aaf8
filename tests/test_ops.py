"""TF1 op names and semantics against tf.compat.v1: removed aliases, legacy keywords, random ops
under set_random_seed (bit-equal initial weights), dropout's keep_prob, the v1 nn functions."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import tftrain_compat as shim
from support import assert_bitwise_equal, both, run_in_session

V1 = tf.compat.v1


def _run_both(build, feeds_fn=None):
    """Runs ``build(tfm)`` -> fetches under tf.compat.v1 and tftrain_compat; returns both."""
    def program(t):
        out = build(t)
        return run_in_session(t, out, feeds_fn(out) if feeds_fn else None)
    return both(program)


X = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7.0


def test_reductions_with_legacy_keywords():
    def build(t):
        x = t.constant(X)
        return [t.reduce_sum(x, reduction_indices=[1]), t.reduce_mean(x, 2, True),
                t.reduce_max(x, axis=0, keep_dims=True), t.reduce_min(x),
                t.reduce_prod(x, [0, 2]), t.reduce_logsumexp(x, 1),
                t.reduce_any(x > 1.0, 1), t.reduce_all(x > -1.0, keepdims=True),
                t.reduce_mean(t.constant([1, 2]))]  # ints truncate: 1
    got, want = _run_both(build)
    assert_bitwise_equal(got, want)
    assert got[-1] == 1


def test_legacy_keyword_conflicts():
    with shim.Graph().as_default():
        x = shim.constant(X)
        with pytest.raises(ValueError, match="Cannot specify both 'reduction_indices' and 'axis'."):
            shim.reduce_sum(x, axis=1, reduction_indices=1)
        with pytest.raises(ValueError, match="Cannot specify both 'keep_dims' and 'keepdims'."):
            shim.reduce_sum(x, keepdims=True, keep_dims=True)
        with pytest.raises(ValueError, match="Cannot specify both 'dimension' and 'axis'."):
            shim.argmax(x, axis=1, dimension=1)


def test_argmax_dimension_and_default_axis_zero():
    def build(t):
        x = t.constant(X)
        return [t.argmax(x, 1), t.argmax(x, dimension=2), t.argmax(x), t.argmin(x, 1)]
    got, want = _run_both(build)
    assert_bitwise_equal(got, want)


def test_removed_aliases():
    a = np.array([7, -8, 9], np.int32)
    b = np.array([2, 3, -4], np.int32)
    with shim.Graph().as_default(), shim.Session() as sess:
        ta, tb = shim.constant(a), shim.constant(b)
        fa = shim.to_float(ta)
        out = sess.run([shim.mul(ta, tb), shim.sub(ta, tb), shim.neg(ta), shim.div(ta, tb),
                        shim.div(fa, shim.to_float(tb)), shim.log(shim.to_float(tb * tb)),
                        shim.to_int64(fa), shim.to_double(ta), shim.to_int32(fa)])
    assert out[0].tolist() == (a * b).tolist() and out[1].tolist() == (a - b).tolist()
    assert out[2].tolist() == (-a).tolist()
    assert out[3].tolist() == (a // b).tolist()  # Python-2 division: floor for ints
    assert np.array_equal(out[4], a.astype(np.float32) / b.astype(np.float32))
    assert np.array_equal(out[5], np.log((b * b).astype(np.float32)))
    assert out[6].dtype == np.int64 and out[7].dtype == np.float64 and out[8].dtype == np.int32


@pytest.mark.parametrize("graph_seed", [None, 1234, 0])
def test_seeded_random_ops_bitwise_equal_to_tf_compat_v1(graph_seed):
    def build(t):
        if graph_seed is not None:
            t.set_random_seed(graph_seed)
        w = t.Variable(t.truncated_normal([5, 5, 1, 32], stddev=0.1))
        v = t.Variable(t.random_normal([7, 3], mean=1.0, stddev=2.0, seed=5))
        u = t.random_uniform([4, 4], minval=-1.0, maxval=2.0)
        i = t.random_uniform([6], maxval=10, dtype=tf.int32, seed=3)
        return [w, v, u, i]
    got, want = _run_both(build)
    if graph_seed is None:  # unseeded: only the op-seeded ones are reproducible
        got, want = got[1:2] + got[3:], want[1:2] + want[3:]
    assert_bitwise_equal(got, want)


@pytest.mark.parametrize("keep_prob", [0.5, 0.7, 0.9, 1.0])
@pytest.mark.parametrize("as_placeholder", [False, True])
def test_dropout_keep_prob_bitwise_equal(keep_prob, as_placeholder):
    data = np.random.RandomState(0).randn(50, 40).astype(np.float32)

    def build(t):
        t.set_random_seed(42)
        x = t.constant(data)
        kp = t.placeholder(tf.float32) if as_placeholder else keep_prob
        out = t.nn.dropout(x, kp)
        return [out, t.nn.dropout(x, kp, seed=7)] + ([kp] if as_placeholder else [])
    feeds = (lambda out: {out[2]: keep_prob}) if as_placeholder else None
    got, want = _run_both(build, feeds)
    assert_bitwise_equal(got, want)


def test_dropout_validation_texts():
    with shim.Graph().as_default():
        x = shim.constant(X)
        with pytest.raises(ValueError, match=r"rate=1.0"):
            shim.nn.dropout(x, 0.0)
        with pytest.raises(ValueError, match="Cannot specify both 'keep_prob' and 'rate'."):
            shim.nn.dropout(x, 0.5, rate=0.5)
        with pytest.raises(ValueError, match="`rate` must be provided"):
            shim.nn.dropout(x)
        assert shim.nn.dropout(x, 1.0) is x  # keep_prob 1.0 (a Python float): x itself


def test_nn_v1_functions_bitwise_equal():
    rng = np.random.RandomState(1)
    logits = rng.randn(6, 5).astype(np.float32)
    labels = np.eye(5, dtype=np.float32)[rng.randint(0, 5, 6)]
    sparse = rng.randint(0, 5, 6).astype(np.int32)
    img = rng.rand(2, 8, 8, 3).astype(np.float32)
    filt = rng.randn(3, 3, 3, 4).astype(np.float32)

    def build(t):
        lg = t.constant(logits)
        return [t.nn.softmax(lg), t.nn.softmax(lg, dim=0), t.nn.log_softmax(lg),
                t.nn.softmax_cross_entropy_with_logits(labels=labels, logits=lg),
                t.nn.sparse_softmax_cross_entropy_with_logits(labels=sparse, logits=lg),
                t.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=lg),
                t.nn.l2_loss(lg), t.nn.relu(lg),
                t.nn.conv2d(img, filt, strides=[1, 1, 1, 1], padding="SAME"),
                t.nn.conv2d(img, filter=filt, strides=[1, 2, 2, 1], padding="VALID",
                            use_cudnn_on_gpu=False),
                t.nn.max_pool(img, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME"),
                t.nn.avg_pool(value=img, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1],
                              padding="VALID"),
                t.nn.in_top_k(lg, sparse, 2)]
    got, want = _run_both(build)
    assert_bitwise_equal(got, want)


def test_softmax_xent_v1_refuses_positional_and_stops_label_gradient():
    with shim.Graph().as_default():
        lg = shim.Variable(np.ones((2, 3), np.float32))
        lab = shim.Variable(np.eye(3, dtype=np.float32)[:2])
        with pytest.raises(ValueError, match=r"Only call `softmax_cross_entropy_with_logits` "
                                             r"with named arguments"):
            shim.nn.softmax_cross_entropy_with_logits(lab, lg)
        loss = shim.nn.softmax_cross_entropy_with_logits(labels=lab, logits=lg)
        g_labels, g_logits = shim.gradients(loss, [lab, lg])
        assert g_labels is None and g_logits is not None
