"""export_meta_graph / import_meta_graph against tf.compat.v1 (the oracle, inside
``tf.Graph().as_default()``): a .meta written by either side is imported by the other, restored,
evaluated by tensor name and trained on with the restored train_op, with the same numbers."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import tftrain_compat as shim
from test_saver import XS, YS, _model, _values

V1 = tf.compat.v1


def _write(t, graph, session, folder, opt="adam"):
    """Builds the model, trains 3 steps, saves (with its .meta); returns the checkpoint path."""
    with graph.as_default():
        model = _model(t, opt)
        t.add_to_collection("train_op", model[3])
        t.add_to_collection("my_tensors", model[2])
        t.add_to_collection("my_numbers", 3)
        saver = t.train.Saver()
        with session() as sess:
            sess.run(t.global_variables_initializer())
            for i in range(3):
                sess.run(model[3], {model[0]: XS[i], model[1]: YS[i]})
            return saver.save(sess, str(folder / "model.ckpt"), global_step=3)


def _resume(t, graph, session, path, import_scope=None):
    """TF1's "restore and continue" script: import the .meta, restore, evaluate, train."""
    with graph.as_default():
        saver = t.train.import_meta_graph(path + ".meta", import_scope=import_scope)
        g = t.get_default_graph()
        pre = import_scope + "/" if import_scope else ""
        loss = g.get_tensor_by_name(pre + "loss:0")
        train = t.get_collection("train_op")[0]
        names = ({k: [getattr(v, "name", v) for v in t.get_collection(k)]
                  for k in ("variables", "trainable_variables", "global_step", "my_tensors",
                            "my_numbers")})
        with session() as sess:
            saver.restore(sess, path)
            evaluated = sess.run(loss, {pre + "x:0": XS[3], pre + "y:0": YS[3]})
            losses = [sess.run([loss, train], {pre + "x:0": XS[i], pre + "y:0": YS[i]})[0]
                      for i in (3, 4)]
            step = sess.run(t.train.get_global_step())
            values = _values(t, sess)
    return evaluated, losses, step, values, names


@pytest.mark.parametrize("writer", ["tf1", "shim"])
def test_meta_graph_imported_restored_trained_both_ways(tmp_path, writer):
    if writer == "tf1":
        path = _write(V1, tf.Graph(), V1.Session, tmp_path)
    else:
        path = _write(shim, shim.Graph(), shim.Session, tmp_path)
    want = _resume(V1, tf.Graph(), V1.Session, path)
    got = _resume(shim, shim.Graph(), shim.Session, path)
    assert np.array_equal(got[0], want[0])
    assert np.array_equal(got[1], want[1])
    assert got[2] == want[2] == 5
    assert sorted(got[3]) == sorted(want[3])
    for k in want[3]:
        assert np.array_equal(got[3][k], want[3][k]), k
    assert got[4] == want[4]
    assert got[4]["global_step"] == ["global_step:0"]
    assert got[4]["my_numbers"] == [3]


def test_import_scope_and_as_text(tmp_path):
    path = _write(V1, tf.Graph(), V1.Session, tmp_path, opt="momentum")
    want = _resume(V1, tf.Graph(), V1.Session, path, import_scope="imported")
    got = _resume(shim, shim.Graph(), shim.Session, path, import_scope="imported")
    assert np.array_equal(got[1], want[1])
    assert got[4] == want[4]
    assert got[4]["trainable_variables"][0].startswith("imported/")
    # text format round trip, written by the shim and read by both
    with shim.Graph().as_default():
        saver = shim.train.import_meta_graph(path + ".meta", clear_devices=True)
        mg = saver.export_meta_graph(str(tmp_path / "again.meta.txt"), as_text=True)
        assert mg.saver_def == saver.saver_def
    with tf.Graph().as_default():
        V1.train.import_meta_graph(str(tmp_path / "again.meta.txt"))
        assert sorted(v.name for v in V1.global_variables()) == sorted(
            n.replace("imported/", "") for n in want[4]["variables"])
    with shim.Graph().as_default():
        shim.train.import_meta_graph(str(tmp_path / "again.meta.txt"))
        assert sorted(v.name for v in shim.global_variables()) == sorted(
            n.replace("imported/", "") for n in want[4]["variables"])


def test_imported_variables_initialize_in_a_new_session(tmp_path):
    """Imported VarHandleOps get per-session state: uninitialized until an initializer runs."""
    path = _write(V1, tf.Graph(), V1.Session, tmp_path)
    with tf.Graph().as_default():
        V1.train.import_meta_graph(path + ".meta")
        with V1.Session() as sess:
            sess.run(V1.global_variables_initializer())
            want = _values(V1, sess)
    with shim.Graph().as_default():
        shim.train.import_meta_graph(path + ".meta")
        w = shim.get_default_graph().get_tensor_by_name("net/W:0")
        assert w.dtype == tf.resource
        with shim.Session() as sess:
            with pytest.raises(tf.errors.FailedPreconditionError):
                sess.run("loss:0", {"x:0": XS[0], "y:0": YS[0]})
            sess.run(shim.global_variables_initializer())
            got = _values(shim, sess)
        with shim.Session() as other:  # a second session starts uninitialized again
            with pytest.raises(tf.errors.FailedPreconditionError):
                other.run(shim.trainable_variables()[0])
    assert sorted(got) == sorted(want)
    for k in want:
        assert np.array_equal(got[k], want[k]), k


def test_export_meta_graph_collections_and_saver_def_match_tf1():
    mgs = {}
    for t, graph in ((shim, shim.Graph()), (V1, tf.Graph())):
        with graph.as_default():
            x, y, loss, train = _model(t, "rmsprop")
            t.add_to_collection("train_op", train)
            t.add_to_collection("strings", "hello")
            saver = t.train.Saver()
            mgs[t] = t.train.export_meta_graph(saver_def=saver.as_saver_def())
    a, b = mgs[shim], mgs[V1]
    assert sorted(a.collection_def) == sorted(b.collection_def)
    for key in b.collection_def:
        assert a.collection_def[key] == b.collection_def[key], key
    assert a.saver_def == b.saver_def
    assert a.meta_info_def.tensorflow_version == b.meta_info_def.tensorflow_version
    ops_a = {op.name for op in a.meta_info_def.stripped_op_list.op}
    ops_b = {op.name for op in b.meta_info_def.stripped_op_list.op}
    assert ops_a == {n.op for n in a.graph_def.node}
    # The shim's save writes a temporary shard then merges it (TF1's sharded layout).
    assert ops_a - ops_b == {"StringJoin", "ShardedFilename", "MergeV2Checkpoints"}
    assert ops_b <= ops_a
    assert a.meta_info_def.stripped_op_list.op[0].summary == ""
    model_nodes = [{n.name for n in m.graph_def.node if not n.name.startswith("save/")}
                   for m in (a, b)]
    assert model_nodes[0] == model_nodes[1]


def test_import_meta_graph_errors():
    with shim.Graph().as_default():
        with pytest.raises(IOError, match="^File does not exist. Received: /no/such.meta.$"):
            shim.train.import_meta_graph("/no/such.meta")
    with tf.Graph().as_default():
        with pytest.raises(IOError, match="^File does not exist. Received: /no/such.meta.$"):
            V1.train.import_meta_graph("/no/such.meta")


def test_import_without_saver_def_makes_default_saver(tmp_path):
    with shim.Graph().as_default():
        shim.Variable(np.float32(4.0), name="v")
        mg = shim.train.export_meta_graph()
        assert not mg.HasField("saver_def")
    with shim.Graph().as_default():
        saver = shim.train.import_meta_graph(mg)
        assert saver.as_saver_def().restore_op_name == "save/restore_all"
        with shim.Session() as sess:
            sess.run(shim.global_variables_initializer())
            path = saver.save(sess, str(tmp_path / "m"), write_meta_graph=False)
    assert tf.train.load_variable(path, "v") == 4.0
    with shim.Graph().as_default():
        shim.constant(1.0)
        assert shim.train.import_meta_graph(shim.train.export_meta_graph()) is None


def test_reference_variable_graph_refused_before_importing(tmp_path):
    """A .meta of TF1 reference variables (VariableV2) is refused with a clear error and the
    graph is left as it was; its checkpoint still restores into a model rebuilt in code."""
    with tf.Graph().as_default():
        v = V1.get_variable("v", initializer=np.float32(5.0), use_resource=False)
        saver = V1.train.Saver()
        with V1.Session() as sess:
            sess.run(v.initializer)
            path = saver.save(sess, str(tmp_path / "ref"))
    with shim.Graph().as_default() as g:
        with pytest.raises(NotImplementedError, match="v is a TF1 reference variable "
                                                      r"\(VariableV2\).*- help: rebuild"):
            shim.train.import_meta_graph(path + ".meta")
        assert g.get_operations() == []
        w = shim.get_variable("v", [], dtype=tf.float32)
        with shim.Session() as sess:
            shim.train.Saver().restore(sess, path)
            assert sess.run(w) == 5.0
