"""Every replacement the "- help: use ... instead." line offers (``tables.UNSUPPORTED``) names
things that exist where the text says, and is usable from a shim script or says plainly where it
is not (issue 12, item 8).

The rule the texts follow (each dotted ``tf.`` name in a text is a "name"):

- a name is checked on TensorFlow 2 itself when the first side marker after it, before the next
  clause break (``;``, ``, ``, `` or ``), is ``(TF2``, ``from TensorFlow 2 itself`` or
  ``in TF2 code``; otherwise (``(provided`` or no marker) it is checked on ``tftrain_compat``;
- a name that is the entry's own TF1 name (or under it) and carries no marker is a mention
  ("the script without tf.container"), not a replacement;
- an entry with no checked name is prose and must be listed in ``PROSE`` below;
- a TF2-side name is usable next to the shim (tested below, ``USABLE_TF2``) or its text says
  ``in TF2 code``; a ``tf.keras`` name always says it is not for the shim's graph tensors and
  points to a ``(provided)`` name.
"""
from __future__ import annotations

import collections
import os
import re

import numpy as np
import pytest
import tensorflow as real_tf

import tftrain_compat as tf
from tftrain_compat._src import tables, unsupported

_NAME = re.compile(r"(?<![\w.])tf(?:\.[A-Za-z_]\w*)+")
_BREAK = re.compile(r";|, | or ")
_MARK = re.compile(r"\(provided|\(TF2\b|from TensorFlow 2 itself|in TF2 code")

# Entries whose text names no tf.* replacement (what to do is said in words).
PROSE = {
    "tf.train.basic_train_loop", "tf.train.VocabInfo", "tf.train.sdca_fprint",
    "tf.train.sdca_shrink_l1", "tf.train.sdca_optimizer", "tf.container",
    "tf.control_flow_v2_enabled", "tf.resource_variables_enabled", "tf.init_scope",
    "tf.nondifferentiable_batch_function", "tf.recompute_grad",
    "tf.get_session_handle", "tf.get_session_tensor", "tf.delete_session_tensor",
    *(f"tf.{p}_{s}" for p in ("enable", "disable")
      for s in ("eager_execution", "v2_behavior", "v2_tensorshape", "control_flow_v2",
                "resource_variables", "tensor_equality")),
}

# TF2-side names shown usable from a shim script by the tests below.
USABLE_TF2 = {
    "tf.summary.create_file_writer", "tf.summary.scalar", "tf.summary.histogram",
    "tf.train.checkpoints_iterator", "tf.compat.v1.train.summary_iterator",
    *(f"tf.train.{n}" for n in ("BytesList", "ClusterDef", "Example", "Feature", "FeatureList",
                                "FeatureLists", "Features", "FloatList", "Int64List", "JobDef",
                                "SequenceExample", "ServerDef")),
}


def _resolve(root, dotted: str) -> bool:
    obj = root
    try:
        for part in dotted.split(".")[1:]:
            obj = getattr(obj, part)
    except AttributeError:
        return False
    return True


def names_and_sides(full: str, text: str) -> list[tuple[str, str]]:
    """[(name, 'tf2' | 'shim')] for the replacement names of one entry, by the rule above."""
    out = []
    for m in _NAME.finditer(text):
        rest = text[m.end():]
        brk = _BREAK.search(rest)
        clause = rest[:brk.start()] if brk else rest
        mark = _MARK.search(clause)
        name = m.group(0)
        if mark is None and (name == full or name.startswith(full + ".")):
            continue  # a mention of the refused name itself
        side = "tf2" if mark is not None and mark.group(0) != "(provided" else "shim"
        out.append((name, side))
    return out


def _rule(full: str, text: str) -> str:
    sides = {side for _, side in names_and_sides(full, text)}
    if not sides:
        return "prose"
    return sides.pop() if len(sides) == 1 else "both"


def test_every_entry_falls_under_one_rule_and_names_exist_where_it_says():
    bad = []
    counts: collections.Counter = collections.Counter()
    for full, text in sorted(tables.UNSUPPORTED.items()):
        rule = _rule(full, text)
        counts[rule] += 1
        if (rule == "prose") != (full in PROSE):
            bad.append((full, rule, "prose list"))
        for name, side in names_and_sides(full, text):
            if not _resolve(real_tf if side == "tf2" else tf, name):
                bad.append((full, name, side))
    assert bad == []
    assert sum(counts.values()) == len(tables.UNSUPPORTED)
    print(f"\n{len(tables.UNSUPPORTED)} entries: {dict(counts)}")


def test_the_prose_list_names_only_table_entries():
    assert PROSE <= set(tables.UNSUPPORTED)


def test_tf2_replacements_are_usable_with_the_shim_or_say_in_tf2_code():
    bad = []
    for full, text in sorted(tables.UNSUPPORTED.items()):
        for name, side in names_and_sides(full, text):
            keras = name.startswith("tf.keras")
            if keras and "in TF2 code" not in text:
                bad.append((full, name, "keras without 'in TF2 code'"))
            if side == "tf2" and name not in USABLE_TF2 and "in TF2 code" not in text:
                bad.append((full, name, "TF2 name neither usable nor 'in TF2 code'"))
            if name.startswith("tf.keras.layers"):
                provided = [n for n, s in names_and_sides(full, text) if s == "shim"]
                if "not on tftrain_compat's graph tensors" not in text or not provided:
                    bad.append((full, name, "keras layer without the shim alternative"))
    assert bad == []


def test_the_error_carries_the_text():
    for full in ("tf.train.Checkpoint", "tf.layers.conv3d_transpose",
                 "tf.contrib.layers.summarize_tensor", "tf.py_func"):
        err = unsupported.unsupported_error(full)
        assert f"- help: use {tables.UNSUPPORTED[full]} instead." in str(err)


def test_the_rule_classifies_marked_names():
    assert names_and_sides("tf.x", "tf.a (provided) and tf.b (TF2), or tf.c in TF2 code; tf.d") \
        == [("tf.a", "shim"), ("tf.b", "tf2"), ("tf.c", "tf2"), ("tf.d", "shim")]
    assert names_and_sides("tf.x", "the script without tf.x") == []


# ----- usability from a shim script -----------------------------------------------------------
def test_keras_layers_refuse_shim_graph_tensors_and_the_text_names_the_shim_layer(fresh_graph):
    x = tf.placeholder(tf.float32, [None, 4])
    with pytest.raises(Exception, match="out of scope|graph"):
        real_tf.keras.layers.Dense(3)(x)
    text = tables.UNSUPPORTED["tf.layers.conv3d_transpose"]
    assert "not on tftrain_compat's graph tensors" in text and "(provided)" in text
    # the shim alternative named for Conv3DTranspose works on the placeholder's graph
    # and gives compat.v1's numbers (checked against tf.compat.v1 in a plain TF graph)
    rng = np.random.RandomState(0)
    xv = rng.rand(1, 2, 3, 3, 2).astype(np.float32)
    fv = rng.rand(2, 2, 2, 4, 2).astype(np.float32)
    out_shape = [1, 4, 6, 6, 4]
    xs = tf.placeholder(tf.float32, xv.shape)
    y = tf.nn.conv3d_transpose(xs, tf.constant(fv), out_shape, [1, 2, 2, 2, 1], "SAME")
    with tf.Session() as sess:
        got = sess.run(y, {xs: xv})
    with real_tf.Graph().as_default():
        v1 = real_tf.compat.v1
        want_t = v1.nn.conv3d_transpose(v1.constant(xv), v1.constant(fv), out_shape,
                                        [1, 2, 2, 2, 1], "SAME")
        with v1.Session() as s:
            want = s.run(want_t)
    assert np.array_equal(got, want)


def test_tf2_checkpoint_refuses_shim_variables_and_the_text_names_saver(fresh_graph, tmp_path):
    v = tf.Variable([1.0, 2.0], name="w")
    with pytest.raises(ValueError, match="trackable"):
        real_tf.train.Checkpoint(v=v)
    assert "tf.train.Saver (provided)" in tables.UNSUPPORTED["tf.train.Checkpoint"]
    assert "refuses the shim's graph variables" in tables.UNSUPPORTED["tf.train.Checkpoint"]
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saver.save(sess, str(tmp_path / "m"), global_step=3)
    # the TF2 readers named elsewhere in the table read the shim's checkpoints
    assert real_tf.train.list_variables(str(tmp_path)) == [("w", [2])]
    assert tf.train.list_variables(str(tmp_path)) == [("w", [2])]
    assert np.array_equal(tf.train.load_variable(str(tmp_path), "w"), [1.0, 2.0])
    assert list(real_tf.train.checkpoints_iterator(str(tmp_path), timeout=0.01)) == [
        str(tmp_path / "m-3")]


def test_warm_start_replacement_assigns_a_loaded_value(fresh_graph, tmp_path):
    v = tf.Variable([1.0, 2.0], name="w")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(v, [5.0, 6.0]))
        saver.save(sess, str(tmp_path / "m"))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(v, tf.train.load_variable(str(tmp_path), "w")))
        assert np.array_equal(sess.run(v), [5.0, 6.0])


def _events(logdir: str) -> list:
    files = [f for f in os.listdir(logdir) if f.startswith("events.out.tfevents")]
    assert len(files) == 1, files
    return list(real_tf.compat.v1.train.summary_iterator(os.path.join(logdir, files[0])))


def test_tf2_summaries_beside_a_shim_session(fresh_graph, tmp_path):
    v = tf.Variable([1.5, 2.0], name="w")
    loss = tf.reduce_sum(v * v)
    step = tf.assign_add(v, [1.0, 1.0])
    writer = real_tf.summary.create_file_writer(str(tmp_path))
    want = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i in range(3):
            value = sess.run(loss)
            want.append(float(value))
            with writer.as_default():
                real_tf.summary.scalar("loss", value, step=i)
                real_tf.summary.histogram("w", sess.run(v), step=i)
            sess.run(step)
    writer.flush()
    got = [(e.step, val.tag, real_tf.make_ndarray(val.tensor))
           for e in _events(str(tmp_path)) for val in e.summary.value]
    assert [(s, float(a)) for s, t, a in got if t == "loss"] == list(enumerate(want))
    assert [s for s, t, _ in got if t == "w"] == [0, 1, 2]
    assert want == [1.5 ** 2 + 4.0, 2.5 ** 2 + 9.0, 3.5 ** 2 + 16.0]
    # the shim's tf.summary.scalar is TF1's op: the text says to use TensorFlow 2's own
    with pytest.raises(TypeError, match="unexpected keyword argument 'step'") as err:
        tf.summary.scalar("x", 1.0, step=0)
    assert "- help:" in str(err.value) and "create_file_writer" in str(err.value)
    assert "TensorFlow 2's own tf.summary.scalar (TF2)" in tables.UNSUPPORTED[
        "tf.summary.all_v2_summary_ops"]


def test_summarize_replacement_and_summary_iterator_read_back(fresh_graph, tmp_path):
    x = tf.constant([[0.0, 1.0], [2.0, 0.0]])
    h = tf.summary.histogram("act", tf.nn.relu(x))
    merged = tf.summary.merge_all()
    writer = tf.summary.FileWriter(str(tmp_path))
    with tf.Session() as sess:
        writer.add_summary(sess.run(merged), 7)
    writer.close()
    assert h is not None
    values = [(e.step, v.tag, v.histo.num, v.histo.sum)
              for e in _events(str(tmp_path)) for v in e.summary.value]
    assert values == [(7, "act", 4.0, 3.0)]


def test_protocol_buffers_are_tf1s_and_feed_the_shim_parser(fresh_graph):
    for n in ("BytesList", "ClusterDef", "Example", "Feature", "FeatureList", "FeatureLists",
              "Features", "FloatList", "Int64List", "JobDef", "SequenceExample", "ServerDef"):
        assert getattr(real_tf.train, n) is getattr(real_tf.compat.v1.train, n), n
    ex = real_tf.train.Example(features=real_tf.train.Features(feature={
        "x": real_tf.train.Feature(float_list=real_tf.train.FloatList(value=[1.0, 2.5]))}))
    s = tf.placeholder(tf.string, [])
    parsed = tf.parse_single_example(s, {"x": tf.FixedLenFeature([2], tf.float32)})
    with tf.Session() as sess:
        got = sess.run(parsed, {s: ex.SerializeToString()})
    assert np.array_equal(got["x"], np.array([1.0, 2.5], np.float32))


def test_write_graph_takes_the_shim_graph(fresh_graph, tmp_path):
    tf.constant(1.0, name="c")
    with tf.Session() as sess:
        path = tf.io.write_graph(sess.graph, str(tmp_path), "g.pbtxt")
        tf.io.write_graph(sess.graph.as_graph_def(), str(tmp_path), "d.pbtxt")
    text = open(path).read()
    assert 'name: "c"' in text
    assert text == (tmp_path / "d.pbtxt").read_text()
    fresh_graph.finalize()  # TF1 wrote finalized graphs too (MonitoredTrainingSession's)
    binary = tf.io.write_graph(fresh_graph, str(tmp_path), "g.pb", as_text=False)
    graph_def = real_tf.compat.v1.GraphDef.FromString(open(binary, "rb").read())
    assert graph_def == fresh_graph.as_graph_def()


def test_nest_works_on_shim_tensors(fresh_graph):
    x = tf.placeholder(tf.float32, [2])
    doubled = real_tf.nest.map_structure(lambda t: t * 2.0, {"a": x, "b": [x]})
    assert tf.nest.flatten({"a": x}) == [x]
    with tf.Session() as sess:
        got = sess.run(doubled, {x: [1.0, 3.0]})
    assert np.array_equal(got["a"], [2.0, 6.0]) and np.array_equal(got["b"][0], [2.0, 6.0])


def test_distribute_is_the_provided_replacement_for_sync_replicas():
    assert "tf.distribute(replicas=N) (provided" in tables.UNSUPPORTED[
        "tf.train.SyncReplicasOptimizer"]
    assert callable(tf.distribute)


def test_feature_columns_refuse_shim_tensors_and_the_text_says_so(fresh_graph):
    x = tf.placeholder(tf.float32, [None, 1])
    with pytest.raises(TypeError, match="out of scope"):
        real_tf.compat.v1.feature_column.input_layer(
            {"a": x}, [real_tf.feature_column.numeric_column("a")])
    text = tables.UNSUPPORTED["tf.contrib.layers.real_valued_column"]
    assert "only in TF2 code" in text and "tf.placeholder (provided)" in text


def test_reader_and_queue_replacements_are_the_shims_data(fresh_graph, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("x\ny\n")
    it = tf.data.TextLineDataset(str(path)).make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        assert [sess.run(it), sess.run(it)] == [b"x", b"y"]
        assert sess.run(tf.io.read_file(str(path))) == b"x\ny\n"


def test_readme_train_table_copies_the_texts():
    readme = (os.path.join(os.path.dirname(__file__), "..", "README.md"))
    with open(readme) as f:
        rows = dict(re.findall(r"^\| `(\w+)` \| \w+ \| not provided \| (.*) \|$", f.read(), re.M))
    assert len(rows) >= 30
    assert {name: text.replace("`", "") for name, text in rows.items()} == {
        name: tables.UNSUPPORTED[f"tf.train.{name}"] for name in rows}
