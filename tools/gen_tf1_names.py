"""Generates ``tftrain_compat/_src/tf1_names.py``: every public TF1 name, classified.

    python tools/gen_tf1_names.py          # rewrite the table
    python tools/gen_tf1_names.py --check  # exit 1 if the checked-in table is stale

The TF1 API is ``tf.compat.v1`` of the installed TensorFlow. Each public name of the namespaces
in ``DEEP`` gets one kind (see ``tftrain_compat/_src/namespace.py``):

1. ``shim``         the front defines it by hand (the package is imported to see which);
2. ``unsupported``  listed in ``tables.HAND_WRITTEN`` (hand-written) or in ``FORBIDDEN``
                    below (compat.v1's stateful machinery, process switches, graph-object classes
                    the shim cannot host), with its TF2 replacement;
3. ``namespace`` / ``module`` for sub-modules outside ``DEEP`` (op modules wrapped, others TF's own);
4. ``alias``        classes and constants (dtypes, error classes, protocol buffers, enums);
5. ``op``           every other function: TF's own TF1 op builder, applied in the backing graph.

Run it again after adding or removing a hand-written name (the golden test says so).
"""
from __future__ import annotations

import argparse
import inspect
import pprint
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "tftrain_compat" / "_src" / "tf1_names.py"

# The namespaces classified name by name; every other sub-module is classified as a whole.
DEEP = ["tf", "tf.nn", "tf.math", "tf.image", "tf.losses", "tf.metrics", "tf.sparse",
        "tf.strings", "tf.random", "tf.linalg", "tf.initializers", "tf.errors", "tf.dtypes",
        "tf.io", "tf.saved_model"]
# Sub-modules of op builders: each function applied through the wrapper.
NAMESPACES = {"tf.audio", "tf.bitwise", "tf.debugging", "tf.manip", "tf.quantization", "tf.sets",
              "tf.signal", "tf.spectral", "tf.math.special"}
# Namespaces whose functions are plain helpers, not op builders.
ALIAS_PATHS = {"tf.errors", "tf.dtypes"}
ALIAS_FUNCS = {"tf.get_logger", "tf.load_file_system_library", "tf.load_library",
               "tf.load_op_library", "tf.register_tensor_conversion_function",
               "tf.NoGradient", "tf.NotDifferentiable", "tf.no_gradient", "tf.dimension_value",
               "tf.dimension_at_index", "tf.make_ndarray", "tf.is_symbolic_tensor"}

_SWITCH = ("the script without this call (tftrain_compat builds TF1 graphs beside eager TF2, "
           "with no process-wide switch)")
_PARTITION = ("tf.get_variable without a partitioner (tftrain_compat runs in one process; "
              "variables are not sharded)")
_QUEUE = "tf.data.Dataset (provided): queues and queue runners no longer exist"
_READER = ("tf.data.TextLineDataset / TFRecordDataset / FixedLengthRecordDataset (provided), or "
           "tf.io.read_file (provided)")
_SESSION_HANDLE = "fetch the value with sess.run and feed it back through feed_dict"
_PY = ("tf.py_function (TF2) in TF2 code (eager tensors), not in tftrain_compat graphs: compute "
       "the value in Python between sess.run calls and feed it through feed_dict")
_SPARSE_PH = ("three tf.placeholder (indices int64 [None, rank], values, dense_shape int64 "
              "[rank]) combined with tf.SparseTensor")
_ACCUM = "a tf.Variable accumulator updated with tf.assign_add"
_SAVED_MODEL = ("tf.saved_model.save / tf.saved_model.load in TF2 code (SavedModels of TF1 "
                "graphs need compat.v1's Session); tf.train.Saver (provided) checkpoints for a "
                "tftrain_compat graph")
_LINOP = ("the dense tf.linalg functions (tf.matmul, tf.linalg.solve, tf.linalg.diag ...): "
          "LinearOperator objects are not supported in tftrain_compat graphs")

FORBIDDEN: dict[str, str] = {
    **{f"tf.{p}_{s}": _SWITCH for p in ("enable", "disable")
       for s in ("eager_execution", "v2_behavior", "v2_tensorshape", "control_flow_v2",
                 "resource_variables", "tensor_equality")},
    "tf.control_flow_v2_enabled": "the script without this check (tftrain_compat "
                                  "builds TF2's control-flow ops)",
    "tf.resource_variables_enabled": "the script without this check (tftrain_compat's "
                                     "variables are resource variables)",
    "tf.executing_eagerly_outside_functions": "tf.executing_eagerly() (False while a "
                                              "tftrain_compat graph is built)",
    "tf.create_partitioned_variables": _PARTITION,
    "tf.fixed_size_partitioner": _PARTITION,
    "tf.min_max_variable_partitioner": _PARTITION,
    "tf.variable_axis_size_partitioner": _PARTITION,
    "tf.make_template": "a function that opens tf.variable_scope(name, reuse=tf.AUTO_REUSE)",
    "tf.variable_op_scope": "tf.variable_scope(name_or_scope, default_name, values)",
    "tf.op_scope": "tf.name_scope(name, default_name, values)",
    "tf.variable_creator_scope": "tf.Variable / tf.get_variable directly",
    "tf.init_scope": "build the op before the control-flow context that should not hold it",
    "tf.container": "the script without tf.container (every tftrain_compat Session "
                    "keeps its own variables)",
    "tf.get_session_handle": _SESSION_HANDLE,
    "tf.get_session_tensor": _SESSION_HANDLE,
    "tf.delete_session_tensor": _SESSION_HANDLE,
    "tf.custom_gradient": "a composition with tf.stop_gradient (x + tf.stop_gradient(f(x) - x)), "
                          "or TF2 code: decorated functions are not recorded in tftrain_compat "
                          "graphs",
    "tf.recompute_grad": "the plain function (recomputation only saves memory)",
    "tf.grad_pass_through": "x + tf.stop_gradient(f(x) - x)",
    "tf.wrap_function": "tf.Session.run on the graph built directly",
    "tf.function": "graph code run with tf.Session (tf.function is TF2 code)",
    "tf.nondifferentiable_batch_function": "the plain function (batching is a serving feature)",
    "tf.numpy_function": _PY,
    "tf.py_function": _PY,
    "tf.GradientTape": "tf.gradients(ys, xs) (GradientTape is TF2 eager code)",
    "tf.Module": "functions that create variables with tf.get_variable",
    "tf.TensorArray": "tf.map_fn / tf.scan, or tf.while_loop accumulating with tf.concat",
    "tf.CriticalSection": "tf.control_dependencies ordering inside one Session.run",
    "tf.RaggedTensor": "padded dense tensors with tf.sequence_mask, or tf.SparseTensor",
    "tf.QueueBase": _QUEUE, "tf.io.QueueBase": _QUEUE,
    "tf.ReaderBase": _READER, "tf.LMDBReader": _READER,
    "tf.ConditionalAccumulator": _ACCUM, "tf.ConditionalAccumulatorBase": _ACCUM,
    "tf.SparseConditionalAccumulator": _ACCUM, "tf.sparse.SparseConditionalAccumulator": _ACCUM,
    "tf.random.Generator": "tf.random_uniform / tf.random_normal with a seed (Generator holds "
                           "eager TF2 state)",
    "tf.initializers.identity": "tf.constant_initializer(gain * np.eye(n))",
}


def _v1_module(path: str):
    import tensorflow as tf
    mod = tf.compat.v1
    for part in path.split(".")[1:]:
        mod = getattr(mod, part)
    return mod


def _tf2_namesake(path: str, name: str):
    import tensorflow as tf
    mod = tf
    for part in path.split(".")[1:] + [name]:
        if not hasattr(mod, part):
            return None
        mod = getattr(mod, part)
    return mod


def _signature(obj) -> str | None:
    try:
        return str(inspect.signature(obj))
    except (TypeError, ValueError):
        return None


def changed_meaning(v1_obj, tf2_obj) -> bool:
    """TF2 has a different object of the same name: not just another dispatch wrapper of the same
    function with the same signature."""
    if tf2_obj is None or tf2_obj is v1_obj or isinstance(v1_obj, types.ModuleType):
        return False
    if callable(v1_obj) and callable(tf2_obj) and not inspect.isclass(v1_obj):
        if (inspect.unwrap(v1_obj) is inspect.unwrap(tf2_obj)
                and _signature(v1_obj) == _signature(tf2_obj)):
            return False
    return True


def classify() -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(kind per TF1 name, replacement per name unsupported by rule, changed-meaning names)."""
    sys.path.insert(0, str(ROOT))
    import tftrain_compat  # noqa: F401  (fronts register their hand-written names)
    from tftrain_compat._src import namespace, unsupported

    hand = unsupported.HAND_WRITTEN
    kinds: dict[str, str] = {}
    replacements: dict[str, str] = {}
    changed: list[str] = []

    def listed(full: str) -> bool:
        parts = full.split(".")
        return any(".".join(parts[:i]) in hand for i in range(len(parts), 1, -1))

    for path in DEEP:
        module = _v1_module(path)
        mine = namespace.provided(path)
        for name in sorted(n for n in dir(module) if not n.startswith("_")):
            full = f"{path}.{name}"
            obj = getattr(module, name)
            if name in mine:
                kind = "shim"
            elif listed(full):
                kind = "unsupported"
            elif full in FORBIDDEN:
                kind = "unsupported"
                replacements[full] = FORBIDDEN[full]
            elif path == "tf.saved_model" and (callable(obj) or isinstance(obj, types.ModuleType)):
                kind = "unsupported"
                replacements[full] = _SAVED_MODEL
            elif path == "tf.linalg" and name.startswith("LinearOperator"):
                kind = "unsupported"
                replacements[full] = _LINOP
            elif isinstance(obj, types.ModuleType):
                if full in DEEP:
                    raise SystemExit(f"{full} must be a front of tftrain_compat")
                kind = "namespace" if full in NAMESPACES else "module"
            elif inspect.isclass(obj) or not callable(obj):
                kind = "alias"
            elif path in ALIAS_PATHS or full in ALIAS_FUNCS:
                kind = "alias"
            else:
                kind = "op"
            kinds[full] = kind
            if changed_meaning(obj, _tf2_namesake(path, name)):
                changed.append(full)
    for full in FORBIDDEN:
        if full not in kinds:
            raise SystemExit(f"FORBIDDEN names {full}, which tf.compat.v1 does not have")
    return kinds, replacements, changed


def render() -> str:
    import tensorflow as tf
    kinds, replacements, changed = classify()
    return (
        '"""GENERATED by tools/gen_tf1_names.py from tf.compat.v1 of TensorFlow '
        f'{tf.__version__}: do not edit, rerun the tool.\n\n'
        "Every public TF1 name of the classified namespaces and its kind (see namespace.py):\n"
        "shim, op, alias, namespace, module, unsupported. REPLACEMENTS holds the TF2 replacement\n"
        "of names unsupported by the generator's rules (tables.py holds the hand-written\n"
        "ones); CHANGED_MEANING the TF1 names whose TF2 namesake at the same path is a different\n"
        "function or class (tftrain_compat keeps TF1's).\n"
        '"""\n'
        "from __future__ import annotations\n\n"
        f"TF_VERSION = {tf.__version__!r}\n\n"
        f"NAMES: dict[str, str] = {pprint.pformat(kinds, width=99, sort_dicts=True)}\n\n"
        f"REPLACEMENTS: dict[str, str] = {pprint.pformat(replacements, width=99, sort_dicts=True)}"
        "\n\n"
        f"CHANGED_MEANING: frozenset[str] = frozenset({pprint.pformat(sorted(changed), width=99)})"
        "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the table is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if OUTPUT.read_text() != text:
            print(f"{OUTPUT} is stale: run python tools/gen_tf1_names.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text)
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
