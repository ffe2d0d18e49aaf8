"""The rnn programs (tests/rnn_programs.py) on both sides: ``run_shim`` here, ``run_oracle`` on
the module's legacy-Keras oracle process (``support.LegacyOracle``: with Keras 3,
``tf.compat.v1.nn.rnn_cell.*`` work only under ``TF_USE_LEGACY_KERAS=1``). A program is
``function(tf, case) -> {name: value}`` written once for both namespaces; both sides return its
values as NumPy arrays, compared with ``support.assert_bitwise_equal``.
"""
from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from support import LegacyOracle


def _arrays(result: dict[str, Any]) -> dict[str, np.ndarray]:
    return {k: np.asarray(v) for k, v in result.items()}


def run_oracle(oracle: LegacyOracle, program: str, case: dict) -> dict[str, np.ndarray]:
    """``program`` ("module:function") on ``case`` under tf.compat.v1."""
    return _arrays(oracle.run(program, case))


def run_shim(program: str, case: dict) -> dict[str, np.ndarray]:
    """The same program under tftrain_compat, in a fresh shim graph."""
    import tftrain_compat
    module, fn = program.split(":")
    func = getattr(importlib.import_module(module), fn)
    with tftrain_compat.Graph().as_default():
        result = func(tftrain_compat, case)
    return _arrays(result)
