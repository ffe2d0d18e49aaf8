"""TF1 ``tf.contrib.layers``: contrib's layer functions over the shim's ``tf.layers``.

Contrib's defaults and names (TF 1.15): ``fully_connected`` uses ReLU and
``xavier_initializer()``, its variables are ``fully_connected/weights`` and ``.../biases``
(``fully_connected_1`` next), ``conv2d`` is ``Conv/weights``; every contrib variable is also a
MODEL variable; ``normalizer_fn`` replaces the bias; ``outputs_collections`` collects outputs.
Every function here is ``@add_arg_scope``.
"""
from __future__ import annotations

import functools
import logging
import numbers

import tensorflow as tf

from tftrain_compat._src import errors as _errors
from tftrain_compat._src import graph as _graph
from tftrain_compat._src import initializers as _init
from tftrain_compat._src import ops_graph
from tftrain_compat._src import variable_scope as _vs
from tftrain_compat._src.arg_scope import add_arg_scope
from tftrain_compat._src.graph import GraphKeys
from tftrain_compat._src.layers import base as _base
from tftrain_compat._src.layers import convolutional as _conv
from tftrain_compat._src.layers import core as _core
from tftrain_compat._src.layers import normalization as _norm
from tftrain_compat._src.layers import pooling as _pool
from tftrain_compat._src.layers.base import call
from tftrain_compat._src.ops_nn import relu as _relu

_log = logging.getLogger("tftrain_compat")
DATA_FORMAT_NCHW, DATA_FORMAT_NHWC = "NCHW", "NHWC"


# ----- contrib's variable helpers ---------------------------------------------------------------
def _rename_getter(rename: dict | None = None):
    """contrib's custom getter: renames ``kernel``/``bias`` and makes a model variable."""
    def getter(getter, name, *args, **kwargs):
        short = name.split("/")[-1]
        if rename and short in rename:
            name = "/".join(name.split("/")[:-1] + [rename[short]])
        collections = list(kwargs.pop("collections", None) or [])
        collections += [GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES]
        kwargs["collections"] = list(dict.fromkeys(collections))
        return getter(name, *args, **kwargs)
    return getter


def model_variable(name: str, shape=None, dtype=tf.float32, initializer=None, regularizer=None,
                   trainable: bool = True, collections=None, caching_device=None, device=None,
                   partitioner=None, custom_getter=None, use_resource=None):
    """TF1 ``tf.contrib.framework.model_variable``: ``get_variable`` also in MODEL_VARIABLES."""
    collections = list(collections or []) + [GraphKeys.GLOBAL_VARIABLES,
                                             GraphKeys.MODEL_VARIABLES]
    return _vs.get_variable(name, shape=shape, dtype=dtype, initializer=initializer,
                            regularizer=regularizer, trainable=trainable,
                            collections=list(dict.fromkeys(collections)),
                            caching_device=caching_device, partitioner=partitioner,
                            custom_getter=custom_getter, use_resource=use_resource)


def _collections_for(variables_collections, name: str) -> list:
    if isinstance(variables_collections, dict):
        variables_collections = variables_collections.get(name)
    if variables_collections is None:
        return []
    if isinstance(variables_collections, str):
        return [variables_collections]
    return list(variables_collections)


def _add_to_collections(variable, variables_collections, name: str) -> None:
    graph = _graph.get_default_graph()
    for key in _collections_for(variables_collections, name):
        if not any(variable is v for v in graph.get_collection(key)):
            graph.add_to_collection(key, variable)


def collect_named_outputs(collections, alias: str, outputs):
    """Adds ``outputs`` to ``collections`` (contrib's ``utils.collect_named_outputs``)."""
    if collections:
        _graph.get_default_graph().add_to_collections(collections, outputs)
    return outputs


def _check_int(value, what: str) -> None:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise ValueError(f"{what} type should be one of [<class 'int'>], got {type(value)}.")


def _finish(outputs, normalizer_fn, normalizer_params, activation_fn):
    if normalizer_fn is not None:
        outputs = normalizer_fn(outputs, **(normalizer_params or {}))
    if activation_fn is not None:
        outputs = activation_fn(outputs)
    return outputs


# ----- layers -----------------------------------------------------------------------------------
def _weights_scope(scope, default_name: str, inputs, reuse):
    """The variable scope of a weights layer: TF1 named its ``kernel`` / ``bias`` ``weights`` /
    ``biases``."""
    return _vs.variable_scope(scope, default_name, [inputs], reuse=reuse,
                              custom_getter=_rename_getter({"bias": "biases",
                                                            "kernel": "weights"}))


def _apply_weights_layer(layer, inputs, alias: str, variables_collections, outputs_collections,
                         normalizer_fn, normalizer_params, activation_fn):
    """Applies a weights layer built without activation, adds its variables to
    ``variables_collections``, then the normalizer or bias and the activation (``_finish``)."""
    outputs = layer.apply(inputs)
    _add_to_collections(layer.kernel, variables_collections, "weights")
    if layer.bias is not None:
        _add_to_collections(layer.bias, variables_collections, "biases")
    outputs = _finish(outputs, normalizer_fn, normalizer_params, activation_fn)
    return collect_named_outputs(outputs_collections, alias, outputs)


@add_arg_scope
def fully_connected(inputs, num_outputs, activation_fn=_relu, normalizer_fn=None,
                    normalizer_params=None, weights_initializer=_init.xavier_initializer(),
                    weights_regularizer=None, biases_initializer=_init.zeros_initializer(),
                    biases_regularizer=None, reuse=None, variables_collections=None,
                    outputs_collections=None, trainable: bool = True, scope=None):
    """TF1 ``tf.contrib.layers.fully_connected``: ``activation_fn(normalizer_fn(x @ weights)``
    or ``x @ weights + biases)``; defaults ReLU and xavier (glorot uniform) weights; scope
    ``fully_connected``."""
    _check_int(num_outputs, "num_outputs")
    with _weights_scope(scope, "fully_connected", inputs, reuse) as sc:
        layer = _core.Dense(
            units=num_outputs, activation=None,
            use_bias=bool(not normalizer_fn and biases_initializer),
            kernel_initializer=weights_initializer, bias_initializer=biases_initializer,
            kernel_regularizer=weights_regularizer, bias_regularizer=biases_regularizer,
            trainable=trainable, name=sc.name, dtype=inputs.dtype.base_dtype, _scope=sc,
            _reuse=reuse)
        return _apply_weights_layer(layer, inputs, sc.name, variables_collections,
                                    outputs_collections, normalizer_fn, normalizer_params,
                                    activation_fn)


@add_arg_scope
def convolution(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format=None,
                rate=1, activation_fn=_relu, normalizer_fn=None, normalizer_params=None,
                weights_initializer=_init.xavier_initializer(), weights_regularizer=None,
                biases_initializer=_init.zeros_initializer(), biases_regularizer=None,
                reuse=None, variables_collections=None, outputs_collections=None,
                trainable: bool = True, scope=None, conv_dims=None):
    """TF1 ``tf.contrib.layers.convolution``: an N-d convolution chosen by the input rank
    (3, 4, 5), padding ``SAME``, ReLU, xavier weights; scope ``Conv`` (``Conv/weights``)."""
    if data_format not in (None, "NWC", "NCW", "NHWC", "NCHW", "NDHWC", "NCDHW"):
        raise ValueError("Invalid data_format: %r" % (data_format,))
    with _weights_scope(scope, "Conv", inputs, reuse) as sc:
        rank = inputs.get_shape().ndims
        if conv_dims is not None and conv_dims + 2 != rank:
            raise ValueError("Convolution expects input with rank %d, got %d"
                             % (conv_dims + 2, rank))
        classes = {3: _conv.Conv1D, 4: _conv.Conv2D, 5: _conv.Conv3D}
        if rank not in classes:
            raise ValueError("Convolution not supported for input with rank", rank)
        df = ("channels_first" if data_format and data_format.startswith("NC")
              else "channels_last")
        layer = classes[rank](
            filters=num_outputs, kernel_size=kernel_size, strides=stride, padding=padding,
            data_format=df, dilation_rate=rate, activation=None,
            use_bias=bool(not normalizer_fn and biases_initializer),
            kernel_initializer=weights_initializer, bias_initializer=biases_initializer,
            kernel_regularizer=weights_regularizer, bias_regularizer=biases_regularizer,
            trainable=trainable, name=sc.name, dtype=inputs.dtype.base_dtype, _scope=sc,
            _reuse=reuse)
        return _apply_weights_layer(layer, inputs, sc.name, variables_collections,
                                    outputs_collections, normalizer_fn, normalizer_params,
                                    activation_fn)


@add_arg_scope
def convolution2d(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format=None,
                  rate=1, activation_fn=_relu, normalizer_fn=None, normalizer_params=None,
                  weights_initializer=_init.xavier_initializer(), weights_regularizer=None,
                  biases_initializer=_init.zeros_initializer(), biases_regularizer=None,
                  reuse=None, variables_collections=None, outputs_collections=None,
                  trainable: bool = True, scope=None):
    """TF1 ``tf.contrib.layers.conv2d`` / ``convolution2d``: ``convolution`` on 4-D inputs."""
    return convolution(inputs, num_outputs, kernel_size, stride=stride, padding=padding,
                       data_format=data_format, rate=rate, activation_fn=activation_fn,
                       normalizer_fn=normalizer_fn, normalizer_params=normalizer_params,
                       weights_initializer=weights_initializer,
                       weights_regularizer=weights_regularizer,
                       biases_initializer=biases_initializer,
                       biases_regularizer=biases_regularizer, reuse=reuse,
                       variables_collections=variables_collections,
                       outputs_collections=outputs_collections, trainable=trainable,
                       scope=scope, conv_dims=2)


@add_arg_scope
def convolution2d_transpose(inputs, num_outputs, kernel_size, stride=1, padding="SAME",
                            data_format=DATA_FORMAT_NHWC, activation_fn=_relu,
                            normalizer_fn=None, normalizer_params=None,
                            weights_initializer=_init.xavier_initializer(),
                            weights_regularizer=None,
                            biases_initializer=_init.zeros_initializer(),
                            biases_regularizer=None, reuse=None, variables_collections=None,
                            outputs_collections=None, trainable: bool = True, scope=None):
    """TF1 ``tf.contrib.layers.conv2d_transpose``: scope ``Conv2d_transpose``, ReLU, xavier."""
    if data_format not in (DATA_FORMAT_NCHW, DATA_FORMAT_NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    with _weights_scope(scope, "Conv2d_transpose", inputs, reuse) as sc:
        df = "channels_first" if data_format == DATA_FORMAT_NCHW else "channels_last"
        layer = _conv.Conv2DTranspose(
            filters=num_outputs, kernel_size=kernel_size, strides=stride, padding=padding,
            data_format=df, activation=None,
            use_bias=bool(not normalizer_fn and biases_initializer),
            kernel_initializer=weights_initializer, bias_initializer=biases_initializer,
            kernel_regularizer=weights_regularizer, bias_regularizer=biases_regularizer,
            trainable=trainable, name=sc.name, dtype=inputs.dtype.base_dtype, _scope=sc,
            _reuse=reuse)
        return _apply_weights_layer(layer, inputs, sc.name, variables_collections,
                                    outputs_collections, normalizer_fn, normalizer_params,
                                    activation_fn)


def _pool2d(cls, default_name: str):
    def pool(inputs, kernel_size, stride=2, padding="VALID", data_format=DATA_FORMAT_NHWC,
             outputs_collections=None, scope=None):
        if data_format not in (DATA_FORMAT_NCHW, DATA_FORMAT_NHWC):
            raise ValueError("data_format has to be either NCHW or NHWC.")
        with ops_graph.name_scope(scope, default_name, [inputs]) as sc:
            df = "channels_first" if data_format == DATA_FORMAT_NCHW else "channels_last"
            layer = cls(pool_size=kernel_size, strides=stride, padding=padding,
                        data_format=df, _scope=sc)
            outputs = layer.apply(inputs)
            return collect_named_outputs(outputs_collections, sc, outputs)
    return pool


max_pool2d = add_arg_scope(_pool2d(_pool.MaxPooling2D, "MaxPool2D"))
max_pool2d.__name__ = "max_pool2d"
max_pool2d.__doc__ = ("TF1 ``tf.contrib.layers.max_pool2d(inputs, kernel_size, stride=2, "
                      "padding='VALID', data_format='NHWC')`` (name scope ``MaxPool2D``).")
avg_pool2d = add_arg_scope(_pool2d(_pool.AveragePooling2D, "AvgPool2D"))
avg_pool2d.__name__ = "avg_pool2d"
avg_pool2d.__doc__ = ("TF1 ``tf.contrib.layers.avg_pool2d(inputs, kernel_size, stride=2, "
                      "padding='VALID', data_format='NHWC')`` (name scope ``AvgPool2D``).")


@add_arg_scope
def flatten(inputs, outputs_collections=None, scope=None):
    """TF1 ``tf.contrib.layers.flatten``: ``tf.layers.flatten`` in name scope ``Flatten``."""
    with ops_graph.name_scope(scope, "Flatten", [inputs]) as sc:
        outputs = _core.flatten(inputs)
        return collect_named_outputs(outputs_collections, sc, outputs)


@add_arg_scope
def dropout(inputs, keep_prob=0.5, noise_shape=None, is_training=True,
            outputs_collections=None, scope=None, seed=None):
    """TF1 ``tf.contrib.layers.dropout``: ``tf.layers.Dropout(rate=1 - keep_prob)`` applied
    with ``training=is_training`` (default True: contrib drops unless told otherwise)."""
    with _vs.variable_scope(scope, "Dropout", [inputs],
                            custom_getter=_rename_getter()) as sc:
        layer = _core.Dropout(rate=1 - keep_prob, noise_shape=noise_shape, seed=seed,
                              name=sc.name, _scope=sc)
        outputs = layer.apply(inputs, training=is_training)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def one_hot_encoding(labels, num_classes, on_value=1.0, off_value=0.0,
                     outputs_collections=None, scope=None):
    """TF1 ``tf.contrib.layers.one_hot_encoding``: ``one_hot`` (int32 labels cast to int64)."""
    with ops_graph.name_scope(scope, "OneHotEncoding", [labels, num_classes]) as sc:
        def encode(lab):
            lab = tf.convert_to_tensor(lab)
            if lab.dtype == tf.int32:
                lab = tf.cast(lab, tf.int64)
            return tf.one_hot(lab, num_classes, on_value=on_value, off_value=off_value)
        outputs = call(encode, labels)
        return collect_named_outputs(outputs_collections, sc, outputs)


@add_arg_scope
def layer_norm(inputs, center: bool = True, scale: bool = True, activation_fn=None, reuse=None,
               variables_collections=None, outputs_collections=None, trainable: bool = True,
               begin_norm_axis: int = 1, begin_params_axis: int = -1, scope=None):
    """TF1 ``tf.contrib.layers.layer_norm``: moments over axes ``begin_norm_axis..`` (kept),
    ``batch_normalization(x, mean, var, beta, gamma, 1e-12)`` (1e-3 for float16); variables
    ``LayerNorm/beta`` (zeros) and ``LayerNorm/gamma`` (ones) of shape ``x.shape[begin_params_axis:]``.
    """
    with _vs.variable_scope(scope, "LayerNorm", [inputs], reuse=reuse) as sc:
        shape = inputs.get_shape()
        rank = shape.ndims
        if rank is None:
            raise ValueError("Inputs %s has undefined rank." % inputs.name)
        dtype = inputs.dtype.base_dtype
        if begin_norm_axis < 0:
            begin_norm_axis = rank + begin_norm_axis
        if begin_params_axis >= rank or begin_norm_axis >= rank:
            raise ValueError("begin_params_axis (%d) and begin_norm_axis (%d) must be < "
                             "rank(inputs) (%d)" % (begin_params_axis, begin_norm_axis, rank))
        params_shape = shape[begin_params_axis:]
        if not params_shape.is_fully_defined():
            raise ValueError("Inputs %s: shape(inputs)[%s:] is not fully defined: %s"
                             % (inputs.name, begin_params_axis, shape))
        beta = gamma = None
        if center:
            beta = model_variable("beta", shape=params_shape, dtype=dtype,
                                  initializer=_init.zeros_initializer(),
                                  collections=_collections_for(variables_collections, "beta"),
                                  trainable=trainable)
        if scale:
            gamma = model_variable("gamma", shape=params_shape, dtype=dtype,
                                   initializer=_init.ones_initializer(),
                                   collections=_collections_for(variables_collections,
                                                                "gamma"),
                                   trainable=trainable)
        norm_axes = list(range(begin_norm_axis, rank))
        eps = 1e-12 if dtype != tf.float16 else 1e-3

        def norm(x, b, g):
            mean, variance = tf.nn.moments(x, norm_axes, keepdims=True)
            out = tf.nn.batch_normalization(x, mean, variance, offset=b, scale=g,
                                            variance_epsilon=eps)
            out.set_shape(x.shape)
            return out
        outputs = call(norm, inputs, beta, gamma)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def batch_norm(inputs, decay=0.999, center: bool = True, scale: bool = False, epsilon=0.001,
               activation_fn=None, param_initializers=None, param_regularizers=None,
               updates_collections=GraphKeys.UPDATE_OPS, is_training=True, reuse=None,
               variables_collections=None, outputs_collections=None, trainable: bool = True,
               batch_weights=None, fused=None, data_format=DATA_FORMAT_NHWC,
               zero_debias_moving_mean: bool = False, scope=None, renorm: bool = False,
               renorm_clipping=None, renorm_decay=0.99, adjustment=None):
    """TF1 ``tf.contrib.layers.batch_norm`` (note contrib's defaults: ``decay=0.999``,
    ``scale=False``, ``is_training=True``). Variables ``BatchNorm/beta``, ``moving_mean``,
    ``moving_variance`` (and ``gamma`` with ``scale=True``), all MODEL variables.

    As in TF1: with the default ``updates_collections`` and a 4-D input it is
    ``tf.layers.batch_normalization`` (fused, moving variance from the unbiased batch variance);
    a 2-D input, or other ``updates_collections``, takes contrib's own fused path (a 2-D input
    is reshaped to ``[-1, 1, 1, C]``, so its moving variance is the unbiased one too).
    ``updates_collections=None`` runs the updates with the output.
    """
    for what, value in (("batch_weights", batch_weights), ("renorm", renorm),
                        ("adjustment", adjustment),
                        ("zero_debias_moving_mean", zero_debias_moving_mean)):
        if value:
            raise _errors.not_supported(
                f"tf.contrib.layers.batch_norm({what}=...)",
                "tf.layers.batch_normalization covers the default case.", verb="provided")
    if fused is None:
        fused = True
    rank = inputs.get_shape().ndims
    if fused and rank in (2, 4) and (rank == 2 or updates_collections is not
                                     GraphKeys.UPDATE_OPS):
        return _fused_batch_norm(inputs, decay, center, scale, epsilon, activation_fn,
                                 param_initializers, param_regularizers, updates_collections,
                                 is_training, reuse, variables_collections,
                                 outputs_collections, trainable, data_format, scope)
    if data_format not in (DATA_FORMAT_NCHW, DATA_FORMAT_NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    if updates_collections is not GraphKeys.UPDATE_OPS:
        raise _errors.not_supported(
            "tf.contrib.layers.batch_norm(fused=False, updates_collections=...)",
            "use the default updates_collections (UPDATE_OPS) or fused=True.", verb="provided")
    with _vs.variable_scope(scope, "BatchNorm", [inputs], reuse=reuse,
                            custom_getter=_rename_getter()) as sc:
        inits = param_initializers or {}
        regs = param_regularizers or {}
        layer = _norm.BatchNormalization(
            axis=1 if data_format == DATA_FORMAT_NCHW else -1, momentum=decay, epsilon=epsilon,
            center=center, scale=scale,
            beta_initializer=inits.get("beta", _init.zeros_initializer()),
            gamma_initializer=inits.get("gamma", _init.ones_initializer()),
            moving_mean_initializer=inits.get("moving_mean", _init.zeros_initializer()),
            moving_variance_initializer=inits.get("moving_variance", _init.ones_initializer()),
            beta_regularizer=regs.get("beta"), gamma_regularizer=regs.get("gamma"),
            trainable=trainable, name=sc.name, _scope=sc, _reuse=reuse, fused=fused)
        outputs = layer.apply(inputs, training=is_training)
        _add_to_collections(layer.moving_mean, variables_collections, "moving_mean")
        _add_to_collections(layer.moving_variance, variables_collections, "moving_variance")
        if layer.beta is not None:
            _add_to_collections(layer.beta, variables_collections, "beta")
        if layer.gamma is not None:
            _add_to_collections(layer.gamma, variables_collections, "gamma")
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


def _fused_batch_norm(inputs, decay, center, scale, epsilon, activation_fn, param_initializers,
                      param_regularizers, updates_collections, is_training, reuse,
                      variables_collections, outputs_collections, trainable, data_format,
                      scope):
    """contrib's own fused batch norm (FusedBatchNormV3 on 4-D, 2-D reshaped to 4-D)."""
    if data_format not in (DATA_FORMAT_NCHW, DATA_FORMAT_NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    with _vs.variable_scope(scope, "BatchNorm", [inputs], reuse=reuse) as sc:
        shape = inputs.get_shape()
        rank = shape.ndims
        if rank not in (2, 4):
            raise ValueError("Inputs %s has unsupported rank. Expected 2 or 4 but got %s"
                             % (inputs.name, rank))
        channels = shape[-1] if (rank == 2 or data_format == DATA_FORMAT_NHWC) else shape[1]
        if tf.compat.dimension_value(channels) is None:
            raise ValueError("Inputs %s has undefined `C` dimension %s." % (inputs.name, shape))
        params_shape = [int(channels)]
        inits = param_initializers or {}
        regs = param_regularizers or {}

        def var(name, init, trainable_=trainable, regularizer=None):
            return model_variable(name, shape=params_shape, dtype=tf.float32,
                                  initializer=inits.get(name, init), regularizer=regularizer,
                                  collections=_collections_for(variables_collections, name),
                                  trainable=trainable_)
        beta = var("beta", _init.zeros_initializer(), regularizer=regs.get("beta")) \
            if center else None
        gamma = var("gamma", _init.ones_initializer(), regularizer=regs.get("gamma")) \
            if scale else None
        local = _vs.get_variable_scope()
        partitioner = local.partitioner
        local.set_partitioner(None)
        try:
            moving_mean = var("moving_mean", _init.zeros_initializer(), trainable_=False)
            moving_variance = var("moving_variance", _init.ones_initializer(),
                                  trainable_=False)
        finally:
            local.set_partitioner(partitioner)
        training_value = _base.constant_value(is_training)
        eps = max(epsilon, 1.001e-5)  # TF1's nn.fused_batch_norm raised epsilon to 1.001e-5

        def build(x, training, beta, gamma, mm, mv):
            original = x
            if rank == 2:
                c = params_shape[0]
                x = tf.reshape(x, [-1, c, 1, 1] if data_format == DATA_FORMAT_NCHW
                               else [-1, 1, 1, c])
            b = beta if beta is not None else tf.constant(0.0, shape=params_shape)
            g = gamma if gamma is not None else tf.constant(1.0, shape=params_shape)

            def run(is_train):
                def fn():
                    empty = tf.constant([], dtype=tf.float32)
                    y, m, v, _, _, _ = tf.raw_ops.FusedBatchNormV3(
                        x=x, scale=g, offset=b,
                        mean=empty if is_train else tf.convert_to_tensor(mm),
                        variance=empty if is_train else tf.convert_to_tensor(mv),
                        epsilon=eps, exponential_avg_factor=1.0, data_format=data_format,
                        is_training=is_train)
                    return y, m, v
                return fn
            out, mean, variance = _base.smart_cond(training, run(True), run(False))
            updates = []
            if training_value is None or training_value:
                def do_updates():
                    return (_norm._assign_moving_average(mm, mean, decay),
                            _norm._assign_moving_average(mv, variance, decay))
                if updates_collections is None:
                    def forced():
                        u1, u2 = do_updates()
                        with tf.control_dependencies([u1, u2]):
                            return tf.identity(out)
                    out = _base.smart_cond(training, forced, lambda: out)
                else:
                    updates = list(_base.smart_cond(
                        training, lambda: tuple(tf.convert_to_tensor(u) for u in do_updates()),
                        lambda: (tf.convert_to_tensor(mm), tf.convert_to_tensor(mv))))
            out.set_shape(x.shape)
            if rank == 2:
                out = tf.reshape(out, tf.shape(original))
            return out, updates
        outputs, updates = call(build, inputs, is_training, beta, gamma, moving_mean,
                                moving_variance)
        if updates:
            graph = _graph.get_default_graph()
            for u in updates:
                graph.add_to_collections(updates_collections, u)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


def _layer_name(layer, default: str) -> str:
    if hasattr(layer, "__name__"):
        return layer.__name__
    if hasattr(layer, "func") and hasattr(layer.func, "__name__"):
        return layer.func.__name__
    return default


def stack(inputs, layer, stack_args, **kwargs):
    """TF1 ``tf.contrib.layers.stack``: ``layer`` applied once per entry of ``stack_args``, in
    scopes ``<layer name>_1``, ``_2``... inside ``variable_scope(scope, 'Stack')``."""
    scope = kwargs.pop("scope", None)
    if not isinstance(stack_args, (list, tuple)):
        raise ValueError("stack_args need to be a list or tuple")
    with _vs.variable_scope(scope, "Stack", [inputs]):
        if scope is None:
            scope = _layer_name(layer, "stack")
        outputs = inputs
        for i, layer_args in enumerate(stack_args):
            kwargs["scope"] = scope + "_" + str(i + 1)
            if not isinstance(layer_args, (list, tuple)):
                layer_args = [layer_args]
            outputs = layer(outputs, *layer_args, **kwargs)
        return outputs


def repeat(inputs, repetitions: int, layer, *args, **kwargs):
    """TF1 ``tf.contrib.layers.repeat``: ``layer`` applied ``repetitions`` times, in scopes
    ``<layer name>_1``... inside ``variable_scope(scope, 'Repeat')``."""
    scope = kwargs.pop("scope", None)
    with _vs.variable_scope(scope, "Repeat", [inputs]):
        if scope is None:
            scope = _layer_name(layer, "repeat")
        outputs = inputs
        for i in range(repetitions):
            kwargs["scope"] = scope + "_" + str(i + 1)
            outputs = layer(outputs, *args, **kwargs)
        return outputs


linear = functools.partial(fully_connected, activation_fn=None)
relu = functools.partial(fully_connected, activation_fn=_relu)
conv2d = convolution2d
conv2d_transpose = convolution2d_transpose


# ----- framework --------------------------------------------------------------------------------
def get_variables(scope=None, suffix=None, collection=GraphKeys.GLOBAL_VARIABLES) -> list:
    """TF1 ``tf.contrib.framework.get_variables``: the collection filtered by scope (a name or a
    VariableScope) and by a name suffix."""
    if isinstance(scope, _vs.VariableScope):
        scope = scope.name
    if suffix is not None:
        if ":" not in suffix:
            suffix += ":"
        scope = (scope or "") + ".*" + suffix
    return _graph.get_default_graph().get_collection(collection, scope)


def get_model_variables(scope=None, suffix=None) -> list:
    return get_variables(scope, suffix, GraphKeys.MODEL_VARIABLES)


def get_trainable_variables(scope=None, suffix=None) -> list:
    return get_variables(scope, suffix, GraphKeys.TRAINABLE_VARIABLES)


def get_variables_by_name(given_name: str, scope=None) -> list:
    suffix = "/" + given_name + ":|^" + given_name + ":"
    return get_variables(scope=scope, suffix=suffix)


def get_variables_to_restore(include=None, exclude=None) -> list:
    """TF1 ``tf.contrib.framework.get_variables_to_restore``: global variables whose names
    start with an ``include`` scope and with no ``exclude`` scope."""
    if include is None:
        candidates = get_variables()
    else:
        candidates = [v for scope in include for v in get_variables(scope)]
    excluded = {id(v) for scope in (exclude or []) for v in get_variables(scope)}
    return [v for v in candidates if id(v) not in excluded]


# ----- optimize_loss ----------------------------------------------------------------------------
def _optimizer_classes():
    from tftrain_compat import train
    return {
        "Adagrad": train.AdagradOptimizer,
        "Adam": train.AdamOptimizer,
        "Ftrl": train.FtrlOptimizer,
        "Momentum": lambda learning_rate: train.MomentumOptimizer(learning_rate, momentum=0.9),
        "RMSProp": train.RMSPropOptimizer,
        "SGD": train.GradientDescentOptimizer,
    }


def optimize_loss(loss, global_step, learning_rate, optimizer, gradient_noise_scale=None,
                  gradient_multipliers=None, clip_gradients=None, learning_rate_decay_fn=None,
                  update_ops=None, variables=None, name=None, summaries=None,
                  colocate_gradients_with_ops=False, increment_global_step=True):
    """TF1 ``tf.contrib.layers.optimize_loss``: the train tensor (``loss`` after the update).

    In ``variable_scope(name, 'OptimizeLoss')``: UPDATE_OPS (or ``update_ops``) run before the
    loss; a float ``learning_rate`` becomes the non-trainable variable ``OptimizeLoss/
    learning_rate``; ``learning_rate_decay_fn(lr, global_step)``; the optimizer is a name
    (``SGD``, ``Adam``, ``Adagrad``, ``Momentum`` (0.9), ``RMSProp``, ``Ftrl``), a class, an
    instance or a function of the rate; gradients are clipped by global norm for a float
    ``clip_gradients`` (or by a function); ``apply_gradients(name='train')``. Summaries are not
    recorded (tftrain_compat has no TF1 summary ops).
    """
    from tftrain_compat import train
    from tftrain_compat._src.training.optimizer import Optimizer
    if loss.get_shape().ndims not in (0, None):
        raise ValueError("Expected scalar shape for %s, saw shape: %s."
                         % (loss.name, loss.get_shape()))
    if global_step is None:
        global_step = train.get_global_step()
    else:
        train.assert_global_step(global_step)
    if gradient_noise_scale is not None:
        raise _errors.not_supported("optimize_loss(gradient_noise_scale=...)",
                                    "add noise to the gradients yourself between "
                                    "compute_gradients and apply_gradients.", verb="provided")
    with _vs.variable_scope(name, "OptimizeLoss", [loss, global_step]):
        if update_ops is None:
            update_ops = _graph.get_default_graph().get_collection(GraphKeys.UPDATE_OPS)
        if update_ops:
            with ops_graph.control_dependencies(list(update_ops)):
                loss = call(tf.identity, loss)
        lr = None
        if learning_rate is not None:
            if hasattr(learning_rate, "get_shape") and learning_rate.get_shape().ndims == 0:
                lr = learning_rate
            elif isinstance(learning_rate, float):
                if learning_rate < 0.0:
                    raise ValueError("Invalid learning_rate %s." % learning_rate)
                lr = _vs.get_variable("learning_rate", [], trainable=False,
                                      initializer=_init.constant_initializer(learning_rate))
            else:
                raise ValueError("Learning rate should be 0d Tensor or float. Got %s of type %s"
                                 % (str(learning_rate), str(type(learning_rate))))
        if learning_rate is not None and learning_rate_decay_fn is not None:
            if global_step is None:
                raise ValueError("global_step is required for learning_rate_decay_fn.")
            lr = learning_rate_decay_fn(lr, global_step)
        names = _optimizer_classes()
        if isinstance(optimizer, str):
            if lr is None:
                raise ValueError("Learning rate is None, but should be specified if optimizer "
                                 "is string (%s)." % optimizer)
            if optimizer not in names:
                raise ValueError("Optimizer name should be one of [%s], you provided %s."
                                 % (", ".join(names), optimizer))
            opt = names[optimizer](learning_rate=lr)
        elif isinstance(optimizer, type) and issubclass(optimizer, Optimizer):
            if lr is None:
                raise ValueError("Learning rate is None, but should be specified if optimizer "
                                 "is class (%s)." % optimizer)
            opt = optimizer(learning_rate=lr)
        elif isinstance(optimizer, Optimizer):
            opt = optimizer
        elif callable(optimizer):
            opt = optimizer(lr) if learning_rate is not None else optimizer()
            if not isinstance(opt, Optimizer):
                raise ValueError("Unrecognized optimizer: function should return subclass of "
                                 "Optimizer. Got %s." % str(opt))
        else:
            raise ValueError("Unrecognized optimizer: should be string, subclass of Optimizer, "
                             "instance of subclass of Optimizer or function with one argument. "
                             "Got %s." % str(optimizer))
        if variables is None:
            variables = _graph.get_default_graph().get_collection(
                GraphKeys.TRAINABLE_VARIABLES)
        gradients = opt.compute_gradients(
            loss, variables, colocate_gradients_with_ops=colocate_gradients_with_ops)
        if gradient_multipliers is not None:
            gradients = _multiply_gradients(gradients, gradient_multipliers)
            if not gradients:
                raise ValueError("Empty list of (gradient, var) pairs encountered. This is most "
                                 "likely to be caused by an improper value of "
                                 "gradient_multipliers.")
        if isinstance(clip_gradients, float):
            grads, tvars = zip(*gradients)
            clipped = call(lambda gs: tf.clip_by_global_norm(gs, clip_gradients)[0],
                           list(grads))
            gradients = list(zip(clipped, tvars))
        elif callable(clip_gradients):
            gradients = clip_gradients(gradients)
        elif clip_gradients is not None:
            raise ValueError("Unknown type %s for clip_gradients" % type(clip_gradients))
        grad_updates = opt.apply_gradients(
            gradients, global_step=global_step if increment_global_step else None, name="train")
        with ops_graph.control_dependencies([grad_updates]):
            return call(tf.identity, loss)


def _multiply_gradients(grads_and_vars, multipliers: dict) -> list:
    out = []
    for grad, var in grads_and_vars:
        key = var if var in multipliers else var.op.name
        if grad is not None and key in multipliers:
            grad = call(lambda g, m: g * tf.constant(m, dtype=g.dtype), grad, multipliers[key])
        out.append((grad, var))
    return out
