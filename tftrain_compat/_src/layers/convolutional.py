"""TF1 ``tf.layers`` convolutions: ``Conv1D/2D/3D``, ``Conv2DTranspose``, ``SeparableConv2D``.

Weights are ``kernel`` (``kernel_size + (in_channels, filters)``; transposed convolutions
``kernel_size + (filters, in_channels)``) and ``bias``; separable ones ``depthwise_kernel``,
``pointwise_kernel``, ``bias``. The op is TF's own (``tf.nn.convolution``,
``conv2d_transpose``, ``separable_conv2d``), then ``bias_add`` and the activation.
"""
from __future__ import annotations

import tensorflow as tf

from tftrain_compat._src import initializers as _init
from tftrain_compat._src.layers.base import InputSpec, Layer, call
from tftrain_compat._src.layers.core import normalize_data_format

_TF_FORMATS = {("channels_last", 1): "NWC", ("channels_last", 2): "NHWC",
               ("channels_last", 3): "NDHWC", ("channels_first", 1): "NCW",
               ("channels_first", 2): "NCHW", ("channels_first", 3): "NCDHW"}


def normalize_tuple(value, n: int, name: str) -> tuple:
    """An int -> ``(value,) * n``; a sequence of ``n`` ints passes (TF1 layers' rule)."""
    if isinstance(value, int):
        return (value,) * n
    try:
        values = tuple(value)
    except TypeError:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. "
                         f"Received: {value}") from None
    if len(values) != n or not all(isinstance(v, int) for v in values):
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. "
                         f"Received: {value}")
    return values


def normalize_padding(value, allow_causal: bool = False) -> str:
    padding = value.lower() if isinstance(value, str) else value
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    if padding not in allowed:
        raise ValueError("The `padding` argument must be a list/tuple or one of "
                         f"{', '.join(repr(a) for a in allowed)}. Received: {value}")
    return padding


class _Conv(Layer):
    """The N-d convolution shared by ``Conv1D``, ``Conv2D`` and ``Conv3D``."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format="channels_last", dilation_rate=1, activation=None,
                 use_bias: bool = True, kernel_initializer=None, bias_initializer=None,
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, trainable: bool = True,
                 name: str | None = None, **kwargs) -> None:
        super().__init__(trainable=trainable, name=name,
                         activity_regularizer=activity_regularizer, **kwargs)
        if filters is not None and int(filters) <= 0:
            raise ValueError("Invalid value for argument `filters`. Expected a strictly "
                             f"positive value. Received filters={filters}.")
        self.filters = int(filters)
        self.kernel_size = normalize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = normalize_tuple(strides, self.rank, "strides")
        self.padding = normalize_padding(padding, allow_causal=self.rank == 1)
        self.data_format = normalize_data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, "dilation_rate")
        if any(s != 1 for s in self.strides) and any(d != 1 for d in self.dilation_rate):
            raise ValueError("`strides > 1` not supported in conjunction with "
                             f"`dilation_rate > 1`. Received: strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}")
        self.activation = activation
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = (_init.zeros_initializer() if bias_initializer is None
                                 else bias_initializer)
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint
        self.input_spec = InputSpec(min_ndim=self.rank + 2)

    @property
    def _channel_axis(self) -> int:
        return 1 if self.data_format == "channels_first" else -1

    def _input_channels(self, input_shape) -> int:
        dim = tf.compat.dimension_value(tf.TensorShape(input_shape)[self._channel_axis])
        if dim is None:
            raise ValueError("The channel dimension of the inputs should be defined. The input_"
                             f"shape received is {input_shape}, where axis "
                             f"{self._channel_axis} (0-based) is the channel dimension, which "
                             "found to be `None`.")
        return int(dim)

    def _kernel_shape(self, in_channels: int) -> tuple:
        return self.kernel_size + (in_channels, self.filters)

    def build(self, input_shape) -> None:
        in_channels = self._input_channels(input_shape)
        self.kernel = self.add_weight(
            "kernel", shape=self._kernel_shape(in_channels), initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
            trainable=True, dtype=self._dtype)
        self.bias = (self.add_weight(
            "bias", shape=(self.filters,), initializer=self.bias_initializer,
            regularizer=self.bias_regularizer, constraint=self.bias_constraint,
            trainable=True, dtype=self._dtype) if self.use_bias else None)
        self.input_spec = InputSpec(min_ndim=self.rank + 2,
                                    axes={self._channel_axis: in_channels})
        self.built = True

    def _convolve(self, x, kernel):
        if self.padding == "causal":
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            x = tf.pad(x, [[0, 0], [left, 0], [0, 0]])
        return tf.nn.convolution(x, kernel, strides=list(self.strides),
                                 padding="VALID" if self.padding == "causal" else
                                 self.padding.upper(),
                                 dilations=list(self.dilation_rate),
                                 data_format=_TF_FORMATS[(self.data_format, self.rank)],
                                 name=type(self).__name__)

    def _add_bias(self, out, bias):
        if self.rank == 1 and self.data_format == "channels_first":
            return out + tf.reshape(bias, (1, self.filters, 1))
        return tf.nn.bias_add(out, bias, data_format=_TF_FORMATS[(self.data_format, 2)]
                              if self.rank == 2 else
                              ("NHWC" if self.data_format == "channels_last" else "NCHW"))

    def call(self, inputs):
        def conv(x, kernel, bias):
            out = self._convolve(x, kernel)
            if bias is not None:
                out = self._add_bias(out, bias)
            return out
        outputs = call(conv, inputs, self.kernel, self.bias)
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs


class Conv1D(_Conv):
    """TF1 ``tf.layers.Conv1D(filters, kernel_size, strides=1, padding='valid',
    data_format='channels_last', dilation_rate=1, activation=None, use_bias=True, ...)``."""

    rank = 1


class Conv2D(_Conv):
    """TF1 ``tf.layers.Conv2D(filters, kernel_size, strides=(1, 1), padding='valid',
    data_format='channels_last', dilation_rate=(1, 1), activation=None, use_bias=True, ...)``."""

    rank = 2


class Conv3D(_Conv):
    """TF1 ``tf.layers.Conv3D(filters, kernel_size, strides=(1, 1, 1), padding='valid', ...)``."""

    rank = 3


def deconv_output_length(length, kernel: int, padding: str, stride: int, dilation: int = 1):
    """Output length of a transposed convolution (TF1 layers' formula)."""
    if length is None:
        return None
    kernel = kernel + (kernel - 1) * (dilation - 1)
    if padding == "valid":
        return length * stride + max(kernel - stride, 0)
    return length * stride


class Conv2DTranspose(_Conv):
    """TF1 ``tf.layers.Conv2DTranspose(filters, kernel_size, strides=(1, 1), padding='valid',
    data_format='channels_last', ...)``: ``conv2d_transpose`` to ``in * stride`` (``same``) or
    ``in * stride + max(kernel - stride, 0)`` (``valid``); kernel ``[kh, kw, filters, in]``."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format="channels_last", activation=None, use_bias: bool = True,
                 kernel_initializer=None, bias_initializer=None, kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, trainable: bool = True, name: str | None = None,
                 **kwargs) -> None:
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         trainable=trainable, name=name, **kwargs)
        self.input_spec = InputSpec(ndim=4)

    def _kernel_shape(self, in_channels: int) -> tuple:
        return self.kernel_size + (self.filters, in_channels)

    def build(self, input_shape) -> None:
        if tf.TensorShape(input_shape).rank != 4:
            raise ValueError("Inputs should have rank 4. "
                             f"Received input_shape={input_shape}.")
        super().build(input_shape)
        self.input_spec = InputSpec(ndim=4, axes={self._channel_axis:
                                                  self._input_channels(input_shape)})

    def _convolve(self, x, kernel):
        first = self.data_format == "channels_first"
        if first:  # CPU kernels are NHWC: TF1 layers transposed around the op
            x = tf.transpose(x, (0, 2, 3, 1))
        dyn = tf.shape(x)
        dims = x.shape.as_list()
        height = dims[1] if dims[1] is not None else dyn[1]
        width = dims[2] if dims[2] is not None else dyn[2]
        out_h = deconv_output_length(height, self.kernel_size[0], self.padding, self.strides[0])
        out_w = deconv_output_length(width, self.kernel_size[1], self.padding, self.strides[1])
        out_shape = tf.stack((dyn[0], out_h, out_w, self.filters))
        out = tf.nn.conv2d_transpose(x, kernel, out_shape,
                                     strides=(1,) + self.strides + (1,),
                                     padding=self.padding.upper(), data_format="NHWC")
        static = [dims[0],
                  deconv_output_length(dims[1], self.kernel_size[0], self.padding,
                                       self.strides[0]),
                  deconv_output_length(dims[2], self.kernel_size[1], self.padding,
                                       self.strides[1]),
                  self.filters]
        out.set_shape(static)
        if first:
            out = tf.transpose(out, (0, 3, 1, 2))
        return out


class SeparableConv2D(_Conv):
    """TF1 ``tf.layers.SeparableConv2D(filters, kernel_size, strides=(1, 1), padding='valid',
    data_format='channels_last', dilation_rate=(1, 1), depth_multiplier=1, ...,
    depthwise_initializer=None, pointwise_initializer=None, ...)``: a depthwise convolution
    (``[kh, kw, in, depth_multiplier]``) then a 1x1 pointwise one (``[1, 1, in*dm, filters]``)."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format="channels_last", dilation_rate=(1, 1), depth_multiplier: int = 1,
                 activation=None, use_bias: bool = True, depthwise_initializer=None,
                 pointwise_initializer=None, bias_initializer=None, depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 trainable: bool = True, name: str | None = None, **kwargs) -> None:
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, trainable=trainable, name=name,
                         **kwargs)
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = depthwise_initializer
        self.pointwise_initializer = pointwise_initializer
        self.depthwise_regularizer = depthwise_regularizer
        self.pointwise_regularizer = pointwise_regularizer
        self.depthwise_constraint = depthwise_constraint
        self.pointwise_constraint = pointwise_constraint

    def build(self, input_shape) -> None:
        in_channels = self._input_channels(input_shape)
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", shape=self.kernel_size + (in_channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint, trainable=True, dtype=self._dtype)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", shape=(1, 1, self.depth_multiplier * in_channels, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint, trainable=True, dtype=self._dtype)
        self.bias = (self.add_weight(
            "bias", shape=(self.filters,), initializer=self.bias_initializer,
            regularizer=self.bias_regularizer, constraint=self.bias_constraint,
            trainable=True, dtype=self._dtype) if self.use_bias else None)
        self.input_spec = InputSpec(ndim=4, axes={self._channel_axis: in_channels})
        self.built = True

    def call(self, inputs):
        if self.data_format == "channels_last":
            strides = (1,) + self.strides + (1,)
        else:
            strides = (1, 1) + self.strides

        def sep(x, depthwise, pointwise, bias):
            out = tf.nn.separable_conv2d(x, depthwise, pointwise, strides=strides,
                                         padding=self.padding.upper(),
                                         dilations=self.dilation_rate,
                                         data_format=_TF_FORMATS[(self.data_format, 2)])
            if bias is not None:
                out = tf.nn.bias_add(out, bias, data_format=_TF_FORMATS[(self.data_format, 2)])
            return out
        outputs = call(sep, inputs, self.depthwise_kernel, self.pointwise_kernel, self.bias)
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs


def _conv_fn(cls, doc: str, transpose: bool = False):
    def conv(inputs, filters, kernel_size, strides=1 if cls.rank == 1 else (1,) * cls.rank,
             padding="valid", data_format="channels_last", dilation_rate=1 if cls.rank == 1
             else (1,) * cls.rank, activation=None, use_bias=True, kernel_initializer=None,
             bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
             activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
             trainable=True, name=None, reuse=None):
        layer = cls(filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
                    data_format=data_format, dilation_rate=dilation_rate,
                    activation=activation, use_bias=use_bias,
                    kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                    kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                    activity_regularizer=activity_regularizer,
                    kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                    trainable=trainable, name=name, _reuse=reuse, _scope=name)
        return layer(inputs)
    conv.__doc__ = doc
    return conv


conv1d = _conv_fn(Conv1D, "TF1 ``tf.layers.conv1d(inputs, filters, kernel_size, ...)``: "
                  "``Conv1D(...)(inputs)`` in scope ``name`` (else ``conv1d``, ``conv1d_1``).")
conv1d.__name__ = "conv1d"
conv2d = _conv_fn(Conv2D, "TF1 ``tf.layers.conv2d(inputs, filters, kernel_size, ...)``: "
                  "``Conv2D(...)(inputs)`` in scope ``name`` (else ``conv2d``, ``conv2d_1``).")
conv2d.__name__ = "conv2d"
conv3d = _conv_fn(Conv3D, "TF1 ``tf.layers.conv3d(inputs, filters, kernel_size, ...)``.")
conv3d.__name__ = "conv3d"


def conv2d_transpose(inputs, filters, kernel_size, strides=(1, 1), padding="valid",
                     data_format="channels_last", activation=None, use_bias=True,
                     kernel_initializer=None, bias_initializer=None, kernel_regularizer=None,
                     bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                     bias_constraint=None, trainable=True, name=None, reuse=None):
    """TF1 ``tf.layers.conv2d_transpose``: ``Conv2DTranspose(...)(inputs)``."""
    return Conv2DTranspose(
        filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
        data_format=data_format, activation=activation, use_bias=use_bias,
        kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
        kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
        activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
        bias_constraint=bias_constraint, trainable=trainable, name=name, _reuse=reuse,
        _scope=name)(inputs)


def separable_conv2d(inputs, filters, kernel_size, strides=(1, 1), padding="valid",
                     data_format="channels_last", dilation_rate=(1, 1), depth_multiplier=1,
                     activation=None, use_bias=True, depthwise_initializer=None,
                     pointwise_initializer=None, bias_initializer=None,
                     depthwise_regularizer=None, pointwise_regularizer=None,
                     bias_regularizer=None, activity_regularizer=None,
                     depthwise_constraint=None, pointwise_constraint=None,
                     bias_constraint=None, trainable=True, name=None, reuse=None):
    """TF1 ``tf.layers.separable_conv2d``: ``SeparableConv2D(...)(inputs)``."""
    return SeparableConv2D(
        filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
        data_format=data_format, dilation_rate=dilation_rate,
        depth_multiplier=depth_multiplier, activation=activation, use_bias=use_bias,
        depthwise_initializer=depthwise_initializer,
        pointwise_initializer=pointwise_initializer, bias_initializer=bias_initializer,
        depthwise_regularizer=depthwise_regularizer,
        pointwise_regularizer=pointwise_regularizer, bias_regularizer=bias_regularizer,
        activity_regularizer=activity_regularizer, depthwise_constraint=depthwise_constraint,
        pointwise_constraint=pointwise_constraint, bias_constraint=bias_constraint,
        trainable=trainable, name=name, _reuse=reuse, _scope=name)(inputs)


Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D
Convolution2DTranspose = Deconvolution2D = Deconv2D = Conv2DTranspose
SeparableConvolution2D = SeparableConv2D
convolution1d, convolution2d, convolution3d = conv1d, conv2d, conv3d
convolution2d_transpose = deconvolution2d = conv2d_transpose
