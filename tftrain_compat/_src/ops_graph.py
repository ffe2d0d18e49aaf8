"""TF1 graph-level functions: name scopes, control dependencies, collections, gradients."""
from __future__ import annotations

import contextlib
from typing import Any, Iterator

import tensorflow as tf

from tftrain_compat._src import graph as _graph
from tftrain_compat._src import tensor as _tensor
from tftrain_compat._src.wrap import graph_op


@contextlib.contextmanager
def name_scope(name: str | None, default_name: str | None = None, values=None) -> Iterator[str]:
    """TF1 ``tf.name_scope(name, default_name=None, values=None)``; yields the scope ("a/b/").

    ``name`` None uses ``default_name`` (made unique); a trailing '/' re-enters a scope.
    The graph is the one ``values`` belong to, else the default graph.
    """
    graph = (_tensor._find_graph(values) if values is not None else None) or \
        _graph.get_default_graph()
    scope_name = name if name is not None else default_name
    if not scope_name:
        if name == "":
            with graph.name_scope(None) as scope:
                yield scope
            return
        yield graph.get_name_scope() + "/" if graph.get_name_scope() else ""
        return
    with graph.name_scope(scope_name) as scope:
        yield scope


def control_dependencies(control_inputs):
    """Ops built inside run after ``control_inputs`` (TF1: on the default graph)."""
    return _graph.get_default_graph().control_dependencies(control_inputs)


def device(device_name_or_function):
    return _graph.get_default_graph().device(device_name_or_function)


def get_collection(key: str, scope: str | None = None) -> list:
    return _graph.get_default_graph().get_collection(key, scope)


def get_collection_ref(key: str) -> list:
    return _graph.get_default_graph().get_collection_ref(key)


def add_to_collection(name: str, value: Any) -> None:
    _graph.get_default_graph().add_to_collection(name, value)


def add_to_collections(names, value: Any) -> None:
    _graph.get_default_graph().add_to_collections(names, value)


def backing_gradients(ys, xs, **kwargs: Any):
    """TF's own TF1 ``gradients`` builder on backing-graph tensors (``tf.gradients`` and the
    optimizers' ``compute_gradients`` both build through it).

    With ``colocate_gradients_with_ops=False`` (TF1's default) the gradient ops take the
    caller's device scope, not their op's (TF2's ``tf.gradients`` always colocates). The devices
    decide how the gradients of a tensor used on several devices are summed (per device first),
    so the numbers depend on it."""
    return tf.compat.v1.gradients(ys, xs, **kwargs)


def gradients(ys, xs, grad_ys=None, name: str = "gradients",
              colocate_gradients_with_ops: bool = False, gate_gradients: bool = False,
              aggregation_method=None, stop_gradients=None,
              unconnected_gradients=tf.UnconnectedGradients.NONE):
    """TF1 ``tf.gradients``: symbolic d(sum ys)/d(xs), None where unconnected
    (``backing_gradients``: TF1's builder and its device rule)."""
    return _tensor.call_in_graph(
        lambda ys_, xs_, gy, sg: backing_gradients(
            ys_, xs_, grad_ys=gy, name=name,
            colocate_gradients_with_ops=colocate_gradients_with_ops,
            gate_gradients=gate_gradients, aggregation_method=aggregation_method,
            stop_gradients=sg, unconnected_gradients=unconnected_gradients),
        (ys, xs, grad_ys, stop_gradients), {})


def group(*inputs, name: str | None = None):
    """An op that runs all ``inputs`` (TF1 ``tf.group``)."""
    return _tensor.call_in_graph(lambda *xs: tf.group(*xs, name=name), inputs, {})


def assign(ref, value, validate_shape=None, use_locking=None, name=None):
    """TF1 ``tf.assign(ref, value, validate_shape=None)``: returns the variable's new value.

    ``validate_shape=False`` lets the value change the variable's shape, as TF1 did.
    """
    return ref._assign("AssignVariableOp", "Assign", value, name, True,
                       validate_shape=validate_shape is None or bool(validate_shape))


def assign_add(ref, value, use_locking=None, name=None):
    """TF1 ``tf.assign_add(ref, value)``: ``ref += value``; returns the new value."""
    return ref.assign_add(value, use_locking=bool(use_locking), name=name)


def assign_sub(ref, value, use_locking=None, name=None):
    """TF1 ``tf.assign_sub(ref, value)``: ``ref -= value``; returns the new value."""
    return ref.assign_sub(value, use_locking=bool(use_locking), name=name)


# Control flow with TF1's Python-level contracts (``cond(pred, true_fn, false_fn, strict,
# name, fn1, fn2)``, ``case`` with a dict of predicates, ``while_loop``'s TF1 keywords): TF's own
# TF1 builders, applied in the backing graph (DESIGN.md decision 1). They build the same
# functional ops as TF2's.
cond = graph_op(tf.compat.v1.cond, name="cond")
case = graph_op(tf.compat.v1.case, name="case")
while_loop = graph_op(tf.compat.v1.while_loop, name="while_loop")
