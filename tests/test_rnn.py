"""tf.nn.rnn_cell / tf.contrib.rnn cells and tf.nn.dynamic_rnn / static_rnn / bidirectional,
against tf.compat.v1 with tf-keras' legacy cells (the oracle: one subprocess for this module,
see rnn_oracle.py), bitwise: variable names, shapes and initial values, forward outputs and
final states, gradients, and training steps. Every program is ``rnn_programs.rnn_program``, run
by both.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import tftrain_compat as tf
from rnn_oracle import Oracle, OracleError, assert_same, run_shim

PROGRAM = "rnn_programs:rnn_program"


@pytest.fixture(scope="module")
def oracle():
    o = Oracle()
    yield o
    o.close()


def _compare(oracle, case):
    assert_same(run_shim(PROGRAM, case), oracle.run(PROGRAM, case))


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
def test_cells_and_rnns_bitwise_equal_tf1(oracle, case):
    _compare(oracle, case)
