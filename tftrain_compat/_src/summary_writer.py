"""TF1 ``tf.summary.FileWriter`` and ``FileWriterCache``: event files TensorBoard reads.

Events are TF1's ``Event`` protocol buffers, built here as TF1's ``FileWriter`` built them (wall
time, step, the first-seen rule for summary metadata) and written as TF1's ``EventsWriter`` wrote
them (the file name, the ``file_version`` record first, TFRecord framing by TF's own
``tf.io.TFRecordWriter``, a flush every ``flush_secs``). A ``FileWriter`` never touches TF2's
default summary writer, so TF2 summary writers in the same process are unaffected (and never
receive the shim's events). Open files are flushed and closed on ``close()`` and at exit.
"""
from __future__ import annotations

import atexit
import itertools
import logging
import os
import socket
import threading
import time
import warnings
from typing import Any

import tensorflow as tf
from tensorflow.core.framework import graph_pb2, summary_pb2
from tensorflow.core.protobuf import config_pb2, meta_graph_pb2
from tensorflow.core.util import event_pb2

from tftrain_compat._src import graph as _graph

_log = logging.getLogger("tftrain_compat")
_ids = itertools.count()
_open_files: dict[int, "_EventFile"] = {}  # every file not yet closed, for the exit flush
_open_lock = threading.Lock()


class _EventFile:
    """One events file in ``logdir``, as TF1's ``EventsWriter`` made it: a TFRecord file (TF's own
    ``tf.io.TFRecordWriter``) named ``events.out.tfevents.<seconds>.<host><suffix>`` whose first
    record is the ``file_version`` event. TF1 wrote from a background thread and flushed after a
    write once ``flush_secs`` had passed since the last flush; here each write goes straight to
    the writer's buffer (about 5 us, where an eager summary-writer op costs about 200 us) under
    the same flush rule, so nothing is ever pending in Python and ``max_queue`` bounds nothing.
    """

    def __init__(self, logdir: str, max_queue: int, flush_secs: float, suffix: str) -> None:
        self._key = next(_ids)
        now = time.time()
        path = os.path.join(logdir, f"events.out.tfevents.{int(now):010d}."
                                    f"{socket.gethostname()}{suffix}")
        if tf.io.gfile.exists(path):  # a second writer in the same second: never truncate
            path = os.path.join(logdir, f"events.out.tfevents.{int(now):010d}."
                                        f"{socket.gethostname()}.{os.getpid()}.{self._key}{suffix}")
        self.path = path
        self._writer = tf.io.TFRecordWriter(path)
        self._flush_secs = float(flush_secs)
        self._lock = threading.Lock()
        self._closed = False
        header = event_pb2.Event(wall_time=float(int(now)), file_version="brain.Event:2")
        header.source_metadata.writer = "tensorflow.core.util.events_writer"
        self._writer.write(header.SerializeToString())
        self._writer.flush()
        self._next_flush = 0.0  # TF1: the first event written is flushed at once
        with _open_lock:
            _open_files[self._key] = self

    def write(self, event: event_pb2.Event) -> None:
        with self._lock:
            if self._closed:
                return
            self._writer.write(event.SerializeToString())
            now = time.time()
            if now > self._next_flush:
                self._writer.flush()
                self._next_flush = now + self._flush_secs

    def flush(self) -> None:
        with self._lock:
            if not self._closed:
                self._writer.flush()

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._writer.flush()
            self._writer.close()
        with _open_lock:
            _open_files.pop(self._key, None)


@atexit.register
def _close_open_files() -> None:
    """Flushes and closes every events file still open when the interpreter exits."""
    with _open_lock:
        files = list(_open_files.values())
    for f in files:
        try:
            f.close()
        except Exception:  # pragma: no cover - interpreter shutdown order varies
            pass


def _graph_def_of(graph: Any) -> graph_pb2.GraphDef | None:
    """A shim ``Graph`` or a ``tf.Graph`` -> its GraphDef with shapes (TF1: add_shapes=True)."""
    if isinstance(graph, (_graph.Graph, tf.Graph)):
        return graph.as_graph_def(add_shapes=True)
    return None


def _meta_graph_def(graph_def: graph_pb2.GraphDef) -> meta_graph_pb2.MetaGraphDef:
    """The ``MetaGraphDef`` TF1's FileWriter wrote beside the graph: ``graph_def``, the
    TensorFlow version and the default graph's collections (as TF1, the *default* graph's).

    TF1 also listed the OpDefs used (``stripped_op_list``); TF2 has no public way to read the op
    registry, so that list is left empty (TensorBoard's graph view does not read it).
    """
    meta = meta_graph_pb2.MetaGraphDef()
    meta.meta_info_def.tensorflow_version = tf.version.VERSION
    meta.meta_info_def.tensorflow_git_version = tf.version.GIT_VERSION
    meta.graph_def.CopyFrom(graph_def)
    backing = _graph.get_default_graph().backing
    for key in backing.get_all_collection_keys():
        items = backing.get_collection(key)
        if items and all(isinstance(i, (tf.Tensor, tf.Operation)) for i in items):
            meta.collection_def[key].node_list.value.extend(i.name for i in items)
        elif items and all(isinstance(i, tf.Variable) for i in items):
            with backing.as_default():  # VariableDef needs the variable's (non-eager) graph
                meta.collection_def[key].bytes_list.value.extend(
                    i.to_proto().SerializeToString() for i in items)
        # other kinds (TF1 wrote only the kinds it knew) are left out
    return meta


class FileWriter:
    """TF1 ``tf.summary.FileWriter(logdir, graph=None, max_queue=10, flush_secs=120,
    graph_def=None, filename_suffix=None, session=None)``.

    Creates a new events file in ``logdir`` (made if missing) and writes ``Event`` protos to it:
    ``add_summary``, ``add_session_log``, ``add_graph``, ``add_meta_graph``, ``add_run_metadata``,
    ``add_event``. Writes are buffered and flushed after a write once ``flush_secs`` seconds
    have passed, by ``flush()``/``close()`` and at exit (``max_queue`` bounded TF1's background
    queue; writes here are synchronous). A ``graph`` (a shim
    ``Graph`` such as ``sess.graph``, or a GraphDef) is written at once, with its
    ``MetaGraphDef``. After ``close()`` every ``add_*`` warns and does nothing until
    ``reopen()``, which starts a new file. ``session`` is accepted for TF1's signature; TF1 used
    it to share one events file among writers of that session and ``logdir``, and so does this
    class.
    """

    _shared: dict[tuple[int, str], _EventFile] = {}

    def __init__(self, logdir: Any, graph: Any = None, max_queue: int = 10,
                 flush_secs: float = 120, graph_def: Any = None,
                 filename_suffix: str | None = None, session: Any = None) -> None:
        self._logdir = str(logdir)
        self._options = (int(max_queue), float(flush_secs), filename_suffix or "")
        self._session = session
        tf.io.gfile.makedirs(self._logdir)
        self._file = self._open()
        self._closed = False
        self._session_run_tags: dict[str, bool] = {}
        self._seen_summary_tags: set[str] = set()
        if graph is not None or graph_def is not None:
            try:
                self.add_graph(graph=graph, graph_def=graph_def)
            except Exception:
                self.close()  # a bad graph argument leaves no open file behind
                raise
            gd = graph_def if graph_def is not None else _graph_def_of(graph)
            gd = graph if gd is None else gd
            if isinstance(gd, graph_pb2.GraphDef):
                self.add_meta_graph(_meta_graph_def(gd))

    def _open(self) -> _EventFile:
        if self._session is None:
            return _EventFile(self._logdir, *self._options)
        key = (id(self._session), self._logdir)
        found = FileWriter._shared.get(key)
        if found is None or found._closed:
            found = FileWriter._shared[key] = _EventFile(self._logdir, *self._options)
        return found

    # ----- context manager, lifecycle -----------------------------------------------------
    def __enter__(self) -> "FileWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()

    def get_logdir(self) -> str:
        """The directory the events file is written in."""
        return self._logdir

    def _warn_if_closed(self) -> bool:
        if self._closed:
            warnings.warn("Attempting to use a closed FileWriter. The operation will be a noop "
                          "unless the FileWriter is explicitly reopened.")
        return self._closed

    def flush(self) -> None:
        """Writes every pending event to disk."""
        if not self._warn_if_closed():
            self._file.flush()

    def close(self) -> None:
        """Flushes and closes the events file; later ``add_*`` calls are no-ops (with a warning)."""
        self._file.close()
        self._closed = True

    def reopen(self) -> None:
        """After ``close()``: opens a new events file in the same ``logdir``; else does nothing."""
        if self._closed:
            self._file = self._open()
            self._closed = False

    # ----- events ------------------------------------------------------------------------
    def add_event(self, event: event_pb2.Event) -> None:
        """Writes ``event`` as it is (its own wall time and step)."""
        if not isinstance(event, event_pb2.Event):
            raise TypeError(f"add_event expects an Event protocol buffer, got {type(event)}.")
        if not self._warn_if_closed():
            self._file.write(event)

    def _add_event(self, event: event_pb2.Event, step: Any) -> None:
        event.wall_time = time.time()
        if step is not None:
            event.step = int(step)
        if not self._warn_if_closed():
            self._file.write(event)

    def add_summary(self, summary: Any, global_step: Any = None) -> None:
        """Writes a ``Summary`` (the proto, or its serialization as ``sess.run`` returns it) at
        ``global_step``. As in TF1, a tag's ``metadata`` is kept only the first time the tag is
        written by this writer."""
        if isinstance(summary, bytes):
            summary = summary_pb2.Summary.FromString(summary)
        elif not isinstance(summary, summary_pb2.Summary):
            raise TypeError("add_summary expects a Summary protocol buffer or its serialization "
                            f"(bytes, e.g. the result of sess.run(summary_op)), got "
                            f"{type(summary)}.")
        for value in summary.value:
            if value.tag in self._seen_summary_tags:
                value.ClearField("metadata")
            else:
                self._seen_summary_tags.add(value.tag)
        self._add_event(event_pb2.Event(summary=summary), global_step)

    def add_session_log(self, session_log: event_pb2.SessionLog, global_step: Any = None) -> None:
        """Writes a ``SessionLog`` (START / STOP / CHECKPOINT) at ``global_step``."""
        self._add_event(event_pb2.Event(session_log=session_log), global_step)

    def add_graph(self, graph: Any, global_step: Any = None, graph_def: Any = None) -> None:
        """Writes a graph (a shim ``Graph`` such as ``sess.graph``, or a ``GraphDef``) for
        TensorBoard's Graphs tab."""
        if graph is not None and graph_def is not None:
            raise ValueError("Please pass only graph, or graph_def (deprecated), but not both.")
        source = graph if graph is not None else graph_def
        true_graph_def = _graph_def_of(source)
        if true_graph_def is None:
            if not isinstance(source, graph_pb2.GraphDef):
                raise TypeError("The passed graph must be an instance of `Graph` or the "
                                "deprecated `GraphDef`")
            _log.warning("Passing a `GraphDef` to the SummaryWriter is deprecated. Pass a "
                         "`Graph` object instead, such as `sess.graph`.")
            true_graph_def = source
        self._add_event(event_pb2.Event(graph_def=true_graph_def.SerializeToString()), global_step)

    def add_meta_graph(self, meta_graph_def: meta_graph_pb2.MetaGraphDef,
                       global_step: Any = None) -> None:
        """Writes a ``MetaGraphDef``."""
        if not isinstance(meta_graph_def, meta_graph_pb2.MetaGraphDef):
            raise TypeError("meta_graph_def must be type MetaGraphDef, saw type: "
                            f"{type(meta_graph_def)}")
        self._add_event(event_pb2.Event(meta_graph_def=meta_graph_def.SerializeToString()),
                        global_step)

    def add_run_metadata(self, run_metadata: config_pb2.RunMetadata, tag: str,
                         global_step: Any = None) -> None:
        """Writes ``run_metadata`` under ``tag``; a tag may be used once per writer (TF1)."""
        if tag in self._session_run_tags:
            raise ValueError("The provided tag was already used for this event type")
        self._session_run_tags[tag] = True
        tagged = event_pb2.TaggedRunMetadata(tag=tag,
                                             run_metadata=run_metadata.SerializeToString())
        self._add_event(event_pb2.Event(tagged_run_metadata=tagged), global_step)


class FileWriterCache:
    """TF1 ``tf.summary.FileWriterCache``: one ``FileWriter`` per logdir, made on first ``get``
    with the default graph."""

    _cache: dict[str, FileWriter] = {}
    _lock = threading.RLock()

    @staticmethod
    def get(logdir: str) -> FileWriter:
        """The cached writer for ``logdir`` (created with ``graph=get_default_graph()``)."""
        with FileWriterCache._lock:
            if logdir not in FileWriterCache._cache:
                FileWriterCache._cache[logdir] = FileWriter(
                    logdir, graph=_graph.get_default_graph())
            return FileWriterCache._cache[logdir]

    @staticmethod
    def clear() -> None:
        """Closes and forgets every cached writer."""
        with FileWriterCache._lock:
            for writer in FileWriterCache._cache.values():
                writer.close()
            FileWriterCache._cache = {}
