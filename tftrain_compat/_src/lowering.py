"""Lowering: the sub-graph a ``Session.run`` needs -> one compiled ``tf.function``.

The only place that runs a graph. For a (fetches, fed tensors) pair it prunes the backing graph to
what the fetches need, stopping at fed tensors and at variable handles, and traces a
``tf.function`` (input signature = the fed tensors' static shapes, so a new batch size does not
retrace) that imports that sub-graph with the feeds and the session's own variables mapped in.
The ops are the ones TF1 would have run, so the numbers are TF1's.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
import tensorflow as tf
from tensorflow.core.framework import graph_pb2

# Stateful random kernels -> their counterparts over an explicit Philox state: the same numbers
# (TF's own fill functors and distributions), but the stream lives in a per-session variable
# [counter, seed2, seed] that every compiled function advances, so each random op keeps ONE
# stream per Session, as TF1's single kernel instance did. RandomUniformInt is left alone: its
# stateful counterpart draws different numbers (see docs).
_RNG_REWRITE = {
    "RandomUniform": "StatefulUniform",
    "RandomStandardNormal": "StatefulStandardNormalV2",
    "TruncatedNormal": "StatefulTruncatedNormal",
}
_PHILOX = 1
_READ_FREE = frozenset({"AssignVariableOp", "VarIsInitializedOp", "DestroyResourceOp"})
_C_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


@dataclass
class Plan:
    """Session-independent analysis of one (targets, feeds) pair."""

    graph_def: graph_pb2.GraphDef
    feed_names: list[str]                     # fed tensor names, in argument order
    feed_specs: list[tf.TensorSpec]
    target_names: list[str]                   # tensor names ("x:0") and op names ("init")
    var_handles: list[tuple[str, tf.DType, tf.TensorShape]]  # VarHandleOp name, dtype, shape
    reads: frozenset = field(default_factory=frozenset)  # variables whose value is used
    inits: frozenset = field(default_factory=frozenset)  # variables assigned (initialized)
    used_feeds: frozenset = field(default_factory=frozenset)  # fed tensors the graph consumes
    aliases: dict = field(default_factory=dict)  # other tensor name -> fed name it stands for
    rng_ops: list = field(default_factory=list)  # (random op name, seed, seed2)


def _tensor_name(inp: str) -> str:
    return inp if ":" in inp else inp + ":0"


def _graph_def(graph) -> tuple[graph_pb2.GraphDef, dict]:
    cache = graph._lowering_cache
    if cache.get("version") != graph.backing.version:
        gd = graph.backing.as_graph_def()
        cache["version"] = graph.backing.version
        cache["graph_def"] = gd
        cache["nodes"] = {n.name: n for n in gd.node}
    return cache["graph_def"], cache["nodes"]


def _unfed_placeholder_error(node) -> Exception:
    dtype = tf.as_dtype(node.attr["dtype"].type).name
    dtype = _C_TYPE_NAMES.get(dtype, dtype)
    shape = tf.TensorShape(node.attr["shape"].shape)
    text = f"You must feed a value for placeholder tensor '{node.name}' with dtype {dtype}"
    if shape.rank is not None:
        text += " and shape [" + ",".join("?" if d is None else str(d) for d in shape.as_list()) + "]"
    text += f"\n\t [[{{{{node {node.name}}}}}]]"
    return tf.errors.InvalidArgumentError(None, None, text)


def variable_reads(graph, handle_name: str) -> list[str]:
    """Every ReadVariableOp output of a variable: feeding a TF1 (ref) variable overrides them all."""
    _, nodes = _graph_def(graph)
    return [n.name + ":0" for n in nodes.values()
            if n.op == "ReadVariableOp" and n.input and n.input[0].split(":")[0] == handle_name]


def rng_state_name(op_name: str) -> str:
    return op_name + "/rng_state"


def _rewrite_random_op(graph_def: graph_pb2.GraphDef, node) -> None:
    """RandomUniform(shape; seed, seed2) -> StatefulUniform(state, Philox, shape), in place."""
    shape_dtype = node.attr["T"].type
    dtype = node.attr["dtype"].type
    data_inputs = [i for i in node.input if not i.startswith("^")]
    controls = [i for i in node.input if i.startswith("^")]
    state = graph_def.node.add(name=rng_state_name(node.name), op="Placeholder")
    state.attr["dtype"].type = tf.resource.as_datatype_enum
    alg = graph_def.node.add(name=node.name + "/rng_algorithm", op="Const")
    alg.attr["dtype"].type = tf.int64.as_datatype_enum
    alg.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(_PHILOX, tf.int64))
    node.op = _RNG_REWRITE[node.op]
    node.ClearField("attr")
    node.attr["dtype"].type = dtype
    node.attr["shape_dtype"].type = shape_dtype
    del node.input[:]
    node.input.extend([state.name, alg.name] + data_inputs + controls)


def make_plan(graph, target_names: Sequence[str], feeds: dict[str, tf.TensorSpec],
              aliases: dict[str, str] | None = None) -> Plan:
    """Prunes the backing graph to what ``target_names`` need given the fed tensors.

    ``aliases`` maps further tensor names to a fed name whose value they take (a fed variable).
    Raises TF1's ``InvalidArgumentError`` for a placeholder the targets need but nobody fed.
    """
    aliases = dict(aliases or {})
    full, nodes = _graph_def(graph)
    fed_or_alias = set(feeds) | set(aliases)
    keep: dict[str, Any] = {}
    handles: dict[str, Any] = {}
    stack = [t.split(":")[0] for t in target_names if t not in fed_or_alias]
    while stack:
        name = stack.pop()
        if name in keep or name in handles:
            continue
        node = nodes[name]
        if node.op == "VarHandleOp":
            handles[name] = node
            continue
        if node.op == "Placeholder":
            raise _unfed_placeholder_error(node)
        keep[name] = node
        for inp in node.input:
            if inp.startswith("^"):
                stack.append(inp[1:])
            elif _tensor_name(inp) not in fed_or_alias:
                stack.append(inp.split(":")[0])

    reads: set[str] = set()  # node names (variable handles read / assigned)
    inits: set[str] = set()
    used_feeds: set[str] = set()
    rng_ops = []
    pruned = graph_pb2.GraphDef()
    pruned.versions.CopyFrom(full.versions)
    pruned.library.CopyFrom(full.library)
    for node in full.node:  # keep the graph's creation order
        if node.name not in keep:
            continue
        new = pruned.node.add()
        new.CopyFrom(node)
        if node.op in _RNG_REWRITE:
            rng_ops.append((node.name, node.attr["seed"].i, node.attr["seed2"].i))
            _rewrite_random_op(pruned, new)
        # Colocation only steers placement; the handles it names are mapped, not imported.
        if "_class" in new.attr:
            del new.attr["_class"]
        for inp in node.input:
            if not inp.startswith("^") and _tensor_name(inp) in fed_or_alias:
                used_feeds.add(_tensor_name(inp))
            src = inp.lstrip("^").split(":")[0]
            if src in handles:
                (inits if node.op == "AssignVariableOp" else
                 reads if node.op not in _READ_FREE else set()).add(src)

    var_handles = [(name, tf.as_dtype(n.attr["dtype"].type), tf.TensorShape(n.attr["shape"].shape))
                   for name, n in sorted(handles.items())]
    feed_names = list(feeds)
    return Plan(graph_def=pruned, feed_names=feed_names, used_feeds=frozenset(used_feeds),
                aliases=aliases, rng_ops=rng_ops,
                feed_specs=[feeds[n] for n in feed_names], target_names=list(target_names),
                var_handles=var_handles, reads=frozenset(reads), inits=frozenset(inits))


def compile_plan(plan: Plan, variables: dict[str, tf.Variable],
                 rng_states: dict[str, tf.Variable]) -> tf.types.experimental.PolymorphicFunction:
    """Traces ``plan`` into a ``tf.function`` over the given per-session variables and random
    streams (``rng_states``, keyed by random op name)."""
    fed = {name: i for i, name in enumerate(plan.feed_names)}
    op_targets = [n for n in plan.target_names if ":" not in n]
    imported_names = [n for n in plan.target_names
                      if n not in fed and plan.aliases.get(n) not in fed]

    def lowered(*args):
        input_map = {n: a for n, a in zip(plan.feed_names, args) if n in plan.used_feeds}
        for alias, name in plan.aliases.items():
            if alias in plan.used_feeds:
                input_map[alias] = args[fed[name]]
        for name, _, _ in plan.var_handles:
            # tf.identity captures the session's own variable into the function.
            input_map[name + ":0"] = tf.identity(variables[name].handle)
        for name, _, _ in plan.rng_ops:
            input_map[rng_state_name(name) + ":0"] = tf.identity(rng_states[name].handle)
        imported = tf.graph_util.import_graph_def(
            plan.graph_def, input_map=input_map, return_elements=imported_names, name="")
        by_name = dict(zip(imported_names, imported))
        ops = [by_name[n] for n in op_targets]
        with tf.control_dependencies(ops):
            outputs = [tf.identity(args[fed[plan.aliases.get(n, n)]]
                                   if plan.aliases.get(n, n) in fed else by_name[n])
                       for n in plan.target_names if ":" in n]
            return outputs + [tf.constant(0)]

    return tf.function(lowered, input_signature=plan.feed_specs, autograph=False)


def fast_caller(function) -> tuple[Callable[[list], Any], Any]:
    """The cheapest way to call a traced function with flat, already-converted tensors.

    ``ConcreteFunction._call_flat`` is private: it skips the argument binding and structure
    checks that the public call repeats on every step (about a third of a small model's step).
    This is the only use of it; tests/test_dispatch.py fails loudly if a TF release removes it,
    and the public call is the fallback here.
    """
    concrete = function.get_concrete_function()
    flat = getattr(concrete, "_call_flat", None)
    if flat is None:  # pragma: no cover - depends on the TF release
        return (lambda args: concrete(*args)), concrete
    captured = concrete.captured_inputs
    return (lambda args: flat(args, captured)), concrete


def _make_to_tensor() -> Callable[[Any], tf.Tensor]:
    """NumPy array -> eager tensor, as cheaply as TF allows.

    ``EagerTensor(array, device, dtype)`` is private: it skips the dispatch and the defensive
    copy of ``tf.convert_to_tensor`` (about a fifth of a small model's step). The copy is not
    needed here: the tensor lives only for one synchronous call, and Session.run copies any
    output that is a fed value. tests/test_session.py fails loudly if a TF release removes it;
    the public conversion is the fallback.
    """
    try:
        from tensorflow.python.eager import context
        from tensorflow.python.framework import ops
        eager_tensor = ops.EagerTensor
        context.ensure_initialized()
        ctx = context.context()
        enums: dict[Any, int] = {}  # numpy dtype -> DataType enum

        def to_tensor(value):
            if value.flags.c_contiguous:
                dtype = value.dtype
                enum = enums.get(dtype)
                if enum is None:
                    enum = enums[dtype] = tf.as_dtype(dtype).as_datatype_enum
                return eager_tensor(value, ctx.device_name, enum)
            return tf.convert_to_tensor(value)
        to_tensor(np.zeros(1, np.float32))  # fails here, not mid-run, if the API changed
        return to_tensor
    except Exception:  # pragma: no cover - depends on the TF release
        return tf.convert_to_tensor


to_tensor = _make_to_tensor()
