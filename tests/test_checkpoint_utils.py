"""The checkpoint state file helpers, the readers and init_from_checkpoint against
tf.compat.v1 (the oracle, inside ``tf.Graph().as_default()`` where it builds a graph)."""
from __future__ import annotations

import os

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, strategies as st

import tftrain_compat as shim
from tftrain_compat._src.training import checkpoint_management as cm

V1 = tf.compat.v1
W0 = np.arange(12, dtype=np.float32).reshape(4, 3) / 7
B0 = np.array([1.5, -2.0, 0.25], np.float32)


def _tf1_checkpoint(folder) -> str:
    with tf.Graph().as_default():
        with V1.variable_scope("net"):
            V1.get_variable("W", initializer=W0)
            V1.get_variable("b", initializer=B0)
        V1.get_variable("c", initializer=np.int32(7))
        saver = V1.train.Saver()
        with V1.Session() as sess:
            sess.run(V1.global_variables_initializer())
            return saver.save(sess, str(folder / "model.ckpt"), global_step=1)


# ----- the state file --------------------------------------------------------------------------
def test_checkpoint_state_class_private_equals_public_fallback():
    """Alarm: the one private import (the generated CheckpointState module) must be the class
    the public fallback finds; fails loudly if a TF release moves it."""
    from tensorflow.python.training.checkpoint_state_pb2 import CheckpointState
    assert cm.CheckpointState is CheckpointState
    assert cm._checkpoint_state_class_public() is CheckpointState


_PATH = st.text(alphabet="abc-_.0123456789", min_size=1, max_size=8)


@given(save_dir=st.sampled_from(["/tmp/ck", "rel/dir", "/abs"]),
       paths=st.lists(st.tuples(st.booleans(), _PATH), max_size=4),
       last=st.tuples(st.booleans(), _PATH))
def test_generate_checkpoint_state_proto_equals_tf1(save_dir, paths, last):
    def full(pair):
        absolute, name = pair
        return os.path.join(save_dir if absolute else "", name)
    all_paths = [full(p) for p in paths]
    model = full(last)
    want = V1.train.generate_checkpoint_state_proto(save_dir, model, list(all_paths))
    got = shim.train.generate_checkpoint_state_proto(save_dir, model, list(all_paths))
    assert got == want


def test_update_checkpoint_state_file_text_equals_tf1(tmp_path):
    texts = {}
    for t in (shim, V1):
        folder = tmp_path / t.__name__
        folder.mkdir()
        t.train.update_checkpoint_state(str(folder), str(folder / "m-2"),
                                        [str(folder / "m-1"), str(folder / "m-2")])
        t.train.update_checkpoint_state(str(folder), "m-3", latest_filename="other",
                                        all_model_checkpoint_timestamps=[5.0],
                                        last_preserved_timestamp=2.5)
        texts[t] = [(folder / n).read_text().replace(str(folder), "D")
                    for n in ("checkpoint", "other")]
        state = t.train.get_checkpoint_state(str(folder), "other")
        assert state.model_checkpoint_path == str(folder / "m-3")  # made absolute on read
        with pytest.raises(RuntimeError, match="conflicts with path used for checkpoint state"):
            t.train.update_checkpoint_state(str(folder), str(folder / "checkpoint"))
    assert texts[shim] == texts[V1]
    assert texts[shim][0] == ('model_checkpoint_path: "D/m-2"\nall_model_checkpoint_paths: '
                              '"D/m-1"\nall_model_checkpoint_paths: "D/m-2"\n')
    with pytest.raises(ValueError, match="^Checkpoint timestamps, if provided, must match"):
        shim.train.generate_checkpoint_state_proto("/d", "/d/a", ["/d/b"], [1.0])


def test_exists_mtimes_remove_equal_tf1(tmp_path):
    path = _tf1_checkpoint(tmp_path)
    (tmp_path / "v1file").write_text("x")  # a V1 checkpoint is one file named by its prefix
    prefixes = [path, str(tmp_path / "v1file"), str(tmp_path / "none")]
    for p in prefixes:
        assert shim.train.checkpoint_exists(p) == V1.train.checkpoint_exists(p)
    assert shim.train.get_checkpoint_mtimes(prefixes) == V1.train.get_checkpoint_mtimes(prefixes)
    assert len(shim.train.get_checkpoint_mtimes(prefixes)) == 2
    assert shim.train.latest_checkpoint(str(tmp_path)) == path
    assert shim.train.latest_checkpoint(str(tmp_path / "nowhere")) is None
    before = sorted(os.listdir(tmp_path))
    shim.train.remove_checkpoint(path)
    assert sorted(os.listdir(tmp_path)) == [n for n in before if not n.startswith("model.ckpt-1")]
    assert not shim.train.checkpoint_exists(path)
    shim.train.remove_checkpoint(path)  # nothing left: not an error
    shim.train.remove_checkpoint(str(tmp_path / "v1file"), shim.train.SaverDef.V1)
    assert not (tmp_path / "v1file").exists()


# ----- readers -----------------------------------------------------------------------------------
def test_readers_equal_tf1(tmp_path):
    path = _tf1_checkpoint(tmp_path)
    got, want = shim.train.NewCheckpointReader(path), V1.train.NewCheckpointReader(path)
    assert got.get_variable_to_shape_map() == want.get_variable_to_shape_map()
    assert got.get_variable_to_dtype_map() == want.get_variable_to_dtype_map()
    assert np.array_equal(got.get_tensor("net/W"), W0)
    assert shim.train.list_variables(str(tmp_path)) == V1.train.list_variables(str(tmp_path))
    assert np.array_equal(shim.train.load_variable(path, "net/b"), B0)
    assert shim.train.load_checkpoint(str(tmp_path)).has_tensor("c")
    for t in (shim, V1):
        with pytest.raises(tf.errors.NotFoundError) as info:
            t.train.NewCheckpointReader(str(tmp_path / "missing"))
        assert str(info.value).startswith("Unsuccessful TensorSliceReader constructor: Failed "
                                          "to find any matching files for")


# ----- init_from_checkpoint ---------------------------------------------------------------------
def _init_from(t, graph, session, path, assignment_map_fn):
    with graph.as_default():
        with t.variable_scope("new"):
            w = t.get_variable("W", [4, 3])
            b = t.get_variable("b", [3])
        c = t.get_variable("other_c", [], dtype=tf.int32)
        t.train.init_from_checkpoint(path, assignment_map_fn(w, b, c))
        with session() as sess:
            sess.run(t.global_variables_initializer())
            return [sess.run(v) for v in (w, b, c)]


@pytest.mark.parametrize("form", ["scope", "names", "variables", "pairs", "root"])
def test_init_from_checkpoint_equals_tf1(tmp_path, form):
    path = _tf1_checkpoint(tmp_path)
    maps = {
        "scope": lambda w, b, c: {"net/": "new/", "c": "other_c"},
        "names": lambda w, b, c: {"net/W": "new/W", "net/b": "new/b", "c": "other_c"},
        "variables": lambda w, b, c: {"net/W": w, "net/b": b, "c": c},
        "pairs": lambda w, b, c: [("c", c), ("net/", "new/")],
        "root": lambda w, b, c: {"net/": "new/", "c": c},
    }
    want = _init_from(V1, tf.Graph(), V1.Session, path, maps[form])
    got = _init_from(shim, shim.Graph(), shim.Session, path, maps[form])
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and np.array_equal(g, w)
    assert np.array_equal(got[0], W0) and got[2] == 7


@pytest.mark.parametrize("bad", ["missing", "shape", "scope_to_name", "missing_in_scope"])
def test_init_from_checkpoint_errors_as_tf1(tmp_path, bad):
    path = _tf1_checkpoint(tmp_path)
    texts = []
    for t, graph in ((shim, shim.Graph()), (V1, tf.Graph())):
        with graph.as_default():
            with t.variable_scope("new"):
                t.get_variable("W", [4, 3])
                t.get_variable("W2", [2, 2])
            m = {"missing": {"zz": "new/W"}, "shape": {"net/W": "new/W2"},
                 "scope_to_name": {"net": "new/"}, "missing_in_scope": {"net/": "new/"}}[bad]
            with pytest.raises(ValueError) as info:
                t.train.init_from_checkpoint(path, m)
            texts.append(str(info.value))
    assert texts[0] == texts[1]


def test_init_from_checkpoint_error_changes_no_initializer(tmp_path):
    path = _tf1_checkpoint(tmp_path)
    with shim.Graph().as_default():
        w = shim.get_variable("w", [4, 3], initializer=shim.zeros_initializer())
        before = w.initializer.name
        with pytest.raises(ValueError, match="Tensor zz is not found"):
            # sorted: "net/W" (valid, first) is processed before "zz" (missing)
            shim.train.init_from_checkpoint(path, {"net/W": "w", "zz": "w"})
        assert w.initializer.name == before
        with shim.Session() as sess:
            sess.run(w.initializer)
            assert not sess.run(w).any()
        shim.train.init_from_checkpoint(path, {"net/W": "w"})
        assert w.initializer.name != before
        with shim.Session() as sess:
            sess.run(shim.global_variables_initializer())
            assert np.array_equal(sess.run(w), W0)


# ----- tf.contrib.framework's helpers (TF1's documented behaviour; contrib left TF in 2.0) ----
def test_contrib_get_variables_to_restore_scopes():
    with shim.Graph().as_default():
        with shim.variable_scope("net"):
            shim.get_variable("W", [1])
            with shim.variable_scope("head"):
                shim.get_variable("V", [1])
        shim.get_variable("c", [1])
        names = lambda vs: [v.op.name for v in vs]  # noqa: E731
        cf = shim.contrib.framework
        assert names(cf.get_variables_to_restore()) == ["net/W", "net/head/V", "c"]
        assert names(cf.get_variables_to_restore(include=["net"])) == ["net/W", "net/head/V"]
        assert names(cf.get_variables_to_restore(exclude=["net/head"])) == ["net/W", "c"]
        assert names(cf.get_variables_to_restore(include=["net", "c"], exclude=["net/W"])) == [
            "net/head/V", "c"]
        with pytest.raises(TypeError, match="include is provided but is not a list"):
            cf.get_variables_to_restore(include="net")


def test_contrib_assign_from_checkpoint_fn(tmp_path, caplog):
    path = _tf1_checkpoint(tmp_path)
    cf = shim.contrib.framework
    with shim.Graph().as_default():
        with shim.variable_scope("net"):
            w = shim.get_variable("W", [4, 3])
            shim.get_variable("extra", [2])
        with pytest.raises(ValueError, match="^var_list cannot be empty$"):
            cf.assign_from_checkpoint_fn(path, [])
        assert cf.assign_from_checkpoint_fn(
            path, {"nothing": w}, ignore_missing_vars=True) is None
        fn = cf.assign_from_checkpoint_fn(path, cf.get_variables_to_restore(include=["net"]),
                                          ignore_missing_vars=True)
        assert "Variable net/extra missing in checkpoint" in caplog.text
        with shim.Session() as sess:
            fn(sess)
            assert np.array_equal(sess.run(w), W0)
        strict = cf.assign_from_checkpoint_fn(path, cf.get_variables_to_restore())
        with shim.Session() as sess:
            with pytest.raises(tf.errors.NotFoundError, match="Key net/extra not found"):
                strict(sess)
