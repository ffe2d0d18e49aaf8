"""TF1 input pipelines against tf.compat.v1: tf.data iterators in graph mode and queue pipelines,
with per-session state (each Session its own iterator position and queue contents)."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import tftrain_compat as shim

V1 = tf.compat.v1


def _drain(sess, fetch, limit=100):
    out = []
    for _ in range(limit):
        try:
            out.append(sess.run(fetch))
        except tf.errors.OutOfRangeError:
            return out, True
    return out, False


def _tolist(values):
    return [{k: v.tolist() for k, v in x.items()} if isinstance(x, dict) else
            np.asarray(x).tolist() for x in values]


def _iterator_program(t, data, graph_seed):
    t.set_random_seed(graph_seed)
    x = t.placeholder(tf.int64, [None], name="x")
    ds = t.data.Dataset.from_tensor_slices({"a": x, "b": x * 3}).shuffle(4).batch(2)
    it = t.data.make_initializable_iterator(ds)
    return x, it, it.get_next()


@pytest.mark.parametrize("seed", [1, 7])
def test_initializable_iterator_values_order_and_reinitialisation(seed):
    feeds = [np.arange(7), np.arange(100, 103)]
    with tf.Graph().as_default():
        x, it, nxt = _iterator_program(V1, None, seed)
        with V1.Session() as sess:
            want = []
            for f in feeds:
                sess.run(it.initializer, {x: f})
                want.append(_drain(sess, nxt))
    with shim.Graph().as_default():
        x, it, nxt = _iterator_program(shim, None, seed)
        assert isinstance(nxt, dict) and isinstance(nxt["a"], shim.Tensor)
        with shim.Session() as sess:
            got = []
            for f in feeds:
                sess.run(it.initializer, {x: f})
                got.append(_drain(sess, nxt))
    for (w, wend), (g, gend) in zip(want, got):
        assert wend and gend
        assert _tolist(g) == _tolist(w)


def test_out_of_range_error_class_and_two_independent_sessions():
    with shim.Graph().as_default():
        nxt = shim.data.Dataset.range(3).map(lambda v: shim.square(v) + 1).make_one_shot_iterator().get_next()
        s1, s2 = shim.Session(), shim.Session()
        assert [s1.run(nxt), s1.run(nxt)] == [1, 2]
        assert s2.run(nxt) == 1  # its own iterator
        assert s1.run(nxt) == 5
        with pytest.raises(shim.errors.OutOfRangeError):
            s1.run(nxt)
        assert shim.errors.OutOfRangeError is tf.errors.OutOfRangeError
        assert s2.run(nxt) == 2
        s1.close(), s2.close()
        s3 = shim.Session()
        assert s3.run(nxt) == 1  # a new session starts over
        s3.close()


def test_from_structure_and_make_initializer():
    def build(t):
        D = t.data.Dataset if t is shim else V1.data.Dataset
        Iterator = t.data.Iterator if t is shim else V1.data.Iterator
        a, b = D.range(3), D.range(10, 12)
        it = Iterator.from_structure(
            V1.data.get_output_types(a._ds if t is shim else a),
            V1.data.get_output_shapes(a._ds if t is shim else a))
        return it.make_initializer(a), it.make_initializer(b), it.get_next()

    with tf.Graph().as_default():
        ia, ib, nxt = build(tf)
        with V1.Session() as sess:
            want = [sess.run(ia), _drain(sess, nxt), sess.run(ib), _drain(sess, nxt)]
    with shim.Graph().as_default():
        ia, ib, nxt = build(shim)
        with shim.Session() as sess:
            got = [sess.run(ia), _drain(sess, nxt), sess.run(ib), _drain(sess, nxt)]
    assert got[1] == want[1] and got[3] == want[3]


def _queue_pipeline(t, shuffle, seed):
    (V1 if t is tf else shim).set_random_seed(seed)
    train = V1.train if t is tf else shim.train
    data = np.arange(20, dtype=np.int64)
    # The seeded shuffle of slice_input_producer is deterministic; shuffle_batch's order depends
    # on thread timing in TF1 too (what is in its queue at each dequeue), so it is tested below
    # with the queue filled first.
    x, y = train.slice_input_producer([data, data * 10], num_epochs=2, shuffle=shuffle)
    return train.batch([x, y], batch_size=3)


def _run_queue(t, shuffle, seed):
    v = V1 if t is tf else shim
    graph = tf.Graph() if t is tf else shim.Graph()
    with graph.as_default():
        batch = _queue_pipeline(t, shuffle, seed)
        init = v.group(v.global_variables_initializer(), v.local_variables_initializer())
        with (V1.Session() if t is tf else shim.Session()) as sess:
            sess.run(init)
            coord = v.train.Coordinator()
            threads = v.train.start_queue_runners(sess, coord)
            out = []
            try:
                while not coord.should_stop():
                    out.append([b.tolist() for b in sess.run(batch)])
            except tf.errors.OutOfRangeError:
                out.append("end")
            finally:
                coord.request_stop()
                coord.join(threads)
    return out


@pytest.mark.parametrize("shuffle,seed", [(False, 0), (True, 5)])
def test_queue_pipeline_with_num_epochs_gives_the_oracles_batches(shuffle, seed):
    want = _run_queue(tf, shuffle, seed)
    got = _run_queue(shim, shuffle, seed)
    assert want[-1] == "end"
    assert got == want


def test_fifo_queue_state_is_per_session():
    with shim.Graph().as_default():
        q = shim.FIFOQueue(10, [shim.int32], shapes=[[]])
        enq = q.enqueue_many([[1, 2, 3]])
        size, deq, deq2 = q.size(), q.dequeue(), q.dequeue_many(2)
        s1, s2 = shim.Session(), shim.Session()
        s1.run(enq)
        assert (s1.run(size), s2.run(size)) == (3, 0)
        assert s1.run(deq) == 1 and s1.run(deq2).tolist() == [2, 3]
        s1.run(q.close())
        with pytest.raises(shim.errors.OutOfRangeError):
            s1.run(deq)
        s2.run(enq)
        assert s2.run(deq) == 1
        s1.close(), s2.close()


def test_tfrecord_reader_pipeline_reads_the_written_file(tmp_path):
    path = str(tmp_path / "data.tfrecord")
    with tf.io.TFRecordWriter(path) as writer:
        for i in range(5):
            writer.write(f"record-{i}".encode())

    def run(t):
        v = V1 if t is tf else shim
        graph = tf.Graph() if t is tf else shim.Graph()
        with graph.as_default():
            files = v.train.string_input_producer([path], num_epochs=1, shuffle=False)
            _, value = v.TFRecordReader().read(files)
            batch = v.train.batch([value], batch_size=2, allow_smaller_final_batch=True)
            with (V1.Session() if t is tf else shim.Session()) as sess:
                sess.run(v.local_variables_initializer())
                coord = v.train.Coordinator()
                threads = v.train.start_queue_runners(sess=sess, coord=coord)
                out = []
                try:
                    while not coord.should_stop():
                        out.append(sess.run(batch).tolist())
                except tf.errors.OutOfRangeError:
                    pass
                finally:
                    coord.request_stop()
                    coord.join(threads)
        return out

    want = run(tf)
    assert want == [[b"record-0", b"record-1"], [b"record-2", b"record-3"], [b"record-4"]]
    assert run(shim) == want


def test_random_shuffle_queue_order_follows_the_seeds():
    def run(v, graph, session):
        with graph.as_default():
            v.set_random_seed(11)
            q = v.RandomShuffleQueue(50, min_after_dequeue=5, dtypes=[tf.int32], shapes=[[]])
            enq, close = q.enqueue_many([np.arange(30, dtype=np.int32)]), q.close()
            deq = q.dequeue_many(4)
            with session() as sess:
                sess.run(enq)
                sess.run(close)
                return [b.tolist() for b in _drain(sess, deq)[0]]

    want = run(V1, tf.Graph(), V1.Session)
    assert run(shim, shim.Graph(), shim.Session) == want
    assert len(want) == 7


def test_queue_runner_of_our_own_and_add_queue_runner():
    with shim.Graph().as_default():
        q = shim.FIFOQueue(4, [shim.int64], shapes=[[]])
        counter = shim.data.Dataset.range(6).make_one_shot_iterator().get_next()
        qr = shim.train.QueueRunner(q, [q.enqueue([counter])])
        shim.train.add_queue_runner(qr)
        deq = q.dequeue()
        with shim.Session() as sess:
            coord = shim.train.Coordinator()
            threads = shim.train.start_queue_runners(sess, coord)
            got, ended = _drain(sess, deq)
            coord.request_stop()
            coord.join(threads)
    assert ended and got == list(range(6))
