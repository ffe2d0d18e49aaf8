"""TF1 graph-level seeds: ``set_random_seed`` and ``get_seed``.

Random ops built in the backing graph take their seeds from TF's own derivation (graph seed plus
a per-graph op-seed counter), so a seeded script's random values equal tf.compat.v1's.
"""
from __future__ import annotations

# There is no public TF2 function returning graph-mode op seeds; this is the one place that
# reaches into TF's private module (the rule also advances TF's per-graph counter, which keeps
# later random ops' seeds in step with tf.compat.v1).
from tensorflow.python.framework import random_seed as _tf_random_seed

from tftrain_compat._src import graph as _graph

DEFAULT_GRAPH_SEED = _tf_random_seed.DEFAULT_GRAPH_SEED


def set_random_seed(seed: int | None) -> None:
    """Sets the default graph's seed (TF1: ``tf.set_random_seed``).

    Random ops built afterwards without an op seed get ``(seed, k)`` with ``k`` counting the
    unseeded random ops of the graph, exactly as tf.compat.v1 derives them on TF2.
    """
    _graph.get_default_graph().seed = seed


def get_seed(op_seed: int | None) -> tuple[int | None, int | None]:
    """``(seed1, seed2)`` for an op seed under the default graph's seed (TF 2.21 graph rules).

    No graph seed and no op seed gives ``(None, None)``; an op seed alone gives
    ``(87654321, op_seed)``; a graph seed alone consumes one value of the graph's counter.
    """
    backing = _graph.get_default_graph().backing
    with backing.as_default():
        return _tf_random_seed.get_seed(op_seed)
