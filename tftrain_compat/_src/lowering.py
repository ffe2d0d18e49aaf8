"""Lowering: the sub-graph a ``Session.run`` needs -> one compiled graph function.

The only place that runs a graph. For a (targets, feeds) pair ``make_plan`` prunes the backing
graph to what the targets need, stopping at fed tensors and at variable handles, and
``compile_plan`` traces it once into a concrete function (input signature = the fed tensors'
dtypes with unknown shapes, as a Session's Grappler sees feeds; a new batch size does not
retrace) that imports the pruned GraphDef with the
feeds and the session's own variables mapped in. The ops are the ones TF1 would have run, and the
function is built as a TF1 Session would execute the graph:

- no automatic control dependencies (a Session orders ops by data and control edges only);
- the fetched tensors' nodes and the target ops are the function's control outputs, which
  Grappler keeps as it is, as a Session keeps its fetch nodes. Without this Grappler's arithmetic
  optimizer rewrites a fetched sum ``a + b + c`` into ``AddN`` in another order, and the fetched
  loss differs from TF1's by an ulp (docs/architecture.md, "Bit-equal execution").

Nothing here adds to the user's graph: a fetched variable is read by a node added to the pruned
copy, and per-session state (variables, random streams) is mapped in at trace time.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import tensorflow as tf
from tensorflow.core.framework import graph_pb2

from tftrain_compat._src import frames
from tftrain_compat._src import random_bodies
from tftrain_compat._src import random_kernels
from tftrain_compat._src import session_resources
from tftrain_compat._src import tf_private
from tftrain_compat._src.fetches import OPERATION, VARIABLE

# Top-level stateful random kernels are rewritten onto an explicit Philox state [counter, seed2,
# seed] (random_bodies.RNG_REWRITE: the same numbers, TF's own fill functors and distributions)
# that lives in a per-session variable every compiled function advances, so each random op keeps
# ONE stream per Session, as TF1's single kernel instance did; random ops inside control-flow
# bodies get the same through random_bodies.thread_streams. A top-level RandomUniformInt or
# RandomShuffle (no stateful counterpart draws their numbers) is rebuilt from the stateless
# kernel on its state (random_bodies.rewrite_stateless); inside a library function it keeps a
# stream per function, as the held kernels below do there, and make_plan warns (only a TF without
# TF 1.x control-flow builders puts random ops into functions). Random kernels with no
# counterpart over an explicit state (Multinomial, RandomGamma, the candidate samplers ..., and a
# RandomShuffle in a TF 1.x loop body) run in the session's own kernel of each (random_kernels),
# called from every compiled function.

# Consumers of a variable handle that do not read its value.
_READ_FREE = frozenset({"AssignVariableOp", "VarIsInitializedOp", "DestroyResourceOp"})
# Consumers that may or may not read it (a branch or body decides): not checked before the run.
# TF 1.x's control flow passes a handle into a cond branch through a Switch and into a loop
# through an Enter; the branch or body reads it only if it runs (TF1: a branch not taken does
# not touch an uninitialized variable).
_MAYBE_READ = frozenset({"If", "StatelessIf", "While", "StatelessWhile", "Case",
                         "StatelessCase", "PartitionedCall", "StatefulPartitionedCall",
                         "Switch", "RefSwitch", "Enter", "RefEnter"})
_C_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "half"}
_READ_PREFIX = "tftrain_compat_read/"
_traces = [0]


def trace_count() -> int:
    """How many graph functions the lowering has traced in this process (tests: no retrace)."""
    return _traces[0]


@dataclass
class GraphSnapshot:
    """The backing graph at one version, as the lowering reads it."""

    version: int
    graph_def: graph_pb2.GraphDef
    nodes: dict[str, Any]
    initializers: dict[str, str]  # variable initializer op name -> its VarHandleOp name

    def reads_of(self, handle_name: str) -> list[str]:
        """Every ReadVariableOp output of a variable (feeding a TF1 ref variable overrode them)."""
        return [n.name + ":0" for n in self.nodes.values()
                if n.op == "ReadVariableOp" and n.input and n.input[0].split(":")[0] == handle_name]


@dataclass(frozen=True)
class Output:
    """Where one fetched tensor comes from: a function argument or an imported node."""

    arg: int | None = None
    node: str | None = None


@dataclass
class Plan:
    """Session-independent analysis of one (targets, feeds) pair."""

    graph_def: graph_pb2.GraphDef
    feed_names: list[str]                     # feed names, in argument order
    feed_dtypes: list[tf.DType]               # the feeds' dtypes (shapes are checked per run)
    op_targets: list[str]                     # operations to run
    outputs: list[Output]                     # one per fetched tensor, in target order
    var_handles: list[tuple[str, tf.DType, tf.TensorShape]]  # VarHandleOp name, dtype, shape
    reads: frozenset = field(default_factory=frozenset)  # variables whose value is used
    inits: frozenset = field(default_factory=frozenset)  # variables assigned (initialized)
    input_map: dict = field(default_factory=dict)  # consumed tensor name -> argument index
    rng_ops: list = field(default_factory=list)  # (random op name, seed, seed2)
    held: list = field(default_factory=list)  # random_kernels.HeldKernel: run by one session kernel
    preserved: list = field(default_factory=list)  # fetched nodes Grappler must keep as they are
    resources: list = field(default_factory=list)  # resource-creating NodeDefs (per session)


def _tensor_name(inp: str) -> str:
    return inp if ":" in inp else inp + ":0"


def snapshot(graph) -> GraphSnapshot:
    """The graph's current snapshot (rebuilt only when the backing graph changed)."""
    snap = graph._snapshot
    if snap is None or snap.version != graph.backing.version:
        gd = graph.backing.as_graph_def()
        initializers = {}
        for shim in list(graph._wrappers.values()):
            backing = getattr(shim, "_v", None)
            if isinstance(backing, tf.Variable):
                try:
                    initializers[backing.initializer.name] = backing.handle.op.name
                except AttributeError:
                    continue
        snap = graph._snapshot = GraphSnapshot(graph.backing.version, gd,
                                               {n.name: n for n in gd.node}, initializers)
    return snap


def _unfed_placeholder_error(node) -> Exception:
    dtype = tf.as_dtype(node.attr["dtype"].type).name
    dtype = _C_TYPE_NAMES.get(dtype, dtype)
    shape = tf.TensorShape(node.attr["shape"].shape)
    text = f"You must feed a value for placeholder tensor '{node.name}' with dtype {dtype}"
    if shape.rank is not None:
        text += " and shape [" + ",".join("?" if d is None else str(d) for d in shape.as_list()) + "]"
    text += f"\n\t [[{{{{node {node.name}}}}}]]"
    return tf.errors.InvalidArgumentError(None, None, text)


def _rewrite_random_op(graph_def: graph_pb2.GraphDef, node, frame: frames.Frame) -> None:
    """A top-level random op onto its stream: a resource placeholder the session maps its state
    into (``random_bodies.rewrite_onto_state`` does the rest). In a TF1 while loop's body
    (``frame``) the state and the constants enter the loop's frame as loop constants; in a cond
    branch the op's own inputs decide whether it runs (a branch not taken gives it a dead input,
    so it does not draw), as in TF1."""
    state = graph_def.node.add(name=random_bodies.state_placeholder(node.name), op="Placeholder")
    state.attr["dtype"].type = tf.resource.as_datatype_enum

    def enter(value: str, dtype: int) -> str:
        return frames.enter_chain(graph_def, value, dtype, frame, value)

    state_ref = enter(state.name, tf.resource.as_datatype_enum)
    random_bodies.rewrite_onto_state(graph_def, node, state_ref, enter)


def _ancestors(nodes: dict, start: str) -> set[str]:
    seen: set[str] = set()
    stack = [start]
    while stack:
        name = stack.pop()
        if name in seen or name not in nodes:
            continue
        seen.add(name)
        stack.extend(i.lstrip("^").split(":")[0] for i in nodes[name].input)
    return seen


def _order_initializers(kept: dict, handles: dict, initializers: dict[str, str]) -> None:
    """TF1 initialized variables from other variables in dependency order within one run
    (``b = tf.Variable(a * 2)`` under ``global_variables_initializer()``): a read of a variable
    whose initializer runs in the same plan waits for that initializer, unless the read feeds it."""
    init_of = {initializers[name]: name for name in kept if name in initializers}
    if not init_of:
        return
    ancestors: dict[str, set[str]] = {}
    for node in kept.values():
        if node.op in _READ_FREE:
            continue
        for inp in node.input:
            handle = inp.lstrip("^").split(":")[0]
            init = init_of.get(handle) if handle in handles and not inp.startswith("^") else None
            if init is None:
                continue
            if init not in ancestors:
                ancestors[init] = _ancestors(kept, init)
            if node.name not in ancestors[init] and "^" + init not in node.input:
                node.input.append("^" + init)


def _dynamic_nodes(copies: dict, handles: dict, input_map: dict) -> set[str]:
    """Nodes whose value depends on a feed, a variable or a random op. A Session keeps such a
    node out of Grappler's rewrites when it is fetched; a fetched node of constants only is still
    folded (by the Session's classic constant folding), so it is not kept."""
    fed_nodes = {name.split(":")[0] for name in input_map}
    dynamic: dict[str, bool] = {}

    def visit(name: str) -> bool:
        if name in dynamic:
            return dynamic[name]
        if name in handles or name in fed_nodes:
            return True
        node = copies.get(name)
        if node is None:
            return False
        dynamic[name] = False  # cycles (none in a GraphDef) stop here
        result = node.op in random_bodies.RNG_REWRITE or random_kernels.is_call(node.op) or (
            node.op.startswith(("Random", "Stateful"))) or any(
            visit(i.lstrip("^").split(":")[0]) for i in node.input)
        dynamic[name] = result
        return result

    return {name for name in copies if visit(name)}


def make_plan(graph, targets: Sequence[tuple[str, str]], feeds: dict[str, tf.TensorSpec],
              aliases: dict[str, str], fed_variables: dict[str, str]) -> Plan:
    """Prunes the backing graph to what ``targets`` ((name, kind) pairs) need given the feeds.

    ``feeds`` maps feed names (tensor names, or a fed variable's feed name) to their specs;
    ``aliases`` maps further tensor names to the feed whose value they take (the reads of a fed
    variable); ``fed_variables`` maps a fed variable's VarHandleOp name to its feed name.
    Raises TF1's ``InvalidArgumentError`` for a placeholder the targets need but nobody fed.
    """
    snap = snapshot(graph)
    nodes = snap.nodes
    feed_names = list(feeds)
    arg_of = {name: i for i, name in enumerate(feed_names)}
    for alias, name in aliases.items():
        arg_of[alias] = arg_of[name]

    kept: dict[str, Any] = {}
    handles: dict[str, Any] = {}
    resources: dict[str, Any] = {}
    outputs: list[Output] = []
    extra_reads: list[str] = []
    stack: list[str] = []
    for name, kind in targets:
        if kind == OPERATION:
            if nodes[name].op != "VarHandleOp":  # running a variable's own op does nothing
                stack.append(name)
        elif kind == VARIABLE:
            handle = name.split(":")[0]
            if handle in fed_variables:
                outputs.append(Output(arg=arg_of[fed_variables[handle]]))
            else:
                outputs.append(Output(node=_READ_PREFIX + handle + ":0"))
                extra_reads.append(handle)
                stack.append(handle)
        elif name in arg_of:
            outputs.append(Output(arg=arg_of[name]))
        else:
            outputs.append(Output(node=name))
            stack.append(name.split(":")[0])
    while stack:
        name = stack.pop()
        if name in kept or name in handles:
            continue
        node = nodes[name]
        if node.op == "VarHandleOp":
            handles[name] = node
            continue
        if session_resources.is_resource_node(node):  # the session's own resource, captured
            resources[name] = node
            continue
        if node.op == "Placeholder":
            raise _unfed_placeholder_error(node)
        kept[name] = node
        for inp in node.input:
            if inp.startswith("^"):
                if _tensor_name(inp[1:]) not in arg_of:  # a fed op has run already (TF1)
                    stack.append(inp[1:])
            elif _tensor_name(inp) not in arg_of:
                stack.append(inp.split(":")[0])

    pruned = graph_pb2.GraphDef()
    pruned.versions.CopyFrom(snap.graph_def.versions)
    pruned.library.CopyFrom(snap.graph_def.library)
    rng_ops = []
    held = []
    frame_memo: dict[str, frames.Frame] = {}
    copies: dict[str, Any] = {}
    for node in snap.graph_def.node:  # keep the graph's creation order
        if node.name not in kept:
            continue
        new = pruned.node.add()
        new.CopyFrom(node)
        copies[node.name] = new
        for inp in [i for i in new.input if i.startswith("^") and _tensor_name(i[1:]) in arg_of]:
            new.input.remove(inp)  # control edge on a fed tensor: its value exists before the run
        if node.op in random_bodies.ON_STATE:
            frame = frames.frame_of(nodes, node.name, frame_memo)
            if random_bodies.rewritable(node.op, frame):
                rng_ops.append((node.name, node.attr["seed"].i, node.attr["seed2"].i))
                _rewrite_random_op(pruned, new, frame)
        if new.op == node.op and "seed2" in node.attr:
            kernel = random_kernels.held_kernel(node, graph.backing.get_operation_by_name(node.name))
            if kernel is not None:
                held.append(kernel)
                random_kernels.rewrite_to_call(new, kernel)
        # Colocation only steers placement; the handles it names are mapped, not imported.
        if "_class" in new.attr:
            del new.attr["_class"]
    for handle in dict.fromkeys(extra_reads):
        read = pruned.node.add(name=_READ_PREFIX + handle, op="ReadVariableOp")
        read.input.append(handle)
        read.attr["dtype"].type = handles[handle].attr["dtype"].type
        copies[read.name] = read
    _order_initializers(copies, handles, snap.initializers)
    for function, node, op in random_bodies.streams_per_function(pruned, copies):
        warnings.warn(
            f"random op {node!r} ({op}) in library function {function!r} keeps one stream per "
            "fetch set, not one per Session as in TF1 (this TensorFlow builds TF2 control flow, "
            "whose bodies are functions)", RuntimeWarning, stacklevel=2)
    streams = random_bodies.thread_streams(pruned, copies)
    rng_ops.extend(streams)

    reads, inits, input_map = set(), set(), {}
    for node in copies.values():
        for inp in node.input:
            if not inp.startswith("^") and _tensor_name(inp) in arg_of:
                input_map[_tensor_name(inp)] = arg_of[_tensor_name(inp)]
            src = inp.lstrip("^").split(":")[0]
            if src in handles and not inp.startswith("^"):
                if node.op == "AssignVariableOp":
                    inits.add(src)
                elif node.op not in _READ_FREE and node.op not in _MAYBE_READ:
                    reads.add(src)

    var_handles = [(name, tf.as_dtype(n.attr["dtype"].type), tf.TensorShape(n.attr["shape"].shape))
                   for name, n in sorted(handles.items())]
    states = {random_bodies.state_placeholder(key): None for key, _, _ in streams}
    dynamic = _dynamic_nodes(copies, {**handles, **resources, **states}, input_map)
    preserved = list(dict.fromkeys(o.node.split(":")[0] for o in outputs
                                   if o.node is not None and o.node.split(":")[0] in dynamic))
    return Plan(preserved=preserved, graph_def=pruned, feed_names=feed_names,
                feed_dtypes=[feeds[n].dtype for n in feed_names],
                op_targets=[name for name, kind in targets
                            if kind == OPERATION and name in kept],
                outputs=outputs, var_handles=var_handles, reads=frozenset(reads),
                inits=frozenset(inits), input_map=input_map, rng_ops=rng_ops, held=held,
                resources=[resources[n] for n in sorted(resources)])


def compile_plan(plan: Plan, variables: dict[str, tf.Tensor],
                 rng_states: dict[str, tf.Variable], resources: Any = None,
                 kernels: dict[str, random_kernels.KernelStream] | None = None) -> Any:
    """Traces ``plan`` into a concrete function over the given per-session variable handles,
    random streams (``rng_states``, keyed by random op name), held random kernels (``kernels``,
    keyed by op name) and other resources (``session_resources.SessionResources``: iterators,
    queues, readers, tables)."""
    graph_def = random_kernels.with_tokens(plan.graph_def, kernels or {},
                                           [k.name for k in plan.held])
    preserved = set(plan.preserved)
    imported_names = list(dict.fromkeys(
        plan.op_targets + [o.node for o in plan.outputs if o.node is not None]))

    def lowered(*args):
        _traces[0] += 1
        input_map = {name: args[i] for name, i in plan.input_map.items()}
        for name, _, _ in plan.var_handles:
            # tf.identity captures the session's own variable into the function.
            input_map[name + ":0"] = tf.identity(variables[name].handle)
        for name, _, _ in plan.rng_ops:
            input_map[random_bodies.state_placeholder(name) + ":0"] = tf.identity(rng_states[name].handle)
        for node in plan.resources:
            input_map[node.name + ":0"] = tf.identity(resources.handle(node.name))
        imported = tf.graph_util.import_graph_def(
            graph_def, input_map=input_map, return_elements=imported_names, name="")
        by_name = dict(zip(imported_names, imported))
        ops = [by_name[n] for n in plan.op_targets]
        outputs = [tf.identity(args[o.arg]) if o.arg is not None else by_name[o.node]
                   for o in plan.outputs]
        with tf.control_dependencies(ops):
            done = tf.constant(0)
        # A TF1 Session keeps its fetched nodes and target ops out of Grappler's rewrites;
        # a function keeps its control outputs: make both of them control outputs.
        kept = [by_name[o.node].op for o in plan.outputs
                if o.node is not None and o.node.split(":")[0] in preserved]
        done.graph.control_outputs.extend(dict.fromkeys(ops + kept))
        return outputs + [done]

    return tf_private.graph_function(
        lowered, [tf.TensorSpec(None, dtype) for dtype in plan.feed_dtypes])


def caller(function: Any) -> Callable[[list], Any]:
    """The cheapest call of a compiled function with a flat list of eager tensors."""
    return tf_private.flat_caller(function)


to_tensor = tf_private.to_tensor
