"""TF1 cell wrappers: ``DropoutWrapper``, ``ResidualWrapper``, ``DeviceWrapper``.

A wrapper calls the wrapped cell's own ``__call__`` (so the variables keep the wrapped cell's
names, ``rnn/basic_lstm_cell/kernel``), and adds its work around it.
"""
from __future__ import annotations

import contextlib
import hashlib
import numbers
from typing import Any, Callable

import tensorflow as tf

from tftrain_compat._src import graph as _graph
from tftrain_compat._src import ops_graph as _ops_graph
from tftrain_compat._src import tensor as _tensor
from tftrain_compat._src.rnn.cells import LSTMStateTuple, RNNCell, _call, _is_nested


def assert_like_rnncell(cell_name: str, cell) -> None:
    """TF1's check that ``cell`` has ``output_size``, ``state_size``, ``zero_state`` (or
    ``get_initial_state``) and is callable; raises TypeError naming what is missing."""
    def has(attr):
        try:
            getattr(cell, attr)
        except AttributeError:
            return False
        return True
    conditions = [has("output_size"), has("state_size"),
                  has("get_initial_state") or has("zero_state"), callable(cell)]
    errors = ["'output_size' property is missing", "'state_size' property is missing",
              "either 'zero_state' or 'get_initial_state' method is required",
              "is not callable"]
    if not all(conditions):
        missing = [e for e, ok in zip(errors, conditions) if not ok]
        raise TypeError(f"The argument {cell_name!r} ({cell}) is not an RNNCell: "
                        f"{', '.join(missing)}.")


class _RNNCellWrapper(RNNCell):
    """Base of the wrappers: delegates sizes, zero state and weights to ``cell``."""

    def __init__(self, cell, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        assert_like_rnncell("cell", cell)
        self.cell = cell

    def __call__(self, inputs, state, scope=None):
        return self._call_wrapped_cell(inputs, state, cell_call_fn=self.cell.__call__,
                                       scope=scope)

    def _call_wrapped_cell(self, inputs, state, cell_call_fn: Callable, **kwargs):
        raise NotImplementedError

    state_size = property(lambda self: self.cell.state_size)
    output_size = property(lambda self: self.cell.output_size)

    def zero_state(self, batch_size, dtype):
        with _ops_graph.name_scope(type(self).__name__ + "ZeroState"):
            return self.cell.zero_state(batch_size, dtype)

    @property
    def trainable_weights(self) -> list:
        return list(getattr(self.cell, "trainable_weights", [])) if self.trainable else []

    @property
    def non_trainable_weights(self) -> list:
        weights = list(getattr(self.cell, "non_trainable_weights", []))
        if not self.trainable:
            return list(getattr(self.cell, "trainable_weights", [])) + weights
        return weights

    def build(self, input_shape) -> None:
        self.cell.build(input_shape)
        self.built = True


def default_dropout_state_filter_visitor(substate) -> Any:
    """TF1's default: drop out every state part except an LSTMStateTuple's ``c``."""
    if isinstance(substate, LSTMStateTuple):
        return LSTMStateTuple(c=False, h=True)
    if isinstance(substate, tf.TensorArray):
        return False
    return True


def _children(x) -> list:
    return list(x.values()) if isinstance(x, dict) else list(x)


def _like(structure, items: list):
    if isinstance(structure, dict):
        return type(structure)(zip(structure.keys(), items))
    if hasattr(structure, "_fields"):
        return type(structure)(*items)
    return type(structure)(items)


def _traverse_shallow(filter_fn: Callable, structure):
    """The part of ``structure`` dropout visits: booleans where ``filter_fn`` stops (TF1's
    ``get_traverse_shallow_structure``)."""
    decision = filter_fn(structure)
    if not _is_nested(structure):
        if not isinstance(decision, bool):
            raise TypeError("dropout_state_filter_visitor returned a non-bool for a leaf: "
                            f"{decision!r}")
        return decision
    if isinstance(decision, bool):
        if not decision:
            return False
        return _like(structure, [_traverse_shallow(filter_fn, s) for s in _children(structure)])
    if not _is_nested(decision):
        raise TypeError("dropout_state_filter_visitor must return a bool or a structure of "
                        f"bools, got {decision!r}")
    level = []
    for flag, sub in zip(_children(decision), _children(structure)):
        if not isinstance(flag, bool):
            raise TypeError(f"dropout_state_filter_visitor returned a non-bool: {flag!r}")
        level.append(_traverse_shallow(filter_fn, sub) if flag else False)
    return _like(structure, level)


def _enumerated_map_up_to(shallow, fn: Callable, *structures):
    """``fn(i, *leaves)`` over the leaves of ``shallow`` (counted from 0), the other structures
    taken down to ``shallow``'s depth."""
    counter = [0]

    def visit(sh, *subs):
        if _is_nested(sh):
            return _like(sh, [visit(*parts) for parts in
                              zip(_children(sh), *[_children(s) for s in subs])])
        i = counter[0]
        counter[0] += 1
        return fn(i, sh, *subs)
    return visit(shallow, *structures)


class DropoutWrapper(_RNNCellWrapper):
    """TF1 ``DropoutWrapper(cell, input_keep_prob=1.0, output_keep_prob=1.0,
    state_keep_prob=1.0, variational_recurrent=False, input_size=None, dtype=None, seed=None,
    dropout_state_filter_visitor=None)``.

    Dropout (``tf.nn.dropout(x, rate=1 - keep_prob, seed)``) on the inputs, on the outputs and
    on the new state (by default not on an LSTM's ``c``). A keep probability that is the
    constant 1 adds nothing. Each dropped tensor gets its own op seed derived from ``seed``
    (``md5(str(seed) + "<input|state|output>_<i>")``). With ``variational_recurrent`` the noise
    is drawn once, when the wrapper is built (``uniform([1] + size)``), and the same mask
    ``floor(keep_prob + noise)`` is used at every step: ``x / keep_prob * mask``.
    """

    _input_keep_prob: Any
    _state_keep_prob: Any
    _output_keep_prob: Any

    def __init__(self, cell, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
                 variational_recurrent: bool = False, input_size=None, dtype=None, seed=None,
                 dropout_state_filter_visitor=None, **kwargs) -> None:
        super().__init__(cell, dtype=dtype, **kwargs)
        if dropout_state_filter_visitor is not None and not callable(
                dropout_state_filter_visitor):
            raise TypeError("dropout_state_filter_visitor must be callable. "
                            f"Received: {dropout_state_filter_visitor}")
        self._dropout_state_filter = (dropout_state_filter_visitor
                                      or default_dropout_state_filter_visitor)
        with _ops_graph.name_scope("DropoutWrapperInit"):
            for prob, attr in [(input_keep_prob, "input_keep_prob"),
                               (state_keep_prob, "state_keep_prob"),
                               (output_keep_prob, "output_keep_prob")]:
                tensor = _call(tf.convert_to_tensor, prob)
                const = tf.get_static_value(_tensor.unwrap(tensor))
                if const is not None:
                    if const < 0 or const > 1:
                        raise ValueError(f"Parameter {attr} must be between 0 and 1. "
                                         f"Received {const}")
                    setattr(self, f"_{attr}", float(const))
                else:
                    setattr(self, f"_{attr}", tensor)
        self._variational_recurrent = variational_recurrent
        self._input_size = input_size
        self._seed = seed
        self._recurrent_input_noise = None
        self._recurrent_state_noise = None
        self._recurrent_output_noise = None
        if variational_recurrent:
            if dtype is None:
                raise ValueError("When variational_recurrent=True, dtype must be provided")
            dtype = tf.as_dtype(dtype)

            def batch_noise(size, inner_seed):
                return _call(lambda: tf.random.uniform(
                    tf.concat(([1], tf.TensorShape(size).as_list()), 0), seed=inner_seed,
                    dtype=dtype))
            if (not isinstance(self._input_keep_prob, numbers.Real)
                    or self._input_keep_prob < 1.0):
                if input_size is None:
                    raise ValueError("When variational_recurrent=True and input_keep_prob < 1.0 "
                                     "or is unknown, input_size must be provided")
                self._recurrent_input_noise = _enumerated_map_up_to(
                    input_size, lambda i, s: batch_noise(s, self._gen_seed("input", i)))
            self._recurrent_state_noise = _enumerated_map_up_to(
                cell.state_size, lambda i, s: batch_noise(s, self._gen_seed("state", i)))
            self._recurrent_output_noise = _enumerated_map_up_to(
                cell.output_size, lambda i, s: batch_noise(s, self._gen_seed("output", i)))

    def _gen_seed(self, salt_prefix: str, index: int) -> int | None:
        if self._seed is None:
            return None
        salt = "%s_%d" % (salt_prefix, index)
        string = (str(self._seed) + salt).encode("utf-8")
        return int(hashlib.md5(string).hexdigest()[:8], 16) & 0x7FFFFFFF

    @property
    def wrapped_cell(self):
        return self.cell

    def _dropout(self, values, salt_prefix: str, recurrent_noise, keep_prob, shallow=None):
        if shallow is None:
            shallow = values
        if not self._variational_recurrent:
            def dropout(i, do_dropout, v):
                if not isinstance(do_dropout, bool) or do_dropout:
                    seed = self._gen_seed(salt_prefix, i)
                    return _call(lambda x, kp: tf.nn.dropout(x, rate=1.0 - kp, seed=seed),
                                 v, keep_prob)
                return v
            return _enumerated_map_up_to(shallow, dropout, values)

        def variational(i, do_dropout, v, noise):
            if not isinstance(do_dropout, bool) or do_dropout:
                def apply(x, n, kp):
                    binary = tf.floor(kp + n)
                    out = tf.divide(x, kp) * binary
                    out.set_shape(x.get_shape())
                    return out
                return _call(apply, v, noise, keep_prob)
            return v
        return _enumerated_map_up_to(shallow, variational, values, recurrent_noise)

    def _call_wrapped_cell(self, inputs, state, cell_call_fn: Callable, **kwargs):
        def should_dropout(p):
            return (not isinstance(p, float)) or p < 1
        if should_dropout(self._input_keep_prob):
            inputs = self._dropout(inputs, "input", self._recurrent_input_noise,
                                   self._input_keep_prob)
        output, new_state = cell_call_fn(inputs, state, **kwargs)
        if should_dropout(self._state_keep_prob):
            shallow = _traverse_shallow(self._dropout_state_filter, new_state)
            new_state = self._dropout(new_state, "state", self._recurrent_state_noise,
                                      self._state_keep_prob, shallow)
        if should_dropout(self._output_keep_prob):
            output = self._dropout(output, "output", self._recurrent_output_noise,
                                   self._output_keep_prob)
        return output, new_state


class ResidualWrapper(_RNNCellWrapper):
    """TF1 ``ResidualWrapper(cell, residual_fn=None)``: outputs ``inputs + cell outputs``
    (``residual_fn(inputs, outputs)`` when given); the state is the cell's."""

    def __init__(self, cell, residual_fn: Callable | None = None, **kwargs) -> None:
        super().__init__(cell, **kwargs)
        self._residual_fn = residual_fn

    def _call_wrapped_cell(self, inputs, state, cell_call_fn: Callable, **kwargs):
        outputs, new_state = cell_call_fn(inputs, state, **kwargs)

        def default_residual_fn(inputs, outputs):
            tf.nest.assert_same_structure(inputs, outputs)
            tf.nest.map_structure(
                lambda i, o: i.get_shape().assert_is_compatible_with(o.get_shape()),
                inputs, outputs)
            return tf.nest.map_structure(lambda i, o: i + o, inputs, outputs)
        return (self._residual_fn or default_residual_fn)(inputs, outputs), new_state


@contextlib.contextmanager
def _device(device):
    """``device`` for the ops built inside: on the backing graph, or on the function graph TF
    is tracing when the cell runs inside a loop body or cond branch."""
    if getattr(_tensor._local, "callback_depth", 0):
        with tf.device(device):
            yield
    else:
        with _graph.get_default_graph().device(device):
            yield


class DeviceWrapper(_RNNCellWrapper):
    """TF1 ``DeviceWrapper(cell, device)``: the cell's ops are built under ``tf.device``."""

    def __init__(self, cell, device, **kwargs) -> None:
        super().__init__(cell, **kwargs)
        self._device_name = device

    def zero_state(self, batch_size, dtype):
        with _ops_graph.name_scope(type(self).__name__ + "ZeroState"), \
                _device(self._device_name):
            return self.cell.zero_state(batch_size, dtype)

    def _call_wrapped_cell(self, inputs, state, cell_call_fn: Callable, **kwargs):
        with _device(self._device_name):
            return cell_call_fn(inputs, state, **kwargs)
