"""TF1 ``tf.losses``: the LOSSES / REGULARIZATION_LOSSES collections and the common losses.

TF1's losses are not Keras': each reduces with ``Reduction.SUM_BY_NONZERO_WEIGHTS`` by default
(``sum(loss * w) / count(w != 0)``, broadcast over the losses), computes in float32, casts back
to the input dtype and adds the result to ``GraphKeys.LOSSES``. ``tf.keras.losses`` (which TF2
exposes as ``tf.losses``) reduce differently, so these are written out here.
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


# ----- weighting and reduction (backing-graph helpers) ------------------------------------------
def _static_rank_check(weights: tf.Tensor, values: tf.Tensor) -> None:
    """TF1's build-time part of ``assert_broadcastable``: a static shape mismatch is an error."""
    w_shape, v_shape = weights.shape, values.shape
    if w_shape.rank is None or v_shape.rank is None or w_shape.rank == 0:
        return
    prefix = "weights can not be broadcast to values."
    if w_shape.rank != v_shape.rank:
        raise ValueError(f"{prefix} values.rank={v_shape.rank}. weights.rank={w_shape.rank}. "
                         f"values.shape={v_shape}. weights.shape={w_shape}. Received "
                         f"weights={weights}, values={values}")
    if w_shape.is_fully_defined() and v_shape.is_fully_defined():
        for i, (w, v) in enumerate(zip(w_shape.as_list(), v_shape.as_list())):
            if w not in (1, v):
                raise ValueError(f"{prefix} Mismatch at dim {i}. values.shape={v_shape.as_list()}"
                                 f", weights.shape={w_shape.as_list()}. Received weights="
                                 f"{weights}, values={values}")


def _name_scope(name: str | None, default: str):
    """TF1 ``name_scope(name, default_name)`` in the graph being built."""
    return tf.name_scope(name if name else default)


def _broadcast_weights(weights: tf.Tensor, values: tf.Tensor) -> tf.Tensor:
    with _name_scope(None, "broadcast_weights") as scope:
        if (weights.shape.is_fully_defined() and values.shape.is_fully_defined() and
                weights.shape.is_compatible_with(values.shape)):
            return weights
        _static_rank_check(weights, values)
        return tf.multiply(weights, tf.ones_like(values), name=scope)


def _num_present(losses: tf.Tensor, weights: tf.Tensor) -> tf.Tensor:
    """How many losses have a non-zero weight (weights broadcast to the losses' shape)."""
    with _name_scope(None, "num_present") as scope:
        weights = tf.cast(weights, tf.float32)
        present = tf.where(tf.equal(weights, 0.0), tf.zeros_like(weights), tf.ones_like(weights))
        present = _broadcast_weights(present, losses)
        return tf.reduce_sum(present, name=scope)


def _num_elements(losses: tf.Tensor) -> tf.Tensor:
    with _name_scope(None, "num_elements") as scope:
        return tf.cast(tf.size(losses, name=scope), dtype=losses.dtype)


def _safe_mean(loss: tf.Tensor, count: tf.Tensor) -> tf.Tensor:
    return tf.math.divide_no_nan(tf.reduce_sum(loss), count, name="value")


def _weighted_loss(losses, weights, scope: str | None, loss_collection: str | None,
                   reduction: str) -> tf.Tensor:
    """TF1 ``compute_weighted_loss`` on backing tensors (in the backing graph).

    ``loss = sum(f32(losses) * f32(weights))``, then divided (``div_no_nan``) by the number of
    non-zero weights (SUM_BY_NONZERO_WEIGHTS), the weight sum (MEAN) or the number of losses
    (SUM_OVER_BATCH_SIZE); cast back to the losses' dtype and added to ``loss_collection``.
    """
    Reduction.validate(reduction)
    with _name_scope(scope, "weighted_loss"):
        losses = tf.convert_to_tensor(losses)
        _static_rank_check(tf.convert_to_tensor(weights), losses)
        input_dtype = losses.dtype
        losses = tf.cast(losses, tf.float32)
        weights = tf.cast(weights, tf.float32)
        weighted = tf.multiply(losses, weights)
        if reduction == Reduction.NONE:
            loss = weighted
        else:
            loss = tf.reduce_sum(weighted)
            if reduction == Reduction.MEAN:
                loss = _safe_mean(loss, tf.reduce_sum(tf.ones_like(losses) * weights))
            elif reduction == Reduction.SUM_BY_NONZERO_WEIGHTS:
                loss = _safe_mean(loss, _num_present(losses, weights))
            elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
                loss = _safe_mean(loss, _num_elements(losses))
        loss = tf.cast(loss, input_dtype)
        if loss_collection:
            loss.graph.add_to_collection(loss_collection, loss)
        return loss


def _check_not_none(**args) -> None:
    for name, value in args.items():
        if value is None:
            raise ValueError(f"Argument `{name}` must not be None.")


def compute_weighted_loss(losses, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS):
    """TF1 ``tf.losses.compute_weighted_loss``: weight, reduce (see ``Reduction``), collect."""
    return _tensor.call_in_graph(
        lambda ls, w: _weighted_loss(ls, w, scope, loss_collection, reduction),
        (losses, weights), {})


def _compatible(a: tf.Tensor, b: tf.Tensor) -> None:
    a.shape.assert_is_compatible_with(b.shape)


def mean_squared_error(labels, predictions, weights=1.0, scope=None,
                       loss_collection=GraphKeys.LOSSES,
                       reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS):
    """TF1 ``tf.losses.mean_squared_error``: weighted ``(f32(pred) - f32(labels))**2`` reduced by
    ``reduction`` (default: mean over non-zero weights). Not Keras' MSE."""
    _check_not_none(labels=labels, predictions=predictions)

    def build(labels, predictions, weights):
        with _name_scope(scope, "mean_squared_error") as sc:
            predictions = tf.cast(predictions, tf.float32)
            labels = tf.cast(labels, tf.float32)
            _compatible(predictions, labels)
            losses = tf.math.squared_difference(predictions, labels)
            return _weighted_loss(losses, weights, sc, loss_collection, reduction)
    return _tensor.call_in_graph(build, (labels, predictions, weights), {})


def absolute_difference(labels, predictions, weights=1.0, scope=None,
                        loss_collection=GraphKeys.LOSSES,
                        reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS):
    """TF1 ``tf.losses.absolute_difference``: weighted ``|f32(pred) - f32(labels)|``, reduced."""
    _check_not_none(labels=labels, predictions=predictions)

    def build(labels, predictions, weights):
        with _name_scope(scope, "absolute_difference") as sc:
            predictions = tf.cast(predictions, tf.float32)
            labels = tf.cast(labels, tf.float32)
            _compatible(predictions, labels)
            losses = tf.abs(tf.subtract(predictions, labels))
            return _weighted_loss(losses, weights, sc, loss_collection, reduction)
    return _tensor.call_in_graph(build, (labels, predictions, weights), {})


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES,
                          reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS):
    """TF1 ``tf.losses.softmax_cross_entropy``: per-example softmax cross-entropy of
    ``logits`` against ``onehot_labels`` (smoothed: ``labels*(1-s) + s/num_classes``; no
    gradient into the labels), weighted and reduced."""
    _check_not_none(onehot_labels=onehot_labels, logits=logits)

    def build(onehot_labels, logits, weights):
        with _name_scope(scope, "softmax_cross_entropy_loss") as sc:
            logits = tf.convert_to_tensor(logits)
            onehot_labels = tf.cast(onehot_labels, logits.dtype)
            _compatible(logits, onehot_labels)
            if label_smoothing > 0:
                num_classes = tf.cast(tf.shape(onehot_labels)[-1], logits.dtype)
                onehot_labels = (onehot_labels * (1.0 - label_smoothing) +
                                 label_smoothing / num_classes)
            onehot_labels = tf.stop_gradient(onehot_labels, name="labels_stop_gradient")
            losses = tf.nn.softmax_cross_entropy_with_logits(labels=onehot_labels,
                                                             logits=logits, name="xentropy")
            return _weighted_loss(losses, weights, sc, loss_collection, reduction)
    return _tensor.call_in_graph(build, (onehot_labels, logits, weights), {})


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0,
                          scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS):
    """TF1 ``tf.losses.sigmoid_cross_entropy``: elementwise sigmoid cross-entropy (smoothed:
    ``labels*(1-s) + s/2``), weighted and reduced."""
    _check_not_none(multi_class_labels=multi_class_labels, logits=logits)

    def build(labels, logits, weights):
        with _name_scope(scope, "sigmoid_cross_entropy_loss") as sc:
            logits = tf.convert_to_tensor(logits)
            labels = tf.cast(labels, logits.dtype)
            _compatible(logits, labels)
            if label_smoothing > 0:
                labels = labels * (1 - label_smoothing) + 0.5 * label_smoothing
            losses = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits,
                                                             name="xentropy")
            return _weighted_loss(losses, weights, sc, loss_collection, reduction)
    return _tensor.call_in_graph(build, (multi_class_labels, logits, weights), {})


def _squeeze_labels(labels: tf.Tensor, logits: tf.Tensor, weights):
    """TF1 ``_remove_squeezable_dimensions(expected_rank_diff=1)`` for known ranks: labels of
    shape ``[batch, 1]`` (and weights one rank above the labels) lose their last dimension."""
    with tf.name_scope("remove_squeezable_dimensions"):
        labels = tf.convert_to_tensor(labels)
        l_rank, p_rank = labels.shape.rank, logits.shape.rank
        if l_rank is None or p_rank is None:
            raise ValueError("sparse_softmax_cross_entropy needs labels and logits of known "
                             f"rank in tftrain_compat, got {labels.shape} and {logits.shape}")
        rank_diff = p_rank - l_rank
        if rank_diff == 2 and logits.shape.dims[-1].is_compatible_with(1):
            logits = tf.squeeze(logits, [-1])
        elif rank_diff == 0 and labels.shape.dims[-1].is_compatible_with(1):
            labels = tf.squeeze(labels, [-1])
    weights = tf.convert_to_tensor(weights)
    if weights.shape.rank is not None and weights.shape.rank - labels.shape.rank == 1:
        weights = tf.squeeze(weights, [-1])
    return labels, logits, weights


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None,
                                 loss_collection=GraphKeys.LOSSES,
                                 reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS):
    """TF1 ``tf.losses.sparse_softmax_cross_entropy``: ``labels`` are class indices (shape
    ``[batch]`` or ``[batch, 1]``); per-example cross-entropy, weighted and reduced."""
    _check_not_none(labels=labels, logits=logits)

    def build(labels, logits, weights):
        with _name_scope(scope, "sparse_softmax_cross_entropy_loss") as sc:
            logits = tf.convert_to_tensor(logits)
            labels, logits, weights = _squeeze_labels(labels, logits, weights)
            losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels,
                                                                    logits=logits,
                                                                    name="xentropy")
            return _weighted_loss(losses, weights, sc, loss_collection, reduction)
    return _tensor.call_in_graph(build, (labels, logits, weights), {})
