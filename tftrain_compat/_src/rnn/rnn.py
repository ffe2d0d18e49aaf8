"""TF1 ``tf.nn.dynamic_rnn``, ``static_rnn``, ``bidirectional_dynamic_rnn`` and
``static_bidirectional_rnn``.

``dynamic_rnn`` runs the cell in a ``tf.while_loop`` (TF 1.x's control flow, built by TF's own
builders: Enter / Merge / Switch / NextIteration / Exit nodes and TensorArrays in the graph, as
TF1 built them); ``static_rnn`` unrolls it in Python. Semantics are TF1's:

* Inputs are ``[batch, time, ...]`` (``time_major=False``) or ``[time, batch, ...]``; outputs
  have the same layout. Variables live under ``variable_scope(scope or "rnn")``
  (``bidirectional_rnn/fw`` and ``.../bw`` for the bidirectional forms).
* With ``sequence_length``, for ``time >= sequence_length[b]`` the output row is zeros and the
  state row is copied through, so the final state is the state at each sequence's last step.
  ``dynamic_rnn`` stops at ``min(time_steps, max(1, max(sequence_length)))`` steps (its output
  beyond is zeros); ``static_rnn`` skips the cell (a ``tf.cond``) once all sequences ended.
* Without ``initial_state`` the cell's zero state of ``dtype`` is used (``dtype`` required).
"""
from __future__ import annotations

import tensorflow as tf

from tftrain_compat._src import tensor as _tensor
from tftrain_compat._src import variable_scope as _vs
from tftrain_compat._src.rnn.cells import _call
from tftrain_compat._src.rnn.wrappers import assert_like_rnncell

_nest = tf.nest


def _set_caching_device(varscope) -> None:
    """TF1: outside a loop body, the rnn's variables are created with a caching device, so each
    weight is read once (an Identity beside the variable) and the loop captures that value.
    This decides where the weights' gradients are summed, so it matters for bitwise equality.
    (TF1 checked for an enclosing while loop; here any traced body, loop or cond, counts.)"""
    if getattr(_tensor._local, "callback_depth", 0):
        return
    if varscope.caching_device is None:
        varscope.set_caching_device(lambda op: op.device)


def _transpose_batch_time(x):
    """[batch, time, ...] <-> [time, batch, ...]; rank < 2 is returned unchanged."""
    def transpose(x):
        static = x.get_shape()
        if static.rank is not None and static.rank < 2:
            return x
        perm = tf.concat(([1, 0], tf.range(2, tf.rank(x))), axis=0)
        out = tf.transpose(x, perm)
        out.set_shape(tf.TensorShape([static.dims[1].value, static.dims[0].value])
                      .concatenate(static[2:]))
        return out
    return _call(transpose, x)


def _best_effort_input_batch_size(flat_input):
    """The static batch size (dimension 1 of time-major inputs), else ``shape(x)[1]``."""
    for x in flat_input:
        shape = x.get_shape()
        if shape.rank is None:
            continue
        if shape.rank < 2:
            raise ValueError(f"Input tensor should have rank >= 2. Received input={x} of rank "
                             f"{shape.rank}")
        if shape.dims[1].value is not None:
            return shape.dims[1].value
    return _call(lambda t: tf.shape(t)[1], flat_input[0])


def _infer_state_dtype(explicit_dtype, state):
    if explicit_dtype is not None:
        return tf.as_dtype(explicit_dtype)
    if _nest.is_nested(state):
        dtypes = [s.dtype for s in _nest.flatten(state)]
        if not dtypes:
            raise ValueError(f"Unable to infer dtype from argument state={state}.")
        if not all(d == dtypes[0] for d in dtypes):
            raise ValueError(f"Argument state={state} has tensors of different inferred dtypes. "
                             "Unable to infer a single representative dtype. Dtypes received: "
                             f"{dtypes}")
        return dtypes[0]
    return state.dtype


def _zeros_like_output(batch_size, size, dtype, static_batch=None):
    """Zeros ``[batch_size] + size``, the rows TF1 emits past a sequence's end."""
    def zeros(b):
        size_shape = tf.TensorShape(size)
        bv = tf.reshape(b, [1]) if isinstance(b, tf.Tensor) else tf.constant([b], tf.int32)
        out = tf.zeros(tf.concat((bv, tf.constant(size_shape.as_list(), tf.int32)), 0), dtype)
        out.set_shape(tf.TensorShape([static_batch]).concatenate(size_shape))
        return out
    return _call(zeros, batch_size)


def _initial_state(cell, initial_state, batch_size, dtype):
    if initial_state is not None:
        return initial_state
    if not dtype:
        raise ValueError("If no initial_state is provided, argument `dtype` must be specified")
    if getattr(cell, "get_initial_state", None) is not None:
        return cell.get_initial_state(inputs=None, batch_size=batch_size, dtype=dtype)
    return cell.zero_state(batch_size, dtype)


def _copy_some_through(time, sequence_length, flat_zero_output, flat_state, flat_new_output,
                       flat_new_state) -> list:
    """``where(time >= sequence_length, old, new)`` row-wise for outputs and states."""
    def copy(t, seq, zeros, state, new_out, new_state):
        cond = t >= seq

        def one(old, new):
            if isinstance(old, tf.TensorArray) or old.shape.rank == 0:
                return new
            # TF1's where: Select, whose vector condition picks whole rows (not SelectV2).
            return tf.raw_ops.Select(condition=cond, x=old, y=new)
        return ([one(z, n) for z, n in zip(zeros, new_out)]
                + [one(s, n) for s, n in zip(state, new_state)])
    return _call(copy, time, sequence_length, list(flat_zero_output), list(flat_state),
                 list(flat_new_output), list(flat_new_state))


def _rnn_step(time, sequence_length, min_sequence_length, max_sequence_length, zero_output,
              state, call_cell, skip_conditionals: bool = False):
    """One step with sequence lengths: TF1's ``_rnn_step`` (conds unless ``skip_conditionals``)."""
    flat_state = _nest.flatten(state)
    flat_zero_output = _nest.flatten(zero_output)

    def call_and_check():
        new_output, new_state = call_cell()
        _nest.assert_same_structure(zero_output, new_output)
        _nest.assert_same_structure(state, new_state)
        return _nest.flatten(new_output), _nest.flatten(new_state)

    if skip_conditionals:
        new_out, new_st = call_and_check()
        final = _copy_some_through(time, sequence_length, flat_zero_output, flat_state,
                                   new_out, new_st)
    else:
        def maybe_copy_some_through():
            new_out, new_st = call_and_check()
            return _call(lambda pred, a, b: tf.cond(pred, a, b),
                         _call(lambda t, m: t < m, time, min_sequence_length),
                         lambda: new_out + new_st,
                         lambda: _copy_some_through(time, sequence_length, flat_zero_output,
                                                    flat_state, new_out, new_st))
        final = _call(lambda pred, a, b: tf.cond(pred, a, b),
                      _call(lambda t, m: t >= m, time, max_sequence_length),
                      lambda: list(flat_zero_output) + list(flat_state),
                      maybe_copy_some_through)
    final = list(final)
    if len(final) != len(flat_zero_output) + len(flat_state):
        raise ValueError("Internal error: state and output were not concatenated correctly.")
    final_output = final[:len(flat_zero_output)]
    final_state = final[len(flat_zero_output):]
    for out, ref in zip(final_output, flat_zero_output):
        out.set_shape(ref.get_shape())
    for sub, ref in zip(final_state, flat_state):
        if not isinstance(sub, tf.TensorArray):
            sub.set_shape(ref.get_shape())
    return (_nest.pack_sequence_as(zero_output, final_output),
            _nest.pack_sequence_as(state, final_state))


# ----- dynamic_rnn -------------------------------------------------------------------------
def dynamic_rnn(cell, inputs, sequence_length=None, initial_state=None, dtype=None,
                parallel_iterations: int | None = None, swap_memory: bool = False,
                time_major: bool = False, scope=None):
    """TF1 ``tf.nn.dynamic_rnn``: ``(outputs, final_state)`` of ``cell`` run over ``inputs``.

    ``outputs`` is ``[batch, time, output_size]`` (``[time, batch, ...]`` with
    ``time_major``); ``final_state`` the state after each sequence's last step.
    ``parallel_iterations`` (default 32) and ``swap_memory`` go to ``tf.while_loop``.
    """
    assert_like_rnncell("cell", cell)
    with _vs.variable_scope(scope or "rnn") as varscope:
        _set_caching_device(varscope)
        flat_input = _nest.flatten(inputs)
        if not time_major:
            flat_input = [_call(tf.convert_to_tensor, x) for x in flat_input]
            flat_input = tuple(_transpose_batch_time(x) for x in flat_input)
        parallel_iterations = parallel_iterations or 32
        if sequence_length is not None:
            sequence_length = _call(lambda s: tf.cast(s, tf.int32), sequence_length)
            if sequence_length.get_shape().rank not in (None, 1):
                raise ValueError("Argument sequence_length must be a vector of length "
                                 f"batch_size. Received sequence_length={sequence_length} of "
                                 f"shape: {sequence_length.get_shape()}")
            sequence_length = _call(lambda s: tf.identity(s, name="sequence_length"),
                                    sequence_length)
        batch_size = _best_effort_input_batch_size(flat_input)
        state = _initial_state(cell, initial_state, batch_size, dtype)
        if sequence_length is not None:
            def check_seq_len(s, b):
                s_shape = tf.shape(s)
                packed = tf.stack([b])
                check = tf.debugging.Assert(
                    tf.reduce_all(tf.equal(s_shape, packed)),
                    ["Expected shape for Tensor %s is " % s.name, packed, " but saw shape: ",
                     s_shape])
                with tf.control_dependencies([check]):
                    return tf.identity(s, name="CheckSeqLen")
            sequence_length = _call(check_seq_len, sequence_length, batch_size)
        inputs = _nest.pack_sequence_as(inputs, list(flat_input))
        outputs, final_state = _dynamic_rnn_loop(cell, inputs, state, parallel_iterations,
                                                 swap_memory, sequence_length, dtype)
        if not time_major:
            outputs = _nest.map_structure(_transpose_batch_time, outputs)
        return outputs, final_state


def _dynamic_rnn_loop(cell, inputs, initial_state, parallel_iterations: int, swap_memory: bool,
                      sequence_length=None, dtype=None):
    state = initial_state
    if not isinstance(parallel_iterations, int):
        raise TypeError(f"parallel_iterations must be int, got {parallel_iterations!r}")
    flat_input = _nest.flatten(inputs)
    flat_output_size = _nest.flatten(cell.output_size)
    time_steps = _call(lambda x: tf.shape(x)[0], flat_input[0])
    batch_size = _best_effort_input_batch_size(flat_input)
    got_shapes = tuple(x.get_shape().with_rank_at_least(3) for x in flat_input)
    const_time_steps, const_batch_size = got_shapes[0].as_list()[:2]
    for i, shape in enumerate(got_shapes):
        if not shape[2:].is_fully_defined():
            raise ValueError("Input size (depth of inputs) must be accessible via shape "
                             f"inference, but saw value None for input={flat_input[i]}.")
        if const_time_steps != shape.dims[0].value:
            raise ValueError("Time steps is not the same for all the elements in the input in a "
                             f"batch. Received time steps={shape.dims[0].value} for "
                             f"input={flat_input[i]}.")
        if const_batch_size != shape.dims[1].value:
            raise ValueError("Batch_size is not the same for all the elements in the input. "
                             f"Received batch size={shape.dims[1].value} for "
                             f"input={flat_input[i]}.")
    state_dtype = _infer_state_dtype(dtype, state)
    flat_zero_output = tuple(_zeros_like_output(batch_size, size, state_dtype)
                             for size in flat_output_size)
    zero_output = _nest.pack_sequence_as(cell.output_size, list(flat_zero_output))
    if sequence_length is not None:
        min_sequence_length = _call(tf.reduce_min, sequence_length)
        max_sequence_length = _call(tf.reduce_max, sequence_length)
    else:
        min_sequence_length = None
        max_sequence_length = time_steps

    def make_arrays(steps, xs):
        time = tf.constant(0, dtype=tf.int32, name="time")
        with tf.name_scope("dynamic_rnn") as base_name:
            pass
        output_ta = tuple(
            tf.TensorArray(dtype=state_dtype, size=steps,
                           element_shape=tf.TensorShape([const_batch_size]).concatenate(
                               _static_size(size)),
                           tensor_array_name=base_name + "output_%d" % i)
            for i, size in enumerate(flat_output_size))
        input_ta = tuple(
            tf.TensorArray(dtype=x.dtype, size=steps, element_shape=x.shape[1:],
                           tensor_array_name=base_name + "input_%d" % i).unstack(x)
            for i, x in enumerate(xs))
        return time, output_ta, input_ta
    time, output_ta, input_ta = _call(make_arrays, time_steps, list(flat_input))

    def time_step(time, output_ta_t, state):
        def read(t):
            values = tuple(ta.read(t) for ta in input_ta)
            for value, shape in zip(values, got_shapes):
                value.set_shape(shape[1:])
            return values
        input_t = _nest.pack_sequence_as(inputs, list(_call(read, time)))

        def call_cell():
            return cell(input_t, state)
        if sequence_length is not None:
            output, new_state = _rnn_step(time, sequence_length, min_sequence_length,
                                          max_sequence_length, zero_output, state, call_cell,
                                          skip_conditionals=True)
        else:
            output, new_state = call_cell()
        flat_output = _nest.flatten(output)
        output_ta_t = _call(lambda t, outs: tuple(ta.write(t, o) for ta, o in
                                                  zip(output_ta_t, outs)),
                            time, flat_output)
        return _call(lambda t: t + 1, time), output_ta_t, new_state

    loop_bound = _call(lambda steps, m: tf.minimum(steps, tf.maximum(1, m)), time_steps,
                       max_sequence_length)

    def cond(time, *_):
        return _call(lambda t, b: t < b, time, loop_bound)

    def while_loop(cond_fn, body_fn, loop_vars, steps):
        return tf.while_loop(cond=cond_fn, body=body_fn, loop_vars=loop_vars,
                             parallel_iterations=parallel_iterations,
                             maximum_iterations=steps, swap_memory=swap_memory)
    _, output_final_ta, final_state = _call(while_loop, cond, time_step,
                                            (time, output_ta, state), time_steps)

    def stack(tas):
        outs = tuple(ta.stack() for ta in tas)
        for out, size in zip(outs, flat_output_size):
            out.set_shape(tf.TensorShape([const_time_steps, const_batch_size])
                          .concatenate(_static_size(size)))
        return outs
    final_outputs = _call(stack, tuple(output_final_ta))
    return _nest.pack_sequence_as(cell.output_size, list(final_outputs)), final_state


def _static_size(size) -> tf.TensorShape:
    if isinstance(size, (_tensor.Tensor, tf.Tensor)):
        return tf.TensorShape(tf.get_static_value(_tensor.unwrap(size)))
    return tf.TensorShape(size)


# ----- static_rnn ----------------------------------------------------------------------------
def static_rnn(cell, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
    """TF1 ``tf.nn.static_rnn``: the cell unrolled over the list ``inputs`` (each
    ``[batch, input_size]``); returns ``(outputs list, final_state)``. Variables are created at
    the first step and reused at the next ones."""
    assert_like_rnncell("cell", cell)
    if not _nest.is_nested(inputs):
        raise TypeError(f"Argument `inputs` must be a sequence. Received: {inputs}")
    if not inputs:
        raise ValueError("Argument `inputs` must not be empty.")
    outputs = []
    with _vs.variable_scope(scope or "rnn") as varscope:
        _set_caching_device(varscope)
        first_input = inputs
        while _nest.is_nested(first_input):
            first_input = first_input[0]
        if first_input.get_shape().rank != 1:
            input_shape = first_input.get_shape().with_rank_at_least(2)
            fixed_batch_size = input_shape.dims[0]
            for flat in _nest.flatten(inputs):
                shape = flat.get_shape().with_rank_at_least(2)
                fixed_batch_size.assert_is_compatible_with(shape.dims[0])
                for i, size in enumerate(shape[1:].dims):
                    if size.value is None:
                        raise ValueError(f"Input size (dimension {i} of input {flat}) must be "
                                         "accessible via shape inference, but saw value None.")
        else:
            fixed_batch_size = first_input.get_shape().with_rank_at_least(1)[0]
        static_batch = tf.compat.dimension_value(fixed_batch_size)
        if static_batch:
            batch_size = static_batch
        else:
            batch_size = _call(lambda x: tf.shape(x)[0], first_input)
        state = _initial_state(cell, initial_state, batch_size, dtype)
        if sequence_length is not None:
            sequence_length = _call(lambda s: tf.convert_to_tensor(s, name="sequence_length"),
                                    sequence_length)
            if sequence_length.get_shape().rank not in (None, 1):
                raise ValueError("Argument `sequence_length` must be a vector of length "
                                 f"{batch_size}. Received sequence_length={sequence_length}.")
            state_dtype = _infer_state_dtype(dtype, state)
            zero_output = _nest.pack_sequence_as(
                cell.output_size,
                [_zeros_like_output(batch_size, size, state_dtype, static_batch)
                 for size in _nest.flatten(cell.output_size)])
            sequence_length = _call(lambda s: tf.cast(s, tf.int32), sequence_length)
            min_sequence_length = _call(tf.reduce_min, sequence_length)
            max_sequence_length = _call(tf.reduce_max, sequence_length)
        for time, input_ in enumerate(inputs):
            if time > 0:
                varscope.reuse_variables()

            def call_cell(input_=input_, state=state):
                return cell(input_, state)
            if sequence_length is not None:
                output, state = _rnn_step(time, sequence_length, min_sequence_length,
                                          max_sequence_length, zero_output, state, call_cell)
            else:
                output, state = call_cell()
            outputs.append(output)
        return outputs, state


# ----- bidirectional -------------------------------------------------------------------------
def bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, sequence_length=None,
                              initial_state_fw=None, initial_state_bw=None, dtype=None,
                              parallel_iterations: int | None = None, swap_memory: bool = False,
                              time_major: bool = False, scope=None):
    """TF1 ``tf.nn.bidirectional_dynamic_rnn``: ``((output_fw, output_bw), (state_fw,
    state_bw))``. The backward rnn reads the inputs reversed along time (per sequence with
    ``sequence_length``: ``reverse_sequence``) and its outputs are reversed back."""
    assert_like_rnncell("cell_fw", cell_fw)
    assert_like_rnncell("cell_bw", cell_bw)
    time_axis, batch_axis = (0, 1) if time_major else (1, 0)

    def reverse(x):
        if sequence_length is not None:
            return _call(lambda t, s: tf.reverse_sequence(input=t, seq_lengths=s,
                                                          seq_axis=time_axis,
                                                          batch_axis=batch_axis),
                         x, sequence_length)
        return _call(lambda t: tf.reverse(t, axis=[time_axis]), x)

    with _vs.variable_scope(scope or "bidirectional_rnn"):
        with _vs.variable_scope("fw") as fw_scope:
            output_fw, state_fw = dynamic_rnn(
                cell_fw, inputs, sequence_length=sequence_length,
                initial_state=initial_state_fw, dtype=dtype,
                parallel_iterations=parallel_iterations, swap_memory=swap_memory,
                time_major=time_major, scope=fw_scope)
        with _vs.variable_scope("bw") as bw_scope:
            inputs_reverse = _nest.map_structure(reverse, inputs)
            tmp, state_bw = dynamic_rnn(
                cell_bw, inputs_reverse, sequence_length=sequence_length,
                initial_state=initial_state_bw, dtype=dtype,
                parallel_iterations=parallel_iterations, swap_memory=swap_memory,
                time_major=time_major, scope=bw_scope)
    output_bw = reverse(tmp)
    return (output_fw, output_bw), (state_fw, state_bw)


def _reverse_seq(input_seq, lengths):
    """The list ``input_seq`` reversed in time (per sequence when ``lengths`` is given)."""
    if lengths is None:
        return list(reversed(input_seq))
    flat_seq = tuple(_nest.flatten(x) for x in input_seq)
    flat_results: list[list] = [[] for _ in input_seq]
    for sequence in zip(*flat_seq):
        input_shape = tf.TensorShape(None) if sequence[0].get_shape().rank is None else \
            tf.TensorShape([None] * sequence[0].get_shape().rank)
        for x in sequence:
            input_shape.assert_is_compatible_with(x.get_shape())
            x.set_shape(input_shape)

        def rev(xs, lens, shape=input_shape):
            joined = tf.stack(xs)
            out = tf.unstack(tf.reverse_sequence(joined, lens, 0, 1))
            for r in out:
                r.set_shape(shape)
            return out
        for r, flat_result in zip(_call(rev, list(sequence), lengths), flat_results):
            flat_result.append(r)
    return [_nest.pack_sequence_as(x, r) for x, r in zip(input_seq, flat_results)]


def static_bidirectional_rnn(cell_fw, cell_bw, inputs, initial_state_fw=None,
                             initial_state_bw=None, dtype=None, sequence_length=None,
                             scope=None):
    """TF1 ``tf.nn.static_bidirectional_rnn``: ``(outputs, state_fw, state_bw)``; each output
    is ``concat([output_fw, output_bw], 1)``."""
    assert_like_rnncell("cell_fw", cell_fw)
    assert_like_rnncell("cell_bw", cell_bw)
    if not _nest.is_nested(inputs):
        raise TypeError(f"Argument `inputs` must be a sequence. Received: {inputs}")
    if not inputs:
        raise ValueError("Argument `inputs` must not be empty.")
    with _vs.variable_scope(scope or "bidirectional_rnn"):
        with _vs.variable_scope("fw") as fw_scope:
            output_fw, state_fw = static_rnn(cell_fw, inputs, initial_state_fw, dtype,
                                             sequence_length, scope=fw_scope)
        with _vs.variable_scope("bw") as bw_scope:
            reversed_inputs = _reverse_seq(inputs, sequence_length)
            tmp, state_bw = static_rnn(cell_bw, reversed_inputs, initial_state_bw, dtype,
                                       sequence_length, scope=bw_scope)
    output_bw = _reverse_seq(tmp, sequence_length)
    flat_fw = _nest.flatten(output_fw)
    flat_bw = _nest.flatten(output_bw)
    outputs = _nest.pack_sequence_as(
        output_fw, [_call(lambda a, b: tf.concat([a, b], 1), fw, bw)
                    for fw, bw in zip(flat_fw, flat_bw)])
    return outputs, state_fw, state_bw
