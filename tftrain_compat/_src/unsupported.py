"""The TF1 names tftrain_compat deliberately does not provide, each with its TF2 replacement.

One table drives the namespaces' ``__getattr__`` errors, the ``check`` command and the README's
coverage table.
"""
from __future__ import annotations

# Full TF1 name -> what to use instead on TF2.
UNSUPPORTED: dict[str, str] = {
    "tf.app": "absl.app / argparse",
    "tf.flags": "absl.flags / argparse",
    "tf.logging": "the logging module (or absl.logging)",
    "tf.layers": "tf.keras.layers (or write the layer with tf.Variable and tf.matmul)",
    "tf.estimator": "tf.keras.Model.fit (tf.estimator was removed in TF 2.16)",
    "tf.summary.FileWriter": "tf.summary.create_file_writer",
    "tf.summary.merge_all": "tf.summary.create_file_writer with tf.summary.scalar in TF2 code",
    "tf.summary.scalar": "tf.summary.scalar inside a tf.summary.create_file_writer(...).as_default() block",
    "tf.summary.histogram": "tf.summary.histogram inside a TF2 writer context",
    "tf.scalar_summary": "tf.summary.scalar (TF2)",
    "tf.histogram_summary": "tf.summary.histogram (TF2)",
    "tf.merge_all_summaries": "tf.summary.create_file_writer (TF2)",
    "tf.train.SummaryWriter": "tf.summary.create_file_writer (TF2)",
    "tf.train.Saver": "tf.train.Checkpoint (TF2)",
    "tf.train.import_meta_graph": "tf.saved_model.load (TF2)",
    "tf.train.Supervisor": "a plain training loop with tf.Session",
    "tf.train.MonitoredTrainingSession": "tf.Session with an explicit loop",
    "tf.train.MonitoredSession": "tf.Session with an explicit loop",
    "tf.train.SyncReplicasOptimizer": "tf.distribute strategies (TF2)",
    "tf.train.string_input_producer": "tf.data.Dataset.from_tensor_slices (TF2)",
    "tf.train.shuffle_batch": "tf.data.Dataset.shuffle(...).batch(...) (TF2)",
    "tf.train.batch": "tf.data.Dataset.batch (TF2)",
    "tf.train.start_queue_runners": "tf.data (TF2); queue runners no longer exist",
    "tf.train.Coordinator": "tf.data (TF2); queue runners no longer exist",
    "tf.train.QueueRunner": "tf.data (TF2)",
    "tf.TFRecordReader": "tf.data.TFRecordDataset (TF2)",
    "tf.WholeFileReader": "tf.data / tf.io.read_file (TF2)",
    "tf.py_func": "tf.py_function (TF2) in TF2 code",
    "tf.contrib.learn": "tf.keras (TF2)",
    "tf.contrib.slim": "tf.keras / tf_slim",
    "tf.contrib.rnn": "tf.keras.layers.RNN / LSTMCell (TF2)",
    "tf.nn.rnn_cell": "tf.keras.layers.LSTMCell / GRUCell (TF2)",
    "tf.nn.dynamic_rnn": "tf.keras.layers.RNN (TF2)",
    "tf.nn.static_rnn": "tf.keras.layers.RNN (TF2)",
    "tf.Print": "tf.print (TF2) in TF2 code",
    "tf.random_poisson": "tf.random.poisson(shape, lam) (TF2; note the argument order)",
}


def unsupported_error(full_name: str) -> AttributeError | None:
    """The AttributeError for ``full_name`` if it is in the table (or under a listed module)."""
    parts = full_name.split(".")
    for i in range(len(parts), 1, -1):
        prefix = ".".join(parts[:i])
        if prefix in UNSUPPORTED:
            return AttributeError(
                f"{full_name} is a TF1 name that tftrain_compat does not provide. - help: use "
                f"{UNSUPPORTED[prefix]} instead.")
    return None


def missing_error(full_name: str) -> AttributeError:
    """The error for a name that is neither provided, listed, nor a TF2 function."""
    return unsupported_error(full_name) or AttributeError(
        f"{full_name} is not provided by tftrain_compat and TensorFlow 2 has no function of that "
        "name to wrap. - help: `python -m tftrain_compat check SCRIPT` lists the names a script "
        "uses; please report this name if your TF1 script needs it.")
