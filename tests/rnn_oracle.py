"""The TF1 oracle for programs that need tf-keras' legacy layers (rnn cells, ``tf.layers``).

With Keras 3, ``tf.compat.v1.nn.rnn_cell.*`` raise; they work only when ``TF_USE_LEGACY_KERAS=1``
is set before TensorFlow is imported, which would break Keras 3 in the test process. So the
oracle is ONE subprocess per test module (``Oracle``, a module-scoped fixture), started with that
variable, serving requests: ``oracle.run("module:function", case)`` imports ``function`` from a
module under ``tests/``, calls ``function(tf.compat.v1, case)`` inside ``tf.Graph().as_default()``
and returns the dict of arrays it produced (passed back as an ``.npz`` file). An exception in
the program comes back as ``OracleError`` carrying TF1's error class name and text.

The test process runs the very same ``function(tftrain_compat, case)``, so a program is written
once for both namespaces.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

TESTS = Path(__file__).resolve().parent

_SERVER = r"""
import importlib, json, os, sys, traceback
import numpy as np
import tensorflow as tf
assert tf.__version__, "tensorflow imported"
import tf_keras  # noqa: F401  (legacy layers back tf.compat.v1.nn.rnn_cell)
print("ready", flush=True)
for line in sys.stdin:
    req = json.loads(line)
    module, fn = req["program"].split(":")
    try:
        func = getattr(importlib.import_module(module), fn)
        with tf.Graph().as_default():
            result = func(tf.compat.v1, req["case"])
        np.savez(req["out"], **{k: np.asarray(v) for k, v in result.items()})
        print(json.dumps({"ok": True}), flush=True)
    except Exception as e:  # the program's own error goes back to the test
        print(json.dumps({"ok": False, "type": type(e).__name__, "message": str(e),
                          "traceback": traceback.format_exc()}), flush=True)
"""


class OracleError(Exception):
    """TF1 raised while running the program; ``type_name`` is TF1's exception class name."""

    def __init__(self, type_name: str, message: str, tb: str) -> None:
        super().__init__(f"{type_name}: {message}\n{tb}")
        self.type_name = type_name
        self.message = message


class Oracle:
    """One tf.compat.v1 + tf-keras-legacy subprocess serving program runs."""

    def __init__(self) -> None:
        env = dict(os.environ, TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3",
                   PYTHONPATH=os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
                   CUDA_VISIBLE_DEVICES="")
        self._dir = tempfile.TemporaryDirectory(prefix="rnn_oracle_")
        self._n = 0
        self._proc = subprocess.Popen([sys.executable, "-c", _SERVER], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                      text=True, env=env, cwd=str(TESTS))
        line = self._proc.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError(f"oracle subprocess failed to start: {line!r}")

    def run(self, program: str, case: dict) -> dict[str, np.ndarray]:
        """Runs ``program`` ("module:function") on ``case`` under tf.compat.v1."""
        self._n += 1
        out = os.path.join(self._dir.name, f"r{self._n}.npz")
        self._proc.stdin.write(json.dumps({"program": program, "case": case, "out": out}) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError("oracle subprocess died")
        reply = json.loads(line)
        if not reply["ok"]:
            raise OracleError(reply["type"], reply["message"], reply["traceback"])
        with np.load(out, allow_pickle=False) as data:
            result = {k: data[k] for k in data.files}
        os.remove(out)
        return result

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:  # pragma: no cover
                self._proc.kill()
                self._proc.wait()
        self._dir.cleanup()


def run_shim(program: str, case: dict) -> dict[str, np.ndarray]:
    """The same program under tftrain_compat, in a fresh shim graph."""
    import importlib

    import tftrain_compat
    module, fn = program.split(":")
    func = getattr(importlib.import_module(module), fn)
    with tftrain_compat.Graph().as_default():
        result = func(tftrain_compat, case)
    return {k: np.asarray(v) for k, v in result.items()}


def assert_same(shim: dict, oracle: dict) -> None:
    """Same keys, dtypes, shapes and bitwise-equal values (NaN equal to NaN); the message lists
    every key that differs, with the largest difference."""
    assert sorted(shim) == sorted(oracle), (sorted(shim), sorted(oracle))
    bad = []
    for key in sorted(oracle):
        a, b = shim[key], oracle[key]
        if a.dtype != b.dtype or a.shape != b.shape:
            bad.append(f"{key}: {a.dtype}{a.shape} vs {b.dtype}{b.shape}")
        elif a.dtype.kind in "fc":
            if not np.array_equal(a, b, equal_nan=True):
                diff = float(np.max(np.abs(a.astype(np.float64) - b)))
                bad.append(f"{key}: max |diff| {diff:.3g}")
        elif not np.array_equal(a, b):
            bad.append(f"{key}: {a} vs {b}")
    assert not bad, "differs from TF1:\n  " + "\n  ".join(bad)
