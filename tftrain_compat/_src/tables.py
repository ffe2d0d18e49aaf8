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

# Replacement texts shared by several names.
_KERAS = (" in TF2 code only (eager tensors, not on tftrain_compat's graph tensors, which Keras 3 "
          "layers refuse as built outside their own graph)")
_FEATURE_COLUMNS = ("; tf.feature_column (TF2) only in TF2 code: its columns make no tensors from "
                    "tftrain_compat's graph tensors (Keras 3 dropped the DenseFeatures layer, and "
                    "compat.v1's input_layer refuses them)")
_SUMMARIZE = ("tf.summary.histogram (provided; TF1's summary op) on each activation, merged with "
              "tf.summary.merge_all (provided) and written with tf.summary.FileWriter (provided)")
_PY = ("tf.py_function (TF2) in TF2 code (eager tensors), not in tftrain_compat graphs: compute "
       "the value in Python between sess.run calls and feed it through feed_dict")

# Full TF1 name -> what to use instead on TF2.
_HAND_WRITTEN_UNSUPPORTED: dict[str, str] = {
    "tf.estimator": "tf.keras.Model.fit (TF2) in TF2 code (the Estimator API was removed in TF 2.16); for a tftrain_compat graph, a tf.Session (provided) loop running the train op",
    "tf.summary.all_v2_summary_ops": "tf.summary.create_file_writer (TF2) with TensorFlow 2's own tf.summary.scalar (TF2) / tf.summary.histogram (TF2) (import tensorflow) in eager code beside the session, on values fetched with sess.run; the shim's tf.summary ops are TF1's, written with tf.summary.FileWriter.add_summary (provided)",
    "tf.summary.initialize": "nothing in eager code: tf.summary.create_file_writer (TF2) is ready when created (TensorFlow 2's own summary ops write under writer.as_default(), on values fetched with sess.run)",
    # TF 0.x names: TF 1.0 removed them (TF 1.x raised AttributeError too)
    "tf.scalar_summary": "tf.summary.scalar (provided; TF 1.0\'s name)",
    "tf.histogram_summary": "tf.summary.histogram (provided; TF 1.0\'s name)",
    "tf.image_summary": "tf.summary.image (provided; TF 1.0\'s name)",
    "tf.audio_summary": "tf.summary.audio (provided; TF 1.0\'s name)",
    "tf.merge_summary": "tf.summary.merge (provided; TF 1.0\'s name)",
    "tf.merge_all_summaries": "tf.summary.merge_all (provided; TF 1.0\'s name)",
    "tf.train.SummaryWriter": "tf.summary.FileWriter (provided; TF 1.0\'s name)",
    "tf.train.Supervisor": "a plain training loop with tf.Session (provided), tf.train.Saver (provided) and tf.summary.FileWriter (provided)",
    "tf.train.SyncReplicasOptimizer": "tf.distribute(replicas=N) (provided: synchronous data-parallel replicas of the training run; python -m tftrain_compat run --replicas N does the same)",
    "tf.py_func": _PY,
    "tf.contrib.learn": "tf.layers (provided) with a tf.Session (provided) loop for a tftrain_compat graph; tf.keras (TF2)" + _KERAS,
    "tf.contrib.slim": "tf.contrib.layers (provided: slim.conv2d and slim.fully_connected are its conv2d and fully_connected) and tf.contrib.framework (provided); tf.keras (TF2) in TF2 code",
    # tf.layers / tf.contrib.layers / tf.contrib.framework names not provided (the rest are)
    "tf.layers.separable_conv1d": "tf.layers.separable_conv2d (provided) on tf.expand_dims(x, 1) (provided), then tf.squeeze (provided); tf.keras.layers.SeparableConv1D (TF2)" + _KERAS,
    "tf.layers.SeparableConv1D": "tf.layers.separable_conv2d (provided) on tf.expand_dims(x, 1) (provided), then tf.squeeze (provided); tf.keras.layers.SeparableConv1D (TF2)" + _KERAS,
    "tf.layers.SeparableConvolution1D": "tf.layers.separable_conv2d (provided) on tf.expand_dims(x, 1) (provided), then tf.squeeze (provided); tf.keras.layers.SeparableConv1D (TF2)" + _KERAS,
    "tf.layers.conv3d_transpose": "tf.nn.conv3d_transpose (provided) with a tf.get_variable filter; tf.keras.layers.Conv3DTranspose (TF2)" + _KERAS,
    "tf.layers.Conv3DTranspose": "tf.nn.conv3d_transpose (provided) with a tf.get_variable filter; tf.keras.layers.Conv3DTranspose (TF2)" + _KERAS,
    "tf.layers.Convolution3DTranspose": "tf.nn.conv3d_transpose (provided) with a tf.get_variable filter; tf.keras.layers.Conv3DTranspose (TF2)" + _KERAS,
    "tf.layers.experimental": "the tf.layers functions as they are (provided): keras_style_scope / set_keras_style only switched to Keras-style variable names",
    "tf.contrib.layers.embed_sequence": "tf.nn.embedding_lookup (provided) on a tf.get_variable (provided) of shape [vocab_size, embed_dim]; tf.keras.layers.Embedding (TF2)" + _KERAS,
    "tf.contrib.layers.separable_conv2d": "tf.layers.separable_conv2d (provided)",
    "tf.contrib.layers.separable_convolution2d": "tf.layers.separable_conv2d (provided)",
    "tf.contrib.layers.conv3d": "tf.contrib.layers.convolution (provided; it picks the 3-D convolution from a 5-D input) or tf.layers.conv3d",
    "tf.contrib.layers.convolution3d": "tf.contrib.layers.convolution (provided) or tf.layers.conv3d",
    "tf.contrib.layers.max_pool3d": "tf.layers.max_pooling3d (provided)",
    "tf.contrib.layers.avg_pool3d": "tf.layers.average_pooling3d (provided)",
    "tf.contrib.layers.group_norm": "tf.nn.moments (provided) over the groups of a tf.reshape-d tensor (provided); tf.keras.layers.GroupNormalization (TF2)" + _KERAS,
    "tf.contrib.layers.instance_norm": "tf.nn.moments (provided) over the spatial axes of each example and channel; tf.keras.layers.GroupNormalization(groups=-1) (TF2)" + _KERAS,
    "tf.contrib.layers.unit_norm": "tf.math.l2_normalize",
    "tf.contrib.layers.maxout": "tf.reduce_max over a reshaped tensor",
    "tf.contrib.layers.softmax": "tf.nn.softmax",
    "tf.contrib.layers.bias_add": "tf.nn.bias_add on a tf.get_variable",
    "tf.contrib.layers.summarize_activation": _SUMMARIZE,
    "tf.contrib.layers.summarize_activations": _SUMMARIZE,
    "tf.contrib.layers.summarize_collection": _SUMMARIZE,
    "tf.contrib.layers.summarize_tensor": _SUMMARIZE,
    "tf.contrib.layers.summarize_tensors": _SUMMARIZE,
    "tf.contrib.layers.real_valued_column": "a float tf.placeholder (provided) fed with the feature" + _FEATURE_COLUMNS,
    "tf.contrib.layers.sparse_column_with_hash_bucket": "tf.string_to_hash_bucket_fast (provided) on a string tf.placeholder (provided), then tf.nn.embedding_lookup (provided)" + _FEATURE_COLUMNS,
    "tf.contrib.layers.embedding_column": "tf.nn.embedding_lookup (provided) on a tf.get_variable (provided)" + _FEATURE_COLUMNS,
    "tf.contrib.layers.input_from_feature_columns": "tf.concat (provided) of the features' tensors along the last axis" + _FEATURE_COLUMNS,
    "tf.contrib.layers.optimizers": "tf.contrib.layers.optimize_loss (provided)",
    "tf.contrib.framework.nest": "tf.nest (provided; TensorFlow 2's own, it works on the shim's tensors)",
    "tf.contrib.framework.assign_from_checkpoint": "tf.train.load_variable (provided) and tf.assign (provided)",
    "tf.contrib.framework.list_variables": "tf.train.list_variables (provided)",
    "tf.contrib.framework.load_variable": "tf.train.load_variable (provided)",
    # tf.nn.rnn_cell, tf.contrib.rnn's core cells and tf.nn.*_rnn are provided; these are not
    "tf.nn.raw_rnn": "tf.nn.dynamic_rnn (provided), or a tf.while_loop (provided) calling the cell; tf.keras.layers.RNN (TF2)" + _KERAS,
    "tf.nn.static_state_saving_rnn": "tf.nn.static_rnn (provided) with the state kept in a tf.Variable (provided); tf.keras.layers.RNN(stateful=True) (TF2)" + _KERAS,
    "tf.contrib.rnn.LayerNormBasicLSTMCell": "a tf.nn.rnn_cell.RNNCell subclass (provided) applying tf.contrib.layers.layer_norm (provided) to the gates; tf.keras.layers.LSTMCell with tf.keras.layers.LayerNormalization (TF2)" + _KERAS,
    "tf.contrib.rnn.LSTMBlockCell": "tf.nn.rnn_cell.LSTMCell (provided; the same LSTM without the fused kernel); tf.keras.layers.LSTM (TF2)" + _KERAS,
    "tf.contrib.rnn.AttentionCellWrapper": "a tf.nn.rnn_cell.RNNCell subclass (provided) computing the attention with tf.matmul and tf.nn.softmax (provided); tf.keras.layers.Attention with tf.keras.layers.RNN (TF2)" + _KERAS,
    "tf.contrib.rnn.GRUBlockCell": "tf.nn.rnn_cell.GRUCell (provided; the same GRU without the fused kernel); tf.keras.layers.GRU (TF2)" + _KERAS,
    "tf.contrib.rnn.stack_bidirectional_dynamic_rnn": "tf.nn.bidirectional_dynamic_rnn (provided) applied layer by layer, each layer's concatenated outputs feeding the next",
    "tf.contrib.rnn.static_state_saving_rnn": "tf.nn.static_rnn (provided) with the state kept in a tf.Variable (provided)",
    # tf.train names that TF2 dropped or that only make sense in TF2 code (the README lists them all)
    "tf.train.BytesList": "tf.train.BytesList from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.Checkpoint": "tf.train.Saver (provided) for a tftrain_compat graph's variables; tf.train.Checkpoint from TensorFlow 2 itself only in TF2 code (it tracks eager TF2 variables and refuses the shim's graph variables as not Trackable)",
    "tf.train.CheckpointManager": "tf.train.Saver(max_to_keep=...) (provided) with tf.train.latest_checkpoint (provided); tf.train.CheckpointManager from TensorFlow 2 itself only in TF2 code (it manages the files of TF2's Checkpoint objects)",
    "tf.train.CheckpointOptions": "tf.train.Saver (provided); tf.train.CheckpointOptions from TensorFlow 2 itself only in TF2 code (the options of TF2's Checkpoint objects)",
    "tf.train.ClusterDef": "tf.train.ClusterDef from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.Example": "tf.train.Example from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.Feature": "tf.train.Feature from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.FeatureList": "tf.train.FeatureList from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.FeatureLists": "tf.train.FeatureLists from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.Features": "tf.train.Features from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.FloatList": "tf.train.FloatList from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.GlobalStepWaiterHook": "a plain tf.Session (provided) loop that waits for tf.train.global_step (provided) itself; tf.keras.callbacks (TF2) in TF2 code",
    "tf.train.Int64List": "tf.train.Int64List from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.JobDef": "tf.train.JobDef from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.ProfilerHook": "a plain tf.Session (provided) loop that does the hook's work itself; tf.keras.callbacks (TF2) in TF2 code",
    "tf.train.SequenceExample": "tf.train.SequenceExample from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.ServerDef": "tf.train.ServerDef from TensorFlow 2 itself (the same protocol buffer)",
    "tf.train.SessionManager": "tf.Session (provided) with an explicit loop",
    "tf.train.VocabInfo": "no TF2 equivalent (an Estimator warm-start helper; the Estimator API was removed in TF 2.16)",
    "tf.train.basic_train_loop": "a Python loop calling sess.run(train_op)",
    "tf.train.checkpoints_iterator": "tf.train.checkpoints_iterator from TensorFlow 2 itself (import tensorflow): it yields the tf.train.Saver (provided) checkpoints of a directory",
    "tf.train.do_quantize_training_on_graphdef": "tf.quantization.fake_quant_with_min_max_vars (provided) where the rewrite put fake-quant ops, or the TFLite converter in TF2 code; the TF1 graph rewrite was removed",
    "tf.train.experimental": "tf.keras.mixed_precision (TF2) in TF2 code; a tftrain_compat graph computes in the dtypes it is built with (tf.cast (provided) for float16 parts)",
    "tf.train.match_filenames_once": "tf.io.gfile.glob (provided) or tf.data.Dataset.list_files (provided)",
    "tf.train.queue_runner": "tf.data (provided: tf.data.Dataset with make_one_shot_iterator); queue runners no longer exist",
    "tf.train.sdca_fprint": "no TF2 equivalent (SDCA helper)",
    "tf.train.sdca_optimizer": "no TF2 equivalent (the SDCA ops served the Estimator linear models, removed in TF 2.16)",
    "tf.train.sdca_shrink_l1": "no TF2 equivalent (SDCA helper)",
    "tf.train.summary_iterator": "tf.compat.v1.train.summary_iterator from TensorFlow 2 itself (import tensorflow): it reads the event files of tf.summary.FileWriter (provided)",
    "tf.train.warm_start": "tf.train.load_variable (provided) and tf.assign (provided), or tf.train.Saver(var_list).restore (provided) for the variables to warm-start",
    "tf.train.write_graph": "tf.io.write_graph (provided; it takes the graph or its GraphDef)",
}

HAND_WRITTEN: dict[str, str] = dict(_HAND_WRITTEN_UNSUPPORTED)
UNSUPPORTED: dict[str, str] = dict(_HAND_WRITTEN_UNSUPPORTED)
for _name, _replacement in _GENERATED.items():
    UNSUPPORTED.setdefault(_name, _replacement)
