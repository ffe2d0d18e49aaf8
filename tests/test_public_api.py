"""The public surface: TF1's names resolve in each namespace, and TF1's signatures (parameter
names, order, defaults) are kept — compared with tf.compat.v1's own, so a changed default fails."""
from __future__ import annotations

import inspect

import pytest
import tensorflow as tf

import tftrain_compat as shim

V1 = tf.compat.v1

# TF1 names each namespace must provide (golden list, checked against the namespace).
GOLDEN = {
    "": ["Graph", "GraphKeys", "IndexedSlices", "InteractiveSession", "Operation", "Session",
         "Tensor", "TensorShape", "Variable", "add_to_collection", "all_variables", "arg_max",
         "argmax", "argmin", "assign", "assign_add", "assign_sub", "cast", "concat", "constant",
         "control_dependencies", "div", "equal", "errors", "expand_dims", "float32", "float64",
         "get_collection", "get_default_graph", "get_default_session", "global_variables",
         "global_variables_initializer", "gradients", "group", "identity", "initialize_all_variables",
         "int32", "int64", "is_variable_initialized", "local_variables", "log", "matmul", "mul",
         "name_scope", "neg", "no_op", "ones", "placeholder", "placeholder_with_default",
         "random_normal", "random_uniform", "reduce_all", "reduce_any", "reduce_max",
         "reduce_mean", "reduce_min", "reduce_prod", "reduce_sum", "report_uninitialized_variables",
         "reset_default_graph", "reshape", "set_random_seed", "shape", "sqrt", "square", "squeeze",
         "stop_gradient", "sub", "to_double", "to_float", "to_int32", "to_int64",
         "trainable_variables", "transpose", "truncated_normal", "uint8", "variables_initializer",
         "zeros", "zeros_like"],
    "nn": ["avg_pool", "bias_add", "conv2d", "dropout", "embedding_lookup", "in_top_k", "l2_loss",
           "log_softmax", "max_pool", "moments", "relu", "sigmoid",
           "sigmoid_cross_entropy_with_logits", "softmax", "softmax_cross_entropy_with_logits",
           "softmax_cross_entropy_with_logits_v2", "sparse_softmax_cross_entropy_with_logits",
           "tanh"],
    "train": ["AdamOptimizer", "GradientDescentOptimizer", "MomentumOptimizer", "Optimizer",
              "create_global_step", "exponential_decay", "get_global_step",
              "get_or_create_global_step", "inverse_time_decay", "natural_exp_decay"],
    "contrib.layers": ["apply_regularization", "l1_l2_regularizer", "l1_regularizer",
                       "l2_regularizer", "sum_regularizer", "add_arg_scope", "arg_scope",
                       "avg_pool2d", "batch_norm", "conv2d", "conv2d_transpose", "convolution",
                       "convolution2d", "convolution2d_transpose", "dropout", "flatten",
                       "fully_connected", "layer_norm", "linear", "max_pool2d",
                       "one_hot_encoding", "optimize_loss", "relu", "repeat", "stack",
                       "variance_scaling_initializer", "xavier_initializer",
                       "xavier_initializer_conv2d"],
    "contrib.framework": ["add_arg_scope", "arg_scope", "arg_scoped_arguments",
                          "get_model_variables", "get_or_create_global_step",
                          "get_trainable_variables", "get_variables", "get_variables_by_name",
                          "get_variables_to_restore", "has_arg_scope", "model_variable"],
    "layers": ["AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "BatchNormalization",
               "Conv1D", "Conv2D", "Conv2DTranspose", "Conv3D", "Dense", "Dropout", "Flatten",
               "InputSpec", "Layer", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
               "SeparableConv2D", "average_pooling1d", "average_pooling2d",
               "average_pooling3d", "batch_normalization", "conv1d", "conv2d",
               "conv2d_transpose", "conv3d", "dense", "dropout", "flatten", "max_pooling1d",
               "max_pooling2d", "max_pooling3d", "separable_conv2d"],
}
GOLDEN_FROM_TABLE = {
    # Names TF2 moved or dropped, from the table of TF1 names (tests/test_namespace_table.py checks
    # all 1,367 of them): TF's own TF1 builders recorded in the shim's graph.
    "": ["Dimension", "SparseTensor", "SparseTensorValue", "diag", "floordiv", "lin_space",
         "log1p", "matrix_inverse", "mod", "rsqrt", "scatter_add", "scatter_nd_update",
         "scatter_update", "sparse_tensor_to_dense", "squared_difference",
         "unsorted_segment_sum", "where"],
    "nn": ["fused_batch_norm", "uniform_candidate_sampler", "xw_plus_b"],
    "image": ["ResizeMethod", "resize", "resize_bilinear", "resize_images"],
    "losses": ["cosine_distance", "hinge_loss", "huber_loss", "log_loss",
               "mean_pairwise_squared_error"],
    "metrics": ["accuracy", "auc", "mean", "mean_iou", "precision", "recall"],
    "sparse": ["SparseTensor", "add", "reduce_sum", "to_dense"],
    "initializers": ["glorot_uniform", "variance_scaling", "zeros"],
}
for _path, _names in GOLDEN_FROM_TABLE.items():
    GOLDEN[_path] = sorted(set(GOLDEN.get(_path, [])) | set(_names))


def _namespace(path: str):
    ns = shim
    for part in filter(None, path.split(".")):
        ns = getattr(ns, part)
    return ns


@pytest.mark.parametrize("path", sorted(GOLDEN))
def test_golden_names_resolve(path):
    ns = _namespace(path)
    missing = [n for n in GOLDEN[path] if not hasattr(ns, n)]
    assert not missing


def _params(fn):
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


# (path, name, parameters TF 2.21 added that TF1 never had, our deliberate TF1 extras)
SIGNATURES = [
    ("", "placeholder", (), ()), ("", "placeholder_with_default", (), ()),
    ("", "constant", (), ()), ("", "reduce_sum", (), ()), ("", "reduce_mean", (), ()),
    ("", "reduce_max", (), ()), ("", "argmax", (), ()), ("", "argmin", (), ()),
    ("", "truncated_normal", (), ()), ("", "random_normal", (), ()),
    ("", "random_uniform", (), ()), ("", "set_random_seed", (), ()),
    ("", "variables_initializer", (), ()), ("", "gradients", (), ()),
    ("", "name_scope", (), ()), ("", "to_float", (), ()), ("", "Session", (), ()),
    ("", "InteractiveSession", (), ()), ("", "multinomial", (), ()),
    ("nn", "dropout", (), ()), ("nn", "conv2d", (), ()), ("nn", "softmax", (), ()),
    ("nn", "log_softmax", (), ()), ("nn", "in_top_k", (), ()), ("nn", "moments", (), ()),
    ("nn", "embedding_lookup", (), ()), ("nn", "l2_loss", (), ()),
    # TF 1.x refused positional labels/logits through a leading `_sentinel` (TF 2.21 dropped it)
    ("nn", "softmax_cross_entropy_with_logits", (), ("_sentinel",)),
    ("nn", "sparse_softmax_cross_entropy_with_logits", (), ("_sentinel",)),
    ("nn", "sigmoid_cross_entropy_with_logits", (), ("_sentinel",)),
    ("", "where", (), ()), ("", "scatter_update", (), ()), ("", "lin_space", (), ()),
    ("", "expand_dims", (), ()), ("", "squeeze", (), ()),
    ("image", "resize_images", (), ()), ("image", "resize", (), ()),
    ("losses", "huber_loss", (), ()), ("metrics", "accuracy", (), ()), ("nn", "xw_plus_b", (), ()),
    ("nn", "fused_batch_norm", (), ()), ("sparse", "reduce_sum", (), ()),
    ("train", "GradientDescentOptimizer", (), ()), ("train", "MomentumOptimizer", (), ()),
    ("train", "AdamOptimizer", ("use_own_namescope_for_non_slot_vars",), ()),
    ("train", "exponential_decay", (), ()), ("train", "natural_exp_decay", (), ()),
    ("train", "inverse_time_decay", (), ()), ("train", "get_or_create_global_step", (), ()),
    ("train", "get_global_step", (), ()), ("train", "create_global_step", (), ()),
    ("train", "Server", (), ()), ("train", "replica_device_setter", (), ()),
]


@pytest.mark.parametrize("path,name,tf2_only,ours_only", SIGNATURES,
                         ids=[f"{p}.{n}".lstrip(".") for p, n, _, _ in SIGNATURES])
def test_tf1_signature_kept(path, name, tf2_only, ours_only):
    want = [p for p in _params(getattr(_namespace_v1(path), name)) if p[0] not in tf2_only]
    got = [p for p in _params(getattr(_namespace(path), name)) if p[0] not in ours_only]
    normalise = lambda ps: [(n, k, list(d) if isinstance(d, (list, tuple)) else d)  # noqa: E731
                            for n, k, d in ps]
    assert normalise(got) == normalise(want)


@pytest.mark.parametrize("method", ["minimize", "compute_gradients", "get_slot",
                                    "get_slot_names", "variables", "get_name"])
def test_optimizer_method_signatures(method):
    want = [p for p in _params(getattr(V1.train.Optimizer, method))]
    got = _params(getattr(shim.train.Optimizer, method))
    assert got == want


def _namespace_v1(path: str):
    ns = V1
    for part in filter(None, path.split(".")):
        ns = getattr(ns, part)
    return ns
