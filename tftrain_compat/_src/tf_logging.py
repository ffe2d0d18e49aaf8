"""TF1's ``tf.logging``: the ``tensorflow`` logger of Python's logging module.

TF1 logged through ``logging.getLogger('tensorflow')`` with a stderr handler in
``logging.BASIC_FORMAT`` (``INFO:tensorflow:message``) unless the root logger was configured,
and a default level of WARNING. ``tf.get_logger()`` still returns that logger, configured the
same way, so every function here goes through it: ``set_verbosity(tf.logging.INFO)`` makes
``tf.logging.info`` lines appear exactly as TF1 printed them.
"""
from __future__ import annotations

import logging as _logging
import sys
import threading
from typing import Any

DEBUG = _logging.DEBUG
INFO = _logging.INFO
WARN = _logging.WARN
ERROR = _logging.ERROR
FATAL = _logging.FATAL

_counts: dict[tuple[str, int], int] = {}  # call-site token -> calls so far
_counts_lock = threading.Lock()


def get_logger() -> _logging.Logger:
    """The ``tensorflow`` logger (TF's own ``tf.get_logger()``, which attaches TF1's handler)."""
    import tensorflow as tf
    return tf.get_logger()


def log(level: int, msg: Any, *args: Any, **kwargs: Any) -> None:
    """Logs ``msg % args`` at ``level`` on the ``tensorflow`` logger."""
    get_logger().log(level, msg, *args, **kwargs)


def debug(msg: Any, *args: Any, **kwargs: Any) -> None:
    get_logger().debug(msg, *args, **kwargs)


def info(msg: Any, *args: Any, **kwargs: Any) -> None:
    get_logger().info(msg, *args, **kwargs)


def warning(msg: Any, *args: Any, **kwargs: Any) -> None:
    get_logger().warning(msg, *args, **kwargs)


warn = warning


def error(msg: Any, *args: Any, **kwargs: Any) -> None:
    get_logger().error(msg, *args, **kwargs)


def fatal(msg: Any, *args: Any, **kwargs: Any) -> None:
    """Logs at FATAL (= CRITICAL); like TF1 it does not exit the program."""
    get_logger().fatal(msg, *args, **kwargs)


def vlog(level: int, msg: Any, *args: Any, **kwargs: Any) -> None:
    """TF1's ``vlog`` is ``log``: ``level`` is a logging level, not a verbosity number."""
    get_logger().log(level, msg, *args, **kwargs)


def _call_site_token() -> tuple[str, int]:
    """The token TF1 counted ``log_every_n`` / ``log_first_n`` calls by.

    TF1 took the first frame *outside the file that called* ``log_every_n`` (not the calling
    line itself): (file, line) of whatever called into the user's file, or ``('<unknown>', 0)``
    when nothing did (module-level code). So all such calls in one script usually share one
    counter, e.g. the one of absl's line that called ``main`` under ``tf.app.run``. Kept as is:
    which lines a TF1 script logs is part of its behaviour.
    """
    frame = sys._getframe(2)  # 0: here, 1: log_every_n / log_first_n, 2: its caller
    callers_file = frame.f_code.co_filename
    outer = frame.f_back
    while outer is not None:
        if outer.f_code.co_filename != callers_file:
            return (outer.f_code.co_filename, outer.f_lineno)
        outer = outer.f_back
    return ("<unknown>", 0)


def _next_count(site: tuple[str, int]) -> int:
    """How many times this call site logged before (0 the first time)."""
    with _counts_lock:
        count = _counts.get(site, 0)
        _counts[site] = count + 1
    return count


def log_every_n(level: int, msg: Any, n: int, *args: Any) -> None:
    """Logs on the 1st, (n+1)th, (2n+1)th ... call with the same token (see ``_call_site_token``)."""
    count = _next_count(_call_site_token())
    log_if(level, msg, not count % n, *args)


def log_first_n(level: int, msg: Any, n: int, *args: Any) -> None:
    """Logs only the first ``n`` calls with the same token (see ``_call_site_token``)."""
    count = _next_count(_call_site_token())
    log_if(level, msg, count < n, *args)


def log_if(level: int, msg: Any, condition: Any, *args: Any) -> None:
    """Logs ``msg % args`` at ``level`` if ``condition`` is true."""
    if condition:
        vlog(level, msg, *args)


def TaskLevelStatusMessage(msg: Any) -> None:  # noqa: N802 (TF1's name)
    """TF1 logged this as an error."""
    error(msg)


def flush() -> None:
    """TF1 flushed nothing here (its handlers flush per record)."""


def get_verbosity() -> int:
    """The ``tensorflow`` logger's effective level."""
    return get_logger().getEffectiveLevel()


def set_verbosity(v: int) -> None:
    """Sets the ``tensorflow`` logger's level (``tf.logging.INFO`` shows info lines)."""
    get_logger().setLevel(v)
