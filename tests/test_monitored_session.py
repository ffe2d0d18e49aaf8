"""MonitoredTrainingSession and the basic hooks against tf.compat.v1's own, in one process.

Each program is written once, against a module ``m`` that is either the shim or tf.compat.v1 (in
a ``tf.Graph().as_default()`` block, so eager stays on): the losses of every step are compared
bitwise, the checkpoints written (which steps, and their values) and how the loop ends.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tensorflow as tf

import tftrain_compat as shim
from support import assert_bitwise_equal

V1 = tf.compat.v1
X = np.linspace(-1.0, 1.0, 32, dtype=np.float32).reshape(16, 2)
Y = (X @ np.array([[2.0], [-3.0]], np.float32) + 0.5).astype(np.float32)


def _model(m: Any, nan: bool = False) -> tuple:
    x = m.placeholder(tf.float32, [None, 2], name="x")
    y = m.placeholder(tf.float32, [None, 1], name="y")
    w = m.Variable(np.full((2, 1), 0.1, np.float32), name="w")
    b = m.Variable(np.zeros((1,), np.float32), name="b")
    err = m.matmul(x, w) + b - y
    loss = m.reduce_mean(m.square(err), name="loss")
    if nan:
        loss = m.log(loss - 1e9, name="nan_loss")  # log of a negative number: NaN
    step = m.train.get_or_create_global_step()
    train = m.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    return x, y, loss, train, step


def _train(m: Any, ckpt: str, last_step: int, **kw: Any) -> dict:
    x, y, loss, train, step = _model(m)
    losses, steps = [], []
    hooks = [m.train.StopAtStepHook(last_step=last_step)]
    with m.train.MonitoredTrainingSession(checkpoint_dir=ckpt, hooks=hooks,
                                          save_summaries_steps=None, log_step_count_steps=None,
                                          **kw) as sess:
        finalized = sess.graph.finalized if hasattr(sess, "graph") else None
        while not sess.should_stop():
            # the global step is not fetched with the train op: which value such a fetch sees is
            # unordered in TF1 (tf.compat.v1 shows the incremented one, the shim the one before)
            _, value = sess.run([train, loss], {x: X, y: Y})
            losses.append(value)
            steps.append(len(losses))
    state = V1.train.get_checkpoint_state(ckpt)
    paths = [os.path.basename(p) for p in state.all_model_checkpoint_paths] if state else []
    latest = V1.train.latest_checkpoint(ckpt)
    values = {}
    if latest:
        reader = tf.train.load_checkpoint(latest)
        values = {n: reader.get_tensor(n) for n in ("w", "b", "global_step")}
    return {"losses": np.array(losses), "steps": steps, "paths": paths, "values": values,
            "finalized": finalized}


def _both(fn: Any, tmp_path: Path, *args: Any, **kw: Any) -> tuple[dict, dict]:
    with tf.Graph().as_default():
        oracle = fn(V1, str(tmp_path / "v1"), *args, **kw)
    with shim.Graph().as_default():
        ours = fn(shim, str(tmp_path / "shim"), *args, **kw)
    return oracle, ours


@pytest.mark.parametrize("save_steps", [3, 4])
def test_stop_at_step_and_checkpoint_steps_as_tf1(tmp_path: Path, save_steps: int) -> None:
    oracle, ours = _both(_train, tmp_path, 7, save_checkpoint_steps=save_steps)
    assert_bitwise_equal(ours, oracle)
    assert ours["values"]["global_step"] == 7 and len(ours["losses"]) == 7
    assert ours["losses"][-1] < ours["losses"][0]


def test_restores_the_latest_checkpoint_and_continues(tmp_path: Path) -> None:
    def two_runs(m: Any, ckpt: str) -> dict:
        with (tf.Graph() if m is V1 else m.Graph()).as_default():
            first = _train(m, ckpt, 5, save_checkpoint_steps=2)
        with (tf.Graph() if m is V1 else m.Graph()).as_default():
            second = _train(m, ckpt, 9, save_checkpoint_steps=2)
        second["first"] = first["losses"]
        return second

    oracle, ours = _both(two_runs, tmp_path)
    assert_bitwise_equal(ours, oracle)
    assert np.array_equal(oracle["first"], ours["first"])
    # continued from the restored global step 5: four more steps, to 9
    assert len(ours["first"]) == 5 and len(ours["losses"]) == 4
    assert ours["values"]["global_step"] == 9


def _nan(m: Any, ckpt: str, fail: bool) -> str:
    x, y, loss, train, step = _model(m, nan=True)
    hooks = [m.train.NanTensorHook(loss, fail_on_nan_loss=fail),
             m.train.StopAtStepHook(last_step=5)]
    runs = 0
    try:
        with m.train.MonitoredTrainingSession(hooks=hooks, log_step_count_steps=None) as sess:
            while not sess.should_stop():
                sess.run(train, {x: X, y: Y})
                runs += 1
    except Exception as err:  # noqa: BLE001 - the class and text are what is compared
        return f"{type(err).__name__}: {err} after {runs}"
    return f"stopped after {runs}"


@pytest.mark.parametrize("fail", [True, False])
def test_nan_tensor_hook_as_tf1(tmp_path: Path, fail: bool) -> None:
    oracle, ours = _both(_nan, tmp_path, fail)
    assert ours == oracle
    if fail:
        assert ours.startswith("NanLossDuringTrainingError: NaN loss during training.")
    assert issubclass(shim.train.NanLossDuringTrainingError, RuntimeError)


class _Recorder:
    """A user hook, written as TF1 users wrote them: the calls it sees, in order."""

    def __init__(self, m: Any, loss: Any) -> None:
        base = m.train.SessionRunHook
        calls: list = []
        self.calls = calls

        class Hook(base):  # type: ignore[misc, valid-type]
            def begin(self) -> None:
                calls.append("begin")

            def after_create_session(self, session: Any, coord: Any) -> None:
                calls.append("after_create_session")

            def before_run(self, run_context: Any) -> Any:
                calls.append("before_run")
                return m.train.SessionRunArgs({"loss": loss})

            def after_run(self, run_context: Any, run_values: Any) -> None:
                calls.append(("after_run", float(run_values.results["loss"])))
                if len([c for c in calls if c == "before_run"]) == 3:
                    run_context.request_stop()

            def end(self, session: Any) -> None:
                calls.append("end")

        self.hook = Hook()


def _user_hook(m: Any, ckpt: str) -> list:
    x, y, loss, train, step = _model(m)
    rec = _Recorder(m, loss)
    with m.train.SingularMonitoredSession(hooks=[rec.hook]) as sess:
        while not sess.should_stop():
            sess.run(train, {x: X, y: Y})
        rec.calls.append(("raw", float(sess.raw_session().run(loss, {x: X, y: Y}))))
    return rec.calls


def test_user_hook_protocol_and_singular_session_as_tf1(tmp_path: Path) -> None:
    oracle, ours = _both(_user_hook, tmp_path)
    assert ours == oracle
    assert ours[:2] == ["begin", "after_create_session"] and "end" in ours
