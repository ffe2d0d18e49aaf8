"""Property tests: training under tftrain_compat is bit-equal to tf.compat.v1.

For random hyperparameters, decays, L2 regularization, small models and batches, every variable,
slot and optimizer variable after N steps, and every loss on the way, must be np.array_equal to
what tf.compat.v1 computes (same kernels, same casts, same gradient graph).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

from reference import TrainCase, run_reference, run_shim

DECAYS = [None, "exponential", "natural_exp", "inverse_time"]


def cases(optimizer: str, decay):
    return st.builds(
        TrainCase,
        optimizer=st.just(optimizer),
        decay=st.just(decay),
        lr=st.floats(1e-3, 0.5),
        decay_steps=st.integers(1, 20),
        decay_rate=st.floats(0.05, 0.99),
        staircase=st.booleans(),
        momentum=st.floats(0.0, 0.99),
        nesterov=st.booleans(),
        beta1=st.floats(0.5, 0.99),
        beta2=st.floats(0.9, 0.9999),
        epsilon=st.sampled_from([1e-8, 1e-7, 1e-4, 0.1]),
        l2_scale=st.one_of(st.none(), st.floats(1e-4, 0.1)),
        n_in=st.integers(1, 6),
        n_hidden=st.integers(1, 8),
        n_out=st.integers(2, 5),
        batch=st.integers(1, 8),
        steps=st.integers(1, 6),
        seed=st.integers(0, 2**16),
    )


def assert_bitwise_equal(case: TrainCase) -> None:
    (got, got_losses), (want, want_losses) = run_shim(case), run_reference(case)
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        assert np.asarray(a).dtype == np.asarray(b).dtype, i
        assert np.array_equal(a, b), f"value {i} differs: {a!r} vs {b!r} ({case})"
    for i, (a, b) in enumerate(zip(got_losses, want_losses)):
        assert np.array_equal(a, b), f"loss at step {i}: {a!r} vs {b!r} ({case})"


@pytest.mark.parametrize("decay", DECAYS)
@given(data=st.data())
def test_gradient_descent_bitwise(decay, data):
    assert_bitwise_equal(data.draw(cases("gd", decay)))


@pytest.mark.parametrize("decay", DECAYS)
@given(data=st.data())
def test_momentum_bitwise(decay, data):
    assert_bitwise_equal(data.draw(cases("momentum", decay)))


@pytest.mark.parametrize("decay", DECAYS)
@given(data=st.data())
def test_adam_bitwise(decay, data):
    assert_bitwise_equal(data.draw(cases("adam", decay)))


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
@pytest.mark.parametrize("l2", [None, 0.01])
def test_fixed_case_with_and_without_l2(optimizer, l2):
    """A deterministic anchor for every optimizer x L2 combination (not left to the sampler)."""
    case = TrainCase(optimizer=optimizer, decay="exponential", lr=0.1, decay_steps=3,
                     decay_rate=0.9, staircase=True, momentum=0.9, nesterov=True, beta1=0.9,
                     beta2=0.999, epsilon=1e-8, l2_scale=l2, n_in=5, n_hidden=7, n_out=3,
                     batch=4, steps=8, seed=7)
    assert_bitwise_equal(case)
