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
import threading
from typing import Any, Iterator

import numpy as np
import tensorflow as tf

from tftrain_compat._src import config_protos as _config_protos
from tftrain_compat._src import fetches as _fetches
from tftrain_compat._src import graph as _graph
from tftrain_compat._src import lowering
from tftrain_compat._src import tensor as _tensor
from tftrain_compat._src import variables as _variables

_log = logging.getLogger("tftrain_compat")
_LEAVES = (_tensor.Tensor, _tensor.Operation, _variables.Variable)


class _Compiled:
    """One compiled (fetches, feeds) signature of one session."""

    __slots__ = ("call", "function", "feed_keys", "feed_np", "feed_dims", "feed_names", "build",
                 "n_tensors", "copy_outputs", "reads", "inits", "plan")
    # Declared for type checkers only (no values: __slots__ holds them).
    call: Any
    function: Any
    feed_keys: Any
    feed_np: Any
    feed_dims: Any
    feed_names: Any
    build: Any
    n_tensors: int
    copy_outputs: Any
    reads: Any
    inits: Any
    plan: Any


class BaseSession:
    """TF1 ``Session(target='', graph=None, config=None)``.

    Holds its own value for every variable of its graph; a new session starts uninitialized.
    """

    def __init__(self, target: str = "", graph: "_graph.Graph | None" = None, config=None) -> None:
        if target:
            raise NotImplementedError(
                f"Session(target={target!r}): tftrain_compat runs in-process only; distributed "
                "TF1 sessions have no equivalent here. - help: use tf.distribute in TF2.")
        _config_protos.apply_session_config(config)  # TF1's TypeError; threads where TF2 allows
        self._graph = graph if graph is not None else _graph.get_default_graph()
        self._config = config
        self._closed = False
        self._entered = False
        self._variables: dict[str, tf.Variable] = {}
        self._rng_states: dict[str, tf.Variable] = {}
        self._initialized: set[str] = set()
        self._cache: dict[Any, _Compiled] = {}
        self._default_ctx: list = []

    # ----- properties --------------------------------------------------------------------
    graph = property(lambda self: self._graph)
    graph_def = property(lambda self: self._graph.as_graph_def())
    sess_str = property(lambda self: "")

    # ----- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        """Releases the session's variables; idempotent. Later runs raise RuntimeError."""
        self._closed = True
        self._variables.clear()
        self._rng_states.clear()
        self._cache.clear()
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
        """Runs the sub-graph needed for ``fetches`` with ``feed_dict`` (TF1 semantics)."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        feed_dict = feed_dict or {}
        cls = type(fetches)
        if cls in _LEAVE_TYPES:
            fkey = fetches
        elif (cls is list or cls is tuple) and all(type(f) in _LEAVE_TYPES for f in fetches):
            fkey = (cls, tuple(fetches))
        else:
            fkey = None
        compiled = None
        if fkey is not None:
            key = (fkey, frozenset(feed_dict) if feed_dict else None)
            compiled = self._cache.get(key)
        if compiled is None:
            if not self._graph.backing.get_operations():
                raise RuntimeError("The Session graph is empty. Add operations to the graph "
                                   "before calling run().")
            compiled = self._compile(fetches, feed_dict)
            if fkey is not None:
                self._cache[key] = compiled
        args = []
        for key_, np_dtype, dims, name in zip(compiled.feed_keys, compiled.feed_np,
                                             compiled.feed_dims, compiled.feed_names):
            args.append(_convert_feed(feed_dict[key_], np_dtype, dims, name))
        if not compiled.reads <= self._initialized:
            self._raise_uninitialized(compiled)
        outputs = compiled.call(args)
        self._initialized |= compiled.inits
        values = [t.numpy() for t in outputs[:compiled.n_tensors]]
        for i in compiled.copy_outputs:  # a fed-and-fetched value must not alias the feed
            values[i] = np.array(values[i], copy=True)
        return compiled.build(values)

    def _raise_uninitialized(self, compiled: _Compiled) -> None:
        missing = sorted(compiled.reads - self._initialized)
        raise tf.errors.FailedPreconditionError(
            None, None,
            f"Attempting to use uninitialized value {missing[0]}\n - help: run "
            "`sess.run(tf.global_variables_initializer())` (or the variable's initializer) "
            "in this session first.")

    def _compile(self, fetches: Any, feed_dict: dict) -> _Compiled:
        handler = _fetches.FetchHandler(self._graph, fetches)
        feeds: dict[str, tf.TensorSpec] = {}
        aliases: dict[str, str] = {}
        feed_keys, feed_np, feed_dims = [], [], []
        for key, value in feed_dict.items():
            t = _feed_key_tensor(self._graph, key)
            _check_feed_value(value, t, key)
            feeds[t.name] = tf.TensorSpec(t.shape, t.dtype)
            if isinstance(key, _variables.Variable):
                # TF1 (ref variables): a fed variable's every read in this run sees the value.
                for read in lowering.variable_reads(self._graph, key._v.handle.op.name):
                    if read != t.name:
                        aliases[read] = t.name
            feed_keys.append(key)
            feed_np.append(t.dtype.as_numpy_dtype)
            feed_dims.append(None if t.shape.rank is None else tuple(t.shape.as_list()))
        cache_key = (tuple(handler.targets), frozenset(feeds), frozenset(aliases))
        plans = self._graph._lowering_cache.setdefault("plans", {})
        plan = plans.get(cache_key)
        if plan is None:
            plan = lowering.make_plan(self._graph, handler.targets, feeds, aliases)
            plans[cache_key] = plan
        # Arguments follow the plan's order.
        order = {name: i for i, name in enumerate(plan.feed_names)}
        names = [_feed_key_tensor(self._graph, k).name for k in feed_keys]
        perm = sorted(range(len(names)), key=lambda i: order[names[i]])
        for name, dtype, shape in plan.var_handles:
            if name not in self._variables:
                self._variables[name] = _session_variable(dtype, shape)
        for name, seed, seed2 in plan.rng_ops:
            if name not in self._rng_states:
                self._rng_states[name] = _rng_state(seed, seed2)
        function = lowering.compile_plan(plan, self._variables, self._rng_states)
        compiled = _Compiled()
        compiled.call, _ = lowering.fast_caller(function)
        compiled.function = function
        compiled.feed_keys = [feed_keys[i] for i in perm]
        compiled.feed_np = [feed_np[i] for i in perm]
        compiled.feed_dims = [feed_dims[i] for i in perm]
        compiled.feed_names = [names[i] for i in perm]
        compiled.build = handler.build
        compiled.n_tensors = sum(1 for n in handler.targets if ":" in n)
        fed_names = set(plan.feed_names) | set(plan.aliases)
        compiled.copy_outputs = [i for i, n in enumerate(t for t in handler.targets if ":" in t)
                                 if n in fed_names]
        compiled.reads = plan.reads
        compiled.inits = plan.inits
        compiled.plan = plan
        # Tensor outputs come back in target order; map them to FetchHandler positions.
        tensor_pos = [i for i, n in enumerate(handler.targets) if ":" in n]
        if len(tensor_pos) != len(handler.targets):
            build = handler.build

            def rebuild(values, _pos=tensor_pos, _n=len(handler.targets), _build=build):
                full = [None] * _n
                for p, v in zip(_pos, values):
                    full[p] = v
                return _build(full)
            compiled.build = rebuild
        return compiled

    def _load_variable(self, variable: "_variables.Variable", value) -> None:
        assign, placeholder = variable._load_op()
        self.run(assign, {placeholder: value})

    # ----- unsupported TF1 session features ------------------------------------------------
    def partial_run(self, *args, **kwargs):
        raise NotImplementedError("Session.partial_run is not supported by tftrain_compat. - "
                                  "help: run the whole step with Session.run.")

    def partial_run_setup(self, *args, **kwargs):
        raise NotImplementedError("Session.partial_run_setup is not supported by tftrain_compat.")

    def list_devices(self) -> list:
        return tf.config.list_logical_devices()


_LEAVE_TYPES = frozenset({_tensor.Tensor, _tensor.Operation, _variables.Variable})


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
def _session_variable(dtype: tf.DType, shape: tf.TensorShape) -> tf.Variable:
    """The session's own storage for one variable (its value is meaningless until initialized)."""
    with tf.init_scope():
        if shape.is_fully_defined():
            return tf.Variable(tf.zeros(shape, dtype) if dtype != tf.string else tf.fill(shape, ""),
                               trainable=False)
        return tf.Variable(tf.zeros([], dtype) if dtype != tf.string else tf.constant(""),
                           shape=tf.TensorShape(None), trainable=False)


def _rng_state(seed: int, seed2: int) -> tf.Variable:
    """A random op's stream in this session: Philox state [counter, seed2, seed].

    Seeds (0, 0) meant "nondeterministic" to TF1's kernels: draw fresh ones per session.
    """
    if seed == 0 and seed2 == 0:
        sysrand = random.SystemRandom()
        seed, seed2 = sysrand.getrandbits(62), sysrand.getrandbits(62)
    with tf.init_scope():
        return tf.Variable(np.array([0, seed2, seed], np.int64), trainable=False)


def _feed_key_tensor(graph, key) -> tf.Tensor:
    """A feed_dict key -> the backing tensor it feeds (TF 2.21's TypeError texts)."""
    if isinstance(key, _variables.Variable):
        return key._fetch_tensor()._t
    if isinstance(key, _tensor.Tensor):
        if key._graph is not graph:
            raise ValueError(f"Tensor {key} is not an element of this graph.")
        return key._t
    if isinstance(key, str):
        try:
            element = graph.backing.as_graph_element(key, allow_tensor=True, allow_operation=False)
        except (KeyError, ValueError) as err:
            inner = err.args[0] if err.args else str(err)
            raise TypeError(f"Cannot interpret feed_dict key as Tensor: {inner}") from None
        return element
    kind = "Operation" if isinstance(key, _tensor.Operation) else type(key).__name__
    raise TypeError(f"Cannot interpret feed_dict key as Tensor: Can not convert a {kind} into a "
                    "Tensor.")


def _check_feed_value(value: Any, t: tf.Tensor, key: Any) -> None:
    if isinstance(value, (tf.Tensor, _tensor.Tensor, _variables.Variable)):
        raise TypeError(
            "The value of a feed cannot be a tf.Tensor object. Acceptable feed values include "
            "Python scalars, strings, lists, numpy ndarrays, or TensorHandles. For reference, the "
            f"tensor object was {value} which was passed to the argument `feed_dict` with key "
            f"{key}.")


def _convert_feed(value: Any, np_dtype, dims: tuple | None, name: str) -> tf.Tensor:
    """np.asarray(value, dtype) as TF1 did, then TF1's shape check (``dims``: the declared
    dimensions, None for unknown ones; ``dims`` None for an unknown rank)."""
    if type(value) is not np.ndarray or value.dtype != np_dtype:
        if isinstance(value, (tf.Tensor, _tensor.Tensor, _variables.Variable)):
            _check_feed_value(value, None, name)
        try:
            value = np.asarray(value, dtype=np_dtype)
        except OverflowError:
            raise TypeError(
                f"Type of feed value {value} with type {type(value)} is not compatible with "
                f"Tensor type {np_dtype}. Try explicitly setting the type of the feed tensor to a "
                "larger type (e.g. int64).") from None
    if dims is not None:
        vshape = value.shape
        if len(vshape) != len(dims) or any(d is not None and d != v for d, v in
                                            zip(dims, vshape)):
            raise ValueError(f"Cannot feed value of shape {vshape} for Tensor {name}, which has "
                             f"shape {tf.TensorShape(dims)}")
    return lowering.to_tensor(value)


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
