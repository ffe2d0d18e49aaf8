"""TF1 ``tf.layers`` core layers: ``Dense``, ``Dropout``, ``Flatten`` and their functions."""
from __future__ import annotations

import functools
import numbers
import operator

import tensorflow as tf

from tftrain_compat._src import initializers as _init
from tftrain_compat._src.layers import base
from tftrain_compat._src.layers.base import InputSpec, Layer, call


def activation_fn(activation):
    """TF1 layers take any callable (``tf.nn.relu``); None means linear."""
    return activation


class Dense(Layer):
    """TF1 ``tf.layers.Dense(units, activation=None, use_bias=True, kernel_initializer=None,
    bias_initializer=zeros_initializer(), kernel_regularizer=None, bias_regularizer=None,
    activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable=True,
    name=None)``.

    ``outputs = activation(inputs @ kernel + bias)``: ``MatMul`` for rank-2 inputs, a
    ``tensordot`` over the last axis otherwise; weights ``kernel`` ``[in, units]`` and ``bias``.
    """

    def __init__(self, units, activation=None, use_bias: bool = True, kernel_initializer=None,
                 bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 trainable: bool = True, name: str | None = None, **kwargs) -> None:
        super().__init__(trainable=trainable, name=name,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.units = int(units) if not isinstance(units, int) else units
        if self.units < 0:
            raise ValueError("Received an invalid value for `units`, expected a positive "
                             f"integer. Received: units={units}")
        self.activation = activation_fn(activation)
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = (_init.zeros_initializer() if bias_initializer is None
                                 else bias_initializer)
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape) -> None:
        input_shape = tf.TensorShape(input_shape)
        last_dim = tf.compat.dimension_value(input_shape[-1])
        if last_dim is None:
            raise ValueError("The last dimension of the inputs to a Dense layer should be "
                             f"defined. Found None. Full input shape received: {input_shape}")
        self.input_spec = InputSpec(min_ndim=2, axes={-1: last_dim})
        self.kernel = self.add_weight(
            "kernel", shape=[last_dim, self.units], initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
            dtype=self._dtype, trainable=True)
        if self.use_bias:
            self.bias = self.add_weight(
                "bias", shape=[self.units], initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
                dtype=self._dtype, trainable=True)
        else:
            self.bias = None
        self.built = True

    def call(self, inputs):
        def dense(x, kernel, bias):
            if x.dtype.base_dtype != kernel.dtype.base_dtype:
                x = tf.cast(x, kernel.dtype.base_dtype)
            rank = x.shape.rank
            if rank == 2 or rank is None:
                out = tf.matmul(x, kernel)
            else:
                out = tf.tensordot(x, kernel, [[rank - 1], [0]])
                out.set_shape(x.shape[:-1].concatenate([self.units]))
            if bias is not None:
                out = tf.nn.bias_add(out, bias)
            return out
        outputs = call(dense, inputs, self.kernel, self.bias)
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        return tf.TensorShape(input_shape)[:-1].concatenate([self.units])


def dense(inputs, units, activation=None, use_bias: bool = True, kernel_initializer=None,
          bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
          activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
          trainable: bool = True, name: str | None = None, reuse=None):
    """TF1 ``tf.layers.dense``: ``Dense(...)(inputs)`` in the scope ``name`` (else ``dense``,
    ``dense_1``...); ``reuse=True`` shares the weights of an earlier call with that name."""
    layer = Dense(units, activation=activation, use_bias=use_bias,
                  kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                  kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                  activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                  bias_constraint=bias_constraint, trainable=trainable, name=name,
                  _scope=name, _reuse=reuse)
    return layer(inputs)


class Dropout(Layer):
    """TF1 ``tf.layers.Dropout(rate=0.5, noise_shape=None, seed=None, name=None)``.

    ``call(inputs, training=False)``: when training, ``tf.nn.dropout(inputs, rate=rate, seed)``
    (kept values scaled by ``1/(1-rate)``), else ``identity``; a ``training`` tensor builds a
    ``tf.cond``. A given seed is used for the first call and incremented on each later call.
    """

    def __init__(self, rate=0.5, noise_shape=None, seed=None, name: str | None = None,
                 **kwargs) -> None:
        super().__init__(name=name, **kwargs)
        if isinstance(rate, (int, float)) and not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float "
                             f"value between 0 and 1. Received: rate={rate}")
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed

    def _next_seed(self):
        seed = self.seed
        if seed is not None:
            self.seed = seed + 1
        return seed

    def call(self, inputs, training=False):
        if isinstance(self.rate, numbers.Real) and self.rate == 0:
            return call(tf.identity, inputs)
        noise_shape = self.noise_shape

        def drop(x, training, rate):
            def shape_of(x):
                if noise_shape is None:
                    return None
                dyn = tf.shape(x)
                return [dyn[i] if v is None else v for i, v in enumerate(noise_shape)]

            # TF1: the mask is drawn in the cond's true branch (TF 1.x's Switch/Merge nodes),
            # so its stream advances only on steps that run with ``training`` True.
            return base.smart_cond(
                training, lambda: tf.nn.dropout(x, rate=rate, noise_shape=shape_of(x),
                                                seed=self._next_seed()),
                lambda: tf.identity(x))
        return call(drop, inputs, training, self.rate)

    def compute_output_shape(self, input_shape):
        return input_shape


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False,
            name: str | None = None):
    """TF1 ``tf.layers.dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False)``:
    note ``rate`` is the DROP probability (``tf.nn.dropout``'s second argument is keep_prob) and
    nothing is dropped unless ``training`` is True (or a tensor that is True when run)."""
    layer = Dropout(rate, noise_shape=noise_shape, seed=seed, name=name)
    return layer(inputs, training=training)


class Flatten(Layer):
    """TF1 ``tf.layers.Flatten(data_format='channels_last')``: ``[batch, ...] -> [batch, k]``
    (``channels_first`` inputs are moved to channels-last first)."""

    def __init__(self, data_format: str = "channels_last", **kwargs) -> None:
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        channels_first = self.data_format == "channels_first"

        def flatten(x):
            rank = x.shape.rank
            if channels_first and rank is not None and rank > 1:
                x = tf.transpose(x, perm=[0] + list(range(2, rank)) + [1])
            if rank == 1:
                return tf.expand_dims(x, axis=1)
            batch = tf.compat.dimension_value(x.shape[0])
            rest = x.shape[1:]
            if rest.is_fully_defined():
                shape = tf.constant([-1, int(functools.reduce(operator.mul, rest.as_list(), 1))])
            elif batch is not None:
                shape = tf.constant([int(batch), -1])
            else:
                shape = [tf.shape(x)[0], -1]
            return tf.reshape(x, shape)
        return call(flatten, inputs)


def flatten(inputs, name: str | None = None, data_format: str = "channels_last"):
    """TF1 ``tf.layers.flatten``: ``Flatten(data_format)(inputs)``."""
    return Flatten(name=name, data_format=data_format)(inputs)


def normalize_data_format(value) -> str:
    """``channels_last`` / ``channels_first`` (TF1 layers' accepted values)."""
    if value is None:
        value = "channels_last"
    data_format = value.lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError('The `data_format` argument must be one of "channels_first", '
                         f'"channels_last". Received: {value}')
    return data_format
