"""TF1 ``tf.SparseTensor`` in the shim graph (the class lives with the other graph handles in
``tensor.py``; fetched as ``tf.SparseTensorValue``, fed with one or an (indices, values,
dense_shape) tuple)."""
from __future__ import annotations

from tftrain_compat._src.tensor import SparseTensor as SparseTensor  # noqa: F401
from tftrain_compat._src.tensor import _SparseTensorValue as SparseTensorValue  # noqa: F401
