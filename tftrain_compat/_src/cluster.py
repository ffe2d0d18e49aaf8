"""TF1 between-graph replication: ``tf.train.ClusterSpec``, ``tf.train.Server`` and
``tf.train.replica_device_setter`` on TF2's distributed runtime.

TF1's between-graph scripts start one ``Server(cluster, job_name, task_index)`` per process:
the ps tasks only serve (``server.join()``), each worker builds the graph under
``replica_device_setter`` (variables on ``/job:ps`` tasks, round-robin) and runs it in
``Session(server.target)``; the variables live on the ps tasks, shared by every worker's
session.

Here a Server of a serving job (``ps``) is TF2's ``tf.distribute.Server``. A Server of any other
job (a worker, the process's own client task) starts nothing at construction: the first Session
made with its ``target`` connects this process's eager runtime to the cluster
(``tf.config.experimental_connect_to_cluster``) as that task, with a *reduced* cluster of the
serving jobs' tasks and this task alone, so a worker depends on the ps tasks only, never on the
other workers being up (TF1's workers did not talk to each other either). That connection
serves this task's address itself, so no second server is started on its port. Such a Server
whose ``join()`` is called before any Session connected it serves as a plain
``tf.distribute.Server`` instead (a task that only serves, whatever its job's name).

The Session then keeps each variable in the resource manager of the variable's device under the
variable's name (``session.py``), as TF1's cluster sessions did.
"""
from __future__ import annotations

import logging
import socket
import threading
from typing import Any

import tensorflow as tf

from tftrain_compat._src import errors as _errors

_log = logging.getLogger("tftrain_compat")

ClusterSpec = tf.train.ClusterSpec
"""TF1 ``tf.train.ClusterSpec``: TensorFlow's own class (TF2 kept it unchanged)."""

# The jobs whose tasks only serve variables to the other tasks (TF1's replica_device_setter
# puts variables on "/job:ps" by default).
SERVING_JOBS = frozenset({"ps"})

_lock = threading.Lock()
_servers: dict[str, "Server"] = {}   # target -> the Server of this process with that target
_connected: list["Server"] = []       # the Server this process's runtime is connected as


def _server_def(server_or_cluster_def: Any, job_name: str | None, task_index: int | None,
                protocol: str | None, config: Any) -> tf.train.ServerDef:
    """TF1's ServerDef from a ServerDef, ClusterSpec, ClusterDef or dict, with TF1's checks."""
    if isinstance(server_or_cluster_def, tf.train.ServerDef):
        server_def = tf.train.ServerDef()
        server_def.CopyFrom(server_or_cluster_def)
        if job_name is not None:
            server_def.job_name = job_name
        if task_index is not None:
            server_def.task_index = task_index
        if protocol is not None:
            server_def.protocol = protocol
    else:
        try:
            cluster = ClusterSpec(server_or_cluster_def)
        except TypeError:
            raise TypeError("Could not convert `server_or_cluster_def` to a `tf.train.ServerDef` "
                            "or `tf.train.ClusterSpec`.") from None
        if job_name is None:
            if len(cluster.jobs) != 1:
                raise ValueError("Must specify an explicit `job_name`.")
            job_name = cluster.jobs[0]
        if job_name not in cluster.jobs:
            raise ValueError(f"No such job in cluster: {job_name!r} (the cluster's jobs: "
                             f"{cluster.jobs})")
        if task_index is None:
            indices = cluster.task_indices(job_name)
            if len(indices) != 1:
                raise ValueError("Must specify an explicit `task_index`.")
            task_index = indices[0]
        server_def = tf.train.ServerDef(cluster=cluster.as_cluster_def(), job_name=job_name,
                                        task_index=task_index, protocol=protocol or "grpc")
    if config is not None:
        server_def.default_session_config.CopyFrom(config)
    try:
        ClusterSpec(server_def.cluster).task_address(server_def.job_name, server_def.task_index)
    except ValueError:
        raise ValueError(f"No task {server_def.task_index} in job {server_def.job_name!r} of "
                         "the cluster.") from None
    return server_def


class Server:
    """TF1 ``tf.train.Server(server_or_cluster_def, job_name=None, task_index=None,
    protocol=None, config=None, start=True)``: this process's task of a cluster.

    ``target`` is ``grpc://localhost:PORT`` (PORT: this task's port in the cluster), the value a
    Session (or ``MonitoredTrainingSession(master=...)``) of this process is given to run on the
    cluster. ``join()`` blocks for the life of the process (TF1: until the server shut down).
    """

    def __init__(self, server_or_cluster_def: Any, job_name: str | None = None,
                 task_index: int | None = None, protocol: str | None = None, config: Any = None,
                 start: bool = True) -> None:
        self._server_def = _server_def(server_or_cluster_def, job_name, task_index, protocol,
                                       config)
        self._cluster = ClusterSpec(self._server_def.cluster)
        address = self._cluster.task_address(self._server_def.job_name,
                                             self._server_def.task_index)
        self._port = int(address.rsplit(":", 1)[1])
        self._target = f"grpc://localhost:{self._port}"
        self._server: Any = None       # the tf.distribute.Server of a task that only serves
        self._serving = self._server_def.job_name in SERVING_JOBS
        with _lock:
            if self._target in _servers:
                raise ValueError(_errors.with_help(
                    f"A tf.train.Server with target {self._target} already exists in this "
                    "process.", "use that Server; one process is one task of a cluster."))
            if self._serving:  # a failure here (the port is taken) registers nothing
                self._serve(start)
            _servers[self._target] = self

    # ----- TF1's properties ------------------------------------------------------------------
    server_def = property(lambda self: self._server_def)
    target = property(lambda self: self._target)

    @staticmethod
    def create_local_server(config: Any = None, start: bool = True) -> "Server":
        """TF1's single-task cluster in this process (job ``localhost``, a free loopback port)."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        return Server({"localhost": [f"localhost:{port}"]}, protocol="grpc", config=config,
                      start=start)

    # ----- lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        """Starts serving (a serving task); a client task starts with its first Session."""
        if self._server is not None:
            self._server.start()

    def join(self) -> None:
        """Blocks until the process ends, serving this task's address meanwhile."""
        if self._server is None and not self.connected:
            self._serve(True)
        if self._server is not None:
            self._server.start()  # TF1's join served a Server made with start=False too
            self._server.join()
        else:  # the eager runtime serves this task: block as TF1's join did
            threading.Event().wait()

    def _serve(self, start: bool) -> None:
        self._server = tf.distribute.Server(self._server_def, start=start)

    # ----- the client side -----------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self in _connected

    def reduced_cluster(self) -> Any:
        """The serving jobs' tasks and this task: what this task's sessions reach."""
        cluster = self._cluster.as_dict()
        jobs: dict[str, Any] = {job: cluster[job] for job in cluster if job in SERVING_JOBS}
        job, task = self._server_def.job_name, self._server_def.task_index
        jobs[job] = {task: self._cluster.task_address(job, task)}
        return ClusterSpec(jobs)

    def connect(self) -> None:
        """Connects this process's runtime to the cluster as this task (once per process)."""
        with _lock:
            if self in _connected:
                return
            if self._server is not None:
                raise ValueError(_errors.with_help(
                    f"Session(target={self._target!r}): this Server ({self._task_name()}) only "
                    "serves (a ps task, or a task whose join() was called).",
                    "run sessions in the worker processes, with their own Server's target."))
            if _connected:
                raise ValueError(_errors.with_help(
                    f"Session(target={self._target!r}): this process already runs sessions as "
                    f"{_connected[0]._task_name()}.",
                    "run each task in its own process (one process is one task of a cluster)."))
            _log.info("Connecting to the cluster %s as %s", self.reduced_cluster().as_dict(),
                      self._task_name())
            tf.config.experimental_connect_to_cluster(
                self.reduced_cluster(), job_name=self._server_def.job_name,
                task_index=self._server_def.task_index,
                protocol=self._server_def.protocol or "grpc")
            _connected.append(self)

    def _task_name(self) -> str:
        return f"/job:{self._server_def.job_name}/task:{self._server_def.task_index}"


def _normalise(target: str) -> str:
    for host in ("127.0.0.1", "[::1]", "::1"):
        target = target.replace(f"//{host}:", "//localhost:")
    return target


def connect_target(target: str) -> Server:
    """The Server of this process whose target ``target`` is, connected (for ``Session``)."""
    server = _servers.get(_normalise(target))
    if server is None:
        raise ValueError(_errors.with_help(
            f"Session(target={target!r}): not the target of a tf.train.Server created in this "
            f"process (known targets: {sorted(_servers) or 'none'}).",
            "tftrain_compat runs a cluster session through this process's own task: create "
            "tf.train.Server(cluster, job_name, task_index) and pass server.target."))
    server.connect()
    return server


def replica_device_setter(ps_tasks: int = 0, ps_device: str = "/job:ps",
                          worker_device: str = "/job:worker", merge_devices: bool = True,
                          cluster: Any = None, ps_ops: Any = None, ps_strategy: Any = None):
    """TF1 ``tf.train.replica_device_setter``: a device function for ``tf.device`` that puts
    variable ops on the ps tasks (round-robin, or ``ps_strategy``) and every other op on
    ``worker_device``; None when there are no ps tasks. TensorFlow's own TF1 builder
    (stateless; it reads the backing graph's ops)."""
    return tf.compat.v1.train.replica_device_setter(
        ps_tasks=ps_tasks, ps_device=ps_device, worker_device=worker_device,
        merge_devices=merge_devices, cluster=cluster, ps_ops=ps_ops, ps_strategy=ps_strategy)
