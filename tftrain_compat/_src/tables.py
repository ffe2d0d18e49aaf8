"""The hand-written tables, in one place, read by the code, the ``check`` command, the README's
coverage tables and the tests:

- ``LEGACY_KWARGS``: TF1 keyword names -> TF2's, applied by the one wrapper (``wrap.graph_op``)
  to every wrapped function that still has the new name and lacks the old one;
- ``SERVED_MODULES``: module names TF2 wheels no longer ship that the import hook serves
  (``tensorflow.examples.tutorials.mnist...``, ``tensorflow.contrib.{rnn,layers,framework}``);
- ``UNSUPPORTED``: every TF1 name deliberately not provided -> what to use instead on TF2: the
  hand-written entries (``HAND_WRITTEN``) plus those the generated table of TF1 names
  (``tf1_names.REPLACEMENTS``) leaves unsupported, so that this one mapping answers for every
  TF1 name (the namespaces' errors, ``check``, the README).
"""
from __future__ import annotations

from typing import Mapping

from tftrain_compat._src.tf1_names import REPLACEMENTS as _GENERATED

# TF1 keyword -> TF2 keyword, shared by every wrapped function that had the old name.
LEGACY_KWARGS: Mapping[str, str] = {
    "reduction_indices": "axis",
    "keep_dims": "keepdims",
    "dimension": "axis",
    "dim": "axis",
    "squeeze_dims": "axis",
    "filter": "filters",
    "value": "input",
}

# Served name -> the tftrain_compat module it stands for.
SERVED_MODULES: dict[str, str] = {
    "tensorflow.examples": "tftrain_compat.examples",
    "tensorflow.examples.tutorials": "tftrain_compat.examples.tutorials",
    "tensorflow.examples.tutorials.mnist": "tftrain_compat.examples.tutorials.mnist",
    "tensorflow.examples.tutorials.mnist.input_data": "tftrain_compat.examples.tutorials.mnist.input_data",
    "tensorflow.examples.tutorials.mnist.mnist": "tftrain_compat.examples.tutorials.mnist.mnist",
    "tensorflow.contrib": "tftrain_compat.contrib",
    "tensorflow.contrib.rnn": "tftrain_compat.contrib.rnn",
    "tensorflow.contrib.layers": "tftrain_compat.contrib.layers",
    "tensorflow.contrib.framework": "tftrain_compat.contrib.framework",
}

# Full TF1 name -> what to use instead on TF2.
_HAND_WRITTEN_UNSUPPORTED: dict[str, str] = {
    "tf.estimator": "tf.keras.Model.fit (tf.estimator was removed in TF 2.16)",
    "tf.summary.all_v2_summary_ops": "TF2 summary ops under tf.summary.create_file_writer in TF2 code (TF1 summary ops are written with tf.summary.FileWriter.add_summary)",
    "tf.summary.initialize": "tf.summary.create_file_writer(...).init() in TF2 code",
    # TF 0.x names: TF 1.0 removed them (TF 1.x raised AttributeError too)
    "tf.scalar_summary": "tf.summary.scalar (TF 1.0's name, provided)",
    "tf.histogram_summary": "tf.summary.histogram (TF 1.0's name, provided)",
    "tf.image_summary": "tf.summary.image (TF 1.0's name, provided)",
    "tf.audio_summary": "tf.summary.audio (TF 1.0's name, provided)",
    "tf.merge_summary": "tf.summary.merge (TF 1.0's name, provided)",
    "tf.merge_all_summaries": "tf.summary.merge_all (TF 1.0's name, provided)",
    "tf.train.SummaryWriter": "tf.summary.FileWriter (TF 1.0's name, provided)",
    "tf.train.Supervisor": "a plain training loop with tf.Session",
    "tf.train.SyncReplicasOptimizer": "tf.distribute strategies (TF2)",
    "tf.py_func": "tf.py_function (TF2) in TF2 code",
    "tf.contrib.learn": "tf.keras (TF2)",
    "tf.contrib.slim": "tf.keras / tf_slim",
    # tf.layers / tf.contrib.layers / tf.contrib.framework names not provided (the rest are)
    "tf.layers.separable_conv1d": "tf.keras.layers.SeparableConv1D (TF2)",
    "tf.layers.SeparableConv1D": "tf.keras.layers.SeparableConv1D (TF2)",
    "tf.layers.SeparableConvolution1D": "tf.keras.layers.SeparableConv1D (TF2)",
    "tf.layers.conv3d_transpose": "tf.keras.layers.Conv3DTranspose (TF2)",
    "tf.layers.Conv3DTranspose": "tf.keras.layers.Conv3DTranspose (TF2)",
    "tf.layers.Convolution3DTranspose": "tf.keras.layers.Conv3DTranspose (TF2)",
    "tf.layers.experimental": "tf.keras.mixed_precision (TF2)",
    "tf.contrib.layers.embed_sequence": "tf.keras.layers.Embedding (TF2), or tf.nn.embedding_lookup on a tf.get_variable",
    "tf.contrib.layers.separable_conv2d": "tf.layers.separable_conv2d (provided)",
    "tf.contrib.layers.separable_convolution2d": "tf.layers.separable_conv2d (provided)",
    "tf.contrib.layers.conv3d": "tf.contrib.layers.convolution (provided; it picks the 3-D convolution from a 5-D input) or tf.layers.conv3d",
    "tf.contrib.layers.convolution3d": "tf.contrib.layers.convolution (provided) or tf.layers.conv3d",
    "tf.contrib.layers.max_pool3d": "tf.layers.max_pooling3d (provided)",
    "tf.contrib.layers.avg_pool3d": "tf.layers.average_pooling3d (provided)",
    "tf.contrib.layers.group_norm": "tf.keras.layers.GroupNormalization (TF2)",
    "tf.contrib.layers.instance_norm": "tf.keras.layers.GroupNormalization(groups=-1) (TF2)",
    "tf.contrib.layers.unit_norm": "tf.math.l2_normalize",
    "tf.contrib.layers.maxout": "tf.reduce_max over a reshaped tensor",
    "tf.contrib.layers.softmax": "tf.nn.softmax",
    "tf.contrib.layers.bias_add": "tf.nn.bias_add on a tf.get_variable",
    "tf.contrib.layers.summarize_activation": "tf.summary.histogram inside a TF2 writer context",
    "tf.contrib.layers.summarize_activations": "tf.summary.histogram inside a TF2 writer context",
    "tf.contrib.layers.summarize_collection": "tf.summary.histogram inside a TF2 writer context",
    "tf.contrib.layers.summarize_tensor": "tf.summary.histogram inside a TF2 writer context",
    "tf.contrib.layers.summarize_tensors": "tf.summary.histogram inside a TF2 writer context",
    "tf.contrib.layers.real_valued_column": "tf.feature_column.numeric_column (TF2)",
    "tf.contrib.layers.sparse_column_with_hash_bucket": "tf.feature_column.categorical_column_with_hash_bucket (TF2)",
    "tf.contrib.layers.embedding_column": "tf.feature_column.embedding_column (TF2)",
    "tf.contrib.layers.input_from_feature_columns": "tf.keras.layers.DenseFeatures (TF2)",
    "tf.contrib.layers.optimizers": "tf.contrib.layers.optimize_loss (provided)",
    "tf.contrib.framework.nest": "tf.nest (TF2)",
    "tf.contrib.framework.assign_from_checkpoint": "tf.train.load_variable (TF2) and tf.assign",
    "tf.contrib.framework.list_variables": "tf.train.list_variables (TF2)",
    "tf.contrib.framework.load_variable": "tf.train.load_variable (TF2)",
    # tf.nn.rnn_cell, tf.contrib.rnn's core cells and tf.nn.*_rnn are provided; these are not
    "tf.nn.raw_rnn": "tf.nn.dynamic_rnn, or a tf.while_loop calling the cell (TF2: tf.keras.layers.RNN)",
    "tf.nn.static_state_saving_rnn": "tf.nn.static_rnn with the state kept in a tf.Variable (TF2: tf.keras.layers.RNN(stateful=True))",
    "tf.contrib.rnn.LayerNormBasicLSTMCell": "tf.keras.layers.LSTMCell with tf.keras.layers.LayerNormalization (TF2)",
    "tf.contrib.rnn.LSTMBlockCell": "tf.nn.rnn_cell.LSTMCell or tf.keras.layers.LSTM (TF2)",
    "tf.contrib.rnn.AttentionCellWrapper": "tf.keras.layers.Attention with tf.keras.layers.RNN (TF2)",
    "tf.contrib.rnn.GRUBlockCell": "tf.nn.rnn_cell.GRUCell or tf.keras.layers.GRU (TF2)",
    "tf.contrib.rnn.stack_bidirectional_dynamic_rnn": "tf.nn.bidirectional_dynamic_rnn applied layer by layer",
    "tf.contrib.rnn.static_state_saving_rnn": "tf.nn.static_rnn with the state kept in a tf.Variable",
    # tf.train names that TF2 dropped or that only make sense in TF2 code (the README lists them all)
    "tf.train.BytesList": "tf.train.BytesList from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.Checkpoint": "tf.train.Checkpoint from TensorFlow 2 itself, in TF2 code (it tracks eager tf.Variables, not graph variables)",
    "tf.train.CheckpointManager": "tf.train.CheckpointManager from TensorFlow 2 itself, in TF2 code",
    "tf.train.CheckpointOptions": "tf.train.CheckpointOptions from TensorFlow 2 itself, in TF2 code",
    "tf.train.ClusterDef": "tf.train.ClusterDef from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.Example": "tf.train.Example from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.Feature": "tf.train.Feature from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.FeatureList": "tf.train.FeatureList from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.FeatureLists": "tf.train.FeatureLists from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.Features": "tf.train.Features from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.FloatList": "tf.train.FloatList from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.GlobalStepWaiterHook": "a plain tf.Session loop that does the hook's work itself (tf.keras.callbacks in TF2 code)",
    "tf.train.Int64List": "tf.train.Int64List from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.JobDef": "tf.train.JobDef from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.ProfilerHook": "a plain tf.Session loop that does the hook's work itself (tf.keras.callbacks in TF2 code)",
    "tf.train.SequenceExample": "tf.train.SequenceExample from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.ServerDef": "tf.train.ServerDef from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.SessionManager": "tf.Session with an explicit loop",
    "tf.train.VocabInfo": "no TF2 equivalent (an Estimator warm-start helper; tf.estimator was removed in TF 2.16)",
    "tf.train.basic_train_loop": "a Python loop calling sess.run(train_op)",
    "tf.train.checkpoints_iterator": "tf.train.checkpoints_iterator (TF2)",
    "tf.train.do_quantize_training_on_graphdef": "tf.quantization / the TFLite converter (TF2); the TF1 rewrite was removed",
    "tf.train.experimental": "tf.keras.mixed_precision (TF2) for the mixed-precision graph rewrite and loss-scale optimizer",
    "tf.train.match_filenames_once": "tf.io.gfile.glob or tf.data.Dataset.list_files (TF2)",
    "tf.train.queue_runner": "tf.data (TF2); queue runners no longer exist",
    "tf.train.sdca_fprint": "no TF2 equivalent (SDCA helper)",
    "tf.train.sdca_optimizer": "no TF2 equivalent (the SDCA ops served tf.estimator linear models, removed in TF 2.16)",
    "tf.train.sdca_shrink_l1": "no TF2 equivalent (SDCA helper)",
    "tf.train.summary_iterator": "tf.data.TFRecordDataset(path) with tf.compat.v1.Event.FromString, or TensorBoard's EventAccumulator",
    "tf.train.warm_start": "tf.train.load_variable (TF2) and tf.assign, or tf.train.Checkpoint.restore in TF2 code",
    "tf.train.write_graph": "tf.io.write_graph (TF2)",
}

HAND_WRITTEN: dict[str, str] = dict(_HAND_WRITTEN_UNSUPPORTED)
UNSUPPORTED: dict[str, str] = dict(_HAND_WRITTEN_UNSUPPORTED)
for _name, _replacement in _GENERATED.items():
    UNSUPPORTED.setdefault(_name, _replacement)
