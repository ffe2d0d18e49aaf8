"""TF1 ``tf.layers`` pooling: ``MaxPooling1D/2D/3D``, ``AveragePooling1D/2D/3D``.

``strides`` defaults to ``pool_size``. The ops are TF's ``MaxPool``/``AvgPool`` (1-d inputs get
a unit width axis, as TF1 layers did) and ``MaxPool3D``/``AvgPool3D``. A 2-d ``channels_first``
pooling is TF1's NCHW op itself (on a CPU, TF runs it only where its oneDNN kernels are on, and
fails as TF1 did elsewhere); 1-d and 3-d ``channels_first`` inputs are moved to channels-last
around the op, as TF1's layers did on a machine without a GPU.
"""
from __future__ import annotations

import tensorflow as tf

from tftrain_compat._src.layers.base import InputSpec, Layer, call
from tftrain_compat._src.layers.convolutional import normalize_padding, normalize_tuple
from tftrain_compat._src.layers.core import normalize_data_format


class _Pooling(Layer):
    rank = 2
    mode = "max"

    def __init__(self, pool_size, strides=None, padding="valid",
                 data_format="channels_last", name: str | None = None, **kwargs) -> None:
        super().__init__(name=name, **kwargs)
        if strides is None:
            strides = pool_size
        self.pool_size = normalize_tuple(pool_size, self.rank, "pool_size")
        self.strides = normalize_tuple(strides, self.rank, "strides")
        self.padding = normalize_padding(padding)
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        rank = self.rank
        first = self.data_format == "channels_first"
        to_last = (0,) + tuple(range(2, rank + 2)) + (1,)
        to_first = (0, rank + 1) + tuple(range(1, rank + 1))

        def pool(x):
            if rank == 2 and first:
                fn = tf.nn.max_pool2d if self.mode == "max" else tf.nn.avg_pool2d
                return fn(x, ksize=(1, 1) + self.pool_size, strides=(1, 1) + self.strides,
                          padding=self.padding.upper(), data_format="NCHW")
            if first:
                x = tf.transpose(x, to_last)
            if rank == 1:
                x = tf.expand_dims(x, 2)
                ksize, strides = (1,) + self.pool_size + (1, 1), (1,) + self.strides + (1, 1)
            else:
                ksize, strides = (1,) + self.pool_size + (1,), (1,) + self.strides + (1,)
            if rank in (1, 2):
                fn = tf.nn.max_pool2d if self.mode == "max" else tf.nn.avg_pool2d
                out = fn(x, ksize=ksize, strides=strides, padding=self.padding.upper(),
                         data_format="NHWC")
            else:
                fn = tf.nn.max_pool3d if self.mode == "max" else tf.nn.avg_pool3d
                out = fn(x, ksize=ksize, strides=strides, padding=self.padding.upper(),
                         data_format="NDHWC")
            if rank == 1:
                out = tf.squeeze(out, 2)
            if first:
                out = tf.transpose(out, to_first)
            return out
        return call(pool, inputs)


def _make(name: str, rank: int, mode: str, doc: str):
    cls = type(name, (_Pooling,), {"rank": rank, "mode": mode, "__doc__": doc,
                                   "__module__": __name__})
    return cls


MaxPooling1D = _make("MaxPooling1D", 1, "max",
                     "TF1 ``tf.layers.MaxPooling1D(pool_size, strides, padding='valid', "
                     "data_format='channels_last', name=None)``.")
MaxPooling2D = _make("MaxPooling2D", 2, "max",
                     "TF1 ``tf.layers.MaxPooling2D(pool_size, strides, padding='valid', "
                     "data_format='channels_last', name=None)``.")
MaxPooling3D = _make("MaxPooling3D", 3, "max", "TF1 ``tf.layers.MaxPooling3D(...)``.")
AveragePooling1D = _make("AveragePooling1D", 1, "avg", "TF1 ``tf.layers.AveragePooling1D``.")
AveragePooling2D = _make("AveragePooling2D", 2, "avg", "TF1 ``tf.layers.AveragePooling2D``.")
AveragePooling3D = _make("AveragePooling3D", 3, "avg", "TF1 ``tf.layers.AveragePooling3D``.")
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D


def _fn(cls, fname: str):
    def pool(inputs, pool_size, strides, padding="valid", data_format="channels_last",
             name=None):
        return cls(pool_size=pool_size, strides=strides, padding=padding,
                   data_format=data_format, name=name)(inputs)
    pool.__name__ = pool.__qualname__ = fname
    pool.__doc__ = (f"TF1 ``tf.layers.{fname}(inputs, pool_size, strides, padding='valid', "
                    f"data_format='channels_last', name=None)``: ``{cls.__name__}``.")
    return pool


max_pooling1d = _fn(MaxPooling1D, "max_pooling1d")
max_pooling2d = _fn(MaxPooling2D, "max_pooling2d")
max_pooling3d = _fn(MaxPooling3D, "max_pooling3d")
average_pooling1d = _fn(AveragePooling1D, "average_pooling1d")
average_pooling2d = _fn(AveragePooling2D, "average_pooling2d")
average_pooling3d = _fn(AveragePooling3D, "average_pooling3d")
