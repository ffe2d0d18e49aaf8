"""TF1 rnn programs, written once for both namespaces: ``program(tfm, case)`` with ``tfm`` either
``tftrain_compat`` or ``tf.compat.v1`` (the oracle, see rnn_oracle.py). Each returns a dict of
arrays: variable names/shapes/initial values, forward outputs and final states, gradients, and
the losses and variables after ``case["steps"]`` training steps.

A case is JSON: ``cell`` is a (nested) cell spec, ``mode`` one of dynamic / static / bidi_dynamic
/ bidi_static / cell, plus shapes, ``seq_len`` (a list or None), ``time_major``, ``seed``.
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf

_INITIALIZERS = {
    None: lambda tfm, seed: None,
    "uniform": lambda tfm, seed: tfm.random_uniform_initializer(-0.3, 0.3, seed=seed),
    "normal": lambda tfm, seed: tfm.random_normal_initializer(0.0, 0.5),
}


def make_cell(tfm, spec: dict, feeds: dict):
    """A cell from its JSON spec (``kind`` plus the constructor's options)."""
    rc = tfm.nn.rnn_cell
    kind = spec["kind"]
    if kind == "basic_rnn":
        return rc.BasicRNNCell(spec["units"], activation=_activation(tfm, spec),
                               name=spec.get("name"))
    if kind == "basic_lstm":
        return rc.BasicLSTMCell(spec["units"], forget_bias=spec.get("forget_bias", 1.0),
                                state_is_tuple=spec.get("state_is_tuple", True),
                                name=spec.get("name"))
    if kind == "lstm":
        init = _INITIALIZERS[spec.get("initializer")](tfm, spec.get("init_seed"))
        return rc.LSTMCell(spec["units"], use_peepholes=spec.get("use_peepholes", False),
                           cell_clip=spec.get("cell_clip"), initializer=init,
                           num_proj=spec.get("num_proj"), proj_clip=spec.get("proj_clip"),
                           forget_bias=spec.get("forget_bias", 1.0),
                           state_is_tuple=spec.get("state_is_tuple", True),
                           name=spec.get("name"))
    if kind == "gru":
        init = _INITIALIZERS[spec.get("initializer")](tfm, spec.get("init_seed"))
        bias = (tfm.constant_initializer(spec["bias"]) if spec.get("bias") is not None
                else None)
        return rc.GRUCell(spec["units"], kernel_initializer=init, bias_initializer=bias,
                          name=spec.get("name"))
    if kind == "multi":
        return rc.MultiRNNCell([make_cell(tfm, s, feeds) for s in spec["cells"]],
                               state_is_tuple=spec.get("state_is_tuple", True))
    if kind == "dropout":
        inner = make_cell(tfm, spec["cell"], feeds)
        probs = {}
        for key in ("input_keep_prob", "output_keep_prob", "state_keep_prob"):
            value = spec.get(key, 1.0)
            if spec.get("fed") and value < 1.0:
                ph = tfm.placeholder(tf.float32, [], name=key)
                feeds[ph] = np.float32(value)
                value = ph
            probs[key] = value
        kwargs = {}
        if spec.get("variational_recurrent"):
            kwargs = dict(variational_recurrent=True, dtype=tf.float32,
                          input_size=spec.get("input_size"))
        return rc.DropoutWrapper(inner, seed=spec.get("seed"), **probs, **kwargs)
    if kind == "residual":
        return rc.ResidualWrapper(make_cell(tfm, spec["cell"], feeds))
    if kind == "device":
        return rc.DeviceWrapper(make_cell(tfm, spec["cell"], feeds), "/cpu:0")
    raise ValueError(kind)


def _activation(tfm, spec):
    return {None: None, "relu": tfm.nn.relu, "sigmoid": tfm.sigmoid}[spec.get("activation")]


def _data(case: dict):
    rng = np.random.RandomState(case["data_seed"])
    shape = ([case["time"], case["batch"], case["depth"]] if case.get("time_major")
             else [case["batch"], case["time"], case["depth"]])
    xs = [rng.uniform(-1, 1, shape).astype(np.float32) for _ in range(max(1, case["steps"]))]
    return xs


def rnn_program(tfm, case: dict) -> dict:
    """Builds the rnn of ``case``, then runs forward, gradients and training steps."""
    tfm.set_random_seed(case["seed"])
    if case.get("scope_init", True):
        # Under tf-keras 2.21 a cell's default kernel initializer draws its seed from Python's
        # `random` (not reproducible), so oracle comparisons give the root scope a TF1
        # initializer; the default one is checked separately against TF1's glorot_uniform.
        tfm.get_variable_scope().set_initializer(tfm.random_uniform_initializer(-0.5, 0.5))
    xs = _data(case)
    time_major = bool(case.get("time_major"))
    batch_dim = None if case.get("unknown_batch") else case["batch"]
    shape = ([case["time"], batch_dim, case["depth"]] if time_major
             else [batch_dim, case["time"], case["depth"]])
    x = tfm.placeholder(tf.float32, shape, name="x")
    feeds = {}
    seq_len = None
    if case.get("seq_len") is not None:
        seq_len = tfm.placeholder(tf.int32, [None], name="seq_len")
        feeds[seq_len] = np.array(case["seq_len"], np.int32)
    mode = case["mode"]
    pi = case.get("parallel_iterations")
    cell = make_cell(tfm, case["cell"], feeds)
    init_state = None
    if case.get("initial_state"):
        init_state = cell.zero_state(case["batch"], tf.float32)
    if mode == "dynamic":
        outputs, state = tfm.nn.dynamic_rnn(cell, x, sequence_length=seq_len,
                                            initial_state=init_state, dtype=tf.float32,
                                            time_major=time_major, parallel_iterations=pi,
                                            scope=case.get("scope"))
    elif mode == "bidi_dynamic":
        cell_bw = make_cell(tfm, case["cell_bw"], feeds)
        outputs, state = tfm.nn.bidirectional_dynamic_rnn(
            cell, cell_bw, x, sequence_length=seq_len, dtype=tf.float32,
            time_major=time_major, parallel_iterations=pi)
    elif mode in ("static", "bidi_static"):
        steps = tfm.unstack(x, axis=0 if time_major else 1)
        if mode == "static":
            outputs, state = tfm.nn.static_rnn(cell, steps, initial_state=init_state,
                                               dtype=tf.float32, sequence_length=seq_len)
        else:
            cell_bw = make_cell(tfm, case["cell_bw"], feeds)
            outputs, state_fw, state_bw = tfm.nn.static_bidirectional_rnn(
                cell, cell_bw, steps, dtype=tf.float32, sequence_length=seq_len)
            state = (state_fw, state_bw)
    elif mode == "cell":
        first = x[0] if time_major else x[:, 0]
        if init_state is None:
            init_state = cell.zero_state(case["batch"], tf.float32)
        outputs, state = cell(first, init_state)
        outputs, state = cell(outputs if case.get("feed_back") else first, state)
    else:
        raise ValueError(mode)

    flat = tf.nest.flatten(outputs) + tf.nest.flatten(state)
    loss = tfm.add_n([tfm.reduce_mean(tfm.square(t) * (i + 1)) for i, t in enumerate(flat)])
    variables = tfm.global_variables()
    trainable = tfm.trainable_variables()
    grads = tfm.gradients(loss, trainable)
    train = tfm.train.GradientDescentOptimizer(case.get("lr", 0.5)).minimize(loss)

    result = {"names": np.array([v.name for v in variables]),
              "trainable": np.array([v.name for v in trainable]),
              "static_shapes": np.array([str(t.get_shape().as_list() if t.get_shape().rank is not None else None) for t in flat])}
    with tfm.Session() as sess:
        sess.run(tfm.global_variables_initializer())
        for v, value in zip(variables, sess.run(variables)):
            result["init/" + v.name] = value
        feed = dict(feeds)
        feed[x] = xs[0]
        values = sess.run(flat + [g for g in grads if g is not None], feed)
        for i, value in enumerate(values[:len(flat)]):
            result[f"fwd/{i}"] = value
        for v, value in zip([v for v, g in zip(trainable, grads) if g is not None],
                            values[len(flat):]):
            result["grad/" + v.name] = value
        losses = []
        for step in range(case["steps"]):
            feed[x] = xs[step]
            losses.append(sess.run([loss, train], feed)[0])
        result["losses"] = np.array(losses, np.float32)
        for v, value in zip(variables, sess.run(variables)):
            result["final/" + v.name] = value
    return result


def dropout_runs_program(tfm, case: dict) -> dict:
    """Dropout inside ``dynamic_rnn``'s loop body (or unrolled by ``static_rnn``): the values of
    consecutive ``Session.run`` calls, interleaved with a training step, in one session."""
    tfm.set_random_seed(case["seed"])
    tfm.get_variable_scope().set_initializer(tfm.random_uniform_initializer(-0.5, 0.5))
    x = tfm.placeholder(tf.float32, [case["batch"], case["time"], case["depth"]], name="x")
    cell = tfm.nn.rnn_cell.DropoutWrapper(tfm.nn.rnn_cell.BasicLSTMCell(3),
                                          input_keep_prob=0.6, output_keep_prob=0.7,
                                          state_keep_prob=0.8, seed=case.get("wrapper_seed"))
    if case["mode"] == "dynamic":
        outputs, _ = tfm.nn.dynamic_rnn(cell, x, dtype=tf.float32, parallel_iterations=1)
    else:
        outputs = tfm.stack(tfm.nn.static_rnn(cell, tfm.unstack(x, axis=1),
                                              dtype=tf.float32)[0], axis=1)
    loss = tfm.reduce_sum(tfm.square(outputs))
    train = tfm.train.GradientDescentOptimizer(0.1).minimize(loss)
    xs = _data(dict(case, steps=1))[0]
    result = {}
    with tfm.Session() as sess:
        sess.run(tfm.global_variables_initializer())
        for i in range(case["runs"]):
            result[f"run{i}/outputs"] = sess.run(outputs, {x: xs})
            result[f"run{i}/loss"] = np.float32(sess.run([loss, train], {x: xs})[0])
    return result


def default_init_program(tfm, case: dict) -> dict:
    """The cell's weights with no initializer anywhere (get_variable's default)."""
    tfm.set_random_seed(case["seed"])
    x = tfm.placeholder(tf.float32, [2, 3, case["depth"]])
    cell = make_cell(tfm, case["cell"], {})
    tfm.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    variables = tfm.global_variables()
    with tfm.Session() as sess:
        sess.run(tfm.global_variables_initializer())
        return {v.name: value for v, value in zip(variables, sess.run(variables))}


def glorot_reference_program(tfm, case: dict) -> dict:
    """TF1's documented default for a float variable without initializer: glorot_uniform, its
    op seed the graph's k-th (here: the variables are made in the same order, nothing else
    random in between), zeros for the biases as the cells give them."""
    tfm.set_random_seed(case["seed"])
    made = []
    for name, shape, init in case["variables"]:
        initializer = {"glorot": tfm.glorot_uniform_initializer(), "zeros": tfm.zeros_initializer(),
                       "ones": tfm.constant_initializer(1.0)}[init]
        made.append(tfm.get_variable(name.split(":")[0], shape, initializer=initializer))
    with tfm.Session() as sess:
        sess.run(tfm.global_variables_initializer())
        return {v.name: value for v, value in zip(made, sess.run(made))}


def error_program(tfm, case: dict) -> dict:
    """Builds something TF1 rejects; the error (class and text) is what is compared."""
    rc = tfm.nn.rnn_cell
    what = case["what"]
    x3 = tfm.placeholder(tf.float32, [2, 3, 4])
    if what == "no_dtype":
        tfm.nn.dynamic_rnn(rc.BasicRNNCell(2), x3)
    elif what == "rank3_cell_input":
        cell = rc.BasicLSTMCell(2)
        cell(x3, cell.zero_state(2, tf.float32))
    elif what == "empty_multi":
        rc.MultiRNNCell([])
    elif what == "keep_prob_range":
        rc.DropoutWrapper(rc.GRUCell(2), output_keep_prob=1.5)
    elif what == "variational_no_dtype":
        rc.DropoutWrapper(rc.GRUCell(2), input_keep_prob=0.5, variational_recurrent=True)
    elif what == "variational_no_input_size":
        rc.DropoutWrapper(rc.GRUCell(2), input_keep_prob=0.5, variational_recurrent=True,
                          dtype=tf.float32)
    elif what == "not_a_cell":
        tfm.nn.dynamic_rnn(object(), x3, dtype=tf.float32)
    elif what == "static_not_a_list":
        tfm.nn.static_rnn(rc.GRUCell(2), x3, dtype=tf.float32)
    elif what == "static_empty":
        tfm.nn.static_rnn(rc.GRUCell(2), [], dtype=tf.float32)
    elif what == "int_inputs":
        tfm.nn.dynamic_rnn(rc.GRUCell(2), tfm.placeholder(tf.int32, [2, 3, 4]), dtype=tf.int32)
    elif what == "seq_len_rank2":
        tfm.nn.dynamic_rnn(rc.GRUCell(2), x3, sequence_length=tfm.placeholder(tf.int32, [2, 1]),
                           dtype=tf.float32)
    elif what == "multi_flat_with_tuple_states":
        rc.MultiRNNCell([rc.BasicLSTMCell(2)], state_is_tuple=False)
    elif what == "unknown_depth":
        tfm.nn.dynamic_rnn(rc.GRUCell(2), tfm.placeholder(tf.float32, [2, 3, None]),
                           dtype=tf.float32)
    else:
        raise KeyError(what)
    return {}


CELL_NAMES = ["BasicLSTMCell", "BasicRNNCell", "DeviceWrapper", "DropoutWrapper", "GRUCell",
              "LSTMCell", "MultiRNNCell", "RNNCell", "ResidualWrapper"]
RNN_FUNCTIONS = ["bidirectional_dynamic_rnn", "dynamic_rnn", "static_bidirectional_rnn",
                 "static_rnn"]


def signatures_program(tfm, case: dict) -> dict:
    """The constructor, ``__call__`` and ``zero_state`` signatures of every cell class and the
    signatures of the rnn functions, with their defaults, as text."""
    import inspect

    def sig(fn):  # names, kinds and defaults (not annotations)
        params = inspect.signature(fn).parameters.values()
        return ", ".join(f"{p.kind.name}:{p.name}" + ("" if p.default is p.empty
                                                       else f"={p.default!r}") for p in params)
    out = {}
    for name in CELL_NAMES:
        cls = getattr(tfm.nn.rnn_cell, name)
        out[name + ".__init__"] = sig(cls.__init__)
        out[name + ".__call__"] = sig(cls.__call__)
        out[name + ".zero_state"] = sig(cls.zero_state)
    for name in RNN_FUNCTIONS:
        out[name] = sig(getattr(tfm.nn, name))
    out["LSTMStateTuple._fields"] = repr(tfm.nn.rnn_cell.LSTMStateTuple._fields)
    return {k: np.array(v) for k, v in out.items()}
