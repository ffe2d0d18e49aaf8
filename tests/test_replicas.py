"""Data-parallel replicas (``--replicas N``, ``$TFTRAIN_COMPAT_REPLICAS``, ``distribute()``):
training runs split over N logical CPU devices give the single-device run's numbers up to the
order of the floating-point sums; the cases that cannot be split are refused with ReplicaError.

Every check runs in a fresh process: logical devices exist only when declared before TensorFlow
starts (``tests/replica_programs.py`` holds the graph-level programs).

The bound. Splitting a batch changes only the order of the sums over its examples (each shard
sums its own, then the all-reduce adds the shards and divides by N, exact for N = 2 and 4);
nothing else differs -- the random numbers are drawn once for the global batch. So the variables
after a few steps agree to a few float32 ulps of their size (measured: <= 3.4 eps * max|v| for
softmax regression after 6 steps with 2 replicas, 4.2 eps with 4; <= 1.1e-6 * max|v| for the
CNN's momentum slots after 5 steps), and a wrong reduction (the mean loss's gradients summed)
is off by orders of magnitude more. Over many steps the rounding differences grow (the CNN's
slots: 1e-3 relative after 20 steps), so the checks use few steps.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import shared_path
from support import assert_bitwise_equal, python_env, run_python

ROOT = Path(__file__).resolve().parents[1]
PROGRAMS = Path(__file__).resolve().parent / "replica_programs.py"
EPS = float(np.finfo(np.float32).eps)
STEPS = 6  # replica_programs.STEPS
TIMEOUT_S = 600
MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")

# Runs a TF1 script seeded and saves every global variable of its last session before it closes.
WRAPPER = '''
import sys
import numpy as np
import tftrain_compat as tf
from tftrain_compat import cli
from tftrain_compat._src import replicas, session as _session

script, out = sys.argv[1], sys.argv[2]
np.random.seed(0)          # the MNIST reader's shuffles
tf.set_random_seed(1234)   # the initializers and dropout
saved = {}
_exit = _session.BaseSession.__exit__

def _save_then_exit(self, *exc):
    if not self._closed and exc[0] is None:
        variables = tf.global_variables()
        saved.update(zip([v.op.name for v in variables], self.run(variables)))
    return _exit(self, *exc)

_session.BaseSession.__exit__ = _save_then_exit
cli.run_script(script, [])
np.savez(out, **saved)
print("REPLICAS", replicas.replicas())
'''


def _env(**extra: str) -> dict:
    """CPU only (``python_env``), this checkout's package first, no replica settings inherited."""
    env = python_env(PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    env.pop("TFTRAIN_COMPAT_REPLICAS", None)
    env.pop("TFTRAIN_COMPAT_REPLICA_REDUCTION", None)
    env.update(extra)
    return env


def _python(args: list[str], cwd: Path | None = None, **env: str) -> str:
    return run_python(args, cwd=cwd, timeout=TIMEOUT_S, env=_env(**env))


def _failing(args: list[str], **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], env=_env(**env), capture_output=True,
                          text=True, timeout=TIMEOUT_S)


def _program(name: str, **env: str) -> dict:
    out = _python([str(PROGRAMS), name], **env)
    line = [x for x in out.splitlines() if x.startswith("RESULT ")]
    assert line, out
    return json.loads(line[-1][len("RESULT "):])


def _max_rel(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| in units of max |a|."""
    return float(np.abs(a - b).max() / np.abs(a).max())


@pytest.fixture(scope="module")
def softmax() -> dict:
    return _program("softmax", TFTRAIN_COMPAT_REPLICAS="4")  # 4 logical CPUs; runs use 2 and 4


def test_softmax_regression_two_and_four_replicas_match_one_up_to_sum_order(softmax):
    assert softmax["devices"] == [f"/device:CPU:{i}" for i in range(4)]
    # a mean loss (+ weight decay), a sum loss, a mean loss whose gradients are clipped by their
    # global norm before Adam applies them (the clipping sees the reduced gradients)
    for kind in ("mean", "sum", "clip"):
        v1, one = softmax[f"v1_{kind}"], softmax[f"shim1_{kind}"]
        # one device: tf.compat.v1's numbers bit for bit (the project's promise), except the
        # global step fetched with the train op: TF1 left that read unordered against the
        # increment (TF1_SEMANTICS 13), so run k gives k or k + 1 on either side
        assert_bitwise_equal({**one, "fetched_steps": None}, {**v1, "fetched_steps": None})
        _check_fetched_steps(v1, one)
        for two in (softmax[f"shim2_{kind}"], softmax[f"shim4_{kind}"]):
            _check_replicated(kind, v1, one, two)


def _check_fetched_steps(*runs: dict) -> None:
    """Run k fetched the global step before or after its increment (unordered in TF1)."""
    for run in runs:
        steps = run.get("fetched_steps", [])
        assert all(step in (k, k + 1) for k, step in enumerate(steps)), steps


def _check_replicated(kind: str, v1: dict, one: dict, two: dict) -> None:
    """``two``: a replicated run (2 or 4 replicas) against tf.compat.v1's ``v1``."""
    # replicas: the fetched loss is computed on the whole batch with the same dropout
    # masks (equal up to the order of sums in the updates before it)
    np.testing.assert_allclose(two["losses"], v1["losses"], rtol=4 * EPS)
    assert two["losses"][0] == v1["losses"][0]  # before any update: the same sums exactly
    # evaluation on an odd-sized batch is not split
    assert two["accuracy"] == v1["accuracy"]
    assert set(two["variables"]) == set(v1["variables"]) and len(v1["variables"]) >= 2
    if kind == "clip":  # one update per step
        assert one["variables"]["global_step"] == two["variables"]["global_step"] == STEPS
        assert len(v1["fetched_steps"]) == len(two["fetched_steps"]) == STEPS
        _check_fetched_steps(v1, two)
    for name, value in v1["variables"].items():
        ref = np.array(value, np.float32)
        rel = _max_rel(ref, np.array(two["variables"][name], np.float32))
        assert rel <= 8 * EPS, (kind, name, rel / EPS)


def test_wrong_reduction_is_far_outside_the_bound(softmax):
    """Negative control: summing a mean loss's gradients is detected by the bound above."""
    v1, summed = softmax["v1_mean"], softmax["shim2_mean_summed"]
    rel = max(_max_rel(np.array(v, np.float32), np.array(summed["variables"][k], np.float32))
              for k, v in v1["variables"].items())
    assert rel > 1000 * 8 * EPS


def test_refused_cases_name_what_to_change():
    out = _program("errors", TFTRAIN_COMPAT_REPLICAS="2")
    assert out["indivisible"].startswith("A batch of 39 (dimension 0 of Placeholder:0, "
                                         "Placeholder_1:0) cannot be split into 2 equal")
    assert "multiple of 2" in out["indivisible"]
    assert out["unchanged_after_error"] is True
    assert "must share dimension 0" in out["sizes_differ"]
    assert "{'Placeholder:0': 40, 'Placeholder_1:0': 20}" in out["sizes_differ"]
    assert 0.0 <= out["eval_odd_batch"] <= 1.0  # evaluation runs on the whole odd batch
    assert out["shapeless"].startswith("Placeholder_1:0 has no declared shape and was fed () "
                                       "in an earlier training run and (1,) now")
    assert "couples the examples of a batch at Mean 'moments/mean'" in out["moments"]
    assert "couples the examples of a batch at Mean 'batch_normalization/moments/mean'" \
        in out["batch_norm"]
    # read as means: sum / tf.shape(x)[0], tf.losses.softmax_cross_entropy; w (initial 0.1,
    # moved by more than 0.01) within the bound after two steps
    for kind in ("shape_divided", "tf_losses", "explicit_mean"):
        diff, moved = out[kind]
        assert moved > 0.01 and diff <= 8 * EPS * (0.1 + moved), (kind, diff, moved)
    assert out["unknown_reduction"].startswith("Cannot tell whether the loss truediv:0 is a mean")
    assert "reduction='mean' or 'sum'" in out["unknown_reduction"]
    assert out["tf_gradients"].startswith("The gradients ['gradients/MatMul_grad/MatMul_1:0'] "
                                          "were not made by an optimizer's compute_gradients")
    assert out["too_many"].startswith("3 replicas need 3 devices")
    assert out["state_changing"].startswith(
        "Computing the gradients runs AssignAddVariableOp 'AssignAdd/AssignAddVariableOp', "
        "which changes state; every replica would run it once per step")
    assert out["loop_random"].startswith("The gradients need the random op 'while/dropout/")
    assert "drawn in a tf.while_loop body" in out["loop_random"]


def test_distribute_after_devices_started_uses_existing_devices_only():
    out = _program("late")
    assert out["too_many"].startswith("2 replicas need 2 devices, but this process has 0 GPU(s) "
                                      "and 1 CPU device(s)")
    assert "--replicas 2" in out["too_many"]
    assert out["distribute_module"] == "MirroredStrategy"  # tf.distribute is still TF's module


def test_cli_replicas_usage_errors():
    for bad in ("0", "two", "-1"):
        proc = _failing(["-m", "tftrain_compat", "run", "--replicas", bad, "x.py"])
        assert proc.returncode == 2 and "--replicas: expected a whole number >= 1" in proc.stderr
    proc = _failing(["-c", "import tftrain_compat"], TFTRAIN_COMPAT_REPLICAS="zero")
    assert proc.returncode == 1
    assert "$TFTRAIN_COMPAT_REPLICAS='zero': expected a whole number of replicas" in proc.stderr


def test_seed_cnn_script_two_replicas_every_variable(tmp_path: Path):
    """The user's CNN script, unmodified but for num_steps, through ``run --replicas 2`` vs
    ``run``: every variable (weights and Momentum slots) after 5 steps, global batch 100."""
    source = shared_path("legacy_scripts", "mnist_cnn_momentum.py").read_text(encoding="utf-8")
    assert source.count("num_steps = 1000") == 1
    (tmp_path / "cnn.py").write_text(source.replace("num_steps = 1000", "num_steps = 5"),
                                     encoding="utf-8")
    (tmp_path / "wrapper.py").write_text(WRAPPER, encoding="utf-8")
    data = tmp_path / "MNIST_data"
    data.mkdir()
    for name in MNIST_FILES:
        shutil.copy(shared_path("mnist_small", name), data / name)
    runs = {}
    for count, extra in ((1, []), (2, ["--replicas", "2"])):
        out = _python(["-m", "tftrain_compat", "run", *extra, "wrapper.py", "cnn.py",
                       f"vars{count}.npz"], cwd=tmp_path)
        assert f"REPLICAS {count}" in out and "Step 0, Accuracy" in out, out
        runs[count] = dict(np.load(tmp_path / f"vars{count}.npz"))
    one, two = runs[1], runs[2]
    assert sorted(one) == sorted(two) and len(one) == 16  # 8 variables + 8 Momentum slots
    for name, ref in one.items():
        rel = _max_rel(ref, two[name])
        # weights: <= 4 ulps of their size (measured 1.6); slots (sums of gradients, over
        # 100 x 28 x 28 positions for conv1's): 4e-6 of theirs (measured 1.1e-6; the margin is
        # for other CPUs' kernel blockings). Summing the mean loss's gradients would give ~1.
        assert rel <= (4e-6 if name.endswith("/Momentum") else 4 * EPS), (name, rel)
        assert np.abs(ref).max() > 0, name  # trained: the slots hold gradients
