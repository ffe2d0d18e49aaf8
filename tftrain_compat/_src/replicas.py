"""Data-parallel replicas for unchanged TF1 scripts: training runs under ``MirroredStrategy``.

TF1 had no such switch (its scripts placed towers by hand); this is tftrain_compat's own. With
``python -m tftrain_compat run --replicas N``, ``$TFTRAIN_COMPAT_REPLICAS=N`` or
``tftrain_compat.distribute(replicas=N)``, every *training* ``Session.run`` -- one whose fetches
reach an op made by a tf.train optimizer's ``minimize``/``apply_gradients`` -- runs as:

1. **Random draws, once, for the global batch.** The stateful random ops the gradients need
   (dropout's ``RandomUniform``) are run alone with the whole batch's shape, from the session's
   own streams, so every stream advances exactly as in the single-device run and the numbers are
   the same. A drawn tensor whose declared dimension 0 is unknown is the batch's: each replica
   gets its slice; any other drawn tensor is given whole to every replica.
2. **Per-replica gradients.** The fed batch tensors -- feeds declared with an unknown dimension 0
   -- are split along dimension 0 into N equal shards (other feeds go whole to every replica);
   ``strategy.run`` computes the gradients recorded by ``compute_gradients`` on each shard and
   all-reduces them (below).
3. **One update.** The run's own fetches are then run once, as the script asked, with the
   reduced gradients and the drawn random tensors fed: the optimizer's apply op updates the
   session's variables once (TF1-style session state, not mirrored variables); everything
   between the gradients and the update (clipping, ``global_step``) runs on the reduced
   gradients. The fetched tensors and variables that do not wait for the update are fetched
   first, in a run of their own: before the update, as the single-device run reads them, a
   tensor (the loss) computed on the whole batch with the same random numbers (one more forward
   pass when one is fetched); then the ops (the update) and what waits for them.

Every other run (evaluation, ``accuracy`` on the test set) takes the ordinary path.

**Several workers** (``run --multi-worker``, ``$TFTRAIN_COMPAT_MULTI_WORKER=1``, ``TF_CONFIG``;
``multi_worker.py``): the same unchanged script runs on every worker, each feeding its own
batches, and step 2 runs under ``MultiWorkerMirroredStrategy``: each worker splits its batch over
its own replicas (its GPUs, else one: its CPU) and the gradients are all-reduced over all the
workers' replicas; every worker then applies the same reduced gradients to its own session's
variables. The global batch is the concatenation of the workers' batches (in task order), so
a training run equals the single-process run on that batch (up to the order of the sums) when:
every worker feeds a batch of the same size (checked in the same collective step: ReplicaError on
every worker, nothing updated) and all start from the same variables -- at a session's first
training run every worker takes the chief's (task 0's) value of each initialized global variable
(gathered, exact), so unseeded or differently seeded initializers are fine, but the workers must
hold the same variables then (else ReplicaError). Other state is each worker's own: the random
draws of step 1 come from each worker's session streams, drawn for its own batch's shape, so
they are not a single process's draws for the global batch (and with the same seeds the workers
draw alike): a training run with random ops in its gradients (dropout) equals no single-process
run, though each worker's draws are as random as a single process's; fetched tensors (the loss) are computed on the worker's own batch (their mean
over workers is the global batch's, for a mean loss); evaluation runs, ``global_step`` and
savers are per worker (the same on every worker, since the updates are). A worker whose process
ended makes the others' collectives fail at once (TF's UnavailableError; measured 0.1 s on one
host); one that does not join (busy, hung, or its host unreachable) within
``$TFTRAIN_COMPAT_MULTI_WORKER_TIMEOUT`` seconds (default 600) DeadlineExceededError; both
name the worker problem first, and the process's collectives cannot be used again. At exit a
worker that trained waits (at most 60 s) for the others in one more collective, so that a peer
still reading the last step's data finds it alive.

**Reduction.** The gradient of a loss that is a mean over the batch (plus terms that do not
depend on the batch, e.g. weight decay) is the mean of the shards' gradients; that of a sum over
the batch is their sum. This is read from the loss's graph (``replica_graph.loss_kind``):
Identity/Neg/Cast/Add/Sub/AddN and products or quotients with batch-independent tensors around
``Mean``/``Sum`` ops whose axes include 0 (a mean, a sum); a sum over the batch divided by
``tf.shape(x)[0]``, or by a sum over the batch that does not depend on the examples' values
(``tf.losses``' count of non-zero weights for constant weights), is a mean. The limit: a loss of
any other form (a sum plus batch-independent terms, a division by a value-dependent count, e.g.
of per-example weights that are fed, gradients from ``tf.gradients`` rather than an optimizer) is
refused with ReplicaError, unless ``reduction='mean'|'sum'`` is given
(``distribute(replicas=N, reduction=...)``, ``$TFTRAIN_COMPAT_REPLICA_REDUCTION``); a wrong
explicit reduction is not detected. The result equals the single-device run's up to the order
of the floating-point sums (each shard sums its own examples, then the shards are added).

**Refused (ReplicaError, checked before anything runs):** a batch not divisible by N, batch feeds
of different sizes in one run, a training run without a fed batch (input from queues or
tf.data), a feed of unknown rank fed with different shapes in two training runs, a forward pass
that couples the examples of a batch (``FusedBatchNorm`` in training mode, a reduction over
axis 0 or over axes not known statically -- ``tf.nn.moments`` over the batch -- before the loss,
a ``MatMul`` contracting dimension 0), a gradient computation that changes state (an assignment
or a dequeue would run once per replica) or draws random numbers inside tf.cond/while_loop
bodies, sparse (IndexedSlices) gradients, and more replicas than devices. Not detected: other
ops that mix examples (a reshape across the batch, ``tf.random_shuffle`` of the batch).
"""
from __future__ import annotations

import atexit
import hashlib
import logging
import os
import threading
import types
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import tensorflow as tf

from tftrain_compat._src import fetches as _fetches
from tftrain_compat._src import lowering
from tftrain_compat._src import multi_worker
from tftrain_compat._src import replica_devices
from tftrain_compat._src.replica_graph import (
    MEAN, RANDOM, SHAPED_RANDOM, SUM, ancestors, batch_dependent, check_coupling, check_state,
    loss_kind, node_name, tensor_name)
from tftrain_compat._src import session as _session
from tftrain_compat._src import wrap as _wrap
from tftrain_compat._src.errors import with_help
from tftrain_compat._src.replica_devices import ReplicaError

__all__ = ["ReplicaError", "enable", "enable_multi_worker", "disable", "replicas",
           "record_gradients", "record_apply"]

_log = logging.getLogger("tftrain_compat")
REDUCTION_ENV = "TFTRAIN_COMPAT_REPLICA_REDUCTION"
_local = threading.local()


# ----- what the optimizers record ---------------------------------------------------------------
@dataclass
class _Records:
    gradients: dict[str, str] = field(default_factory=dict)  # gradient tensor -> its loss tensor
    sparse: dict[str, str] = field(default_factory=dict)     # IndexedSlices values -> variable
    applies: dict[str, list[str]] = field(default_factory=dict)  # apply op -> gradient tensors


def _records(graph) -> _Records | None:
    return graph.__dict__.get("_replica_records")


def _new_records(graph) -> _Records:
    rec = _records(graph)
    if rec is None:
        rec = graph._replica_records = _Records()
    return rec


def record_gradients(graph, loss: tf.Tensor, grads_and_vars) -> None:
    """``compute_gradients``' result (backing objects): the gradients of ``loss``."""
    rec = _new_records(graph)
    for grad, var in grads_and_vars:
        if isinstance(grad, tf.IndexedSlices):
            rec.sparse[grad.values.name] = var.name
        elif grad is not None:
            rec.gradients[grad.name] = loss.name


def record_apply(graph, apply_op: tf.Operation, grads_and_vars) -> None:
    """``apply_gradients``' op and the (gradient, variable) pairs (backing objects) it applies."""
    rec = _new_records(graph)
    names = []
    for grad, var in grads_and_vars:
        if isinstance(grad, tf.IndexedSlices):
            rec.sparse.setdefault(grad.values.name, var.name)
            names.append(grad.values.name)
        elif grad is not None:
            names.append(grad.name)
    rec.applies[apply_op.name] = names


# ----- switching replicas on --------------------------------------------------------------------
@dataclass
class _Config:
    count: int
    devices: list[str]
    strategy: Any
    reduction: str | None
    workers: int = 1      # processes (hosts) in the strategy's cluster: >1 with --multi-worker


_config: list[_Config] = []
_strategies: dict[tuple, Any] = {}  # devices -> their MirroredStrategy (one per device set)


def enable(replicas: int, reduction: str | None = None) -> list[str]:
    """Runs every later training ``Session.run`` on ``replicas`` local devices; returns them.

    ``reduction``: None (read from the loss), ``'mean'`` or ``'sum'`` (how the shards'
    gradients combine). ``replicas=1`` switches replicas off. Logical CPU devices can only be
    made before TensorFlow starts its devices (``--replicas``/``$TFTRAIN_COMPAT_REPLICAS``);
    afterwards only existing GPUs or CPU devices are used, else ReplicaError.
    """
    if isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 1:
        raise ReplicaError(f"distribute(replicas={replicas!r}): expected an int >= 1.")
    if reduction not in (None, MEAN, SUM):
        raise ReplicaError(f"distribute(reduction={reduction!r}): expected None, 'mean' or 'sum'.")
    if replicas == 1:
        disable()
        return replica_devices.configure(1)
    devices = replica_devices.configure(replicas)
    strategy = _strategies.get(tuple(devices))
    if strategy is None:
        # CPU devices: add_n on the first device (collective all-reduce groups of two sizes
        # cannot coexist in one process); GPUs: the strategy's own choice (NCCL).
        cross = (tf.distribute.ReductionToOneDevice(devices[0])
                 if "GPU" not in devices[0] else None)
        strategy = _strategies[tuple(devices)] = tf.distribute.MirroredStrategy(
            devices, cross_device_ops=cross)
    _config[:] = [_Config(replicas, devices, strategy, reduction)]
    _session.run_hook = _run_hook
    _log.info("tftrain_compat: training runs on %d replicas: %s", replicas, ", ".join(devices))
    return devices


def disable() -> None:
    """Back to single-device training runs."""
    _config.clear()
    _session.run_hook = None


def replicas() -> int:
    """The replica count in effect, all workers' together (1: off)."""
    return _config[0].count * _config[0].workers if _config else 1


def enable_multi_worker(reduction: str | None = None) -> int:
    """Runs every later training ``Session.run`` across the workers of ``TF_CONFIG``'s cluster
    (``multi_worker.py``); returns the number of replicas in sync (all workers' together).

    The strategy must have been made before TensorFlow started (``--multi-worker`` or
    ``$TFTRAIN_COMPAT_MULTI_WORKER=1``), else ReplicaError.
    """
    if reduction not in (None, MEAN, SUM):
        raise ReplicaError(f"reduction={reduction!r}: expected None, 'mean' or 'sum'.")
    strategy = multi_worker.configure()
    local = len(strategy.extended.worker_devices)
    total = strategy.num_replicas_in_sync
    _config[:] = [_Config(local, list(strategy.extended.worker_devices), strategy, reduction,
                          workers=total // local)]
    _session.run_hook = _run_hook
    _exit_barrier.armed = True
    _log.info("tftrain_compat: training runs on %d replicas in sync (%d workers)", total,
              total // local)
    return total


def enable_requested() -> None:
    """``enable`` for ``--replicas`` / ``$TFTRAIN_COMPAT_REPLICAS`` / ``--multi-worker`` /
    ``$TFTRAIN_COMPAT_MULTI_WORKER`` (at the end of the import)."""
    count = replica_devices.requested()
    several = multi_worker.requested()
    if not several and (count is None or count <= 1):
        return
    reduction = os.environ.get(REDUCTION_ENV, "").strip().lower() or None
    if reduction not in (None, MEAN, SUM):
        raise ReplicaError(f"${REDUCTION_ENV}={reduction!r}: expected 'mean' or 'sum'.")
    if several:
        if count is not None and count > 1:
            raise ReplicaError(with_help(
                f"--replicas/${replica_devices.ENV}={count} and several workers (--multi-worker, "
                f"${multi_worker.ENV}) were both asked for; with several workers each worker's "
                "replicas are its GPUs, else its CPU.", "ask for one of the two."))
        enable_multi_worker(reduction)
    elif count is not None:
        enable(count, reduction)


class _ExitBarrier:
    """At exit, a worker that trained waits for the others: a peer still reading the last
    all-reduce's data from this process must find it alive (an error then is only logged)."""

    armed = False

    def __call__(self) -> None:
        if not (self.armed and _config and _config[0].workers > 1 and _trained):
            return
        strategy = _config[0].strategy
        options = tf.distribute.experimental.CommunicationOptions(
            timeout_seconds=min(60.0, multi_worker.timeout_s()))
        try:
            @tf.function(autograph=False)
            def barrier():
                return strategy.run(lambda: tf.distribute.get_replica_context().all_reduce(
                    tf.distribute.ReduceOp.SUM, tf.ones([]), options=options))
            barrier()
        except Exception as err:  # noqa: BLE001 - the process is ending; nothing to undo
            _log.debug("tftrain_compat: the exit barrier of the workers failed: %s", err)


_trained: list[bool] = []   # a training step ran across workers in this process
_exit_barrier = _ExitBarrier()
atexit.register(_exit_barrier)


class DistributeFront(types.ModuleType):
    """``tf.distribute``: TF's module (TF1 had it), and callable as ``distribute(replicas=N)``."""

    def __init__(self) -> None:
        super().__init__("tf.distribute")
        self._module = _wrap.GuardedModule(tf.distribute, "tf.distribute")
        self.__doc__ = ("tf.distribute (TensorFlow's); call ``tftrain_compat.distribute("
                        "replicas=N, reduction=None)`` to run training Session.run calls "
                        "data-parallel on N local devices (tftrain_compat's own switch).")

    def __call__(self, replicas: int, reduction: str | None = None) -> list[str]:
        return enable(replicas, reduction)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._module, name)

    def __repr__(self) -> str:
        return "<tftrain_compat tf.distribute (callable: distribute(replicas=N))>"


# ----- the session hook -------------------------------------------------------------------------
def _run_hook(sess, fetches: Any, feed_dict: dict) -> Any:
    if getattr(_local, "inside", False) or not _config:
        return _session.NOT_HANDLED
    rec = _records(sess.graph)
    if rec is None or not rec.applies:
        return _session.NOT_HANDLED
    try:
        key: Any = (_fetches.signature(fetches), frozenset(feed_dict))
        cache = sess.__dict__.setdefault("_replica_steps", {})
        step = cache.get(key, False)
    except TypeError:  # unhashable: the ordinary path raises TF1's error
        return _session.NOT_HANDLED
    config = _config[0]
    if step is False or (step is not None and step.config is not config):
        step = _analyse(sess, fetches, feed_dict, rec, config)
        cache[key] = step
    if step is None:
        return _session.NOT_HANDLED
    if config.workers > 1 and sess.sess_str:
        raise ReplicaError(with_help(
            f"A Session of the TF1 cluster target {sess.sess_str!r} cannot train across the "
            "workers of --multi-worker / $TFTRAIN_COMPAT_MULTI_WORKER: the two modes do not mix.",
            "use tf.Session() (no target) with several workers, or run without --multi-worker."))
    _local.inside = True
    try:
        return step.run(sess, fetches, feed_dict)
    finally:
        _local.inside = False


@dataclass
class _Feed:
    key: Any
    name: str          # the fed tensor's name
    batch: bool        # declared with an unknown dimension 0: split
    shapeless: bool    # unknown rank: given whole, must keep one shape


@dataclass
class _Random:
    op: str            # random op name
    output: str        # its output tensor name
    shape_input: str | None  # input 0 of a shaped kernel, fed [B, ...] for the global draw
    tail: tuple | None       # its static output shape after dimension 0 (fully known) or None
    sliced: bool             # dimension 0 is the batch's: one slice per replica


def _analyse(sess, fetches, feed_dict, rec: _Records, config: _Config) -> "_Step | None":
    """The replicated form of one (fetches, fed keys) of one session, or None (not training)."""
    graph = sess.graph
    mapper = _fetches.FetchMapper(graph, fetches)
    backing = graph.backing
    snap = lowering.snapshot(graph)
    nodes = snap.nodes
    feeds: list[_Feed] = []
    fed: set[str] = set()
    for key in feed_dict:
        for component, t, handle in _session._feed_targets(graph, key):
            fed.add(t.name)
            shape = t.shape
            feeds.append(_Feed(key if component is None else (key, component), t.name,
                               batch=(handle is None and shape.rank is not None and shape.rank > 0
                                      and shape[0] is None),
                               shapeless=handle is None and shape.rank is None))
    starts = [node_name(name) for name, _ in mapper.targets]
    needed = ancestors(nodes, starts, fed)
    applies = [op for op in rec.applies if op in needed]
    if not applies:
        return None
    # The gradients to reduce: those compute_gradients made that the updates need (so
    # clipping etc. between them and apply_gradients runs on the reduced gradients).
    grads: dict[str, str | None] = {}
    for op in applies:
        update_needs = ancestors(nodes, [op], fed)
        made = [g for g in rec.gradients if node_name(g) in update_needs and g not in fed]
        for g in made:
            grads[g] = rec.gradients[g]
        for g in rec.applies[op]:
            if g in rec.sparse:
                raise ReplicaError(with_help(
                    f"The update {op!r} applies a sparse (IndexedSlices) gradient "
                    f"({g}, variable {rec.sparse[g]}); replicas reduce dense gradients only.",
                    "densify it (tf.convert_to_tensor) before apply_gradients, or run "
                    "without replicas."))
            if g in fed or g in grads:
                continue
            if not (ancestors(nodes, [node_name(g)], fed) & {node_name(m) for m in made}):
                grads[g] = None  # not from compute_gradients: the loss is not known
    if not grads:
        return None
    batch_feeds = [f for f in feeds if f.batch]
    if not batch_feeds:
        raise ReplicaError(with_help(
            "A training run with replicas needs a batch to split: none of its feeds "
            f"({', '.join(f.name for f in feeds) or 'none'}) is declared with an unknown "
            "dimension 0.", "declare the batch placeholders as tf.placeholder(dtype, "
            "[None, ...]), or run without replicas."))
    batch_names = {f.name for f in batch_feeds}
    losses = sorted({loss for loss in grads.values() if loss is not None})
    reduction = config.reduction
    forward = ancestors(nodes, [node_name(name) for name in losses], fed)
    depends = batch_dependent(nodes, forward, batch_names)
    top: set[str] = set()
    # The loss's own reductions over the batch (recorded in ``top``) are not couplings.
    kinds = {loss: loss_kind(nodes, backing, node_name(loss), depends, top, batch_names)
             for loss in losses}
    if reduction is None:
        if None in grads.values():
            unknown = sorted(g for g, loss in grads.items() if loss is None)
            raise ReplicaError(with_help(
                f"The gradients {unknown} were not made by an optimizer's compute_gradients or "
                "minimize, so the loss they come from is not known and neither is how the "
                "replicas' gradients combine.", "pass the reduction: "
                "tftrain_compat.distribute(replicas=N, reduction='mean' or 'sum') or "
                f"${REDUCTION_ENV}=mean|sum."))
        kinds = {loss: MEAN if kind == "const" else kind for loss, kind in kinds.items()}
        bad = [name for name, kind in kinds.items() if kind not in (MEAN, SUM)]
        if bad:
            raise ReplicaError(with_help(
                f"Cannot tell whether the loss {bad[0]} is a mean or a sum over the batch (it is "
                f"not reduce_mean/reduce_sum over axis 0, plus or times batch-independent "
                f"terms), so the replicas' gradients cannot be combined safely.",
                "pass the reduction: tftrain_compat.distribute(replicas=N, reduction='mean' or "
                f"'sum') or ${REDUCTION_ENV}=mean|sum."))
        if len(set(kinds.values())) > 1:
            raise ReplicaError(with_help(
                f"The losses of one training run reduce differently over the batch ({kinds}); "
                "replicas need one reduction.", "pass reduction='mean' or 'sum'."))
        reduction = next(iter(kinds.values()))
    assert reduction in (MEAN, SUM), reduction
    check_coupling(nodes, backing, forward, depends, top)
    grad_needs = ancestors(nodes, [node_name(g) for g in grads], fed)
    check_state(nodes, snap.graph_def, grad_needs)
    randoms = []
    for name in sorted(grad_needs):
        node = nodes[name]
        if node.op not in RANDOM:
            continue
        out = backing.get_operation_by_name(name).outputs[0]
        shape = out.shape
        sliced = shape.rank is not None and shape.rank > 0 and shape[0] is None
        tail = None
        shape_input = None
        if node.op in SHAPED_RANDOM and shape.rank is not None:
            rest = shape[1:] if sliced else shape
            if rest.is_fully_defined() and (sliced or shape.is_fully_defined()):
                tail = tuple(rest.as_list())
                shape_input = tensor_name(node.input[0])
        randoms.append(_Random(name, out.name, shape_input, tail, sliced))
    # Fetched tensors that do not wait for an update are computed first (before the update, as
    # the single-device run computes them in the forward pass the gradients share).
    consumers: dict[str, list[str]] = {}
    for name in needed:
        for inp in nodes[name].input:
            consumers.setdefault(node_name(inp), []).append(name)
    after: set[str] = set()
    stack = list(applies)
    while stack:
        name = stack.pop()
        if name not in after:
            after.add(name)
            stack.extend(consumers.get(name, ()))
    # The fetches in two runs: first what does not wait for an update (tensors, variables: read
    # before the update, as in the single-device run where the gradients' forward pass reads
    # them), then the ops (the update) and what waits for them.
    variables = {}
    for shim in list(graph._wrappers.values()):
        backing_var = getattr(shim, "_v", None)
        if isinstance(backing_var, tf.Variable):
            variables[backing_var.handle.op.name + ":0"] = shim
    first, second = [], []
    for i, (name, kind) in enumerate(mapper.targets):
        if kind == _fetches.VARIABLE and name in variables:
            first.append((i, variables[name]))
        elif kind == _fetches.TENSOR and node_name(name) not in after:
            first.append((i, name))
        else:
            second.append((i, name))
    return _Step(config, feeds, list(grads), reduction, randoms, (first, second, mapper))


# ----- one replicated step ----------------------------------------------------------------------
class _Step:
    """The three runs of one replicated training step (module docstring)."""

    def __init__(self, config: _Config, feeds: list[_Feed], grads: list[str], reduction: str,
                 randoms: list[_Random], split: tuple) -> None:
        self.config = config
        self.first, self.second, self.mapper = split
        self.feeds = feeds
        self.grads = grads
        self.reduction = reduction
        self.randoms = randoms
        self.shapes: dict[str, tuple] = {}   # shapeless feed -> the shape it was first fed with
        self.checked_draw = False
        self.functions: dict[int, Any] = {}  # id(grad CompiledRun) -> (function, split flags)

    def _batch_size(self, feed_dict: dict) -> int:
        sizes: dict[str, int | None] = {}
        for f in self.feeds:
            value = feed_dict[f.key[0]][f.key[1]] if isinstance(f.key, tuple) else feed_dict[f.key]
            shape = np.shape(value)
            if f.batch:
                sizes[f.name] = shape[0] if shape else None
            elif f.shapeless:
                first = self.shapes.setdefault(f.name, shape)
                if first != shape:
                    raise ReplicaError(with_help(
                        f"{f.name} has no declared shape and was fed {first} in an earlier "
                        f"training run and {shape} now; with replicas a feed is either a batch "
                        f"(split along dimension 0) or the same for every replica.",
                        "declare it: tf.placeholder(dtype, [None, ...]) for a batch, a fixed "
                        "shape otherwise."))
        if len(set(sizes.values())) != 1 or None in sizes.values():
            raise ReplicaError(with_help(
                f"The batch feeds of one training run must share dimension 0 (it is split "
                f"across replicas), got {sizes}.", "feed tensors that are not a batch with "
                "a declared dimension 0 (tf.placeholder(dtype, [k, ...]))."))
        size = int(next(iter(sizes.values())) or 0)
        n = self.config.count
        if size == 0 or size % n:
            raise ReplicaError(with_help(
                f"A batch of {size} (dimension 0 of {', '.join(sorted(sizes))}) cannot be split "
                f"into {n} equal replica shards.",
                f"use a batch size that is a multiple of {n}, or another --replicas / "
                "TFTRAIN_COMPAT_REPLICAS / distribute(replicas=...)."))
        return size

    def _draw(self, sess, feed_dict: dict, size: int) -> dict:
        """The random tensors for the whole batch, from the session's own streams."""
        if not self.randoms:
            return {}
        draw_feeds = dict(feed_dict)
        for r in self.randoms:
            if r.shape_input is not None and r.tail is not None:
                dims = ((size,) if r.sliced else ()) + r.tail
                dtype = sess.graph.backing.get_tensor_by_name(r.shape_input).dtype
                draw_feeds[r.shape_input] = np.array(dims, dtype.as_numpy_dtype)
        if not self.checked_draw:  # once: the shapes given equal the graph's own
            shaped = [r for r in self.randoms if r.shape_input is not None]
            if shaped:
                real = sess.run([r.shape_input for r in shaped], feed_dict)
                for r, value in zip(shaped, real):
                    if list(value) != list(draw_feeds[r.shape_input]):
                        raise ReplicaError(with_help(
                            f"The random op {r.op!r} draws shape {list(value)}, not the "
                            f"{list(draw_feeds[r.shape_input])} its declared shape and the batch "
                            "imply; its dimension 0 is not the batch's.", "run without "
                            "replicas."))
            self.checked_draw = True
        values = sess.run([r.output for r in self.randoms], draw_feeds)
        for r, value in zip(self.randoms, values):
            if r.sliced and value.shape[0] != size:
                raise ReplicaError(with_help(
                    f"The random op {r.op!r} drew dimension 0 {value.shape[0]}, not the batch's "
                    f"{size}.", "run without replicas."))
        return {r.output: v for r, v in zip(self.randoms, values)}

    def _function(self, sess, grad_feeds: dict):
        """The compiled per-replica gradient run and the strategy step around it."""
        key = (tuple(self.grads), frozenset(grad_feeds))
        cache = sess.__dict__.setdefault("_replica_grad_runs", {})
        entry = cache.get(key)
        if entry is not None and entry[0] is self.config.strategy:
            return entry[1], entry[2]
        compiled = sess._compile(list(self.grads), grad_feeds)
        split_names = {f.name for f in self.feeds if f.batch} | {
            r.output for r in self.randoms if r.sliced}
        by_key = {}
        for f in self.feeds:
            by_key[f.key] = f.name
        for r in self.randoms:
            by_key[r.output] = r.output
        flags = []
        for e in compiled.feeds:
            k = e.key if e.component is None else (e.key, e.component)
            flags.append(by_key.get(k, k) in split_names)
        strategy = self.config.strategy
        n = self.config.count
        op = tf.distribute.ReduceOp.MEAN if self.reduction == MEAN else tf.distribute.ReduceOp.SUM
        function = compiled.function
        n_out = len(self.grads)
        specs = [tf.TensorSpec(None if e.dims is None else e.dims, e.np_dtype)
                 for e in compiled.feeds]
        several = self.config.workers > 1
        options = (tf.distribute.experimental.CommunicationOptions(
            timeout_seconds=multi_worker.timeout_s()) if several else None)

        def replica_step(*args):
            ctx = tf.distribute.get_replica_context()
            # The replicas in sync are numbered worker by worker: this worker's own are the
            # ids modulo its replica count.
            rid = ctx.replica_id_in_sync_group % n if several else ctx.replica_id_in_sync_group
            mine = []
            size = None
            for x, split in zip(args, flags):
                if split:
                    size = tf.shape(x)[0] if size is None else size
                    shaped = tf.reshape(x, tf.concat([[n, -1], tf.shape(x)[1:]], 0))
                    x = shaped[rid]
                mine.append(x)
            outs = function(*mine)[:n_out]
            if not several:
                return ctx.all_reduce(op, list(outs))
            # Every worker's batch size, so that all of them can refuse a step whose batches
            # differ (before anything is updated).
            size = tf.constant(-1) if size is None else size
            sizes = ctx.all_gather(tf.reshape(tf.cast(size, tf.int64), [1]), 0, options=options)
            return ctx.all_reduce(op, list(outs), options=options) + [sizes]

        @tf.function(input_signature=specs, autograph=False)
        def step(*args):
            reduced = strategy.run(replica_step, args=args)
            return [strategy.experimental_local_results(t)[0] for t in reduced]

        cache[key] = (strategy, compiled, step)
        return compiled, step

    def run(self, sess, fetches: Any, feed_dict: dict) -> Any:
        size = self._batch_size(feed_dict)
        several = self.config.workers > 1
        if several and not sess.__dict__.get("_replica_broadcast"):
            _broadcast_variables(sess, self.config)  # the chief's values, before anything runs
        drawn = self._draw(sess, feed_dict, size)
        grad_feeds = dict(feed_dict)
        grad_feeds.update(drawn)
        compiled, step = self._function(sess, grad_feeds)
        args = [lowering.to_tensor(_session._feed_value(grad_feeds[e.key], e))
                for e in compiled.feeds]
        if not compiled.reads <= sess._initialized:
            sess._check_initialized(compiled.reads)
        try:
            reduced = step(*args)
        except tf.errors.OpError as err:
            raise _across_workers(sess._translate(err), several) from None
        if several:
            _trained[:] = [True]
            sizes = [int(v) for v in reduced[-1].numpy()[::self.config.count]]
            if len(set(sizes)) > 1:
                raise ReplicaError(with_help(
                    f"The workers fed batches of different sizes to one training run: {sizes} "
                    "(worker by worker); with several workers the global batch is their "
                    "concatenation and every worker's share must be the same size. Nothing was "
                    "updated.", "feed every worker a batch of the same size."))
            reduced = reduced[:-1]
        tensors = dict(zip(self.grads, reduced))
        values: list[Any] = [None] * len(self.mapper.targets)
        for number, part in enumerate((self.first, self.second)):
            if part:
                got = self._run_part(sess, number, [f for _, f in part], grad_feeds, tensors)
                for (i, _), value in zip(part, got):
                    values[i] = value
        return self.mapper.build(values)

    def _run_part(self, sess, number: int, fetches: list, feeds: dict, tensors: dict) -> list:
        """``sess.run(fetches, feeds + tensors)``, the reduced gradients in ``tensors`` fed as
        the eager tensors they are (no trip through NumPy, nor off the device); the rest as
        ``Session.run`` does it (TF1's conversions and checks, the initialization check)."""
        key = (number, frozenset(feeds))
        runs = self.__dict__.setdefault("_parts", {})
        compiled = runs.get(key)
        if compiled is None or compiled[0] is not sess:
            template = dict(feeds)
            template.update((name, t.numpy()) for name, t in tensors.items())
            compiled = runs[key] = (sess, sess._compile(fetches, template))
        run = compiled[1]
        fed = [tensors[e.key] if e.component is None and e.key in tensors
               else _session._feed_value(feeds[e.key], e) for e in run.feeds]
        args = [v if isinstance(v, tf.Tensor) else lowering.to_tensor(v) for v in fed]
        return sess._execute(run, fed, args)


# ----- several workers: the chief's initial values ---------------------------------------------
def _broadcast_variables(sess, config: _Config) -> None:
    """At a session's first training run across workers, every worker takes the chief's (task
    0's) value of every initialized global variable, so all start from the same values (exact:
    the values are gathered, not summed). The workers must hold the same variables."""
    graph = sess.graph
    storages = []
    for shim in graph.get_collection("variables"):
        backing_var = getattr(shim, "_v", None)
        if not isinstance(backing_var, tf.Variable):
            continue
        name: str = backing_var.handle.op.name
        storage = sess._variables.get(name)
        if storage is not None and bool(tf.raw_ops.VarIsInitializedOp(resource=storage.handle)):
            storages.append((name, storage, backing_var.dtype.base_dtype))
    storages.sort(key=lambda item: item[0])
    values = [tf.raw_ops.ReadVariableOp(resource=s.handle, dtype=d) for _, s, d in storages]
    described = ";".join(f"{name}:{v.dtype.name}:{v.shape}" for (name, _, _), v in
                         zip(storages, values))
    digest = int.from_bytes(hashlib.sha256(described.encode()).digest()[:7], "big")
    strategy = config.strategy
    options = tf.distribute.experimental.CommunicationOptions(
        timeout_seconds=multi_worker.timeout_s())

    def gather(tensors):
        def on_replica(*xs):
            ctx = tf.distribute.get_replica_context()
            return ctx.all_gather([tf.expand_dims(x, 0) for x in xs], 0, options=options)
        out = strategy.run(on_replica, args=tuple(tensors))
        return [strategy.experimental_local_results(t)[0] for t in out]

    try:
        digests = tf.function(gather, autograph=False)([tf.constant(digest, tf.int64)])[0]
        if len(set(digests.numpy().tolist())) > 1:
            raise ReplicaError(with_help(
                "The workers' sessions hold different initialized variables at their first "
                "training run (names, dtypes or shapes differ), so the chief's values cannot be "
                "given to the others.", "build the same graph and initialize the same "
                "variables on every worker before training."))
        if values:
            cast = [tf.cast(v, tf.int32) if v.dtype == tf.bool else v for v in values]
            gathered = tf.function(gather, autograph=False)(cast)
            for (_, storage, _), v, got in zip(storages, values, gathered):
                tf.raw_ops.AssignVariableOp(resource=storage.handle,
                                            value=tf.cast(got[0], v.dtype))
    except tf.errors.OpError as err:
        raise _across_workers(sess._translate(err), True) from None
    sess._replica_broadcast = True


def _across_workers(err: Exception, several: bool) -> Exception:
    """A collective's failure across workers, as TF's error of the same class, its text first
    saying which worker problem it means."""
    if not several:
        return err
    if isinstance(err, tf.errors.DeadlineExceededError):
        what = (f"another worker did not join this training run's collectives within "
                f"{multi_worker.timeout_s():g} s (${multi_worker.TIMEOUT_ENV})")
    elif isinstance(err, (tf.errors.UnavailableError, tf.errors.AbortedError,
                          tf.errors.CancelledError)):
        what = "a worker of TF_CONFIG's cluster is gone or unreachable"
    else:
        return err
    return type(err)(err.node_def, err.op, with_help(
        f"A training run across workers failed: {what}.",
        "every worker must run the same training steps; restart all the workers (the "
        f"collectives of this process cannot be used again).\nTensorFlow's error: {err.message}"))
