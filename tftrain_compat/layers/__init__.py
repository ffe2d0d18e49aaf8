"""TF1 ``tf.layers``: the layer functions and classes on the shim's variables (TF1's names,
defaults, variable scopes and numbers); names not provided raise the error naming the TF2
replacement."""
from __future__ import annotations

from tftrain_compat._src import unsupported as _unsupported
from tftrain_compat._src.layers.base import InputSpec as InputSpec, Layer as Layer  # noqa: F401
from tftrain_compat._src.layers.convolutional import (  # noqa: F401
    Conv1D as Conv1D, Conv2D as Conv2D, Conv2DTranspose as Conv2DTranspose, Conv3D as Conv3D,
    Convolution1D as Convolution1D, Convolution2D as Convolution2D,
    Convolution2DTranspose as Convolution2DTranspose, Convolution3D as Convolution3D,
    Deconvolution2D as Deconvolution2D, SeparableConv2D as SeparableConv2D,
    SeparableConvolution2D as SeparableConvolution2D, conv1d as conv1d, conv2d as conv2d,
    conv2d_transpose as conv2d_transpose, conv3d as conv3d,
    separable_conv2d as separable_conv2d,
)
from tftrain_compat._src.layers.core import (  # noqa: F401
    Dense as Dense, Dropout as Dropout, Flatten as Flatten, dense as dense, dropout as dropout,
    flatten as flatten,
)
from tftrain_compat._src.layers.normalization import (  # noqa: F401
    BatchNormalization as BatchNormalization, batch_normalization as batch_normalization,
)
from tftrain_compat._src.layers.pooling import (  # noqa: F401
    AveragePooling1D as AveragePooling1D, AveragePooling2D as AveragePooling2D,
    AveragePooling3D as AveragePooling3D, MaxPooling1D as MaxPooling1D,
    MaxPooling2D as MaxPooling2D, MaxPooling3D as MaxPooling3D,
    average_pooling1d as average_pooling1d, average_pooling2d as average_pooling2d,
    average_pooling3d as average_pooling3d, max_pooling1d as max_pooling1d,
    max_pooling2d as max_pooling2d, max_pooling3d as max_pooling3d,
)


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    raise _unsupported.missing_error("tf.layers." + name)
