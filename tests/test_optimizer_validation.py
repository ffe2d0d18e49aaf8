"""Every tf.train optimizer against tf.compat.v1: constructor signatures and defaults, validation
error classes and texts, slot and variable names, dtype quirks (float64 with the proximal
optimizers, AdagradDA's int64 global step) and callable learning rates."""
from __future__ import annotations

import inspect

import numpy as np
import pytest
import tensorflow as tf

import tftrain_compat as shim

V1 = tf.compat.v1

OPTIMIZERS = ["GradientDescentOptimizer", "MomentumOptimizer", "AdamOptimizer",
              "AdagradOptimizer", "AdagradDAOptimizer", "RMSPropOptimizer", "AdadeltaOptimizer",
              "FtrlOptimizer", "ProximalGradientDescentOptimizer", "ProximalAdagradOptimizer"]
# Parameters tf.compat.v1 (TF 2.x) added that TF1 never had; the shim keeps TF1's signature.
TF2_ONLY = {"AdamOptimizer": {"use_own_namescope_for_non_slot_vars"}}


def _params(cls) -> list[tuple]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(cls).parameters.values()]


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_signature_and_defaults_match_compat_v1(name):
    want = [p for p in _params(getattr(V1.train, name)) if p[0] not in TF2_ONLY.get(name, ())]
    assert _params(getattr(shim.train, name)) == want


def test_signatures_are_tf1s():
    """Spot checks of TF1_SEMANTICS.md §1.2 (so a changed default fails loudly)."""
    def defaults(name):
        return [(k, p.default) for k, p in
                inspect.signature(getattr(shim.train, name)).parameters.items()]
    empty = inspect.Parameter.empty
    assert defaults("AdagradOptimizer") == [
        ("learning_rate", empty), ("initial_accumulator_value", 0.1), ("use_locking", False),
        ("name", "Adagrad")]
    assert defaults("RMSPropOptimizer")[1:6] == [
        ("decay", 0.9), ("momentum", 0.0), ("epsilon", 1e-10), ("use_locking", False),
        ("centered", False)]
    assert [d for _, d in defaults("AdadeltaOptimizer")][:3] == [0.001, 0.95, 1e-08]
    assert defaults("AdagradDAOptimizer")[:3] == [
        ("learning_rate", empty), ("global_step", empty),
        ("initial_gradient_squared_accumulator_value", 0.1)]
    assert defaults("FtrlOptimizer")[1:3] == [("learning_rate_power", -0.5),
                                              ("initial_accumulator_value", 0.1)]


INVALID = [
    ("AdagradOptimizer", (0.1,), {"initial_accumulator_value": 0.0}),
    ("AdagradOptimizer", (0.1,), {"initial_accumulator_value": -1}),
    ("AdagradOptimizer", (0.1,), {"initial_accumulator_value": 0.0, "name": ""}),
    ("AdagradDAOptimizer", (0.1, None), {"initial_gradient_squared_accumulator_value": 0.0}),
    ("AdagradDAOptimizer", (0.1, None), {"initial_gradient_squared_accumulator_value": -2.5}),
    ("ProximalAdagradOptimizer", (0.1,), {"initial_accumulator_value": -1.0}),
    ("ProximalAdagradOptimizer", (0.1,), {"initial_accumulator_value": 0}),
    ("FtrlOptimizer", (0.1,), {"initial_accumulator_value": -0.1}),
    ("FtrlOptimizer", (0.1,), {"learning_rate_power": 0.5}),
    ("FtrlOptimizer", (0.1,), {"l1_regularization_strength": -1.0}),
    ("FtrlOptimizer", (0.1,), {"l2_regularization_strength": -1.0}),
    ("FtrlOptimizer", (0.1,), {"l2_shrinkage_regularization_strength": -1.0}),
    ("FtrlOptimizer", (0.1,), {"l1_regularization_strength": -1.0, "learning_rate_power": 1.0}),
    ("FtrlOptimizer", (0.1,), {"l1_regularization_strength": -1.0, "name": ""}),
] + [(name, (0.1, None) if name == "AdagradDAOptimizer" else
      (0.1, 0.9) if name == "MomentumOptimizer" else (0.1,), {"name": ""})
     for name in OPTIMIZERS]


@pytest.mark.parametrize("name, args, kwargs", INVALID)
def test_invalid_hyperparameters_raise_tf1_error_and_text(name, args, kwargs):
    with tf.Graph().as_default():
        with pytest.raises(Exception) as want:
            getattr(V1.train, name)(*args, **kwargs)
    with shim.Graph().as_default():
        with pytest.raises(Exception) as got:
            getattr(shim.train, name)(*args, **kwargs)
    assert type(got.value) is type(want.value) is ValueError
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("name, kwargs", [
    ("GradientDescentOptimizer", {"learning_rate": -1.0}),
    ("AdamOptimizer", {"learning_rate": -1, "beta1": 2.0}),
    ("RMSPropOptimizer", {"learning_rate": -1.0, "decay": 5}),
    ("AdadeltaOptimizer", {"rho": -3.0}),
    ("FtrlOptimizer", {"learning_rate": 0.1, "learning_rate_power": 0.0,
                       "initial_accumulator_value": 0.0}),
])
def test_unvalidated_hyperparameters_are_accepted(name, kwargs):
    """TF1 checks nothing else in Python; neither does the shim."""
    getattr(shim.train, name)(**kwargs)
    getattr(V1.train, name)(**kwargs)


def _model(t, dtype=tf.float32):
    w = t.Variable(np.arange(6).reshape(3, 2).astype(dtype.as_numpy_dtype) / 7, name="w")
    emb = t.Variable(np.ones((4, 3), dtype.as_numpy_dtype), name="layer/emb")
    rows = t.nn.embedding_lookup(emb, [0, 2, 2])
    loss = t.reduce_sum(t.matmul(rows, w) ** 2)
    return w, emb, loss


FACTORIES = {
    "gd": lambda t, s: t.train.GradientDescentOptimizer(0.1),
    "momentum": lambda t, s: t.train.MomentumOptimizer(0.1, 0.9, name="MyMom"),
    "adam": lambda t, s: t.train.AdamOptimizer(),
    "adagrad": lambda t, s: t.train.AdagradOptimizer(0.1),
    "adagrad_da": lambda t, s: t.train.AdagradDAOptimizer(0.1, s, l1_regularization_strength=0.01),
    "rmsprop": lambda t, s: t.train.RMSPropOptimizer(0.1),
    "rmsprop_centered": lambda t, s: t.train.RMSPropOptimizer(0.1, momentum=0.5, centered=True),
    "adadelta": lambda t, s: t.train.AdadeltaOptimizer(1.0),
    "ftrl": lambda t, s: t.train.FtrlOptimizer(0.1),
    "ftrl_names": lambda t, s: t.train.FtrlOptimizer(0.1, accum_name="acc", linear_name="lin",
                                                     l2_shrinkage_regularization_strength=0.1),
    "proximal_gd": lambda t, s: t.train.ProximalGradientDescentOptimizer(0.1, 0.01, 0.01),
    "proximal_adagrad": lambda t, s: t.train.ProximalAdagradOptimizer(0.1, 0.2, 0.01),
}


@pytest.mark.parametrize("scope, which", [(None, k) for k in FACTORIES] + [
    ("train", k) for k in FACTORIES])
def test_names_slots_kernels_and_steps(scope, which):
    """Slot names, slot and optimizer variable names, train-op and kernel op names, values."""
    def describe(t, graph, session):
        with graph.as_default():
            w, emb, loss = _model(t)
            step = t.train.get_or_create_global_step()
            opt = FACTORIES[which](t, step)
            if scope is None:
                train = opt.minimize(loss, global_step=step)
            else:
                with t.name_scope(scope):
                    train = opt.minimize(loss, global_step=step)
            second = opt.minimize(loss)  # a second train op: slots are reused
            names = opt.get_slot_names()
            slots = [opt.get_slot(v, n) for v in (w, emb) for n in names]
            backing = graph.backing if isinstance(graph, shim.Graph) else graph
            kernels = sorted(op.name for op in backing.get_operations()
                             if op.type.startswith(("ResourceApply", "ResourceSparseApply",
                                                    "ResourceScatter")))
            labels = (opt.get_name(), names, [s.name for s in slots],
                      [v.name for v in opt.variables()], train.name, second.name, kernels,
                      opt.get_slot(w, "no_such_slot"))
            with session() as sess:
                sess.run(t.global_variables_initializer())
                for _ in range(3):  # separate runs: one run of both has no defined order
                    sess.run(train)
                    sess.run(second)
                return labels, sess.run([w, emb] + slots + opt.variables())
    got_labels, got = describe(shim, shim.Graph(), shim.Session)
    want_labels, want = describe(V1, tf.Graph(), V1.Session)
    assert got_labels == want_labels
    for a, b in zip(got, want):
        assert a.dtype == b.dtype and np.array_equal(a, b)


@pytest.mark.parametrize("name", ["ProximalGradientDescentOptimizer",
                                  "ProximalAdagradOptimizer"])
def test_proximal_optimizers_do_not_cast_dense_hyperparameters(name):
    """TF1 quirk: a float64 variable fails in the dense kernel call with TF1's TypeError; the
    sparse path casts, so float64 embeddings train (bit-equal)."""
    def dense(t):
        w = t.Variable(np.ones(3), name="w")  # float64
        getattr(t.train, name)(0.1).minimize(t.reduce_sum(w * w))

    with tf.Graph().as_default():
        with pytest.raises(TypeError) as want:
            dense(V1)
    with shim.Graph().as_default():
        with pytest.raises(TypeError) as got:
            dense(shim)
    assert str(got.value) == str(want.value)
    assert "float64 that does not match type float32 of argument" in str(got.value)

    def sparse(t, graph, session):
        with graph.as_default():
            emb = t.Variable(np.linspace(-1, 1, 8).reshape(4, 2), name="emb")
            loss = t.reduce_sum(t.gather(emb, [1, 3, 1]) ** 3)
            train = getattr(t.train, name)(0.1, l1_regularization_strength=0.01).minimize(loss)
            with session() as sess:
                sess.run(t.global_variables_initializer())
                for _ in range(4):
                    sess.run(train)
                return sess.run(emb)
    got_v = sparse(shim, shim.Graph(), shim.Session)
    want_v = sparse(V1, tf.Graph(), V1.Session)
    assert got_v.dtype == want_v.dtype == np.float64 and np.array_equal(got_v, want_v)


def test_adagrad_da_needs_an_int64_global_step():
    def build(t):
        w = t.Variable([1.0, 2.0], name="w")
        step = t.Variable(0, name="step", trainable=False)  # int32
        t.train.AdagradDAOptimizer(0.1, step).minimize(t.reduce_sum(w * w), global_step=step)

    with tf.Graph().as_default():
        with pytest.raises(TypeError) as want:
            build(V1)
    with shim.Graph().as_default():
        with pytest.raises(TypeError) as got:
            build(shim)
    assert str(got.value) == str(want.value)
    assert "'global_step'" in str(got.value) and "int64" in str(got.value)


@pytest.mark.parametrize("which", ["gd", "rmsprop", "adadelta", "adagrad", "ftrl",
                                   "proximal_gd", "adagrad_da"])
def test_callable_learning_rate(which):
    """Graph mode: most optimizers call a callable learning rate; Ftrl, AdagradDA and the
    proximal ones convert it as it is, and fail as TF1 does."""
    ctor = {"gd": "GradientDescentOptimizer", "rmsprop": "RMSPropOptimizer",
            "adadelta": "AdadeltaOptimizer", "adagrad": "AdagradOptimizer",
            "ftrl": "FtrlOptimizer", "proximal_gd": "ProximalGradientDescentOptimizer",
            "adagrad_da": "AdagradDAOptimizer"}[which]

    def run(t, graph, session):
        with graph.as_default():
            w = t.Variable([1.0, -2.0], name="w")
            step = t.train.get_or_create_global_step()
            args = (lambda: 0.25,) + ((step,) if which == "adagrad_da" else ())
            try:
                train = getattr(t.train, ctor)(*args).minimize(t.reduce_sum(w * w))
            except (TypeError, ValueError) as e:
                return type(e)
            with session() as sess:
                sess.run(t.global_variables_initializer())
                sess.run(train)
                return sess.run(w).tolist()
    got = run(shim, shim.Graph(), shim.Session)
    want = run(V1, tf.Graph(), V1.Session)
    assert got == want
    if which in ("ftrl", "proximal_gd", "adagrad_da"):
        assert isinstance(got, type)


def test_sparse_kernel_runtime_check_same_error():
    """The sparse Ftrl kernel rejects a non-positive learning rate at run time, as in TF1."""
    def run(t, graph, session):
        with graph.as_default():
            emb = t.Variable(np.ones((3, 2), np.float32), name="emb")
            lr = t.placeholder(tf.float32, [])
            train = t.train.FtrlOptimizer(lr).minimize(t.reduce_sum(t.gather(emb, [0, 0, 2])))
            with session() as sess:
                sess.run(t.global_variables_initializer())
                with pytest.raises(tf.errors.InvalidArgumentError) as info:
                    sess.run(train, {lr: 0.0})
                return info.value.message.splitlines()[-2:]
    got = run(shim, shim.Graph(), shim.Session)
    want = run(V1, tf.Graph(), V1.Session)
    assert got[0] == want[0] == ("lr is not a positive scalar (or zero if "
                                 "multiply_linear_by_lr is set): []")
    assert got[1].split(" [Op:")[0] == want[1]


def test_readme_train_table_lists_every_tf1_name():
    """The README's tf.train table has one row per public name of tf.compat.v1.train, and its
    "provided" rows are exactly the names tftrain_compat.train resolves."""
    import re
    from pathlib import Path
    doc = Path(__file__).resolve().parents[1] / "README.md"
    rows = dict(re.findall(r"^\| `(\w+)` \| \w+ \| (provided|not provided)", doc.read_text(),
                           re.M))
    assert sorted(rows) == sorted(n for n in dir(V1.train) if not n.startswith("_"))
    for name, status in rows.items():
        assert hasattr(shim.train, name) == (status == "provided"), name


TENSOR_HYPER = {
    "momentum": lambda t, lr, s: t.train.MomentumOptimizer(lr, t.constant(0.8)),
    "adagrad": lambda t, lr, s: t.train.AdagradOptimizer(lr),
    "adagrad_da": lambda t, lr, s: t.train.AdagradDAOptimizer(
        lr, s, l1_regularization_strength=t.constant(0.01), l2_regularization_strength=0.1),
    "rmsprop": lambda t, lr, s: t.train.RMSPropOptimizer(lr, decay=t.constant(0.8),
                                                         momentum=t.constant(0.3)),
    "adadelta": lambda t, lr, s: t.train.AdadeltaOptimizer(lr, rho=t.constant(0.9)),
    # Ftrl compares its other hyperparameters with 0 in Python: tensors fail there, as in TF1.
    "ftrl": lambda t, lr, s: t.train.FtrlOptimizer(lr, learning_rate_power=-0.6,
                                                   l1_regularization_strength=0.01),
    "proximal_gd": lambda t, lr, s: t.train.ProximalGradientDescentOptimizer(
        lr, t.constant(0.01), t.constant(0.02)),
    "proximal_adagrad": lambda t, lr, s: t.train.ProximalAdagradOptimizer(
        lr, 0.3, t.constant(0.01), t.constant(0.02)),
}


@pytest.mark.parametrize("which", list(TENSOR_HYPER))
def test_tensor_hyperparameters_fed_learning_rate(which):
    """Hyperparameters given as tensors, the learning rate fed per step: bit-equal."""
    def run(t, graph, session):
        with graph.as_default():
            w, emb, loss = _model(t)
            step = t.train.get_or_create_global_step()
            lr = t.placeholder(tf.float32, [], name="lr")
            train = TENSOR_HYPER[which](t, lr, step).minimize(loss, global_step=step)
            with session() as sess:
                sess.run(t.global_variables_initializer())
                for k in range(4):
                    sess.run(train, {lr: 0.05 * (k + 1)})
                return sess.run([w, emb, step])
    for a, b in zip(run(shim, shim.Graph(), shim.Session), run(V1, tf.Graph(), V1.Session)):
        assert a.dtype == b.dtype and np.array_equal(a, b)
