"""TF1 initializers (``tf.random_normal_initializer`` ...) and contrib's ``xavier_initializer``.

TF1 signatures: the constructor takes ``dtype=``; ``__call__(shape, dtype=None,
partition_info=None)`` builds the initial value in the graph. Random initializers call TF's own
stateful random ops (``tf.random.normal``/``truncated_normal``/``uniform``, the functions
tf.compat.v1 calls), so the op seed is drawn from the graph when ``__call__`` runs, and with
``tf.set_random_seed`` the values equal tf.compat.v1's bit for bit.

TF2's ``tf.random_normal_initializer`` & co. are different classes (seeded ones use stateless
ops), which is why these are written out here.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import tensorflow as tf

from tftrain_compat._src import tensor as _tensor

_TRUNCATED_NORMAL_STDDEV = 0.8796256610342398  # stddev of a unit normal truncated to [-2, 2]


def _float_dtype(dtype) -> tf.DType:
    """TF 2.21 v1 initializers' check: only floating dtypes for random initializers."""
    dtype = tf.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"Argument `dtype` is expected to be floating point. Received: {dtype}.")
    return dtype


def _dims(shape) -> list:
    """A static shape as a list of ints (TF1 initializers need the shape at build time)."""
    if isinstance(shape, _tensor.Tensor):
        raise TypeError(f"initializer shape must be static (a list or TensorShape), got {shape}")
    return tf.TensorShape(shape).as_list()


def _build(fn: Callable[[], Any]) -> Any:
    """Records ``fn``'s ops in the graph being built (a shim Tensor outside ``tf.Variable``)."""
    return _tensor.call_in_graph(fn, (), {})


def compute_fans(shape) -> tuple[int, int]:
    """TF1 core's fans: ``(fan_in, fan_out)``; dims beyond the last two are the receptive field.

    ``[]`` -> (1, 1); ``[n]`` -> (n, n); ``[a, b]`` -> (a, b); ``[k1, k2, i, o]`` ->
    (k1*k2*i, k1*k2*o).
    """
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    receptive = 1
    for dim in shape[:-2]:
        receptive *= dim
    return int(shape[-2] * receptive), int(shape[-1] * receptive)


class Initializer:
    """Base class of the TF1 initializers: ``init(shape, dtype=None, partition_info=None)``."""

    dtype: tf.DType

    def __call__(self, shape, dtype=None, partition_info=None):
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Initializer":
        return cls(**config)


class zeros_initializer(Initializer):  # noqa: N801 - TF1's name
    """``tf.zeros(shape, dtype)`` (TF1 ``tf.zeros_initializer(dtype=tf.float32)``)."""

    def __init__(self, dtype=tf.float32) -> None:
        self.dtype = tf.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = self.dtype if dtype is None else tf.as_dtype(dtype)
        return _build(lambda: tf.zeros(shape, dtype))

    def get_config(self) -> dict:
        return {"dtype": self.dtype.name}


class ones_initializer(Initializer):  # noqa: N801
    """``tf.ones(shape, dtype)`` (TF1 ``tf.ones_initializer(dtype=tf.float32)``)."""

    def __init__(self, dtype=tf.float32) -> None:
        self.dtype = tf.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = self.dtype if dtype is None else tf.as_dtype(dtype)
        return _build(lambda: tf.ones(shape, dtype))

    def get_config(self) -> dict:
        return {"dtype": self.dtype.name}


class constant_initializer(Initializer):  # noqa: N801
    """TF1 ``tf.constant_initializer(value=0, dtype=tf.float32, verify_shape=False)``.

    TF1's ``constant`` semantics, not TF2's: a list shorter than the shape is padded with its
    last element; a longer one raises ``ValueError``; ``verify_shape=True`` requires the exact
    shape (``TypeError``).
    """

    def __init__(self, value=0, dtype=tf.float32, verify_shape: bool = False) -> None:
        if not (np.isscalar(value) or isinstance(value, (list, tuple, np.ndarray))):
            raise TypeError(f"Invalid type for initial value={value} of type: "
                            f"{type(value).__name__}. Expected Python scalar, list or tuple of "
                            "values, or numpy.ndarray.")
        self.value = value
        self.dtype = tf.as_dtype(dtype)
        self._verify_shape = verify_shape

    def __call__(self, shape, dtype=None, partition_info=None, verify_shape=None):
        dtype = self.dtype if dtype is None else tf.as_dtype(dtype)
        verify = self._verify_shape if verify_shape is None else verify_shape
        # TF1's constant: the tensor proto made without broadcasting (the kernel repeats the
        # last value to fill the shape); tf.constant takes a ready proto as it is.
        proto = tf.make_tensor_proto(self.value, dtype=dtype, shape=shape, verify_shape=verify,
                                     allow_broadcast=False)
        return _build(lambda: tf.constant(proto, name="Const"))

    def get_config(self) -> dict:
        return {"value": self.value, "dtype": self.dtype.name}


class random_uniform_initializer(Initializer):  # noqa: N801
    """``tf.random_uniform(shape, minval, maxval, dtype, seed)``; maxval None means 1 for floats."""

    def __init__(self, minval=0.0, maxval=None, seed: int | None = None, dtype=tf.float32) -> None:
        self.minval = minval
        self.maxval = maxval
        self.seed = seed
        self.dtype = tf.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = self.dtype if dtype is None else tf.as_dtype(dtype)
        return _build(lambda: tf.random.uniform(shape, self.minval, self.maxval, dtype,
                                                seed=self.seed))

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed,
                "dtype": self.dtype.name}


class random_normal_initializer(Initializer):  # noqa: N801
    """``tf.random_normal(shape, mean, stddev, dtype, seed)`` = ``N(0,1)*stddev + mean``."""

    def __init__(self, mean=0.0, stddev=1.0, seed: int | None = None, dtype=tf.float32) -> None:
        self.mean = mean
        self.stddev = stddev
        self.seed = seed
        self.dtype = _float_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = self.dtype if dtype is None else tf.as_dtype(dtype)
        return _build(lambda: tf.random.normal(shape, self.mean, self.stddev, dtype,
                                               seed=self.seed))

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed,
                "dtype": self.dtype.name}


class truncated_normal_initializer(random_normal_initializer):  # noqa: N801
    """``tf.truncated_normal(shape, mean, stddev, dtype, seed)`` (redrawn beyond 2 stddev)."""

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = self.dtype if dtype is None else tf.as_dtype(dtype)
        return _build(lambda: tf.random.truncated_normal(shape, self.mean, self.stddev, dtype,
                                                         seed=self.seed))


class uniform_unit_scaling_initializer(Initializer):  # noqa: N801
    """TF1's deprecated ``uniform_unit_scaling_initializer(factor=1.0, seed=None, dtype)``.

    ``limit = sqrt(3 / max(prod(shape[:-1]), 1)) * factor``; ``uniform(-limit, limit)``.
    """

    def __init__(self, factor: float = 1.0, seed: int | None = None, dtype=tf.float32) -> None:
        self.factor = factor
        self.seed = seed
        self.dtype = _float_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = self.dtype if dtype is None else tf.as_dtype(dtype)
        dims = _dims(partition_info.full_shape if partition_info is not None else shape)
        input_size = 1.0
        for dim in dims[:-1]:
            input_size *= float(dim)
        limit = math.sqrt(3 / max(input_size, 1.0)) * self.factor
        return _build(lambda: tf.random.uniform(shape, -limit, limit, dtype, seed=self.seed))

    def get_config(self) -> dict:
        return {"factor": self.factor, "seed": self.seed, "dtype": self.dtype.name}


class variance_scaling_initializer(Initializer):  # noqa: N801
    """TF1 core ``variance_scaling_initializer(scale=1.0, mode='fan_in',
    distribution='truncated_normal', seed=None, dtype=tf.float32)``.

    ``n`` = fan_in, fan_out or (fan_in + fan_out) / 2 (at least 1); ``s = scale / n``.
    truncated_normal/normal: ``truncated_normal(0, sqrt(s) / .87962566103423978)``;
    untruncated_normal: ``random_normal(0, sqrt(s))``; uniform: ``uniform(±sqrt(3 s))``.
    (contrib's ``variance_scaling_initializer`` is a different formula; see below.)
    """

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: int | None = None,
                 dtype=tf.float32) -> None:
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be a positive float. Received: {scale}")
        if mode not in {"fan_in", "fan_out", "fan_avg"}:
            raise ValueError("Argument `mode` should be one of ('fan_in', 'fan_out', 'fan_avg'). "
                             f"Received: {mode}")
        distribution = distribution.lower()
        if distribution not in {"normal", "uniform", "truncated_normal", "untruncated_normal"}:
            raise ValueError("Argument `distribution` should be one of ('normal', uniform', "
                             "'truncated_normal', 'untruncated_normal'). Received: "
                             f"{distribution}")
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.seed = seed
        self.dtype = _float_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = self.dtype if dtype is None else tf.as_dtype(dtype)
        fan_in, fan_out = compute_fans(
            _dims(partition_info.full_shape if partition_info is not None else shape))
        scale = self.scale
        if self.mode == "fan_in":
            scale /= max(1.0, fan_in)
        elif self.mode == "fan_out":
            scale /= max(1.0, fan_out)
        else:
            scale /= max(1.0, (fan_in + fan_out) / 2.0)
        if self.distribution in ("normal", "truncated_normal"):
            stddev = math.sqrt(scale) / _TRUNCATED_NORMAL_STDDEV
            return _build(lambda: tf.random.truncated_normal(shape, 0.0, stddev, dtype,
                                                             seed=self.seed))
        if self.distribution == "untruncated_normal":
            stddev = math.sqrt(scale)
            return _build(lambda: tf.random.normal(shape, 0.0, stddev, dtype, seed=self.seed))
        limit = math.sqrt(3.0 * scale)
        return _build(lambda: tf.random.uniform(shape, -limit, limit, dtype, seed=self.seed))

    def get_config(self) -> dict:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed, "dtype": self.dtype.name}


class glorot_uniform_initializer(variance_scaling_initializer):  # noqa: N801
    """Xavier uniform: ``uniform(±sqrt(6 / (fan_in + fan_out)))``; get_variable's default.

    As in TF1, the ``dtype`` argument is accepted but the default dtype stays float32.
    """

    def __init__(self, seed: int | None = None, dtype=tf.float32) -> None:
        super().__init__(scale=1.0, mode="fan_avg", distribution="uniform", seed=seed)

    def get_config(self) -> dict:
        return {"seed": self.seed, "dtype": self.dtype.name}


class glorot_normal_initializer(variance_scaling_initializer):  # noqa: N801
    """Xavier normal: ``truncated_normal(0, sqrt(2 / (fan_in + fan_out)) / .8796...)``."""

    def __init__(self, seed: int | None = None, dtype=tf.float32) -> None:
        super().__init__(scale=1.0, mode="fan_avg", distribution="truncated_normal", seed=seed)

    def get_config(self) -> dict:
        return {"seed": self.seed, "dtype": self.dtype.name}


class orthogonal_initializer(Initializer):  # noqa: N801
    """TF1 ``orthogonal_initializer(gain=1.0, seed=None, dtype)``: ``gain * Q`` of the QR of a
    normal ``(max(r, c), min(r, c))`` matrix, columns sign-fixed by ``sign(diag(R))``."""

    def __init__(self, gain: float = 1.0, seed: int | None = None, dtype=tf.float32) -> None:
        self.gain = gain
        self.dtype = _float_dtype(dtype)
        self.seed = seed

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = self.dtype if dtype is None else tf.as_dtype(dtype)
        dims = _dims(shape)
        if len(dims) < 2:
            raise ValueError("The tensor to initialize, specified by argument `shape` must be at "
                             f"least two-dimensional. Received shape={shape}")
        rows = int(np.prod(dims[:-1]))
        cols = int(dims[-1])
        flat = (cols, rows) if rows < cols else (rows, cols)

        def build():
            a = tf.random.normal(flat, dtype=dtype, seed=self.seed)
            q, r = tf.linalg.qr(a, full_matrices=False)
            q *= tf.math.sign(tf.linalg.tensor_diag_part(r))
            if rows < cols:
                q = tf.linalg.matrix_transpose(q)
            return self.gain * tf.reshape(q, shape)
        return _build(build)

    def get_config(self) -> dict:
        return {"gain": self.gain, "seed": self.seed, "dtype": self.dtype.name}


# ----- tf.contrib.layers (TF 1.13-1.15 contrib formulas) --------------------------------------
def contrib_variance_scaling_initializer(factor: float = 2.0, mode: str = "FAN_IN",
                                         uniform: bool = False, seed: int | None = None,
                                         dtype=tf.float32) -> Callable:
    """TF1 ``tf.contrib.layers.variance_scaling_initializer`` (He et al. by default).

    Fans are floats: ``fan_in = shape[-2]`` (``shape[-1]`` for rank 1), ``fan_out = shape[-1]``,
    both multiplied by every leading dim; a scalar shape gives 1 and 1. ``n`` = fan_in, fan_out
    or their mean. uniform: ``uniform(±sqrt(3 factor / n))``; otherwise
    ``truncated_normal(0, sqrt(1.3 factor / n))`` — not core's ``/ .8796`` correction.
    """
    dtype = tf.as_dtype(dtype)
    if not dtype.is_floating:
        raise TypeError("Cannot create initializer for non-floating point type.")
    if mode not in ("FAN_IN", "FAN_OUT", "FAN_AVG"):
        raise TypeError(f"Unknown mode {mode} [FAN_IN, FAN_OUT, FAN_AVG]")

    def _initializer(shape, dtype=dtype, partition_info=None):
        dtype = tf.as_dtype(dtype)
        if not dtype.is_floating:
            raise TypeError("Cannot create initializer for non-floating point type.")
        dims = _dims(shape)
        if dims:
            fan_in = float(dims[-2]) if len(dims) > 1 else float(dims[-1])
            fan_out = float(dims[-1])
        else:
            fan_in = fan_out = 1.0
        for dim in dims[:-2]:
            fan_in *= float(dim)
            fan_out *= float(dim)
        n = {"FAN_IN": fan_in, "FAN_OUT": fan_out}.get(mode, (fan_in + fan_out) / 2.0)
        if uniform:
            limit = math.sqrt(3.0 * factor / n)
            return _build(lambda: tf.random.uniform(shape, -limit, limit, dtype, seed=seed))
        stddev = math.sqrt(1.3 * factor / n)
        return _build(lambda: tf.random.truncated_normal(shape, 0.0, stddev, dtype, seed=seed))
    return _initializer


def xavier_initializer(uniform: bool = True, seed: int | None = None,
                       dtype=tf.float32) -> Callable:
    """TF1 ``tf.contrib.layers.xavier_initializer``: contrib's variance scaling with
    ``factor=1.0, mode='FAN_AVG'`` (uniform: ``±sqrt(6 / (fan_in + fan_out))``)."""
    return contrib_variance_scaling_initializer(factor=1.0, mode="FAN_AVG", uniform=uniform,
                                                seed=seed, dtype=dtype)


xavier_initializer_conv2d = xavier_initializer
