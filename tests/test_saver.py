"""tf.train.Saver against tf.compat.v1's (the oracle, always inside ``tf.Graph().as_default()``):
checkpoints read both ways bit-equal, the files on disk and the state file, the reader's maps,
TF1's errors with the session unchanged after each, and atomic saves."""
from __future__ import annotations

import inspect
import os
import shutil

import numpy as np
import pytest
import tensorflow as tf

import tftrain_compat as shim
from support import assert_bitwise_equal

V1 = tf.compat.v1
RNG = np.random.RandomState(7)
W0 = RNG.randn(4, 3).astype(np.float32)
V0 = RNG.randn(3, 2).astype(np.float32)
XS = RNG.randn(5, 8, 4).astype(np.float32)
YS = RNG.randn(5, 8, 2).astype(np.float32)

OPTIMIZERS = {
    "adam": lambda t: t.train.AdamOptimizer(0.01),
    "momentum": lambda t: t.train.MomentumOptimizer(0.1, 0.9),
    "rmsprop": lambda t: t.train.RMSPropOptimizer(0.01, momentum=0.5),
}


def _model(t, opt: str):
    """Two get_variable scopes, an optimizer with slots, and the global step."""
    x = t.placeholder(tf.float32, [None, 4], name="x")
    y = t.placeholder(tf.float32, [None, 2], name="y")
    with t.variable_scope("net"):
        w = t.get_variable("W", initializer=t.constant_initializer(W0), shape=[4, 3])
        b = t.get_variable("b", [3], initializer=t.zeros_initializer())
    with t.variable_scope("out"):
        v = t.get_variable("V", initializer=t.constant_initializer(V0), shape=[3, 2])
    loss = t.reduce_mean(t.square(t.matmul(t.tanh(t.matmul(x, w) + b), v) - y), name="loss")
    step = t.train.get_or_create_global_step()
    train = OPTIMIZERS[opt](t).minimize(loss, global_step=step)
    return x, y, loss, train


def _values(t, sess) -> dict:
    return {v.op.name: sess.run(v) for v in t.global_variables()}


def _train(sess, model, steps) -> list:
    x, y, loss, train = model
    return [sess.run([loss, train], {x: XS[i], y: YS[i]})[0] for i in steps]


@pytest.mark.parametrize("opt", list(OPTIMIZERS))
def test_shim_checkpoint_restored_by_tf1_bit_equal(tmp_path, opt):
    with shim.Graph().as_default():
        model = _model(shim, opt)
        saver = shim.train.Saver()
        with shim.Session() as sess:
            sess.run(shim.global_variables_initializer())
            _train(sess, model, range(3))
            path = saver.save(sess, str(tmp_path / "model.ckpt"),
                              global_step=shim.train.get_global_step())
            saved = _values(shim, sess)
            after = _train(sess, model, [3, 4])
    assert path == str(tmp_path / "model.ckpt-3")
    with tf.Graph().as_default():
        model = _model(V1, opt)
        with V1.Session() as sess:
            V1.train.Saver().restore(sess, path)
            restored = _values(V1, sess)
            want_after = _train(sess, model, [3, 4])
    assert_bitwise_equal(saved, restored)
    assert {"net/W", "net/b", "out/V", "global_step"} <= set(saved)
    assert np.array_equal(after, want_after)


@pytest.mark.parametrize("opt", list(OPTIMIZERS))
def test_tf1_checkpoint_restored_by_shim_bit_equal(tmp_path, opt):
    with tf.Graph().as_default():
        model = _model(V1, opt)
        saver = V1.train.Saver()
        with V1.Session() as sess:
            sess.run(V1.global_variables_initializer())
            _train(sess, model, range(3))
            path = saver.save(sess, str(tmp_path / "model.ckpt"))
            saved = _values(V1, sess)
            want_after = _train(sess, model, [3, 4])
    with shim.Graph().as_default():
        model = _model(shim, opt)
        saver = shim.train.Saver()
        with shim.Session() as sess:
            saver.restore(sess, path)  # restoring initializes: no initializer run
            restored = _values(shim, sess)
            after = _train(sess, model, [3, 4])
    assert_bitwise_equal(saved, restored)
    assert np.array_equal(after, want_after)


def test_saveable_names_are_tf1s(tmp_path):
    names = {}
    for t, graph, session in ((shim, shim.Graph(), shim.Session), (V1, tf.Graph(), V1.Session)):
        with graph.as_default():
            _model(t, "adam")
            saver = t.train.Saver()
            with session() as sess:
                sess.run(t.global_variables_initializer())
                path = saver.save(sess, str(tmp_path / f"{t.__name__}.ckpt"),
                                  write_meta_graph=False)
        reader = (shim.train.NewCheckpointReader(path) if t is shim else
                  V1.train.NewCheckpointReader(path))
        names[t] = (reader.get_variable_to_shape_map(), reader.get_variable_to_dtype_map())
    assert names[shim] == names[V1]
    assert set(names[shim][0]) == {"net/W", "net/W/Adam", "net/W/Adam_1", "net/b", "net/b/Adam",
                                   "net/b/Adam_1", "out/V", "out/V/Adam", "out/V/Adam_1",
                                   "beta1_power", "beta2_power", "global_step"}


def test_saver_def_and_graph_names_are_tf1s():
    with shim.Graph().as_default() as g:
        shim.Variable(1.0, name="v")
        first, second = shim.train.Saver(), shim.train.Saver(max_to_keep=3)
        ops = {op.name for op in g.get_operations()}
    with tf.Graph().as_default():
        V1.Variable(1.0, name="v")
        want1, want2 = V1.train.Saver(), V1.train.Saver(max_to_keep=3)
    assert first.as_saver_def() == want1.as_saver_def()
    assert second.as_saver_def() == want2.as_saver_def()
    assert {"save/Const", "save/SaveV2", "save/RestoreV2", "save/restore_all",
            "save_1/restore_all"} <= ops


def test_max_to_keep_files_and_state_file_equal_tf1s(tmp_path):
    listing, state, last = {}, {}, {}
    for t, graph, session in ((shim, shim.Graph(), shim.Session), (V1, tf.Graph(), V1.Session)):
        folder = tmp_path / t.__name__
        folder.mkdir()
        with graph.as_default():
            model = _model(t, "momentum")
            saver = t.train.Saver(max_to_keep=2)
            with session() as sess:
                sess.run(t.global_variables_initializer())
                for i in range(3):
                    _train(sess, model, [i])
                    saver.save(sess, str(folder / "model.ckpt"), global_step=i * 10)
                last[t] = [os.path.basename(p) for p in saver.last_checkpoints]
        listing[t] = sorted(os.listdir(folder))
        state[t] = (folder / "checkpoint").read_text().replace(str(folder), "DIR")
        assert (shim.train.latest_checkpoint(str(folder)) ==
                V1.train.latest_checkpoint(str(folder)) == str(folder / "model.ckpt-20"))
    assert listing[shim] == listing[V1] == [
        "checkpoint", "model.ckpt-10.data-00000-of-00001", "model.ckpt-10.index",
        "model.ckpt-10.meta", "model.ckpt-20.data-00000-of-00001", "model.ckpt-20.index",
        "model.ckpt-20.meta"]
    assert state[shim] == state[V1]
    assert state[shim] == ('model_checkpoint_path: "DIR/model.ckpt-20"\n'
                           'all_model_checkpoint_paths: "DIR/model.ckpt-10"\n'
                           'all_model_checkpoint_paths: "DIR/model.ckpt-20"\n')
    assert last[shim] == last[V1] == ["model.ckpt-10", "model.ckpt-20"]


@pytest.mark.parametrize("kind", ["list", "tuple", "dict"])
def test_var_list_forms(tmp_path, kind):
    def build(t):
        a = t.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="a")
        b = t.Variable(np.int64(5), name="b")
        var_list = {"list": [b, a], "tuple": (a, b), "dict": {"first": a, "second/b": b}}[kind]
        return t.train.Saver(var_list)
    maps = {}
    for t, graph, session in ((shim, shim.Graph(), shim.Session), (V1, tf.Graph(), V1.Session)):
        with graph.as_default():
            saver = build(t)
            with session() as sess:
                sess.run(t.global_variables_initializer())
                path = saver.save(sess, str(tmp_path / t.__name__))
        reader = tf.train.load_checkpoint(path)
        maps[t] = {k: reader.get_tensor(k) for k in reader.get_variable_to_shape_map()}
    assert sorted(maps[shim]) == sorted(maps[V1])
    for k in maps[V1]:
        assert np.array_equal(maps[shim][k], maps[V1][k])


def test_var_list_errors_as_tf1():
    for t, graph in ((shim, shim.Graph()), (V1, tf.Graph())):
        with graph.as_default():
            a = t.Variable(1.0, name="a")
            with pytest.raises(ValueError, match="^The same saveable will be restored with two "
                                                 "names: y$"):
                t.train.Saver({"x": a, "y": a})
            # A bare variable: TypeError on both sides (TF1's comes from `if not var_list`).
            with pytest.raises(TypeError, match="^Variables to save should be passed in a dict "
                                                "or a list" if t is shim else "bool"):
                t.train.Saver(a)
            with pytest.raises(TypeError, match="Name is not a string: 3"):
                t.train.Saver({3: a})
            with pytest.raises(ValueError, match="^If `var_list` is provided then build cannot "
                                                 "be deferred"):
                t.train.Saver([a], defer_build=True)
    with shim.Graph().as_default():
        with pytest.raises(ValueError, match="^No variables to save$"):
            shim.train.Saver()
        assert shim.train.Saver(allow_empty=True).save(shim.Session(), "/nowhere/x",
                                                        write_meta_graph=False) is None


def test_signatures_match_tf1():
    for name in ("__init__", "save", "restore", "export_meta_graph", "recover_last_checkpoints",
                 "set_last_checkpoints", "set_last_checkpoints_with_time", "to_proto"):
        want = inspect.signature(getattr(V1.train.Saver, name))
        got = inspect.signature(getattr(shim.train.Saver, name))
        assert ([(p.name, p.default) for p in got.parameters.values()] ==
                [(p.name, p.default) for p in want.parameters.values()]), name


def test_last_checkpoints_helpers(tmp_path):
    with shim.Graph().as_default():
        v = shim.Variable(1.0, name="v")
        saver = shim.train.Saver(max_to_keep=2)
        with shim.Session() as sess:
            sess.run(v.initializer)
            paths = [saver.save(sess, str(tmp_path / "m"), global_step=i, write_meta_graph=False)
                     for i in range(2)]
        other = shim.train.Saver(max_to_keep=2)
        other.recover_last_checkpoints(paths + [str(tmp_path / "gone")])
        assert other.last_checkpoints == paths
        other.set_last_checkpoints(["a", "b"])
        assert other.last_checkpoints == ["a", "b"]
        assert other._last_checkpoints == [("a", np.inf), ("b", np.inf)]
        other.set_last_checkpoints_with_time([("c", 1.0)])
        assert other.last_checkpoints == ["c"]


# ----- errors ---------------------------------------------------------------------------------
def _saved_checkpoint(folder) -> str:
    with tf.Graph().as_default():
        a = V1.get_variable("a", initializer=W0)
        saver = V1.train.Saver()
        with V1.Session() as sess:
            sess.run(a.initializer)
            return saver.save(sess, str(folder / "good"), write_meta_graph=False)


def _damaged(folder, good: str, case: str) -> str:
    if case == "corrupt":   # every byte of the data file flipped: the checksum fails
        shutil.copy(good + ".index", folder / "c.index")
        data = (folder / "good.data-00000-of-00001").read_bytes()
        (folder / "c.data-00000-of-00001").write_bytes(bytes(b ^ 0xFF for b in data))
        return str(folder / "c")
    # truncated index: half of it
    shutil.copy(good + ".data-00000-of-00001", folder / "t.data-00000-of-00001")
    index = (folder / "good.index").read_bytes()
    (folder / "t.index").write_bytes(index[: len(index) // 2])
    return str(folder / "t")


def _restore_error(t, graph, session, case, path, use_resource=True):
    """(error, value before, value after, value after a good restore) for one restore attempt."""
    with graph.as_default():
        if case == "missing":
            v = t.get_variable("zz", initializer=np.ones((4, 3), np.float32))
        elif case == "shape":
            v = (t.get_variable("a", initializer=np.ones((2, 2), np.float32)) if use_resource
                 else t.get_variable("a", initializer=np.ones((2, 2), np.float32),
                                     use_resource=False))
        else:
            v = t.get_variable("a", initializer=np.ones((4, 3), np.float32))
        saver = t.train.Saver()
        with session() as sess:
            sess.run(v.initializer)
            before = sess.run(v)
            with pytest.raises(Exception) as info:
                saver.restore(sess, path)
            after = sess.run(v)
            return info.value, before, after, sess


HINT_MISSING = ("Restoring from checkpoint failed. This is most likely due to a Variable name or "
                "other graph key that is missing from the checkpoint. Please ensure that you "
                "have not altered the graph expected based on the checkpoint. Original error:\n\n")
HINT_MISMATCH = ("Restoring from checkpoint failed. This is most likely due to a mismatch "
                 "between the current graph and the graph from the checkpoint. Please ensure "
                 "that you have not altered the graph expected based on the checkpoint. "
                 "Original error:\n\n")


def _kernel_line(message: str, needle: str) -> str:
    return next(line for line in message.splitlines() if needle in line)


@pytest.mark.parametrize("case,needle", [
    ("nofile", "The passed save_path"), ("missing", "Key zz not found in checkpoint"),
    ("shape", "Assign requires shapes"), ("corrupt", "Checksum does not match"),
    ("trunc", "not an sstable"),
])
def test_restore_errors_as_tf1_session_unchanged(tmp_path, case, needle):
    good = _saved_checkpoint(tmp_path)
    path = {"nofile": str(tmp_path / "nothere"), "missing": good, "shape": good}.get(case)
    if path is None:
        path = _damaged(tmp_path, good, case)
    # The shape error is TF1's Assign check on its (reference) variables; tf.compat.v1's
    # resource variables on TF 2.21 skip it and silently take the wrong shape.
    want, *_ = _restore_error(V1, tf.Graph(), V1.Session, case, path,
                              use_resource=case != "shape")
    got, before, after, _ = _restore_error(shim, shim.Graph(), shim.Session, case, path)
    assert type(got) is type(want)
    assert np.array_equal(before, after)
    if case == "nofile":
        assert str(got) == str(want) == f"The passed save_path is not a valid checkpoint: {path}"
        return
    if case == "missing":
        assert got.message.startswith(HINT_MISSING) and want.message.startswith(HINT_MISSING)
    elif case == "shape":
        assert got.message.startswith(HINT_MISMATCH) and want.message.startswith(HINT_MISMATCH)
        assert _kernel_line(got.message, needle).endswith(
            "lhs shape= [2,2] rhs shape= [4,3]")
    assert _kernel_line(got.message, needle) == _kernel_line(want.message, needle)


def test_session_usable_after_restore_error(tmp_path):
    good = _saved_checkpoint(tmp_path)
    with shim.Graph().as_default():
        a = shim.get_variable("a", initializer=np.ones((4, 3), np.float32))
        saver = shim.train.Saver()
        with shim.Session() as sess:
            with pytest.raises(tf.errors.DataLossError):
                saver.restore(sess, _damaged(tmp_path, good, "corrupt"))
            with pytest.raises(tf.errors.FailedPreconditionError):
                sess.run(a)  # still uninitialized: the failed restore assigned nothing
            saver.restore(sess, good)
            assert np.array_equal(sess.run(a), W0)


def test_save_errors_as_tf1(tmp_path):
    for t, graph, session in ((shim, shim.Graph(), shim.Session), (V1, tf.Graph(), V1.Session)):
        with graph.as_default():
            v = t.Variable(1.0, name="v")
            saver = t.train.Saver()
            with session() as sess:
                sess.run(v.initializer)
                missing = str(tmp_path / "no" / "such" / "m")
                with pytest.raises(ValueError, match=r"^Parent directory of .*m doesn't exist, "
                                                     "can't save.$"):
                    saver.save(sess, missing)
                with pytest.raises(ValueError, match="'latest_filename' must not contain path"):
                    saver.save(sess, str(tmp_path / "m"), latest_filename="a/b")
                with pytest.raises(ValueError, match="'latest_filename' collides with"):
                    saver.save(sess, str(tmp_path / "checkpoint"))
                with pytest.raises(TypeError, match="^'sess' must be a Session; 3$"):
                    saver.save(3, str(tmp_path / "m"))
                assert sess.run(v) == 1.0
    with shim.Graph().as_default():
        v = shim.Variable(1.0, name="v")
        with shim.Session() as sess:
            with pytest.raises(tf.errors.FailedPreconditionError,
                               match="Attempting to use uninitialized value v"):
                shim.train.Saver().save(sess, str(tmp_path / "u"))
    assert not list(tmp_path.glob("u*"))


# ----- atomic saves ---------------------------------------------------------------------------
def _one_var_saver(value):
    v = shim.Variable(np.float32(value), name="v")
    return v, shim.train.Saver()


def test_interrupted_save_keeps_previous_checkpoint(tmp_path):
    """The data write fails (the checkpoint's temporary folder cannot be made): the previous
    checkpoint and the state file are as before, and nothing half-written is left."""
    prefix = str(tmp_path / "model.ckpt")
    with shim.Graph().as_default():
        v, saver = _one_var_saver(1.0)
        with shim.Session() as sess:
            sess.run(v.initializer)
            first = saver.save(sess, prefix)
            state = (tmp_path / "checkpoint").read_text()
            files = sorted(os.listdir(tmp_path))
            sess.run(v.assign(2.0))
            (tmp_path / "model.ckpt_temp").write_text("in the way")  # SaveV2 cannot mkdir
            with pytest.raises(tf.errors.OpError):
                saver.save(sess, prefix)
            (tmp_path / "model.ckpt_temp").unlink()
            assert sorted(os.listdir(tmp_path)) == files
            assert (tmp_path / "checkpoint").read_text() == state
            # and a failure at the final rename (a folder where the index goes), new prefix
            (tmp_path / "model.ckpt-7.index").mkdir()
            with pytest.raises(tf.errors.OpError):
                saver.save(sess, prefix, global_step=7)
            assert not (tmp_path / "model.ckpt-7_temp").exists()
            assert (tmp_path / "checkpoint").read_text() == state
            assert saver.last_checkpoints == [first]
    with tf.Graph().as_default():
        w = V1.Variable(0.0, name="v")
        with V1.Session() as sess:
            V1.train.Saver().restore(sess, V1.train.latest_checkpoint(str(tmp_path)))
            assert sess.run(w) == 1.0


def test_state_file_written_whole_or_not_at_all(tmp_path, monkeypatch):
    """A failure while the state file is replaced leaves the old one intact (write to a
    temporary name, then rename); no temporary file is left behind."""
    from tftrain_compat._src.training import checkpoint_management as cm
    prefix = str(tmp_path / "m")
    with shim.Graph().as_default():
        v, saver = _one_var_saver(3.0)
        with shim.Session() as sess:
            sess.run(v.initializer)
            saver.save(sess, prefix, global_step=1, write_meta_graph=False)
            state = (tmp_path / "checkpoint").read_text()

            def failing_rename(*args, **kwargs):
                raise tf.errors.UnavailableError(None, None, "disk went away")
            monkeypatch.setattr(cm.tf.io.gfile, "rename", failing_rename)
            with pytest.raises(tf.errors.UnavailableError):
                saver.save(sess, prefix, global_step=2, write_meta_graph=False)
            monkeypatch.undo()
    assert (tmp_path / "checkpoint").read_text() == state
    assert not list(tmp_path.glob("checkpoint.tmp*"))
    assert shim.train.latest_checkpoint(str(tmp_path)) == prefix + "-1"


def test_keep_checkpoint_every_n_hours(tmp_path, monkeypatch):
    """TF1's rule: a checkpoint leaving the max_to_keep window is kept when it is newer than
    the next keep time, which then moves on by keep_checkpoint_every_n_hours."""
    from tftrain_compat._src.training import saver as saver_mod
    clock = [1000.0]
    monkeypatch.setattr(saver_mod.time, "time", lambda: clock[0])
    with shim.Graph().as_default():
        v = shim.Variable(1.0, name="v")
        saver = shim.train.Saver(max_to_keep=1, keep_checkpoint_every_n_hours=1.0)
        with shim.Session() as sess:
            sess.run(v.initializer)
            for step in range(4):
                clock[0] += 1900.0  # a little over half an hour between saves
                saver.save(sess, str(tmp_path / "m"), global_step=step, write_meta_graph=False)
    kept = sorted(p.name[:-6] for p in tmp_path.glob("*.index"))
    # next keep time 1000+3600=4600: m-0 (2900) goes, m-1 (4800) is kept, next 8200: m-2 goes
    assert kept == ["m-1", "m-3"]


def test_relative_paths_and_padded_step_as_tf1(tmp_path):
    out = {}
    for t, graph, session in ((shim, shim.Graph(), shim.Session), (V1, tf.Graph(), V1.Session)):
        folder = tmp_path / t.__name__
        folder.mkdir()
        with graph.as_default():
            v = t.Variable(2.0, name="v")
            saver = t.train.Saver(save_relative_paths=True, pad_step_number=True)
            with session() as sess:
                sess.run(v.initializer)
                path = saver.save(sess, str(folder / "m"), global_step=3,
                                  latest_filename="state", meta_graph_suffix="mg")
        out[t] = (os.path.relpath(path, folder), sorted(os.listdir(folder)),
                  (folder / "state").read_text())
    assert out[shim] == out[V1]
    assert out[shim][0] == "m-00000003"
    assert out[shim][2] == ('model_checkpoint_path: "m-00000003"\n'
                            'all_model_checkpoint_paths: "m-00000003"\n')


def test_save_with_bare_relative_prefix_as_tf1(tmp_path, monkeypatch):
    """``saver.save(sess, "model.ckpt")`` in the working directory (no folder part)."""
    out = {}
    for t, graph, session in ((shim, shim.Graph(), shim.Session), (V1, tf.Graph(), V1.Session)):
        folder = tmp_path / t.__name__
        folder.mkdir()
        monkeypatch.chdir(folder)
        with graph.as_default():
            v = t.Variable(1.0, name="v")
            saver = t.train.Saver()
            with session() as sess:
                sess.run(v.initializer)
                out[t] = (saver.save(sess, "model.ckpt"), sorted(os.listdir(".")),
                          open("checkpoint").read(), t.train.latest_checkpoint("."))
    assert out[shim] == out[V1]
    assert out[shim][2] == 'model_checkpoint_path: "model.ckpt"\nall_model_checkpoint_paths: ' \
                           '"model.ckpt"\n'
