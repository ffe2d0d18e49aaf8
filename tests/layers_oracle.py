"""The tf.layers oracle: the same builder run by tftrain_compat here and by tf.compat.v1 (tf-keras'
legacy layers, ``TF_USE_LEGACY_KERAS=1``) in the module's one oracle subprocess
(``support.LegacyOracle``) for a whole batch of cases.

A builder is ``fn(tf, p, a, oracle) -> spec`` where ``tf`` is the namespace (tftrain_compat or
tf.compat.v1), ``p`` the case's options, ``a`` its input arrays; ``spec`` holds ``feeds``
(placeholder -> array), ``outputs`` (name -> tensor), optional ``loss``, ``steps``,
``step_feeds`` (a function of the step giving extra feeds) and ``info`` (name -> Python value).
``run_case`` records variable names/shapes/initial values, forward outputs, gradients of the
loss, the variables after ``steps`` GradientDescent steps run under
``control_dependencies(UPDATE_OPS)``, and collections, so tests compare both sides bitwise.

Note: tf-keras 2.21's legacy layers draw an unseeded default kernel initializer from Python's
``random`` (stateless ops), so it is not reproducible; builders compared with it pass explicit
TF1 initializers, and the default initializer is checked against TF1's ``get_variable`` default.
"""
from __future__ import annotations

import numpy as np


# ----- helpers shared by builders --------------------------------------------------------------
def kinit(tf, name):
    if name == "glorot":
        return tf.glorot_uniform_initializer()
    if name == "normal":
        return tf.truncated_normal_initializer(stddev=0.1)
    if name == "uniform":
        return tf.random_uniform_initializer(-0.5, 0.5)
    return None


def act(tf, name):
    return {"relu": tf.nn.relu, "tanh": tf.nn.tanh, "none": None}[name]


def l2(tf, scale):
    return lambda w: tf.multiply(scale, tf.reduce_sum(tf.square(w)), name="l2")


def _x(tf, a, key="x", dtype=None, batch_none=True):
    arr = a[key]
    shape = [None] + list(arr.shape[1:]) if batch_none else list(arr.shape)
    return tf.placeholder(dtype or tf.float32, shape, name=key), arr


# ----- builders ---------------------------------------------------------------------------------
def b_dense(tf, p, a, oracle):
    x, xv = _x(tf, a)
    kw = dict(activation=act(tf, p["act"]), use_bias=p["bias"],
              kernel_initializer=kinit(tf, p["init"]))
    if p.get("reg"):
        kw.update(kernel_regularizer=l2(tf, 0.01), bias_regularizer=l2(tf, 0.02),
                  activity_regularizer=l2(tf, 0.001))
    if p["cls"]:
        layer = tf.layers.Dense(p["units"], **kw)
        y = layer.apply(x)
        y2 = layer(x)
        info = {"vars": [v.name for v in layer.variables],
                "trainable": [v.name for v in layer.trainable_weights],
                "losses": len(layer.losses), "scope": layer.scope_name}
        outputs = {"y": y, "y2": y2}
    else:
        y = tf.layers.dense(x, p["units"], **kw)
        info = {}
        outputs = {"y": y}
    return {"feeds": {x: xv}, "outputs": outputs, "info": info, "steps": p.get("steps", 3)}


def b_conv(tf, p, a, oracle):
    x, xv = _x(tf, a)
    fn = {1: tf.layers.conv1d, 2: tf.layers.conv2d, 3: tf.layers.conv3d}[p["rank"]]
    y = fn(x, p["filters"], p["kernel"], strides=p["strides"], padding=p["padding"],
           dilation_rate=p["dilation"], activation=act(tf, p["act"]), use_bias=p["bias"],
           kernel_initializer=kinit(tf, p["init"]), data_format=p.get("df", "channels_last"))
    return {"feeds": {x: xv}, "outputs": {"y": y}, "steps": 2}


def b_conv_t(tf, p, a, oracle):
    x, xv = _x(tf, a)
    y = tf.layers.conv2d_transpose(x, p["filters"], p["kernel"], strides=p["strides"],
                                   padding=p["padding"], activation=act(tf, p["act"]),
                                   use_bias=p["bias"], kernel_initializer=kinit(tf, p["init"]))
    return {"feeds": {x: xv}, "outputs": {"y": y}, "steps": 2}


def b_sep(tf, p, a, oracle):
    x, xv = _x(tf, a)
    y = tf.layers.separable_conv2d(
        x, p["filters"], p["kernel"], strides=p["strides"], padding=p["padding"],
        dilation_rate=p["dilation"], depth_multiplier=p["dm"], activation=act(tf, p["act"]),
        depthwise_initializer=kinit(tf, p["init"]), pointwise_initializer=kinit(tf, p["init"]))
    return {"feeds": {x: xv}, "outputs": {"y": y}, "steps": 2}


def b_pool(tf, p, a, oracle):
    x, xv = _x(tf, a)
    name = ("max" if p["max"] else "average") + "_pooling%dd" % p["rank"]
    if p["cls"]:
        cls = getattr(tf.layers, ("MaxPooling" if p["max"] else "AveragePooling") +
                      "%dD" % p["rank"])
        y = cls(p["pool"], p["strides"], padding=p["padding"],
                data_format=p.get("df", "channels_last"))(x)
    else:
        y = getattr(tf.layers, name)(x, p["pool"], p["strides"], padding=p["padding"],
                                     data_format=p.get("df", "channels_last"))
    # a trainable variable so that gradients flow through the pooling
    w = tf.get_variable("w", initializer=tf.constant(1.5))
    return {"feeds": {x: xv}, "outputs": {"y": y * w}, "steps": 1}


def b_flatten(tf, p, a, oracle):
    x, xv = _x(tf, a, batch_none=p["batch_none"])
    y = tf.layers.flatten(x, data_format=p.get("df", "channels_last"))
    y2 = tf.layers.Flatten()(x)
    return {"feeds": {x: xv}, "outputs": {"y": y, "y2": y2}, "steps": 0,
            "info": {"shape": str(y.get_shape().as_list() if y.get_shape().rank is not None else None)}}


def b_dropout(tf, p, a, oracle):
    x, xv = _x(tf, a)
    h = tf.layers.dense(x, p["units"], kernel_initializer=kinit(tf, "glorot"))
    if p["training"] == "ph":
        training = tf.placeholder(tf.bool, [], name="training")
    else:
        training = p["training"]
    if p["cls"]:
        layer = tf.layers.Dropout(p["rate"], seed=p["seed"], noise_shape=p.get("noise"))
        y = layer(h, training=training)
        y = layer(y, training=training)
    else:
        y = tf.layers.dropout(h, p["rate"], seed=p["seed"], training=training,
                              noise_shape=p.get("noise"))
    if p.get("then_dense"):  # a graph-seeded kernel made after the dropout's cond (TF1 op seed)
        y = tf.layers.dense(y, p["then_dense"], kernel_initializer=kinit(tf, "glorot"))
    feeds = {x: xv}
    step_feeds = None
    if p["training"] == "ph":
        feeds[training] = True
        step_feeds = lambda i: {training: i % 2 == 0}  # noqa: E731
    return {"feeds": feeds, "outputs": {"y": y}, "steps": 4, "step_feeds": step_feeds}


def b_bn(tf, p, a, oracle):
    x, xv = _x(tf, a)
    if p["training"] == "ph":
        training = tf.placeholder(tf.bool, [], name="training")
    else:
        training = p["training"]
    kw = dict(axis=p["axis"], momentum=p["momentum"], epsilon=p["eps"], center=p["center"],
              scale=p["scale"], fused=p["fused"])
    if p.get("gamma_reg"):
        kw["gamma_regularizer"] = l2(tf, 0.1)
    if p["cls"]:
        layer = tf.layers.BatchNormalization(**kw)
        y = layer(x, training=training)
        info = {"updates": len(layer.updates), "vars": [v.name for v in layer.variables],
                "nontrainable": [v.name for v in layer.non_trainable_weights]}
    else:
        y = tf.layers.batch_normalization(x, training=training, **kw)
        info = {}
    w = tf.get_variable("w", initializer=tf.constant(0.7))
    feeds = {x: xv}
    step_feeds = None
    if p["training"] == "ph":
        feeds[training] = True
        step_feeds = lambda i: {training: i % 3 != 2}  # noqa: E731
    info["n_update_ops"] = len(tf.get_collection(tf.GraphKeys.UPDATE_OPS))
    return {"feeds": feeds, "outputs": {"y": y * w}, "steps": p.get("steps", 4),
            "step_feeds": step_feeds, "info": info,
            "eval_feeds": ({training: False} if p["training"] == "ph" else {})}


def b_naming(tf, p, a, oracle):
    """Scope and layer naming, reuse, variable_scope initializer, collections."""
    x, xv = _x(tf, a)
    g = kinit(tf, "glorot")
    y1 = tf.layers.dense(x, 3, kernel_initializer=g)
    y2 = tf.layers.dense(x, 3, kernel_initializer=g)
    y3 = tf.layers.dense(x, 3, name="fc", kernel_initializer=g)
    y4 = tf.layers.dense(x, 3, name="fc", reuse=True)
    layer = tf.layers.Dense(2, kernel_initializer=g)
    layer2 = tf.layers.Dense(2, kernel_initializer=g, name="named")
    with tf.variable_scope("outer"):
        y5 = layer(x)
        y6 = tf.layers.dense(x, 2, kernel_initializer=g)
        c = tf.layers.conv1d(tf.expand_dims(x, -1), 2, 2, kernel_initializer=g)
    with tf.variable_scope("outer", reuse=True):
        y7 = tf.layers.dense(x, 2)
    with tf.variable_scope("init", initializer=tf.constant_initializer(0.25)):
        y8 = tf.layers.dense(x, 2)
    y9 = layer2(x)
    y10 = layer(x)
    bn = tf.layers.batch_normalization(tf.reshape(x, [-1, 1, 1, int(xv.shape[1])]),
                                       training=True)
    bn2 = tf.layers.batch_normalization(x, training=True, name="bn")
    with tf.variable_scope("bn", reuse=True):
        pass
    info = {
        "layer_names": [layer.name, layer2.name], "scopes": [layer.scope_name,
                                                               layer2.scope_name],
        "ops": [t.op.name for t in (y1, y2, y3, y4, y5, y6, y7, y8, y9, y10, c)],
        "global": [v.name for v in tf.global_variables()],
        "trainable": [v.name for v in tf.trainable_variables()],
        "n_updates": len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)),
        "update_types": sorted(o.type for o in tf.get_collection(tf.GraphKeys.UPDATE_OPS)),
    }
    outs = {"y%d" % i: t for i, t in enumerate((y1, y2, y3, y4, y5, y6, y7, y8, y9, y10, bn, bn2))}
    return {"feeds": {x: xv}, "outputs": outs, "info": info, "steps": 2}


def b_regularizers(tf, p, a, oracle):
    x, xv = _x(tf, a)
    g = kinit(tf, "glorot")
    y = tf.layers.dense(x, 3, kernel_initializer=g, kernel_regularizer=l2(tf, 0.1),
                        bias_regularizer=l2(tf, 0.2), activity_regularizer=l2(tf, 0.01),
                        bias_initializer=tf.constant_initializer(0.5))
    y1 = tf.layers.dense(y, 2, kernel_initializer=g, kernel_regularizer=l2(tf, 0.3), name="d2")
    y = y1 + tf.layers.dense(y, 2, kernel_regularizer=l2(tf, 0.3), name="d2", reuse=True)
    c = tf.layers.conv2d(tf.reshape(x, [-1, 2, 2, int(xv.shape[1]) // 4]), 2, 1,
                         kernel_initializer=g, kernel_regularizer=l2(tf, 0.5))
    regs = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    loss = tf.reduce_sum(tf.square(y)) + tf.add_n(regs) + tf.reduce_sum(c)
    outs = {"reg%d" % i: r for i, r in enumerate(regs)}
    outs["y"] = y
    return {"feeds": {x: xv}, "outputs": outs, "loss": loss, "steps": 3,
            "info": {"reg_names": [r.name for r in regs]}}


def b_default_init(tf, p, a, oracle):
    """TF1's default kernel initializer: get_variable's glorot_uniform (graph-seeded). The
    oracle side builds it with get_variable itself (tf-keras 2.21's default is not seeded)."""
    x, xv = _x(tf, a)
    if oracle:
        with tf.variable_scope("dense"):
            k = tf.get_variable("kernel", [int(xv.shape[1]), p["units"]])
            b = tf.get_variable("bias", [p["units"]], initializer=tf.zeros_initializer())
        y = tf.nn.bias_add(tf.matmul(x, k), b)
        d = tf.nn.dropout(y, rate=0.5, seed=None)
    else:
        y = tf.layers.dense(x, p["units"])
        d = tf.nn.dropout(y, rate=0.5, seed=None)
    return {"feeds": {x: xv}, "outputs": {"y": y, "d": d}, "steps": 1}


def b_errors(tf, p, a, oracle):
    x, xv = _x(tf, a)
    kind = p["kind"]
    if kind == "dense_unknown":
        tf.layers.dense(tf.placeholder(tf.float32, [None, None]), 3)
    elif kind == "name_clash":
        tf.layers.dense(x, 3, name="fc", kernel_initializer=kinit(tf, "glorot"))
        tf.layers.dense(x, 3, name="fc", kernel_initializer=kinit(tf, "glorot"))
    elif kind == "bn_axis":
        tf.layers.batch_normalization(x, axis=5)
    elif kind == "conv_rank":
        tf.layers.conv2d(x, 2, 2)
    return {"feeds": {x: xv}, "outputs": {"x": x}}


BUILDERS = {name[2:]: fn for name, fn in dict(globals()).items() if name.startswith("b_")}


# ----- running ----------------------------------------------------------------------------------
def run_case(tf, builder: str, p: dict, a: dict, oracle: bool) -> dict:
    """Builds the case in a fresh graph of ``tf`` and returns its numbers and names."""
    graph = tf.Graph()
    out: dict = {}
    with graph.as_default():
        tf.set_random_seed(p.get("seed_graph", 7))
        spec = BUILDERS[builder](tf, p, a, oracle)
        outputs = spec["outputs"]
        feeds = spec["feeds"]
        gvars = tf.global_variables()
        tvars = tf.trainable_variables()
        out["var_names"] = [v.name for v in gvars]
        out["var_shapes"] = [tuple(v.get_shape().as_list()) for v in gvars]
        out["trainable_names"] = [v.name for v in tvars]
        out["out_shapes"] = {k: str(t.get_shape().as_list() if t.get_shape().rank is not None else None) for k, t in outputs.items()}
        out["info"] = spec.get("info", {})
        loss = spec.get("loss")
        if loss is None:
            loss = tf.add_n([tf.reduce_sum(tf.square(t)) for t in outputs.values()])
        grads = tf.gradients(loss, tvars) if tvars else []
        grads = [g for g in grads if g is not None]
        steps = spec.get("steps", 0)
        if steps and tvars:
            with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
                train = tf.train.GradientDescentOptimizer(0.05).minimize(loss)
        init = tf.global_variables_initializer()
        with tf.Session() as sess:
            sess.run(init)
            out["init"] = sess.run(gvars)
            names = list(outputs)
            out["fwd"] = dict(zip(names, sess.run([outputs[n] for n in names], feeds)))
            out["grads"] = sess.run(grads, feeds) if grads else []
            step_feeds = spec.get("step_feeds")
            losses = []
            for i in range(steps if tvars else 0):
                fd = dict(feeds)
                if step_feeds:
                    fd.update(step_feeds(i))
                losses.append(sess.run([loss, train], fd)[0])
            out["losses"] = np.array(losses)
            out["final"] = sess.run(gvars)
            fd = dict(feeds)
            fd.update(spec.get("eval_feeds", {}))
            out["after"] = dict(zip(names, sess.run([outputs[n] for n in names], fd)))
    return out


def run_cases(tf, cases: list) -> list:
    """Every case on namespace ``tf`` (an error is recorded, so the other side must raise the
    same class): ``run_cases(tftrain_compat, cases)`` here, ``legacy_oracle.run(
    "layers_oracle:run_cases", cases)`` on the oracle (tests/support.py)."""
    oracle = not tf.__name__.startswith("tftrain_compat")
    results = []
    for b, p, a in cases:
        try:
            results.append(run_case(tf, b, p, a, oracle=oracle))
        except Exception as exc:
            results.append({"error": type(exc).__name__, "message": str(exc)})
    return results


def run_shim(cases: list) -> list:
    import tftrain_compat
    return run_cases(tftrain_compat, cases)
