"""The TF1 graph: a shim ``Graph`` over a real (non-eager) ``tf.Graph``.

Building a TF1 script records nodes in a backing ``tf.Graph`` — the same graph TF1 itself would
have built, made by TF2's own op functions in graph mode — without running anything. Names,
static shapes, shape errors at build time, collections and op-seed derivation are therefore
TF's own. Nothing here executes; ``lowering.py`` is the only place that runs a graph.
"""
from __future__ import annotations

import contextlib
import threading
from typing import Any, Iterator

import tensorflow as tf


# wrap(backing, graph) / unwrap(shim) between backing and shim objects, installed by tensor.py
# (the layer above), so that this module imports nothing of the package.
_converters: dict[str, Any] = {}


def install_converters(wrap, unwrap) -> None:
    _converters["wrap"], _converters["unwrap"] = wrap, unwrap


class GraphKeys:
    """TF1's standard collection names (the strings TF1 used, so collections interoperate)."""

    GLOBAL_VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    METRIC_VARIABLES = "metric_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    ASSET_FILEPATHS = "asset_filepaths"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    CONCATENATED_VARIABLES = "concatenated_variables"
    SAVERS = "savers"
    WEIGHTS = "weights"
    BIASES = "biases"
    ACTIVATIONS = "activations"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    SAVEABLE_OBJECTS = "saveable_objects"
    RESOURCES = "resources"
    LOCAL_RESOURCES = "local_resources"
    TRAINABLE_RESOURCE_VARIABLES = "trainable_resource_variables"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    READY_FOR_LOCAL_INIT_OP = "ready_for_local_init_op"
    SUMMARY_OP = "summary_op"
    GLOBAL_STEP = "global_step"
    EVAL_STEP = "eval_step"
    TRAIN_OP = "train_op"
    COND_CONTEXT = "cond_context"
    WHILE_CONTEXT = "while_context"
    VARIABLES = GLOBAL_VARIABLES


class Graph:
    """A TF1 ``tf.Graph``: records operations; run them with a ``Session``.

    Wraps a backing ``tf.Graph`` (``self.backing``) and keeps the shim objects (Tensor,
    Operation, Variable) that stand for its elements, one per element.
    """

    def __init__(self) -> None:
        self.backing = tf.Graph()
        self._wrappers: dict[int, Any] = {}
        self._finalized = False
        # The lowering's view of the backing graph (rebuilt when its version changes) and
        # its plans, keyed by (targets, feeds); see lowering.py.
        self._snapshot: Any = None
        self._plans: dict[Any, Any] = {}

    # ----- default graph -------------------------------------------------------------------
    @contextlib.contextmanager
    def as_default(self) -> Iterator["Graph"]:
        """Makes this graph the default graph inside the ``with`` block (TF1: ``Graph.as_default``)."""
        _stack().append(self)
        try:
            yield self
        finally:
            _stack().pop()

    # ----- wrappers ------------------------------------------------------------------------
    def _wrap(self, obj: Any) -> Any:
        return _converters["wrap"](obj, self)

    # ----- TF1 Graph API -------------------------------------------------------------------
    @property
    def seed(self) -> int | None:
        return self.backing.seed

    @seed.setter
    def seed(self, value: int | None) -> None:
        self.backing.seed = value

    @property
    def version(self) -> int:
        return self.backing.version

    @property
    def finalized(self) -> bool:
        return self._finalized

    def finalize(self) -> None:
        """After this, adding an op raises ``RuntimeError`` (TF1: ``Graph.finalize``)."""
        self._finalized = True
        self.backing.finalize()

    def get_operations(self) -> list:
        return [self._wrap(op) for op in self.backing.get_operations()]

    def get_operation_by_name(self, name: str):
        return self._wrap(self.backing.get_operation_by_name(name))

    def get_tensor_by_name(self, name: str):
        return self._wrap(self.backing.get_tensor_by_name(name))

    def as_graph_element(self, obj: Any, allow_tensor: bool = True, allow_operation: bool = True):
        """Resolves a name, Tensor, Operation or Variable of this graph (TF's own error texts)."""
        return self._wrap(self.backing.as_graph_element(
            _converters["unwrap"](obj), allow_tensor=allow_tensor, allow_operation=allow_operation))

    def as_graph_def(self, from_version=None, add_shapes: bool = False):
        return self.backing.as_graph_def(from_version=from_version, add_shapes=add_shapes)

    def unique_name(self, name: str, mark_as_used: bool = True) -> str:
        return self.backing.unique_name(name, mark_as_used=mark_as_used)

    def get_name_scope(self) -> str:
        return self.backing.get_name_scope()

    def name_scope(self, name: str | None):
        """TF1 ``Graph.name_scope``: a trailing '/' re-enters an absolute scope; None resets."""
        return self.backing.name_scope(name)

    def control_dependencies(self, control_inputs):
        if control_inputs is None:
            return self.backing.control_dependencies(None)
        return self.backing.control_dependencies([_converters["unwrap"](c) for c in control_inputs])

    @contextlib.contextmanager
    def device(self, device_name_or_function) -> Iterator[None]:
        with self.backing.device(device_name_or_function):
            yield

    @contextlib.contextmanager
    def colocate_with(self, op, ignore_existing: bool = False) -> Iterator[None]:
        # Colocation only steers placement; the lowering strips it (see lowering.py).
        yield

    # Collections are the backing graph's own, holding backing objects; the shim returns wrappers.
    def add_to_collection(self, name: str, value: Any) -> None:
        self.backing.add_to_collection(name, _converters["unwrap"](value))

    def add_to_collections(self, names, value: Any) -> None:
        names = (names,) if isinstance(names, str) else set(names)
        for name in names:
            self.add_to_collection(name, value)

    def get_collection(self, name: str, scope: str | None = None) -> list:
        return [self._wrap(v) for v in self.backing.get_collection(name, scope)]

    def get_collection_ref(self, name: str) -> list:
        """The live list, holding backing objects (TF1 returned the live list too)."""
        return self.backing.get_collection_ref(name)

    def clear_collection(self, name: str) -> None:
        self.backing.clear_collection(name)

    def get_all_collection_keys(self) -> list:
        return self.backing.get_all_collection_keys()

    @property
    def collections(self) -> list:
        return self.backing.collections

    def is_feedable(self, tensor) -> bool:
        return self.backing.is_feedable(_converters["unwrap"](tensor))

    def __repr__(self) -> str:
        return f"<tftrain_compat Graph object at {id(self):#x}>"


# ----- default graph stack (per thread, like TF1) ------------------------------------------
_local = threading.local()
_global_default: Graph | None = None


def _stack() -> list:
    if not hasattr(_local, "stack"):
        _local.stack = []
    return _local.stack


def get_default_graph() -> Graph:
    """Returns the innermost ``as_default`` graph, else the global default graph (TF1)."""
    stack = _stack()
    if stack:
        return stack[-1]
    global _global_default
    if _global_default is None:
        _global_default = Graph()
    return _global_default


def reset_default_graph() -> None:
    """Clears the global default graph (TF1: ``tf.reset_default_graph``).

    As in TF1, calling it inside a ``with graph.as_default():`` block is an error.
    """
    if _stack():
        raise AssertionError(
            "Do not use tf.reset_default_graph() to clear nested graphs. If you need a "
            "cleared graph, exit the nesting and create a new graph.")
    global _global_default
    _global_default = Graph()
