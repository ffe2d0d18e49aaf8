"""End to end: a TF1-style LSTM over MNIST rows (tests/scripts/lstm_mnist_rows.py: BasicLSTMCell,
dynamic_rnn, RMSProp, 200 steps on real digits from ../shared/mnist_small) run unchanged in two
fresh processes: under the shim (``python -m tftrain_compat run``) and under tf.compat.v1 with
tf-keras' legacy cells (``TF_USE_LEGACY_KERAS=1``; the script's ``import tensorflow`` gets
``tf.compat.v1`` inside a ``tf.Graph().as_default()``). Both print the same lines, digit for
digit, and the model learns.
"""
from __future__ import annotations

import re
from pathlib import Path

from conftest import shared_path
from support import run_shim_script, run_tf1_script

SCRIPT = Path(__file__).resolve().parent / "scripts" / "lstm_mnist_rows.py"
def test_lstm_mnist_rows_script_prints_tf1s_numbers():
    env = dict(MNIST_DIR=str(shared_path("mnist_small")), STEPS="200")
    tf1 = run_tf1_script(SCRIPT, legacy_keras=True, **env)
    shim = run_shim_script(SCRIPT, **env)
    assert shim == tf1
    assert "'lstm/rnn/basic_lstm_cell/kernel:0', 'lstm/rnn/basic_lstm_cell/bias:0'" in shim
    losses = [float(x) for x in re.findall(r"^step \d+ loss (\S+)$", shim, re.MULTILINE)]
    accuracy = float(re.search(r"^accuracy (\S+)$", shim, re.MULTILINE).group(1))
    assert len(losses) == 8 and losses[-1] < 0.7 * losses[0]  # it learns
    assert accuracy > 0.3  # 10 classes: chance is 0.1 (TF1 reaches 0.382 here)
