"""Random ops inside control-flow bodies (``tf.cond`` branches, ``tf.while_loop`` / ``dynamic_rnn``
bodies, ``map_fn``): one stream per Session, as TF1 had.

TF1 built ``cond`` / ``while_loop`` from Switch/Merge/Enter nodes in the one graph, so a random op
in a body was an ordinary node with one kernel per Session: its stream continued across every
``Session.run`` of that session, whatever was fetched. The shim builds those nodes too (see
``tf_private.tf1_control_flow``), and the lowering rewrites such ops like any top-level one. TF2's
builders put bodies into library functions (where a TF has no v1 builders left); run as they are,
each compiled function would get its own kernel and its own stream (the first run of each fetch
set draws TF1's first numbers, later ones diverge).

``thread_streams`` rewrites a pruned GraphDef so that each random op of a reachable library
function draws from an explicit Philox state ``[counter, seed2, seed]`` (the same kernels'
numbers, see ``lowering._RNG_REWRITE``), passed in as a resource argument: the function gets one
argument per stream it needs (its own ops' and those of the functions it calls), every call site
(``If``/``Case`` branches, ``While`` cond and body, ``PartitionedCall``) passes them on (a
``While`` carries them as loop variables its body returns unchanged), and the top-level call
sites take them from placeholders the session maps its per-session state into.
"""
from __future__ import annotations

import hashlib
from typing import Any, Callable

import tensorflow as tf
from tensorflow.core.framework import graph_pb2

from tftrain_compat._src import frames

# Stateful random kernels -> their counterparts over an explicit Philox state (same numbers).
RNG_REWRITE = {
    "RandomUniform": "StatefulUniform",
    "RandomStandardNormal": "StatefulStandardNormalV2",
    "TruncatedNormal": "StatefulTruncatedNormal",
}
PHILOX = 1
_RESOURCE = tf.resource.as_datatype_enum
# call op -> (the attrs naming functions, the attr listing the added inputs' types, whether the
# functions' outputs mirror their inputs (loop variables))
_CALLS = {
    "If": (("then_branch", "else_branch"), "Tin", False),
    "StatelessIf": (("then_branch", "else_branch"), "Tin", False),
    "Case": (("branches",), "Tin", False),
    "StatelessCase": (("branches",), "Tin", False),
    "While": (("cond", "body"), "T", True),
    "StatelessWhile": (("cond", "body"), "T", True),
    "PartitionedCall": (("f",), "Tin", False),
    "StatefulPartitionedCall": (("f",), "Tin", False),
}
_STATE_PREFIX = "tftrain_compat_rng/"


def stream_key(function: str, node: str) -> str:
    """The session's key for the stream of random op ``node`` of library function ``function``."""
    return f"{_STATE_PREFIX}{function}/{node}"


def _called(node: Any) -> list[str]:
    spec = _CALLS.get(node.op)
    if spec is None:
        return []
    names: list[str] = []
    for attr in spec[0]:
        value = node.attr[attr]
        if value.HasField("func"):
            names.append(value.func.name)
        names.extend(f.name for f in value.list.func)
    return names


def _reachable(functions: dict[str, Any], root_calls: list[Any]) -> dict[str | None, list[Any]]:
    """The library functions reachable from the top-level call nodes ``root_calls``: function
    name -> its call nodes (None -> ``root_calls``: the top level)."""
    calls: dict[str | None, list[Any]] = {None: root_calls}
    stack = [f for n in root_calls for f in _called(n)]
    while stack:
        name = stack.pop()
        if name in calls or name not in functions:
            continue
        calls[name] = [n for n in functions[name].node_def if _called(n)]
        for n in calls[name]:
            stack.extend(_called(n))
    return calls


def streams_per_function(graph_def: graph_pb2.GraphDef, kept: dict[str, Any]
                         ) -> list[tuple[str, str, str]]:
    """(function, node, op) for each seeded random op of a library function reachable from the
    top-level nodes ``kept`` that ``thread_streams`` cannot put on a per-session state
    (``RandomUniformInt``, ``RandomShuffle``, the kernels ``random_kernels`` holds at the top
    level): such an op keeps
    one stream per compiled fetch set, where TF1's kernel kept one per Session. The shim builds
    TF 1.x control flow, so only a TF without its v1 builders puts such ops into functions."""
    if not graph_def.library.function:  # the usual case: TF 1.x control flow, no functions
        return []
    functions = {f.signature.name: f for f in graph_def.library.function}
    calls = _reachable(functions, [node for node in kept.values() if _called(node)])
    return [(name, n.name, n.op) for name in sorted(n for n in calls if n is not None)
            for n in functions[name].node_def
            if "seed2" in n.attr and "seed" in n.attr and n.op not in RNG_REWRITE]


def _streams_needed(functions: dict[str, Any], root_calls: list[Any]) -> dict[str, list[str]]:
    """function name -> the stream keys it must receive, for every function reachable from the
    top-level call nodes ``root_calls``. Functions called together (an If's branches, a While's
    cond and body) take the same arguments, so they get the union."""
    calls = _reachable(functions, root_calls)
    needed = {name: {stream_key(name, n.name) for n in functions[name].node_def
                     if n.op in RNG_REWRITE} for name in calls if name is not None}
    changed = True
    while changed:  # a fixpoint: nesting depth is small
        changed = False
        for caller, sites in calls.items():
            for call in sites:
                group = [f for f in _called(call) if f in needed]
                union = set().union(*(needed[f] for f in group)) if group else set()
                for f in group:
                    if not union <= needed[f]:
                        needed[f] |= union
                        changed = True
                if caller is not None and not union <= needed[caller]:
                    needed[caller] |= union
                    changed = True
    return {name: sorted(keys) for name, keys in needed.items() if keys}


def _append_inputs(node: Any, refs: list[str], type_attr: str) -> None:
    data = [i for i in node.input if not i.startswith("^")]
    controls = [i for i in node.input if i.startswith("^")]
    del node.input[:]
    node.input.extend(data + refs + controls)
    node.attr[type_attr].list.type.extend([_RESOURCE] * len(refs))
    if node.op in ("While", "StatelessWhile") and node.attr["output_shapes"].list.shape:
        for _ in refs:
            node.attr["output_shapes"].list.shape.add()  # a scalar resource handle


def rewrite_random(node: Any, state_ref: str, alg_ref: str) -> None:
    """RandomUniform(shape; seed, seed2) -> StatefulUniform(state, Philox, shape), in place."""
    data = [i for i in node.input if not i.startswith("^")]
    controls = [i for i in node.input if i.startswith("^")]
    _retype(node, RNG_REWRITE[node.op], [state_ref, alg_ref] + data + controls,
            dtype=node.attr["dtype"].type, shape_dtype=node.attr["T"].type)


# Kernels with no stateful counterpart drawing their numbers, rebuilt from TF's stateless kernel
# on the key and counter of the op's Philox state (the same generator and the same algorithm).
INT_REWRITE = frozenset({"RandomUniformInt"})
SHUFFLE_REWRITE = frozenset({"RandomShuffle"} if hasattr(tf.raw_ops, "StatelessShuffle") else ())
STATELESS_REWRITE = INT_REWRITE | SHUFFLE_REWRITE
# Every random op the lowering puts on a per-session state (``rewrite_onto_state``).
ON_STATE = frozenset(RNG_REWRITE) | STATELESS_REWRITE


def rewritable(op: str, frame: frames.Frame) -> bool:
    """Whether random op ``op`` (one of ``ON_STATE``) in TF 1.x loop frame ``frame`` is put on a
    per-session state. A RandomShuffle in a loop body is not: its state is read and written
    back, and a loop's parallel iterations would race on it (it runs in its session's own
    kernel instead, ``random_kernels``)."""
    return not (op in SHUFFLE_REWRITE and frame)


def rewrite_onto_state(graph_def: graph_pb2.GraphDef, node: Any, state_ref: str,
                       enter: Callable[[str, int], str]) -> None:
    """Random op ``node`` of ``ON_STATE`` onto its per-session Philox state ``state_ref``, in
    place: a stateful counterpart on the Philox algorithm (``rewrite_random``), or the stateless
    rebuild (``rewrite_stateless``). ``enter`` brings a constant into the op's loop frame."""
    if node.op in STATELESS_REWRITE:
        rewrite_stateless(graph_def, node, state_ref, enter)
        return
    rewrite_random(node, state_ref, _Nodes(graph_def, node.name, enter).const(
        "rng_algorithm", PHILOX, tf.int64))


class _Nodes:
    """Adds the nodes of one rewrite under ``prefix``; constants enter the op's loop frame."""

    def __init__(self, graph_def: graph_pb2.GraphDef, prefix: str,
                 enter: Callable[[str, int], str]) -> None:
        self.graph_def, self.prefix, self.enter = graph_def, prefix, enter

    def add(self, name: str, op: str, inputs: list[str], **attrs: Any) -> str:
        new = self.graph_def.node.add(name=f"{self.prefix}/{name}", op=op)
        new.input.extend(inputs)
        for key, value in attrs.items():
            if isinstance(value, bool):
                new.attr[key].b = value
            elif isinstance(value, tf.DType):
                new.attr[key].type = value.as_datatype_enum
            else:
                new.attr[key].i = value
        return new.name

    def const(self, name: str, value: Any, dtype: tf.DType) -> str:
        node = self.graph_def.node.add(name=f"{self.prefix}/{name}", op="Const")
        node.attr["dtype"].type = dtype.as_datatype_enum
        node.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(value, dtype))
        return self.enter(node.name, dtype.as_datatype_enum)

    def key_counter(self, words: str) -> tuple[str, str]:
        """The stateless kernels' ``key`` [seed] and ``counter`` [lo, hi] of a state's words."""
        counter = self.add("counter", "Pack", [words + ":0", words + ":1"], T=tf.int64, N=2)
        key = self.add("key", "Pack", [words + ":2"], T=tf.int64, N=1)
        return (self.add("key_bits", "Bitcast", [key], T=tf.int64, type=tf.uint64),
                self.add("counter_bits", "Bitcast", [counter], T=tf.int64, type=tf.uint64))


def _retype(node: Any, op: str, inputs: list[str], **types: Any) -> None:
    node.op = op
    node.ClearField("attr")
    for key, value in types.items():
        node.attr[key].type = value
    del node.input[:]
    node.input.extend(inputs)


def rewrite_stateless(graph_def: graph_pb2.GraphDef, node: Any, state_ref: str,
                      enter: Callable[[str, int], str]) -> None:
    """A kernel of ``STATELESS_REWRITE`` onto its state ``[counter, seed2, seed]``, in place.
    TF1's kernel built ``PhiloxRandom(seed, seed2)`` once and reserved samples on each run, so
    each run continued the stream; here the stateless kernel draws at the state's counter and the
    counter advances by the same reservation. ``enter(name, dtype)`` brings a root-frame constant
    into the op's TF 1.x loop frame (the identity outside loops).

    - RandomUniformInt(shape, minval, maxval) -> StatelessRandomUniformIntV2; ``RngReadAndSkip``
      reads the state and reserves 256 samples per output, as the kernel did.
    - RandomShuffle(value) -> StatelessShuffle; the kernel reserved ``ceil((n - 1) / 4)`` 128-bit
      samples for a first dimension ``n`` (none when ``n <= 1`` or the value has <= 1 element).
      The state is read and written back (not atomic across concurrent runs of the same op in
      one session, which TF1's kernel serialised)."""
    nodes = _Nodes(graph_def, node.name + "/tftrain_compat_rng", enter)
    data = [i for i in node.input if not i.startswith("^")]
    controls = [i for i in node.input if i.startswith("^")]
    alg = nodes.const("algorithm", PHILOX, tf.int32)
    if node.op == "RandomUniformInt":
        shape_dtype, dtype = node.attr["T"].type, node.attr["Tout"].type
        count = nodes.add("count", "Prod", [data[0], nodes.const("axis", 0, tf.int32)],
                          T=tf.as_dtype(shape_dtype), Tidx=tf.int32, keep_dims=False)
        delta = nodes.add("delta", "Cast", [count], SrcT=tf.as_dtype(shape_dtype),
                          DstT=tf.uint64, Truncate=False)
        old = nodes.add("read_and_skip", "RngReadAndSkip", [state_ref, alg, delta] + controls)
        words = nodes.add("words", "Unpack", [old], T=tf.int64, num=3, axis=0)
        key, counter = nodes.key_counter(words)
        _retype(node, "StatelessRandomUniformIntV2",
                [data[0], key, counter, alg, data[1], data[2]] + controls,
                dtype=dtype, Tshape=shape_dtype)
        return
    value_type = node.attr["T"].type
    value_dtype = tf.as_dtype(value_type)
    read = nodes.add("read", "ReadVariableOp", [state_ref] + controls, dtype=tf.int64)
    words = nodes.add("words", "Unpack", [read], T=tf.int64, num=3, axis=0)
    shape = nodes.add("shape", "Shape", [data[0]], T=value_dtype, out_type=tf.int64)
    first = nodes.add("first_dim", "StridedSlice", [
        shape, nodes.const("begin", [0], tf.int32), nodes.const("end", [1], tf.int32),
        nodes.const("strides", [1], tf.int32)], T=tf.int64, Index=tf.int32, begin_mask=0,
        end_mask=0, ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=1)
    size = nodes.add("size", "Size", [data[0]], T=value_dtype, out_type=tf.int64)
    one = nodes.const("one", 1, tf.int64)
    shuffles = nodes.add("shuffles", "LogicalAnd", [
        nodes.add("many", "Greater", [size, one], T=tf.int64),
        nodes.add("long", "Greater", [first, one], T=tf.int64)])
    blocks = nodes.add("blocks", "FloorDiv", [
        nodes.add("samples", "AddV2", [first, nodes.const("two", 2, tf.int64)], T=tf.int64),
        nodes.const("four", 4, tf.int64)], T=tf.int64)
    skip = nodes.add("skip", "SelectV2", [shuffles, blocks, nodes.const("zero", 0, tf.int64)],
                     T=tf.int64)
    moved = nodes.add("moved", "AddV2", [words + ":0", skip], T=tf.int64)
    state = nodes.add("next_state", "Pack", [moved, words + ":1", words + ":2"], T=tf.int64,
                      N=3, axis=0)
    assign = nodes.add("advance", "AssignVariableOp", [state_ref, state], dtype=tf.int64)
    key, counter = nodes.key_counter(words)
    _retype(node, "StatelessShuffle", [data[0], key, counter, alg, "^" + assign] + controls,
            T=value_type)


def _philox_const(node: Any, name: str) -> None:
    node.name = name
    node.op = "Const"
    node.attr["dtype"].type = tf.int64.as_datatype_enum
    node.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(PHILOX, tf.int64))


def _rewrite_function(fdef: Any, fname: str, keys: list[str], needed: dict[str, list[str]],
                      renamed: dict[str, str], loop_body: bool) -> None:
    """Adds ``keys`` as resource arguments of ``fdef`` (a copy of function ``fname``; and as
    pass-through outputs of a loop body), rewrites its random ops onto them, and passes them on
    at its call sites."""
    arg_of = {}
    for i, key in enumerate(keys):
        arg = f"tftrain_compat_rng_{i}"
        fdef.signature.input_arg.add(name=arg, type=_RESOURCE)
        arg_of[key] = arg
    if loop_body:
        for i, key in enumerate(keys):
            out = f"tftrain_compat_rng_out_{i}"
            fdef.signature.output_arg.add(name=out, type=_RESOURCE)
            fdef.ret[out] = arg_of[key]
    alg_name = "tftrain_compat_rng_algorithm"
    has_random = False
    for node in list(fdef.node_def):
        if node.op in RNG_REWRITE:
            has_random = True
            rewrite_random(node, arg_of[stream_key(fname, node.name)], alg_name + ":output:0")
        else:
            _pass_on(node, needed, renamed, arg_of)
    if has_random:
        _philox_const(fdef.node_def.add(), alg_name)


def _pass_on(node: Any, needed: dict[str, list[str]], renamed: dict[str, str],
             ref_of: dict[str, str]) -> None:
    """A call site passes the streams its callees take (the union over a call's functions) and
    calls the rewritten copies."""
    names = [f for f in _called(node) if f in needed]
    if not names:
        return
    keys = needed[names[0]]
    _append_inputs(node, [ref_of[k] for k in keys], _CALLS[node.op][1])
    for attr in _CALLS[node.op][0]:
        value = node.attr[attr]
        if value.HasField("func") and value.func.name in renamed:
            value.func.name = renamed[value.func.name]
        for f in value.list.func:
            if f.name in renamed:
                f.name = renamed[f.name]


def thread_streams(graph_def: graph_pb2.GraphDef, kept: dict[str, Any]
                   ) -> list[tuple[str, int, int]]:
    """Rewrites ``graph_def`` (a pruned copy; ``kept`` maps its node names to its NodeDefs) in
    place; returns (stream key, seed, seed2) for every stream it threads, so the session can create
    them. Each top-level call site takes a stream from a placeholder named
    ``state_placeholder(key)``."""
    functions = {f.signature.name: f for f in graph_def.library.function}
    root_calls = [node for node in kept.values() if _called(node)]
    if not root_calls:
        return []
    needed = _streams_needed(functions, root_calls)
    if not needed:
        return []
    seeds = {stream_key(name, n.name): (n.attr["seed"].i, n.attr["seed2"].i)
             for name in needed for n in functions[name].node_def if n.op in RNG_REWRITE}
    loop_bodies = {node.attr["body"].func.name
                   for nodes in [list(kept.values())] + [list(f.node_def) for f in functions.values()]
                   for node in nodes if node.op in ("While", "StatelessWhile")}
    # The rewrite goes into renamed copies (the name says which streams they take): the original
    # definitions stay for other plans, and the eager context refuses two bodies under one name.
    renamed = {name: f"{name}_rng_{_digest(keys)}" for name, keys in needed.items()}
    for name, keys in needed.items():
        copy = graph_def.library.function.add()
        copy.CopyFrom(functions[name])
        copy.signature.name = renamed[name]
        _rewrite_function(copy, name, keys, needed, renamed, name in loop_bodies)
    placeholders: dict[str, str] = {}
    for key in sorted({k for keys in needed.values() for k in keys}):
        ph = graph_def.node.add(name=state_placeholder(key), op="Placeholder")
        ph.attr["dtype"].type = _RESOURCE
        placeholders[key] = ph.name
    for node in kept.values():
        _pass_on(node, needed, renamed, placeholders)
    return [(key, *seeds[key]) for key in sorted(placeholders)]


def _digest(keys: list[str]) -> str:
    return hashlib.sha1("\n".join(keys).encode()).hexdigest()[:10]


def state_placeholder(key: str) -> str:
    """The placeholder the compiled function takes stream ``key`` from: a top-level random op's
    (its name is its key) or a body's (``stream_key``)."""
    return key + "/rng_state"
