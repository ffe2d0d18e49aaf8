"""TF1's ``tf.train.Optimizer`` base: compute_gradients / apply_gradients / minimize and slots.

Everything is built in the backing graph exactly as tf.compat.v1 builds it: gradients from TF's
graph-mode ``tf.gradients`` (TF1's own gradient machinery), hyperparameters converted to tensors
(a Python float becomes float32) and cast to the variable's dtype just before the update, and one
``tf.raw_ops.ResourceApply*`` kernel per variable (``kernels.py``). The global step is
incremented strictly after every update, so decays read the pre-increment step.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import tensorflow as tf

from tftrain_compat._src import graph as _graph
from tftrain_compat._src import ops_graph as _ops_graph
from tftrain_compat._src import replicas as _replicas
from tftrain_compat._src import tensor as _tensor
from tftrain_compat._src import variables as _variables
from tftrain_compat._src.graph import GraphKeys

_FLOAT_TYPES = (tf.float16, tf.bfloat16, tf.float32, tf.float64)


def _float_check(tensor, what) -> None:
    if tensor.dtype.base_dtype not in _FLOAT_TYPES:
        raise ValueError(f"Invalid type {tensor.dtype!r} for {what}, expected: "
                         "[tf.float32, tf.float64, tf.float16, tf.bfloat16].")


class Optimizer:
    """TF1 ``tf.train.Optimizer(use_locking, name)``. Subclasses define the update rule.

    Subclass hooks (TF1's): ``_create_slots(var_list)``, ``_prepare()``,
    ``_apply_dense(grad, var)``, ``_apply_sparse(grad, var)`` (deduplicated IndexedSlices),
    ``_finish(update_ops, name)``. They receive and return backing-graph objects.
    """

    GATE_NONE = 0
    GATE_OP = 1
    GATE_GRAPH = 2

    def __init__(self, use_locking: bool, name: str) -> None:
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        # slot name -> {var key: backing slot variable}
        self._slots: dict[str, dict[Any, tf.Variable]] = {}
        self._non_slot: dict[tuple, tf.Variable] = {}

    def get_name(self) -> str:
        return self._name

    # ----- public TF1 API ------------------------------------------------------------------
    def minimize(self, loss, global_step=None, var_list=None, gate_gradients: int = GATE_OP,
                 aggregation_method=None, colocate_gradients_with_ops: bool = False,
                 name: str | None = None, grad_loss=None):
        """``compute_gradients`` then ``apply_gradients``; returns the training op.

        Raises TF1's ``ValueError("No gradients provided for any variable, ...")`` when no
        variable is connected to ``loss``.
        """
        grads_and_vars = self.compute_gradients(
            loss, var_list=var_list, gate_gradients=gate_gradients,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops, grad_loss=grad_loss)
        vars_with_grad = [v for g, v in grads_and_vars if g is not None]
        if not vars_with_grad:
            raise ValueError(
                "No gradients provided for any variable, check your graph for ops that do not "
                "support gradients, between variables %s and loss %s." %
                ([str(v) for _, v in grads_and_vars], loss))
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(self, loss, var_list=None, gate_gradients: int = GATE_OP,
                          aggregation_method=None, colocate_gradients_with_ops: bool = False,
                          grad_loss=None) -> list:
        """``[(gradient, variable)]`` for ``var_list`` (default: trainable variables).

        A gradient is None for a variable not connected to ``loss``, and an IndexedSlices for
        a gathered one (``tf.gather``/``embedding_lookup``).
        """
        if callable(loss) and not isinstance(loss, (_tensor.Tensor, _variables.Variable)):
            loss = loss()
        if gate_gradients not in (Optimizer.GATE_NONE, Optimizer.GATE_OP, Optimizer.GATE_GRAPH):
            raise ValueError("gate_gradients must be one of: Optimizer.GATE_NONE, "
                             "Optimizer.GATE_OP, Optimizer.GATE_GRAPH.  Not %s" % gate_gradients)
        graph = loss.graph
        _float_check(loss, loss.name)
        if grad_loss is not None:
            _float_check(grad_loss, grad_loss.name)
        if var_list is None:
            var_list = (graph.get_collection(GraphKeys.TRAINABLE_VARIABLES) +
                        graph.get_collection(GraphKeys.TRAINABLE_RESOURCE_VARIABLES))
        else:
            var_list = tf.nest.flatten(var_list)
        var_list = list(dict.fromkeys(var_list))  # TF1 de-duplicated (it built a set)
        if not var_list:
            raise ValueError("No variables to optimize.")

        def build(loss_t, vars_t, grad_loss_t):
            grads = _ops_graph.backing_gradients(  # TF1's builder and device rule
                loss_t, vars_t, grad_ys=grad_loss_t,
                gate_gradients=(gate_gradients == Optimizer.GATE_OP),
                aggregation_method=aggregation_method,
                colocate_gradients_with_ops=colocate_gradients_with_ops)
            if gate_gradients == Optimizer.GATE_GRAPH:
                grads = tf.tuple(grads)
            return grads
        grads = _tensor.call_in_graph(build, (loss, var_list, grad_loss), {})
        _replicas.record_gradients(graph, _tensor.unwrap(loss),  # for data-parallel replicas
                                   [(_tensor.unwrap(g), _tensor.unwrap(v)) for g, v in
                                    zip(grads, var_list)])
        return list(zip(grads, var_list))

    def apply_gradients(self, grads_and_vars, global_step=None, name: str | None = None):
        """One update per (gradient, variable) with a gradient; then ``global_step += 1``.

        Returns the increment op when ``global_step`` is given, else a group of the updates.
        """
        grads_and_vars = tuple(grads_and_vars)
        if not grads_and_vars:
            raise ValueError("No variables provided.")
        converted = []
        for g, v in grads_and_vars:
            if g is not None and not isinstance(g, (_tensor.Tensor, _tensor.IndexedSlices)):
                try:
                    g = _tensor.call_in_graph(
                        lambda x, dt: tf.convert_to_tensor(x, dtype_hint=dt), (g, v.dtype), {})
                except (TypeError, ValueError):
                    raise TypeError("Gradient must be convertible to a Tensor or IndexedSlices, "
                                    f"or None: {g}") from None
            if not isinstance(v, _variables.Variable):
                raise NotImplementedError("Trying to update a Tensor ", v)
            converted.append((g, v))
        var_list = [v for g, v in converted if g is not None]
        if not var_list:
            raise ValueError("No gradients provided for any variable: %s." %
                             ([str(v) for _, v in converted],))
        graph = var_list[0].graph
        backing_pairs = [(_tensor.unwrap(g), v._v) for g, v in converted if g is not None]

        def build(global_step_t):
            g = graph.backing
            self._building_graph = g
            # TF1: slots under init_scope, which keeps the caller's name scope (so non-slot
            # variables are "train/beta1_power" under a "train" scope).
            with tf.init_scope():
                self._create_slots([v for _, v in backing_pairs])
            update_ops = []
            with g.name_scope(name or self._name) as scope:
                self._prepare()
                for grad, var in backing_pairs:
                    # TF1: each update on its variable's device.
                    with g.name_scope("update_" + var.op.name), g.device(var.device):
                        if isinstance(grad, tf.IndexedSlices):
                            if var.constraint is not None:
                                raise RuntimeError("Cannot use a constraint function on a "
                                                   "sparse variable.")
                            update_ops.append(self._apply_sparse_duplicate_indices(grad, var))
                        else:
                            op = self._apply_dense(grad, var)
                            if var.constraint is not None:
                                with tf.control_dependencies([op]):
                                    op = var.assign(var.constraint(var), read_value=False)
                            update_ops.append(op)
                if global_step_t is None:
                    apply_op = self._finish(update_ops, scope)
                else:
                    with tf.control_dependencies([self._finish(update_ops, "update")]):
                        apply_op = tf.raw_ops.AssignAddVariableOp(
                            resource=global_step_t.handle,
                            value=tf.constant(1, dtype=global_step_t.dtype),
                            name=scope)
            _replicas.record_apply(graph, apply_op, backing_pairs)
            train_ops = g.get_collection_ref(GraphKeys.TRAIN_OP)
            if apply_op not in train_ops:
                train_ops.append(apply_op)
            return apply_op
        return _tensor.call_in_graph(build, (global_step,), {})

    def get_slot(self, var, name: str):
        """The slot variable ``name`` of ``var``, or None (TF1)."""
        slots = self._slots.get(name)
        if not slots:
            return None
        found = slots.get(_key(_tensor.unwrap(var)))
        return None if found is None else _wrap_var(var, found)

    def get_slot_names(self) -> list[str]:
        """Sorted names of the slots created so far (``['m', 'v']`` for Adam)."""
        return sorted(self._slots)

    def variables(self) -> list:
        """Non-slot and slot variables of this optimizer in the default graph, sorted by name."""
        graph = _graph.get_default_graph()
        found = [v for v in self._non_slot.values() if v.graph is graph.backing]
        for slots in self._slots.values():
            found.extend(v for v in slots.values() if v.graph is graph.backing)
        return [graph._wrap(v) for v in sorted(found, key=lambda v: v.name)]

    # ----- helpers for subclasses (backing-graph objects) ----------------------------------
    def _zeros_slot(self, var: tf.Variable, slot_name: str, op_name: str) -> tf.Variable:
        return self._get_or_make_slot(var, lambda: tf.zeros(var.shape, var.dtype.base_dtype),
                                      slot_name, op_name)

    def _get_or_make_slot_with_initializer(self, var, initializer: Callable, shape, dtype,
                                           slot_name: str, op_name: str) -> tf.Variable:
        return self._get_or_make_slot(var, lambda: initializer(shape, dtype), slot_name, op_name)

    def _get_or_make_slot(self, var: tf.Variable, init: Callable, slot_name: str,
                          op_name: str) -> tf.Variable:
        slots = self._slots.setdefault(slot_name, {})
        key = _key(var)
        if key not in slots:
            # TF1's slot creator: "<var>/<optimizer name>" uniquified (w/Adam, w/Adam_1), under
            # the enclosing variable scope (train/layer1/w/Adam), with its reuse rules.
            from tftrain_compat._src.variable_scope import create_slot
            slot = create_slot(var, op_name, initializer=lambda *args, **kwargs: init(),
                               shape=var.shape, dtype=var.dtype.base_dtype)
            slots[key] = _tensor.unwrap(slot)
        return slots[key]

    def _get_non_slot_variable(self, name: str, graph) -> tf.Variable | None:
        return self._non_slot.get((name, graph))

    def _create_non_slot_variable(self, initial_value, name: str, colocate_with) -> tf.Variable:
        graph = colocate_with.graph
        key = (name, graph)
        if key not in self._non_slot:
            self._non_slot[key] = tf.Variable(_tensor.unwrap(initial_value), name=name,
                                              trainable=False)
        return self._non_slot[key]

    def _call_if_callable(self, param):
        return param() if callable(param) else param

    def _hyper(self, value, name: str, call: bool = True) -> tf.Tensor:
        """TF1's conversion: a Python float becomes a float32 tensor (cast per variable later).

        ``call=False`` for the optimizers that, in TF1, never called a callable
        hyperparameter (Ftrl, AdagradDA, the proximal ones): it then fails to convert, as there.
        """
        value = _tensor.unwrap(self._call_if_callable(value) if call else value)
        if isinstance(value, tf.Variable):
            return value.value()
        return tf.convert_to_tensor(value, name=name)

    def _apply_sparse_duplicate_indices(self, grad: tf.IndexedSlices, var: tf.Variable):
        """TF1: sum the rows of repeated indices (``unique`` + ``unsorted_segment_sum``) first."""
        unique, positions = tf.unique(grad.indices)
        summed = tf.math.unsorted_segment_sum(grad.values, positions, tf.shape(unique)[0])
        return self._apply_sparse(tf.IndexedSlices(summed, unique, grad.dense_shape), var)

    # ----- hooks ---------------------------------------------------------------------------
    def _create_slots(self, var_list: Sequence[tf.Variable]) -> None:
        pass

    def _prepare(self) -> None:
        pass

    def _apply_dense(self, grad, var):  # pragma: no cover - abstract
        raise NotImplementedError()

    def _apply_sparse(self, grad, var):
        raise NotImplementedError(
            f"{type(self).__name__} has no sparse (IndexedSlices) update in tftrain_compat yet. "
            "- help: densify the gradient with tf.convert_to_tensor before apply_gradients.")

    def _finish(self, update_ops, name_scope: str):
        return tf.group(*update_ops, name=name_scope)


def _key(var: tf.Variable):
    return id(var)


def _wrap_var(like, backing: tf.Variable):
    graph = like.graph if hasattr(like, "graph") else _graph.get_default_graph()
    return graph._wrap(backing)
