"""TF1 ``tf.summary.FileWriter``: the same script written under the shim and under tf.compat.v1
(the oracle, inside ``with tf.Graph().as_default():``), both read back with TensorBoard's
``EventAccumulator`` (same runs, tags, steps, bit-equal scalars, histograms, images, a graph) and
as raw ``Event`` records (equal but for the wall time); the writer's lifecycle, errors, cache,
exit flush, and coexistence with TF2's summary writers."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorflow.core.framework import graph_pb2, summary_pb2
from tensorflow.core.protobuf import config_pb2, meta_graph_pb2
from tensorflow.core.util import event_pb2

import tftrain_compat as shim

V1 = tf.compat.v1
REPO = Path(__file__).resolve().parents[1]
ALL = {"scalars": 0, "histograms": 0, "images": 0, "tensors": 0, "audio": 0}


def _events(logdir: Path) -> list[event_pb2.Event]:
    """Every Event record of every events file in ``logdir``, files in order of creation."""
    files = [[event_pb2.Event.FromString(r.numpy()) for r in tf.data.TFRecordDataset(str(p))]
             for p in logdir.iterdir() if "tfevents" in p.name]
    files.sort(key=lambda events: events[0].wall_time)  # file_version's time (whole seconds)
    return [e for events in files for e in events]


def _without_time(events):
    out = []
    for e in events:
        e = event_pb2.Event.FromString(e.SerializeToString())
        e.wall_time = 0
        out.append(e)
    return out


def _without_colocation(graph_def):
    """The GraphDef without ``_class`` (colocation) attributes. TF2's ``tf.gradients``, which the
    shim's optimizers call, always colocates gradient ops with their forward ops (TF1 did so only
    with ``colocate_gradients_with_ops=True``); colocation only steers device placement, and it
    is the only difference in the graphs the two write."""
    graph_def = type(graph_def).FromString(graph_def.SerializeToString())
    for node in graph_def.node:
        if "_class" in node.attr:
            del node.attr["_class"]
    return graph_def


def _accumulator(logdir: Path) -> EventAccumulator:
    acc = EventAccumulator(str(logdir), size_guidance=ALL)
    acc.Reload()
    return acc


# ----- the same TF1 script on both -----------------------------------------------------------
def _train_script(t, logdir: Path) -> list[float]:
    """A TF1 training loop with summaries: scalars, histograms, an image, merge_all, a graph, and
    train/ and test/ writers open at once. Returns the printed losses."""
    rng = np.random.RandomState(0)
    xs = rng.randn(64, 5).astype(np.float32)
    ys = (xs @ rng.randn(5, 3)).astype(np.float32)
    x = t.placeholder(tf.float32, [None, 5], name="x")
    y = t.placeholder(tf.float32, [None, 3], name="y")
    with t.name_scope("layer"):
        w = t.Variable(t.constant(rng.randn(5, 3).astype(np.float32) * 0.1), name="weights")
        b = t.Variable(t.zeros([3]), name="biases")
        out = t.matmul(x, w) + b
        t.summary.histogram("weights", w)
        t.summary.histogram("activations", out)
    loss = t.reduce_mean(t.square(out - y))
    t.summary.scalar("loss", loss)
    t.summary.scalar("w_mean", t.reduce_mean(w), family="stats")
    t.summary.image("w_img", t.reshape(w, [1, 5, 3, 1]))
    train = t.train.GradientDescentOptimizer(0.1).minimize(loss)
    merged = t.summary.merge_all()
    losses = []
    with t.Session() as sess:
        train_writer = t.summary.FileWriter(str(logdir / "train"), sess.graph)
        test_writer = t.summary.FileWriter(str(logdir / "test"))
        sess.run(t.global_variables_initializer())
        for step in range(12):
            if step % 4 == 0:
                summ, value = sess.run([merged, loss], {x: xs[:16], y: ys[:16]})
                test_writer.add_summary(summ, step)
                losses.append(float(value))
            else:
                # Not sess.run([merged, train]): in TF1 nothing orders the summaries' variable
                # reads against the update in one run, and tf.compat.v1 shows either value.
                sess.run(train, {x: xs[16:], y: ys[16:]})
                train_writer.add_summary(sess.run(merged, {x: xs[16:], y: ys[16:]}), step)
        train_writer.close()
        test_writer.close()
    return losses


@pytest.fixture(scope="module")
def both_runs(tmp_path_factory):
    oracle_dir = tmp_path_factory.mktemp("oracle")
    shim_dir = tmp_path_factory.mktemp("shim")
    with tf.Graph().as_default():
        want = _train_script(V1, oracle_dir)
    with shim.Graph().as_default():
        got = _train_script(shim, shim_dir)
    return oracle_dir, shim_dir, want, got


def test_losses_bit_equal(both_runs):
    _, _, want, got = both_runs
    assert np.array_equal(np.array(got), np.array(want))


@pytest.mark.parametrize("run", ["train", "test"])
def test_tensorboard_reads_the_same_runs_tags_steps_and_values(both_runs, run):
    oracle_dir, shim_dir, _, _ = both_runs
    assert sorted(os.listdir(shim_dir)) == sorted(os.listdir(oracle_dir)) == ["test", "train"]
    want, got = _accumulator(oracle_dir / run), _accumulator(shim_dir / run)
    assert got.Tags() == want.Tags()
    tags = got.Tags()
    assert tags["scalars"] == ["loss", "stats/stats/w_mean"]
    assert tags["histograms"] == ["layer/weights_1", "layer/activations"]  # the variable took "weights"
    assert tags["images"] == ["w_img/image/0"]
    assert tags["graph"] is (run == "train") and tags["meta_graph"] is (run == "train")
    for tag in tags["scalars"]:
        w, g = want.Scalars(tag), got.Scalars(tag)
        assert [e.step for e in g] == [e.step for e in w] and len(g) in (3, 9)
        assert np.array_equal([e.value for e in g], [e.value for e in w])  # bit for bit
    for tag in tags["histograms"]:
        for w, g in zip(want.Histograms(tag), got.Histograms(tag), strict=True):
            assert g.step == w.step
            assert g.histogram_value == w.histogram_value  # min, max, num, sum, buckets
    for w, g in zip(want.Images("w_img/image/0"), got.Images("w_img/image/0"), strict=True):
        assert (g.step, g.width, g.height) == (w.step, w.width, w.height) == (g.step, 3, 5)
        assert g.encoded_image_string == w.encoded_image_string
    if run == "train":
        graph_def = got.Graph()
        assert [n.name for n in graph_def.node] == [n.name for n in want.Graph().node]
        assert "layer/weights" in [n.name for n in graph_def.node]
        assert got.MetaGraph().graph_def == graph_def


@pytest.mark.parametrize("run", ["train", "test"])
def test_raw_events_equal_but_for_wall_time(both_runs, run):
    oracle_dir, shim_dir, _, _ = both_runs
    want, got = _events(oracle_dir / run), _events(shim_dir / run)
    assert [e.WhichOneof("what") for e in got] == [e.WhichOneof("what") for e in want]
    assert got[0].file_version == "brain.Event:2"
    kinds = [e.WhichOneof("what") for e in got]
    assert kinds[:3] == (["file_version", "graph_def", "meta_graph_def"] if run == "train"
                         else ["file_version", "summary", "summary"])
    # TF1 lists the OpDefs the graph uses in the MetaGraphDef; TF2 has no public op registry,
    # so the shim leaves that list empty (documented). Everything else is equal.
    for w, g in zip(_without_time(want), _without_time(got), strict=True):
        if w.HasField("meta_graph_def"):
            wm = meta_graph_pb2.MetaGraphDef.FromString(w.meta_graph_def)
            gm = meta_graph_pb2.MetaGraphDef.FromString(g.meta_graph_def)
            assert len(wm.meta_info_def.stripped_op_list.op) > 0
            wm.meta_info_def.ClearField("stripped_op_list")
            assert _without_colocation(gm.graph_def) == _without_colocation(wm.graph_def)
            gm.ClearField("graph_def")
            wm.ClearField("graph_def")
            assert gm == wm
        elif w.HasField("graph_def"):
            assert _without_colocation(graph_pb2.GraphDef.FromString(g.graph_def)) == \
                _without_colocation(graph_pb2.GraphDef.FromString(w.graph_def))
        else:
            assert g == w
    for w, g in zip(want, got):
        assert abs(g.wall_time - w.wall_time) < 300


# ----- writer API, each call against the oracle's -----------------------------------------------
def _api_calls(t, logdir: Path):
    """Every FileWriter method once, in TF1's order of use."""
    run_metadata = config_pb2.RunMetadata()
    run_metadata.step_stats.dev_stats.add(device="/cpu:0")
    graph_def = t.get_default_graph().as_graph_def()
    text = t.summary.text("note", t.constant("hello"))
    with t.Session() as sess:
        note = sess.run(text)
    with t.summary.FileWriter(str(logdir), graph_def=graph_def, flush_secs=3600,
                              filename_suffix=".sfx") as writer:
        assert writer.get_logdir() == str(logdir)
        writer.add_session_log(t.summary.SessionLog(status=t.summary.SessionLog.START), 0)
        writer.add_summary(note, 1)
        writer.add_summary(note, 2)  # TF1 drops a repeated tag's metadata
        proto = t.summary.Summary(value=[t.summary.Summary.Value(tag="acc", simple_value=0.5)])
        writer.add_summary(proto, global_step=np.int64(3))
        writer.add_run_metadata(run_metadata, "step3", 3)
        writer.add_meta_graph(meta_graph_pb2.MetaGraphDef(graph_def=graph_def), 4)
        writer.add_graph(None, graph_def=graph_def, global_step=5)
        writer.add_event(t.summary.Event(wall_time=12.5, step=6, file_version="custom"))
        writer.flush()


def test_every_method_writes_what_the_oracle_writes(tmp_path):
    with tf.Graph().as_default():
        V1.constant(1.0, name="c")
        _api_calls(V1, tmp_path / "oracle")
    with shim.Graph().as_default():
        shim.constant(1.0, name="c")
        _api_calls(shim, tmp_path / "shim")
    names = [[re.sub(r"\.\d{10}\.", ".TIME.", p.name) for p in (tmp_path / side).iterdir()]
             for side in ("oracle", "shim")]
    assert names[1] == names[0] and names[1][0].endswith(".sfx")  # TF1's file name
    want, got = _events(tmp_path / "oracle"), _events(tmp_path / "shim")
    assert _without_time(got)[3:] == _without_time(want)[3:]
    assert [e.WhichOneof("what") for e in got] == [
        "file_version", "graph_def", "meta_graph_def", "session_log", "summary", "summary",
        "summary", "tagged_run_metadata", "meta_graph_def", "graph_def", "file_version"]
    assert got[4].summary.value[0].HasField("metadata")
    assert not got[5].summary.value[0].HasField("metadata")
    assert (got[-1].wall_time, got[-1].step) == (12.5, 6)  # add_event writes the event as given
    acc = _accumulator(tmp_path / "shim")
    assert acc.Tags()["run_metadata"] == ["step3"]
    # TensorBoard's copy of the proto class: compare the serialization
    assert acc.RunMetadata("step3").SerializeToString() == \
        got[7].tagged_run_metadata.run_metadata


def _same_raise(call, tmp_path: Path):
    """``call(t, writer)`` raises the same class and text on both."""
    errors = []
    for t, graph, name in ((V1, tf.Graph(), "oracle"), (shim, shim.Graph(), "shim")):
        with graph.as_default():
            writer = t.summary.FileWriter(str(tmp_path / name))
            try:
                with pytest.raises(Exception) as info:
                    call(t, writer)
            finally:
                writer.close()
            errors.append(info.value)
    want, got = errors
    assert type(got) is type(want)
    assert str(got) == str(want)
    return got


@pytest.mark.parametrize("call", [
    pytest.param(lambda t, w: w.add_graph(t.get_default_graph(),
                                          graph_def=t.get_default_graph().as_graph_def()),
                 id="graph and graph_def"),
    pytest.param(lambda t, w: w.add_graph("not a graph"), id="graph of wrong type"),
    pytest.param(lambda t, w: w.add_meta_graph(t.get_default_graph().as_graph_def()),
                 id="meta graph of wrong type"),
    pytest.param(lambda t, w: [w.add_run_metadata(config_pb2.RunMetadata(), "s")
                               for _ in range(2)], id="run metadata tag twice"),
    pytest.param(lambda t, w: w.add_summary(b"\xff\xff not a proto"), id="corrupt summary"),
])
def test_bad_calls_raise_the_oracles_error(tmp_path, call):
    _same_raise(call, tmp_path)


def test_add_summary_of_wrong_type_names_what_it_expects(tmp_path):
    with shim.summary.FileWriter(str(tmp_path)) as writer:
        with pytest.raises(TypeError, match=r"add_summary expects a Summary protocol buffer .* "
                                            r"got <class 'str'>"):
            writer.add_summary("loss 0.5", 1)
        with pytest.raises(TypeError, match="add_event expects an Event"):
            writer.add_event(b"")
    assert [e.WhichOneof("what") for e in _events(tmp_path)] == ["file_version"]


def test_closed_writer_warns_and_writes_nothing_until_reopened(tmp_path):
    writer = shim.summary.FileWriter(str(tmp_path))
    summ = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="a", simple_value=1.0)])
    writer.add_summary(summ, 0)
    writer.close()
    writer.close()  # idempotent
    with pytest.warns(UserWarning, match="Attempting to use a closed FileWriter"):
        writer.add_summary(summ, 1)
    with pytest.warns(UserWarning, match="Attempting to use a closed FileWriter"):
        writer.flush()
    assert [e.step for e in _events(tmp_path) if e.HasField("summary")] == [0]
    first = set(os.listdir(tmp_path))
    writer.reopen()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        writer.add_summary(summ, 2)
        writer.reopen()  # not closed: does nothing
    writer.close()
    assert len(first) == 1 and len(os.listdir(tmp_path)) == 2  # reopen started a new file
    first_file = tmp_path / first.pop()
    steps = [e.step for e in _events(tmp_path) if e.HasField("summary")]
    first_steps = [event_pb2.Event.FromString(r.numpy()).step
                   for r in tf.data.TFRecordDataset(str(first_file))][1:]
    assert first_steps == [0] and sorted(steps) == [0, 2]


def test_flush_makes_events_visible_before_close(tmp_path):
    writer = shim.summary.FileWriter(str(tmp_path), flush_secs=3600, max_queue=1000)
    writer.add_summary(summary_pb2.Summary(value=[summary_pb2.Summary.Value(
        tag="a", simple_value=2.0)]), 7)
    writer.flush()
    acc = _accumulator(tmp_path)
    assert [(e.step, e.value) for e in acc.Scalars("a")] == [(7, 2.0)]
    writer.close()


def test_file_writer_cache_one_writer_per_logdir_with_the_default_graph(tmp_path):
    graph = shim.Graph()
    with graph.as_default():
        shim.constant(1.0, name="cached")
        first = shim.summary.FileWriterCache.get(str(tmp_path / "a"))
        assert shim.summary.FileWriterCache.get(str(tmp_path / "a")) is first
        other = shim.summary.FileWriterCache.get(str(tmp_path / "b"))
        assert other is not first
        shim.summary.FileWriterCache.clear()
        assert shim.summary.FileWriterCache.get(str(tmp_path / "a")) is not first
        shim.summary.FileWriterCache.clear()
    assert "cached" in [n.name for n in _accumulator(tmp_path / "a").Graph().node]


def test_writers_of_one_session_and_logdir_share_one_file(tmp_path):
    with shim.Graph().as_default(), shim.Session() as sess:
        a = shim.summary.FileWriter(str(tmp_path), session=sess)
        b = shim.summary.FileWriter(str(tmp_path), session=sess)
        a.add_summary(summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="a")]), 1)
        b.add_summary(summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="b")]), 2)
        b.close()
    assert len(os.listdir(tmp_path)) == 1
    assert [e.step for e in _events(tmp_path) if e.HasField("summary")] == [1, 2]


# ----- coexistence with TF2 summary writers -----------------------------------------------------
def test_shim_and_tf2_writers_do_not_see_each_others_events(tmp_path):
    tf2_writer = tf.summary.create_file_writer(str(tmp_path / "tf2"))
    with shim.Graph().as_default():
        s = shim.summary.scalar("shim_loss", shim.constant(1.5))
        with shim.Session() as sess:
            value = sess.run(s)
        with tf2_writer.as_default(step=3):
            tf.summary.scalar("tf2_loss", 2.5)  # TF2 code beside the shim's
            with shim.summary.FileWriter(str(tmp_path / "shim")) as writer:
                writer.add_summary(value, 3)
            with shim.Session() as sess:
                value = sess.run(s)  # running a shim summary op writes nothing anywhere
        tf2_writer.flush()
    # no default writer left behind: TF2's own summary op outside a writer records nothing
    assert not tf.summary.scalar("orphan", 1.0, step=0)
    tf2_tags = _accumulator(tmp_path / "tf2").Tags()
    shim_tags = _accumulator(tmp_path / "shim").Tags()
    assert tf2_tags["tensors"] == ["tf2_loss"] and tf2_tags["scalars"] == []
    assert shim_tags["scalars"] == ["shim_loss"] and shim_tags["tensors"] == []


# ----- interpreter exit, imports, names -------------------------------------------------------
def _python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def test_unclosed_writer_is_flushed_at_exit_and_tensorboard_is_not_imported(tmp_path):
    proc = _python("""
        import sys
        import tftrain_compat as tf
        x = tf.placeholder(tf.float32, [], name="value")
        merged = tf.summary.merge([tf.summary.scalar("x", x), tf.summary.histogram("h", x)])
        sess = tf.Session()
        writer = tf.summary.FileWriter("logs", sess.graph, flush_secs=3600, max_queue=1000)
        for step in range(5):
            writer.add_summary(sess.run(merged, {x: step * 0.5}), step)
        print("tensorboard imported:", any(m.split(".")[0] == "tensorboard" for m in sys.modules))
        """, tmp_path)  # no close(), no flush(): the exit handler must write the events
    assert "tensorboard imported: False" in proc.stdout
    acc = _accumulator(tmp_path / "logs")
    assert [(e.step, e.value) for e in acc.Scalars("x")] == [(i, i * 0.5) for i in range(5)]
    assert acc.Tags()["graph"]


@pytest.mark.parametrize("name, replacement", [
    ("scalar_summary", "tf.summary.scalar"), ("histogram_summary", "tf.summary.histogram"),
    ("image_summary", "tf.summary.image"), ("audio_summary", "tf.summary.audio"),
    ("merge_summary", "tf.summary.merge"), ("merge_all_summaries", "tf.summary.merge_all"),
])
def test_tf0_names_were_removed_in_tf1_and_say_so(name, replacement):
    assert not hasattr(V1, name)  # TF 1.x had none of them (removed in TF 1.0)
    with pytest.raises(AttributeError, match=rf"tf.{name} is a TF1 name .* {replacement} "):
        getattr(shim, name)


def test_summary_namespace_tf1_names_ours_tf2_only_names_tf2s():
    assert not hasattr(V1.train, "SummaryWriter")
    with pytest.raises(AttributeError, match=r"tf.train.SummaryWriter .* tf.summary.FileWriter"):
        shim.train.SummaryWriter  # noqa: B018
    v1_names = {n for n in dir(V1.summary) if not n.startswith("_")}
    provided = {n for n in v1_names if n not in ("all_v2_summary_ops", "initialize")}
    assert all(hasattr(shim.summary, n) for n in provided)
    assert shim.summary.Summary is V1.summary.Summary and shim.Summary is V1.Summary
    assert shim.summary.Event is V1.Event and shim.summary.SessionLog is V1.SessionLog
    for name in ("all_v2_summary_ops", "initialize"):
        with pytest.raises(AttributeError, match=rf"tf.summary.{name} is a TF1 name that "
                                                 r"tftrain_compat does not provide"):
            getattr(shim.summary, name)
    assert shim.summary.create_file_writer is tf.summary.create_file_writer
    assert shim.summary.SummaryWriter is tf.summary.SummaryWriter
    with pytest.raises(AttributeError, match="tf.summary.no_such_thing is not provided"):
        shim.summary.no_such_thing  # noqa: B018


@pytest.mark.parametrize("name", ["scalar", "histogram", "image", "audio", "text",
                                  "tensor_summary", "merge", "merge_all", "FileWriter"])
def test_tf1_signatures_kept(name):
    import inspect

    def params(fn):
        return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]
    assert params(getattr(shim.summary, name)) == params(getattr(V1.summary, name))


@pytest.mark.parametrize("method", ["add_summary", "add_session_log", "add_graph",
                                    "add_meta_graph", "add_run_metadata", "add_event", "flush",
                                    "close", "reopen", "get_logdir"])
def test_file_writer_method_signatures_kept(method):
    import inspect
    got = inspect.signature(getattr(shim.summary.FileWriter, method)).parameters
    want = inspect.signature(getattr(V1.summary.FileWriter, method)).parameters
    assert [(p.name, p.default) for p in got.values()] == \
        [(p.name, p.default) for p in want.values()]


def test_bad_graph_argument_raises_the_oracles_error_and_leaves_no_open_file(tmp_path):
    from tftrain_compat._src import summary_writer
    with tf.Graph().as_default():
        with pytest.raises(TypeError) as want:
            V1.summary.FileWriter(str(tmp_path / "oracle"), graph="not a graph")
    open_before = dict(summary_writer._open_files)
    with shim.Graph().as_default():
        with pytest.raises(TypeError) as got:
            shim.summary.FileWriter(str(tmp_path / "shim"), graph="not a graph")
    assert str(got.value) == str(want.value)
    assert summary_writer._open_files == open_before
