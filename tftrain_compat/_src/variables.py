"""TF1 ``tf.Variable`` and the initializer helpers.

A shim Variable wraps a resource variable of the backing graph (as ``tf.compat.v1`` makes on
TF2). It holds no value: each Session keeps its own state (see ``session.py``), and a new
Session starts with every variable uninitialized, as TF1 did.
"""
from __future__ import annotations

from typing import Any, Callable

import tensorflow as tf

from tftrain_compat._src import graph as _graph
from tftrain_compat._src import shapes as _shapes
from tftrain_compat._src import tensor as _tensor
from tftrain_compat._src.graph import GraphKeys


class Variable:
    """TF1 ``tf.Variable(initial_value, trainable=True, collections=None, validate_shape=True,
    caching_device=None, name=None, variable_def=None, dtype=None, expected_shape=None,
    import_scope=None, constraint=None, use_resource=None, synchronization=..., aggregation=...,
    shape=None)``.

    ``initial_value`` may be a Tensor, a NumPy array or Python value, or a zero-argument callable.
    It joins ``GLOBAL_VARIABLES`` (and ``TRAINABLE_VARIABLES`` when trainable), or ``collections``.
    """

    def __init__(self, initial_value: Any = None, trainable: bool | None = None,
                 collections=None, validate_shape: bool = True, caching_device=None,
                 name: str | None = None, variable_def=None, dtype=None, expected_shape=None,
                 import_scope=None, constraint: Callable | None = None, use_resource=None,
                 synchronization=None, aggregation=None, shape=None) -> None:
        if variable_def is not None:
            raise NotImplementedError("tf.Variable(variable_def=...) is not supported by "
                                      "tftrain_compat; build the variable from an initial value.")
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        if trainable is None:
            trainable = True
        kwargs = dict(initial_value=initial_value, trainable=trainable, name=name, dtype=dtype,
                      constraint=constraint)
        if aggregation is not None:  # recorded in the VariableDef a .meta file carries
            kwargs["aggregation"] = aggregation
        if caching_device is not None:
            # TF1: reads use one cached Identity of the value, made beside the variable
            # (dynamic_rnn sets it, so the loop reads the weights once per run).
            kwargs["caching_device"] = caching_device
        if not validate_shape:
            kwargs["shape"] = tf.TensorShape(None)
        elif shape is not None:
            kwargs["shape"] = shape
        backing = _tensor.unwrap(_tensor.call_in_graph(_make_backing, (), kwargs))
        graph = _tensor._find_graph(initial_value) or _graph.get_default_graph()
        self._init_from(backing, graph)
        if collections is not None:
            # TF2's tf.Variable has no `collections`; move it by hand to honour TF1's argument.
            for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.TRAINABLE_VARIABLES):
                ref = graph.get_collection_ref(key)
                # identity, not ==: a variable's == is elementwise
                ref[:] = [v for v in ref if v is not backing]
            names = [collections] if isinstance(collections, str) else list(collections)
            if trainable and GraphKeys.TRAINABLE_VARIABLES not in names:
                names.append(GraphKeys.TRAINABLE_VARIABLES)
            for key in names:
                graph.get_collection_ref(key).append(backing)

    def _init_from(self, backing: tf.Variable, graph: "_graph.Graph") -> None:
        self._v = backing
        self._graph = graph
        graph._wrappers[id(backing)] = self

    @classmethod
    def _from_backing(cls, backing: tf.Variable, graph: "_graph.Graph") -> "Variable":
        self = cls.__new__(cls)
        self._init_from(backing, graph)
        return self

    # ----- properties --------------------------------------------------------------------
    name = property(lambda self: self._v.name)
    dtype = property(lambda self: self._v.dtype)
    shape = property(lambda self: _shapes.tf1_shape(self._v.shape))  # TF1: Dimension items
    graph = property(lambda self: self._graph)
    device = property(lambda self: self._v.device)
    trainable = property(lambda self: self._v.trainable)
    constraint = property(lambda self: self._v.constraint)
    op = property(lambda self: self._graph._wrap(self._v.op))
    initializer = property(lambda self: self._graph._wrap(self._v.initializer))
    @property
    def initial_value(self) -> "_tensor.Tensor":
        return self._call(lambda v: v.initial_value)

    def get_shape(self) -> tf.TensorShape:
        return _shapes.tf1_shape(self._v.shape)

    def _call(self, fn: Callable, *args, **kwargs) -> Any:
        return _tensor.call_in_graph(fn, (self,) + args, kwargs)

    def value(self) -> "_tensor.Tensor":
        """A tensor reading the variable (TF1: ``Variable.value``)."""
        return self._call(lambda v: v.value())

    def read_value(self) -> "_tensor.Tensor":
        return self._call(lambda v: v.read_value())

    def initialized_value(self) -> "_tensor.Tensor":
        """The value, after running the initializer if the variable is not yet initialized."""
        return self._call(lambda v: tf.cond(
            tf.raw_ops.VarIsInitializedOp(resource=v.handle),
            v.read_value, lambda: v.initial_value))

    def assign(self, value, use_locking: bool = False, name: str | None = None,
               read_value: bool = True):
        """``var = value``; returns the new value (a Tensor named like TF1's ``Assign:0``), or
        the assign op when ``read_value=False``. Assigning initializes the variable (TF1)."""
        return self._assign("AssignVariableOp", "Assign", value, name, read_value)

    def assign_add(self, delta, use_locking: bool = False, name: str | None = None,
                   read_value: bool = True):
        """``var += delta``; returns the new value (TF1's ``AssignAdd:0``) or the op."""
        return self._assign("AssignAddVariableOp", "AssignAdd", delta, name, read_value)

    def assign_sub(self, delta, use_locking: bool = False, name: str | None = None,
                   read_value: bool = True):
        """``var -= delta``; returns the new value (TF1's ``AssignSub:0``) or the op."""
        return self._assign("AssignSubVariableOp", "AssignSub", delta, name, read_value)

    def _assign(self, kernel: str, default_name: str, value, name: str | None,
                read_value: bool, validate_shape: bool = True):
        def build(v, x):
            with tf.name_scope(name or default_name) as scope:
                x = tf.convert_to_tensor(x, dtype=v.dtype)
                if kernel == "AssignVariableOp":
                    if validate_shape:
                        v.shape.assert_is_compatible_with(x.shape)
                    op = tf.raw_ops.AssignVariableOp(resource=v.handle, value=x,
                                                     validate_shape=validate_shape)
                else:
                    op = getattr(tf.raw_ops, kernel)(resource=v.handle, value=x)
                if not read_value:
                    return op
                with tf.control_dependencies([op]):
                    read = tf.raw_ops.ReadVariableOp(resource=v.handle, dtype=v.dtype)
                    return tf.identity(read, name=scope)
        return self._call(build, value)

    def scatter_sub(self, sparse_delta, use_locking: bool = False, name: str | None = None):
        return self._call(lambda v, d: v.scatter_sub(d, use_locking=use_locking, name=name),
                          sparse_delta)

    def scatter_add(self, sparse_delta, use_locking: bool = False, name: str | None = None):
        return self._call(lambda v, d: v.scatter_add(d, use_locking=use_locking, name=name),
                          sparse_delta)

    def scatter_update(self, sparse_delta, use_locking: bool = False, name: str | None = None):
        return self._call(lambda v, d: v.scatter_update(d, use_locking=use_locking, name=name),
                          sparse_delta)

    def eval(self, session=None):
        """The current value in ``session`` or the default session."""
        return _tensor.run_with_default(self, None, session, "eval")

    def load(self, value, session=None) -> None:
        """Writes ``value`` into the variable in ``session`` (TF1: ``Variable.load``)."""
        sess = session or _tensor._hooks["default_session"]()
        if sess is None:
            raise ValueError("Either session argument should be provided or default session "
                             "should be established")
        sess._load_variable(self, value)

    def _as_graph_element(self):
        return self._v

    __hash__ = object.__hash__

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    def __repr__(self) -> str:
        return repr(self._v)

    def __str__(self) -> str:
        return str(self._v)

    def __iter__(self):
        raise TypeError("Variable objects are not iterable.")

    def __bool__(self):
        raise TypeError("Using a `tf.Variable` as a Python `bool` is not allowed.")


_tensor._install_operators(Variable)
_tensor.install_hook("variable", Variable)
tf.register_tensor_conversion_function(Variable, lambda v, dtype=None, name=None, as_ref=False: v._v.value())


def _make_backing(initial_value, **kwargs) -> tf.Variable:
    return tf.Variable(initial_value, **kwargs)


# ----- collections and initializers ---------------------------------------------------------
def global_variables(scope: str | None = None) -> list:
    """Variables in ``GLOBAL_VARIABLES`` of the default graph (TF1: ``tf.global_variables``)."""
    return _graph.get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


def all_variables() -> list:
    return global_variables()


def trainable_variables(scope: str | None = None) -> list:
    return _graph.get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope: str | None = None) -> list:
    return _graph.get_default_graph().get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def model_variables(scope: str | None = None) -> list:
    return _graph.get_default_graph().get_collection(GraphKeys.MODEL_VARIABLES, scope)


def moving_average_variables(scope: str | None = None) -> list:
    return _graph.get_default_graph().get_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, scope)


def variables_initializer(var_list, name: str = "init"):
    """A ``tf.group`` of every ``var.initializer`` (a bare no-op when the list is empty)."""
    var_list = list(var_list)
    if not var_list:
        return _tensor.call_in_graph(lambda: tf.no_op(name=name), (), {})
    return _tensor.call_in_graph(lambda vs: tf.group(*[v.initializer for v in vs], name=name),
                                 (var_list,), {})


def global_variables_initializer():
    """``variables_initializer(global_variables(), name="init")``."""
    return variables_initializer(global_variables(), name="init")


def local_variables_initializer():
    return variables_initializer(local_variables(), name="init")


def initialize_all_variables():
    """Deprecated TF1 alias of ``global_variables_initializer`` (deprecated after 2017-03-02)."""
    import logging
    logging.getLogger("tftrain_compat").warning(
        "initialize_all_variables (from tensorflow.python.ops.variables) is deprecated and will "
        "be removed after 2017-03-02. Instructions for updating: Use "
        "`tf.global_variables_initializer` instead.")
    return global_variables_initializer()


def initialize_variables(var_list, name: str = "init"):
    return variables_initializer(var_list, name)


def initialize_local_variables():
    return local_variables_initializer()


def is_variable_initialized(variable):
    return _tensor.call_in_graph(
        lambda v: tf.raw_ops.VarIsInitializedOp(resource=v.handle), (variable,), {})


def report_uninitialized_variables(var_list=None, name: str = "report_uninitialized_variables"):
    """A string tensor with the names of the variables not yet initialized in a session."""
    var_list = global_variables() + local_variables() if var_list is None else list(var_list)

    def build(vs):
        if not vs:
            return tf.constant([], dtype=tf.string, name=name)
        flags = tf.stack([tf.raw_ops.VarIsInitializedOp(resource=v.handle) for v in vs])
        names = tf.constant([v.op.name for v in vs])
        return tf.boolean_mask(names, tf.logical_not(flags), name=name)
    return _tensor.call_in_graph(build, (var_list,), {})
