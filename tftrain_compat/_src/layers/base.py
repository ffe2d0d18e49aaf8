"""TF1 ``tf.layers.Layer``: the base of every ``tf.layers`` class, on the shim's variables.

The naming and scoping rules are TF1's (tf.layers' base ``Layer``):

* ``layer.name`` is the snake-case class name with a per-graph counter (``dense_1``,
  ``dense_2``...; always suffixed), unless ``name`` is given.
* The variable scope is captured the first time the layer is called or builds a weight:
  ``variable_scope(None, default_name=<name or class name>)``, made unique in the enclosing
  variable scope (``dense``, ``dense_1``, ``s/dense``). The functional forms (``tf.layers.dense``)
  pass ``_scope=name``, which captures ``variable_scope(name)`` at once, so a second
  ``dense(x, 3, name='fc')`` without ``reuse`` raises "Variable fc/kernel already exists".
* Weights are ``get_variable(<scope>/<name>)``: ``reuse`` (the argument, or an enclosing
  ``variable_scope(reuse=True)``) shares them; a built layer called again always reuses.
* Ops are named under the scope's original name scope (``dense/MatMul``, ``dense/MatMul_1``).
* Weight regularizers run under ``<scope>/<weight>/Regularizer`` for a weight the call created
  and join ``REGULARIZATION_LOSSES`` and ``layer.losses``. An activity regularizer is applied to
  each output under ``<scope>/ActivityRegularizer`` and divided by the batch size (tf.layers
  on Keras' base layer did this).
* Update ops (batch norm's moving averages) join ``layer.updates`` and ``UPDATE_OPS``.
"""
from __future__ import annotations

import re
import weakref
from typing import Any, Callable

import tensorflow as tf

from tftrain_compat._src import graph as _graph
from tftrain_compat._src import tensor as _tensor
from tftrain_compat._src import variable_scope as _vs
from tftrain_compat._src.graph import GraphKeys

# graph -> {base name: count}: TF1's per-graph layer name counter.
_NAME_UIDS: "weakref.WeakKeyDictionary[_graph.Graph, dict[str, int]]" = weakref.WeakKeyDictionary()


def to_snake_case(name: str) -> str:
    """``Conv2DTranspose`` -> ``conv2d_transpose`` (TF1's rule for default layer names)."""
    intermediate = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    insecure = re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()
    return insecure if insecure[0] != "_" else "private" + insecure


def unique_layer_name(base_name: str, graph: "_graph.Graph | None" = None) -> str:
    """``base_name_<k>`` with ``k`` counting the layers of that base name in the graph (from 1)."""
    graph = graph or _graph.get_default_graph()
    uids = _NAME_UIDS.setdefault(graph, {})
    uids[base_name] = uids.get(base_name, 0) + 1
    return f"{base_name}_{uids[base_name]}"


def call(fn: Callable, *args, **kwargs) -> Any:
    """Applies ``fn`` (a function of TF tensors) to shim objects in the backing graph."""
    return _tensor.call_in_graph(fn, args, kwargs)


def smart_cond(pred, true_fn: Callable, false_fn: Callable):
    """TF1 layers' ``smart_cond`` on backing tensors: a Python bool or a constant picks the
    branch at build time, anything else (a placeholder) builds a ``tf.cond``."""
    if isinstance(pred, tf.Variable):
        return tf.cond(pred, true_fn, false_fn)
    return tf.__internal__.smart_cond.smart_cond(pred, true_fn, false_fn)


def constant_value(pred) -> bool | None:
    """The Python value of ``training`` when known at build time, else None."""
    if isinstance(pred, (bool, int)):
        return bool(pred)
    from tftrain_compat._src import variables as _variables
    if isinstance(pred, _variables.Variable) or isinstance(pred, tf.Variable):
        return None
    if isinstance(pred, _tensor.Tensor):
        pred = pred._t
    value = tf.get_static_value(pred)
    return None if value is None else bool(value)


class InputSpec:
    """TF1 ``tf.layers.InputSpec(dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
    axes=None)``: what a layer accepts; checked when the layer is called."""

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None) -> None:
        self.dtype = tf.as_dtype(dtype).name if dtype is not None else None
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = dict(axes or {})

    def __repr__(self) -> str:
        return (f"InputSpec(dtype={self.dtype}, shape={self.shape}, ndim={self.ndim}, "
                f"max_ndim={self.max_ndim}, min_ndim={self.min_ndim}, axes={self.axes})")


class WeightsOwner:
    """The weight lists and scope name TF1's ``base_layer.Layer`` gave its layers and RNN cells
    (from ``_scope``, ``_name``, ``trainable``, ``_trainable_weights``, ``_non_trainable_weights``):
    a non-trainable owner lists all its weights as non-trainable."""

    _scope: Any
    _name: str
    trainable: bool
    _trainable_weights: list
    _non_trainable_weights: list

    @property
    def scope_name(self) -> str:
        if not self._scope:
            raise ValueError(
                'No name available for layer scope because the layer "' + self._name +
                '" has not been used yet. The scope name  is determined the first time the '
                "layer instance is called. You must therefore call the layer before querying "
                "`scope_name`.")
        return self._scope.name

    @property
    def trainable_weights(self) -> list:
        return list(self._trainable_weights) if self.trainable else []

    @property
    def non_trainable_weights(self) -> list:
        if self.trainable:
            return list(self._non_trainable_weights)
        return list(self._trainable_weights) + list(self._non_trainable_weights)

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def weights(self) -> list:
        return self.trainable_weights + self.non_trainable_weights

    variables = weights


class Layer(WeightsOwner):
    """TF1 ``tf.layers.Layer(trainable=True, name=None, dtype=None, **kwargs)``.

    Subclasses implement ``build(input_shape)`` (creating weights with ``add_weight``) and
    ``call(inputs, ...)``; ``__call__``/``apply`` open the layer's variable scope, build once,
    and call. ``variables``/``weights`` are ``trainable_weights + non_trainable_weights``.
    """

    def __init__(self, trainable: bool = True, name: str | None = None, dtype=None,
                 **kwargs) -> None:
        scope = kwargs.pop("_scope", None)
        self._reuse = kwargs.pop("_reuse", None)
        activity_regularizer = kwargs.pop("activity_regularizer", None)
        for key in kwargs:
            if key not in ("input_shape", "batch_input_shape", "batch_size", "weights",
                           "autocast"):
                raise TypeError(f"('Keyword argument not understood:', {key!r})")
        self.trainable = trainable
        self.built = False
        self._dtype = None if dtype is None else tf.as_dtype(dtype)
        self._trainable_weights: list = []
        self._non_trainable_weights: list = []
        self._losses: list = []
        self._updates: list = []
        self._activity_regularizer = activity_regularizer
        self.input_spec: InputSpec | None = None
        self._graph = _graph.get_default_graph()
        self._base_name: str
        self._name: str
        if isinstance(name, _vs.VariableScope):
            self._base_name = name.name
            self._name = unique_layer_name(to_snake_case(type(self).__name__), self._graph)
        elif name:
            self._base_name = self._name = name
        else:
            self._base_name = to_snake_case(type(self).__name__)
            self._name = unique_layer_name(self._base_name, self._graph)
        self._scope: Any = None
        if scope:
            with _vs.variable_scope(scope) as captured:
                self._scope = captured
        self._current_scope: Any = None

    # ----- properties ----------------------------------------------------------------------
    name = property(lambda self: self._name)
    dtype = property(lambda self: None if self._dtype is None else self._dtype.name)
    activity_regularizer = property(lambda self: self._activity_regularizer)

    @property
    def losses(self) -> list:
        return list(self._losses)

    @property
    def updates(self) -> list:
        return list(self._updates)

    # ----- building blocks -------------------------------------------------------------------
    def build(self, input_shape) -> None:
        self.built = True

    def call(self, inputs, **kwargs):
        return inputs

    def compute_output_shape(self, input_shape):
        raise NotImplementedError

    def add_loss(self, losses, inputs=None) -> None:
        """Adds loss tensors to ``layer.losses`` and ``REGULARIZATION_LOSSES`` (TF1 tf.layers)."""
        graph = _graph.get_default_graph()
        items = losses if isinstance(losses, (list, tuple)) else [losses]
        for loss in items:
            if callable(loss):
                loss = loss()
            if loss is None:
                continue
            self._losses.append(loss)
            if not any(loss is v for v in graph.get_collection(GraphKeys.REGULARIZATION_LOSSES)):
                graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)

    def add_update(self, updates, inputs=None) -> None:
        """Records update ops (tensors count by their op); ``__call__`` adds them to UPDATE_OPS."""
        items = updates if isinstance(updates, (list, tuple)) else [updates]
        for update in items:
            if callable(update):
                update = update()
            if isinstance(update, _tensor.Tensor):
                update = update.op
            self._updates.append(update)

    def _set_scope(self, scope=None) -> None:
        if self._scope is None:
            if self._reuse:
                with _vs.variable_scope(scope if scope is not None else self._base_name) as vs:
                    self._scope = vs
            else:
                with _vs.variable_scope(scope, default_name=self._base_name) as vs:
                    self._scope = vs

    def add_weight(self, name: str, shape, dtype=None, initializer=None, regularizer=None,
                   trainable: bool | None = None, constraint=None, use_resource=None,
                   synchronization=tf.VariableSynchronization.AUTO,
                   aggregation=tf.VariableAggregation.NONE, partitioner=None, **kwargs):
        """``get_variable(<layer scope>/<name>)``; a regularizer applies to a new variable only.

        ``initializer=None`` takes the variable scope's initializer, else ``get_variable``'s
        default (glorot_uniform for floats), as TF1's tf.layers did.
        """
        for key in kwargs:
            if key != "experimental_autocast":
                raise TypeError("Unknown keyword argument:", key)
        if synchronization == tf.VariableSynchronization.ON_READ:
            if trainable:
                raise ValueError(
                    "Synchronization value can be set to VariableSynchronization.ON_READ only "
                    "for non-trainable variables. You have specified trainable=True and "
                    "synchronization=VariableSynchronization.ON_READ.")
            trainable = False
        elif trainable is None:
            trainable = True
        graph = _graph.get_default_graph()
        existing = {id(v) for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES)}
        if dtype is None:
            dtype = self._dtype or tf.float32
        self._set_scope(None)
        reuse = True if self.built or self._reuse else None
        with _vs.variable_scope(self._scope, reuse=reuse, auxiliary_name_scope=False) as scope:
            self._current_scope = scope
            with graph.name_scope(scope.original_name_scope):
                variable = _vs.get_variable(
                    name, shape=shape, dtype=tf.as_dtype(dtype), initializer=initializer,
                    trainable=trainable and self.trainable, constraint=constraint,
                    partitioner=partitioner, use_resource=use_resource,
                    synchronization=synchronization, aggregation=aggregation)
                if regularizer and id(variable) not in existing:
                    with graph.name_scope(name + "/Regularizer"):
                        self.add_loss(regularizer(variable))
        in_trainable = any(variable is v for v in
                           graph.get_collection(GraphKeys.TRAINABLE_VARIABLES))
        if trainable and self.trainable and in_trainable:
            self._trainable_weights.append(variable)
        else:
            self._non_trainable_weights.append(variable)
        return variable

    # ----- calling ---------------------------------------------------------------------------
    def __call__(self, inputs, *args, **kwargs):
        """Builds the layer on first use (in its variable scope) and applies ``call``."""
        scope = kwargs.pop("scope", None)
        graph = _tensor._find_graph(inputs) or _graph.get_default_graph()
        if not isinstance(inputs, (list, tuple)) and not hasattr(inputs, "get_shape"):
            # TF1 layers accept anything convertible (a NumPy array, a list of numbers)
            with graph.as_default():
                inputs = call(tf.convert_to_tensor, inputs)
        with graph.as_default():
            self._set_scope(scope)
            reuse = True if self.built else self._reuse
            n_updates = len(self._updates)
            if self._dtype is None and not isinstance(inputs, (list, tuple)):
                dtype = getattr(inputs, "dtype", None)
                # tf.layers infer the weights' dtype from the first input.
                self._dtype = (tf.as_dtype(dtype).base_dtype if dtype is not None
                               and tf.as_dtype(dtype).is_floating else tf.float32)
            with _vs.variable_scope(self._scope, reuse=reuse,
                                    auxiliary_name_scope=False) as vscope:
                self._current_scope = vscope
                with graph.name_scope(vscope.original_name_scope):
                    if not self.built:
                        self._check_input_spec(inputs)
                        shape = (inputs.get_shape() if not isinstance(inputs, (list, tuple))
                                 else [i.get_shape() for i in inputs])
                        self.build(shape)
                        self.built = True
                    else:
                        self._check_input_spec(inputs)
                    outputs = self.call(inputs, *args, **kwargs)
                    if self._activity_regularizer is not None:
                        self._apply_activity_regularizer(outputs)
            for update in self._updates[n_updates:]:
                if not any(update is u for u in graph.get_collection(GraphKeys.UPDATE_OPS)):
                    graph.add_to_collection(GraphKeys.UPDATE_OPS, update)
        return outputs

    def apply(self, inputs, *args, **kwargs):
        """The same as calling the layer (TF1 ``Layer.apply``)."""
        return self.__call__(inputs, *args, **kwargs)

    def _apply_activity_regularizer(self, outputs) -> None:
        graph = _graph.get_default_graph()
        with graph.name_scope("ActivityRegularizer"):
            for output in tf.nest.flatten(outputs):
                loss = self._activity_regularizer(output)
                if loss is None:
                    continue
                self.add_loss(call(
                    lambda l, o: l / tf.cast(tf.shape(o)[0], l.dtype), loss, output))

    def _check_input_spec(self, inputs) -> None:
        spec = self.input_spec
        if spec is None or isinstance(inputs, (list, tuple)):
            return
        shape = inputs.get_shape()
        rank = shape.rank
        if spec.ndim is not None and rank is not None and rank != spec.ndim:
            raise ValueError(
                f"Input 0 of layer \"{self.name}\" is incompatible with the layer: expected "
                f"ndim={spec.ndim}, found ndim={rank}. Full shape received: {tuple(shape)}")
        if spec.min_ndim is not None and rank is not None and rank < spec.min_ndim:
            raise ValueError(
                f"Input 0 of layer \"{self.name}\" is incompatible with the layer: expected "
                f"min_ndim={spec.min_ndim}, found ndim={rank}. Full shape received: "
                f"{tuple(shape)}")
        if spec.max_ndim is not None and rank is not None and rank > spec.max_ndim:
            raise ValueError(
                f"Input 0 of layer \"{self.name}\" is incompatible with the layer: expected "
                f"max_ndim={spec.max_ndim}, found ndim={rank}. Full shape received: "
                f"{tuple(shape)}")
        for axis, value in spec.axes.items():
            if rank is None or value is None:
                continue
            dim = shape[int(axis)]
            if dim is not None and dim != value:
                raise ValueError(
                    f"Input 0 of layer \"{self.name}\" is incompatible with the layer: expected "
                    f"axis {axis} of input shape to have value {value}, but received input with "
                    f"shape {tuple(shape)}")

    def __repr__(self) -> str:
        return f"<tftrain_compat.layers.{type(self).__name__} name={self.name!r}>"
