"""Replicas across several processes (hosts): ``MultiWorkerMirroredStrategy`` from ``TF_CONFIG``.

TF1 had no such switch; this is tftrain_compat's own, the multi-host form of the replicas mode
(``replicas.py``). The same unchanged script is started once per worker, each with ``TF_CONFIG``
set as TF2 documents it -- ``{"cluster": {"worker": ["host0:port", "host1:port"]}, "task":
{"type": "worker", "index": i}}`` (a ``"chief"`` job may come first) -- and with
``python -m tftrain_compat run --multi-worker`` or ``$TFTRAIN_COMPAT_MULTI_WORKER=1``.
``TF_CONFIG`` alone changes nothing: a script that happens to run with it set (e.g. a TF1 cluster
script, ``cluster.py``) keeps its ordinary sessions.

TensorFlow configures the collective runtime when its context starts, so the strategy is made
before any other TensorFlow work in the process: by ``_early_cli`` (for ``--multi-worker``) or at
the very start of ``tftrain_compat/__init__`` (for the environment variable), like the logical
devices of ``replica_devices``. Each worker's replicas are its GPUs, else its CPU (one replica).

Collectives wait at most ``$TFTRAIN_COMPAT_MULTI_WORKER_TIMEOUT`` seconds (default 600) for the
other workers, then fail with TF's DeadlineExceededError; a worker that is gone (its process
ended) makes the others' collectives fail at once with TF's UnavailableError.
"""
from __future__ import annotations

import json
import os
from typing import Any

from tftrain_compat._src.replica_devices import ReplicaError

ENV = "TFTRAIN_COMPAT_MULTI_WORKER"
TIMEOUT_ENV = "TFTRAIN_COMPAT_MULTI_WORKER_TIMEOUT"
DEFAULT_TIMEOUT_S = 600.0
_requested: list[bool] = []    # --multi-worker (set by _early_cli)
_strategy: list[Any] = []      # the process's MultiWorkerMirroredStrategy, once made


def request() -> None:
    """Records ``--multi-worker`` (the command line's early step)."""
    _requested[:] = [True]


def requested() -> bool:
    """Whether ``--multi-worker`` or ``$TFTRAIN_COMPAT_MULTI_WORKER`` asks for several workers."""
    if _requested:
        return True
    text = os.environ.get(ENV, "").strip().lower()
    if text in ("", "0", "false", "no", "off"):
        return False
    if text in ("1", "true", "yes", "on"):
        return True
    raise ReplicaError(f"${ENV}={text!r}: expected 1 (on) or 0 (off).")


def timeout_s() -> float:
    """Seconds a collective waits for the other workers ($TFTRAIN_COMPAT_MULTI_WORKER_TIMEOUT)."""
    text = os.environ.get(TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_TIMEOUT_S
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise ReplicaError(f"${TIMEOUT_ENV}={text!r}: expected a number of seconds > 0.")
    return value


def task() -> tuple[str, int, int]:
    """(task type, task index, number of workers) from ``TF_CONFIG``; ReplicaError if unusable."""
    text = os.environ.get("TF_CONFIG", "").strip()
    if not text:
        raise ReplicaError(f"Several workers (--multi-worker, ${ENV}) need TF_CONFIG, which is "
                           "not set. - help: set TF_CONFIG='{\"cluster\": {\"worker\": "
                           "[\"host0:port\", \"host1:port\"]}, \"task\": {\"type\": \"worker\", "
                           "\"index\": 0}}' (this worker's index) on every worker.")
    try:
        config = json.loads(text)
        cluster = config["cluster"]
        kind, index = config["task"]["type"], int(config["task"]["index"])
        workers = len(cluster.get("chief", [])) + len(cluster.get("worker", []))
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise ReplicaError(f"TF_CONFIG={text!r} is not usable for several workers ({err!r}): "
                           "expected {\"cluster\": {\"worker\": [\"host:port\", ...]}, \"task\": "
                           "{\"type\": \"worker\", \"index\": i}}.") from None
    if kind not in ("worker", "chief") or not 0 <= index < len(cluster.get(kind, [])):
        raise ReplicaError(f"TF_CONFIG's task {config['task']!r} is not one of its cluster's "
                           f"workers {cluster!r}: expected type 'worker' (or 'chief') and an "
                           "index into that job's list.")
    return kind, index, workers


def configure() -> Any:
    """The process's ``MultiWorkerMirroredStrategy`` (made on the first call, before TF starts)."""
    if _strategy:
        return _strategy[0]
    task()  # a clear error for a missing or malformed TF_CONFIG, before TF reads it
    import tensorflow as tf

    try:
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
    except (RuntimeError, ValueError) as err:
        raise ReplicaError(
            f"MultiWorkerMirroredStrategy could not be made ({err}); it must be made before "
            "TensorFlow starts its runtime. - help: ask for several workers before TensorFlow "
            f"starts: `python -m tftrain_compat run --multi-worker script.py` or ${ENV}=1 in the "
            "environment (read when tftrain_compat is imported).") from None
    _strategy[:] = [strategy]
    return strategy


def configure_requested() -> Any:
    """``configure`` if several workers are requested (the first step of importing the package)."""
    return configure() if requested() else None


def strategy() -> Any:
    """The strategy made by ``configure``, or None."""
    return _strategy[0] if _strategy else None
