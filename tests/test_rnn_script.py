"""End to end: a TF1-style LSTM over MNIST rows (tests/scripts/lstm_mnist_rows.py: BasicLSTMCell,
dynamic_rnn, RMSProp, 200 steps on real digits from ../shared/mnist_small) run unchanged in two
fresh processes: under the shim (``python -m tftrain_compat run``) and under tf.compat.v1 with
tf-keras' legacy cells (``TF_USE_LEGACY_KERAS=1``; the script's ``import tensorflow`` gets
``tf.compat.v1`` inside a ``tf.Graph().as_default()``). Both print the same lines, digit for
digit, and the model learns.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import shared_path

SCRIPT = Path(__file__).resolve().parent / "scripts" / "lstm_mnist_rows.py"
TF1_RUNNER = """
import runpy, sys
import tensorflow as tf
v1 = tf.compat.v1
sys.modules["tensorflow"] = v1
with v1.Graph().as_default():
    runpy.run_path(sys.argv[1], run_name="__main__")
"""


def _run(args: list[str], **env) -> str:
    full_env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="",
                    MNIST_DIR=str(shared_path("mnist_small")), STEPS="200", **env)
    proc = subprocess.run([sys.executable, *args], env=full_env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_lstm_mnist_rows_script_prints_tf1s_numbers():
    tf1 = _run(["-c", TF1_RUNNER, str(SCRIPT)], TF_USE_LEGACY_KERAS="1")
    shim = _run(["-m", "tftrain_compat", "run", str(SCRIPT)])
    assert shim == tf1
    assert "'lstm/rnn/basic_lstm_cell/kernel:0', 'lstm/rnn/basic_lstm_cell/bias:0'" in shim
    losses = [float(x) for x in re.findall(r"^step \d+ loss (\S+)$", shim, re.MULTILINE)]
    accuracy = float(re.search(r"^accuracy (\S+)$", shim, re.MULTILINE).group(1))
    assert len(losses) == 8 and losses[-1] < 0.7 * losses[0]  # it learns
    assert accuracy > 0.3  # 10 classes: chance is 0.1 (TF1 reaches 0.382 here)
