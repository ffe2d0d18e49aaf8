"""``tensorflow.python.framework.ops`` for TF1 scripts under ``run``: the shim's graph functions.

TF1 scripts use ``from tensorflow.python.framework import ops`` for ``ops.reset_default_graph()``,
``ops.get_default_graph()``, ``ops.Graph``, ``ops.name_scope``, ``ops.convert_to_tensor``,
``ops.GraphKeys``...: here every name is the ``tftrain_compat`` namespace's (``tf.<name>``), so
they act on the shim's graph; a name the shim does not provide raises its "not provided" error.
"""
from __future__ import annotations

from typing import Any

from tftrain_compat._src.graph import (  # noqa: F401
    Graph as Graph, GraphKeys as GraphKeys, get_default_graph as get_default_graph,
    reset_default_graph as reset_default_graph,
)
from tftrain_compat._src.ops_graph import (  # noqa: F401
    add_to_collection as add_to_collection, add_to_collections as add_to_collections,
    control_dependencies as control_dependencies, device as device,
    get_collection as get_collection, get_collection_ref as get_collection_ref,
    name_scope as name_scope,
)
from tftrain_compat._src.tensor import (  # noqa: F401
    IndexedSlices as IndexedSlices, Operation as Operation, Tensor as Tensor,
)


def __getattr__(name: str) -> Any:
    """Any other ``ops.<name>``: ``tf.<name>`` of the shim (e.g. ``convert_to_tensor``)."""
    if name.startswith("__"):
        raise AttributeError(name)
    import tftrain_compat
    return getattr(tftrain_compat, name)
