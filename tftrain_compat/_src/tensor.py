"""Shim ``Tensor``, ``Operation`` and ``IndexedSlices``: symbolic handles, no data.

Each wraps one element of the backing ``tf.Graph``; ``wrap``/``unwrap`` convert between the
two worlds, and ``call_in_graph`` is the single place where a TF2 function is applied to shim
objects (it enters the backing graph, so the TF2 function records graph ops instead of running).
"""
from __future__ import annotations

import functools
import operator
import threading
import types
from typing import Any, Callable

import numpy as np
import tensorflow as tf

from tftrain_compat._src import errors as _errors
from tftrain_compat._src import graph as _graph
from tftrain_compat._src import shapes as _shapes
from tftrain_compat._src import tf_private

_local = threading.local()

# Set by the layers above (dependency inversion, so this module imports nothing above it):
# session.py installs the default-session runner; variables.py registers its Variable class.
_hooks: dict[str, Any] = {"run": None, "default_session": None, "variable": None}


def install_hook(name: str, value: Any) -> None:
    """Registers ``run`` (obj, feed_dict, session, kind), ``default_session`` () or ``variable``
    (the shim Variable class: wraps backing tf.Variables, unwraps to them)."""
    if name not in _hooks:
        raise KeyError(name)
    _hooks[name] = value


def run_with_default(obj: Any, feed_dict, session, kind: str) -> Any:
    """``obj.eval()`` / ``obj.run()``: runs in ``session`` or the default session."""
    return _hooks["run"](obj, feed_dict, session, kind)


def _is_variable(obj: Any) -> bool:
    cls = _hooks["variable"]
    return cls is not None and isinstance(obj, cls)


class Operation:
    """A TF1 graph operation (``tf.Operation``). ``run()`` executes it in the default session."""

    __slots__ = ("_op", "_graph", "__weakref__")

    def __init__(self, op: tf.Operation, graph: "_graph.Graph") -> None:
        self._op = op
        self._graph = graph

    name = property(lambda self: self._op.name)
    type = property(lambda self: self._op.type)
    graph = property(lambda self: self._graph)
    device = property(lambda self: self._op.device)
    node_def = property(lambda self: self._op.node_def)
    inputs = property(lambda self: [self._graph._wrap(t) for t in self._op.inputs])
    outputs = property(lambda self: [self._graph._wrap(t) for t in self._op.outputs])
    control_inputs = property(lambda self: [self._graph._wrap(o) for o in self._op.control_inputs])

    def get_attr(self, name: str) -> Any:
        return self._op.get_attr(name)

    def values(self) -> tuple:
        return tuple(self.outputs)

    def run(self, feed_dict=None, session=None) -> None:
        """Runs this op in ``session`` or the default session; returns None (TF1)."""
        run_with_default(self, feed_dict, session, "run")

    def __repr__(self) -> str:
        return f"<tf.Operation '{self.name}' type={self.type}>"

    __str__ = __repr__


class Tensor:
    """A TF1 symbolic tensor: static ``shape``/``dtype`` known at build time, value via a Session."""

    __slots__ = ("_t", "_graph", "__weakref__")

    def __init__(self, t: tf.Tensor, graph: "_graph.Graph") -> None:
        self._t = t
        self._graph = graph

    name = property(lambda self: self._t.name)
    dtype = property(lambda self: self._t.dtype)
    shape = property(lambda self: _shapes.tf1_shape(self._t.shape))  # TF1: Dimension items
    graph = property(lambda self: self._graph)
    value_index = property(lambda self: self._t.value_index)
    device = property(lambda self: self._t.device)
    op = property(lambda self: self._graph._wrap(self._t.op))

    def get_shape(self) -> tf.TensorShape:
        return _shapes.tf1_shape(self._t.shape)

    def set_shape(self, shape) -> None:
        self._t.set_shape(shape)

    def consumers(self) -> list:
        return [self._graph._wrap(op) for op in self._t.consumers()]

    def eval(self, feed_dict=None, session=None):
        """Evaluates in ``session`` or the default session (TF1: ``Tensor.eval``)."""
        return run_with_default(self, feed_dict, session, "eval")

    # Texts as tf.compat.v1 prints them on TF2 (the oracle): Tensor("x:0", shape=(None, 3), ...)
    def __repr__(self) -> str:
        return repr(self._t)

    def __str__(self) -> str:
        return str(self._t)

    __hash__ = object.__hash__

    def __eq__(self, other):  # TF1: identity, so tensors work as dict keys (feed_dict)
        return self is other

    def __ne__(self, other):
        return self is not other

    def __bool__(self):
        raise TypeError(
            "Using a `tf.Tensor` as a Python `bool` is not allowed. Use `if t is not None:` "
            "instead of `if t:` to test if a tensor is defined, and use TensorFlow ops such as "
            "tf.cond to execute subgraphs conditioned on the value of a tensor.")

    def __iter__(self):
        raise TypeError("Tensor objects are only iterable when eager execution is enabled. "
                        "To iterate over this tensor use tf.map_fn.")

    def __array__(self, dtype=None, copy=None):
        raise NotImplementedError(_errors.with_help(
            f"Cannot convert a symbolic Tensor ({self.name}) to a numpy array.",
            "fetch it with `sess.run(tensor)` or `tensor.eval()`."))

    def _as_graph_element(self):
        return self._t


class IndexedSlices:
    """TF1 ``tf.IndexedSlices``: the sparse gradient of a gather (``values``, ``indices``)."""

    __slots__ = ("_s", "_graph")

    def __init__(self, s: tf.IndexedSlices, graph: "_graph.Graph") -> None:
        self._s = s
        self._graph = graph

    values = property(lambda self: self._graph._wrap(self._s.values))
    indices = property(lambda self: self._graph._wrap(self._s.indices))
    dense_shape = property(lambda self: self._graph._wrap(self._s.dense_shape))
    dtype = property(lambda self: self._s.dtype)
    name = property(lambda self: self._s.name)
    graph = property(lambda self: self._graph)
    op = property(lambda self: self._graph._wrap(self._s.op))

    def __repr__(self) -> str:
        return f"IndexedSlices(indices={self.indices}, values={self.values})"


_SparseTensorValue = tf.compat.v1.SparseTensorValue


class SparseTensor:
    """TF1 ``tf.SparseTensor(indices, values, dense_shape)`` in a graph: three tensors.

    Built from shim tensors or values (``tf.SparseTensor(indices=..., values=...,
    dense_shape=...)``) or wrapping a backing ``tf.SparseTensor`` that a TF2 op returned.
    ``sess.run`` fetches it as a ``SparseTensorValue``; it is fed with a ``SparseTensorValue``
    or an ``(indices, values, dense_shape)`` tuple.
    """

    __slots__ = ("_s", "_graph")

    def __init__(self, indices=None, values=None, dense_shape=None, *, _backing=None,
                 _graph=None) -> None:
        if _backing is None:
            built = call_in_graph(lambda i, v, d: tf.SparseTensor(i, v, d),
                                  (indices, values, dense_shape), {})
            _backing, _graph = built._s, built._graph
        self._s = _backing
        self._graph = _graph

    indices = property(lambda self: self._graph._wrap(self._s.indices))
    values = property(lambda self: self._graph._wrap(self._s.values))
    dense_shape = property(lambda self: self._graph._wrap(self._s.dense_shape))
    dtype = property(lambda self: self._s.dtype)
    shape = property(lambda self: _shapes.tf1_shape(self._s.shape))
    graph = property(lambda self: self._graph)
    op = property(lambda self: self._graph._wrap(self._s.op))

    @classmethod
    def from_value(cls, sparse_tensor_value: Any) -> "SparseTensor":
        """A SparseTensor of constants from a ``SparseTensorValue`` (or a SparseTensor)."""
        if isinstance(sparse_tensor_value, SparseTensor):
            return sparse_tensor_value
        return call_in_graph(tf.SparseTensor.from_value, (sparse_tensor_value,), {})

    def get_shape(self) -> tf.TensorShape:
        return _shapes.tf1_shape(self._s.shape)

    def eval(self, feed_dict=None, session=None):
        return run_with_default(self, feed_dict, session, "eval")

    def __repr__(self) -> str:
        return (f"SparseTensor(indices={self.indices}, values={self.values}, "
                f"dense_shape={self.dense_shape})")


# ----- conversion between shim and backing objects -------------------------------------------
def wrap(obj: Any, graph: "_graph.Graph") -> Any:
    """Backing object(s) -> shim object(s), one shim object per backing element."""
    if isinstance(obj, (list, tuple)):
        items = [wrap(o, graph) for o in obj]
        if isinstance(obj, tuple) and hasattr(obj, "_fields"):
            return type(obj)(*items)
        return type(obj)(items)
    if isinstance(obj, dict):
        return type(obj)((k, wrap(v, graph)) for k, v in obj.items())
    if isinstance(obj, tf.SparseTensor):
        found = graph._wrappers.get(id(obj))
        if found is None:
            found = graph._wrappers[id(obj)] = SparseTensor(_backing=obj, _graph=graph)
        return found
    if isinstance(obj, tf.Variable) and hasattr(obj, "_parent_op"):
        # TF2's "unread variable" (what an assign / scatter method returns): TF1 returned the
        # updated value as a Tensor, so read it after the op (built now, with the op).
        with graph.backing.as_default():
            obj = obj.read_value()
    if isinstance(obj, (tf.Tensor, tf.Operation, tf.Variable, tf.IndexedSlices)):
        key = id(obj)
        found = graph._wrappers.get(key)
        if found is not None:
            return found
        shim: Any  # a shim Variable, Operation, IndexedSlices or Tensor
        if isinstance(obj, tf.Variable):
            shim = _hooks["variable"]._from_backing(obj, graph)
        elif isinstance(obj, tf.Operation):
            shim = Operation(obj, graph)
        elif isinstance(obj, tf.IndexedSlices):
            shim = IndexedSlices(obj, graph)
        else:
            shim = Tensor(obj, graph)
        graph._wrappers[key] = shim
        return shim
    return obj


def unwrap(obj: Any) -> Any:
    """Shim object(s) -> backing object(s); callables are wrapped so TF hands them shim objects."""
    if isinstance(obj, (Tensor, IndexedSlices, SparseTensor)):
        return obj._t if isinstance(obj, Tensor) else obj._s
    if isinstance(obj, Operation):
        return obj._op
    if _is_variable(obj):
        return obj._v
    if isinstance(obj, (list, tuple)):
        items = [unwrap(o) for o in obj]
        if isinstance(obj, tuple) and hasattr(obj, "_fields"):
            return type(obj)(*items)
        return type(obj)(items)
    if isinstance(obj, dict):  # keys too: tf.case takes {predicate: branch}
        return type(obj)((unwrap(k), unwrap(v)) for k, v in obj.items())
    if isinstance(obj, (types.FunctionType, types.MethodType, functools.partial)):
        return _callback(obj)
    if type(obj) is _shapes.TF1TensorShape:  # TF functions expect TF2's shape (ints)
        return _shapes.plain_shape(obj)
    return obj


def _find_graph(obj: Any) -> "_graph.Graph | None":
    if isinstance(obj, (Tensor, Operation, IndexedSlices, SparseTensor)):
        return obj._graph
    if _is_variable(obj):
        return obj._graph
    if isinstance(obj, (list, tuple)):
        for o in obj:
            g = _find_graph(o)
            if g is not None:
                return g
    elif isinstance(obj, dict):
        for o in obj.values():
            g = _find_graph(o)
            if g is not None:
                return g
    return None


def _callback(fn: Callable) -> Callable:
    """A user callable handed to TF (tf.cond branches, initializer callables, map_fn bodies).

    TF calls it while building its own (possibly nested function) graph: the callable gets shim
    objects, its shim results are unwrapped, and ops it makes are built where TF is building.
    It is marked for AutoGraph to leave alone (``map_fn`` / ``scan`` convert their bodies; it
    could not read the shim's own code and warned, then ran it as it is).
    """
    graph = _graph.get_default_graph()

    @functools.wraps(fn)
    def callback(*args, **kwargs):
        _local.callback_depth = getattr(_local, "callback_depth", 0) + 1
        try:
            return unwrap(fn(*wrap(args, graph), **wrap(kwargs, graph)))
        finally:
            _local.callback_depth -= 1
    return tf.autograph.experimental.do_not_convert(callback)


def call_in_graph(fn: Callable, args: tuple, kwargs: dict) -> Any:
    """Applies a TF2 function to shim objects by recording it in the backing graph."""
    graph = _find_graph(args) or _find_graph(kwargs) or _graph.get_default_graph()
    if graph._finalized:
        raise RuntimeError("Graph is finalized and cannot be modified.")
    tf_args = unwrap(args)
    tf_kwargs = unwrap(kwargs)
    if getattr(_local, "callback_depth", 0):
        # Inside a callable TF is tracing (cond branch, loop body): build where TF builds.
        return wrap(fn(*tf_args, **tf_kwargs), graph)
    with graph.backing.as_default(), tf_private.tf1_control_flow():
        return wrap(fn(*tf_args, **tf_kwargs), graph)


# ----- operator overloads: TF's own, applied in the backing graph ----------------------------
def _binary(op: Callable, reverse: bool = False) -> Callable:
    if reverse:
        return lambda self, other: call_in_graph(lambda a, b: op(b, a), (self, other), {})
    return lambda self, other: call_in_graph(op, (self, other), {})


def _unary(op: Callable) -> Callable:
    return lambda self: call_in_graph(op, (self,), {})


_BINARY = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "truediv": operator.truediv,
    "floordiv": operator.floordiv, "mod": operator.mod, "pow": operator.pow,
    "matmul": operator.matmul, "and": operator.and_, "or": operator.or_, "xor": operator.xor,
}


def _install_operators(cls: type) -> None:
    for name, op in _BINARY.items():
        setattr(cls, f"__{name}__", _binary(op))
        setattr(cls, f"__r{name}__", _binary(op, reverse=True))
    for name, op in {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}.items():
        setattr(cls, f"__{name}__", _binary(op))
    setattr(cls, "__neg__", _unary(operator.neg))
    setattr(cls, "__abs__", _unary(operator.abs))
    setattr(cls, "__invert__", _unary(operator.invert))
    setattr(cls, "__getitem__", lambda self, key: call_in_graph(operator.getitem, (self, key), {}))


_install_operators(Tensor)


def _tensor_conversion(value, dtype=None, name=None, as_ref=False):
    """Lets TF's own functions accept shim tensors while they build in the backing graph."""
    return value._t


tf.register_tensor_conversion_function(Tensor, _tensor_conversion)
_graph.install_converters(wrap, unwrap)
# numpy must not try to treat tensors as sequences when building arrays of them
np_ndarray_priority = 100
setattr(Tensor, "__array_priority__", np_ndarray_priority)
