"""TF1's ``MonitoredSession`` family: ``Scaffold``, session creators and the hooked run loop.

``with tf.train.MonitoredTrainingSession(...) as sess: while not sess.should_stop():
sess.run(train_op)`` works as in TF1: hooks' ``begin`` runs, the scaffold fills in its default
ops and finalizes the graph, the session is created and either restored from the newest
checkpoint of ``checkpoint_dir`` or initialized, and every ``run`` goes through the hooks. An
``OutOfRangeError`` (an exhausted input) ends the ``with`` block quietly, as in TF1; the hooks'
``end`` runs when the block ends without an error.
"""
from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np
import tensorflow as tf

from tftrain_compat._src import graph as _graph
from tftrain_compat._src import session as _session
from tftrain_compat._src import summary_ops as _summary_ops
from tftrain_compat._src import tensor as _tensor
from tftrain_compat._src import tf_logging as _logging
from tftrain_compat._src import variables as _variables
from tftrain_compat._src.graph import GraphKeys
from tftrain_compat._src.training import basic_session_run_hooks as _hooks
from tftrain_compat._src.training import checkpoint_management as _ckpt
from tftrain_compat._src.training.saver import Saver
from tftrain_compat._src.training.session_run_hook import (
    SessionRunArgs, SessionRunContext, SessionRunHook, SessionRunValues,
)

USE_DEFAULT = object()


def _from_collection(key: str) -> Any:
    found = _graph.get_default_graph().get_collection(key)
    if len(found) > 1:
        raise RuntimeError(f"More than one item in the collection \"{key}\". Please indicate "
                           "which one to use by passing it to the constructor.")
    return found[0] if found else None


class Scaffold:
    """TF1 ``tf.train.Scaffold``: the ops a monitored session needs to create a session.

    ``finalize()`` fills every op not given from its collection or TF1's default (init_op:
    ``global_variables_initializer()``; ready_op: ``report_uninitialized_variables()``;
    local_init_op: the local variables' initializer; summary_op: ``merge_all()``; saver: the
    ``SAVERS`` collection's, else a new ``Saver(sharded=True, allow_empty=True)``), then
    finalizes the default graph.
    """

    _init_feed_dict: "dict | None"
    _user_init_fn: "object | None"

    def __init__(self, init_op=None, init_feed_dict=None, init_fn=None, ready_op=None,
                 ready_for_local_init_op=None, local_init_op=None, summary_op=None, saver=None,
                 copy_from_scaffold: "Scaffold | None" = None) -> None:
        if copy_from_scaffold is not None:
            if not isinstance(copy_from_scaffold, Scaffold):
                raise TypeError("copy_from_scaffold is not a Scaffold instance.")
            c = copy_from_scaffold
            init_op = init_op or c.init_op
            init_feed_dict = init_feed_dict or c._init_feed_dict
            init_fn = init_fn or c._user_init_fn
            ready_op = ready_op or c.ready_op
            ready_for_local_init_op = ready_for_local_init_op or c.ready_for_local_init_op
            local_init_op = local_init_op or c.local_init_op
            summary_op = summary_op or c.summary_op
            saver = saver or c.saver
        self._user_init_fn = init_fn
        self._init_fn = (lambda sess: init_fn(self, sess)) if init_fn else None
        self._init_op = init_op
        self._init_feed_dict = init_feed_dict
        self._ready_op = ready_op
        self._ready_for_local_init_op = ready_for_local_init_op
        self._local_init_op = local_init_op
        self._summary_op = summary_op
        self._saver = saver

    init_op = property(lambda self: self._init_op)
    init_feed_dict = property(lambda self: self._init_feed_dict)
    init_fn = property(lambda self: self._init_fn)
    ready_op = property(lambda self: self._ready_op)
    ready_for_local_init_op = property(lambda self: self._ready_for_local_init_op)
    local_init_op = property(lambda self: self._local_init_op)
    summary_op = property(lambda self: self._summary_op)
    saver = property(lambda self: self._saver)

    def finalize(self) -> "Scaffold":
        """Creates the missing ops, then finalizes the default graph (no op can be added)."""
        graph = _graph.get_default_graph()
        if graph.finalized:
            return self
        if self._init_op is None:
            self._init_op = _from_collection(GraphKeys.INIT_OP)
            if self._init_op is None:
                self._init_op = _variables.global_variables_initializer()
                graph.add_to_collection(GraphKeys.INIT_OP, self._init_op)
        if self._ready_op is None:
            self._ready_op = _from_collection(GraphKeys.READY_OP)
            if self._ready_op is None:
                self._ready_op = _variables.report_uninitialized_variables()
                graph.add_to_collection(GraphKeys.READY_OP, self._ready_op)
        if self._ready_for_local_init_op is None:
            self._ready_for_local_init_op = _from_collection(GraphKeys.READY_FOR_LOCAL_INIT_OP)
            if self._ready_for_local_init_op is None:
                self._ready_for_local_init_op = _variables.report_uninitialized_variables(
                    _variables.global_variables())
                graph.add_to_collection(GraphKeys.READY_FOR_LOCAL_INIT_OP,
                                        self._ready_for_local_init_op)
        if self._local_init_op is None:
            self._local_init_op = _from_collection(GraphKeys.LOCAL_INIT_OP)
            if self._local_init_op is None:
                self._local_init_op = _tensor.call_in_graph(
                    lambda op: tf.group(op), (_variables.local_variables_initializer(),), {})
                graph.add_to_collection(GraphKeys.LOCAL_INIT_OP, self._local_init_op)
        if self._summary_op is None:
            self._summary_op = _from_collection(GraphKeys.SUMMARY_OP)
            if self._summary_op is None:
                self._summary_op = _summary_ops.merge_all()
                if self._summary_op is not None:
                    graph.add_to_collection(GraphKeys.SUMMARY_OP, self._summary_op)
        if self._saver is None:
            self._saver = _from_collection(GraphKeys.SAVERS)
            if self._saver is None:
                self._saver = Saver(sharded=True, allow_empty=True)
                graph.add_to_collection(GraphKeys.SAVERS, self._saver)
        graph.finalize()
        _logging.info("Graph was finalized.")
        return self

    @staticmethod
    def default_local_init_op():
        return _tensor.call_in_graph(
            lambda op: tf.group(op), (_variables.local_variables_initializer(),), {})


def _not_ready(sess, op) -> str | None:
    """None when ``op`` (a report_uninitialized_variables tensor) is empty, else the message."""
    if op is None:
        return None
    names = sess.run(op)
    if np.size(names) == 0:
        return None
    listed = ", ".join(n.decode() if isinstance(n, bytes) else str(n) for n in np.ravel(names))
    return f"Variables not initialized: {listed}"


class SessionCreator:
    """TF1's interface: ``create_session()`` returns a ready session."""

    def create_session(self):
        raise NotImplementedError("create_session is not implemented for this SessionCreator.")


class ChiefSessionCreator(SessionCreator):
    """Creates a session and restores it from the newest checkpoint, or initializes it.

    With ``checkpoint_dir`` (or ``checkpoint_filename_with_path``) holding a checkpoint, the
    scaffold's saver restores it; otherwise ``init_op`` (with ``init_feed_dict``) and
    ``init_fn`` run. Then ``local_init_op`` runs and ``ready_op`` must report nothing.
    """

    def __init__(self, scaffold: Scaffold | None = None, master: str = "", config=None,
                 checkpoint_dir: str | None = None,
                 checkpoint_filename_with_path: str | None = None) -> None:
        self._checkpoint_dir = checkpoint_dir
        self._checkpoint_filename_with_path = checkpoint_filename_with_path
        self._scaffold = scaffold or Scaffold()
        self._master = master
        self._config = config

    def create_session(self):
        scaffold = self._scaffold.finalize()
        sess = _session.Session(self._master, graph=_graph.get_default_graph(),
                                config=self._config)
        path = self._checkpoint_filename_with_path
        recovered: list = []
        if path is None and self._checkpoint_dir:
            state = _ckpt.get_checkpoint_state(self._checkpoint_dir)
            if state is not None and state.model_checkpoint_path:
                path = state.model_checkpoint_path
                recovered = list(state.all_model_checkpoint_paths)
        if path:
            scaffold.saver.restore(sess, path)
            if recovered:  # TF1: the saver keeps managing (and deleting) the earlier files
                scaffold.saver.recover_last_checkpoints(recovered)
        else:
            if scaffold.init_op is not None:
                sess.run(scaffold.init_op, feed_dict=scaffold.init_feed_dict)
            if scaffold.init_fn is not None:
                scaffold.init_fn(sess)
        not_ready = _not_ready(sess, scaffold.ready_for_local_init_op)
        if not_ready is not None:
            raise RuntimeError("Init operations did not make model ready for local_init.  Init "
                               f"op: {scaffold.init_op.name}, init fn: {scaffold.init_fn}, "
                               f"error: {not_ready}")
        if scaffold.local_init_op is not None:
            sess.run(scaffold.local_init_op)
        not_ready = _not_ready(sess, scaffold.ready_op)
        if not_ready is not None:
            raise RuntimeError(f"Init operations did not make model ready.  Init op: "
                               f"{scaffold.init_op.name}, init fn: {scaffold.init_fn}, local_init_op: "
                               f"{scaffold.local_init_op.name}, error: {not_ready}")
        return sess


class WorkerSessionCreator(SessionCreator):
    """A non-chief's session: waits (polling every 30 s, as TF1) until the chief has initialized
    the shared variables, then runs ``local_init_op``; ``DeadlineExceededError`` after
    ``max_wait_secs``. Only a session whose variables live on shared ps tasks can become ready.
    """

    def __init__(self, scaffold: Scaffold | None = None, master: str = "", config=None,
                 max_wait_secs: float = 30 * 60, recovery_wait_secs: float = 30) -> None:
        self._scaffold = scaffold or Scaffold()
        self._master = master
        self._config = config
        self._max_wait_secs = max_wait_secs
        self._recovery_wait_secs = recovery_wait_secs

    def create_session(self):
        scaffold = self._scaffold.finalize()
        deadline = time.time() + self._max_wait_secs
        sess = _session.Session(self._master, graph=_graph.get_default_graph(),
                                config=self._config)
        while True:
            not_ready = _not_ready(sess, scaffold.ready_for_local_init_op)
            if not_ready is None:
                if scaffold.local_init_op is not None:
                    sess.run(scaffold.local_init_op)
                not_ready = _not_ready(sess, scaffold.ready_op)
                if not_ready is None:
                    return sess
            if time.time() + self._recovery_wait_secs > deadline:
                sess.close()
                raise tf.errors.DeadlineExceededError(
                    None, None, f"Session was not ready after waiting {self._max_wait_secs} secs.")
            _logging.info("Waiting for model to be ready.  Ready_for_local_init_op:  %s, ready: "
                          "%s", not_ready, not_ready)
            time.sleep(self._recovery_wait_secs)


class _StopSignal(Exception):
    pass


class StepContext:
    """What ``run_step_fn``'s ``step_fn`` receives: the raw ``session``, ``run_with_hooks`` and
    ``request_stop``."""

    def __init__(self, session, run_with_hooks_fn: Callable) -> None:
        self._session = session
        self._run_with_hooks_fn = run_with_hooks_fn

    session = property(lambda self: self._session)

    def run_with_hooks(self, *args, **kwargs):
        return self._run_with_hooks_fn(*args, **kwargs)

    def request_stop(self):
        """Ends ``run_step_fn`` now; the monitored session then stops."""
        raise _StopSignal


class _MonitoredSession:
    def __init__(self, session_creator: SessionCreator, hooks, should_recover: bool = False,
                 stop_grace_period_secs: float = 120) -> None:
        self._hooks = list(hooks or [])
        for h in self._hooks:
            if not isinstance(h, SessionRunHook):
                raise TypeError(f"hooks must contain SessionRunHook instances, got {h!r}")
        for h in self._hooks:
            h.begin()
        self._sess = session_creator.create_session()
        self._should_stop = False
        self._closed = False
        for h in self._hooks:
            h.after_create_session(self._sess, None)

    graph = property(lambda self: self._sess.graph if self._sess is not None else None)

    def should_stop(self) -> bool:
        return self._sess is None or self._closed or self._should_stop

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs ``fetches`` with every hook's fetches and feeds added; returns the caller's."""
        if self._closed:
            raise RuntimeError("Session is already closed.")
        if self._should_stop:
            raise RuntimeError("Run called even after should_stop requested.")
        run_context = SessionRunContext(SessionRunArgs(fetches, feed_dict, options), self._sess)
        merged = dict(feed_dict or {})
        user_keys = set(map(id, merged))
        actual = {"caller": fetches}
        for i, hook in enumerate(self._hooks):
            request = hook.before_run(run_context)
            if request is None:
                continue
            if request.fetches is not None:
                actual[f"hook_{i}"] = request.fetches
            if request.feed_dict:
                for key in request.feed_dict:
                    if key in merged:
                        if id(key) in user_keys:
                            raise RuntimeError("Same tensor is fed by a SessionRunHook and user.")
                        raise RuntimeError("Same tensor is fed by two hooks.")
                merged.update(request.feed_dict)
        outputs = self._sess.run(actual, feed_dict=merged or None, options=options,
                                 run_metadata=run_metadata)
        for i, hook in enumerate(self._hooks):
            hook.after_run(run_context, SessionRunValues(outputs.get(f"hook_{i}"), options,
                                                         run_metadata))
        self._should_stop = self._should_stop or run_context.stop_requested
        return outputs["caller"]

    def run_step_fn(self, step_fn: Callable[[StepContext], Any]) -> Any:
        """Calls ``step_fn(step_context)``; ``step_context.request_stop()`` ends it (None)."""
        try:
            return step_fn(StepContext(self._sess, self.run))
        except _StopSignal:
            self._should_stop = True
            return None

    def close(self) -> None:
        self._close_internal(None)

    def _close_internal(self, exception_type) -> None:
        if self._closed:
            return
        try:
            if exception_type is None:
                for h in self._hooks:
                    h.end(self._sess)
        finally:
            self._closed = True
            self._sess.close()

    def __enter__(self):
        return self

    def __exit__(self, exception_type, exception_value, traceback) -> bool:
        # TF1: an exhausted input (OutOfRangeError, StopIteration) ends the loop without error.
        if exception_type is not None and issubclass(
                exception_type, (tf.errors.OutOfRangeError, StopIteration)):
            exception_type = None
        self._close_internal(exception_type)
        return exception_type is None


class MonitoredSession(_MonitoredSession):
    """TF1 ``tf.train.MonitoredSession(session_creator=None, hooks=None,
    stop_grace_period_secs=120)``: a session created by ``session_creator`` (default
    ``ChiefSessionCreator()``) whose runs go through ``hooks``."""

    def __init__(self, session_creator: SessionCreator | None = None, hooks=None,
                 stop_grace_period_secs: float = 120) -> None:
        super().__init__(session_creator or ChiefSessionCreator(), hooks, True,
                         stop_grace_period_secs)


class SingularMonitoredSession(_MonitoredSession):
    """TF1 ``tf.train.SingularMonitoredSession``: a chief session with ``raw_session()``."""

    def __init__(self, hooks=None, scaffold: Scaffold | None = None, master: str = "",
                 config=None, checkpoint_dir: str | None = None,
                 stop_grace_period_secs: float = 120,
                 checkpoint_filename_with_path: str | None = None) -> None:
        creator = ChiefSessionCreator(scaffold=scaffold, master=master, config=config,
                                      checkpoint_dir=checkpoint_dir,
                                      checkpoint_filename_with_path=checkpoint_filename_with_path)
        super().__init__(creator, hooks, False, stop_grace_period_secs)

    def raw_session(self):
        return self._sess


def MonitoredTrainingSession(master: str = "", is_chief: bool = True,  # noqa: N802 (TF1's name)
                             checkpoint_dir: str | None = None, scaffold: Scaffold | None = None,
                             hooks=None, chief_only_hooks=None,
                             save_checkpoint_secs: Any = USE_DEFAULT,
                             save_summaries_steps: Any = USE_DEFAULT,
                             save_summaries_secs: Any = USE_DEFAULT, config=None,
                             stop_grace_period_secs: float = 120,
                             log_step_count_steps: int = 100, max_wait_secs: float = 7200,
                             save_checkpoint_steps: Any = USE_DEFAULT,
                             summary_dir: str | None = None,
                             save_graph_def: bool = True) -> MonitoredSession:
    """TF1 ``tf.train.MonitoredTrainingSession``: a ``MonitoredSession`` with TF1's default hooks.

    On the chief: ``chief_only_hooks`` + ``hooks``, a ``StepCounterHook`` every
    ``log_step_count_steps``, a ``SummarySaverHook`` (every 100 steps unless set) into
    ``summary_dir`` (default ``checkpoint_dir``) and a ``CheckpointSaverHook`` (every 600 s unless
    set) into ``checkpoint_dir``; the session restores ``checkpoint_dir``'s newest checkpoint.
    Elsewhere: ``hooks`` only, on a session that waits for the chief's initialization.
    """
    if save_summaries_steps is USE_DEFAULT and save_summaries_secs is USE_DEFAULT:
        save_summaries_steps, save_summaries_secs = 100, None
    else:
        save_summaries_steps = None if save_summaries_steps is USE_DEFAULT else save_summaries_steps
        save_summaries_secs = None if save_summaries_secs is USE_DEFAULT else save_summaries_secs
    if save_checkpoint_steps is USE_DEFAULT and save_checkpoint_secs is USE_DEFAULT:
        save_checkpoint_steps, save_checkpoint_secs = None, 600
    else:
        save_checkpoint_steps = None if save_checkpoint_steps is USE_DEFAULT \
            else save_checkpoint_steps
        save_checkpoint_secs = None if save_checkpoint_secs is USE_DEFAULT \
            else save_checkpoint_secs
    scaffold = scaffold or Scaffold()
    hooks = list(hooks or [])
    creator: SessionCreator
    if not is_chief:
        creator = WorkerSessionCreator(scaffold=scaffold, master=master, config=config,
                                       max_wait_secs=max_wait_secs)
        return MonitoredSession(session_creator=creator, hooks=hooks,
                                stop_grace_period_secs=stop_grace_period_secs)
    all_hooks = list(chief_only_hooks or []) + hooks
    creator = ChiefSessionCreator(scaffold=scaffold, checkpoint_dir=checkpoint_dir,
                                  master=master, config=config)
    summary_dir = summary_dir or checkpoint_dir
    if log_step_count_steps and log_step_count_steps > 0:
        all_hooks.append(_hooks.StepCounterHook(output_dir=summary_dir,
                                                every_n_steps=log_step_count_steps))
    if (save_summaries_steps and save_summaries_steps > 0) or (
            save_summaries_secs and save_summaries_secs > 0):
        if summary_dir:
            all_hooks.append(_hooks.SummarySaverHook(
                scaffold=scaffold, save_steps=save_summaries_steps,
                save_secs=save_summaries_secs, output_dir=summary_dir))
    if checkpoint_dir and ((save_checkpoint_secs and save_checkpoint_secs > 0) or (
            save_checkpoint_steps and save_checkpoint_steps > 0)):
        all_hooks.append(_hooks.CheckpointSaverHook(
            checkpoint_dir, save_steps=save_checkpoint_steps, save_secs=save_checkpoint_secs,
            scaffold=scaffold, save_graph_def=save_graph_def))
    return MonitoredSession(session_creator=creator, hooks=all_hooks,
                            stop_grace_period_secs=stop_grace_period_secs)
