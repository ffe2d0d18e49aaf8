"""Per-session stateful resources: dataset iterators, queues, readers, lookup tables.

TF1 kept every stateful resource in the Session's resource manager, so each session had its own
iterator position, queue contents, reader offset and table. Variables get their per-session
storage in ``session.py``; every other resource-creating node of the backing graph (a node with
``container``/``shared_name`` attributes and no data inputs: ``IteratorV2``, ``OneShotIterator``,
``FIFOQueueV2``, ``RandomShuffleQueueV2``, ``TFRecordReaderV2``, ``HashTableV2`` ...) is handled
here: the session creates it once, by running that one node eagerly under a shared name unique to
the session, and every compiled function of the session captures the resulting handle in place
of the node. So the state persists across ``run`` calls and is separate between sessions;
``release`` destroys a closed session's resources.
"""
from __future__ import annotations

import itertools
from typing import Any

import tensorflow as tf
from tensorflow.core.framework import graph_pb2

from tftrain_compat._src import tf_private

# Resource ops that carry ``shared_name`` but are not per-session resources of their own.
_NOT_RESOURCES = frozenset({"VarHandleOp", "Placeholder"})
_KERNEL_PRIVATE = frozenset({"OneShotIterator"})
_ids = itertools.count(1)


def is_resource_node(node: Any) -> bool:
    """True for a node that creates a stateful resource TF1 kept per session."""
    return ("shared_name" in node.attr and "container" in node.attr
            and node.op not in _NOT_RESOURCES
            and not any(not i.startswith("^") for i in node.input))


class SessionResources:
    """One session's resources, keyed by the name of the backing node that creates them."""

    def __init__(self, owner_id: int, on_this_task: bool = False) -> None:
        self._prefix = f"tftrain_compat_{owner_id:x}_r"
        # A cluster session keeps its resources on its own task, whatever device the graph
        # names (creating a queue on a remote task from a function crashes TF 2.21's runtime).
        self._on_this_task = on_this_task
        self._handles: dict[str, tf.Tensor] = {}
        self._creators: list = []  # the functions that created them (kernel-private ones)

    def __contains__(self, name: str) -> bool:
        return name in self._handles

    def handle(self, name: str) -> tf.Tensor:
        return self._handles[name]

    def create(self, node: Any, library: Any, versions: Any) -> None:
        """Creates the resource of ``node`` (a NodeDef) for this session, once."""
        if node.name in self._handles:
            return
        gd = graph_pb2.GraphDef()
        gd.versions.CopyFrom(versions)
        gd.library.CopyFrom(library)
        new = gd.node.add()
        new.CopyFrom(node)
        del new.input[:]  # control inputs only order the node's creation in TF1's graph
        if self._on_this_task:
            new.device = ""
        if "_class" in new.attr:
            del new.attr["_class"]
        new.attr["container"].s = b""
        # OneShotIterator refuses a shared name: its resource is private to the kernel of the
        # creating function, which is kept alive with the handle.
        shared = b"" if node.op in _KERNEL_PRIVATE else f"{self._prefix}{next(_ids)}".encode()
        new.attr["shared_name"].s = shared
        if "use_node_name_sharing" in new.attr:
            new.attr["use_node_name_sharing"].b = False

        def create_fn():
            return tf.graph_util.import_graph_def(gd, return_elements=[new.name + ":0"],
                                                  name="")[0]

        with tf.init_scope():
            function = tf_private.graph_function(create_fn, [])
            handle = function()
        self._handles[node.name] = handle
        self._creators.append(function)

    def release(self) -> None:
        """Destroys every resource of the session (TF1: closing the session freed them)."""
        for handle in self._handles.values():
            if handle.dtype == tf.resource:
                try:
                    tf.raw_ops.DestroyResourceOp(resource=handle, ignore_lookup_error=True)
                except Exception:  # pragma: no cover - a resource already gone
                    pass
        self._handles.clear()
        self._creators.clear()
