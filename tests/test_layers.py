"""tf.layers against the oracle (tf.compat.v1 with tf-keras' legacy layers, one subprocess for
this module, see support.py and layers_oracle.py): variable names, shapes, initial values,
forward outputs, gradients and training steps, all bitwise (np.array_equal), for fixed TF1
quirks and for random shapes and options (hypothesis)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import layers_oracle as lo
from support import assert_bitwise_equal


def check_batch(oracle, cases) -> None:
    ref = oracle.run("layers_oracle:run_cases", cases)
    ours = lo.run_shim(cases)
    trained = 0
    for (builder, params, _), mine, theirs in zip(cases, ours, ref):
        assert "error" not in theirs, (builder, params, theirs)
        assert "error" not in mine, (builder, params, mine)
        assert_bitwise_equal(mine, theirs, f"{builder}{params}")
        trained += any(not np.array_equal(a, b) for a, b in zip(mine["init"], mine["final"]))
    # the comparison is not vacuous: the batch computed nonzero outputs (a single case may
    # legitimately be all zero, e.g. a dead ReLU, or train nothing)
    assert any(np.any(v != 0) for r in ours for v in r["fwd"].values())


_R = np.random.RandomState(1234)


def _arr(*shape) -> np.ndarray:
    return _R.randn(*shape).astype(np.float32)


FIXED = [
    # naming, reuse, variable_scope initializer, UPDATE_OPS of functional batch norm
    ("naming", {}, {"x": _arr(3, 4)}),
    # kernel/bias/activity regularizers, reuse adds no second loss
    ("regularizers", {}, {"x": _arr(3, 8)}),
    # TF1's default kernel initializer = get_variable's glorot_uniform (graph-seeded)
    ("default_init", dict(units=3), {"x": _arr(3, 4)}),
    ("dense", dict(act="tanh", bias=False, init="normal", cls=True, units=2, reg=True),
     {"x": _arr(3, 2, 5)}),
    ("conv", dict(rank=1, filters=3, kernel=2, strides=1, padding="causal", dilation=2,
                  act="none", bias=True, init="glorot"), {"x": _arr(2, 7, 2)}),
    ("conv", dict(rank=2, filters=2, kernel=3, strides=1, padding="same", dilation=1,
                  act="relu", bias=True, init="glorot", df="channels_first"),
     {"x": _arr(2, 3, 5, 5)}),
    ("pool", dict(max=True, rank=2, cls=True, pool=2, strides=1, padding="valid",
                  df="channels_first"), {"x": _arr(2, 3, 4, 4)}),
    ("flatten", dict(batch_none=False, df="channels_first"), {"x": _arr(2, 3, 2, 2)}),
    # dropout: training placeholder alternating True/False; seeded class reused twice
    ("dropout", dict(units=5, training="ph", cls=False, rate=0.3, seed=None),
     {"x": _arr(4, 3)}),
    ("dropout", dict(units=5, training="ph", cls=True, rate=0.6, seed=3, noise=[None, 1]),
     {"x": _arr(4, 3)}),
    ("dropout", dict(units=5, training=True, cls=True, rate=0.5, seed=5), {"x": _arr(4, 3)}),
    ("dropout", dict(units=5, training=False, cls=False, rate=0.5, seed=None),
     {"x": _arr(4, 3)}),
    # batch norm: fused 4-D (unbiased moving variance), rank 2 and fused=False (biased),
    # training True / False / placeholder, NCHW, no center/scale, regularized gamma
    ("bn", dict(training=True, axis=-1, momentum=0.9, eps=1e-3, center=True, scale=True,
                fused=None, cls=True, gamma_reg=True), {"x": _arr(4, 3, 3, 2)}),
    ("bn", dict(training="ph", axis=-1, momentum=0.9, eps=1e-3, center=True, scale=True,
                fused=None, cls=False), {"x": _arr(4, 3, 3, 2)}),
    ("bn", dict(training="ph", axis=-1, momentum=0.99, eps=1e-3, center=True, scale=True,
                fused=None, cls=True), {"x": _arr(6, 3)}),
    ("bn", dict(training=True, axis=1, momentum=0.9, eps=1e-6, center=False, scale=False,
                fused=None, cls=False), {"x": _arr(3, 2, 3, 3)}),
    ("bn", dict(training="ph", axis=-1, momentum=0.9, eps=1e-3, center=False, scale=True,
                fused=False, cls=True), {"x": _arr(4, 3, 3, 2)}),
    ("bn", dict(training=False, axis=-1, momentum=0.9, eps=1e-3, center=True, scale=True,
                fused=None, cls=True), {"x": _arr(4, 3, 3, 2)}),
    ("bn", dict(training=True, axis=2, momentum=0.8, eps=1e-3, center=True, scale=True,
                fused=None, cls=False), {"x": _arr(3, 2, 4, 2)}),
    ("bn", dict(training=True, axis=-1, momentum=0.9, eps=1e-3, center=True, scale=True,
                fused=None, cls=False), {"x": _arr(2, 2, 2, 2, 3)}),
    # a graph-seeded kernel after dropout(training=placeholder): its op seed counts the
    # cond's TF 1.x nodes (Switch/Merge in the graph), as TF 1.x did
    ("dropout", dict(units=5, training="ph", cls=False, rate=0.3, seed=None, then_dense=4),
     {"x": _arr(4, 3)}),
]


# Errors a case may raise in TF1 itself on some CPUs (see test_fixed_cases_match_oracle).
_MACHINE_ERRORS = ("UnimplementedError", "InvalidArgumentError")


@pytest.fixture(scope="module")
def fixed_results(legacy_oracle):
    return legacy_oracle.run("layers_oracle:run_cases", FIXED), lo.run_shim(FIXED)


@pytest.mark.parametrize("index", range(len(FIXED)),
                         ids=[f"{b}-{i}" for i, (b, _, _) in enumerate(FIXED)])
def test_fixed_cases_match_oracle(fixed_results, index):
    ref, ours = fixed_results
    builder, params, _ = FIXED[index]
    if "error" in ref[index] and ref[index]["error"] in _MACHINE_ERRORS:
        # TF1 itself cannot run this case on this CPU: channels_first convolutions and pools
        # need TF's oneDNN kernels, which TF turns on only for some x86 CPUs (measured on an
        # AMD EPYC without AVX-512: UnimplementedError for Conv2D, InvalidArgumentError for
        # MaxPool). The shim must then fail as TF1 does, with the same error class.
        assert ours[index].get("error") == ref[index]["error"], (ours[index], ref[index])
        return
    assert "error" not in ref[index], ref[index]
    assert "error" not in ours[index], ours[index]
    assert_bitwise_equal(ours[index], ref[index], builder)


def test_fixed_cases_are_not_vacuous(fixed_results):
    """TF1 facts the oracle shows, asserted explicitly so the comparison above has teeth."""
    ref, ours = fixed_results
    naming = ours[0]["info"]
    assert naming["layer_names"] == ["dense_3", "named"]  # 1-based, per graph
    assert naming["scopes"] == ["outer/dense", "named"]
    assert "fc/kernel:0" in naming["global"] and "dense_1/kernel:0" in naming["global"]
    assert "batch_normalization/moving_mean:0" in naming["global"]
    assert "batch_normalization/moving_mean:0" not in naming["trainable"]
    assert naming["n_updates"] == 4
    regs = ours[1]["info"]["reg_names"]
    assert regs[0] == "dense/kernel/Regularizer/l2:0"
    assert any("ActivityRegularizer" in r for r in regs)
    assert len([r for r in regs if r.startswith("d2/")]) == 1  # reuse adds no loss
    # fused 4-D training: the moving variance moves towards the UNBIASED batch variance;
    # rank 2 (not fused) towards the biased one. 4 (resp. 3) updates from the same batch:
    # v = s + (1 - s) * (1 - decay)**k, checked to float32 rounding.
    x4 = FIXED[12][2]["x"].reshape(-1, 2).astype(np.float64)
    s4 = x4.var(axis=0, ddof=1)
    assert np.allclose(ours[12]["final"][3], s4 + (1 - s4) * 0.9 ** 4, rtol=1e-5, atol=1e-6)
    assert not np.allclose(ours[12]["final"][3], x4.var(axis=0) + (1 - x4.var(axis=0)) *
                           0.9 ** 4, rtol=1e-5, atol=1e-6)
    x2 = FIXED[14][2]["x"].astype(np.float64)
    s2 = x2.var(axis=0)
    assert np.allclose(ours[14]["final"][3], s2 + (1 - s2) * 0.99 ** 3, rtol=1e-5, atol=1e-6)
    # dropout with a placeholder dropped something on training steps
    fwd = ours[8]["fwd"]["y"]
    assert (fwd == 0).any()


def test_layer_errors_match_oracle(legacy_oracle):
    """Bad inputs raise TF1's error classes and texts (the oracle's)."""
    cases = [("errors", dict(kind=k), {"x": _arr(2, 3)}) for k in
             ("dense_unknown", "name_clash", "bn_axis", "conv_rank")]
    ref = legacy_oracle.run("layers_oracle:run_cases", cases)
    ours = lo.run_shim(cases)
    for (_, p, _), mine, theirs in zip(cases, ours, ref):
        assert "error" in theirs, (p, theirs)
        assert mine.get("error") == theirs["error"], (p, mine, theirs)
        if p["kind"] in ("dense_unknown", "name_clash"):
            assert mine["message"] == theirs["message"]


# ----- hypothesis: random shapes and options, many cases per oracle subprocess -----------------
_inits = st.sampled_from(["glorot", "normal", "uniform"])
_acts = st.sampled_from(["relu", "tanh", "none"])


@st.composite
def _dense(draw):
    rank = draw(st.integers(2, 3))
    shape = [draw(st.integers(1, 4)) for _ in range(rank)]
    p = dict(act=draw(_acts), bias=draw(st.booleans()), init=draw(_inits),
             cls=draw(st.booleans()), units=draw(st.integers(1, 4)), reg=draw(st.booleans()),
             seed_graph=draw(st.integers(0, 2**20)))
    return ("dense", p, shape)


@st.composite
def _conv(draw):
    rank = draw(st.integers(1, 3))
    k = draw(st.integers(1, 3))
    padding = draw(st.sampled_from(["valid", "same"] + (["causal"] if rank == 1 else [])))
    strides = draw(st.integers(1, 2))
    dilation = 1 if strides > 1 else draw(st.integers(1, 2))
    size = draw(st.integers(k * dilation, max(k * dilation, 6 if rank < 3 else 4)))
    shape = [draw(st.integers(1, 3))] + [size] * rank + [draw(st.integers(1, 3))]
    p = dict(rank=rank, filters=draw(st.integers(1, 3)), kernel=k, strides=strides,
             padding=padding, dilation=dilation, act=draw(_acts), bias=draw(st.booleans()),
             init=draw(_inits), seed_graph=draw(st.integers(0, 2**20)))
    return ("conv", p, shape)


@st.composite
def _conv_t(draw):
    shape = [draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 4)),
             draw(st.integers(1, 3))]
    p = dict(filters=draw(st.integers(1, 3)), kernel=draw(st.integers(1, 3)),
             strides=draw(st.integers(1, 2)), padding=draw(st.sampled_from(["valid", "same"])),
             act=draw(_acts), bias=draw(st.booleans()), init=draw(_inits),
             seed_graph=draw(st.integers(0, 2**20)))
    return ("conv_t", p, shape)


@st.composite
def _sep(draw):
    k = draw(st.integers(1, 3))
    strides = draw(st.integers(1, 2))
    dilation = 1 if strides > 1 else draw(st.integers(1, 2))
    size = draw(st.integers(k * dilation, 6))
    shape = [draw(st.integers(1, 3)), size, size, draw(st.integers(1, 3))]
    p = dict(filters=draw(st.integers(1, 3)), kernel=k, strides=strides,
             padding=draw(st.sampled_from(["valid", "same"])), dilation=dilation,
             dm=draw(st.integers(1, 2)), act=draw(_acts), init=draw(_inits),
             seed_graph=draw(st.integers(0, 2**20)))
    return ("sep", p, shape)


@st.composite
def _pool(draw):
    rank = draw(st.integers(1, 3))
    pool = draw(st.integers(1, 3))
    size = draw(st.integers(pool, 5))
    shape = [draw(st.integers(1, 3))] + [size] * rank + [draw(st.integers(1, 3))]
    p = dict(max=draw(st.booleans()), rank=rank, cls=draw(st.booleans()), pool=pool,
             strides=draw(st.integers(1, 2)), padding=draw(st.sampled_from(["valid", "same"])))
    return ("pool", p, shape)


@st.composite
def _flatten(draw):
    shape = [draw(st.integers(1, 3)) for _ in range(draw(st.integers(2, 4)))]
    return ("flatten", dict(batch_none=draw(st.booleans())), shape)


@st.composite
def _dropout(draw):
    shape = [draw(st.integers(1, 5)), draw(st.integers(1, 4))]
    noise = draw(st.sampled_from([None, [None, 1], [1, None]]))
    p = dict(units=draw(st.integers(1, 6)), training=draw(st.sampled_from(["ph", True, False])),
             cls=draw(st.booleans()), rate=draw(st.sampled_from([0.0, 0.1, 0.5, 0.75])),
             seed=draw(st.sampled_from([None, 0, 17])), noise=noise,
             seed_graph=draw(st.integers(0, 2**20)))
    return ("dropout", p, shape)


@st.composite
def _bn(draw):
    rank = draw(st.sampled_from([2, 4, 4, 5]))
    shape = [draw(st.integers(2, 4))] + [draw(st.integers(1, 3)) for _ in range(rank - 1)]
    axis = draw(st.sampled_from([-1, 1] if rank > 2 else [-1]))
    p = dict(training=draw(st.sampled_from(["ph", True, False])), axis=axis,
             momentum=draw(st.sampled_from([0.9, 0.99, 0.5])),
             eps=draw(st.sampled_from([1e-3, 1e-6, 0.1])), center=draw(st.booleans()),
             scale=draw(st.booleans()), fused=draw(st.sampled_from([None, True, False])),
             cls=draw(st.booleans()), steps=3)
    return ("bn", p, shape)


_any_case = st.one_of(_dense(), _conv(), _conv_t(), _sep(), _pool(), _flatten(), _dropout(),
                      _bn())


# Each example is a batch of 16 cases in one oracle round trip; shrinking (a round trip per
# try) is off so a failure reports the whole failing batch instead of minutes of retries.
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(st.lists(_any_case, min_size=16, max_size=16), st.integers(0, 2**31 - 1))
def test_random_layers_match_oracle(legacy_oracle, cases, data_seed):
    rng = np.random.RandomState(data_seed)
    batch = [(b, p, {"x": rng.randn(*shape).astype(np.float32)}) for b, p, shape in cases]
    check_batch(legacy_oracle, batch)
