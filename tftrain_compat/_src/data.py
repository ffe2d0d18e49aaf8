"""TF1 ``tf.data`` in graph mode: datasets built in the backing graph, iterators per session.

TF1's ``tf.data.Dataset`` built dataset ops in the default graph; ``make_one_shot_iterator`` /
``make_initializable_iterator`` / ``Iterator.from_structure`` made an iterator resource whose
position lived in the Session (each session its own; ``iterator.initializer`` restarts it, with
the placeholders the dataset reads fed to the initializer), and ``get_next()`` raised
``tf.errors.OutOfRangeError`` at the end. The dataset and iterator graph builders are TF's own
(``tf.compat.v1.data``: stateless op builders, applied in the backing graph through
``tensor.call_in_graph``); the iterator resources are the session's (``session_resources``).
Elements are shim tensors in the dataset's structure (tuple / dict); ``map`` / ``filter`` /
``flat_map`` functions receive shim tensors and may use shim ops.
"""
from __future__ import annotations

import types
from typing import Any

import tensorflow as tf

from tftrain_compat._src import errors as _errors
from tftrain_compat._src import graph as _graph
from tftrain_compat._src import tensor as _tensor

_V1DATA = tf.compat.v1.data


def _unwrap_data(obj: Any) -> Any:
    """Shim datasets / iterators inside an argument structure -> TF's objects."""
    if isinstance(obj, (Dataset, Iterator)):
        return obj._ds if isinstance(obj, Dataset) else obj._it
    if isinstance(obj, (list, tuple)) and not hasattr(obj, "_fields"):
        return type(obj)(_unwrap_data(o) for o in obj)
    if isinstance(obj, dict):
        return type(obj)((k, _unwrap_data(v)) for k, v in obj.items())
    if isinstance(obj, (types.FunctionType, types.MethodType)):
        return _UserFunction(obj)
    return obj


def _wrap_data(obj: Any, graph: "_graph.Graph") -> Any:
    if isinstance(obj, tf.data.Dataset):
        return Dataset(obj, graph)
    if isinstance(obj, tf.compat.v1.data.Iterator):
        return Iterator(obj, graph)
    return obj


class _UserFunction:
    """A user's dataset function (map / filter ...): called with shim tensors, traced by TF
    without AutoGraph (the shim's ops are plain graph builders)."""

    def __init__(self, fn: Any) -> None:
        self._fn = tf.autograph.experimental.do_not_convert(_tensor._callback(fn))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._fn(*args, **kwargs)


def _call(fn: Any, args: tuple, kwargs: dict, graph: "_graph.Graph | None" = None) -> Any:
    """Applies a TF dataset builder in the backing graph; results as shim objects."""
    graph = graph or _graph.get_default_graph()
    result = _tensor.call_in_graph(fn, _unwrap_data(args), _unwrap_data(kwargs))
    return _wrap_data(result, graph)


class _DatasetMeta(type):
    """``tf.data.Dataset.range(...)`` and the other static constructors build in the graph."""

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(cls._tf_class, name)
        if callable(value) and not isinstance(value, type):
            return lambda *args, **kwargs: _call(value, args, kwargs)
        return value

    def __instancecheck__(cls, obj: Any) -> bool:
        return type.__instancecheck__(Dataset, obj) and (
            cls is Dataset or isinstance(obj._ds, cls._tf_class))


class Dataset(metaclass=_DatasetMeta):
    """TF1 ``tf.data.Dataset`` (DatasetV1) whose ops live in the TF1 graph.

    Every transformation returns a Dataset; ``make_one_shot_iterator()`` and
    ``make_initializable_iterator()`` give TF1's iterators.
    """

    _tf_class: Any = _V1DATA.Dataset

    def __new__(cls, *args, **kwargs):
        if cls is Dataset:
            return object.__new__(cls)
        # TFRecordDataset(filenames, ...) and the other concrete datasets: TF's class, built in
        # the graph (the result is a Dataset, so __init__ is not called again).
        return _call(cls._tf_class, args, kwargs)

    def __init__(self, ds: Any, graph: "_graph.Graph") -> None:
        self._ds = ds
        self._graph = graph

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        value = getattr(self._ds, name)
        if isinstance(value, types.MethodType):
            return lambda *args, **kwargs: _call(value, args, kwargs, self._graph)
        return value

    def make_one_shot_iterator(self) -> "Iterator":
        """TF1: an iterator that needs no initializer (restarts in every new session)."""
        return make_one_shot_iterator(self)

    def make_initializable_iterator(self, shared_name: str | None = None) -> "Iterator":
        """TF1: an iterator started (and restarted) by running ``iterator.initializer``."""
        return make_initializable_iterator(self, shared_name)

    def __iter__(self):
        raise RuntimeError(_errors.with_help(
            "dataset.__iter__() is only supported when eager execution is enabled.",
            "use dataset.make_one_shot_iterator().get_next() with a Session (TF1 graph mode)."))

    @property
    def output_types(self) -> Any:
        return _V1DATA.get_output_types(self._ds)

    @property
    def output_shapes(self) -> Any:
        return _V1DATA.get_output_shapes(self._ds)

    @property
    def output_classes(self) -> Any:
        return _V1DATA.get_output_classes(self._ds)

    def __repr__(self) -> str:
        return repr(self._ds)


def _dataset_class(name: str) -> type:
    cls = _DatasetMeta(name, (Dataset,), {"_tf_class": getattr(_V1DATA, name),
                                         "__doc__": f"TF1 ``tf.data.{name}`` in the TF1 graph."})
    return cls


TFRecordDataset = _dataset_class("TFRecordDataset")
TextLineDataset = _dataset_class("TextLineDataset")
FixedLengthRecordDataset = _dataset_class("FixedLengthRecordDataset")


class Iterator:
    """TF1 ``tf.data.Iterator``: its position is per session; ``initializer`` (re)starts it."""

    def __init__(self, it: Any, graph: "_graph.Graph") -> None:
        self._it = it
        self._graph = graph

    @staticmethod
    def from_structure(output_types, output_shapes=None, shared_name=None,
                       output_classes=None) -> "Iterator":
        """An uninitialized iterator of that structure; ``make_initializer(ds)`` starts it."""
        return _call(_V1DATA.Iterator.from_structure,
                     (output_types, output_shapes, shared_name, output_classes), {})

    @staticmethod
    def from_string_handle(string_handle, output_types, output_shapes=None,
                           output_classes=None) -> "Iterator":
        """An iterator chosen by a fed ``string_handle()`` value."""
        return _call(_V1DATA.Iterator.from_string_handle,
                     (string_handle, output_types, output_shapes, output_classes), {})

    @property
    def initializer(self) -> Any:
        """The op that (re)starts the iterator in the session that runs it."""
        return self._graph._wrap(self._it.initializer)

    def get_next(self, name: str | None = None) -> Any:
        """The next element (shim tensors in the dataset's structure); at the end of the data
        running it raises ``tf.errors.OutOfRangeError``."""
        return _call(self._it.get_next, (name,), {}, self._graph)

    def make_initializer(self, dataset: Dataset, name: str | None = None) -> Any:
        return _call(self._it.make_initializer, (dataset, name), {}, self._graph)

    def string_handle(self, name: str | None = None) -> Any:
        return _call(self._it.string_handle, (name,), {}, self._graph)

    output_types = property(lambda self: self._it.output_types)
    output_shapes = property(lambda self: self._it.output_shapes)
    output_classes = property(lambda self: self._it.output_classes)


def make_one_shot_iterator(dataset: Dataset) -> Iterator:
    """TF1 ``tf.compat.v1.data.make_one_shot_iterator(dataset)``."""
    return _call(_V1DATA.make_one_shot_iterator, (dataset,), {})


def make_initializable_iterator(dataset: Dataset, shared_name: str | None = None) -> Iterator:
    """TF1 ``tf.compat.v1.data.make_initializable_iterator(dataset)``."""
    return _call(_V1DATA.make_initializable_iterator, (dataset, shared_name), {})


def get_output_types(dataset_or_iterator: Any) -> Any:
    return _V1DATA.get_output_types(_unwrap_data(dataset_or_iterator))


def get_output_shapes(dataset_or_iterator: Any) -> Any:
    return _V1DATA.get_output_shapes(_unwrap_data(dataset_or_iterator))


def get_output_classes(dataset_or_iterator: Any) -> Any:
    return _V1DATA.get_output_classes(_unwrap_data(dataset_or_iterator))
