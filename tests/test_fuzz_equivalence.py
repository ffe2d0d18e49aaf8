"""Differential fuzzer (issue 8): random small TF1 programs, run under tftrain_compat and under
tf.compat.v1 (in its own ``tf.Graph()``), must print the same numbers, bit for bit.

A program is drawn as a ``Program``: a dense or conv or embedding model with random activations
and dropout; a loss that sums 1-4 terms in random order (xent variants, ``l2_loss``, contrib's
L2/L1 regularizers, ``reduce_sum(abs(W))``, ``tf.losses.*``, ``tf.add_n``); any optimizer with
random hyperparameters and any decay; ``minimize`` or ``compute_gradients`` + clipping +
``apply_gradients``; a random fetch structure per step (train alone, train + loss, loss + lr +
train, dicts, nested); evaluations between steps; two sessions one after the other. Every fetched
value and every final variable must be ``np.array_equal`` with the same dtype.

CI runs the suite profile's examples (12); ``TFTRAIN_COMPAT_FUZZ_EXAMPLES=N`` runs N (and stops
at the first differing program); ``python tools/fuzz_count.py N --seed S`` counts how many of N
seeded programs are bit-equal. A failure found here is kept as a regression test below
(``test_regression_*``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import tensorflow as tf
from hypothesis import HealthCheck, given, settings, strategies as st

import tftrain_compat

V1 = tf.compat.v1
_EXAMPLES = int(os.environ.get("TFTRAIN_COMPAT_FUZZ_EXAMPLES", "0")) or None

OPTIMIZERS = ["gd", "momentum", "adam", "adagrad", "rmsprop", "adadelta", "ftrl", "proximal_gd"]
DECAYS = [None, "exponential", "inverse_time", "polynomial", "cosine", "linear_cosine",
          "piecewise_constant"]
TERMS = ["xent", "xent_v2", "sparse_xent", "sigmoid_xent", "losses_softmax", "losses_mse",
         "l2_loss", "l2_reg", "l1_reg", "abs_sum", "add_n"]
FETCHES = ["train", "train_loss", "loss_lr_train", "dict", "nested"]


@dataclass
class Program:
    model: str              # "dense" | "conv" | "embedding"
    hidden: int
    activation: str
    dropout: float | None   # keep_prob, or None
    terms: list             # loss terms in order
    coefs: list             # one coefficient per term
    optimizer: str
    hyper: dict
    lr: float
    decay: str | None
    grads: str              # "minimize" | "clip_norm" | "clip_global" | "clip_value"
    fetches: list           # per step
    evals: list             # per step: evaluate loss on the eval batch after it
    batch: int
    seed: int


@st.composite
def programs(draw) -> Program:
    opt = draw(st.sampled_from(OPTIMIZERS))
    hyper = {
        "gd": {}, "proximal_gd": {"l1_regularization_strength": draw(st.sampled_from([0.0, 0.01])),
                                  "l2_regularization_strength": draw(st.sampled_from([0.0, 0.02]))},
        "momentum": {"momentum": draw(st.sampled_from([0.5, 0.9])),
                     "use_nesterov": draw(st.booleans())},
        "adam": {"beta1": draw(st.sampled_from([0.9, 0.8])),
                 "beta2": draw(st.sampled_from([0.999, 0.99])),
                 "epsilon": draw(st.sampled_from([1e-8, 1e-3]))},
        "adagrad": {"initial_accumulator_value": draw(st.sampled_from([0.1, 0.5]))},
        "rmsprop": {"decay": 0.9, "momentum": draw(st.sampled_from([0.0, 0.5])),
                    "centered": draw(st.booleans())},
        "adadelta": {"rho": draw(st.sampled_from([0.95, 0.9]))},
        "ftrl": {"l1_regularization_strength": draw(st.sampled_from([0.0, 0.01]))},
    }[opt]
    n_terms = draw(st.integers(1, 4))
    steps = draw(st.integers(2, 5))
    return Program(
        model=draw(st.sampled_from(["dense", "conv", "embedding"])),
        hidden=draw(st.integers(2, 6)),
        activation=draw(st.sampled_from(["relu", "tanh", "sigmoid", "none"])),
        dropout=draw(st.sampled_from([None, 0.5, 0.8])),
        terms=draw(st.lists(st.sampled_from(TERMS), min_size=n_terms,
                                           max_size=n_terms)),
        coefs=draw(st.lists(st.sampled_from([1.0, 0.5, 0.01, 0.003]), min_size=n_terms,
                            max_size=n_terms)),
        optimizer=opt, hyper=hyper,
        lr=draw(st.sampled_from([0.1, 0.05, 0.3])),
        decay=draw(st.sampled_from(DECAYS)),
        grads=draw(st.sampled_from(["minimize", "clip_norm", "clip_global", "clip_value"])),
        fetches=draw(st.lists(st.sampled_from(FETCHES), min_size=steps, max_size=steps)),
        evals=draw(st.lists(st.booleans(), min_size=steps, max_size=steps)),
        batch=draw(st.integers(1, 6)),
        seed=draw(st.integers(0, 2**16)),
    )


N_IN, N_OUT, VOCAB = 8, 3, 10


def _data(p: Program):
    rng = np.random.RandomState(p.seed)
    steps = len(p.fetches) + 1
    xs = [rng.randn(p.batch, N_IN).astype(np.float32) for _ in range(steps)]
    ids = [rng.randint(0, VOCAB, (p.batch, 3)).astype(np.int32) for _ in range(steps)]
    labels = [rng.randint(0, N_OUT, p.batch).astype(np.int32) for _ in range(steps)]
    return xs, ids, labels


def _regularizers(t, is_shim):
    if is_shim:
        return (lambda s: t.contrib.layers.l2_regularizer(s),
                lambda s: t.contrib.layers.l1_regularizer(s))

    def l2(scale):  # contrib's final TF1 version: scale * l2_loss(w), scope "l2_regularizer"
        def fn(w):
            with V1.name_scope(None, "l2_regularizer", [w]) as name:
                return tf.multiply(tf.convert_to_tensor(scale, dtype=w.dtype.base_dtype,
                                                        name="scale"), tf.nn.l2_loss(w), name=name)
        return fn

    def l1(scale):  # scale * reduce_sum(abs(w)), scope "l1_regularizer"
        def fn(w):
            with V1.name_scope(None, "l1_regularizer", [w]) as name:
                c = tf.convert_to_tensor(scale, dtype=w.dtype.base_dtype, name="scale")
                return tf.multiply(c, tf.reduce_sum(tf.abs(w)), name=name)
        return fn
    return l2, l1


def _build(t, p: Program, is_shim: bool):
    l2_reg, l1_reg = _regularizers(t, is_shim)
    t.set_random_seed(p.seed % 1000)
    x = t.placeholder(tf.float32, [None, N_IN], name="x")
    ids = t.placeholder(tf.int32, [None, 3], name="ids")
    y = t.placeholder(tf.int32, [None], name="y")
    keep = t.placeholder_with_default(1.0, [], name="keep")
    onehot = t.one_hot(y, N_OUT)
    act = {"relu": t.nn.relu, "tanh": t.tanh, "sigmoid": t.sigmoid, "none": lambda v: v}[p.activation]
    if p.model == "dense":
        w1 = t.Variable(t.truncated_normal([N_IN, p.hidden], stddev=0.3), name="w1")
        h = act(t.matmul(x, w1) + t.Variable(t.zeros([p.hidden]), name="b1"))
    elif p.model == "conv":
        img = t.reshape(x, [-1, 2, 4, 1])
        w1 = t.Variable(t.truncated_normal([2, 2, 1, p.hidden], stddev=0.3), name="w1")
        conv = act(t.nn.conv2d(img, w1, strides=[1, 1, 1, 1], padding="SAME"))
        h = t.reshape(t.nn.max_pool(conv, [1, 2, 2, 1], [1, 2, 2, 1], "SAME"), [-1, 2 * p.hidden])
    else:
        w1 = t.Variable(t.random_uniform([VOCAB, p.hidden], -0.5, 0.5), name="emb")
        h = act(t.reduce_mean(t.nn.embedding_lookup(w1, ids), 1))
    if p.dropout is not None:
        h = t.nn.dropout(h, keep)
    n_h = int(h.get_shape()[1])
    w2 = t.Variable(t.random_normal([n_h, N_OUT], stddev=0.3), name="w2")
    logits = t.matmul(h, w2)
    terms = []
    for term, c in zip(p.terms, p.coefs):
        if term == "xent":
            v = t.reduce_mean(t.nn.softmax_cross_entropy_with_logits(labels=onehot, logits=logits))
        elif term == "xent_v2":
            v = t.reduce_mean(t.nn.softmax_cross_entropy_with_logits_v2(labels=onehot,
                                                                        logits=logits))
        elif term == "sparse_xent":
            v = t.reduce_mean(t.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                            logits=logits))
        elif term == "sigmoid_xent":
            v = t.reduce_mean(t.nn.sigmoid_cross_entropy_with_logits(labels=onehot, logits=logits))
        elif term == "losses_softmax":
            v = t.losses.softmax_cross_entropy(onehot, logits)
        elif term == "losses_mse":
            v = t.losses.mean_squared_error(onehot, t.nn.softmax(logits))
        elif term == "l2_loss":
            v = t.nn.l2_loss(w2)
        elif term == "l2_reg":
            v = l2_reg(0.005)(w1)
        elif term == "l1_reg":
            v = l1_reg(0.002)(w2)
        elif term == "abs_sum":
            v = t.reduce_sum(t.abs(w1))
        else:
            v = t.add_n([t.nn.l2_loss(w1), t.nn.l2_loss(w2)])
        terms.append(v if c == 1.0 else c * v)
    loss = terms[0]
    for v in terms[1:]:
        loss = loss + v
    step = t.train.get_or_create_global_step()
    lr = p.lr
    if p.decay == "exponential":
        lr = t.train.exponential_decay(p.lr, step, 3, 0.7)
    elif p.decay == "inverse_time":
        lr = t.train.inverse_time_decay(p.lr, step, 2, 0.5, staircase=True)
    elif p.decay == "polynomial":
        lr = t.train.polynomial_decay(p.lr, step, 4, end_learning_rate=0.01, power=0.5)
    elif p.decay == "cosine":
        lr = t.train.cosine_decay(p.lr, step, 6)
    elif p.decay == "linear_cosine":
        lr = t.train.linear_cosine_decay(p.lr, step, 6)
    elif p.decay == "piecewise_constant":
        lr = t.train.piecewise_constant(step, [2, 4], [p.lr, p.lr / 2, p.lr / 4])
    opt = {
        "gd": t.train.GradientDescentOptimizer, "momentum": t.train.MomentumOptimizer,
        "adam": t.train.AdamOptimizer, "adagrad": t.train.AdagradOptimizer,
        "rmsprop": t.train.RMSPropOptimizer, "adadelta": t.train.AdadeltaOptimizer,
        "ftrl": t.train.FtrlOptimizer, "proximal_gd": t.train.ProximalGradientDescentOptimizer,
    }[p.optimizer](lr, **p.hyper)
    if p.grads == "minimize":
        train = opt.minimize(loss, global_step=step)
    else:
        gvs = [(g, v) for g, v in opt.compute_gradients(loss) if g is not None]
        if p.grads == "clip_norm":
            gvs = [(t.clip_by_norm(g, 1.0), v) for g, v in gvs]
        elif p.grads == "clip_value":
            gvs = [(t.clip_by_value(g, -0.1, 0.1), v) for g, v in gvs]
        else:
            clipped, _ = t.clip_by_global_norm([g for g, _ in gvs], 1.0)
            gvs = list(zip(clipped, [v for _, v in gvs]))
        train = opt.apply_gradients(gvs, global_step=step)
    lr_t = lr if not isinstance(lr, float) else t.constant(lr)
    return dict(x=x, ids=ids, y=y, keep=keep, loss=loss, lr=lr_t, train=train, step=step)


def _fetch(kind: str, m: dict):
    return {"train": m["train"], "train_loss": [m["train"], m["loss"]],
            "loss_lr_train": [m["loss"], m["lr"], m["train"]],
            # not the global step: fetched with the train op that increments it, its value was
            # a race in TF1 too (the read may run before or after the increment)
            "dict": {"l": m["loss"], "t": m["train"], "r": m["lr"]},
            "nested": [m["train"], (m["loss"], [m["lr"]])]}[kind]


def run_program(t, graph, p: Program, is_shim: bool) -> list:
    xs, ids, labels = _data(p)
    out = []
    with graph.as_default():
        m = _build(t, p, is_shim)
        variables = t.global_variables()
        for _session in range(2):
            with t.Session() as sess:
                sess.run(t.global_variables_initializer())
                for i, kind in enumerate(p.fetches):
                    feed = {m["x"]: xs[i], m["ids"]: ids[i], m["y"]: labels[i]}
                    if p.dropout is not None:
                        feed[m["keep"]] = p.dropout
                    out.append(sess.run(_fetch(kind, m), feed))
                    if p.evals[i]:
                        out.append(sess.run(m["loss"], {m["x"]: xs[-1], m["ids"]: ids[-1],
                                                        m["y"]: labels[-1]}))
                out.append(sess.run(variables))
    return out


def assert_same_program(p: Program) -> None:
    want = run_program(V1, tf.Graph(), p, is_shim=False)
    got = run_program(tftrain_compat, tftrain_compat.Graph(), p, is_shim=True)
    flat_w, flat_g = tf.nest.flatten(want), tf.nest.flatten(got)
    assert len(flat_w) == len(flat_g)
    for i, (g, w) in enumerate(zip(flat_g, flat_w)):
        if w is None:
            assert g is None
            continue
        g, w = np.asarray(g), np.asarray(w)
        assert g.dtype == w.dtype, (i, g.dtype, w.dtype)
        assert np.array_equal(g, w), (i, g, w)


# The suite's run is derandomized (the same 12 programs everywhere, as under CI=true); a long
# run (TFTRAIN_COMPAT_FUZZ_EXAMPLES=N) draws new programs.
@settings(**({"max_examples": _EXAMPLES} if _EXAMPLES else {"derandomize": True}), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(programs())
def test_random_programs_are_bit_equal_to_tf1(p: Program):
    assert_same_program(p)


# ----- regressions: divergences the fuzzer (and users) found -----------------------------------
def _program(**kw) -> Program:
    base = dict(model="dense", hidden=4, activation="relu", dropout=None, terms=["xent"],
                coefs=[1.0], optimizer="gd", hyper={}, lr=0.1, decay=None, grads="minimize",
                fetches=["train_loss"] * 4, evals=[False] * 4, batch=5, seed=11)
    base.update(kw)
    return Program(**base)


def test_regression_summed_loss_fetched_with_train():
    """``xent + 0.01 * reduce_sum(abs(W)) + l2_regularizer(W)`` fetched with the train op: the
    function's Grappler rewrote the fetched sum into AddN (another summation order); a Session
    keeps fetched nodes as they are (fixed: fetched nodes are the function's control outputs)."""
    assert_same_program(_program(terms=["xent", "abs_sum", "l2_reg"], coefs=[1.0, 0.01, 1.0],
                                 optimizer="adam", hyper={"beta1": 0.9, "beta2": 0.999,
                                                          "epsilon": 1e-8},
                                 fetches=["train_loss"] * 8, evals=[True, False] * 4))


def test_regression_cosine_decays_fetched_with_another_op():
    for decay in ("cosine", "linear_cosine"):
        for opt, hyper in (("gd", {}), ("adam", {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8})):
            assert_same_program(_program(decay=decay, optimizer=opt, hyper=hyper,
                                         terms=["xent", "l2_loss"], coefs=[1.0, 0.01],
                                         fetches=["loss_lr_train", "dict", "nested"] * 3,
                                         evals=[False, True, False] * 3))


def test_regression_four_term_loss_with_shared_cross_entropy():
    """Four terms, two of them the same cross-entropy (``xent_v2`` and ``xent``): the function
    grouped the unfetched ``(a + b) + c`` into AddN (another summation order, one ulp). A
    Session's Grappler treats fed tensors' shapes as unknown (fixed: the function's feed
    arguments have unknown shapes too, so the shape-dependent rewrites see what a Session sees)."""
    assert_same_program(_program(
        model="conv", hidden=6, activation="tanh", dropout=0.5,
        terms=["losses_softmax", "xent_v2", "losses_mse", "xent"],
        coefs=[0.01, 0.003, 0.5, 0.003], optimizer="gd", lr=0.3, decay="inverse_time",
        fetches=["train_loss", "loss_lr_train", "train", "nested", "dict"],
        evals=[False, True, True, True, True], batch=2, seed=630))


def test_regression_repeated_cross_entropies_with_adadelta():
    """The same cross-entropy three times (``xent_v2``, ``xent``, ``xent``) beside a sigmoid
    one, Adadelta, clipped gradients: Grappler's common-subexpression elimination keeps one of
    the equal nodes by its place in the graph, and the later rewrites depend on which; with the
    shim's hand-written cross-entropies (other scope names and helper nodes) the Adadelta slots
    differed in the last bits after four steps (fixed: TF's own TF1 builders, TF1's graph node
    for node)."""
    assert_same_program(_program(
        model="embedding", hidden=5, activation="relu", dropout=0.5,
        terms=["xent_v2", "sigmoid_xent", "xent", "xent"], coefs=[0.5, 0.003, 1.0, 1.0],
        optimizer="adadelta", hyper={"rho": 0.95}, lr=0.1, decay="piecewise_constant",
        grads="clip_norm", fetches=["train", "loss_lr_train", "train", "train"],
        evals=[True, False, False, True], batch=2, seed=0))
