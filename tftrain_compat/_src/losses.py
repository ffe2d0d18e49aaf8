"""TF1 ``tf.losses``: the ``Reduction`` keys and the LOSSES / REGULARIZATION_LOSSES collections.

TF1's losses are not Keras': each reduces with ``Reduction.SUM_BY_NONZERO_WEIGHTS`` by default
(``sum(loss * w) / count(w != 0)``, broadcast over the losses), computes in float32, casts back
to the input dtype and adds the result to ``GraphKeys.LOSSES``. The losses themselves
(``mean_squared_error``, ``softmax_cross_entropy``, ``compute_weighted_loss`` ...) are TF's own
TF1 builders from the table (``namespace.py``), applied in the backing graph, whose collections
are the graph's: their graphs are TF1's node for node.
"""
from __future__ import annotations


import tensorflow as tf

from tftrain_compat._src import graph as _graph
from tftrain_compat._src import tensor as _tensor
from tftrain_compat._src.graph import GraphKeys


class Reduction:
    """TF1 ``tf.losses.Reduction`` keys."""

    NONE = "none"
    SUM = "weighted_sum"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    MEAN = "weighted_mean"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls) -> tuple:
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE,
                cls.SUM_OVER_NONZERO_WEIGHTS, cls.SUM_BY_NONZERO_WEIGHTS)

    @classmethod
    def validate(cls, key: str) -> None:
        if key not in cls.all():
            raise ValueError(f"Invalid Reduction Key {key}. Key should be one of {cls.all()}.")


# ----- collections ------------------------------------------------------------------------------
def add_loss(loss, loss_collection: str | None = GraphKeys.LOSSES) -> None:
    """Adds ``loss`` to ``loss_collection`` (nothing when it is None or "")."""
    if loss_collection:
        _graph.get_default_graph().add_to_collection(loss_collection, loss)


def get_losses(scope: str | None = None, loss_collection: str = GraphKeys.LOSSES) -> list:
    """The ``loss_collection`` entries whose name matches ``scope`` (a regex prefix)."""
    return _graph.get_default_graph().get_collection(loss_collection, scope)


def get_regularization_losses(scope: str | None = None) -> list:
    """``REGULARIZATION_LOSSES``, filtered by ``scope`` (e.g. the get_variable regularizers)."""
    return _graph.get_default_graph().get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope: str | None = None,
                            name: str = "total_regularization_loss"):
    """``tf.add_n(get_regularization_losses(scope), name=name)``; ``tf.constant(0.0)`` if none."""
    losses = get_regularization_losses(scope)
    if losses:
        return _tensor.call_in_graph(lambda ls: tf.add_n(ls, name=name), (losses,), {})
    return _tensor.call_in_graph(lambda: tf.constant(0.0), (), {})


def get_total_loss(add_regularization_losses: bool = True, name: str = "total_loss",
                   scope: str | None = None):
    """``add_n`` of ``get_losses(scope)`` (+ the regularization losses), named ``name``.

    As in TF1, an empty list raises ``ValueError`` (from ``add_n``).
    """
    losses = get_losses(scope=scope)
    if add_regularization_losses:
        losses += get_regularization_losses(scope=scope)
    return _tensor.call_in_graph(lambda ls: tf.add_n(ls, name=name), (losses,), {})
