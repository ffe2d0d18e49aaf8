"""Session.run's fetch structures: flatten nested fetches to graph elements, rebuild results.

TF1 accepted lists, tuples, namedtuples, dicts (any Mapping) nested at will, with leaves that are
Tensors, Operations, Variables or names ('x:0', 'init'); Operations give None.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable

import tensorflow as tf

from tftrain_compat._src import tensor as _tensor
from tftrain_compat._src import variables as _variables


def _fetch_error(fetch: Any, inner: str, cls=ValueError) -> Exception:
    return cls(f"Argument `fetch` = {fetch} cannot be interpreted as a Tensor. ({inner})")


def resolve(graph, fetch: Any) -> tuple[str, bool]:
    """One leaf -> (backing element name, is_tensor). TF 2.21's texts for bad leaves."""
    if fetch is None:
        raise TypeError('Argument `fetch` = None has invalid type "NoneType". Cannot be None')
    if isinstance(fetch, _variables.Variable):
        if fetch._graph is not graph:
            raise _fetch_error(fetch, f"Tensor {fetch} is not an element of this graph.")
        return fetch._fetch_tensor().name, True
    if isinstance(fetch, (_tensor.Tensor, _tensor.Operation)):
        if fetch._graph is not graph:
            raise _fetch_error(fetch, f"{'Tensor' if isinstance(fetch, _tensor.Tensor) else 'Operation'} "
                                      f"{fetch} is not an element of this graph.")
        return fetch.name, isinstance(fetch, _tensor.Tensor)
    if isinstance(fetch, str):
        try:
            element = graph.backing.as_graph_element(fetch, allow_tensor=True, allow_operation=True)
        except (KeyError, ValueError) as err:
            inner = err.args[0] if err.args else str(err)
            raise _fetch_error(fetch, repr(inner) if isinstance(err, KeyError) else inner) from None
        return element.name, isinstance(element, tf.Tensor)
    raise TypeError(f'Argument `fetch` = {fetch} has invalid type "{type(fetch).__name__}" must '
                    f"be a string or Tensor. (Can not convert a {type(fetch).__name__} into a "
                    "Tensor or Operation.)")


class FetchHandler:
    """Flattens one fetch structure; ``targets`` are unique element names (duplicates run once)."""

    def __init__(self, graph, fetches: Any) -> None:
        self.targets: list[str] = []
        index: dict[str, int] = {}

        def flatten(f: Any) -> Callable[[list], Any]:
            if isinstance(f, (list, tuple)) and not isinstance(f, str):
                parts = [flatten(x) for x in f]
                if hasattr(f, "_fields"):
                    cls = type(f)
                    return lambda vals: cls(*[p(vals) for p in parts])
                cls = type(f)
                return lambda vals: cls(p(vals) for p in parts)
            if isinstance(f, Mapping):
                keys = list(f.keys())
                parts = [flatten(f[k]) for k in keys]
                mapping_cls: Callable[..., Any] = type(f) if type(f) is not dict else dict
                return lambda vals: mapping_cls(zip(keys, [p(vals) for p in parts]))
            name, is_tensor = resolve(graph, f)
            if name not in index:
                index[name] = len(self.targets)
                self.targets.append(name)
            if not is_tensor:
                return lambda vals: None
            pos = index[name]
            return lambda vals: vals[pos]

        self.build = flatten(fetches)
