"""Shared fixtures. tf.compat.v1 is the oracle: tests use it only inside a `tf.Graph()` context.

The oracle builds TF 1.x's control flow in this process: ``tf.cond`` / ``tf.while_loop`` in a
``tf.Graph()`` make Switch / Merge / Enter / Exit nodes, as TF 1.x did (TF 2.x's default is its
functional If / While, with other op names and other op seeds after a cond). The shim builds TF
1.x's control flow on its own, whatever this setting (tests/test_tf_private.py checks that with
TF 2.x's default restored)."""
from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

tf.compat.v1.disable_control_flow_v2()

from hypothesis import settings  # noqa: E402

settings.register_profile("ci", max_examples=12, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=12, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") == "true" else
                      os.environ.get("HYPOTHESIS_PROFILE", "dev"))

SHARED = Path(__file__).resolve().parents[2] / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared; missing is a failure under CI=true and a skip elsewhere."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing; CI needs ../shared beside the checkout")
        pytest.skip(f"{path} is missing (../shared beside the checkout)")
    return path


@pytest.fixture
def fresh_graph():
    """A new default shim graph for the test (the global default is reset after)."""
    import tftrain_compat as tf
    tf.reset_default_graph()
    yield tf.get_default_graph()
    tf.reset_default_graph()


@pytest.fixture(scope="module")
def legacy_oracle():
    """The module's one tf.compat.v1 + tf-keras-legacy oracle process (support.LegacyOracle)."""
    from support import LegacyOracle
    with LegacyOracle() as oracle:
        yield oracle
