"""TF1 control-flow frames of a GraphDef's nodes (``tf.while_loop`` built as Enter/Exit nodes).

TF 1.x built a while loop in the graph itself: ``Enter`` nodes carry values into the loop's frame
(its ``frame_name``), ``Exit`` nodes carry them out, and every node inside runs once per iteration.
An input must come from the node's own frame (a value from outside goes through an ``Enter``
with ``is_constant=True``), so a node the lowering adds to a loop body needs that chain.
"""
from __future__ import annotations

from typing import Any, Mapping

# (frame_name, parallel_iterations) from the outermost loop to the innermost.
Frame = tuple[tuple[str, int], ...]
ROOT: Frame = ()
_ENTER = frozenset({"Enter", "RefEnter"})
_EXIT = frozenset({"Exit", "RefExit"})


def frame_of(nodes: Mapping[str, Any], name: str, memo: dict[str, Frame] | None = None) -> Frame:
    """The frame node ``name`` runs in. Every input of a node is in its frame except an Enter's
    (the parent frame) and an Exit's (the child frame), and a loop's Merge has its Enter first,
    so following first inputs finds the frame without meeting the loop's back edge."""
    memo = {} if memo is None else memo
    chain: list[str] = []
    current = name
    while current not in memo:
        node = nodes.get(current)
        if node is None or not node.input:
            memo[current] = ROOT
            break
        chain.append(current)
        current = node.input[0].lstrip("^").split(":")[0]
    frame = memo[current]
    for link in reversed(chain):
        node = nodes[link]
        if node.op in _ENTER:
            frame = frame + ((node.attr["frame_name"].s.decode(), node.attr["parallel_iterations"].i),)
        elif node.op in _EXIT:
            frame = frame[:-1]
        memo[link] = frame
    return frame


def enter_chain(graph_def: Any, value: str, dtype: int, frame: Frame, prefix: str) -> str:
    """Adds to ``graph_def`` the constant Enter nodes that bring tensor ``value`` (of ``dtype``,
    from the root frame) into ``frame``; returns the innermost one's output."""
    for depth, (frame_name, parallel) in enumerate(frame):
        enter = graph_def.node.add(name=f"{prefix}/enter_{depth}", op="Enter")
        enter.input.append(value)
        enter.attr["T"].type = dtype
        enter.attr["frame_name"].s = frame_name.encode()
        enter.attr["is_constant"].b = True
        enter.attr["parallel_iterations"].i = parallel
        value = enter.name
    return value
