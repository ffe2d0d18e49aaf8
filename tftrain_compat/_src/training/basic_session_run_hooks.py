"""TF1's common session-run hooks (``tf.train.StopAtStepHook``, ``CheckpointSaverHook``, ...).

Each hook follows TF1's ``basic_session_run_hooks``: the same triggering rules (a
``SecondOrStepTimer`` firing on the first step and then every N steps or seconds), the same
global-step reads, and the same ``tf.logging`` lines.
"""
from __future__ import annotations

import os
import time
from typing import Any, Callable

import numpy as np
import tensorflow as tf
from tensorflow.core.util import event_pb2

from tftrain_compat._src import graph as _graph
from tftrain_compat._src import meta_graph as _meta_graph
from tftrain_compat._src import summary_writer as _summary_writer
from tftrain_compat._src import tf_logging as _logging
from tftrain_compat._src.graph import GraphKeys
from tftrain_compat._src.training import training_util
from tftrain_compat._src.training.session_run_hook import SessionRunArgs, SessionRunHook


class NanLossDuringTrainingError(RuntimeError):
    """TF1's error of ``NanTensorHook(fail_on_nan_loss=True)``."""

    def __str__(self) -> str:
        return "NaN loss during training."


class SecondOrStepTimer:
    """TF1's timer: triggers on the first step, then every ``every_steps`` or ``every_secs``."""

    def __init__(self, every_secs: float | None = None, every_steps: int | None = None) -> None:
        if (every_steps is None) == (every_secs is None):
            raise ValueError("Either every_secs or every_steps should be provided.")
        self._every_secs = every_secs
        self._every_steps = every_steps
        self.reset()

    def reset(self) -> None:
        self._last_triggered_step: int | None = None
        self._last_triggered_time: float | None = None

    def should_trigger_for_step(self, step: int) -> bool:
        if self._last_triggered_step is None:
            return True
        if self._last_triggered_step == step:
            return False
        if (self._every_secs is not None and self._last_triggered_time is not None
                and time.time() >= self._last_triggered_time + self._every_secs):
            return True
        return self._every_steps is not None and step >= self._last_triggered_step + self._every_steps

    def update_last_triggered_step(self, step: int) -> tuple[float | None, int | None]:
        """Records a trigger at ``step``; returns (seconds, steps) since the last one, or Nones."""
        now = time.time()
        elapsed_secs: float | None
        elapsed_steps: int | None
        if self._last_triggered_time is None or self._last_triggered_step is None:
            elapsed_secs = elapsed_steps = None
        else:
            elapsed_secs = now - self._last_triggered_time
            elapsed_steps = step - self._last_triggered_step
        self._last_triggered_time = now
        self._last_triggered_step = step
        return elapsed_secs, elapsed_steps

    def last_triggered_step(self) -> int | None:
        return self._last_triggered_step


def _global_step_tensor(hook_name: str):
    step = training_util.get_global_step()
    if step is None:
        raise RuntimeError(f"Global step should be created to use {hook_name}.")
    return step


def _due_step(timer: "SecondOrStepTimer", steps_per_run: int, step_tensor: Any,
              run_context: Any, stale_step: int) -> int | None:
    """The global step read afresh when ``timer`` is due after a run that fetched ``stale_step``
    (TF1's timed hooks: cheap check on the stale value, then one read to confirm), else None."""
    if not timer.should_trigger_for_step(stale_step + steps_per_run):
        return None
    step = int(run_context.session.run(step_tensor))
    return step if timer.should_trigger_for_step(step) else None


def _as_graph_element(obj: Any):
    """A tensor, or the tensor named by a string (``'loss'`` means ``'loss:0'``), as TF1."""
    graph = _graph.get_default_graph()
    if isinstance(obj, str):
        return graph.get_tensor_by_name(obj if ":" in obj else obj + ":0")
    return obj


class StopAtStepHook(SessionRunHook):
    """Requests a stop once the global step reaches ``last_step`` (or start + ``num_steps``)."""

    def __init__(self, num_steps: int | None = None, last_step: int | None = None) -> None:
        if num_steps is None and last_step is None:
            raise ValueError("One of num_steps or last_step must be specified.")
        if num_steps is not None and last_step is not None:
            raise ValueError("Only one of num_steps or last_step can be specified.")
        self._num_steps = num_steps
        self._last_step = last_step

    def begin(self) -> None:
        self._global_step_tensor = _global_step_tensor("StopAtStepHook")

    def after_create_session(self, session, coord) -> None:
        if self._last_step is None:
            self._last_step = int(session.run(self._global_step_tensor)) + int(self._num_steps or 0)

    def before_run(self, run_context):
        return SessionRunArgs(self._global_step_tensor)

    def after_run(self, run_context, run_values) -> None:
        # The fetched value is the step before this run's update (TF1 assumes one increment).
        if run_values.results + 1 >= self._last_step:
            step = run_context.session.run(self._global_step_tensor)
            if step >= self._last_step:
                run_context.request_stop()


class NanTensorHook(SessionRunHook):
    """Raises ``NanLossDuringTrainingError`` (or stops, with a warning) when ``loss_tensor`` is NaN."""

    def __init__(self, loss_tensor: Any, fail_on_nan_loss: bool = True) -> None:
        self._loss_tensor = loss_tensor
        self._fail_on_nan_loss = fail_on_nan_loss

    def before_run(self, run_context):
        return SessionRunArgs(self._loss_tensor)

    def after_run(self, run_context, run_values) -> None:
        if np.isnan(run_values.results):
            failure_message = "Model diverged with loss = NaN."
            if self._fail_on_nan_loss:
                _logging.error(failure_message)
                raise NanLossDuringTrainingError
            _logging.warning(failure_message)
            run_context.request_stop()


class LoggingTensorHook(SessionRunHook):
    """Logs ``tag = value`` of the given tensors every N iterations/seconds (and/or at the end).

    ``tensors``: a dict tag -> tensor (logged in sorted tag order) or a list of tensors or
    names (logged in list order, tagged by name). The line is TF1's: ``a = 1, b = 2 (0.010 sec)``
    at INFO through ``tf.logging``; ``formatter(values_by_tag)`` replaces it when given.
    """

    def __init__(self, tensors: Any, every_n_iter: int | None = None,
                 every_n_secs: float | None = None, at_end: bool = False,
                 formatter: Callable[[dict], str] | None = None) -> None:
        only_log_at_end = at_end and every_n_iter is None and every_n_secs is None
        if not only_log_at_end and (every_n_iter is None) == (every_n_secs is None):
            raise ValueError("either at_end and/or exactly one of every_n_iter and every_n_secs "
                             "must be provided.")
        if every_n_iter is not None and every_n_iter <= 0:
            raise ValueError(f"invalid every_n_iter={every_n_iter}.")
        if not isinstance(tensors, dict):
            self._tag_order = list(tensors)
            tensors = {item: item for item in tensors}
        else:
            self._tag_order = sorted(tensors.keys())
        self._tensors = tensors
        self._formatter = formatter
        self._timer = (None if only_log_at_end else
                       SecondOrStepTimer(every_secs=every_n_secs, every_steps=every_n_iter))
        self._log_at_end = at_end

    def begin(self) -> None:
        if self._timer is not None:
            self._timer.reset()
        self._iter_count = 0
        self._current_tensors = {tag: _as_graph_element(t) for tag, t in self._tensors.items()}

    def before_run(self, run_context):
        self._should_trigger = self._timer is not None and \
            self._timer.should_trigger_for_step(self._iter_count)
        return SessionRunArgs(self._current_tensors) if self._should_trigger else None

    def _log_tensors(self, tensor_values: dict) -> None:
        original = np.get_printoptions()
        np.set_printoptions(suppress=True)
        try:
            elapsed_secs, _ = self._timer.update_last_triggered_step(self._iter_count) \
                if self._timer is not None else (None, None)
            if self._formatter:
                _logging.info(self._formatter(tensor_values))
            else:
                stats = [f"{tag} = {tensor_values[tag]}" for tag in self._tag_order]
                if elapsed_secs is not None:
                    _logging.info("%s (%.3f sec)", ", ".join(stats), elapsed_secs)
                else:
                    _logging.info("%s", ", ".join(stats))
        finally:
            np.set_printoptions(**original)

    def after_run(self, run_context, run_values) -> None:
        if self._should_trigger:
            self._log_tensors(run_values.results)
        self._iter_count += 1

    def end(self, session) -> None:
        if self._log_at_end:
            self._log_tensors(session.run(self._current_tensors))


class StepCounterHook(SessionRunHook):
    """Logs ``global_step/sec: X`` every N steps or seconds (and writes it as a summary)."""

    def __init__(self, every_n_steps: int | None = 100, every_n_secs: float | None = None,
                 output_dir: str | None = None, summary_writer: Any = None) -> None:
        if (every_n_steps is None) == (every_n_secs is None):
            raise ValueError("exactly one of every_n_steps and every_n_secs should be provided.")
        self._timer = SecondOrStepTimer(every_steps=every_n_steps, every_secs=every_n_secs)
        self._summary_writer = summary_writer
        self._output_dir = output_dir
        self._last_global_step: int | None = None
        self._steps_per_run = 1

    def begin(self) -> None:
        if self._summary_writer is None and self._output_dir:
            self._summary_writer = _summary_writer.FileWriterCache.get(self._output_dir)
        self._global_step_tensor = _global_step_tensor("StepCounterHook")
        self._summary_tag = self._global_step_tensor.op.name + "/sec"

    def before_run(self, run_context):
        return SessionRunArgs(self._global_step_tensor)

    def after_run(self, run_context, run_values) -> None:
        stale_global_step = run_values.results
        global_step = _due_step(self._timer, self._steps_per_run, self._global_step_tensor,
                                run_context, stale_global_step)
        if global_step is not None:
            elapsed_time, elapsed_steps = self._timer.update_last_triggered_step(global_step)
            if elapsed_time is not None and elapsed_steps is not None:
                steps_per_sec = elapsed_steps / elapsed_time
                if self._summary_writer is not None:
                    summary = tf.compat.v1.Summary(value=[tf.compat.v1.Summary.Value(
                        tag=self._summary_tag, simple_value=steps_per_sec)])
                    self._summary_writer.add_summary(summary, global_step)
                _logging.info("%s: %g", self._summary_tag, steps_per_sec)
        if self._last_global_step is not None and stale_global_step == self._last_global_step:
            _logging.log_first_n(
                _logging.WARN, "It seems that global step (tf.train.get_global_step) has not "
                "been increased. Current value (could be stable): %s vs previous value: %s. You "
                "could increase the global step by passing tf.train.get_global_step() to "
                "Optimizer.apply_gradients or Optimizer.minimize.", 5, stale_global_step,
                self._last_global_step)
        self._last_global_step = stale_global_step


class CheckpointSaverHook(SessionRunHook):
    """Saves a checkpoint when the session is created, every N steps or seconds, and at the end.

    Checkpoints go to ``checkpoint_dir/checkpoint_basename-<global step>`` through the
    ``saver`` (else the scaffold's, else the one in the ``SAVERS`` collection); the first save
    also writes ``graph.pbtxt`` and the graph and meta graph to the directory's event file.
    """

    def __init__(self, checkpoint_dir: str, save_secs: float | None = None,
                 save_steps: int | None = None, saver: Any = None,
                 checkpoint_basename: str = "model.ckpt", scaffold: Any = None,
                 listeners: list | None = None, save_graph_def: bool = True) -> None:
        _logging.info("Create CheckpointSaverHook.")
        if saver is not None and scaffold is not None:
            raise ValueError("You cannot provide both saver and scaffold.")
        self._saver = saver
        self._checkpoint_dir = checkpoint_dir
        self._save_path = os.path.join(checkpoint_dir, checkpoint_basename)
        self._scaffold = scaffold
        self._timer = SecondOrStepTimer(every_secs=save_secs, every_steps=save_steps)
        self._listeners = listeners or []
        self._steps_per_run = 1
        self._save_graph_def = save_graph_def

    def begin(self) -> None:
        self._summary_writer = _summary_writer.FileWriterCache.get(self._checkpoint_dir)
        self._global_step_tensor = _global_step_tensor("CheckpointSaverHook")
        for listener in self._listeners:
            listener.begin()

    def after_create_session(self, session, coord) -> None:
        global_step = int(session.run(self._global_step_tensor))
        if self._save_graph_def:
            graph = _graph.get_default_graph()
            _meta_graph.write_graph(graph.as_graph_def(add_shapes=True), self._checkpoint_dir,
                                    "graph.pbtxt")
            saver_def = self._get_saver().saver_def if self._get_saver() else None
            self._summary_writer.add_graph(graph)
            self._summary_writer.add_meta_graph(
                _meta_graph.export_meta_graph(graph=graph, saver_def=saver_def))
        self._save(session, global_step)
        self._timer.update_last_triggered_step(global_step)

    def before_run(self, run_context):
        return SessionRunArgs(self._global_step_tensor)

    def after_run(self, run_context, run_values) -> None:
        global_step = _due_step(self._timer, self._steps_per_run, self._global_step_tensor,
                                run_context, run_values.results)
        if global_step is not None:
            self._timer.update_last_triggered_step(global_step)
            if self._save(run_context.session, global_step):
                run_context.request_stop()

    def end(self, session) -> None:
        last_step = int(session.run(self._global_step_tensor))
        if last_step != self._timer.last_triggered_step():
            self._save(session, last_step)
        for listener in self._listeners:
            listener.end(session, last_step)

    def _save(self, session, step: int) -> bool:
        _logging.info("Calling checkpoint listeners before saving checkpoint %d...", step)
        for listener in self._listeners:
            listener.before_save(session, step)
        _logging.info("Saving checkpoints for %d into %s.", step, self._save_path)
        self._get_saver().save(session, self._save_path, global_step=step)
        self._summary_writer.add_session_log(
            event_pb2.SessionLog(status=event_pb2.SessionLog.CHECKPOINT,
                                 checkpoint_path=self._save_path), step)
        _logging.info("Calling checkpoint listeners after saving checkpoint %d...", step)
        should_stop = False
        for listener in self._listeners:
            if listener.after_save(session, step):
                _logging.info("A CheckpointSaverListener requested that training be stopped. "
                              "listener: %s", listener)
                should_stop = True
        return should_stop

    def _get_saver(self):
        if self._saver is not None:
            return self._saver
        if self._scaffold is not None:
            return self._scaffold.saver
        savers = _graph.get_default_graph().get_collection(GraphKeys.SAVERS)
        if not savers:
            raise RuntimeError("No items in collection {}. Please add a saver to the collection "
                               "or provide a saver or scaffold.".format(GraphKeys.SAVERS))
        if len(savers) > 1:
            raise RuntimeError("More than one item in collection {}. Please indicate which one "
                               "to use by passing it to the constructor.".format(GraphKeys.SAVERS))
        self._saver = savers[0]
        return savers[0]


class CheckpointSaverListener:
    """TF1's listener of ``CheckpointSaverHook``: begin / before_save / after_save / end."""

    def begin(self) -> None:
        pass

    def before_save(self, session, global_step_value: int) -> None:
        pass

    def after_save(self, session, global_step_value: int) -> bool | None:
        pass

    def end(self, session, global_step_value: int) -> None:
        pass


class SummarySaverHook(SessionRunHook):
    """Writes the summary op's result every N steps or seconds (first step included)."""

    def __init__(self, save_steps: int | None = None, save_secs: float | None = None,
                 output_dir: str | None = None, summary_writer: Any = None, scaffold: Any = None,
                 summary_op: Any = None) -> None:
        if (scaffold is None) == (summary_op is None):
            raise ValueError("Exactly one of scaffold or summary_op must be provided.")
        self._summary_op = summary_op
        self._summary_writer = summary_writer
        self._output_dir = output_dir
        self._scaffold = scaffold
        self._timer = SecondOrStepTimer(every_secs=save_secs, every_steps=save_steps)

    def begin(self) -> None:
        if self._summary_writer is None and self._output_dir:
            self._summary_writer = _summary_writer.FileWriterCache.get(self._output_dir)
        self._next_step: int | None = None
        self._global_step_tensor = _global_step_tensor("SummarySaverHook")

    def _get_summary_op(self) -> list | None:
        op = self._summary_op if self._summary_op is not None else self._scaffold.summary_op
        if op is None:
            return None
        return list(op) if isinstance(op, (list, tuple)) else [op]

    def before_run(self, run_context):
        self._request_summary = (self._next_step is None
                                 or self._timer.should_trigger_for_step(self._next_step))
        requests = {"global_step": self._global_step_tensor}
        if self._request_summary and self._get_summary_op() is not None:
            requests["summary"] = self._get_summary_op()
        return SessionRunArgs(requests)

    def after_run(self, run_context, run_values) -> None:
        if not self._summary_writer:
            return
        stale_global_step = run_values.results["global_step"]
        global_step = stale_global_step + 1
        if self._next_step is None or self._request_summary:
            global_step = int(run_context.session.run(self._global_step_tensor))
        if self._next_step is None:
            self._summary_writer.add_session_log(
                event_pb2.SessionLog(status=event_pb2.SessionLog.START), global_step)
        if self._request_summary:
            self._timer.update_last_triggered_step(global_step)
            for summary in run_values.results.get("summary", []):
                self._summary_writer.add_summary(summary, global_step)
        self._next_step = global_step + 1

    def end(self, session=None) -> None:
        if self._summary_writer:
            self._summary_writer.flush()


class FinalOpsHook(SessionRunHook):
    """Runs ``final_ops`` in ``end(session)``; their values are ``final_ops_values``."""

    def __init__(self, final_ops: Any, final_ops_feed_dict: dict | None = None) -> None:
        self._final_ops = final_ops
        self._final_ops_feed_dict = final_ops_feed_dict
        self._final_ops_values = None

    final_ops_values = property(lambda self: self._final_ops_values)

    def end(self, session) -> None:
        if self._final_ops is not None:
            self._final_ops_values = session.run(self._final_ops,
                                                 feed_dict=self._final_ops_feed_dict)


class FeedFnHook(SessionRunHook):
    """Adds ``feed_fn()``'s dict to the feeds of every run."""

    def __init__(self, feed_fn: Callable[[], dict]) -> None:
        self.feed_fn = feed_fn

    def before_run(self, run_context):
        return SessionRunArgs(fetches=None, feed_dict=self.feed_fn())
