"""TF1 ``tf.layers.BatchNormalization`` / ``batch_normalization``.

Weights (in this order) ``gamma`` (ones), ``beta`` (zeros), ``moving_mean`` (zeros) and
``moving_variance`` (ones), the last two non-trainable. TF1's behaviour, quirks included:

* ``fused=None`` (or True) means fused for 4-D inputs normalized over axis 1 or 3 and 5-D ones
  over axis 1 or 4 (``FusedBatchNormV3`` with ``epsilon`` as given); otherwise, and
  for ``fused=False``, the composite ``tf.nn.moments`` + ``tf.nn.batch_normalization``.
* training: outputs use the batch statistics and ``moving -= (moving - batch) * decay`` runs as
  an update op (``UPDATE_OPS``). The fused kernel's batch variance is the UNBIASED one (n/(n-1));
  the composite path's is the biased one.
* ``decay`` is ``1 - momentum``: computed in Python (``float32(1.0 - 0.99)``) when ``training`` is
  a Python bool or on the composite path, but as a float32 ``1 - momentum`` op when a ``training``
  tensor selects ``momentum`` or 1.0 by ``tf.cond`` on the fused path.
* inference (``training=False``): the moving statistics, no update.
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from tftrain_compat._src import errors as _errors
from tftrain_compat._src import initializers as _init
from tftrain_compat._src.layers import base
from tftrain_compat._src.layers.base import InputSpec, Layer, call

def _assign_moving_average(variable, value, momentum):
    """``variable -= (variable - value) * (1 - momentum)`` (TF1 layers' moving average)."""
    with tf.name_scope("AssignMovingAvg") as scope:
        decay = tf.convert_to_tensor(1.0 - momentum, name="decay")
        if decay.dtype != variable.dtype.base_dtype:
            decay = tf.cast(decay, variable.dtype.base_dtype)
        delta = (variable - tf.cast(value, variable.dtype)) * decay
        return variable.assign_sub(delta, name=scope)


def _update_op(update) -> tf.Operation:
    """The op that performs an update: a tensor's or an assign result's ``.op``."""
    return update if isinstance(update, tf.Operation) else update.op


class BatchNormalization(Layer):
    """TF1 ``tf.layers.BatchNormalization(axis=-1, momentum=0.99, epsilon=1e-3, center=True,
    scale=True, beta_initializer=zeros, gamma_initializer=ones, moving_mean_initializer=zeros,
    moving_variance_initializer=ones, beta_regularizer=None, gamma_regularizer=None,
    beta_constraint=None, gamma_constraint=None, renorm=False, renorm_clipping=None,
    renorm_momentum=0.99, fused=None, trainable=True, virtual_batch_size=None,
    adjustment=None, name=None)``; ``call(inputs, training=False)``. See the module docstring.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center: bool = True,
                 scale: bool = True, beta_initializer=None, gamma_initializer=None,
                 moving_mean_initializer=None, moving_variance_initializer=None,
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm: bool = False, renorm_clipping=None,
                 renorm_momentum=0.99, fused=None, trainable: bool = True,
                 virtual_batch_size=None, adjustment=None, name: str | None = None,
                 **kwargs) -> None:
        super().__init__(trainable=trainable, name=name, **kwargs)
        self.axis: Any
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError("Expected an int or a list/tuple of ints for the argument 'axis', "
                            f"but received: {axis!r}")
        for what, value in (("renorm=True", renorm), ("virtual_batch_size", virtual_batch_size),
                            ("adjustment", adjustment)):
            if value:
                raise _errors.not_supported(
                    f"tf.layers.BatchNormalization({what})", "use plain batch normalization, or "
                    "tf.keras.layers.BatchNormalization in TF2 code.", verb="provided")
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = beta_initializer or _init.zeros_initializer()
        self.gamma_initializer = gamma_initializer or _init.ones_initializer()
        self.moving_mean_initializer = moving_mean_initializer or _init.zeros_initializer()
        self.moving_variance_initializer = (moving_variance_initializer or
                                            _init.ones_initializer())
        self.beta_regularizer = beta_regularizer
        self.gamma_regularizer = gamma_regularizer
        self.beta_constraint = beta_constraint
        self.gamma_constraint = gamma_constraint
        self.renorm = renorm
        self.fused = True if fused is None else fused
        self._data_format: str | None = None

    def build(self, input_shape) -> None:
        input_shape = tf.TensorShape(input_shape)
        rank = input_shape.rank
        if rank is None:
            raise ValueError(f"Input has undefined rank. Received: input_shape={input_shape}.")
        axes = [self.axis] if isinstance(self.axis, int) else list(self.axis)
        for i, x in enumerate(axes):
            if x < 0:
                axes[i] = x + rank
            if not 0 <= axes[i] < rank:
                raise ValueError(f"Invalid value for `axis` argument. Expected 0 <= axis < "
                                 f"inputs.rank (with inputs.rank={rank}). Received: "
                                 f"axis={tuple(axes)}")
        if len(axes) != len(set(axes)):
            raise ValueError(f"Duplicate axis: {tuple(axes)}")
        self.axis = axes
        if self.fused:
            self.fused = rank in (4, 5) and len(axes) == 1 and axes[0] in (1, 3, 4)
        if self.fused:
            formats = {(1, 4): "NCHW", (1, 5): "NCDHW", (3, 4): "NHWC", (4, 5): "NDHWC"}
            self._data_format = formats.get((axes[0], rank))
            if self._data_format is None:
                if rank == 5:
                    self.fused = False
                else:
                    raise ValueError("Unsupported axis. The use of `fused=True` is only "
                                     "possible with `axis=1` or `axis=3` for 4D input "
                                     f"tensors. Received: axis={tuple(axes)}")
        axis_to_dim = {x: tf.compat.dimension_value(input_shape[x]) for x in axes}
        for x, dim in axis_to_dim.items():
            if dim is None:
                raise ValueError("Input has undefined `axis` dimension. Received input with "
                                 f"shape {tuple(input_shape)} and axis={tuple(axes)}")
        self.input_spec = InputSpec(ndim=rank, axes=axis_to_dim)
        if len(axis_to_dim) == 1:
            param_shape = [list(axis_to_dim.values())[0]]
        else:
            param_shape = [axis_to_dim.get(i, 1) for i in range(rank)]
        self._param_shape = param_shape
        dtype = self._dtype if self._dtype not in (tf.float16, tf.bfloat16) else tf.float32
        self._param_dtype = dtype
        self.gamma = (self.add_weight("gamma", shape=param_shape, dtype=dtype,
                                      initializer=self.gamma_initializer,
                                      regularizer=self.gamma_regularizer,
                                      constraint=self.gamma_constraint, trainable=True)
                      if self.scale else None)
        self.beta = (self.add_weight("beta", shape=param_shape, dtype=dtype,
                                     initializer=self.beta_initializer,
                                     regularizer=self.beta_regularizer,
                                     constraint=self.beta_constraint, trainable=True)
                     if self.center else None)
        scope = self._scope
        partitioner = scope.partitioner if scope is not None else None
        if scope is not None:
            scope.set_partitioner(None)
        try:
            self.moving_mean = self.add_weight(
                "moving_mean", shape=param_shape, dtype=dtype,
                initializer=self.moving_mean_initializer,
                synchronization=tf.VariableSynchronization.ON_READ, trainable=False,
                aggregation=tf.VariableAggregation.MEAN)
            self.moving_variance = self.add_weight(
                "moving_variance", shape=param_shape, dtype=dtype,
                initializer=self.moving_variance_initializer,
                synchronization=tf.VariableSynchronization.ON_READ, trainable=False,
                aggregation=tf.VariableAggregation.MEAN)
        finally:
            if partitioner is not None and scope is not None:
                scope.set_partitioner(partitioner)
        self.built = True

    def call(self, inputs, training=False):
        if isinstance(training, int) and not isinstance(training, bool):
            training = bool(training)
        training_value = base.constant_value(training)
        fn = self._fused if self.fused else self._composite
        outputs, updates = call(fn, inputs, training, training_value, self.gamma, self.beta,
                                self.moving_mean, self.moving_variance)
        for update in updates:
            self.add_update(update)
        return outputs

    def _fused(self, x, training, training_value, gamma, beta, moving_mean, moving_variance):
        param = self._param_dtype
        if beta is None:
            beta = tf.constant(0.0, dtype=param, shape=self._param_shape)
        if gamma is None:
            gamma = tf.constant(1.0, dtype=param, shape=self._param_shape)
        epsilon = self.epsilon  # the fused op on TF 2.x takes epsilon as given

        def batch_norm(is_training):
            def run():
                y, mean, var, _, _, _ = tf.raw_ops.FusedBatchNormV3(
                    x=x, scale=gamma, offset=beta, mean=tf.convert_to_tensor(moving_mean),
                    variance=tf.convert_to_tensor(moving_variance), epsilon=epsilon,
                    exponential_avg_factor=1.0, data_format=self._data_format,
                    is_training=is_training)
                return y, mean, var
            return run
        output, mean, variance = base.smart_cond(training, batch_norm(True), batch_norm(False))
        updates = []
        if training_value or training_value is None:
            if training_value is None:
                momentum = base.smart_cond(training, lambda: tf.constant(self.momentum),
                                           lambda: tf.constant(1.0))
            else:
                momentum = tf.convert_to_tensor(self.momentum)
            updates.append(_assign_moving_average(moving_mean, mean, momentum))
            updates.append(_assign_moving_average(moving_variance, variance, momentum))
        return output, [_update_op(u) for u in updates]

    def _composite(self, x, training, training_value, gamma, beta, moving_mean,
                   moving_variance):
        ndims = x.shape.rank
        reduction_axes = [i for i in range(ndims) if i not in self.axis]
        broadcast_shape = [1] * ndims
        broadcast_shape[self.axis[0]] = tf.compat.dimension_value(x.shape[self.axis[0]])

        def broadcast(v):
            if v is not None and len(v.shape) != ndims and \
                    reduction_axes != list(range(ndims - 1)):
                return tf.reshape(v, broadcast_shape)
            return v
        scale, offset = broadcast(gamma), broadcast(beta)
        updates = []
        if training_value is False:
            mean, variance = moving_mean, moving_variance
        else:
            keep_dims = len(self.axis) > 1
            mean, variance = tf.nn.moments(tf.cast(x, self._param_dtype), reduction_axes,
                                           keepdims=keep_dims)
            mean = base.smart_cond(training, lambda: mean,
                                   lambda: tf.convert_to_tensor(moving_mean))
            variance = base.smart_cond(training, lambda: variance,
                                       lambda: tf.convert_to_tensor(moving_variance))
            new_mean, new_variance = mean, variance
            updates.append(base.smart_cond(
                training, lambda: _assign_moving_average(moving_mean, new_mean, self.momentum),
                lambda: moving_mean))
            updates.append(base.smart_cond(
                training,
                lambda: _assign_moving_average(moving_variance, new_variance, self.momentum),
                lambda: moving_variance))
        mean = tf.cast(mean, x.dtype)
        variance = tf.cast(variance, x.dtype)
        if offset is not None:
            offset = tf.cast(offset, x.dtype)
        if scale is not None:
            scale = tf.cast(scale, x.dtype)
        outputs = tf.nn.batch_normalization(x, broadcast(mean), broadcast(variance), offset,
                                            scale, self.epsilon)
        outputs.set_shape(x.shape)
        return outputs, [_update_op(u) for u in updates]


def batch_normalization(inputs, axis=-1, momentum=0.99, epsilon=1e-3, center: bool = True,
                        scale: bool = True, beta_initializer=None, gamma_initializer=None,
                        moving_mean_initializer=None, moving_variance_initializer=None,
                        beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                        gamma_constraint=None, training=False, trainable: bool = True,
                        name: str | None = None, reuse=None, renorm: bool = False,
                        renorm_clipping=None, renorm_momentum=0.99, fused=None,
                        virtual_batch_size=None, adjustment=None):
    """TF1 ``tf.layers.batch_normalization``: ``BatchNormalization(...)(inputs, training)``.

    The moving averages are updated only by running ``tf.GraphKeys.UPDATE_OPS`` (TF1 scripts
    wrap the train op in ``tf.control_dependencies(update_ops)``)."""
    layer = BatchNormalization(
        axis=axis, momentum=momentum, epsilon=epsilon, center=center, scale=scale,
        beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
        moving_mean_initializer=moving_mean_initializer,
        moving_variance_initializer=moving_variance_initializer,
        beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
        beta_constraint=beta_constraint, gamma_constraint=gamma_constraint, renorm=renorm,
        renorm_clipping=renorm_clipping, renorm_momentum=renorm_momentum, fused=fused,
        trainable=trainable, virtual_batch_size=virtual_batch_size, adjustment=adjustment,
        name=name, _reuse=reuse, _scope=name)
    return layer(inputs, training=training)


BatchNorm = BatchNormalization
batch_norm = batch_normalization
