"""Every TensorFlow entry point the shim reaches outside TF's documented TF2 API, in one place.

Each has a public fallback used when a TF release removes it, and ``tests/test_tf_private.py``
fails loudly when that happens (the shim keeps working, only slower or less exact).

- ``ConcreteFunction._call_flat`` (private): calls a traced function with flat, already-converted
  tensors, skipping the argument binding the public call repeats on every step (about a third of
  a small model's step). Cheaper still, where no tape records: its end, the eager context's
  ``call_function`` of the function's ``AtomicFunction`` (``_inference_function``; private), with
  ``atomic_function.InterpolateRuntimeError`` (private) giving an OpError TF's usual text.
- ``ops.EagerTensor(array, device, dtype)`` (private): NumPy -> eager tensor without the dispatch
  and defensive copy of ``tf.convert_to_tensor`` (about a fifth of a small model's step). The copy
  is not needed: the tensor lives for one synchronous call, and Session.run copies any output that
  is a fed value.
- ``handle_data_util.create_handle_data`` and ``EagerTensor._handle_data`` (private): a session's
  variable is a raw ``VarHandleOp`` resource with no value (TF1: uninitialized until assigned);
  its handle must carry the variable's dtype and shape, or the shape inference of some kernels
  (``ResourceApplyProximalAdagrad``) fails when the graph is traced. Without it only those
  kernels fail.
- ``tf.compat.v1.wrap_function`` (public, TF1-compatibility API; not a Session, variable or
  switch): traces a graph function *without* automatic control dependencies, so a compiled run
  executes with a TF1 Session's data-dependency semantics and its fetched tensors are the
  function's outputs themselves (see docs/architecture.md, "Bit-equal execution").
- ``control_flow_util.ENABLE_CONTROL_FLOW_V2`` (private module flag): cleared while the shim
  builds in a backing graph, so ``tf.cond`` / ``tf.while_loop`` / ``map_fn`` / ``dynamic_rnn``
  build TF1's Switch/Merge/Enter/Exit nodes in that graph, as TF 1.x did. That decides every
  later random op's seed (TF1's op seed is the graph's op count when the op is made) and draws a
  body's random numbers as TF1's single kernel did. Without it the shim builds TF2's functional
  If/While (correct numbers in a branch, other op seeds after it).
"""
from __future__ import annotations

import threading
from typing import Any, Callable, Sequence

import numpy as np
import tensorflow as tf


def graph_function(fn: Callable, input_signature: Sequence[tf.TensorSpec]) -> Any:
    """``fn`` traced once into a concrete function over ``input_signature``, TF1-style (no
    automatic control dependencies). Fallback: ``tf.function`` (automatic control deps)."""
    wrap = getattr(getattr(tf, "compat", None), "v1", None)
    wrap = getattr(wrap, "wrap_function", None)
    if wrap is None:  # pragma: no cover - depends on the TF release
        return tf.function(fn, input_signature=list(input_signature),
                           autograph=False).get_concrete_function()
    return wrap(fn, list(input_signature))


try:
    from tensorflow.python.ops import control_flow_util as _cf_util
    _cf_util.ENABLE_CONTROL_FLOW_V2  # noqa: B018 - fails here if the flag was removed
except (ImportError, AttributeError):  # pragma: no cover - depends on the TF release
    _cf_util = None


class _FlagHold:
    """How many builders are inside ``tf1_control_flow``, and the flag's value before the first."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.saved = True


_cf_hold = _FlagHold()


class tf1_control_flow:
    """Context: TF's control-flow builders make TF1's (v1) nodes in plain graphs while inside.

    Re-entrant and thread-safe: the flag is cleared on the first entry and restored on the last
    exit. Function graphs TF traces (``tf.function``) keep building TF2's control flow."""

    __slots__ = ()

    def __enter__(self) -> None:
        if _cf_util is None:  # pragma: no cover - depends on the TF release
            return
        with _cf_hold.lock:
            if _cf_hold.depth == 0:
                _cf_hold.saved = _cf_util.ENABLE_CONTROL_FLOW_V2
                _cf_util.ENABLE_CONTROL_FLOW_V2 = False
            _cf_hold.depth += 1

    def __exit__(self, *exc: Any) -> None:
        if _cf_util is None:  # pragma: no cover - depends on the TF release
            return
        with _cf_hold.lock:
            _cf_hold.depth -= 1
            if _cf_hold.depth == 0:
                _cf_util.ENABLE_CONTROL_FLOW_V2 = _cf_hold.saved


def builds_tf1_control_flow() -> bool:
    """Whether ``tf1_control_flow`` can switch TF's builders (False: TF removed the flag)."""
    return _cf_util is not None


class UninitializedStorage:
    """One variable's resource in one session: created without a value (``VarIsInitializedOp``
    is False and a read fails until it is assigned), destroyed with this object."""

    def __init__(self, dtype: tf.DType, shape: tf.TensorShape, shared_name: str) -> None:
        self.handle = tf.raw_ops.VarHandleOp(dtype=dtype, shape=shape, shared_name=shared_name,
                                             container="")
        try:  # the dtype/shape that graph shape inference reads from a captured handle
            from tensorflow.python.ops import handle_data_util
            self.handle._handle_data = handle_data_util.create_handle_data(
                tf.TensorShape(shape), dtype)
        except (ImportError, AttributeError):  # pragma: no cover - depends on the TF release
            pass

    def __del__(self) -> None:  # pragma: no cover - interpreter shutdown order varies
        try:
            tf.raw_ops.DestroyResourceOp(resource=self.handle, ignore_lookup_error=True)
        except Exception:
            pass


class SharedStorage(UninitializedStorage):
    """A variable's resource looked up by ``shared_name`` in the resource manager of the device
    it was created on (created uninitialized if absent), and never destroyed by this process:
    TF1's variables on a cluster's tasks, shared by every session of the cluster."""

    def __del__(self) -> None:
        pass


def uninitialized_variable(dtype: tf.DType, shape: tf.TensorShape,
                           shared_name: str) -> UninitializedStorage:
    """A resource of ``dtype`` / ``shape`` holding no value yet; ``.handle`` is its eager handle."""
    return UninitializedStorage(dtype, shape, shared_name)


def shared_variable(dtype: tf.DType, shape: tf.TensorShape, shared_name: str,
                    device: str) -> SharedStorage:
    """The resource named ``shared_name`` on ``device`` (a task of the connected cluster),
    created there uninitialized if no session of the cluster has created it yet."""
    with tf.device(device or None):
        return SharedStorage(dtype, shape, shared_name)


def flat_caller(concrete: Any) -> Callable[[list], Any]:
    """The cheapest call of a concrete function with a flat list of eager tensors: the eager
    context's own call of the function's definition, as ``ConcreteFunction._call_flat`` ends in
    (skipping its gradient-tape bookkeeping and context managers, about a seventh of a small
    model's step). While a GradientTape records, or if the function has control captures, the
    call takes ``_call_flat``; an OpError's text gets TF's node interpolation either way."""
    flat = getattr(concrete, "_call_flat", None)
    if flat is None:  # pragma: no cover - depends on the TF release
        return lambda args: concrete(*args)
    captured = list(concrete.captured_inputs)
    direct = _direct_call(concrete)
    if direct is None:  # pragma: no cover - depends on the TF release
        return lambda args: flat(args, captured)
    call, recording, interpolate = direct

    def run(args: list) -> Any:
        if recording():
            return flat(args, captured)
        try:
            return call(args + captured)
        except tf.errors.OpError:
            with interpolate:
                raise
    return run


def _direct_call(concrete: Any) -> tuple[Callable, Callable, Any] | None:
    """(call of flat inputs + captures, "a tape records", the error interpolator), or None."""
    try:
        from tensorflow.python.eager import context, record
        from tensorflow.python.eager.polymorphic_function import atomic_function
        atomic = concrete._inference_function
        if atomic._call_options.control_captures:
            return None
        name, n_out = atomic.name, len(atomic.function_type.flat_outputs)
        call_function = context.context().call_function
        interpolate = atomic_function.InterpolateRuntimeError(atomic)
        return (lambda inputs: call_function(name, inputs, n_out),
                record.could_possibly_record, interpolate)
    except (ImportError, AttributeError):  # pragma: no cover - depends on the TF release
        return None


def _make_to_tensor() -> Callable[[np.ndarray], tf.Tensor]:
    try:
        from tensorflow.python.eager import context
        from tensorflow.python.framework import ops
        eager_tensor = ops.EagerTensor
        context.ensure_initialized()
        ctx = context.context()
        enums: dict = {}

        def to_tensor(value):
            if value.flags.c_contiguous:
                dtype = value.dtype
                enum = enums.get(dtype)
                if enum is None:
                    enum = enums[dtype] = tf.as_dtype(dtype).as_datatype_enum
                return eager_tensor(value, ctx.device_name, enum)
            return tf.convert_to_tensor(value)
        to_tensor(np.zeros(1, np.float32))  # fails here, not mid-run, if the API changed
        return to_tensor
    except Exception:  # pragma: no cover - depends on the TF release
        return tf.convert_to_tensor


to_tensor: Callable[[np.ndarray], tf.Tensor] = _make_to_tensor()
