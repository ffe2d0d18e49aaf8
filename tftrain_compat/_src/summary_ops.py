"""TF1 summary ops (``tf.summary.scalar``, ``histogram``, ``image``, ``audio``, ``text``,
``tensor_summary``, ``merge``, ``merge_all``).

Each records TF's own summary kernel (``tf.raw_ops.ScalarSummary``, ``HistogramSummary``,
``ImageSummary``, ``AudioSummaryV2``, ``TensorSummaryV2``, ``MergeSummary``) in the backing graph
through the one wrapper (``tensor.call_in_graph``), so ``sess.run`` returns the serialized
``Summary`` protocol buffer (``bytes``) that TF1 returned, with TF1's values, tags and errors.
Nothing here touches TF2's default summary writer: the ops only serialize, a ``FileWriter``
(``summary_writer.py``) writes.
"""
from __future__ import annotations

import functools
import logging
import re
from typing import Any, Callable, Iterable, Sequence

import tensorflow as tf
from tensorflow.core.framework import summary_pb2

from tftrain_compat._src import errors as _errors
from tftrain_compat._src import graph as _graph
from tftrain_compat._src import ops_graph as _ops_graph
from tftrain_compat._src import tensor as _tensor
from tftrain_compat._src.graph import GraphKeys

_log = logging.getLogger("tftrain_compat")

# TF1: node names allow letters, digits, '_', '-', '/', '.'; anything else in a summary name
# became '_' (with an INFO log), and leading slashes were dropped.
_INVALID_TAG_CHARACTERS = re.compile(r"[^-/\w\.]")


def _clean_tag(name: str | None) -> str | None:
    """TF1's summary-name cleaning: illegal characters -> '_', leading '/' removed.

    A name that is not a string raises the ``TypeError`` TF1 raised (from ``re``).
    """
    if name is None:
        return None
    cleaned = _INVALID_TAG_CHARACTERS.sub("_", name).lstrip("/")
    if cleaned != name:
        _log.info("Summary name %s is illegal; using %s instead.", name, cleaned)
    return cleaned


def _collect(value: _tensor.Tensor, collections: Iterable[str] | None,
             default: Sequence[str]) -> None:
    graph = value.graph
    for key in (default if collections is None else collections):
        graph.add_to_collection(key, value)


def _summary_op(name: str | None, family: str | None, inputs: Sequence[Any],
                build: Callable[..., tf.Tensor], collections: Iterable[str] | None,
                default_name: str | None = None) -> _tensor.Tensor:
    """Records ``build(tag, scope, *inputs)`` in TF1's summary scope and collects the result.

    TF1's tag rule: the op lives in the name scope ``[family/]name`` (made unique); the tag is
    that scope, prefixed once more with ``family`` when given (so the family names the tab).
    """
    name = _clean_tag(name)
    family = _clean_tag(family)
    base = name if family is None else f"{family}/{name}"
    if base is None and default_name is None:
        raise ValueError("At least one of name (None) and default_name (None) must be provided.")
    graph = _tensor._find_graph(list(inputs)) or _graph.get_default_graph()
    with graph.as_default(), _ops_graph.name_scope(base, default_name, list(inputs)) as scope:
        tag = scope.rstrip("/") if family is None else f"{family}/{scope.rstrip('/')}"
        value = _tensor.call_in_graph(lambda *xs: build(tag, scope, *xs), tuple(inputs), {})
    _collect(value, collections, [GraphKeys.SUMMARIES])
    return value


def _tf1_signature(fn: Callable) -> Callable:
    """TF1's summary ops take no ``step``: TF1's TypeError, with the remedy line (TF2's
    ``tf.summary.scalar(name, data, step=)`` is TensorFlow 2's own, under a TF2 writer)."""
    @functools.wraps(fn)
    def op(*args: Any, **kwargs: Any) -> Any:
        if "step" in kwargs:
            raise TypeError(_errors.with_help(
                f"{fn.__name__}() got an unexpected keyword argument 'step'.",
                f"this is TF1's tf.summary.{fn.__name__} (its result goes to "
                "tf.summary.FileWriter.add_summary(summary, step)); the step= form is "
                f"TensorFlow 2's own tf.summary.{fn.__name__} (import tensorflow) under "
                "tf.summary.create_file_writer(...).as_default(), on values fetched with "
                "sess.run."))
        return fn(*args, **kwargs)
    return op


@_tf1_signature
def scalar(name: str, tensor: Any, collections: Iterable[str] | None = None,
           family: str | None = None) -> _tensor.Tensor:
    """TF1 ``tf.summary.scalar``: a ``Summary`` with one ``simple_value`` (``ScalarSummary``).

    The value must be a real number with a single element, checked when the op runs (TF1).
    """
    return _summary_op(name, family, [tensor], lambda tag, scope, t: tf.raw_ops.ScalarSummary(
        tags=tag, values=t, name=scope), collections)


@_tf1_signature
def histogram(name: str | None, values: Any, collections: Iterable[str] | None = None,
              family: str | None = None) -> _tensor.Tensor:
    """TF1 ``tf.summary.histogram``: a ``Summary`` with a ``HistogramProto`` of ``values``
    (TF's default exponential buckets, min, max, num, sum, sum of squares).

    A NaN or infinity raises ``InvalidArgumentError`` "Nan in summary histogram for: NAME" when
    the op runs, as in TF1. ``name`` None uses ``HistogramSummary``.
    """
    return _summary_op(name, family, [values], lambda tag, scope, v: tf.raw_ops.HistogramSummary(
        tag=tag, values=v, name=scope), collections, default_name="HistogramSummary")


@_tf1_signature
def image(name: str, tensor: Any, max_outputs: int = 3, collections: Iterable[str] | None = None,
          family: str | None = None) -> _tensor.Tensor:
    """TF1 ``tf.summary.image``: up to ``max_outputs`` PNG images of a 4-D
    ``[batch, height, width, channels]`` tensor (channels 1, 3 or 4), tagged
    ``TAG/image/0``... (``TAG/image`` when ``max_outputs`` is 1). Floats are rescaled to 0-255
    as TF1 did (``ImageSummary``)."""
    return _summary_op(name, family, [tensor], lambda tag, scope, t: tf.raw_ops.ImageSummary(
        tag=tag, tensor=t, max_images=max_outputs, name=scope), collections)


@_tf1_signature
def audio(name: str, tensor: Any, sample_rate: Any, max_outputs: int = 3,
          collections: Iterable[str] | None = None,
          family: str | None = None) -> _tensor.Tensor:
    """TF1 ``tf.summary.audio``: up to ``max_outputs`` WAV clips of a ``[batch, frames]`` or
    ``[batch, frames, channels]`` float tensor in [-1, 1], at ``sample_rate`` Hz, tagged
    ``TAG/audio/0``... (``AudioSummaryV2``)."""
    def build(tag, scope, t, rate):
        rate = tf.convert_to_tensor(rate, dtype=tf.float32, name="sample_rate")
        return tf.raw_ops.AudioSummaryV2(tag=tag, tensor=t, sample_rate=rate,
                                         max_outputs=max_outputs, name=scope)
    return _summary_op(name, family, [tensor, sample_rate], build, collections)


def tensor_summary(name: str, tensor: Any, summary_description: str | None = None,
                   collections: Iterable[str] | None = None,
                   summary_metadata: summary_pb2.SummaryMetadata | None = None,
                   family: str | None = None, display_name: str | None = None) -> _tensor.Tensor:
    """TF1 ``tf.summary.tensor_summary``: a ``Summary`` holding ``tensor`` as a ``TensorProto``
    with ``summary_metadata`` (``summary_description`` and ``display_name`` set into it)."""
    metadata = summary_pb2.SummaryMetadata()
    if summary_metadata is not None:
        metadata.CopyFrom(summary_metadata)
    if summary_description is not None:
        metadata.summary_description = summary_description
    if display_name is not None:
        metadata.display_name = display_name
    serialized = metadata.SerializeToString()
    return _summary_op(name, family, [tensor], lambda tag, scope, t: tf.raw_ops.TensorSummaryV2(
        tag=tag, tensor=t, serialized_summary_metadata=serialized, name=scope), collections)


@_tf1_signature
def text(name: str, tensor: Any, collections: Iterable[str] | None = None) -> _tensor.Tensor:
    """TF1 ``tf.summary.text``: a ``tensor_summary`` of a string tensor marked for TensorBoard's
    text plugin. A non-string tensor raises TF1's ``ValueError``."""
    if tensor.dtype != tf.string:
        raise ValueError(f"Expected tensor {tensor.name} to have dtype string, got {tensor.dtype}")
    metadata = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="text"))
    return tensor_summary(name, tensor, summary_metadata=metadata, collections=collections)


def merge(inputs: Sequence[Any], collections: Iterable[str] | None = None,
          name: str | None = None) -> _tensor.Tensor:
    """TF1 ``tf.summary.merge``: one ``Summary`` with the values of all ``inputs`` (serialized
    ``Summary`` string tensors); a repeated tag raises ``InvalidArgumentError`` when it runs.
    Joins ``collections`` (default: none)."""
    name = _clean_tag(name)
    inputs = list(inputs)
    graph = _tensor._find_graph(inputs) or _graph.get_default_graph()
    with graph.as_default(), _ops_graph.name_scope(name, "Merge", inputs):
        value = _tensor.call_in_graph(
            lambda xs: tf.raw_ops.MergeSummary(inputs=xs, name=name), (inputs,), {})
    _collect(value, collections, [])
    return value


def merge_all(key: str = GraphKeys.SUMMARIES, scope: str | None = None,
              name: str | None = None) -> _tensor.Tensor | None:
    """TF1 ``tf.summary.merge_all``: ``merge`` of the default graph's collection ``key``
    (filtered by ``scope`` with ``re.match``), or None when it is empty."""
    summaries = _graph.get_default_graph().get_collection(key, scope)
    if not summaries:
        return None
    return merge(summaries, name=name)


def get_summary_description(node_def) -> summary_pb2.SummaryDescription:
    """TF1 ``tf.summary.get_summary_description``: the ``SummaryDescription`` JSON stored in a
    (version 1) ``TensorSummary`` node's ``description`` attribute."""
    from google.protobuf import json_format
    if node_def.op != "TensorSummary":
        raise ValueError(f"Can't get_summary_description on {node_def.op}")
    description = summary_pb2.SummaryDescription()
    json_format.Parse(node_def.attr["description"].s.decode("utf-8"), description)
    return description
