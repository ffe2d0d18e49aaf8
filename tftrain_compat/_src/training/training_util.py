"""TF1's global step helpers (``tf.train.get_or_create_global_step`` and friends)."""
from __future__ import annotations

import tensorflow as tf

from tftrain_compat._src import graph as _graph
from tftrain_compat._src import tensor as _tensor
from tftrain_compat._src.graph import GraphKeys
from tftrain_compat._src.variables import Variable


def get_global_step(graph: "_graph.Graph | None" = None):
    """The ``GLOBAL_STEP`` collection's variable, else a tensor named ``global_step:0``, else None.

    TF1 raised ``TypeError`` when what it found was not an integer.
    """
    graph = graph or _graph.get_default_graph()
    found = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(found) == 1:
        step = found[0]
    elif len(found) > 1:
        raise TypeError("Multiple tensors in global_step collection.")
    else:
        try:
            step = graph.get_tensor_by_name("global_step:0")
        except KeyError:
            return None
    if not step.dtype.base_dtype.is_integer:
        raise TypeError(f'Existing "global_step" does not have integer type: {step.dtype}')
    if step.get_shape().ndims != 0 and step.get_shape().is_fully_defined():
        raise TypeError(f'Existing "global_step" is not scalar: {step.get_shape()}')
    return step


def create_global_step(graph: "_graph.Graph | None" = None):
    """A new int64 scalar ``global_step`` variable (zeros, not trainable) in GLOBAL_STEP."""
    graph = graph or _graph.get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError('"global_step" already exists.')
    with graph.as_default(), graph.name_scope(None):
        step = Variable(lambda: tf.zeros([], tf.int64), trainable=False, name="global_step",
                        dtype=tf.int64,
                        collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP],
                        aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)
    return step


def get_or_create_global_step(graph: "_graph.Graph | None" = None):
    """``get_global_step(graph)`` or, if there is none, ``create_global_step(graph)``."""
    graph = graph or _graph.get_default_graph()
    step = get_global_step(graph)
    return step if step is not None else create_global_step(graph)


def assert_global_step(global_step_tensor) -> None:
    if not isinstance(global_step_tensor, _tensor.Tensor) and not hasattr(global_step_tensor, "_v"):
        raise TypeError(f"Existing \"global_step\" must be a Variable or Tensor: {global_step_tensor}.")
    if not global_step_tensor.dtype.base_dtype.is_integer:
        raise TypeError(f"Existing \"global_step\" does not have integer type: {global_step_tensor.dtype}")


def global_step(sess, global_step_tensor) -> int:
    """The global step's value in ``sess`` as a Python int."""
    return int(sess.run(global_step_tensor))
