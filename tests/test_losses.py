"""tf.losses (TF1's, not Keras') against tf.compat.v1: collections, regularization totals,
weighted losses with every reduction — values, gradients, names and the LOSSES collection."""
from __future__ import annotations

import inspect

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, strategies as st

import tftrain_compat as shim
from support import assert_bitwise_equal, both, raised, run_in_session

V1 = tf.compat.v1
REDUCTIONS = ["none", "weighted_sum", "weighted_sum_over_batch_size", "weighted_mean",
              "weighted_sum_by_nonzero_weights"]


def _both(build, feeds=None):
    """``build(t)`` -> (fetches, description); run under compat.v1 and the shim: (TF1's, ours)."""
    def program(t):
        fetches, description = build(t)
        return (run_in_session(t, fetches, feeds) if fetches else [], description)
    ours, tf1 = both(program)
    return [tf1, ours]


def _data(seed: int, batch: int, classes: int):
    rng = np.random.RandomState(seed)
    logits = (rng.randn(batch, classes) * 2).astype(np.float32)
    labels = rng.randint(0, classes, batch)
    onehot = np.eye(classes, dtype=np.float32)[labels]
    weights = rng.choice([0.0, 0.5, 1.0, 2.0], batch).astype(np.float32)
    return logits, labels, onehot, weights


LOSSES = {
    "mse": lambda t, lg, preds, labels, onehot, w, r: t.losses.mean_squared_error(
        onehot, preds, reduction=r),
    "mse_weighted": lambda t, lg, preds, labels, onehot, w, r: t.losses.mean_squared_error(
        onehot, preds, weights=w[:, None], reduction=r),
    "abs": lambda t, lg, preds, labels, onehot, w, r: t.losses.absolute_difference(
        onehot, preds, weights=2.0, reduction=r),
    "softmax": lambda t, lg, preds, labels, onehot, w, r: t.losses.softmax_cross_entropy(
        onehot, lg, reduction=r),
    "softmax_smoothed": lambda t, lg, preds, labels, onehot, w, r:
        t.losses.softmax_cross_entropy(onehot, lg, weights=w, label_smoothing=0.1, reduction=r),
    "sparse": lambda t, lg, preds, labels, onehot, w, r: t.losses.sparse_softmax_cross_entropy(
        labels, lg, reduction=r),
    "sparse_col": lambda t, lg, preds, labels, onehot, w, r:
        t.losses.sparse_softmax_cross_entropy(labels[:, None], lg, weights=w, reduction=r),
    "sigmoid_zero_w": lambda t, lg, preds, labels, onehot, w, r: t.losses.sigmoid_cross_entropy(
        onehot, lg, weights=0.0, reduction=r),
    "sigmoid_smoothed": lambda t, lg, preds, labels, onehot, w, r:
        t.losses.sigmoid_cross_entropy(onehot, lg, label_smoothing=0.2, reduction=r),
}


def _losses(t, logits, labels, onehot, weights, reduction, which=tuple(LOSSES)):
    """TF1 losses with scalar, per-example and zero weights, each loss's gradient w.r.t. the
    logits, and the total over the LOSSES collection."""
    lg = t.Variable(logits, name="logits")
    preds = t.nn.softmax(lg)
    out = [LOSSES[k](t, lg, preds, labels, onehot, weights, reduction) for k in which]
    scalars = out if reduction != "none" else [t.reduce_sum(x) for x in out]
    # One gradient per loss: a sum of several contributions goes through an AddN that
    # TF's graph optimizer rewrites differently under Session and tf.function (see report).
    grads = [t.gradients(x, [lg])[0] for x in scalars]
    total = t.losses.get_total_loss() if reduction != "none" else t.add_n(scalars)
    names = [x.name for x in out] + [total.name] + [
        x.name for x in t.get_collection(t.GraphKeys.LOSSES)]
    return out + [total] + grads, names


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_losses_values_gradients_and_names(reduction):
    data = _data(3, 6, 4)
    (want, wn), (got, gn) = _both(lambda t: _losses(t, *data, reduction))
    assert gn == wn
    assert_bitwise_equal(got, want)


@given(seed=st.integers(0, 2**16), batch=st.integers(1, 8), classes=st.integers(2, 5),
       reduction=st.sampled_from(REDUCTIONS), which=st.sampled_from(sorted(LOSSES)))
def test_losses_property(seed, batch, classes, reduction, which):
    data = _data(seed, batch, classes)
    (want, wn), (got, gn) = _both(lambda t: _losses(t, *data, reduction, which=(which,)))
    assert gn == wn
    assert_bitwise_equal(got, want)


def test_float64_losses_are_reduced_in_float32_and_cast_back():
    rng = np.random.RandomState(0)
    a, b = rng.randn(4, 3), rng.randn(4, 3)

    def build(t):
        return [t.losses.mean_squared_error(t.constant(a), t.constant(b)),
                t.losses.compute_weighted_loss(t.constant(a), weights=t.constant([[1.], [0.],
                                                                                 [2.], [1.]]))], 0
    (want, _), (got, _) = _both(build)
    assert_bitwise_equal(got, want)
    # mean_squared_error casts its inputs to float32 first; compute_weighted_loss casts back
    assert got[0].dtype == np.float32 and got[1].dtype == np.float64


def test_collections_add_get_total_and_scopes():
    def build(t):
        a = t.constant(1.5, name="a")
        with t.name_scope("head"):
            b = t.constant(2.25, name="b")
        t.losses.add_loss(a)
        t.losses.add_loss(b)
        t.losses.add_loss(t.constant(100.0), loss_collection=None)
        t.losses.add_loss(t.constant(7.0), loss_collection="extra")
        with t.variable_scope("net", regularizer=_l2(t, 0.5)):
            t.get_variable("w", [2], initializer=t.ones_initializer())
        with t.variable_scope("aux", regularizer=_l2(t, 0.25)):
            t.get_variable("w", [3], initializer=t.ones_initializer())
        total = t.losses.get_total_loss()
        only = t.losses.get_total_loss(add_regularization_losses=False, name="data_loss")
        head = t.losses.get_total_loss(scope="head")
        reg_net = t.losses.get_regularization_loss(scope="net")
        fetches = [total, only, head, reg_net, t.losses.get_losses(loss_collection="extra")]
        return fetches, [x.name for x in [total, only, head, reg_net]] + [
            [x.name for x in t.losses.get_losses()],
            [x.name for x in t.losses.get_regularization_losses("aux")]]
    (want, wn), (got, gn) = _both(build)
    assert gn == wn
    assert_bitwise_equal(got[:4], want[:4])
    assert got[0] == np.float32(1.5 + 2.25 + 0.5 + 0.375)


def _l2(t, scale):
    if t is shim:
        return shim.contrib.layers.l2_regularizer(scale)

    def l2(w):
        with V1.name_scope(None, "l2_regularizer", [w]) as name:
            s = tf.convert_to_tensor(scale, dtype=w.dtype.base_dtype, name="scale")
            return tf.multiply(s, tf.nn.l2_loss(w), name=name)
    return l2





@pytest.mark.parametrize("fn", [
    lambda t: t.losses.get_total_loss(),
    lambda t: t.losses.mean_squared_error(None, t.constant([1.0])),
    lambda t: t.losses.softmax_cross_entropy(t.constant([[1.0, 0.0]]), None),
    lambda t: t.losses.mean_squared_error(t.constant([1.0]), t.constant([1.0]), reduction="avg"),
    lambda t: t.losses.mean_squared_error(t.constant([1.0, 2.0]), t.constant([1.0, 2.0, 3.0])),
    lambda t: t.losses.compute_weighted_loss(t.constant([1.0, 2.0]), weights=t.constant(
        [[1.0, 2.0], [3.0, 4.0]])),
    lambda t: t.losses.compute_weighted_loss(t.constant([[1.0, 2.0]]), weights=t.constant(
        [[1.0, 2.0, 3.0]])),
], ids=["total-empty", "labels-none", "logits-none", "reduction", "shapes", "weights-rank",
        "weights-dims"])
def test_errors_match(fn):
    got, want = raised(shim, fn), raised(V1, fn)
    assert got[0] == want[0]
    if "Received" not in want[1]:  # those texts embed the backing tensors' reprs
        assert got[1] == want[1]


def test_reduction_keys():
    assert shim.losses.Reduction.all() == V1.losses.Reduction.all()
    assert shim.losses.Reduction.SUM_BY_NONZERO_WEIGHTS == "weighted_sum_by_nonzero_weights"


@pytest.mark.parametrize("name", [
    "add_loss", "get_losses", "get_regularization_loss", "get_regularization_losses",
    "get_total_loss", "compute_weighted_loss", "mean_squared_error", "absolute_difference",
    "softmax_cross_entropy", "sparse_softmax_cross_entropy", "sigmoid_cross_entropy"])
def test_tf1_signatures(name):
    def params(fn):
        return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]
    assert params(getattr(shim.losses, name)) == params(getattr(V1.losses, name))
