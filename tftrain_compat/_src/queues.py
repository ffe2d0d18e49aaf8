"""TF1 queue pipelines: queues, readers, input producers, batching and queue runners.

TF1 built queue and reader ops in the graph and fed them from Python threads
(``tf.train.QueueRunner``) that ran enqueue ops in the session; a closed, drained queue made
``dequeue`` raise ``tf.errors.OutOfRangeError``, which ended the training loop. Here:

- the queue / reader classes and the input builders (``string_input_producer``, ``batch``,
  ``shuffle_batch`` ...) are TF's own graph builders from ``tf.compat.v1``, applied in the backing
  graph through ``tensor.call_in_graph``; their results are shim objects. The queues and readers
  are per-session resources (``session_resources``), the epoch counter of ``num_epochs`` is a
  local variable (``tf.local_variables_initializer()``), as in TF1;
- the queue runners' threads are ours and run the enqueue ops through the shim's
  ``Session.run``; ``Coordinator`` is TF's pure-Python thread coordinator (no session involved).
"""
from __future__ import annotations

import logging
import threading
import weakref
from typing import Any, Sequence

import tensorflow as tf

from tftrain_compat._src import errors as _errors
from tftrain_compat._src import graph as _graph
from tftrain_compat._src import tensor as _tensor

_V1 = tf.compat.v1
_log = logging.getLogger("tftrain_compat")
QUEUE_RUNNERS = _V1.GraphKeys.QUEUE_RUNNERS

Coordinator = _V1.train.Coordinator
LooperThread = _V1.train.LooperThread


def _unwrap(obj: Any) -> Any:
    if isinstance(obj, _Wrapped):
        return obj._obj
    if isinstance(obj, (list, tuple)) and not hasattr(obj, "_fields"):
        return type(obj)(_unwrap(o) for o in obj)
    if isinstance(obj, dict):
        return type(obj)((k, _unwrap(v)) for k, v in obj.items())
    return obj


def _call(fn: Any, args: tuple, kwargs: dict) -> Any:
    return _tensor.call_in_graph(fn, _unwrap(args), _unwrap(kwargs))


class _Wrapped:
    """A TF1 queue or reader object built in the backing graph; methods build shim ops."""

    _tf_class: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._graph = _graph.get_default_graph()
        self._obj = _call(self._tf_class, args, kwargs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        value = getattr(self._obj, name)
        if callable(value):
            return lambda *args, **kwargs: _call(value, args, kwargs)
        return _tensor.wrap(value, self._graph)

    def __repr__(self) -> str:
        return f"<tftrain_compat {type(self).__name__} {getattr(self._obj, 'name', '')!r}>"


def _class(name: str, tf_class: Any, doc: str) -> type:
    return type(name, (_Wrapped,), {"_tf_class": tf_class, "__doc__": doc,
                                    "__module__": __name__})


_QUEUE_DOC = ("TF1 ``tf.{0}``: a queue in the graph, one per session; ``enqueue`` / "
              "``enqueue_many`` / ``dequeue`` / ``dequeue_many`` / ``dequeue_up_to`` / ``close`` "
              "/ ``size`` build ops. Dequeuing from a closed, empty queue raises "
              "``tf.errors.OutOfRangeError``.")
FIFOQueue = _class("FIFOQueue", _V1.FIFOQueue, _QUEUE_DOC.format("FIFOQueue"))
PaddingFIFOQueue = _class("PaddingFIFOQueue", _V1.PaddingFIFOQueue,
                          _QUEUE_DOC.format("PaddingFIFOQueue"))
RandomShuffleQueue = _class("RandomShuffleQueue", _V1.RandomShuffleQueue,
                            _QUEUE_DOC.format("RandomShuffleQueue") + " Dequeue order follows "
                            "the graph / op seeds as in TF1.")
PriorityQueue = _class("PriorityQueue", _V1.PriorityQueue, _QUEUE_DOC.format("PriorityQueue"))

_READER_DOC = ("TF1 ``tf.{0}``: ``read(queue)`` takes the next file name from ``queue`` (a string "
               "queue) and returns (key, value) tensors; the reader's position is per session.")
TFRecordReader = _class("TFRecordReader", _V1.TFRecordReader, _READER_DOC.format("TFRecordReader"))
WholeFileReader = _class("WholeFileReader", _V1.WholeFileReader,
                         _READER_DOC.format("WholeFileReader"))
TextLineReader = _class("TextLineReader", _V1.TextLineReader, _READER_DOC.format("TextLineReader"))
FixedLengthRecordReader = _class("FixedLengthRecordReader", _V1.FixedLengthRecordReader,
                                 _READER_DOC.format("FixedLengthRecordReader"))
IdentityReader = _class("IdentityReader", _V1.IdentityReader, _READER_DOC.format("IdentityReader"))


def _builder(tf_fn: Any, name: str) -> Any:
    def builder(*args: Any, **kwargs: Any) -> Any:
        return _call(tf_fn, args, kwargs)
    builder.__name__ = builder.__qualname__ = name
    builder.__doc__ = (f"TF1 ``tf.train.{name}``: TF's own graph builder applied in the TF1 graph "
                       "(its queue runners are started by ``tf.train.start_queue_runners``).")
    return builder


_TRAIN_BUILDERS = ("string_input_producer", "slice_input_producer", "input_producer",
                   "range_input_producer", "limit_epochs", "batch", "batch_join",
                   "shuffle_batch", "shuffle_batch_join", "maybe_batch", "maybe_batch_join",
                   "maybe_shuffle_batch", "maybe_shuffle_batch_join")
BUILDERS = {name: _builder(getattr(_V1.train, name), name) for name in _TRAIN_BUILDERS}


class QueueRunner:
    """TF1 ``tf.train.QueueRunner(queue, enqueue_ops, close_op=None, cancel_op=None,
    queue_closed_exception_types=None)``.

    ``create_threads(sess, coord)`` makes one thread per enqueue op, each running its op in a loop
    with ``sess.run`` until the coordinator asks to stop or the op raises one of
    ``queue_closed_exception_types`` (default ``OutOfRangeError``: its input is exhausted); when
    the last thread of a session ends that way the queue is closed (``close_op``), so consumers
    get ``OutOfRangeError`` once it is drained. Any other error is reported to the coordinator.
    With a coordinator one more thread waits for the stop request and runs ``cancel_op``.
    """

    def __init__(self, queue: Any = None, enqueue_ops: Sequence[Any] | None = None,
                 close_op: Any = None, cancel_op: Any = None,
                 queue_closed_exception_types: tuple | None = None, queue_runner_def=None,
                 import_scope=None) -> None:
        if queue_runner_def is not None:
            raise _errors.not_supported("QueueRunner(queue_runner_def=...)",
                                        "build the QueueRunner from the queue and its enqueue "
                                        "ops.")
        if queue is None or not enqueue_ops:
            raise ValueError("Must provide queue and enqueue_ops.")
        self._graph = _graph.get_default_graph()
        queue = queue if isinstance(queue, _Wrapped) else _tensor.wrap(queue, self._graph)
        self._queue = queue
        self._enqueue_ops = list(enqueue_ops)
        self._close_op = close_op if close_op is not None else queue.close()
        self._cancel_op = cancel_op if cancel_op is not None else queue.close(
            cancel_pending_enqueues=True)
        self._exception_types = tuple(queue_closed_exception_types or (tf.errors.OutOfRangeError,))
        self._lock = threading.Lock()
        self._runs_per_session: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._exceptions_raised: list = []

    queue = property(lambda self: self._queue)
    enqueue_ops = property(lambda self: self._enqueue_ops)
    close_op = property(lambda self: self._close_op)
    cancel_op = property(lambda self: self._cancel_op)
    queue_closed_exception_types = property(lambda self: self._exception_types)
    exceptions_raised = property(lambda self: self._exceptions_raised)

    @property
    def name(self) -> str:
        return self._queue.name

    def _run(self, sess: Any, enqueue_op: Any, coord: Any) -> None:
        decremented = False
        try:
            while not (coord and coord.should_stop()):
                try:
                    sess.run(enqueue_op)
                except self._exception_types:
                    with self._lock:
                        self._runs_per_session[sess] -= 1
                        decremented = True
                        last = self._runs_per_session[sess] == 0
                    if last:
                        try:
                            sess.run(self._close_op)
                        except Exception as err:  # noqa: BLE001 - TF1 ignored it too
                            _log.debug("Ignored exception: %s", err)
                    return
        except Exception as err:  # noqa: BLE001 - reported as TF1 did
            if coord:
                coord.request_stop(err)
            else:
                _log.error("Exception in QueueRunner: %s", err)
                with self._lock:
                    self._exceptions_raised.append(err)
                raise
        finally:
            if not decremented:
                with self._lock:
                    self._runs_per_session[sess] -= 1

    def _close_on_stop(self, sess: Any, coord: Any) -> None:
        coord.wait_for_stop()
        try:
            sess.run(self._cancel_op)
        except Exception as err:  # noqa: BLE001 - TF1 ignored it too
            _log.debug("Ignored exception: %s", err)

    def create_threads(self, sess: Any, coord: Any = None, daemon: bool = False,
                       start: bool = False) -> list[threading.Thread]:
        """Threads running the enqueue ops in ``sess`` (none if this session's are still
        running), registered with ``coord``; started if ``start``."""
        with self._lock:
            if self._runs_per_session.get(sess, 0) > 0:
                return []
            self._runs_per_session[sess] = len(self._enqueue_ops)
            self._exceptions_raised = []
        threads = [threading.Thread(target=self._run, args=(sess, op, coord), daemon=daemon)
                   for op in self._enqueue_ops]
        if coord:
            threads.append(threading.Thread(target=self._close_on_stop, args=(sess, coord),
                                            daemon=daemon))
        for thread in threads:
            if coord:
                coord.register_thread(thread)
            if start:
                thread.start()
        return threads


def _as_runner(obj: Any, graph: "_graph.Graph") -> QueueRunner:
    """A queue runner of the collection: ours, or one TF's builders (``batch``...) recorded."""
    if isinstance(obj, QueueRunner):
        return obj
    cache = graph.__dict__.setdefault("_tftrain_queue_runners", {})
    runner = cache.get(id(obj))
    if runner is None:
        wrap = graph._wrap
        with graph.as_default():
            runner = QueueRunner(obj.queue, [wrap(op) for op in obj.enqueue_ops],
                                 wrap(obj.close_op), wrap(obj.cancel_op),
                                 obj.queue_closed_exception_types)
        cache[id(obj)] = (runner, obj)
        return runner
    return runner[0]


def add_queue_runner(qr: QueueRunner, collection: str = QUEUE_RUNNERS) -> None:
    """TF1 ``tf.train.add_queue_runner``: adds ``qr`` to the graph's collection."""
    _graph.get_default_graph().backing.add_to_collection(collection, qr)


def start_queue_runners(sess: Any = None, coord: Any = None, daemon: bool = True,
                        start: bool = True, collection: str = QUEUE_RUNNERS) -> list:
    """TF1 ``tf.train.start_queue_runners``: starts the threads of every queue runner in the
    graph's ``collection`` for ``sess`` (default: the default session); returns them."""
    if sess is None:
        sess = _tensor._hooks["default_session"]()
        if sess is None:
            raise ValueError("Cannot start queue runners: No default session is registered. "
                             "Use `with sess.as_default()` or pass an explicit session to "
                             "tf.start_queue_runners(sess=sess)")
    graph = sess.graph
    threads: list = []
    for obj in list(graph.backing.get_collection(collection)):
        threads.extend(_as_runner(obj, graph).create_threads(sess, coord=coord, daemon=daemon,
                                                             start=start))
    return threads
