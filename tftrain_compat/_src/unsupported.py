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
    # tf.nn.rnn_cell, tf.contrib.rnn's core cells and tf.nn.*_rnn are provided; these are not
    "tf.nn.raw_rnn": "tf.nn.dynamic_rnn, or a tf.while_loop calling the cell (TF2: tf.keras.layers.RNN)",
    "tf.nn.static_state_saving_rnn": "tf.nn.static_rnn with the state kept in a tf.Variable (TF2: tf.keras.layers.RNN(stateful=True))",
    "tf.contrib.rnn.LayerNormBasicLSTMCell": "tf.keras.layers.LSTMCell with tf.keras.layers.LayerNormalization (TF2)",
    "tf.contrib.rnn.LSTMBlockCell": "tf.nn.rnn_cell.LSTMCell or tf.keras.layers.LSTM (TF2)",
    "tf.contrib.rnn.AttentionCellWrapper": "tf.keras.layers.Attention with tf.keras.layers.RNN (TF2)",
    "tf.contrib.rnn.GRUBlockCell": "tf.nn.rnn_cell.GRUCell or tf.keras.layers.GRU (TF2)",
    "tf.contrib.rnn.stack_bidirectional_dynamic_rnn": "tf.nn.bidirectional_dynamic_rnn applied layer by layer",
    "tf.contrib.rnn.static_state_saving_rnn": "tf.nn.static_rnn with the state kept in a tf.Variable",
    "tf.Print": "tf.print (TF2) in TF2 code",
    "tf.random_poisson": "tf.random.poisson(shape, lam) (TF2; note the argument order)",
    # tf.train names that TF2 dropped or that only make sense in TF2 code (the README lists them all)
    "tf.train.BytesList": "tf.train.BytesList from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.Checkpoint": "tf.train.Checkpoint from TensorFlow 2 itself, in TF2 code (it tracks eager tf.Variables, not graph variables)",
    "tf.train.CheckpointManager": "tf.train.CheckpointManager from TensorFlow 2 itself, in TF2 code",
    "tf.train.CheckpointOptions": "tf.train.CheckpointOptions from TensorFlow 2 itself, in TF2 code",
    "tf.train.CheckpointSaverHook": "a plain tf.Session loop that does the hook's work itself (tf.keras.callbacks in TF2 code)",
    "tf.train.CheckpointSaverListener": "a plain tf.Session loop that does the hook's work itself (tf.keras.callbacks in TF2 code)",
    "tf.train.ChiefSessionCreator": "tf.Session with an explicit loop",
    "tf.train.ClusterDef": "tf.train.ClusterDef from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.ClusterSpec": "tf.train.ClusterSpec from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.Example": "tf.train.Example from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.Feature": "tf.train.Feature from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.FeatureList": "tf.train.FeatureList from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.FeatureLists": "tf.train.FeatureLists from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.Features": "tf.train.Features from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.FeedFnHook": "a plain tf.Session loop that does the hook's work itself (tf.keras.callbacks in TF2 code)",
    "tf.train.FinalOpsHook": "a plain tf.Session loop that does the hook's work itself (tf.keras.callbacks in TF2 code)",
    "tf.train.FloatList": "tf.train.FloatList from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.GlobalStepWaiterHook": "a plain tf.Session loop that does the hook's work itself (tf.keras.callbacks in TF2 code)",
    "tf.train.Int64List": "tf.train.Int64List from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.JobDef": "tf.train.JobDef from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.LoggingTensorHook": "a plain tf.Session loop that does the hook's work itself (tf.keras.callbacks in TF2 code)",
    "tf.train.LooperThread": "threading.Thread with a loop",
    "tf.train.NanLossDuringTrainingError": "check np.isnan(loss) in the training loop (tf.debugging.check_numerics in TF2 code)",
    "tf.train.NanTensorHook": "a plain tf.Session loop that does the hook's work itself (tf.keras.callbacks in TF2 code)",
    "tf.train.NewCheckpointReader": "tf.train.load_checkpoint(path) (TF2; reads TF1 checkpoints)",
    "tf.train.ProfilerHook": "a plain tf.Session loop that does the hook's work itself (tf.keras.callbacks in TF2 code)",
    "tf.train.SaverDef": "tf.train.Checkpoint (TF2); tf.compat.v1.train.SaverDef only to read old protos",
    "tf.train.Scaffold": "tf.Session with an explicit loop",
    "tf.train.SecondOrStepTimer": "a plain tf.Session loop that does the hook's work itself (tf.keras.callbacks in TF2 code)",
    "tf.train.SequenceExample": "tf.train.SequenceExample from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.Server": "tf.distribute.Server (TF2)",
    "tf.train.ServerDef": "tf.train.ServerDef from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.SessionCreator": "tf.Session with an explicit loop",
    "tf.train.SessionManager": "tf.Session with an explicit loop",
    "tf.train.SessionRunArgs": "a plain tf.Session loop that does the hook's work itself (tf.keras.callbacks in TF2 code)",
    "tf.train.SessionRunContext": "a plain tf.Session loop that does the hook's work itself (tf.keras.callbacks in TF2 code)",
    "tf.train.SessionRunHook": "a plain tf.Session loop that does the hook's work itself (tf.keras.callbacks in TF2 code)",
    "tf.train.SessionRunValues": "a plain tf.Session loop that does the hook's work itself (tf.keras.callbacks in TF2 code)",
    "tf.train.SingularMonitoredSession": "tf.Session with an explicit loop",
    "tf.train.StepCounterHook": "a plain tf.Session loop that does the hook's work itself (tf.keras.callbacks in TF2 code)",
    "tf.train.StopAtStepHook": "a plain tf.Session loop that does the hook's work itself (tf.keras.callbacks in TF2 code)",
    "tf.train.SummarySaverHook": "a plain tf.Session loop that does the hook's work itself (tf.keras.callbacks in TF2 code)",
    "tf.train.VocabInfo": "no TF2 equivalent (an Estimator warm-start helper; tf.estimator was removed in TF 2.16)",
    "tf.train.WorkerSessionCreator": "tf.Session with an explicit loop",
    "tf.train.add_queue_runner": "tf.data (TF2); queue runners no longer exist",
    "tf.train.basic_train_loop": "a Python loop calling sess.run(train_op)",
    "tf.train.batch_join": "tf.data.Dataset.interleave(...).batch(...) (TF2)",
    "tf.train.checkpoint_exists": "tf.io.gfile.glob(prefix + '*') (TF2)",
    "tf.train.checkpoints_iterator": "tf.train.checkpoints_iterator (TF2)",
    "tf.train.do_quantize_training_on_graphdef": "tf.quantization / the TFLite converter (TF2); the TF1 rewrite was removed",
    "tf.train.experimental": "tf.keras.mixed_precision (TF2) for the mixed-precision graph rewrite and loss-scale optimizer",
    "tf.train.export_meta_graph": "tf.saved_model.save (TF2)",
    "tf.train.generate_checkpoint_state_proto": "tf.train.CheckpointManager (TF2) keeps the state file",
    "tf.train.get_checkpoint_mtimes": "os.path.getmtime on the checkpoint files",
    "tf.train.get_checkpoint_state": "tf.train.get_checkpoint_state (TF2)",
    "tf.train.init_from_checkpoint": "tf.train.load_variable (TF2) and tf.assign of the value before training",
    "tf.train.input_producer": "tf.data.Dataset.from_tensor_slices(...).shuffle(...).repeat(...) (TF2)",
    "tf.train.latest_checkpoint": "tf.train.latest_checkpoint (TF2)",
    "tf.train.limit_epochs": "tf.data.Dataset.repeat(num_epochs) (TF2)",
    "tf.train.list_variables": "tf.train.list_variables (TF2; reads TF1 checkpoints)",
    "tf.train.load_checkpoint": "tf.train.load_checkpoint (TF2; reads TF1 checkpoints)",
    "tf.train.load_variable": "tf.train.load_variable (TF2; reads TF1 checkpoints)",
    "tf.train.match_filenames_once": "tf.io.gfile.glob or tf.data.Dataset.list_files (TF2)",
    "tf.train.maybe_batch": "tf.data.Dataset.filter(...).batch(...) (TF2)",
    "tf.train.maybe_batch_join": "tf.data.Dataset.filter(...).batch(...) (TF2)",
    "tf.train.maybe_shuffle_batch": "tf.data.Dataset.filter(...).shuffle(...).batch(...) (TF2)",
    "tf.train.maybe_shuffle_batch_join": "tf.data.Dataset.filter(...).shuffle(...).batch(...) (TF2)",
    "tf.train.queue_runner": "tf.data (TF2); queue runners no longer exist",
    "tf.train.range_input_producer": "tf.data.Dataset.range (TF2)",
    "tf.train.remove_checkpoint": "tf.train.CheckpointManager(max_to_keep=...) (TF2), or delete the files with tf.io.gfile.remove",
    "tf.train.replica_device_setter": "tf.distribute strategies (TF2)",
    "tf.train.sdca_fprint": "no TF2 equivalent (SDCA helper)",
    "tf.train.sdca_optimizer": "no TF2 equivalent (the SDCA ops served tf.estimator linear models, removed in TF 2.16)",
    "tf.train.sdca_shrink_l1": "no TF2 equivalent (SDCA helper)",
    "tf.train.shuffle_batch_join": "tf.data.Dataset.interleave(...).shuffle(...).batch(...) (TF2)",
    "tf.train.slice_input_producer": "tf.data.Dataset.from_tensor_slices (TF2)",
    "tf.train.summary_iterator": "tf.data.TFRecordDataset(path) with tf.compat.v1.Event.FromString, or TensorBoard's EventAccumulator",
    "tf.train.update_checkpoint_state": "tf.train.CheckpointManager (TF2) keeps the state file",
    "tf.train.warm_start": "tf.train.load_variable (TF2) and tf.assign, or tf.train.Checkpoint.restore in TF2 code",
    "tf.train.write_graph": "tf.io.write_graph (TF2)",
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
