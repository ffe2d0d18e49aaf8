"""TF1's ``SessionRunHook`` protocol: the hook base class and the records passed to hooks.

A ``MonitoredSession`` calls ``begin()`` before the graph is finalized,
``after_create_session(session, coord)`` once a session exists, then around every ``run``
``before_run(run_context)`` (which may return ``SessionRunArgs`` to add fetches and feeds) and
``after_run(run_context, run_values)`` (with the hook's own fetched values), and ``end(session)``
when the loop ends without an error.
"""
from __future__ import annotations

import collections
from typing import Any


class SessionRunHook:
    """TF1 ``tf.train.SessionRunHook``: every method is a no-op to override."""

    def begin(self) -> None:
        """Called once before the session is created; the graph can still be changed."""

    def after_create_session(self, session: Any, coord: Any) -> None:
        """Called once the session is created and initialized (the graph is finalized)."""

    def before_run(self, run_context: "SessionRunContext") -> "SessionRunArgs | None":
        """Called before each ``run``; may return ``SessionRunArgs`` to add fetches and feeds."""
        return None

    def after_run(self, run_context: "SessionRunContext", run_values: "SessionRunValues") -> None:
        """Called after each successful ``run`` with the results of this hook's fetches."""

    def end(self, session: Any) -> None:
        """Called at the end of the session when the loop ended without an exception."""


class SessionRunArgs(collections.namedtuple("SessionRunArgs",
                                            ["fetches", "feed_dict", "options"])):
    """TF1 ``SessionRunArgs(fetches, feed_dict=None, options=None)``."""

    def __new__(cls, fetches: Any, feed_dict: dict | None = None, options: Any = None):
        return super().__new__(cls, fetches, feed_dict, options)


class SessionRunValues(collections.namedtuple("SessionRunValues",
                                              ["results", "options", "run_metadata"])):
    """TF1 ``SessionRunValues(results, options, run_metadata)``."""


class SessionRunContext:
    """TF1 ``SessionRunContext``: the caller's ``original_args``, the ``session`` and a stop flag."""

    def __init__(self, original_args: SessionRunArgs, session: Any) -> None:
        self._original_args = original_args
        self._session = session
        self._stop_requested = False

    original_args = property(lambda self: self._original_args)
    session = property(lambda self: self._session)
    stop_requested = property(lambda self: self._stop_requested)

    def request_stop(self) -> None:
        """Makes ``should_stop()`` of the monitored session true after this run."""
        self._stop_requested = True
