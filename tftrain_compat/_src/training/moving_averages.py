"""TF1 ``tf.train.ExponentialMovingAverage``: shadow variables updated by ``apply``.

The update is TF1's, op for op (so the numbers are tf.compat.v1's bit for bit)::

    decay = min(decay, (1 + num_updates) / (10 + num_updates))   # only when num_updates given
    shadow -= (shadow - value) * (1 - decay)                      # AssignSubVariableOp

all in float32 for the decay (``1 - decay`` is cast to the variable's dtype). Shadow variables
are made as TF1's slot variables are: ``variable_scope(None, default_name="<var>/<name>")`` and
``get_variable("")``, so the first is ``w/ExponentialMovingAverage`` and a second average of the
same variable ``w/ExponentialMovingAverage_1``; they are not trainable and join
``GLOBAL_VARIABLES``, while the averaged variables join ``MOVING_AVERAGE_VARIABLES``.

Note: TF1 initialized a shadow with ``var.initialized_value()``, i.e. the variable's current
value when the variable is already initialized in the session. Here a shadow starts from the
variable's initial value: the same numbers whenever the shadow is initialized in the same run as
the variable (``global_variables_initializer``) or before it; different only when the variable
was initialized and changed in an earlier run than the shadow's initializer (the shim's sessions
do not evaluate ``is_variable_initialized`` inside a run yet).
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from tftrain_compat._src import graph as _graph
from tftrain_compat._src import tensor as _tensor
from tftrain_compat._src import variable_scope as _vs
from tftrain_compat._src import initializers as _init
from tftrain_compat._src import variables as _variables
from tftrain_compat._src.graph import GraphKeys

_FLOATS = (tf.bfloat16, tf.float16, tf.float32, tf.float64)


def _key(obj) -> int:
    return id(_tensor.unwrap(obj))


class ExponentialMovingAverage:
    """TF1 ``tf.train.ExponentialMovingAverage(decay, num_updates=None, zero_debias=False,
    name="ExponentialMovingAverage")``.

    ``apply(var_list)`` creates one shadow per variable (initialized with the variable's initial
    value; for a tensor, zeros) and returns an op that moves every shadow towards its value:
    ``shadow -= (1 - d) * (shadow - value)`` with ``d = decay``, or
    ``d = min(decay, (1 + num_updates) / (10 + num_updates))`` when ``num_updates`` is given.
    ``zero_debias=True`` debiases the averages of tensors (not of variables) as TF1 did.
    """

    def __init__(self, decay, num_updates=None, zero_debias: bool = False,
                 name: str = "ExponentialMovingAverage") -> None:
        self._decay = decay
        self._num_updates = num_updates
        self._zero_debias = zero_debias
        self._name = name
        self._averages: dict[int, Any] = {}  # id(backing primary) -> shim shadow variable

    @property
    def name(self) -> str:
        return self._name

    def apply(self, var_list=None):
        """Creates the shadows (once per variable) and returns the group of their updates."""
        if var_list is None:
            var_list = _variables.trainable_variables()
        var_list = list(var_list)
        graph = _tensor._find_graph(var_list) or _graph.get_default_graph()
        zero_debias_ids = set()
        with graph.as_default():
            for var in var_list:
                if var.dtype.base_dtype not in _FLOATS:
                    raise TypeError("The variables must be half, float, or double: %s"
                                    % var.name)
                if _key(var) in self._averages:
                    continue
                # TF1 made the shadows in init_scope: no control dependencies of the caller.
                with graph.backing.control_dependencies(None):
                    if isinstance(var, _variables.Variable):
                        # TF1 used var.initialized_value(); see the note in the module docstring.
                        initial = _tensor.call_in_graph(lambda v: v.initial_value, (var,), {})
                        avg = _vs.create_slot(var, self._name, value=initial)
                        graph.add_to_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, var)
                    else:
                        avg = self._zeros_slot(var)
                        if self._zero_debias:
                            zero_debias_ids.add(_key(avg))
                self._averages[_key(var)] = avg

            with graph.backing.name_scope(self._name) as scope:
                def decay_tensor(decay, num_updates):
                    decay = tf.convert_to_tensor(decay, dtype=tf.float32, name="decay")
                    if num_updates is not None:
                        num_updates = tf.cast(num_updates, tf.float32, name="num_updates")
                        decay = tf.minimum(decay, (1.0 + num_updates) / (10.0 + num_updates))
                    return decay
                decay = _tensor.call_in_graph(decay_tensor, (self._decay, self._num_updates), {})
                updates = [assign_moving_average(self._averages[_key(var)], var, decay,
                                                 zero_debias=_key(self._averages[_key(var)])
                                                 in zero_debias_ids)
                           for var in var_list]
                return _tensor.call_in_graph(lambda us: tf.group(*us, name=scope),
                                             (updates,), {})

    def _zeros_slot(self, tensor) -> "_variables.Variable":
        shape = tensor.get_shape()
        if shape.is_fully_defined():
            return _vs.create_slot(tensor, self._name, initializer=_init.zeros_initializer(),
                                shape=shape, dtype=tensor.dtype.base_dtype)
        zeros = _tensor.call_in_graph(lambda t: tf.zeros(tf.shape(t), dtype=t.dtype),
                                      (tensor,), {})
        return _vs.create_slot(tensor, self._name, value=zeros)

    def average(self, var):
        """The shadow variable of ``var``, or None."""
        return self._averages.get(_key(var))

    def average_name(self, var) -> str:
        """The shadow's op name (``w/ExponentialMovingAverage``), existing or to be made."""
        avg = self._averages.get(_key(var))
        if avg is not None:
            return avg.name[:-len(":0")]
        return _graph.get_default_graph().unique_name(
            var.name[:-len(":0")] + "/" + self._name, mark_as_used=False)

    def variables_to_restore(self, moving_avg_variables=None) -> dict:
        """``{checkpoint name: variable}`` that restores the averages into the variables.

        The averaged variables (default: trainable + MOVING_AVERAGE_VARIABLES) map from their
        shadow's name; every other global variable maps from its own name.
        """
        if moving_avg_variables is None:
            moving_avg_variables = (_variables.trainable_variables() +
                                    _variables.moving_average_variables())
        unique = list({id(v): v for v in moving_avg_variables}.values())
        name_map = {self.average_name(v): v for v in unique}
        averaged = {v.name for v in unique}
        for v in _variables.global_variables():
            if v.name not in averaged and v.op.name not in name_map:
                name_map[v.op.name] = v
        return name_map


def assign_moving_average(variable, value, decay, zero_debias: bool = True,
                          name: str | None = None):
    """TF1 ``moving_averages.assign_moving_average``: ``variable -= (variable - value) * (1 -
    decay)``, under the name scope ``AssignMovingAvg``; with ``zero_debias`` the biased average
    and a step counter live in ``<variable>/biased`` and ``<variable>/local_step``."""
    graph = variable.graph
    with graph.backing.name_scope(name or "AssignMovingAvg"):
        def one_minus(variable, decay):
            d = tf.convert_to_tensor(1.0 - decay, name="decay")
            if d.dtype != variable.dtype.base_dtype:
                d = tf.cast(d, variable.dtype.base_dtype)
            return d
        decay = _tensor.call_in_graph(one_minus, (variable, decay), {})
        if zero_debias:
            return _zero_debias(graph, variable, value, decay)
        # TF1's state_ops.assign_sub drops the name for resource variables.
        return _tensor.call_in_graph(lambda v, x, d: v.assign_sub((v - x) * d),
                                     (variable, value, decay), {})


def _zero_debias(graph, unbiased, value, decay):
    """TF1's debiased average: ``biased -= (biased - value) * (1 - d)``, ``step += 1``,
    ``unbiased = biased / (1 - d ** step)``."""
    with _vs.variable_scope(unbiased.name[:-len(":0")], values=[unbiased, value, decay]):
        def unique(name: str) -> str:
            scope = _vs.get_variable_scope()
            if scope.reuse:
                return name
            existing = [v.op.name for v in scope.global_variables()]
            full = scope.name + "/" + name
            if full not in existing:
                return name
            idx = 1
            while full + "_%d" % idx in existing:
                idx += 1
            return name + "_%d" % idx
        with graph.backing.control_dependencies(None):
            biased = _vs.get_variable(unique("biased"), initializer=_init.zeros_initializer(),
                                      shape=unbiased.get_shape(), dtype=unbiased.dtype,
                                      trainable=False)
            local_step = _vs.get_variable(unique("local_step"), shape=[], dtype=unbiased.dtype,
                                          initializer=_init.zeros_initializer(),
                                          trainable=False)

    def update(v, value, biased, local_step, decay):
        update_biased = biased.assign_sub((biased - value) * decay)
        update_local_step = local_step.assign_add(1)
        bias_factor = 1 - tf.pow(1.0 - decay, update_local_step)
        return v.assign(update_biased / bias_factor,
                        name=v.graph.get_name_scope() + "/")
    return _tensor.call_in_graph(update, (unbiased, value, biased, local_step, decay), {})
