"""TF1 ``tf.nn.rnn_cell`` cells on the shim's ``variable_scope`` / ``get_variable``.

The rules are TF1's (``rnn_cell_impl``, later tf-keras' ``legacy_cells``):

* A cell is a TF1 layer: on its first call it opens ``variable_scope(None,
  default_name=<snake_case class name or name>)`` inside the current variable scope (so
  ``rnn/basic_lstm_cell``, ``rnn/multi_rnn_cell/cell_0/lstm_cell``, ``..._1`` for a second cell),
  builds its weights there with ``get_variable`` and reuses them on later calls.
* Weights: ``kernel`` of shape ``[input_depth + h_depth, n * num_units]`` applied to
  ``concat([inputs, h], 1)``, ``bias`` (zeros; GRU's ``gates/bias`` ones). Without an
  initializer the kernel gets the variable scope's initializer, else ``get_variable``'s default
  (``glorot_uniform_initializer``, seeded from the graph as in TF1).
* Gate order: LSTM ``i, j, f, o = split(x @ kernel + bias, 4, axis=1)``;
  ``c' = c * sigmoid(f + forget_bias) + sigmoid(i) * act(j)``, ``h' = act(c') * sigmoid(o)``.
  GRU ``r, u = split(sigmoid([x, h] @ gates/kernel + gates/bias), 2, axis=1)``,
  ``c = act([x, r * h] @ candidate/kernel + candidate/bias)``, ``h' = u * h + (1 - u) * c``.

Each step is one application of a TF2 function through ``call_in_graph`` (the same ops, in the
same order, as TF1 built), so forward values and gradients are TF1's.
"""
from __future__ import annotations

import collections
import inspect
import re
import weakref
from typing import Any, Callable

import tensorflow as tf

from tftrain_compat._src import errors as _errors
from tftrain_compat._src import graph as _graph
from tftrain_compat._src import ops_graph as _ops_graph
from tftrain_compat._src import tensor as _tensor
from tftrain_compat._src import variable_scope as _vs
from tftrain_compat._src.layers import base as _layers_base

_WEIGHTS = "kernel"
_BIAS = "bias"

# TF1 resolved string activations through Keras; these are the functions those names meant.
_ACTIVATIONS: dict[str, Callable] = {
    "tanh": tf.tanh, "sigmoid": tf.sigmoid, "relu": tf.nn.relu, "relu6": tf.nn.relu6,
    "elu": tf.nn.elu, "selu": tf.nn.selu, "softplus": tf.nn.softplus,
    "softsign": tf.nn.softsign, "linear": lambda x: x, "exponential": tf.exp,
}


def _call(fn: Callable, *args, **kwargs) -> Any:
    return _tensor.call_in_graph(fn, args, kwargs)


def _tf2_activation(activation) -> Callable:
    """``activation`` as a function on backing tensors (TF1 default: ``tanh``)."""
    if activation is None:
        return tf.tanh
    if isinstance(activation, str):
        if activation not in _ACTIVATIONS:
            raise ValueError(f"Unknown activation function: '{activation}'. Please ensure you "
                             "are using a `keras.utils.custom_object_scope` and that this "
                             "object is included in the scope.")
        return _ACTIVATIONS[activation]
    fn = getattr(activation, "__tf2_function__", None)
    if fn is not None:  # a shim op builder: call the TF2 function it records
        return fn
    if not callable(activation):
        raise TypeError(f"activation must be callable or a name, got {activation!r}")
    graph = _graph.get_default_graph()
    # A user function of shim tensors: hand it shim tensors, take back backing ones.
    return lambda x: _tensor.unwrap(activation(_tensor.wrap(x, graph)))


def _snake_case(name: str) -> str:
    """TF1 layer names: ``BasicLSTMCell`` -> ``basic_lstm_cell``."""
    s = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    s = re.sub("([a-z])([A-Z])", r"\1_\2", s).lower()
    return s if s[0] != "_" else "private" + s


_LAYER_NAMES: "weakref.WeakKeyDictionary[tf.Graph, dict]" = weakref.WeakKeyDictionary()


def _unique_layer_name(base: str) -> str:
    """``base``, ``base_1``, ... per graph (TF1's layer ``name`` property)."""
    counts = _LAYER_NAMES.setdefault(_graph.get_default_graph().backing, {})
    counts[base] = counts.get(base, 0) + 1
    return base if counts[base] == 1 else f"{base}_{counts[base] - 1}"


def _check_supported_dtypes(dtype) -> None:
    if dtype is None:
        return
    dtype = tf.as_dtype(dtype)
    if not (dtype.is_floating or dtype.is_complex):
        raise ValueError("RNN cell only supports floating point inputs, "
                         f"but received dtype: {dtype}")


def _check_rnn_cell_input_dtypes(inputs) -> None:
    for t in tf.nest.flatten(inputs):
        _check_supported_dtypes(t.dtype)


def _is_nested(x) -> bool:
    return isinstance(x, (list, tuple, dict))


def _zero_state_tensors(state_size, batch_size, dtype):
    """Zeros of shape ``[batch_size] + s`` for every ``s`` in ``state_size`` (static shape set)."""
    def zeros(batch, size):
        size = tf.TensorShape(size)
        static_batch = batch if isinstance(batch, int) else tf.get_static_value(batch)
        static = tf.TensorShape([static_batch]).concatenate(size)
        if isinstance(batch, int):
            dims = tf.constant([batch] + size.as_list(), tf.int32)
        else:
            b = tf.reshape(batch, [1]) if batch.shape.rank == 0 else batch
            dims = tf.concat((b, tf.constant(size.as_list(), tf.int32)), 0)
        out = tf.zeros(dims, dtype=dtype)
        out.set_shape(static)
        return out
    return tf.nest.map_structure(lambda s: _call(zeros, batch_size, s), state_size)


_LSTMStateTuple = collections.namedtuple("LSTMStateTuple", ("c", "h"))  # type: ignore[name-match]


class LSTMStateTuple(_LSTMStateTuple):
    """TF1 ``tf.nn.rnn_cell.LSTMStateTuple(c, h)``: an LSTM's (cell state, output) pair."""

    __slots__ = ()

    @property
    def dtype(self):
        c, h = self
        if c.dtype != h.dtype:
            raise TypeError(f"Inconsistent dtypes for internal state: {c.dtype} vs {h.dtype}")
        return c.dtype


# ----- the base classes ----------------------------------------------------------------------
class RNNCell(_layers_base.WeightsOwner):
    """TF1 ``tf.nn.rnn_cell.RNNCell``: ``(output, new_state) = cell(inputs, state, scope=None)``.

    Subclasses give ``state_size``, ``output_size`` and ``call(inputs, state)`` (or ``build``
    plus ``call``); ``zero_state(batch_size, dtype)`` makes the zero initial state.
    """

    _is_layer_cell = False

    def __init__(self, trainable: bool = True, name: str | None = None, dtype=None,
                 **kwargs) -> None:
        self._reuse = kwargs.pop("_reuse", None)
        scope = kwargs.pop("_scope", None)
        kwargs.pop("autocast", None)
        if kwargs:
            raise TypeError(f"Keyword argument not understood: {sorted(kwargs)[0]!r}")
        self.trainable = trainable
        self._dtype = None if dtype is None else tf.as_dtype(dtype)
        base = _snake_case(type(self).__name__)
        self._base_name: str
        self._name: str
        if isinstance(name, _vs.VariableScope):
            self._base_name, self._name = name.name, _unique_layer_name(base)
        elif name:
            self._base_name, self._name = name, name
        else:
            self._name = _unique_layer_name(base)
            self._base_name = base
        self.built = False
        self._trainable_weights: list = []
        self._non_trainable_weights: list = []
        self._scope = None
        self._current_scope: Any = None
        if scope:
            with _vs.variable_scope(scope) as captured:
                self._scope = captured

    # ----- properties TF1 layers had ----------------------------------------------------
    name = property(lambda self: self._name)
    dtype = property(lambda self: self._dtype)

    @property
    def losses(self) -> list:
        return []

    @property
    def updates(self) -> list:
        return []

    @property
    def state_size(self):
        """Size(s) of the state: an int, a TensorShape, or a (nested) tuple of them."""
        raise NotImplementedError("Abstract method")

    @property
    def output_size(self):
        """Size of the output: an int or a TensorShape."""
        raise NotImplementedError("Abstract method")

    # ----- calling ----------------------------------------------------------------------
    def __call__(self, inputs, state, scope=None):
        """Runs the cell on ``inputs`` from ``state``; variables in ``scope`` or the cell's own
        scope (TF1: a plain RNNCell records its variables through a custom getter)."""
        if scope is not None:
            with _vs.variable_scope(scope, custom_getter=self._rnn_get_variable) as scope:
                return self._layer_call(inputs, state, scope=scope)
        cached = getattr(self, "_rnncell_scope", None)
        if cached is None:
            cached = _vs.variable_scope(_vs.get_variable_scope(),
                                        custom_getter=self._rnn_get_variable)
            self._rnncell_scope = cached
        with cached:
            return self._layer_call(inputs, state)

    def apply(self, inputs, state, *args, **kwargs):
        return self(inputs, state, *args, **kwargs)

    def _rnn_get_variable(self, getter, *args, **kwargs):
        variable = getter(*args, **kwargs)
        trainable = any(variable is v for v in
                        _graph.get_default_graph().get_collection("trainable_variables"))
        target = self._trainable_weights if trainable else self._non_trainable_weights
        if all(variable is not v for v in target):
            target.append(variable)
        return variable

    def _set_scope(self, scope=None) -> None:
        if self._scope is None:
            if self._reuse:
                with _vs.variable_scope(scope if scope is not None else self._base_name) as s:
                    self._scope = s
            else:
                with _vs.variable_scope(scope, default_name=self._base_name) as s:
                    self._scope = s

    def _check_inputs(self, inputs) -> None:
        """TF1's input spec of the built-in cells: rank-2 inputs."""

    def _layer_call(self, inputs, state, scope=None, *args, **call_kwargs):
        """TF1's layer ``__call__``: the cell's variable scope and name scope, build once."""
        self._set_scope(scope)
        reuse = True if self.built else self._reuse
        with _vs.variable_scope(self._scope, reuse=reuse, auxiliary_name_scope=False) as vs:
            self._current_scope = vs
            with _ops_graph.name_scope(vs.original_name_scope):
                self._check_inputs(inputs)
                if not self.built:
                    if self._dtype is None:
                        first = tf.nest.flatten(inputs)[0]
                        if getattr(first, "dtype", None) is not None:
                            self._dtype = first.dtype.base_dtype
                    self.build(_input_shape(inputs))
                    self.built = True
                if _takes_scope(self.call):
                    call_kwargs["scope"] = vs
                return self.call(inputs, state, *args, **call_kwargs)

    def build(self, input_shape) -> None:
        """Creates the weights (TF1 ``Layer.build``); the base class has none."""
        self.built = True

    def call(self, inputs, state):
        raise NotImplementedError("Abstract method")

    def add_weight(self, name: str, shape=None, dtype=None, initializer=None, regularizer=None,
                   trainable: bool | None = None, constraint=None, partitioner=None,
                   use_resource=None, **kwargs):
        """``get_variable(name, ...)`` in the cell's variable scope (TF1 ``Layer.add_weight``)."""
        if trainable is None:
            trainable = True
        if dtype is None:
            dtype = self._dtype or tf.float32
        self._set_scope(None)
        reuse = self.built or self._reuse
        with _vs.variable_scope(self._scope, reuse=reuse, auxiliary_name_scope=False) as vs:
            self._current_scope = vs
            with _ops_graph.name_scope(vs.original_name_scope):
                if initializer is None:
                    initializer = vs.initializer
                variable = _vs.get_variable(name, shape=shape, dtype=tf.as_dtype(dtype),
                                            initializer=initializer, regularizer=regularizer,
                                            trainable=trainable and self.trainable,
                                            constraint=constraint, partitioner=partitioner)
        target = self._trainable_weights if (trainable and self.trainable) \
            else self._non_trainable_weights
        if all(variable is not v for v in target):
            target.append(variable)
        return variable

    add_variable = add_weight

    # ----- initial states ---------------------------------------------------------------
    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        """``zero_state`` with the batch size and dtype taken from ``inputs`` when given."""
        if inputs is not None:
            static_batch = inputs.shape[0] if inputs.shape.rank else None
            if batch_size is not None:
                given = (tf.get_static_value(_tensor.unwrap(batch_size), partial=True)
                         if isinstance(batch_size, _tensor.Tensor) else batch_size)
                if static_batch != given:
                    raise ValueError("batch size from input tensor is different from the input "
                                     f"param. Input tensor batch: {static_batch}, "
                                     f"batch_size: {batch_size}")
            if dtype is not None and inputs.dtype != dtype:
                raise ValueError("dtype from input tensor is different from the input param. "
                                 f"Input tensor dtype: {inputs.dtype}, dtype: {dtype}")
            batch_size = static_batch or _call(lambda x: tf.shape(x)[0], inputs)
            dtype = inputs.dtype
        if batch_size is None or dtype is None:
            raise ValueError("batch_size and dtype cannot be None while constructing initial "
                             f"state: batch_size={batch_size}, dtype={dtype}")
        return self.zero_state(batch_size, dtype)

    def zero_state(self, batch_size, dtype):
        """Zero-filled state(s) of shape ``[batch_size, s]`` for each ``s`` in ``state_size``."""
        with _ops_graph.name_scope(type(self).__name__ + "ZeroState"):
            return _zero_state_tensors(self.state_size, batch_size, tf.as_dtype(dtype))

    def get_config(self) -> dict:
        return {"name": self._name, "trainable": self.trainable,
                "dtype": None if self._dtype is None else self._dtype.name}


def _takes_scope(fn: Callable) -> bool:
    try:
        return "scope" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def _input_shape(inputs):
    shapes = [tf.TensorShape(t.get_shape()) for t in tf.nest.flatten(inputs)]
    if not _is_nested(inputs):
        return shapes[0]
    return tf.nest.pack_sequence_as(inputs, shapes)


class _LayerRNNCell(RNNCell):
    """A cell that builds its weights in ``build`` (TF1 ``LayerRNNCell``); inputs are rank 2."""

    _is_layer_cell = True

    def __call__(self, inputs, state, scope=None, *args, **kwargs):
        """Runs the cell (TF1 ``LayerRNNCell.__call__``: extra arguments go to ``call``)."""
        return self._layer_call(inputs, state, scope, *args, **kwargs)

    def _check_inputs(self, inputs) -> None:
        for i, t in enumerate(tf.nest.flatten(inputs)):
            rank = t.get_shape().rank
            if rank is not None and rank != 2:
                raise ValueError(
                    f'Input {i} of layer "{self._name}" is incompatible with the layer: '
                    f"expected ndim=2, found ndim={rank}. Full shape received: "
                    f"{tuple(t.get_shape().as_list())}")

    def _input_depth(self, input_shape) -> int:
        input_shape = tf.TensorShape(input_shape)
        depth = input_shape[-1] if input_shape.rank else None
        if depth is None:
            raise ValueError("Expected inputs.shape[-1] to be known, received shape: "
                             f"{tuple(input_shape.as_list()) if input_shape.rank else None}")
        _check_supported_dtypes(self._dtype)
        return int(depth)


LayerRNNCell = _LayerRNNCell


# ----- the cells -----------------------------------------------------------------------------
class BasicRNNCell(_LayerRNNCell):
    """TF1 ``BasicRNNCell(num_units, activation=None, reuse=None, name=None, dtype=None)``:
    ``output = new_state = act([inputs, state] @ kernel + bias)`` (act defaults to tanh)."""

    def __init__(self, num_units: int, activation=None, reuse=None, name=None, dtype=None,
                 **kwargs) -> None:
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        _check_supported_dtypes(self._dtype)
        self._num_units = num_units
        self._activation_arg = activation

    state_size = property(lambda self: self._num_units)
    output_size = property(lambda self: self._num_units)

    def build(self, input_shape) -> None:
        depth = self._input_depth(input_shape)
        self._kernel = self.add_weight(_WEIGHTS, shape=[depth + self._num_units, self._num_units])
        self._bias = self.add_weight(_BIAS, shape=[self._num_units],
                                     initializer=_zeros_initializer(self._dtype))
        self.built = True

    def call(self, inputs, state):
        _check_rnn_cell_input_dtypes([inputs, state])
        act = _tf2_activation(self._activation_arg)

        def step(x, h, kernel, bias):
            out = act(tf.nn.bias_add(tf.matmul(tf.concat([x, h], 1), kernel), bias))
            return out, out
        return _call(step, inputs, state, self._kernel, self._bias)


def _zeros_initializer(dtype):
    from tftrain_compat._src.initializers import zeros_initializer
    return zeros_initializer(dtype=dtype or tf.float32)


def _constant_initializer(value, dtype):
    from tftrain_compat._src.initializers import constant_initializer
    return constant_initializer(value, dtype=dtype or tf.float32)


class GRUCell(_LayerRNNCell):
    """TF1 ``GRUCell(num_units, activation=None, reuse=None, kernel_initializer=None,
    bias_initializer=None, name=None, dtype=None)``; weights ``gates/kernel``, ``gates/bias``
    (default ones), ``candidate/kernel``, ``candidate/bias`` (default zeros)."""

    def __init__(self, num_units: int, activation=None, reuse=None, kernel_initializer=None,
                 bias_initializer=None, name=None, dtype=None, **kwargs) -> None:
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        _check_supported_dtypes(self._dtype)
        self._num_units = num_units
        self._activation_arg = activation
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer

    state_size = property(lambda self: self._num_units)
    output_size = property(lambda self: self._num_units)

    def build(self, input_shape) -> None:
        depth = self._input_depth(input_shape)
        n = self._num_units
        self._gate_kernel = self.add_weight(f"gates/{_WEIGHTS}", shape=[depth + n, 2 * n],
                                            initializer=self._kernel_initializer)
        self._gate_bias = self.add_weight(
            f"gates/{_BIAS}", shape=[2 * n],
            initializer=(self._bias_initializer if self._bias_initializer is not None
                         else _constant_initializer(1.0, self._dtype)))
        self._candidate_kernel = self.add_weight(f"candidate/{_WEIGHTS}", shape=[depth + n, n],
                                                 initializer=self._kernel_initializer)
        self._candidate_bias = self.add_weight(
            f"candidate/{_BIAS}", shape=[n],
            initializer=(self._bias_initializer if self._bias_initializer is not None
                         else _zeros_initializer(self._dtype)))
        self.built = True

    def call(self, inputs, state):
        _check_rnn_cell_input_dtypes([inputs, state])
        act = _tf2_activation(self._activation_arg)

        def step(x, h, gk, gb, ck, cb):
            value = tf.sigmoid(tf.nn.bias_add(tf.matmul(tf.concat([x, h], 1), gk), gb))
            r, u = tf.split(value=value, num_or_size_splits=2, axis=1)
            candidate = tf.nn.bias_add(tf.matmul(tf.concat([x, r * h], 1), ck), cb)
            c = act(candidate)
            new_h = u * h + (1 - u) * c
            return new_h, new_h
        return _call(step, inputs, state, self._gate_kernel, self._gate_bias,
                     self._candidate_kernel, self._candidate_bias)


class BasicLSTMCell(_LayerRNNCell):
    """TF1 ``BasicLSTMCell(num_units, forget_bias=1.0, state_is_tuple=True, activation=None,
    reuse=None, name=None, dtype=None)``: no peepholes, clipping or projection.

    ``i, j, f, o = split([inputs, h] @ kernel + bias, 4, axis=1)``;
    ``c' = c * sigmoid(f + forget_bias) + sigmoid(i) * act(j)``; ``h' = act(c') * sigmoid(o)``.
    The state is ``LSTMStateTuple(c, h)``, or ``concat([c, h], 1)`` with
    ``state_is_tuple=False``.
    """

    def __init__(self, num_units: int, forget_bias: float = 1.0, state_is_tuple: bool = True,
                 activation=None, reuse=None, name=None, dtype=None, **kwargs) -> None:
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        _check_supported_dtypes(self._dtype)
        self._num_units = num_units
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation_arg = activation

    @property
    def state_size(self):
        n = self._num_units
        return LSTMStateTuple(n, n) if self._state_is_tuple else 2 * n

    output_size = property(lambda self: self._num_units)

    def build(self, input_shape) -> None:
        depth = self._input_depth(input_shape)
        n = self._num_units
        self._kernel = self.add_weight(_WEIGHTS, shape=[depth + n, 4 * n])
        self._bias = self.add_weight(_BIAS, shape=[4 * n],
                                     initializer=_zeros_initializer(self._dtype))
        self.built = True

    def call(self, inputs, state):
        _check_rnn_cell_input_dtypes([inputs, state])
        act = _tf2_activation(self._activation_arg)
        tuple_state = self._state_is_tuple
        forget_bias = self._forget_bias

        def step(x, state, kernel, bias):
            one = tf.constant(1, dtype=tf.int32)
            if tuple_state:
                c, h = state
            else:
                c, h = tf.split(value=state, num_or_size_splits=2, axis=one)
            gates = tf.nn.bias_add(tf.matmul(tf.concat([x, h], 1), kernel), bias)
            i, j, f, o = tf.split(value=gates, num_or_size_splits=4, axis=one)
            fb = tf.constant(forget_bias, dtype=f.dtype)
            new_c = tf.add(tf.multiply(c, tf.sigmoid(tf.add(f, fb))),
                           tf.multiply(tf.sigmoid(i), act(j)))
            new_h = tf.multiply(act(new_c), tf.sigmoid(o))
            new_state = (LSTMStateTuple(new_c, new_h) if tuple_state
                         else tf.concat([new_c, new_h], 1))
            return new_h, new_state
        return _call(step, inputs, state, self._kernel, self._bias)


class LSTMCell(_LayerRNNCell):
    """TF1 ``LSTMCell(num_units, use_peepholes=False, cell_clip=None, initializer=None,
    num_proj=None, proj_clip=None, num_unit_shards=None, num_proj_shards=None,
    forget_bias=1.0, state_is_tuple=True, activation=None, reuse=None, name=None, dtype=None)``.

    As BasicLSTMCell, plus: peepholes ``w_f_diag, w_i_diag`` (on ``c``) and ``w_o_diag`` (on
    ``c'``); ``c'`` clipped to ``[-cell_clip, cell_clip]``; output ``m = h @ projection/kernel``
    clipped to ``[-proj_clip, proj_clip]`` when ``num_proj`` is set (the state is then
    ``(c, m)`` with ``m`` of width ``num_proj``).
    """

    def __init__(self, num_units: int, use_peepholes: bool = False, cell_clip=None,
                 initializer=None, num_proj=None, proj_clip=None, num_unit_shards=None,
                 num_proj_shards=None, forget_bias: float = 1.0, state_is_tuple: bool = True,
                 activation=None, reuse=None, name=None, dtype=None, **kwargs) -> None:
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        _check_supported_dtypes(self._dtype)
        if num_unit_shards is not None or num_proj_shards is not None:
            raise _errors.not_supported(
                "LSTMCell(num_unit_shards=..., num_proj_shards=...): a partitioned variable",
                "drop the shard arguments.")
        self._num_units = num_units
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._num_proj = num_proj
        self._proj_clip = proj_clip
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation_arg = activation
        if num_proj:
            self._state_size = (LSTMStateTuple(num_units, num_proj) if state_is_tuple
                                else num_units + num_proj)
            self._output_size = num_proj
        else:
            self._state_size = (LSTMStateTuple(num_units, num_units) if state_is_tuple
                                else 2 * num_units)
            self._output_size = num_units

    state_size = property(lambda self: self._state_size)
    output_size = property(lambda self: self._output_size)

    def build(self, input_shape) -> None:
        depth = self._input_depth(input_shape)
        n = self._num_units
        h_depth = n if self._num_proj is None else self._num_proj
        self._kernel = self.add_weight(_WEIGHTS, shape=[depth + h_depth, 4 * n],
                                       initializer=self._initializer)
        self._bias = self.add_weight(_BIAS, shape=[4 * n],
                                     initializer=_zeros_initializer(self._dtype))
        if self._use_peepholes:
            self._w_f_diag = self.add_weight("w_f_diag", shape=[n], initializer=self._initializer)
            self._w_i_diag = self.add_weight("w_i_diag", shape=[n], initializer=self._initializer)
            self._w_o_diag = self.add_weight("w_o_diag", shape=[n], initializer=self._initializer)
        if self._num_proj is not None:
            self._proj_kernel = self.add_weight(f"projection/{_WEIGHTS}",
                                                shape=[n, self._num_proj],
                                                initializer=self._initializer)
        self.built = True

    def call(self, inputs, state):
        _check_rnn_cell_input_dtypes([inputs, state])
        act = _tf2_activation(self._activation_arg)
        n = self._num_units
        num_proj = n if self._num_proj is None else self._num_proj
        peep, tuple_state = self._use_peepholes, self._state_is_tuple
        cell_clip, proj_clip, fb = self._cell_clip, self._proj_clip, self._forget_bias
        project = self._num_proj is not None
        if inputs.get_shape().with_rank(2).dims[1].value is None:
            raise ValueError("Could not infer input size from inputs.get_shape()[-1]."
                             f"Received input shape: {inputs.get_shape()}")
        weights = [self._kernel, self._bias]
        if peep:
            weights += [self._w_f_diag, self._w_i_diag, self._w_o_diag]
        if project:
            weights.append(self._proj_kernel)

        def step(x, state, kernel, bias, *extra):
            extra = list(extra)
            w_f, w_i, w_o = (extra[:3] if peep else (None, None, None))
            proj_kernel = extra[-1] if project else None
            if tuple_state:
                c_prev, m_prev = state
            else:
                c_prev = tf.slice(state, [0, 0], [-1, n])
                m_prev = tf.slice(state, [0, n], [-1, num_proj])
            lstm_matrix = tf.nn.bias_add(tf.matmul(tf.concat([x, m_prev], 1), kernel), bias)
            i, j, f, o = tf.split(value=lstm_matrix, num_or_size_splits=4, axis=1)
            if peep:
                c = (tf.sigmoid(f + fb + w_f * c_prev) * c_prev
                     + tf.sigmoid(i + w_i * c_prev) * act(j))
            else:
                c = tf.sigmoid(f + fb) * c_prev + tf.sigmoid(i) * act(j)
            if cell_clip is not None:
                c = tf.clip_by_value(c, -cell_clip, cell_clip)
            if peep:
                m = tf.sigmoid(o + w_o * c) * act(c)
            else:
                m = tf.sigmoid(o) * act(c)
            if project:
                m = tf.matmul(m, proj_kernel)
                if proj_clip is not None:
                    m = tf.clip_by_value(m, -proj_clip, proj_clip)
            new_state = LSTMStateTuple(c, m) if tuple_state else tf.concat([c, m], 1)
            return m, new_state
        return _call(step, inputs, state, *weights)


class MultiRNNCell(RNNCell):
    """TF1 ``MultiRNNCell(cells, state_is_tuple=True)``: the cells applied in sequence, the
    i-th in ``variable_scope("cell_%d" % i)``; the state is the tuple of the cells' states
    (concatenated along axis 1 with ``state_is_tuple=False``)."""

    def __init__(self, cells, state_is_tuple: bool = True) -> None:
        super().__init__()
        if not cells:
            raise ValueError("Must specify at least one cell for MultiRNNCell.")
        if not isinstance(cells, (list, tuple)):
            raise TypeError(f"cells must be a list or tuple, but received: {cells}.")
        self._cells = list(cells)
        self._state_is_tuple = state_is_tuple
        if not state_is_tuple and any(_is_nested(c.state_size) for c in self._cells):
            raise ValueError("Some cells return tuples of states, but the flag state_is_tuple is "
                             "not set. State sizes are: "
                             f"{[c.state_size for c in self._cells]}")

    @property
    def state_size(self):
        if self._state_is_tuple:
            return tuple(cell.state_size for cell in self._cells)
        return sum(cell.state_size for cell in self._cells)

    output_size = property(lambda self: self._cells[-1].output_size)

    def zero_state(self, batch_size, dtype):
        with _ops_graph.name_scope(type(self).__name__ + "ZeroState"):
            if self._state_is_tuple:
                return tuple(cell.zero_state(batch_size, dtype) for cell in self._cells)
            return _zero_state_tensors(self.state_size, batch_size, tf.as_dtype(dtype))

    @property
    def trainable_weights(self) -> list:
        if not self.trainable:
            return []
        return [w for cell in self._cells for w in getattr(cell, "trainable_weights", [])]

    @property
    def non_trainable_weights(self) -> list:
        weights = [w for c in self._cells for w in getattr(c, "non_trainable_weights", [])]
        if not self.trainable:
            return [w for c in self._cells for w in getattr(c, "trainable_weights", [])] + weights
        return weights

    def call(self, inputs, state):
        cur_pos = 0
        cur_inp = inputs
        new_states = []
        for i, cell in enumerate(self._cells):
            with _vs.variable_scope("cell_%d" % i):
                if self._state_is_tuple:
                    if not _is_nested(state):
                        raise ValueError(f"Expected state to be a tuple of length "
                                         f"{len(self.state_size)}, but received: {state}")
                    cur_state = state[i]
                else:
                    size = cell.state_size
                    cur_state = _call(lambda s, p=cur_pos, k=size: tf.slice(s, [0, p], [-1, k]),
                                      state)
                    cur_pos += size
                cur_inp, new_state = cell(cur_inp, cur_state)
                new_states.append(new_state)
        if self._state_is_tuple:
            return cur_inp, tuple(new_states)
        return cur_inp, _call(lambda *s: tf.concat(list(s), 1), *new_states)
