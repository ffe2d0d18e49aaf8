"""tf.nn.rnn_cell / tf.contrib.rnn cells and tf.nn.dynamic_rnn / static_rnn / bidirectional,
against tf.compat.v1 with tf-keras' legacy cells (the oracle: one subprocess for this module,
see support.py and rnn_oracle.py), bitwise: variable names, shapes and initial values, forward
outputs and final states, gradients, and training steps. Every program is ``rnn_programs.rnn_program``, run
by both.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import tftrain_compat as tf
from rnn_oracle import run_oracle, run_shim
from support import OracleError, assert_bitwise_equal

PROGRAM = "rnn_programs:rnn_program"


def _compare(legacy_oracle, case):
    assert_bitwise_equal(run_shim(PROGRAM, case), run_oracle(legacy_oracle, PROGRAM, case))


# ----- strategies ----------------------------------------------------------------------------
units = st.integers(1, 4)


@st.composite
def plain_cells(draw, units=units):
    kind = draw(st.sampled_from(["basic_rnn", "basic_lstm", "lstm", "gru"]))
    spec = {"kind": kind, "units": draw(units)}
    if kind == "basic_rnn":
        spec["activation"] = draw(st.sampled_from([None, "relu", "sigmoid"]))
    if kind in ("basic_lstm", "lstm"):
        spec["forget_bias"] = draw(st.sampled_from([1.0, 0.0, 0.5]))
        spec["state_is_tuple"] = draw(st.booleans())
    if kind == "lstm":
        spec["use_peepholes"] = draw(st.booleans())
        spec["cell_clip"] = draw(st.sampled_from([None, 0.5]))
        spec["num_proj"] = draw(st.sampled_from([None, 2]))
        if spec["num_proj"]:
            spec["proj_clip"] = draw(st.sampled_from([None, 0.3]))
        spec["initializer"] = draw(st.sampled_from([None, "uniform"]))
        spec["init_seed"] = draw(st.sampled_from([None, 7]))
    if kind == "gru":
        spec["initializer"] = draw(st.sampled_from([None, "uniform"]))
        spec["bias"] = draw(st.sampled_from([None, 0.25]))
    return spec


@st.composite
def cases(draw, cell=plain_cells(), modes=("dynamic", "static", "bidi_dynamic", "bidi_static",
                                           "cell")):
    mode = draw(st.sampled_from(modes))
    batch = draw(st.integers(1, 3))
    time = draw(st.integers(1, 4))
    case = {
        "cell": draw(cell), "mode": mode, "batch": batch, "time": time,
        "depth": draw(st.integers(1, 3)), "steps": draw(st.integers(1, 3)),
        "seed": draw(st.integers(1, 2**16)), "data_seed": draw(st.integers(0, 2**16)),
        "time_major": draw(st.booleans()), "lr": 0.3,
    }
    if mode != "cell":
        case["seq_len"] = draw(st.one_of(st.none(), st.lists(st.integers(0, time), min_size=batch,
                                                             max_size=batch)))
    if mode in ("dynamic", "bidi_dynamic"):
        case["parallel_iterations"] = draw(st.sampled_from([None, 1, 4]))
    if mode in ("bidi_dynamic", "bidi_static"):
        case["cell_bw"] = draw(plain_cells())
    if mode in ("dynamic", "static", "cell"):
        case["initial_state"] = draw(st.booleans())
    if mode != "cell":
        case["unknown_batch"] = draw(st.booleans()) and not case.get("initial_state")
    return case


# No shrinking: each example costs an oracle round trip; the failing case is printed whole.
SETTINGS = settings(deadline=None, suppress_health_check=list(HealthCheck),
                    phases=[Phase.explicit, Phase.reuse, Phase.generate])


@SETTINGS
@given(case=cases())
def test_cells_and_rnns_bitwise_equal_tf1(legacy_oracle, case):
    _compare(legacy_oracle, case)


@st.composite
def wrapped_cells(draw):
    """MultiRNNCell stacks and the wrappers around plain cells."""
    kind = draw(st.sampled_from(["multi", "dropout", "residual", "device"]))
    if kind == "multi":
        cells = draw(st.lists(plain_cells(), min_size=1, max_size=3))
        tuple_state = draw(st.booleans())
        if not tuple_state:  # state_is_tuple=False needs cells with flat states
            cells = [dict(c, state_is_tuple=False) if "state_is_tuple" in c else c for c in cells]
        return {"kind": "multi", "cells": cells, "state_is_tuple": tuple_state}
    if kind == "residual":  # inputs + outputs: the cell's output width is the input depth
        return {"kind": "residual", "cell": dict(draw(plain_cells(units=st.just(3))),
                                                 num_proj=None)}
    inner = draw(plain_cells())
    if kind == "device":
        return {"kind": "device", "cell": inner}
    probs = st.sampled_from([1.0, 0.5, 0.8])
    spec = {"kind": "dropout", "cell": inner, "input_keep_prob": draw(probs),
            "output_keep_prob": draw(probs), "state_keep_prob": draw(probs),
            "seed": draw(st.sampled_from([None, 3, 1234])), "fed": draw(st.booleans())}
    if draw(st.booleans()):
        spec["variational_recurrent"] = True
        spec["input_size"] = 3
    return spec


@SETTINGS
@given(case=cases(cell=wrapped_cells()))
def test_stacked_and_wrapped_cells_bitwise_equal_tf1(legacy_oracle, case):
    case["depth"] = 3  # the residual and variational input size
    if case["cell"]["kind"] == "dropout":
        # TF1 draws dropout masks in a nondeterministic order with parallel_iterations > 1.
        case["parallel_iterations"] = 1
    if case["mode"].startswith("bidi"):
        case["cell_bw"] = case["cell"]
    _compare(legacy_oracle, case)


# ----- dropout inside the loop body, over several Session.run calls --------------------------
DROPOUT = "rnn_programs:dropout_runs_program"
DROPOUT_CASE = dict(batch=2, time=3, depth=2, seed=5, data_seed=1, runs=3)


@pytest.mark.parametrize("wrapper_seed", [None, 11])
def test_dropout_in_static_rnn_matches_tf1_over_runs(legacy_oracle, wrapper_seed):
    """Unrolled, the dropout ops are top-level random ops: each keeps one stream per Session
    (the lowering's Philox state), so every run and training step draws TF1's masks."""
    case = dict(DROPOUT_CASE, mode="static", wrapper_seed=wrapper_seed)
    assert_bitwise_equal(run_shim(DROPOUT, case), run_oracle(legacy_oracle, DROPOUT, case))


@pytest.mark.parametrize("wrapper_seed", [None, 11])
def test_dropout_in_dynamic_rnn_matches_tf1_over_runs(legacy_oracle, wrapper_seed):
    """In dynamic_rnn the dropout ops live in the while body (a TF 1.x loop frame, as TF1 built
    it): each keeps one stream per Session like a top-level random op, so every run and
    training step, whatever is fetched, draws TF1's masks (before: only the first run did)."""
    case = dict(DROPOUT_CASE, mode="dynamic", wrapper_seed=wrapper_seed)
    assert_bitwise_equal(run_shim(DROPOUT, case), run_oracle(legacy_oracle, DROPOUT, case))


# ----- default initializers ------------------------------------------------------------------
@pytest.mark.parametrize("cell", [
    {"kind": "basic_lstm", "units": 3}, {"kind": "gru", "units": 2},
    {"kind": "basic_rnn", "units": 4},
    {"kind": "multi", "cells": [{"kind": "lstm", "units": 2, "use_peepholes": True,
                                 "num_proj": 2}, {"kind": "gru", "units": 3}]},
], ids=["basic_lstm", "gru", "basic_rnn", "multi_lstm_gru"])
def test_default_kernel_initializer_is_tf1_glorot_uniform(legacy_oracle, cell):
    """TF1's cells left the kernel's initializer to get_variable: glorot_uniform, seeded from the
    graph. (tf-keras 2.21's legacy cells instead draw the seed from Python's `random`, so the
    reference is TF1's own rule, run by tf.compat.v1: glorot_uniform_initializer for each
    kernel and diagonal, zeros/ones for the biases, in creation order.)"""
    case = {"cell": cell, "depth": 3, "seed": 42}
    shim = run_shim("rnn_programs:default_init_program", case)
    spec = []
    for name, value in shim.items():
        last = name.split("/")[-1].split(":")[0]
        init = ("ones" if "gates/bias" in name else "zeros" if last == "bias" else "glorot")
        spec.append((name, list(value.shape), init))
    ref = run_oracle(legacy_oracle, "rnn_programs:glorot_reference_program",
                     {"seed": 42, "variables": spec})
    assert_bitwise_equal(shim, ref)


# ----- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize("what", [
    "no_dtype", "rank3_cell_input", "empty_multi", "keep_prob_range", "variational_no_dtype",
    "variational_no_input_size", "not_a_cell", "static_not_a_list", "static_empty",
    "int_inputs", "seq_len_rank2", "multi_flat_with_tuple_states", "unknown_depth"])
def test_errors_are_tf1s(legacy_oracle, what):
    """Same exception class as TF1 and TF1's text (object addresses and tensor names aside)."""
    with pytest.raises(OracleError) as tf1:
        run_oracle(legacy_oracle, "rnn_programs:error_program", {"what": what})
    with pytest.raises(Exception) as shim:
        run_shim("rnn_programs:error_program", {"what": what})
    assert type(shim.value).__name__ == tf1.value.type_name
    assert _normalized(str(shim.value)) == _normalized(tf1.value.message)


def _normalized(text: str) -> str:
    import re
    text = re.sub(r" at 0x[0-9a-f]+", "", text)
    # A layer's display name: tf-keras 2.21 numbers even the first legacy cell of a graph
    # (basic_lstm_cell_1); TF1 named it basic_lstm_cell, as the shim does. Variable scope
    # names are not affected (they come from the base name; compared bitwise above).
    text = re.sub(r'layer "([a-z_]+?)(_\d+)?"', r'layer "\1"', text)
    return re.sub(r'Tensor\("[^"]*"', 'Tensor(', text)


# ----- public surface ----------------------------------------------------------------------
def test_tf1_signatures_and_defaults_kept(legacy_oracle):
    """Every cell's constructor/__call__/zero_state and every rnn function: TF1's parameters
    and defaults (forget_bias=1.0, state_is_tuple=True, parallel_iterations=None, ...)."""
    program = "rnn_programs:signatures_program"
    assert_bitwise_equal(run_shim(program, {}), run_oracle(legacy_oracle, program, {}))


def test_contrib_rnn_is_the_same_classes():
    from rnn_programs import CELL_NAMES
    for name in CELL_NAMES + ["LSTMStateTuple"]:
        assert getattr(tf.contrib.rnn, name) is getattr(tf.nn.rnn_cell, name)
    assert tf.contrib.rnn.static_rnn is tf.nn.static_rnn
    assert tf.contrib.rnn.static_bidirectional_rnn is tf.nn.static_bidirectional_rnn
    assert sorted(tf.nn.rnn_cell.__all__) == sorted(CELL_NAMES + ["LSTMStateTuple"])


@pytest.mark.parametrize("name, replacement", [
    ("tf.contrib.rnn.LayerNormBasicLSTMCell", "tf.keras.layers.LayerNormalization"),
    ("tf.contrib.rnn.LSTMBlockCell", "tf.keras.layers.LSTM"),
    ("tf.nn.raw_rnn", "tf.while_loop"),
    ("tf.nn.static_state_saving_rnn", "tf.nn.static_rnn"),
])
def test_names_not_provided_raise_with_replacement(name, replacement):
    from tftrain_compat import cli
    obj = tf
    parts = name.split(".")[1:]
    with pytest.raises(AttributeError, match="does not provide") as err:
        for part in parts:
            obj = getattr(obj, part)
    assert replacement in str(err.value)
    assert cli.resolve(name)[0] == cli.UNSUPPORTED


def test_unknown_names_in_rnn_namespaces_raise_the_not_provided_error():
    with pytest.raises(AttributeError, match="not provided by tftrain_compat"):
        tf.nn.rnn_cell.NoSuchCell  # noqa: B018
    with pytest.raises(AttributeError, match="not provided by tftrain_compat"):
        tf.contrib.rnn.NoSuchCell  # noqa: B018


@pytest.mark.parametrize("name", [
    "tf.nn.rnn_cell.BasicLSTMCell", "tf.nn.rnn_cell.LSTMCell", "tf.nn.rnn_cell.GRUCell",
    "tf.nn.rnn_cell.MultiRNNCell", "tf.nn.rnn_cell.DropoutWrapper", "tf.nn.dynamic_rnn",
    "tf.nn.static_rnn", "tf.nn.bidirectional_dynamic_rnn", "tf.contrib.rnn.BasicLSTMCell",
    "tf.contrib.rnn.static_bidirectional_rnn", "tf.nn.rnn_cell.LSTMStateTuple"])
def test_check_reports_rnn_names_as_provided(name):
    from tftrain_compat import cli
    assert cli.resolve(name) == (cli.SUPPORTED, "")


def test_weights_properties_and_reuse(fresh_graph):
    """TF1 layer bookkeeping: the cell's weights in creation order; a second call reuses them;
    MultiRNNCell and wrappers report their cells' weights; the scope name is set on first call."""
    cells = [tf.nn.rnn_cell.LSTMCell(2, use_peepholes=True), tf.nn.rnn_cell.GRUCell(3)]
    multi = tf.nn.rnn_cell.MultiRNNCell([cells[0], tf.nn.rnn_cell.DropoutWrapper(cells[1])])
    with pytest.raises(ValueError, match="has not been used yet"):
        cells[0].scope_name  # noqa: B018
    x = tf.placeholder(tf.float32, [4, 5, 3])
    tf.nn.dynamic_rnn(multi, x, dtype=tf.float32)
    names = [v.name for v in multi.trainable_weights]
    assert names == [v.name for v in tf.trainable_variables()] == [
        "rnn/multi_rnn_cell/cell_0/lstm_cell/kernel:0",
        "rnn/multi_rnn_cell/cell_0/lstm_cell/bias:0",
        "rnn/multi_rnn_cell/cell_0/lstm_cell/w_f_diag:0",
        "rnn/multi_rnn_cell/cell_0/lstm_cell/w_i_diag:0",
        "rnn/multi_rnn_cell/cell_0/lstm_cell/w_o_diag:0",
        "rnn/multi_rnn_cell/cell_1/gru_cell/gates/kernel:0",
        "rnn/multi_rnn_cell/cell_1/gru_cell/gates/bias:0",
        "rnn/multi_rnn_cell/cell_1/gru_cell/candidate/kernel:0",
        "rnn/multi_rnn_cell/cell_1/gru_cell/candidate/bias:0"]
    assert cells[0].scope_name == "rnn/multi_rnn_cell/cell_0/lstm_cell"
    with tf.variable_scope("rnn", reuse=True):  # TF1: a second call shares the weights
        tf.nn.dynamic_rnn(multi, x, dtype=tf.float32, scope="rnn")
    assert len(tf.trainable_variables()) == 9
    assert multi.state_size == (tf.nn.rnn_cell.LSTMStateTuple(2, 2), 3)
    assert multi.output_size == 3
