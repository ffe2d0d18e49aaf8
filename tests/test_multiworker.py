"""Replicas across workers (``run --multi-worker``, ``$TFTRAIN_COMPAT_MULTI_WORKER=1``,
``TF_CONFIG``): real worker processes on 127.0.0.1, all-reducing with
MultiWorkerMirroredStrategy's collectives.

``tests/scripts/multiworker_softmax.py`` is an unchanged TF1 script (``import tensorflow as
tf``): each worker feeds its half of a fixed global batch. Worker 0 runs it through ``python -m
tftrain_compat run --multi-worker``, worker 1 as ``import tftrain_compat as tf`` under
``$TFTRAIN_COMPAT_MULTI_WORKER=1``. The reference is one process training on the whole batch with
the same TF_CONFIG set but no switch (TF_CONFIG alone must change nothing: with the strategy on,
that process would wait for a worker that never comes).

The bound. The workers start from the chief's values (gathered, exact), so the only difference
from the single process is the order of the sums over the batch (each worker's mean over its 8
examples, then (a + b) / 2, exact, against one mean over 16): a few float32 ulps of the
variables' size after 5 steps (measured: <= 0.52 eps * max|v|). A wrong reduction (the two
halves' gradients summed) or a worker training on its own half only is off by orders of
magnitude more (measured: one worker alone on its half ends 6% of max|W| away, 5e5 eps).

Every process is killed in a ``finally``; every wait has a timeout.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tftrain_compat._src import multi_worker, replicas
from tftrain_compat._src.replica_devices import ReplicaError
from support import ProcessGroup, free_ports, import_line_copy

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests" / "scripts" / "multiworker_softmax.py"
EPS = float(np.finfo(np.float32).eps)
RUN_S = 240          # start-up (import, graph) and 5 steps on two busy cores
FAILED_WITHIN_S = 30  # a worker's error once its peer is gone: measured 0.1 s
COLLECTIVE_TIMEOUT_S = 5


def _tf_config(ports: list[int], index: int) -> str:
    return json.dumps({"cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]},
                       "task": {"type": "worker", "index": index}})


class Workers(ProcessGroup):
    """Processes of one test; ``stop()`` kills whatever still runs."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.ports = free_ports(2)
        self.direct = import_line_copy(SCRIPT, folder)

    def start(self, name: str, args: list[str], index: int | None, switch: str | None,
              **env: str) -> None:
        """``switch``: 'flag' (run --multi-worker), 'env' ($TFTRAIN_COMPAT_MULTI_WORKER=1 and
        ``import tftrain_compat as tf``) or None (run, no switch)."""
        full = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="",
                    PYTHONDONTWRITEBYTECODE="1", **env)
        full["PYTHONPATH"] = str(ROOT) + os.pathsep + full.get("PYTHONPATH", "")
        full.pop(multi_worker.ENV, None)
        full["TF_CONFIG"] = _tf_config(self.ports, 0 if index is None else index)
        if switch == "env":
            full[multi_worker.ENV] = "1"
            cmd = [sys.executable, str(self.direct)]
        else:
            cmd = [sys.executable, "-m", "tftrain_compat", "run",
                   *(["--multi-worker"] if switch == "flag" else []), str(SCRIPT)]
        self.launch(name, cmd + args, full)

    def wait(self, name: str, timeout: float = RUN_S) -> int:
        return self.wait_exit(name, timeout)

    def error(self, name: str) -> tuple[str, float, str]:
        found = re.search(r"^error (\w+) ([\d.]+): (.*)", self.text(name), re.M | re.S)
        assert found, f"{name} reported no error:\n{self.text(name)[-3000:]}"
        return found.group(1), float(found.group(2)), found.group(3)



@pytest.fixture
def workers(tmp_path):
    group = Workers(tmp_path)
    try:
        yield group
    finally:
        group.stop()


def _variables(path: Path) -> dict[str, np.ndarray]:
    with np.load(path) as saved:
        return {k: saved[k] for k in saved.files}


def test_two_workers_equal_each_other_and_the_single_process_run(workers, tmp_path):
    # Different seeds: the workers' own initial values differ, the chief's are broadcast.
    workers.start("w0", [str(tmp_path / "w0.npz"), "1"], 0, "flag")
    workers.start("w1", [str(tmp_path / "w1.npz"), "2"], 1, "env")
    workers.start("single", [str(tmp_path / "single.npz"), "1", "whole"], None, None)
    for name in ("w0", "w1", "single"):
        assert workers.wait(name) == 0, workers.text(name)[-3000:]
    w0, w1, single = (_variables(tmp_path / f"{n}.npz") for n in ("w0", "w1", "single"))
    for key in ("W", "b"):
        assert np.array_equal(w0[key], w1[key]), key
        scale = float(np.abs(single[key]).max())
        np.testing.assert_allclose(w0[key], single[key], rtol=0, atol=4 * EPS * scale)
    # The loss each worker fetches is its own half's: their mean is the global batch's.
    losses = [[float(v) for v in re.findall(r"^step \d+ loss (?:np\.float32\()?([^\s)]+)\)?$",
                                            workers.text(n), re.M)] for n in ("w0", "w1", "single")]
    assert all(len(v) == 5 for v in losses), losses
    np.testing.assert_allclose((np.array(losses[0]) + losses[1]) / 2, losses[2], rtol=1e-5)
    assert not np.allclose(losses[0], losses[1])  # the halves differ: each fed its own


def test_workers_stay_equal_with_dropout_drawn_from_their_own_streams(workers, tmp_path):
    # Each worker draws its own masks (different seeds: different masks); the reduced gradients
    # are the same on both, so the variables stay equal bit for bit.
    workers.start("w0", [str(tmp_path / "w0.npz"), "5", "dropout"], 0, "flag")
    workers.start("w1", [str(tmp_path / "w1.npz"), "6", "dropout"], 1, "flag")
    for name in ("w0", "w1"):
        assert workers.wait(name) == 0, workers.text(name)[-3000:]
    w0, w1 = _variables(tmp_path / "w0.npz"), _variables(tmp_path / "w1.npz")
    for key in ("W", "b"):
        assert np.array_equal(w0[key], w1[key]), key


def test_a_killed_worker_gives_the_other_an_error_not_a_hang(workers, tmp_path):
    workers.start("w0", [str(tmp_path / "w0.npz"), "1", "die"], 0, "flag")
    workers.start("w1", [str(tmp_path / "w1.npz"), "1", "die"], 1, "flag")
    assert workers.wait("w1") == -9  # it killed itself (SIGKILL) after step 2
    assert workers.wait("w0", FAILED_WITHIN_S + 30) == 3, workers.text("w0")[-3000:]
    kind, seconds, text = workers.error("w0")
    assert kind == "UnavailableError", text[:2000]
    assert seconds < FAILED_WITHIN_S
    assert text.startswith("A training run across workers failed: a worker of TF_CONFIG's "
                           "cluster is gone or unreachable."), text[:2000]


def test_a_stalled_worker_gives_the_other_a_deadline_error(workers, tmp_path):
    env = {multi_worker.TIMEOUT_ENV: str(COLLECTIVE_TIMEOUT_S), "STALL_S": "300"}
    workers.start("w0", [str(tmp_path / "w0.npz"), "1", "stall"], 0, "flag", **env)
    workers.start("w1", [str(tmp_path / "w1.npz"), "1", "stall"], 1, "flag", **env)
    assert workers.wait("w0") == 3, workers.text("w0")[-3000:]
    kind, seconds, text = workers.error("w0")
    assert kind == "DeadlineExceededError", text[:2000]
    assert COLLECTIVE_TIMEOUT_S - 1 <= seconds < COLLECTIVE_TIMEOUT_S + FAILED_WITHIN_S
    assert f"did not join this training run's collectives within {COLLECTIVE_TIMEOUT_S} s" in text
    assert workers.procs["w1"].poll() is None  # still asleep: stopped by the fixture


def test_workers_feeding_different_batch_sizes_are_refused_before_any_update(workers, tmp_path):
    workers.start("w0", [str(tmp_path / "w0.npz"), "1", "uneven"], 0, "flag")
    workers.start("w1", [str(tmp_path / "w1.npz"), "1", "uneven"], 1, "flag")
    for name in ("w0", "w1"):
        assert workers.wait(name) == 3, workers.text(name)[-3000:]
        kind, _, text = workers.error(name)
        assert kind == "ReplicaError"
        assert "different sizes to one training run: [8, 7] (worker by worker)" in text
    # Both stopped after the same 2 steps, with the same variables (step 2 updated nothing).
    w0, w1 = _variables(tmp_path / "w0.npz"), _variables(tmp_path / "w1.npz")
    for key in ("W", "b"):
        assert np.array_equal(w0[key], w1[key]), key
    assert workers.text("w0").count("\nstep ") == 2


# ----- the switch and TF_CONFIG, without starting TensorFlow's collectives ---------------------
def test_tf_config_is_validated(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ReplicaError, match="need TF_CONFIG, which is not set"):
        multi_worker.task()
    monkeypatch.setenv("TF_CONFIG", "{not json")
    with pytest.raises(ReplicaError, match="is not usable for several workers"):
        multi_worker.task()
    monkeypatch.setenv("TF_CONFIG", _tf_config([1, 2], 2))
    with pytest.raises(ReplicaError, match="is not one of its cluster's workers"):
        multi_worker.task()
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": {"chief": ["a:1"], "worker": ["b:2"]},
                                                "task": {"type": "worker", "index": 0}}))
    assert multi_worker.task() == ("worker", 0, 2)


def test_the_switch_and_its_errors(monkeypatch):
    monkeypatch.delenv(multi_worker.ENV, raising=False)
    monkeypatch.setattr(multi_worker, "_requested", [])
    monkeypatch.setenv("TF_CONFIG", _tf_config([1, 2], 0))
    assert multi_worker.requested() is False  # TF_CONFIG alone: off
    monkeypatch.setenv(multi_worker.ENV, "yes please")
    with pytest.raises(ReplicaError, match=r"\$TFTRAIN_COMPAT_MULTI_WORKER='yes please'"):
        multi_worker.requested()
    monkeypatch.setenv(multi_worker.ENV, "1")
    monkeypatch.setenv("TFTRAIN_COMPAT_REPLICAS", "2")
    with pytest.raises(ReplicaError, match="were both asked for"):
        replicas.enable_requested()
    monkeypatch.setenv(multi_worker.TIMEOUT_ENV, "-3")
    with pytest.raises(ReplicaError, match="expected a number of seconds > 0"):
        multi_worker.timeout_s()


def test_multi_worker_without_tf_config_fails_at_start(tmp_path):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("TF_CONFIG", None)
    proc = subprocess.run([sys.executable, "-m", "tftrain_compat", "run", "--multi-worker",
                           str(SCRIPT), str(tmp_path / "x.npz"), "1"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=RUN_S)
    assert proc.returncode != 0
    assert "ReplicaError: Several workers (--multi-worker, $TFTRAIN_COMPAT_MULTI_WORKER) need " \
           "TF_CONFIG, which is not set." in proc.stderr, proc.stderr[-3000:]
    assert "step 0" not in proc.stdout
