"""Random kernels that hold a generator of their own: one kernel per Session, as TF1 had.

TF1's ``Multinomial``, ``RandomGamma``, ``RandomPoisson(V2)``, ``ParameterizedTruncatedNormal``,
the candidate samplers (``UniformCandidateSampler``, ``LogUniformCandidateSampler``, ...,
behind ``nce_loss`` and ``sampled_softmax_loss``), ``RandomCrop`` and a ``RandomShuffle`` in a
TF 1.x loop body each built ``PhiloxRandom(seed, seed2)`` once per Session kernel and reserved
samples from it on every run, so their stream continued across every ``Session.run`` that
evaluated them, whatever else was fetched. A compiled function per fetch set would give each
its own kernel and its own stream, and TF has no counterpart of these kernels over an explicit
state (``random_bodies`` handles the ones that have one): their stateless forms take a seed, not
a key and counter, so they cannot continue a stream at an arbitrary position.

So the session runs each such op in ONE function of its own (``KernelStream``, traced once over
the op's input dtypes) whose kernel lives as long as the session, and every compiled function
calls it through ``tf.py_function`` in the op's place (``rewrite_to_call``): the same kernel, the
same reservations under its own lock, for every run and every thread of the session; a new
session makes new kernels. A branch not taken gives the call a dead input, so it does not run,
as TF1's kernel did not.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import tensorflow as tf
from tensorflow.core.framework import graph_pb2, node_def_pb2

_CALL = "EagerPyFunc"
_TOKEN_PREFIX = "tftrain_compat_kernel/"
# Types a py_function cannot carry in or out.
_OPAQUE = frozenset({tf.resource, tf.variant})


@dataclass(frozen=True)
class HeldKernel:
    """One random op of the backing graph that keeps its stream in its kernel."""

    name: str
    node_def: Any                    # the op as the backing graph holds it
    in_dtypes: tuple[tf.DType, ...]  # its data inputs' dtypes
    out_dtypes: tuple[tf.DType, ...]


def held_kernel(node: Any, op: tf.Operation) -> HeldKernel | None:
    """``node`` (a NodeDef; ``op`` the backing graph's operation) as a held kernel, or None.

    A held kernel is a stateful op with ``seed`` / ``seed2`` attributes (TF1's kernels drawing
    from ``GuardedPhiloxRandom``) that ``random_bodies`` does not put on an explicit state, with
    inputs and outputs a py_function can carry (queues and datasets are session resources)."""
    if "seed2" not in node.attr or "seed" not in node.attr or node.op == _CALL:
        return None
    if not op.op_def.is_stateful:
        return None
    dtypes = [t.dtype for t in list(op.inputs) + list(op.outputs)]
    if not op.outputs or any(d in _OPAQUE or d != d.base_dtype for d in dtypes):
        return None
    copy = node_def_pb2.NodeDef()
    copy.CopyFrom(node)
    return HeldKernel(node.name, copy, tuple(t.dtype for t in op.inputs),
                      tuple(t.dtype for t in op.outputs))


def rewrite_to_call(node: Any, held: HeldKernel) -> None:
    """``node`` (the plan's copy of the op) becomes a call of its session's kernel, in place:
    the same inputs, control inputs and outputs. The token is filled per session
    (``with_tokens``)."""
    inputs = list(node.input)
    device = node.device
    node.Clear()
    node.name, node.op, node.device = held.name, _CALL, device
    node.input.extend(inputs)
    node.attr["token"].s = (_TOKEN_PREFIX + held.name).encode()
    node.attr["is_async"].b = False
    node.attr["Tin"].list.type.extend(d.as_datatype_enum for d in held.in_dtypes)
    node.attr["Tout"].list.type.extend(d.as_datatype_enum for d in held.out_dtypes)


def with_tokens(graph_def: graph_pb2.GraphDef, streams: dict[str, "KernelStream"],
                names: Sequence[str]) -> graph_pb2.GraphDef:
    """A copy of a plan's ``graph_def`` whose calls of held kernels ``names`` call this session's
    ``streams``."""
    if not names:
        return graph_def
    wanted = set(names)
    copy = graph_pb2.GraphDef()
    copy.CopyFrom(graph_def)
    for node in copy.node:
        if node.op == _CALL and node.name in wanted:
            node.attr["token"].s = streams[node.name].token
    return copy


class KernelStream:
    """One session's kernel of a held random op: a function traced once that runs the op on its
    inputs (its seeds from the NodeDef), and the py_function token that calls it."""

    def __init__(self, held: HeldKernel, versions: Any) -> None:
        gd = graph_pb2.GraphDef()
        gd.versions.CopyFrom(versions)
        for i, dtype in enumerate(held.in_dtypes):
            ph = gd.node.add(name=f"input_{i}", op="Placeholder")
            ph.attr["dtype"].type = dtype.as_datatype_enum
        node = gd.node.add()
        node.CopyFrom(held.node_def)
        node.ClearField("device")
        if "_class" in node.attr:
            del node.attr["_class"]
        del node.input[:]
        node.input.extend(f"input_{i}" for i in range(len(held.in_dtypes)))  # data inputs only
        outputs = [f"{held.name}:{k}" for k in range(len(held.out_dtypes))]
        self._out_dtypes = held.out_dtypes

        def draw(*args: tf.Tensor) -> list[tf.Tensor]:
            return tf.graph_util.import_graph_def(
                gd, input_map={f"input_{i}:0": a for i, a in enumerate(args)},
                return_elements=outputs, name="")

        self._draw = tf.function(
            draw, input_signature=[tf.TensorSpec(None, d) for d in held.in_dtypes],
            autograph=False).get_concrete_function()
        # The token's registration lives as long as the graph that made it (kept here).
        self._scratch = tf.Graph()
        with self._scratch.as_default():
            made = tf.py_function(self._call, [tf.raw_ops.Placeholder(dtype=d)
                                               for d in held.in_dtypes], list(held.out_dtypes))
        self.token: bytes = made[0].op.get_attr("token")

    def _call(self, *args: tf.Tensor) -> list[tf.Tensor]:
        # An eager call op keeps one kernel of the function (hence of the random op) for its
        # attributes, and the single-threaded executor runs it in this thread: a nested function
        # run would wait for an inter-op thread, and every one of them may be in such a call.
        return tf.raw_ops.StatefulPartitionedCall(
            args=list(args), Tout=list(self._out_dtypes), f=self._draw,
            executor_type="SINGLE_THREADED_EXECUTOR")


def is_call(op: str) -> bool:
    """Whether a plan node of type ``op`` calls a held kernel (it draws random numbers)."""
    return op == _CALL
