"""TF1 math names: removed aliases, ``reduction_indices``/``keep_dims``, ``argmax(dimension=)``."""
from __future__ import annotations

import tensorflow as tf

from tftrain_compat._src.wrap import LEGACY_KWARGS, graph_op, rename_kwargs
from tftrain_compat._src import tensor as _tensor

_REDUCE_RENAMES = {"reduction_indices": "axis", "keep_dims": "keepdims"}


def _reduction(fn, name):
    # TF1: reduce_x(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
    # keep_dims=None); keepdims=None means False.
    def reduce(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
        kwargs = rename_kwargs({"axis": axis, "keepdims": keepdims,
                                "reduction_indices": reduction_indices, "keep_dims": keep_dims},
                               _REDUCE_RENAMES)
        return _tensor.call_in_graph(
            fn, (input_tensor,), dict(axis=kwargs["axis"], keepdims=bool(kwargs["keepdims"]),
                                      name=name))
    reduce.__name__ = reduce.__qualname__ = name
    reduce.__doc__ = (f"TF1 ``tf.{name}(input_tensor, axis=None, keepdims=None, name=None, "
                      "reduction_indices=None, keep_dims=None)``; the legacy names alias "
                      "``axis``/``keepdims`` (both given: ValueError).")
    return reduce


reduce_sum = _reduction(tf.reduce_sum, "reduce_sum")
reduce_mean = _reduction(tf.reduce_mean, "reduce_mean")
reduce_max = _reduction(tf.reduce_max, "reduce_max")
reduce_min = _reduction(tf.reduce_min, "reduce_min")
reduce_prod = _reduction(tf.reduce_prod, "reduce_prod")
reduce_all = _reduction(tf.reduce_all, "reduce_all")
reduce_any = _reduction(tf.reduce_any, "reduce_any")
reduce_logsumexp = _reduction(tf.reduce_logsumexp, "reduce_logsumexp")


def _arg_reduction(fn, name):
    def arg(input, axis=None, name=None, dimension=None, output_type=tf.int64):  # noqa: A002
        if axis is not None and dimension is not None:
            raise ValueError("Cannot specify both 'dimension' and 'axis'.")
        axis = dimension if axis is None else axis
        return _tensor.call_in_graph(fn, (input,), dict(axis=0 if axis is None else axis,
                                                         output_type=output_type, name=name))
    arg.__name__ = arg.__qualname__ = name
    arg.__doc__ = (f"TF1 ``tf.{name}(input, axis=None, name=None, dimension=None, "
                   "output_type=tf.int64)``; ``dimension`` aliases ``axis``; both None means 0.")
    return arg


argmax = _arg_reduction(tf.argmax, "argmax")
argmin = _arg_reduction(tf.argmin, "argmin")


def _cast_to(dtype, name):
    def cast(x, name=name):
        return _tensor.call_in_graph(tf.cast, (x,), dict(dtype=dtype, name=name))
    return cast


to_float = _cast_to(tf.float32, "ToFloat")
to_double = _cast_to(tf.float64, "ToDouble")
to_int32 = _cast_to(tf.int32, "ToInt32")
to_int64 = _cast_to(tf.int64, "ToInt64")
to_bfloat16 = _cast_to(tf.bfloat16, "ToBFloat16")


def _div_python2(x, y, name=None):
    # TF1's tf.div: Python 2 division, floor for integers and true division otherwise.
    x = tf.convert_to_tensor(x, name="x")
    y = tf.convert_to_tensor(y, dtype=x.dtype.base_dtype, name="y")
    if x.dtype.is_floating or x.dtype.is_complex:
        return tf.raw_ops.RealDiv(x=x, y=y, name=name)
    return tf.raw_ops.FloorDiv(x=x, y=y, name=name)


log = graph_op(tf.math.log, name="log")
mul = multiply = graph_op(tf.multiply, name="multiply")
sub = subtract = graph_op(tf.subtract, name="subtract")
neg = negative = graph_op(tf.negative, name="negative")
div = graph_op(_div_python2, name="div")
arg_max = graph_op(tf.raw_ops.ArgMax, name="arg_max")
arg_min = graph_op(tf.raw_ops.ArgMin, name="arg_min")
count_nonzero = graph_op(tf.math.count_nonzero, renames=_REDUCE_RENAMES, name="count_nonzero")
