"""TF1 ``tf.contrib.framework``'s checkpoint helpers, on ``tf.train.Saver``:
``get_variables_to_restore`` and ``assign_from_checkpoint_fn``."""
from __future__ import annotations

import logging
from typing import Any, Callable, Sequence

from tftrain_compat._src import graph as _graph
from tftrain_compat._src.graph import GraphKeys

_log = logging.getLogger("tftrain_compat")


def get_variables_to_restore(include: Sequence[str] | None = None,
                             exclude: Sequence[str] | None = None) -> list:
    """The global variables under the ``include`` scopes (all when None) that are under none of
    the ``exclude`` scopes; scopes match as in ``get_collection`` (a regex from the start)."""
    graph = _graph.get_default_graph()
    if include is None:
        chosen = graph.get_collection(GraphKeys.GLOBAL_VARIABLES)
    else:
        if not isinstance(include, (list, tuple)):
            raise TypeError("include is provided but is not a list or a tuple.")
        chosen = [v for scope in include
                  for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES, scope)]
    excluded: set[Any] = set()
    if exclude is not None:
        if not isinstance(exclude, (list, tuple)):
            raise TypeError("exclude is provided but is not a list or a tuple.")
        for scope in exclude:
            excluded.update(id(v) for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES,
                                                                scope))
    return [v for v in chosen if id(v) not in excluded]


def assign_from_checkpoint_fn(model_path: str, var_list, ignore_missing_vars: bool = False,
                              reshape_variables: bool = False) -> Callable | None:
    """A function ``fn(session)`` restoring ``var_list`` (list, or {checkpoint name: variable})
    from ``model_path``; with ``ignore_missing_vars`` the variables the checkpoint lacks are
    skipped with a warning (None when none is left). ValueError for an empty ``var_list``."""
    from tftrain_compat._src.training.checkpoint_utils import NewCheckpointReader
    from tftrain_compat._src.training.saver import Saver
    if not var_list:
        raise ValueError("var_list cannot be empty")
    if ignore_missing_vars:
        reader = NewCheckpointReader(model_path)
        by_name = var_list if isinstance(var_list, dict) else {v.op.name: v for v in var_list}
        var_list = {}
        for name, var in by_name.items():
            if reader.has_tensor(name):
                var_list[name] = var
            else:
                _log.warning("Variable %s missing in checkpoint %s", name, model_path)
    if not var_list:
        _log.warning("No Variables to restore")
        return None
    saver = Saver(var_list, reshape=reshape_variables)

    def callback(session) -> None:
        saver.restore(session, model_path)
    return callback
