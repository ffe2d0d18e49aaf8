"""The project's own TF1-style examples (examples/*.py) run in a fresh process on real MNIST
digits (../shared/mnist_small) with a short step count, and reach an accuracy floor.

Floors are measured on this data with these step counts (seeded runs, so repeatable) minus a
margin for other CPUs' rounding: softmax 100 steps 0.922 -> 0.88; CNN 150 steps 0.965 -> 0.93;
MLP 600 steps 0.949 -> 0.90.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import shared_path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
STEP_LINE = re.compile(r"^Step (\d+), Accuracy ([0-9.eE+-]+)$", re.MULTILINE)
FINAL_LINE = re.compile(r"^Final accuracy ([0-9.eE+-]+) after (\d+) steps", re.MULTILINE)

CASES = [
    pytest.param("mnist_softmax_gd.py", 100, 0.88, id="softmax_gd"),
    pytest.param("mnist_cnn_momentum_dropout.py", 150, 0.93, id="cnn_momentum_dropout"),
    pytest.param("mnist_mlp_adam_decay_l2.py", 600, 0.90, id="mlp_adam_decay_l2"),
]
# The MLP example prints its decayed learning rate: 0.001 * 0.9 ** (global_step // 500).
LR_LINE = re.compile(r"\(learning rate now ([0-9.eE+-]+)\)")


def _run_example(name: str, steps: int, cwd: Path) -> str:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", TFTRAIN_EXAMPLE_STEPS=str(steps),
               TFTRAIN_EXAMPLE_DATA=str(shared_path("mnist_small")))
    proc = subprocess.run([sys.executable, str(EXAMPLES / name)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-4000:]}"
    return proc.stdout


@pytest.mark.parametrize("name, steps, floor", CASES)
def test_example_reaches_accuracy_floor(tmp_path: Path, name: str, steps: int,
                                        floor: float) -> None:
    stdout = _run_example(name, steps, tmp_path)
    every = max(1, steps // 10)
    found = [(int(n), float(a)) for n, a in STEP_LINE.findall(stdout)]
    assert [n for n, _ in found] == list(range(0, steps, every)), stdout
    final = FINAL_LINE.search(stdout)
    assert final is not None, stdout
    accuracy, reported_steps = float(final.group(1)), int(final.group(2))
    assert reported_steps == steps
    assert accuracy >= floor, f"{name}: final accuracy {accuracy} < {floor}\n{stdout}"
    assert accuracy > found[0][1] + 0.2, stdout  # it learned something since step 0
    if "mlp" in name:  # global_step counted every update, and the staircase decay followed it
        assert float(LR_LINE.search(stdout).group(1)) == pytest.approx(0.001 * 0.9 ** (steps // 500))
    assert not any(tmp_path.iterdir()), "the data came from TFTRAIN_EXAMPLE_DATA, not MNIST_data"


def test_seeded_example_is_repeatable(tmp_path: Path) -> None:
    """tf.set_random_seed fixes the reader's batch order too: two runs print the same lines."""
    first = _run_example("mnist_softmax_gd.py", 50, tmp_path)
    second = _run_example("mnist_softmax_gd.py", 50, tmp_path)
    assert STEP_LINE.findall(first) and STEP_LINE.findall(first) == STEP_LINE.findall(second)
    assert FINAL_LINE.search(first).group(0) == FINAL_LINE.search(second).group(0)


def test_data_knob_defaults_to_mnist_data_in_cwd(tmp_path: Path) -> None:
    """Without TFTRAIN_EXAMPLE_DATA an example reads ./MNIST_data, as the TF1 tutorials did."""
    data = tmp_path / "MNIST_data"
    data.mkdir()
    for gz in sorted(shared_path("mnist_small").glob("*.gz")):
        shutil.copy(gz, data / gz.name)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", TFTRAIN_EXAMPLE_STEPS="20")
    env.pop("TFTRAIN_EXAMPLE_DATA", None)
    proc = subprocess.run([sys.executable, str(EXAMPLES / "mnist_softmax_gd.py")], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "Extracting MNIST_data/train-images-idx3-ubyte.gz" in proc.stdout
    assert len(STEP_LINE.findall(proc.stdout)) == 10
    assert FINAL_LINE.search(proc.stdout).group(2) == "20"
