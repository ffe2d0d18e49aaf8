"""Session.run's fetch structures, as TF1's ``client/session.py`` fetch mappers defined them.

A fetch is a leaf or a container nested at will. Leaves: ``Tensor``, ``Operation``, ``Variable``,
``SparseTensor`` (fetched as a ``SparseTensorValue``), ``IndexedSlices`` (an
``IndexedSlicesValue``) and element names (``'x:0'``, ``'train'``, ``'v:0'``). Containers: list
(results are a list), tuple, namedtuple, any ``Mapping`` (``dict``, ``OrderedDict``,
``defaultdict`` keeps its ``default_factory``) and attrs-decorated classes. Operations give None.

``signature(fetches)`` is a hashable key for the structure and its leaves, so a compiled run is
found again for any fetch shape; ``FetchMapper`` flattens a structure to unique graph elements and
rebuilds the results.
"""
from __future__ import annotations

import collections
import functools
from collections.abc import Mapping
from typing import Any, Callable

import tensorflow as tf

from tftrain_compat._src import tensor as _tensor
from tftrain_compat._src import variables as _variables

_SparseTensorValue = tf.compat.v1.SparseTensorValue  # a namedtuple type, TF1's fetch result
IndexedSlicesValue = collections.namedtuple("IndexedSlicesValue",
                                            ["values", "indices", "dense_shape"])
_IndexedSlicesValue = IndexedSlicesValue

# Target kinds: what a unique element stands for in the compiled run.
TENSOR, OPERATION, VARIABLE = "tensor", "operation", "variable"


def _fetch_error(fetch: Any, inner: str, cls=ValueError) -> Exception:
    return cls(f"Argument `fetch` = {fetch} cannot be interpreted as a Tensor. ({inner})")


def _is_attrs(obj: Any) -> bool:
    return hasattr(type(obj), "__attrs_attrs__")


def signature(fetches: Any) -> Any:
    """A hashable key equal for two fetch arguments exactly when they have the same structure
    (container types, keys, namedtuple/attrs classes, defaultdict factories) and leaves."""
    cls = type(fetches)
    if cls is list or cls is tuple:
        return (cls, tuple(signature(f) for f in fetches))
    if isinstance(fetches, str):
        return ("name", fetches)
    if isinstance(fetches, (list, tuple)):  # namedtuple or other sequence subclass
        return (cls, tuple(signature(f) for f in fetches))
    if isinstance(fetches, Mapping):
        extra = fetches.default_factory if isinstance(fetches, collections.defaultdict) else None
        return (cls, extra, tuple((k, signature(v)) for k, v in fetches.items()))
    if _is_attrs(fetches):
        return (cls, tuple(signature(getattr(fetches, a.name)) for a in cls.__attrs_attrs__))
    return fetches  # a leaf: shim objects hash by identity; bad leaves fail in FetchMapper


def _leaf_elements(graph, fetch: Any) -> tuple[list[tuple[str, str]], Callable[[list], Any]]:
    """One leaf -> [(element name, kind)] and a function building its result from their values."""
    if fetch is None:
        raise TypeError('Argument `fetch` = None has invalid type "NoneType". Cannot be None')
    if isinstance(fetch, _tensor.SparseTensor):
        parts = [fetch.indices, fetch.values, fetch.dense_shape]
        elements = [_single(graph, p) for p in parts]
        return elements, lambda vals: _SparseTensorValue(*vals)
    if isinstance(fetch, _tensor.IndexedSlices):
        parts = [fetch.values, fetch.indices]
        if fetch._s.dense_shape is not None:
            parts.append(fetch.dense_shape)
        elements = [_single(graph, p) for p in parts]
        return elements, lambda vals: _IndexedSlicesValue(*(list(vals) + [None] * (3 - len(vals))))
    element = _single(graph, fetch)
    if element[1] == OPERATION:
        return [element], lambda vals: None
    return [element], lambda vals: vals[0]


def _single(graph, fetch: Any) -> tuple[str, str]:
    """A Tensor, Operation, Variable or name -> (backing element name, kind); TF's texts."""
    if isinstance(fetch, _variables.Variable):
        if fetch._graph is not graph:
            raise _fetch_error(fetch, f"Tensor {fetch} is not an element of this graph.")
        return fetch._v.handle.name, VARIABLE
    if isinstance(fetch, (_tensor.Tensor, _tensor.Operation)):
        if fetch._graph is not graph:
            kind = "Tensor" if isinstance(fetch, _tensor.Tensor) else "Operation"
            raise _fetch_error(fetch, f"{kind} {fetch} is not an element of this graph.")
        if isinstance(fetch, _tensor.Operation):
            return fetch.name, OPERATION
        return fetch.name, _tensor_kind(fetch._t)
    if isinstance(fetch, str):
        try:
            element = graph.backing.as_graph_element(fetch, allow_tensor=True,
                                                     allow_operation=True)
        except (KeyError, ValueError) as err:
            inner = err.args[0] if err.args else str(err)
            raise _fetch_error(fetch, repr(inner) if isinstance(err, KeyError) else inner) from None
        if isinstance(element, tf.Tensor):
            return element.name, _tensor_kind(element)
        return element.name, OPERATION
    raise TypeError(f'Argument `fetch` = {fetch} has invalid type "{type(fetch).__name__}" must '
                    f"be a string or Tensor. (Can not convert a {type(fetch).__name__} into a "
                    "Tensor or Operation.)")


def _tensor_kind(t: tf.Tensor) -> str:
    """A variable's handle (``'v:0'`` in TF1 named the variable's value) fetches the value."""
    return VARIABLE if t.op.type in ("VarHandleOp", "VariableV2") else TENSOR


class FetchMapper:
    """Flattens one fetch structure to unique elements (``targets``: (name, kind) pairs; a
    duplicate runs once) and rebuilds results in the structure (``build(values)``, values in
    target order, None for operations)."""

    def __init__(self, graph, fetches: Any) -> None:
        self.targets: list[tuple[str, str]] = []
        self._index: dict[str, int] = {}
        self._graph = graph
        self.build = self._mapper(fetches)

    def _position(self, element: tuple[str, str]) -> int:
        pos = self._index.get(element[0])
        if pos is None:
            pos = self._index[element[0]] = len(self.targets)
            self.targets.append(element)
        return pos

    def _mapper(self, f: Any) -> Callable[[list], Any]:
        if isinstance(f, (list, tuple)) and not isinstance(f, str):
            parts = [self._mapper(x) for x in f]
            cls = type(f)
            if issubclass(cls, list):
                return lambda vals: [p(vals) for p in parts]
            if cls is tuple:
                return lambda vals: tuple(p(vals) for p in parts)
            return lambda vals: cls(*[p(vals) for p in parts])  # namedtuple
        if isinstance(f, Mapping):
            keys = list(f.keys())
            parts = [self._mapper(f[k]) for k in keys]
            if isinstance(f, collections.defaultdict):
                ctor: Callable = functools.partial(collections.defaultdict, f.default_factory)
            else:
                ctor = type(f)
            return lambda vals: ctor(zip(keys, [p(vals) for p in parts]))
        if _is_attrs(f):
            cls = type(f)
            parts = [self._mapper(getattr(f, a.name)) for a in cls.__attrs_attrs__]
            return lambda vals: cls(*[p(vals) for p in parts])
        elements, contract = _leaf_elements(self._graph, f)
        positions = [self._position(e) for e in elements]
        if len(elements) == 1 and not isinstance(f, (_tensor.SparseTensor,
                                                     _tensor.IndexedSlices)):
            if elements[0][1] == OPERATION:
                return lambda vals: None
            pos = positions[0]
            return lambda vals: vals[pos]
        return lambda vals: contract([vals[p] for p in positions])
