"""TF1 ``tf.SparseTensor`` in the shim graph: ``indices``, ``values``, ``dense_shape`` tensors.

TF's own ``tf.SparseTensor`` is built in the backing graph (so the ``tf.sparse_*`` builders of
compat.v1 take and return it); the shim object stands for it as ``Tensor`` stands for a
``tf.Tensor``. ``Session.run`` fetches it as TF1 did, as a ``tf.SparseTensorValue``.
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from tftrain_compat._src import shapes as _shapes
from tftrain_compat._src import tensor as _tensor

SparseTensorValue = tf.compat.v1.SparseTensorValue


class SparseTensor:
    """TF1 ``tf.SparseTensor(indices, values, dense_shape)``: ``indices`` int64 [N, rank],
    ``values`` [N], ``dense_shape`` int64 [rank]; the dense tensor is zero elsewhere."""

    __slots__ = ("_s", "_graph", "__weakref__")

    def __init__(self, indices: Any, values: Any, dense_shape: Any) -> None:
        built = _tensor.call_in_graph(tf.SparseTensor, (indices, values, dense_shape), {})
        self._s, self._graph = built._s, built._graph
        self._graph._wrappers[id(self._s)] = self

    @classmethod
    def _from_backing(cls, backing: tf.SparseTensor, graph: Any) -> "SparseTensor":
        self = cls.__new__(cls)
        self._s, self._graph = backing, graph
        return self

    @classmethod
    def from_value(cls, sparse_tensor_value: Any) -> "SparseTensor":
        """A SparseTensor of constants from a ``SparseTensorValue`` (or a SparseTensor)."""
        if isinstance(sparse_tensor_value, SparseTensor):
            return sparse_tensor_value
        return _tensor.call_in_graph(tf.SparseTensor.from_value, (sparse_tensor_value,), {})

    indices = property(lambda self: self._graph._wrap(self._s.indices))
    values = property(lambda self: self._graph._wrap(self._s.values))
    dense_shape = property(lambda self: self._graph._wrap(self._s.dense_shape))
    dtype = property(lambda self: self._s.dtype)
    graph = property(lambda self: self._graph)
    op = property(lambda self: self._graph._wrap(self._s.op))
    shape = property(lambda self: _shapes.tf1_shape(self._s.shape))

    def get_shape(self) -> tf.TensorShape:
        return _shapes.tf1_shape(self._s.shape)

    def eval(self, feed_dict=None, session=None) -> SparseTensorValue:
        """The value in ``session`` or the default session, as a ``SparseTensorValue``."""
        from tftrain_compat._src import session as _session
        sess = session or _session.get_default_session()
        if sess is None:
            raise ValueError("Cannot evaluate tensor using `eval()`: No default session is "
                             "registered. Use `with sess.as_default()` or pass an explicit "
                             "session to `eval(session=sess)`")
        return sess.run(self, feed_dict)

    def __repr__(self) -> str:
        return (f"SparseTensor(indices={self.indices}, values={self.values}, "
                f"dense_shape={self.dense_shape})")
