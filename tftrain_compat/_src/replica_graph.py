"""Graph reading for data-parallel replicas (``replicas.py``): what a training run needs, whether
its loss is a mean or a sum over the batch, and whether its forward pass can be split.

All of it reads the GraphDef snapshot (``lowering.snapshot``) and the backing graph's static
shapes; nothing here changes a graph or runs one.
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from tftrain_compat._src import frames
from tftrain_compat._src.errors import with_help
from tftrain_compat._src.replica_devices import ReplicaError

MEAN, SUM = "mean", "sum"

# Stateful random kernels (their streams live in the session); the first four take the shape as
# input 0, so the global draw needs only that shape.
SHAPED_RANDOM = frozenset({"RandomUniform", "RandomStandardNormal", "TruncatedNormal",
                           "RandomUniformInt"})
RANDOM = SHAPED_RANDOM | {"RandomShuffle", "Multinomial", "RandomGamma", "RandomPoisson",
                          "RandomPoissonV2", "ParameterizedTruncatedNormal"}
_REDUCTIONS = frozenset({"Mean", "Sum", "Max", "Min", "Prod", "All", "Any", "EuclideanNorm"})
_BATCH_NORMS = frozenset({"FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"})
_PASS = frozenset({"Identity", "Neg", "Cast"})
_ADD = frozenset({"Add", "AddV2", "Sub", "AddN"})
_SHAPE_ONLY = frozenset({"Shape", "ShapeN", "Size", "Rank", "ZerosLike", "OnesLike"})


def node_name(inp: str) -> str:
    return inp.lstrip("^").split(":")[0]


def tensor_name(inp: str) -> str:
    return inp if ":" in inp else inp + ":0"


def ancestors(nodes: dict, starts, stop: set[str]) -> set[str]:
    """Node names ``starts`` need, not crossing the fed tensors in ``stop``."""
    seen: set[str] = set()
    stack = list(starts)
    while stack:
        name = stack.pop()
        if name in seen or name not in nodes:
            continue
        seen.add(name)
        for inp in nodes[name].input:
            if tensor_name(inp.lstrip("^")) not in stop:
                stack.append(node_name(inp))
    return seen


def batch_dependent(nodes: dict, forward: set[str], batch: set[str]) -> set[str]:
    """The nodes of ``forward`` whose value depends on a fed batch tensor."""
    memo: dict[str, bool] = {}

    def visit(name: str) -> bool:
        if name in memo:
            return memo[name]
        memo[name] = False
        node = nodes.get(name)
        result = False
        if node is not None and name in forward:
            for inp in node.input:
                if inp.startswith("^"):
                    continue
                if tensor_name(inp) in batch or visit(node_name(inp)):
                    result = True
                    break
        memo[name] = result
        return result

    return {name for name in forward if visit(name)}


def _const_value(nodes: dict, name: str) -> np.ndarray | None:
    node = nodes.get(node_name(name))
    if node is None or node.op != "Const":
        return None
    return tf.make_ndarray(node.attr["value"].tensor)


def reduces_batch(nodes: dict, backing, data: list[str]) -> bool | None:
    """Whether a reduction node with inputs ``data`` (tensor, axes) reduces over axis 0; None
    when the axes are not known statically. ``reduce_*(t)`` of a tensor of unknown rank has the
    axes ``Range(0, Rank(t), 1)``: every axis."""
    if backing.get_tensor_by_name(tensor_name(data[0])).shape.rank == 0:
        return False  # a scalar: nothing is reduced
    axes = _const_value(nodes, data[1])
    if axes is None:
        node = nodes.get(node_name(data[1]))
        if node is not None and node.op == "Range":
            start, limit, delta = (node.input[i] for i in range(3))
            rank = nodes.get(node_name(limit))
            if (_const_value(nodes, start) == 0 and _const_value(nodes, delta) == 1
                    and rank is not None and rank.op == "Rank"
                    and tensor_name(rank.input[0]) == tensor_name(data[0])):
                return True
        return None
    listed = [int(a) for a in np.ravel(axes)]
    rank = backing.get_tensor_by_name(tensor_name(data[0])).shape.rank
    if rank is None:
        return None if any(a < 0 for a in listed) else 0 in listed
    return 0 in [a % rank for a in listed]


def value_dependent(nodes: dict, name: str, batch: set[str], memo: dict) -> bool:
    """Whether node ``name``'s value depends on the values (not only the shapes) of the fed
    batch tensors ``batch``."""
    if name in memo:
        return memo[name]
    memo[name] = False
    node = nodes.get(name)
    result = False
    if node is not None and node.op not in _SHAPE_ONLY:
        result = any(tensor_name(i) in batch or value_dependent(nodes, node_name(i), batch, memo)
                     for i in node.input if not i.startswith("^"))
    memo[name] = result
    return result


def _batch_size_of(nodes: dict, name: str, depends: set[str], batch: set[str]) -> bool:
    """Whether node ``name`` is (a cast of) ``tf.shape(t)[0]`` of a batch-dependent ``t``."""
    node = nodes.get(name)
    while node is not None and node.op == "Cast":
        node = nodes.get(node_name(node.input[0]))
    if node is None or node.op != "StridedSlice" or node.attr["shrink_axis_mask"].i != 1:
        return False
    begin = _const_value(nodes, node.input[1])
    shape = nodes.get(node_name(node.input[0]))
    return (begin is not None and list(np.ravel(begin)) == [0] and shape is not None
            and shape.op == "Shape" and (tensor_name(shape.input[0]) in batch
                                         or node_name(shape.input[0]) in depends))


def loss_kind(nodes, backing, name: str, depends: set[str], top: set[str],
              batch: set[str]) -> str | None:
    """MEAN, SUM or None (unknown) for the loss node ``name`` (see the module docstring);
    adds the recognized batch reductions to ``top``. ``batch``: the fed batch tensors."""
    if name not in depends:
        return "const"
    node = nodes[name]
    data = [i for i in node.input if not i.startswith("^")]
    if node.op in _PASS:
        return loss_kind(nodes, backing, node_name(data[0]), depends, top, batch)
    if node.op in _ADD:
        found = {loss_kind(nodes, backing, node_name(i), depends, top, batch) for i in data}
        varying = found - {"const"}
        if len(varying) != 1 or None in varying:
            return None
        kind = varying.pop()
        return None if kind == SUM and "const" in found else kind
    if node.op in ("Mul", "RealDiv", "Div", "DivNoNan") and len(data) == 2:
        kinds = [loss_kind(nodes, backing, node_name(i), depends, top, batch) for i in data]
        if kinds[1] == "const":
            return kinds[0]
        if node.op == "Mul":
            return kinds[1] if kinds[0] == "const" else None
        # A sum over the batch divided by the batch's size (tf.shape(x)[0]) or by a count over
        # it that does not depend on the examples' values (tf.losses' num_present for constant
        # weights): each shard's denominator is its share, so the quotient is a mean.
        denominator = node_name(data[1])
        if kinds[0] == SUM and (_batch_size_of(nodes, denominator, depends, batch) or (
                kinds[1] == SUM and not value_dependent(nodes, denominator, batch, {}))):
            return MEAN
        return None
    if node.op in ("Mean", "Sum"):
        if backing.get_tensor_by_name(tensor_name(data[0])).shape.rank == 0:  # reduces nothing
            return loss_kind(nodes, backing, node_name(data[0]), depends, top, batch)
        if reduces_batch(nodes, backing, data):
            top.add(name)
            return MEAN if node.op == "Mean" else SUM
        return None
    return None


def check_coupling(nodes, backing, forward: set[str], depends: set[str], top: set[str]) -> None:
    """ReplicaError for a forward op that mixes the examples of a batch (module docstring)."""
    for name in sorted(depends):
        if name in top:
            continue
        node = nodes[name]
        data = [i for i in node.input if not i.startswith("^")]
        reason = None
        if node.op in _BATCH_NORMS and node.attr["is_training"].b:
            reason = "batch normalization in training mode uses the batch's moments"
        elif node.op in _REDUCTIONS and node_name(data[0]) in depends:
            batch = reduces_batch(nodes, backing, data)
            if batch is None:
                reason = "it reduces over axes that are not known statically (maybe the batch's)"
            elif batch:
                reason = "it reduces over the batch (axis 0), e.g. tf.nn.moments over the batch"
        elif node.op == "MatMul" and node.attr["transpose_a"].b and node_name(data[0]) in depends:
            reason = "it contracts the batch dimension (transpose_a)"
        if reason is not None:
            raise ReplicaError(with_help(
                f"The forward pass couples the examples of a batch at {node.op} {name!r}: "
                f"{reason}; split into replicas its result would differ from the single-device "
                "run.", "run this script without replicas (or compute it per example)."))


_STATE_CHANGING = ("Assign", "ResourceApply", "ResourceSparseApply", "ResourceScatter",
                   "QueueDequeue", "QueueEnqueue", "IteratorGetNext", "ReaderRead")
_CALLS = frozenset({"If", "StatelessIf", "While", "StatelessWhile", "Case", "StatelessCase",
                    "PartitionedCall", "StatefulPartitionedCall"})


def check_state(nodes: dict, graph_def, grad_needs: set[str]) -> None:
    """ReplicaError when computing the gradients changes state, which every replica would do
    once (an assignment, a dequeue), or draws random numbers inside a function body (tf.cond,
    tf.while_loop), which cannot be drawn once for the global batch. A TF 1.x loop's random op
    (a node in a while frame) draws once per iteration, so it cannot either; one in a cond
    branch (a Switch ahead of it) is an ordinary draw."""
    frame_memo: dict = {}
    for name in sorted(grad_needs):
        node = nodes[name]
        if node.op in RANDOM and frames.frame_of(nodes, name, frame_memo):
            raise ReplicaError(with_help(
                f"The gradients need the random op {name!r}, drawn in a tf.while_loop body "
                "(dynamic_rnn, map_fn); random numbers drawn once per iteration cannot be "
                "drawn once for the global batch.", "run this script without replicas."))
        if node.op.startswith(_STATE_CHANGING):
            raise ReplicaError(with_help(
                f"Computing the gradients runs {node.op} {name!r}, which changes state; every "
                "replica would run it once per step.", "run it in a separate "
                "Session.run, or run this script without replicas."))
        if node.op in _CALLS:
            random_inside = [n.name for f in graph_def.library.function for n in f.node_def
                             if n.op in RANDOM]
            if random_inside:
                raise ReplicaError(with_help(
                    f"The gradients need {node.op} {name!r}, and a function body in this graph "
                    f"draws random numbers ({random_inside[0]}); random numbers drawn inside "
                    "tf.cond / tf.while_loop cannot be drawn once for the global batch.",
                    "run this script without replicas."))
