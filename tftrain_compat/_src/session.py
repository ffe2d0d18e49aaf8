"""TF1 ``Session`` and ``InteractiveSession``: per-session variable state and a compile cache.

``run(fetches, feed_dict)`` looks up the compiled function for (fetch structure, fed keys),
compiling it once on a miss (``lowering.py``), then converts the feeds, checks them as TF1 did,
calls the function and returns NumPy values in the fetches' structure. Every check happens before
anything runs, so a failed run leaves the variables as they were.
"""
from __future__ import annotations

import contextlib
import logging
import random
import re
import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import numpy as np
import tensorflow as tf

from tftrain_compat._src import cluster as _cluster
from tftrain_compat._src import config_protos as _config_protos
from tftrain_compat._src import errors as _errors
from tftrain_compat._src import fetches as _fetches
from tftrain_compat._src import graph as _graph
from tftrain_compat._src import lowering
from tftrain_compat._src import random_kernels as _random_kernels
from tftrain_compat._src import session_resources as _session_resources
from tftrain_compat._src import tf_private
from tftrain_compat._src import tensor as _tensor
from tftrain_compat._src import variables as _variables

_log = logging.getLogger("tftrain_compat")
_storage_ids = iter(range(1, 1 << 62))
# Installed by ``replicas.py`` while data-parallel replicas are on: ``hook(session, fetches,
# feed_dict)`` runs a training step itself, or returns NOT_HANDLED for the ordinary path.
NOT_HANDLED = object()
run_hook: Callable[["BaseSession", Any, dict], Any] | None = None


@dataclass
class FeedEntry:
    """One fed tensor of a compiled run: where its value comes from and how it is checked."""

    key: Any                  # the feed_dict key
    component: int | None     # index into a SparseTensorValue / tuple value, else None
    np_dtype: Any
    dims: tuple | None        # declared dimensions (None: unknown rank)
    display: str              # the tensor name TF1's errors print


@dataclass
class CompiledRun:
    """One compiled (fetches, feeds) signature of one session."""

    call: Callable[[list], Any]
    function: Any
    feeds: list[FeedEntry]                # in the function's argument order
    build: Callable[[list], Any]          # values in target order -> the fetch structure
    value_slots: list[int | None]         # per target: its function output, None for an op
    fed_outputs: dict[int, int]           # function output -> argument whose value it is
    reads: frozenset                      # variables that must be initialized beforehand
    inits: frozenset                      # variables this run initializes


class BaseSession:
    """TF1 ``Session(target='', graph=None, config=None)``.

    Holds its own value for every variable of its graph; a new session starts uninitialized.
    """

    def __init__(self, target: str = "", graph: "_graph.Graph | None" = None, config=None) -> None:
        # A cluster target: this process's task connects to the cluster, and the variables live
        # in their devices' resource managers under their names, shared by every session of the
        # cluster and outliving this one (TF1's distributed sessions).
        self._server = _cluster.connect_target(target) if target else None
        self._target = target or ""
        self._graph = graph if graph is not None else _graph.get_default_graph()
        _config_protos.apply_session_config(config)  # TF1's TypeError; threads where TF2 allows
        self._config = config
        self._closed = False
        self._entered = False
        # The session's own state: one resource per variable (created uninitialized, so the
        # graph's VarIsInitializedOp and report_uninitialized_variables see the truth) and one
        # Philox stream per random op. ``_initialized`` only caches what the resources say.
        self._variables: dict[str, Any] = {}   # variable name -> its resource in this session
        self._storage_names: dict[str, str] = {}   # resource shared_name -> variable name
        self._rng_states: dict[str, tf.Variable] = {}
        self._kernels: dict[str, _random_kernels.KernelStream] = {}  # held random kernels
        self._resources = _session_resources.SessionResources(  # queues, iterators...
            id(self), on_this_task=self._server is not None)
        self._initialized: set[str] = set()
        self._cache: dict[Any, CompiledRun] = {}   # (fetch signature, fed keys) -> run
        self._functions: dict[Any, tuple] = {}     # plan key -> (function, call)
        self._lock = threading.RLock()
        self._default_ctx: list = []

    # ----- properties --------------------------------------------------------------------
    graph = property(lambda self: self._graph)
    graph_def = property(lambda self: self._graph.as_graph_def())
    sess_str = property(lambda self: self._target)

    # ----- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        """Releases the session's variables; idempotent. Later runs raise RuntimeError."""
        with self._lock:
            self._closed = True
            self._variables.clear()  # the resources are destroyed with their objects
            self._storage_names.clear()
            self._rng_states.clear()
            self._kernels.clear()
            self._resources.release()
            self._cache.clear()
            self._functions.clear()
            self._initialized.clear()

    @contextlib.contextmanager
    def as_default(self) -> Iterator["BaseSession"]:
        """Makes this the default session (for ``eval``/``run``) without closing it on exit."""
        _session_stack().append(self)
        try:
            with self._graph.as_default():
                yield self
        finally:
            _session_stack().pop()

    def __enter__(self) -> "BaseSession":
        if self._entered:
            raise RuntimeError("Session context managers are not re-entrant. Use "
                               "`Session.as_default()` if you want to enter a session multiple "
                               "times.")
        self._entered = True
        ctx = self.as_default()
        ctx.__enter__()
        self._default_ctx.append(ctx)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None and issubclass(exc_type, tf.errors.OpError):
            _log.error("Session closing due to OpError: %s", exc)
        ctx = self._default_ctx.pop()
        ctx.__exit__(exc_type, exc, tb)
        self._entered = False
        self.close()

    def __del__(self) -> None:  # pragma: no cover - interpreter shutdown order varies
        try:
            self.close()
        except Exception:
            pass

    # ----- run ---------------------------------------------------------------------------------
    def run(self, fetches: Any, feed_dict: dict | None = None, options=None,
            run_metadata=None) -> Any:
        """Runs the sub-graph needed for ``fetches`` with ``feed_dict`` (TF1 semantics).

        ``fetches``: a Tensor, Operation, Variable, SparseTensor, IndexedSlices or name, or a
        list / tuple / namedtuple / dict / attrs class of them, nested; the result has the same
        structure with NumPy values (None for operations). A fetched tensor that is fed gives
        the fed value itself.
        """
        if self._closed:
            raise RuntimeError(_errors.CLOSED_SESSION)
        feed_dict = feed_dict or {}
        if run_hook is not None:
            handled = run_hook(self, fetches, feed_dict)
            if handled is not NOT_HANDLED:
                return handled
        cls = type(fetches)
        if cls in _LEAVE_TYPES:
            fkey: Any = fetches
        elif (cls is list or cls is tuple) and all(type(f) in _LEAVE_TYPES for f in fetches):
            fkey = (cls, tuple(fetches))
        elif cls is dict and all(type(f) in _LEAVE_TYPES for f in fetches.values()):
            fkey = (cls, tuple(fetches.items()))
        else:
            fkey = _fetches.signature(fetches)
        key: Any = (fkey, frozenset(feed_dict) if feed_dict else None)
        try:
            compiled = self._cache.get(key)
        except TypeError:  # an unhashable leaf: the mapper raises TF1's error for it
            key, compiled = None, None
        if compiled is None:
            with self._lock:
                compiled = self._cache.get(key) if key is not None else None
                if compiled is None:
                    compiled = self._compile(fetches, feed_dict)
                    if key is not None:
                        self._cache[key] = compiled
        fed = [_feed_value(feed_dict[e.key], e) for e in compiled.feeds]
        return self._execute(compiled, fed, [lowering.to_tensor(v) for v in fed])

    def _execute(self, compiled: CompiledRun, fed: list, args: list) -> Any:
        """Calls a compiled run with its converted feeds (``fed``: the values, ``args``: them as
        eager tensors) after the initialization check; returns the fetches' structure."""
        if not compiled.reads <= self._initialized:
            self._check_initialized(compiled.reads)
        try:
            outputs = compiled.call(args)
        except tf.errors.OpError as err:
            raise self._translate(err) from None
        self._initialized |= compiled.inits
        values: list[Any] = []
        for slot in compiled.value_slots:
            if slot is None:
                values.append(None)
            elif slot in compiled.fed_outputs:  # TF1: a fetched fed tensor is the fed value
                value = fed[compiled.fed_outputs[slot]]
                values.append(value.numpy() if isinstance(value, tf.Tensor) else value)
            else:
                values.append(outputs[slot].numpy())
        return compiled.build(values)

    def _check_initialized(self, reads: frozenset) -> None:
        """Asks the session's resources about variables not yet known to be initialized (the
        graph may have initialized them, e.g. through tf.cond); raises TF1's error if not."""
        for name in sorted(reads - self._initialized):
            storage = self._variables.get(name)
            if storage is not None and bool(
                    tf.raw_ops.VarIsInitializedOp(resource=storage.handle)):
                self._initialized.add(name)
                continue
            raise _errors.uninitialized_value(name)

    def _translate(self, err: tf.errors.OpError) -> Exception:
        """A kernel's error about one of this session's resources, in TF1's words."""
        text = err.message or ""
        if "uninitialized" not in text and "does not exist" not in text:
            return err
        for shared, name in self._storage_names.items():
            # "Could not find variable NAME. ... (Could not find resource: localhost/NAME)":
            # the whole name, since a cluster session's names are the variables' own.
            if re.search(r"(variable |/)" + re.escape(shared) + r"[.)\s]", text):
                return _errors.uninitialized_value(name)
        return err

    def _compile(self, fetches: Any, feed_dict: dict) -> CompiledRun:
        graph = self._graph
        mapper = _fetches.FetchMapper(graph, fetches)
        if not graph.backing.get_operations():
            raise RuntimeError(_errors.EMPTY_GRAPH)
        snap = lowering.snapshot(graph)
        specs: dict[str, tf.TensorSpec] = {}
        aliases: dict[str, str] = {}
        fed_variables: dict[str, str] = {}
        entries: dict[str, FeedEntry] = {}
        for key, value in feed_dict.items():
            for component, t, handle in _feed_targets(graph, key):
                _check_feed_value(value, t, key)
                name = t.name
                if handle is not None:
                    # TF1 (ref variables): feeding a variable, or its value, overrides every
                    # read of it in this run; the feed's name is the variable's value tensor.
                    name = t.name if t.op.type == "ReadVariableOp" else handle + ":0/fed"
                    fed_variables[handle] = name
                    for read in snap.reads_of(handle):
                        if read != name:
                            aliases[read] = name
                dtype, shape = t.dtype, t.shape
                if t.op.type == "VarHandleOp":
                    dtype = tf.as_dtype(t.op.get_attr("dtype"))
                    shape = tf.TensorShape(t.op.get_attr("shape"))
                specs[name] = tf.TensorSpec(shape, dtype)
                entries[name] = FeedEntry(
                    key=key, component=component, np_dtype=dtype.as_numpy_dtype,
                    dims=None if shape.rank is None else tuple(shape.as_list()),
                    display=t.name)
        plan_key = (tuple(mapper.targets), frozenset(specs), frozenset(aliases.items()),
                    frozenset(fed_variables.items()))
        plan = graph._plans.get(plan_key)
        if plan is None:
            plan = graph._plans[plan_key] = lowering.make_plan(
                graph, mapper.targets, specs, aliases, fed_variables)
        compiled_fn = self._functions.get(plan_key)
        if compiled_fn is None:
            for name, dtype, shape in plan.var_handles:
                if name not in self._variables:
                    self._variables[name] = self._new_storage(name, dtype, shape)
            for name, seed, seed2 in plan.rng_ops:
                if name not in self._rng_states:
                    self._rng_states[name] = _rng_state(seed, seed2)
            for held in plan.held:
                if held.name not in self._kernels:
                    self._kernels[held.name] = _random_kernels.KernelStream(
                        held, plan.graph_def.versions)
            for node in plan.resources:
                self._resources.create(node, plan.graph_def.library, plan.graph_def.versions)
            function = lowering.compile_plan(plan, self._variables, self._rng_states,
                                             self._resources, self._kernels)
            compiled_fn = self._functions[plan_key] = (function, lowering.caller(function))
        slots: list[int | None] = []
        fed_outputs: dict[int, int] = {}
        arg_of_output = [o.arg for o in plan.outputs]
        n = 0
        for _, kind in mapper.targets:
            if kind == _fetches.OPERATION:
                slots.append(None)
                continue
            arg = arg_of_output[n]
            if arg is not None:
                fed_outputs[n] = arg
            slots.append(n)
            n += 1
        return CompiledRun(
            call=compiled_fn[1], function=compiled_fn[0],
            feeds=[entries[name] for name in plan.feed_names], build=mapper.build,
            value_slots=slots, fed_outputs=fed_outputs,
            reads=plan.reads - plan.inits, inits=plan.inits)

    def _new_storage(self, name: str, dtype: tf.DType, shape: tf.TensorShape) -> Any:
        """This session's resource for variable ``name``, created uninitialized (TF1); in a
        cluster session the cluster's resource of that name on the variable's device."""
        if self._server is not None:
            device = lowering.snapshot(self._graph).nodes[name].device
            self._storage_names[name] = name
            return tf_private.shared_variable(dtype, shape, name, device)
        shared = f"tftrain_compat_{id(self):x}_{next(_storage_ids)}"
        with tf.init_scope():
            storage = tf_private.uninitialized_variable(dtype, shape, shared)
        self._storage_names[shared] = name
        return storage

    def _load_variable(self, variable: "_variables.Variable", value) -> None:
        """TF1's ``Variable.load``: runs the initializer with ``value`` fed as the initial value,
        so nothing is added to the graph."""
        initial = variable._v.initializer.inputs[1]
        self.run(variable.initializer, {variable._graph._wrap(initial): value})

    # ----- unsupported TF1 session features ------------------------------------------------
    def partial_run(self, *args, **kwargs):
        raise NotImplementedError("Session.partial_run is not supported by tftrain_compat. - "
                                  "help: run the whole step with Session.run.")

    def partial_run_setup(self, *args, **kwargs):
        raise NotImplementedError("Session.partial_run_setup is not supported by tftrain_compat.")

    def list_devices(self) -> list:
        return tf.config.list_logical_devices()


_LEAVE_TYPES = frozenset({_tensor.Tensor, _tensor.Operation, _variables.Variable,
                          _tensor.SparseTensor})


class Session(BaseSession):
    """TF1 ``tf.Session``; use as a context manager (``with tf.Session() as sess:``)."""


class InteractiveSession(BaseSession):
    """TF1 ``tf.InteractiveSession``: installs itself as the default session on construction."""

    _active = 0

    def __init__(self, target: str = "", graph=None, config=None) -> None:
        super().__init__(target, graph, config)
        if InteractiveSession._active:
            _log.error("An interactive session is already active. This can cause out-of-memory "
                       "errors in some cases. You must explicitly call "
                       "`InteractiveSession.close()` to release resources held by the other "
                       "session(s).")
        InteractiveSession._active += 1
        self._explicitly_closed = False
        self._ctx = self.as_default()
        self._ctx.__enter__()

    def close(self) -> None:
        if not getattr(self, "_explicitly_closed", True):
            self._explicitly_closed = True
            InteractiveSession._active -= 1
            with contextlib.suppress(Exception):
                self._ctx.__exit__(None, None, None)
        super().close()


# ----- helpers ------------------------------------------------------------------------------
def _rng_state(seed: int, seed2: int) -> tf.Variable:
    """A random op's stream in this session: Philox state [counter, seed2, seed].

    Seeds (0, 0) meant "nondeterministic" to TF1's kernels: draw fresh ones per session.
    """
    if seed == 0 and seed2 == 0:
        sysrand = random.SystemRandom()
        seed, seed2 = sysrand.getrandbits(62), sysrand.getrandbits(62)
    with tf.init_scope():
        return tf.Variable(np.array([0, seed2, seed], np.int64), trainable=False)


def _feed_targets(graph, key) -> list[tuple[int | None, tf.Tensor, str | None]]:
    """A feed_dict key -> [(component, backing tensor, VarHandleOp name if it feeds a variable)]
    (a SparseTensor feeds its three tensors; TF 2.21's TypeError texts for bad keys)."""
    if isinstance(key, _tensor.SparseTensor):
        if key._graph is not graph:
            raise _errors.not_in_graph(key)
        return [(i, t, None) for i, t in enumerate(
            (key._s.indices, key._s.values, key._s.dense_shape))]
    if isinstance(key, _variables.Variable):
        if key._graph is not graph:
            raise _errors.not_in_graph(key)
        return [(None, key._v.handle, key._v.handle.op.name)]
    if isinstance(key, _tensor.Tensor):
        if key._graph is not graph:
            raise _errors.not_in_graph(key)
        t = key._t
    elif isinstance(key, str):
        try:
            t = graph.backing.as_graph_element(key, allow_tensor=True, allow_operation=False)
        except (KeyError, ValueError) as err:
            inner = err.args[0] if err.args else str(err)
            raise TypeError(f"Cannot interpret feed_dict key as Tensor: {inner}") from None
    else:
        kind = "Operation" if isinstance(key, _tensor.Operation) else type(key).__name__
        raise TypeError(f"Cannot interpret feed_dict key as Tensor: Can not convert a {kind} "
                        "into a Tensor.")
    if t.op.type == "VarHandleOp":
        return [(None, t, t.op.name)]
    if t.op.type == "ReadVariableOp" and t.op.inputs[0].op.type == "VarHandleOp":
        return [(None, t, t.op.inputs[0].op.name)]
    return [(None, t, None)]


def _check_feed_value(value: Any, t: tf.Tensor, key: Any) -> None:
    if isinstance(value, (tf.Tensor, _tensor.Tensor, _variables.Variable)):
        raise TypeError(
            "The value of a feed cannot be a tf.Tensor object. Acceptable feed values include "
            "Python scalars, strings, lists, numpy ndarrays, or TensorHandles. For reference, the "
            f"tensor object was {value} which was passed to the argument `feed_dict` with key "
            f"{key}.")


def _feed_value(value: Any, entry: FeedEntry) -> np.ndarray:
    """np.asarray(value, dtype) as TF1 did, then TF1's shape check against the declared dims."""
    if entry.component is not None:
        value = value[entry.component]
    np_dtype = entry.np_dtype
    if type(value) is not np.ndarray or value.dtype != np_dtype:
        if isinstance(value, (tf.Tensor, _tensor.Tensor, _variables.Variable)):
            _check_feed_value(value, None, entry.display)
        raw = value
        try:
            value = np.asarray(value, dtype=np_dtype)
            # numpy 1.x wraps an out-of-range Python int silently; TF1 compared the converted
            # value with the fed one, so every numpy raises the same error.
            overflow = isinstance(raw, int) and value.ndim == 0 and value.item() != raw
        except OverflowError:
            overflow = True
        if overflow:
            raise TypeError(
                f"Type of feed value {raw} with type {type(raw)} is not compatible with "
                f"Tensor type {np_dtype}. Try explicitly setting the type of the feed tensor to a "
                "larger type (e.g. int64).") from None
    dims = entry.dims
    if dims is not None:
        vshape = value.shape
        if len(vshape) != len(dims) or any(d is not None and d != v for d, v in
                                            zip(dims, vshape)):
            raise _errors.feed_shape(vshape, entry.display, tf.TensorShape(dims))
    return value


# ----- default session ----------------------------------------------------------------------
_local = threading.local()


def _session_stack() -> list:
    if not hasattr(_local, "stack"):
        _local.stack = []
    return _local.stack


def get_default_session() -> BaseSession | None:
    """The innermost session made default by ``with sess:``/``as_default``/InteractiveSession."""
    stack = _session_stack()
    return stack[-1] if stack else None


def _run_with_default(obj: Any, feed_dict, session, kind: str) -> Any:
    sess = session if session is not None else get_default_session()
    if sess is None:
        if kind == "eval":
            raise ValueError("Cannot evaluate tensor using `eval()`: No default session is "
                             "registered. Use `with sess.as_default()` or pass an explicit "
                             "session to `eval(session=sess)`")
        raise ValueError("Cannot execute operation using `run()`: No default session is "
                         "registered. Use `with sess.as_default():` or pass an explicit session "
                         "to `run(session=sess)`")
    if obj.graph is not sess.graph:
        what = "evaluate tensor" if kind == "eval" else "execute operation"
        raise ValueError(f"Cannot use the given session to {what}: the tensor's graph is "
                         "different from the session's graph.")
    return sess.run(obj, feed_dict)


_tensor.install_hook("run", _run_with_default)
_tensor.install_hook("default_session", get_default_session)
