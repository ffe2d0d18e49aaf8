"""TF1 summary ops: the same graph built under the shim and under tf.compat.v1 (the oracle, inside
``with tf.Graph().as_default():``) gives the same op names, tags and collections, and ``sess.run``
gives the same serialized ``Summary`` bytes; bad input raises the oracle's class and text."""
from __future__ import annotations

import logging

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from tensorflow.core.framework import summary_pb2

import tftrain_compat as shim

V1 = tf.compat.v1


def _oracle(build, feeds_of=None):
    """``build(t)`` -> (fetches, info) under tf.compat.v1; returns (run values, info)."""
    with tf.Graph().as_default():
        fetches, info = build(V1)
        with V1.Session() as sess:
            return sess.run(fetches, feeds_of(info) if feeds_of else None), info


def _shim(build, feeds_of=None):
    with shim.Graph().as_default():
        fetches, info = build(shim)
        with shim.Session() as sess:
            return sess.run(fetches, feeds_of(info) if feeds_of else None), info


def _both(build, feeds_of=None):
    return _oracle(build, feeds_of), _shim(build, feeds_of)


def _names(ts):
    return [t.name for t in ts]


# ----- names, tags, collections ------------------------------------------------------------------
def _naming_graph(t):
    x = t.placeholder(tf.float32, [None], name="x")
    with t.name_scope("layer"):
        a = t.summary.scalar("loss", t.reduce_mean(x))
        b = t.summary.scalar("loss", t.reduce_mean(x))  # a second one gets a unique scope
        c = t.summary.histogram("w", x, family="fam")
        d = t.summary.histogram(None, x)  # TF1's default name HistogramSummary
    e = t.summary.image("img", t.zeros([2, 4, 4, 1]))
    f = t.summary.image("one", t.zeros([2, 4, 4, 3]), max_outputs=1)
    g = t.summary.text("txt", t.constant("hi"))
    h = t.summary.tensor_summary("ts", x, summary_description="described", display_name="TS")
    i = t.summary.audio("au", t.zeros([3, 10, 1]), 8000, max_outputs=2, family="sound")
    j = t.summary.scalar("a b:c", t.constant(1.0))  # illegal characters become '_'
    k = t.summary.scalar("/lead", 2.0)  # leading slash dropped; a Python number is fine
    m = t.summary.scalar("mine", 3.0, collections=["custom"])
    ops = [a, b, c, d, e, f, g, h, i, j, k, m]
    merged = t.summary.merge_all()
    mine = t.summary.merge_all(key="custom", name="mine merged")
    info = dict(x=x, names=_names(ops + [merged, mine]),
                summaries=_names(t.get_collection(t.GraphKeys.SUMMARIES)),
                custom=_names(t.get_collection("custom")),
                types=[o.op.type for o in ops + [merged]], dtypes=[o.dtype for o in ops],
                shapes=[o.shape.as_list() for o in ops])
    return [merged, mine], info


def test_names_tags_collections_and_merged_bytes_equal_oracle(caplog):
    feeds = lambda info: {info["x"]: np.array([1.0, 2.0, 3.0], np.float32)}  # noqa: E731
    with caplog.at_level(logging.INFO, logger="tftrain_compat"):
        (want, winfo), (got, ginfo) = _both(_naming_graph, feeds)
    for key in ("names", "summaries", "custom", "types", "dtypes", "shapes"):
        assert ginfo[key] == winfo[key], key
    assert ginfo["names"][:4] == ["layer/loss:0", "layer/loss_1:0", "layer/fam/w:0",
                                  "layer/HistogramSummary:0"]
    assert all(isinstance(v, bytes) for v in got)
    assert got == want  # byte for byte
    parsed = summary_pb2.Summary.FromString(got[0])
    assert parsed == summary_pb2.Summary.FromString(want[0])
    assert [v.tag for v in parsed.value] == [
        "layer/loss", "layer/loss_1", "fam/layer/fam/w", "layer/HistogramSummary",
        "img/image/0", "img/image/1", "one/image", "txt", "ts", "sound/sound/au/audio/0",
        "sound/sound/au/audio/1", "a_b_c", "lead"]
    assert "Summary name a b:c is illegal; using a_b_c instead." in caplog.text
    assert [v.tag for v in summary_pb2.Summary.FromString(got[1]).value] == ["mine"]


def test_merge_all_none_when_nothing_to_merge_and_scope_filters():
    def build(t):
        none = t.summary.merge_all()
        with t.name_scope("train"):
            a = t.summary.scalar("a", 1.0)
        with t.name_scope("test"):
            t.summary.scalar("b", 2.0)
        return [t.summary.merge_all(scope="train"), t.summary.merge([a], name="just a")], \
            dict(none=none)
    (want, winfo), (got, ginfo) = _both(build)
    assert winfo["none"] is None and ginfo["none"] is None
    assert got == want
    assert [v.tag for v in summary_pb2.Summary.FromString(got[0]).value] == ["train/a"]


def test_merge_adds_to_given_collections_only():
    def build(t):
        s = t.summary.scalar("s", 1.0, collections=[])
        m = t.summary.merge([s], collections=["merged"])
        return m, dict(summ=_names(t.get_collection(t.GraphKeys.SUMMARIES)),
                       merged=_names(t.get_collection("merged")), name=m.name)
    (want, winfo), (got, ginfo) = _both(build)
    assert ginfo == winfo
    assert ginfo["summ"] == [] and ginfo["merged"] == ["Merge/MergeSummary:0"]
    assert got == want


# ----- values, bit for bit -------------------------------------------------------------------
_floats = hnp.arrays(np.float32, hnp.array_shapes(min_dims=1, max_dims=2, max_side=20),
                     elements=st.floats(-1e6, 1e6, width=32))


@given(values=_floats)
def test_histogram_and_scalar_bytes_equal_oracle(values):
    def build(t):
        x = t.placeholder(tf.float32, None, name="x")
        return [t.summary.histogram("h", x), t.summary.scalar("s", t.reduce_sum(x)),
                t.summary.tensor_summary("t", x)], dict(x=x)
    (want, _), (got, _) = _both(build, lambda info: {info["x"]: values})
    assert got == want
    histo = summary_pb2.Summary.FromString(got[0]).value[0].histo
    assert histo.num == values.size
    assert np.float32(summary_pb2.Summary.FromString(got[1]).value[0].simple_value) == \
        np.float32(summary_pb2.Summary.FromString(want[1]).value[0].simple_value)


@given(images=hnp.arrays(np.uint8, st.tuples(st.integers(1, 4), st.integers(1, 8),
                                              st.integers(1, 8), st.sampled_from([1, 3, 4]))),
       max_outputs=st.integers(1, 3))
def test_image_png_bytes_equal_oracle(images, max_outputs):
    def build(t):
        x = t.placeholder(tf.uint8, [None, None, None, None], name="x")
        f = t.cast(x, tf.float32) / 255.0 - 0.5  # float images are rescaled by the kernel
        return [t.summary.image("u8", x, max_outputs=max_outputs),
                t.summary.image("f", f, max_outputs=max_outputs)], dict(x=x)
    (want, _), (got, _) = _both(build, lambda info: {info["x"]: images})
    assert got == want
    values = summary_pb2.Summary.FromString(got[0]).value
    assert len(values) == min(max_outputs, images.shape[0])
    assert (values[0].image.height, values[0].image.width) == images.shape[1:3]


def test_audio_and_text_bytes_equal_oracle():
    clips = np.sin(np.linspace(0, 20, 3 * 40, dtype=np.float32)).reshape(3, 40)

    def build(t):
        x = t.placeholder(tf.float32, [None, None], name="x")
        return [t.summary.audio("a", x, sample_rate=16000),
                t.summary.text("words", t.constant([["a", "b"], ["c", "d"]]))], dict(x=x)
    (want, _), (got, _) = _both(build, lambda info: {info["x"]: clips})
    assert got == want
    audio = summary_pb2.Summary.FromString(got[0]).value
    assert [v.tag for v in audio] == ["a/audio/0", "a/audio/1", "a/audio/2"]
    assert audio[0].audio.sample_rate == 16000 and audio[0].audio.length_frames == 40
    text = summary_pb2.Summary.FromString(got[1]).value[0]
    assert text.metadata.plugin_data.plugin_name == "text"


# ----- errors: the oracle's class and text ------------------------------------------------------
def _error(runner, build, feeds_of=None):
    try:
        runner(build, feeds_of)
    except Exception as err:  # noqa: BLE001 - returned to compare
        return err
    raise AssertionError(f"{runner.__name__} raised nothing")


def _kernel_lines(err) -> list[str]:
    """The kernel's message and the node it names. The lines around them differ by design: the
    oracle's Session adds the Python stack where the node was built, the shim's compiled
    function adds its function name."""
    lines = str(err).splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("\t [[{{node "))
    return [lines[at - 1], lines[at].split("]]")[0]]


@pytest.mark.parametrize("bad, line", [
    (np.nan, "Nan in summary histogram for: fam/w"),
    (np.inf, "Infinity in Histogram for: fam/w"),
])
def test_nan_histogram_same_error(bad, line):
    def build(t):
        x = t.placeholder(tf.float32, [None], name="x")
        return t.summary.histogram("w", x, family="fam"), dict(x=x)
    feeds = lambda info: {info["x"]: np.array([1.0, bad], np.float32)}  # noqa: E731
    want, got = _error(_oracle, build, feeds), _error(_shim, build, feeds)
    assert type(got) is type(want) is tf.errors.InvalidArgumentError
    assert _kernel_lines(got) == _kernel_lines(want) == [line, "\t [[{{node fam/w}}"]


@pytest.mark.parametrize("make, line", [
    (lambda t: t.summary.image("bad", t.zeros([4, 4, 1])),
     "Tensor must be 4-D with last dim 1, 3, or 4, not [4,4,1]"),
    (lambda t: t.summary.image("bad", t.zeros([1, 4, 4, 2])),
     "Tensor must be 4-D with last dim 1, 3, or 4, not [1,4,4,2]"),
    (lambda t: t.summary.scalar("bad", t.zeros([2, 2])),
     "tags and values are not the same shape: [] != [2,2] (tag 'bad')"),
])
def test_bad_image_rank_and_scalar_shape_same_error(make, line):
    build = lambda t: (make(t), None)  # noqa: E731
    want, got = _error(_oracle, build), _error(_shim, build)
    assert type(got) is type(want) is tf.errors.InvalidArgumentError
    assert _kernel_lines(want) == [line, "\t [[{{node bad}}"]
    # The summary of constants is left to Grappler's constant folding (a Session's classic
    # constant folding folds such nodes too, and folding is what keeps fetched constant
    # expressions bit-equal); the folder re-creates the failing node as ``bad_0``.
    assert _kernel_lines(got) in ([line, "\t [[{{node bad}}"], [line, "\t [[{{node bad_0}}"])


def _build_error(make):
    with tf.Graph().as_default():
        try:
            make(V1)
        except Exception as err:  # noqa: BLE001
            want = err
        else:
            raise AssertionError("the oracle raised nothing")
    graph = shim.Graph()
    with graph.as_default():
        with pytest.raises(type(want)) as info:
            make(shim)
    assert str(info.value) == str(want)
    return info.value, graph


@pytest.mark.parametrize("make", [
    pytest.param(lambda t: t.summary.scalar(3, t.constant(1.0)), id="int tag"),
    pytest.param(lambda t: t.summary.histogram(b"h", t.constant(1.0)), id="bytes tag"),
    pytest.param(lambda t: t.summary.scalar(None, t.constant(1.0)), id="no name"),
    pytest.param(lambda t: t.summary.text("t", t.constant(1.0)), id="text of floats"),
    pytest.param(lambda t: t.summary.merge([t.constant(1.0)]), id="merge of floats"),
])
def test_wrong_tag_or_input_type_same_error_at_build_time(make):
    err, graph = _build_error(make)
    assert isinstance(err, (TypeError, ValueError))
    # nothing half-written: no summary was collected
    assert graph.get_collection(shim.GraphKeys.SUMMARIES) == []


def test_duplicate_tag_in_merge_same_error():
    def build(t):
        return t.summary.merge([t.summary.scalar("d", 1.0, collections=[]),
                                t.summary.scalar("d", 2.0, family="d")]), None
    (want, _), (got, _) = _both(build)  # tags "d" and "d/d/d" differ: no error
    assert got == want

    def dup(t):
        a = t.summary.scalar("d", 1.0)
        return t.summary.merge([a, a]), None
    want, got = _error(_oracle, dup), _error(_shim, dup)
    assert type(got) is type(want) is tf.errors.InvalidArgumentError
    assert _kernel_lines(got) == _kernel_lines(want)
    assert "Duplicate tag d found in summary inputs" in _kernel_lines(got)[0]
