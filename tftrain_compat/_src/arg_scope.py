"""TF1 ``tf.contrib.framework.arg_scope`` / ``add_arg_scope``: default keyword arguments for
decorated functions inside a ``with arg_scope([fn, ...], **kwargs):`` block.

Rules (TF1's): a function must be decorated with ``@add_arg_scope`` to be listed; nested scopes
merge their keyword arguments per function (inner wins); a keyword the caller passes wins over
the scope; ``arg_scope(saved_scope_dict)`` re-enters a scope yielded earlier.
"""
from __future__ import annotations

import contextlib
import functools
import inspect
import threading
from typing import Callable, Iterator

_local = threading.local()
_DECORATED_OPS: dict[str, list[str]] = {}


def _stack() -> list:
    if not hasattr(_local, "stack"):
        _local.stack = [{}]
    return _local.stack


def _key_op(op) -> str:
    return getattr(op, "_key_op", str(op))


def _name_op(op) -> tuple[str, str]:
    return (op.__module__, op.__name__)


def current_arg_scope() -> dict:
    """The innermost scope: ``{function key: {kwarg: value}}``."""
    return _stack()[-1]


@contextlib.contextmanager
def arg_scope(list_ops_or_scope, **kwargs) -> Iterator[dict]:
    """Sets default ``kwargs`` for each function in ``list_ops_or_scope`` (a list/tuple of
    ``@add_arg_scope`` functions), or re-enters a saved scope (a dict, with no kwargs)."""
    if isinstance(list_ops_or_scope, dict):
        if kwargs:
            raise ValueError("When attempting to re-use a scope by suppling a dictionary, "
                             "kwargs must be empty.")
        current = list_ops_or_scope.copy()
    else:
        if not isinstance(list_ops_or_scope, (list, tuple)):
            raise TypeError("list_ops_or_scope must either be a list/tuple or reused scope "
                            "(i.e. dict)")
        current = current_arg_scope().copy()
        for op in list_ops_or_scope:
            key = _key_op(op)
            if not has_arg_scope(op):
                raise ValueError("%s is not decorated with @add_arg_scope" % (_name_op(op),))
            merged = current[key].copy() if key in current else {}
            merged.update(kwargs)
            current[key] = merged
    _stack().append(current)
    try:
        yield current
    finally:
        _stack().pop()


def add_arg_scope(func: Callable) -> Callable:
    """Decorates ``func`` so that ``arg_scope`` can supply its keyword arguments."""
    key = _key_op(func)

    @functools.wraps(func)
    def func_with_args(*args, **kwargs):
        scope = current_arg_scope()
        if key in scope:
            merged = scope[key].copy()
            merged.update(kwargs)
            kwargs = merged
        return func(*args, **kwargs)

    try:
        spec = inspect.getfullargspec(func)
        _DECORATED_OPS[key] = list(spec.args) + list(spec.kwonlyargs)
    except TypeError:
        _DECORATED_OPS[key] = []
    setattr(func_with_args, "_key_op", key)
    return func_with_args


def has_arg_scope(func) -> bool:
    """Whether ``func`` was decorated with ``add_arg_scope``."""
    return _key_op(func) in _DECORATED_OPS


def arg_scoped_arguments(func) -> list:
    """The argument names ``arg_scope`` may set for ``func``."""
    if not has_arg_scope(func):
        raise ValueError("%s is not decorated with @add_arg_scope" % (_name_op(func),))
    return _DECORATED_OPS[_key_op(func)]
