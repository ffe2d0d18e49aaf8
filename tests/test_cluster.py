"""TF1 between-graph replication on real processes: ``tests/scripts/between_graph_linear.py``
(ClusterSpec + Server + replica_device_setter + MonitoredTrainingSession with StopAtStepHook,
NanTensorHook, LoggingTensorHook and CheckpointSaverHook) as 1 ps and 2 workers on loopback
ports chosen here. Checked: the shared global step reaches the target, the loss falls, the
chief's checkpoint (read with TensorFlow's own reader) holds the trained variables, every worker
exits with 0; killing a worker leaves the other training to the target; killing the ps gives the
workers TF's ``UnavailableError`` naming the ps task, in bounded time. Every process is killed in
``finally``; every wait has a deadline.

Placement and the in-process session are checked against tf.compat.v1 in this process (nothing
here connects the test process to a cluster: a connection is process-wide).
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

import tftrain_compat as shim
from support import ProcessGroup, free_ports, import_line_copy

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests" / "scripts" / "between_graph_linear.py"
STARTUP_S = 120   # a process on two busy cores: import + graph + connection
RUN_S = 180


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    env["CUDA_VISIBLE_DEVICES"] = ""
    return env


class Cluster(ProcessGroup):
    """The script's processes; ``stop()`` kills whatever is still running."""

    def __init__(self, folder: Path, steps: int, step_sleep: float) -> None:
        super().__init__(folder)
        ps, w0, w1 = free_ports(3)
        self.ckpt = folder / "ckpt"
        self.args = [f"--ps_hosts=127.0.0.1:{ps}", f"--worker_hosts=127.0.0.1:{w0},127.0.0.1:{w1}",
                     f"--checkpoint_dir={self.ckpt}", f"--steps={steps}",
                     f"--step_sleep={step_sleep}"]
        # The same script, imported as `tensorflow` through `python -m tftrain_compat run`, and
        # with `import tftrain_compat as tf` in place of its import line, run by Python itself.
        self.direct = import_line_copy(SCRIPT, folder)

    def start(self, name: str, job: str, task: int, through_run: bool) -> None:
        cmd = ([sys.executable, "-m", "tftrain_compat", "run", str(SCRIPT)] if through_run
               else [sys.executable, str(self.direct)])
        self.launch(name, cmd + self.args + [f"--job_name={job}", f"--task_index={task}"],
                    _env())

    def start_training(self, worker1_through_run: bool) -> None:
        """The ps, then the chief, then worker 1, each waited for; returns once worker 1 steps."""
        self.start("ps", "ps", 0, through_run=False)
        self.wait_for("ps", "^ps serving")
        self.start("chief", "worker", 0, through_run=False)
        self.wait_for("chief", "^ready")
        self.start("worker1", "worker", 1, through_run=worker1_through_run)
        self.wait_for("worker1", r"^step \d+ ")

    def wait_for(self, name: str, pattern: str, timeout: float = STARTUP_S) -> None:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.text(name), re.M):
            if self.procs[name].poll() is not None:
                raise AssertionError(f"{name} exited with {self.procs[name].returncode} before "
                                     f"{pattern!r}:\n{self.text(name)[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{name}: no {pattern!r} after {timeout} s:\n"
                                     f"{self.text(name)[-3000:]}")
            time.sleep(0.2)

    def wait_exit(self, name: str, timeout: float = RUN_S) -> int:
        return super().wait_exit(name, timeout)

    def steps(self, name: str) -> list[tuple[int, float]]:
        return [(int(s), float(v)) for s, v in
                re.findall(r"^step (\d+) loss (\S+)$", self.text(name), re.M)]



@pytest.fixture
def cluster_factory(tmp_path):
    made: list[Cluster] = []

    def make(steps: int, step_sleep: float) -> Cluster:
        c = Cluster(tmp_path, steps, step_sleep)
        made.append(c)
        return c

    try:
        yield make
    finally:
        for c in made:
            c.stop()


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(0)  # the script's data
    x = rng.randn(256, 8).astype(np.float32)
    return x, (x @ rng.randn(8, 1) + 0.5).astype(np.float32)


def test_between_graph_training_with_one_ps_and_two_workers(cluster_factory):
    steps = 600
    c = cluster_factory(steps, 0.03)
    c.start("ps", "ps", 0, through_run=False)
    c.wait_for("ps", "^ps serving")
    c.start("chief", "worker", 0, through_run=True)   # `import tensorflow` through `run`
    c.wait_for("chief", "^ready")
    c.start("worker1", "worker", 1, through_run=False)
    assert c.wait_exit("chief") == 0, c.text("chief")[-3000:]
    assert c.wait_exit("worker1") == 0, c.text("worker1")[-3000:]
    assert c.procs["ps"].poll() is None  # the ps serves until it is ended
    c.procs["ps"].terminate()
    c.wait_exit("ps", 30)

    chief, other = c.steps("chief"), c.steps("worker1")
    assert chief and other, (c.text("chief")[-2000:], c.text("worker1")[-2000:])
    # One global step shared through the ps: the second worker starts from the chief's count,
    # and both stop at the target (StopAtStepHook stops once the step read in a run, + 1, is
    # the last step; the printed step is read in the same run as the increment).
    assert other[0][0] > chief[0][0]
    # Both trained at once: the other worker ran many steps, and the chief's step jumped by
    # more than its own increment while the other worker ran (asynchronous updates, as TF1).
    assert len(other) >= 20, len(other)
    assert any(b - a > 1 for (a, _), (b, _) in zip(chief, chief[1:]))
    assert chief[-1][0] >= steps - 1 and other[-1][0] >= steps - 1
    assert "done" in c.text("chief") and "done" in c.text("worker1")
    # The loss falls (one model trained by both): the first batch's loss vs the last ones'.
    assert chief[0][1] > 1.0
    assert max(v for _, v in (chief + other)[-20:]) < 0.01 * chief[0][1]

    # The chief's final checkpoint, read with TensorFlow's own reader.
    latest = tf.train.latest_checkpoint(str(c.ckpt))
    assert latest is not None
    final_step = int(tf.train.load_variable(latest, "global_step"))
    assert final_step >= steps
    w = tf.train.load_variable(latest, "w")
    b = tf.train.load_variable(latest, "b")
    x, y = _data()
    mse = float(np.mean((x @ w + b - y) ** 2))
    assert mse < 0.01 * chief[0][1], mse
    # The hooks ran: LoggingTensorHook printed, CheckpointSaverHook wrote steps 0 and 50, ...
    assert re.search(r"loss = \S+, step = \d+", c.text("chief"))
    assert tf.train.get_checkpoint_state(str(c.ckpt)).all_model_checkpoint_paths


@pytest.mark.parametrize("killed", ["worker1", "chief"])
def test_killing_a_worker_leaves_the_other_training(cluster_factory, killed):
    steps = 400
    c = cluster_factory(steps, 0.03)
    c.start_training(worker1_through_run=False)
    c.procs[killed].send_signal(signal.SIGKILL)
    survivor = "chief" if killed == "worker1" else "worker1"
    killed_at = c.steps(survivor)[-1][0]
    assert killed_at < steps - 20, "the run ended before the kill: raise the test's steps"
    assert c.wait_exit(survivor) == 0, c.text(survivor)[-3000:]
    assert c.steps(survivor)[-1][0] >= steps - 1
    assert "done" in c.text(survivor)
    if survivor == "chief":  # its CheckpointSaverHook saved the last step at the end
        final = tf.train.load_variable(tf.train.latest_checkpoint(str(c.ckpt)), "global_step")
        assert final >= steps


def test_killing_the_ps_gives_the_workers_a_clear_error(cluster_factory):
    c = cluster_factory(10 ** 9, 0.02)
    c.start_training(worker1_through_run=True)
    c.procs["ps"].send_signal(signal.SIGKILL)
    c.wait_exit("ps", 30)
    for name in ("chief", "worker1"):
        assert c.wait_exit(name, 60) != 0
        text = c.text(name)
        assert "UnavailableError" in text, text[-3000:]
        assert "/job:ps/replica:0/task:0" in text, text[-3000:]


# ----- in this process: placement, arguments, a local session -------------------------------
def _model(tf1, cluster):
    with tf1.device(tf1.train.replica_device_setter(worker_device="/job:worker/task:1",
                                                    cluster=cluster)):
        x = tf1.placeholder(tf1.float32, [None, 3], name="x")
        w = tf1.get_variable("w", [3, 2], initializer=tf1.zeros_initializer())
        b = tf1.get_variable("b", [2], initializer=tf1.zeros_initializer())
        v = tf1.Variable(tf1.ones([2]), name="v")
        y = tf1.nn.relu(tf1.matmul(x, w) + b + v, name="y")
        step = tf1.train.get_or_create_global_step()
    return {"w": w, "b": b, "v": v, "global_step": step}, y


def test_replica_device_setter_places_as_tf1():
    cluster = {"ps": ["h:1", "h:2"], "worker": ["h:3", "h:4"]}
    with tf.Graph().as_default():
        ref_vars, ref_y = _model(tf.compat.v1, tf.train.ClusterSpec(cluster))
        ref = {k: v.device for k, v in ref_vars.items()}
        ref_y_device = ref_y.device
    with shim.Graph().as_default():
        got_vars, got_y = _model(shim, shim.train.ClusterSpec(cluster))
        got = {k: v.device for k, v in got_vars.items()}
    assert got == ref
    assert sorted(set(ref.values())) == ["/job:ps/task:0", "/job:ps/task:1"]  # round-robin
    assert got_y.device == ref_y_device == "/job:worker/task:1"
    assert shim.train.replica_device_setter(cluster={"worker": ["h:1"]}) is None


def test_a_local_session_refuses_ps_devices_as_tf1():
    def run(tf1, graph, session):
        with graph.as_default():
            _, y = _model(tf1, {"ps": ["h:1"], "worker": ["h:2", "h:3"]})
            with session() as sess:
                with pytest.raises(tf.errors.InvalidArgumentError,
                                   match="(?s)assign a device.*/job:ps"):
                    sess.run(tf1.global_variables_initializer())
                    sess.run(y, {"x:0": np.ones([1, 3], np.float32)})

    run(tf.compat.v1, tf.Graph(), tf.compat.v1.Session)
    run(shim, shim.Graph(), shim.Session)


def test_server_arguments_as_tf1():
    two_jobs = {"ps": ["localhost:1"], "worker": ["localhost:2", "localhost:3"]}
    for kwargs in ({}, {"job_name": "worker"}):
        with pytest.raises(ValueError) as ref:
            tf.distribute.Server(two_jobs, start=False, **kwargs)
        with pytest.raises(ValueError) as got:
            shim.train.Server(two_jobs, start=False, **kwargs)
        assert str(got.value) == str(ref.value)
    with pytest.raises(ValueError, match="No task 5 in job 'worker'"):
        shim.train.Server(two_jobs, job_name="worker", task_index=5)
    with pytest.raises(ValueError, match="No such job in cluster: 'chief'"):
        shim.train.Server(two_jobs, job_name="chief", task_index=0)
    assert shim.train.ClusterSpec is tf.train.ClusterSpec


def test_a_session_target_that_is_no_server_of_this_process():
    with shim.Graph().as_default():
        shim.constant(1)
        with pytest.raises(ValueError, match=r"grpc://127\.0\.0\.1:9.*not the target of a "
                                             r"tf\.train\.Server created in this process"):
            shim.Session("grpc://127.0.0.1:9")


CHECKS = textwrap.dedent(r'''
    import json, socket, sys
    import numpy as np
    import tensorflow as tf2
    import tftrain_compat as tf
    out = {}
    server = tf.train.Server.create_local_server()
    out["target"] = server.target
    v = tf.Variable([1.0, 2.0], name="v")
    inc = tf.assign_add(v, [1.0, 1.0])
    with tf.Session(server.target) as sess:
        out["sess_str"] = sess.sess_str
        try:
            sess.run(v)
        except tf.errors.FailedPreconditionError as e:
            out["uninit"] = str(e).splitlines()[0]
        sess.run(tf.global_variables_initializer())
        sess.run(inc)
    with tf.Session(server.target) as sess:   # TF1: the server's variables outlive a session
        out["second"] = sess.run(v).tolist()
    try:
        tf.train.Server.create_local_server().target
        other = tf.train.Server({"localhost": [server.target[len("grpc://"):]]})
    except ValueError as e:
        out["same_target"] = str(e)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ps = tf.train.Server({"ps": ["localhost:%d" % port]}, job_name="ps", task_index=0)
    try:
        tf.Session(ps.target)
    except ValueError as e:
        out["ps_target"] = str(e)
    print(json.dumps(out))
''')


def test_a_local_server_target_runs_sessions_sharing_its_variables(tmp_path):
    script = tmp_path / "checks.py"
    script.write_text(CHECKS)
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env=_env(), timeout=STARTUP_S, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    import json
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert re.fullmatch(r"grpc://localhost:\d+", out["target"])
    assert out["sess_str"] == out["target"]
    assert out["uninit"] == "Attempting to use uninitialized value v"
    assert out["second"] == [2.0, 3.0]
    assert "already exists in this process" in out["same_target"]
    assert "only serves (a ps task" in out["ps_target"]


PLACED = textwrap.dedent(r'''
    import json, sys
    import numpy as np
    import tftrain_compat as tf
    ps, worker, job = sys.argv[1:4]
    cluster = tf.train.ClusterSpec({"ps": ["127.0.0.1:" + ps], "worker": ["127.0.0.1:" + worker]})
    server = tf.train.Server(cluster, job_name=job, task_index=0)
    if job == "ps":
        print("ps serving", flush=True)
        server.join()
    out = {}
    tf.set_random_seed(3)
    with tf.device("/job:ps/task:0"):   # ops of every kind pinned to the ps
        v = tf.Variable(tf.random_normal([3]), name="v")
        r = tf.random_uniform([2])
        q = tf.FIFOQueue(3, tf.float32, shapes=[[]])
        enq = q.enqueue([4.0])
    local = tf.Variable(7.0, name="local")   # no device: on the worker
    with tf.Session(server.target) as sess:
        out["uninit"] = sess.run(tf.report_uninitialized_variables()).astype(str).tolist()
        sess.run(tf.global_variables_initializer())
        out["v"], out["r"], out["local"] = (sess.run(v).tolist(), sess.run(r).tolist(),
                                            float(sess.run(local)))
        sess.run(enq)
        out["dequeued"] = float(sess.run(q.dequeue()))
        sess.run(tf.assign_add(v, [1.0, 1.0, 1.0]))
    with tf.Graph().as_default():   # another graph's session: the ps's variable, by name
        with tf.device("/job:ps/task:0"):
            v2 = tf.Variable(tf.zeros([3]), name="v")
        with tf.Session(server.target) as sess:
            out["uninit_again"] = sess.run(tf.report_uninitialized_variables()).astype(str).tolist()
            out["v_again"] = sess.run(v2).tolist()
    print(json.dumps(out), flush=True)
''')


def test_ops_pinned_to_the_ps_and_variables_shared_by_sessions(tmp_path):
    script = tmp_path / "placed.py"
    script.write_text(PLACED)
    ps_port, worker_port = free_ports(2)
    ps_log = tmp_path / "ps.log"
    with open(ps_log, "wb") as out:
        ps = subprocess.Popen([sys.executable, str(script), str(ps_port), str(worker_port), "ps"],
                              stdout=out, stderr=subprocess.STDOUT, env=_env(), cwd=tmp_path)
    try:
        worker = subprocess.run(
            [sys.executable, str(script), str(ps_port), str(worker_port), "worker"],
            capture_output=True, text=True, env=_env(), timeout=STARTUP_S, cwd=tmp_path)
        assert worker.returncode == 0, worker.stdout[-2000:] + worker.stderr[-3000:]
    finally:
        ps.kill()
        ps.wait(30)
    import json
    out = json.loads(worker.stdout.strip().splitlines()[-1])
    with tf.Graph().as_default():   # TF1's numbers for the same seeds, in one process
        tf.compat.v1.set_random_seed(3)
        v = tf.compat.v1.Variable(tf.compat.v1.random_normal([3]), name="v")
        r = tf.compat.v1.random_uniform([2])
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            want_v, want_r = sess.run(v), sess.run(r)
    assert out["uninit"] == ["v", "local"]
    assert np.array_equal(np.float32(out["v"]), want_v)
    assert np.array_equal(np.float32(out["r"]), want_r)
    assert out["local"] == 7.0 and out["dequeued"] == 4.0
    assert out["uninit_again"] == []
    assert np.array_equal(np.float32(out["v_again"]), want_v + np.float32(1.0))
