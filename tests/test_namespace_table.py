"""The golden namespace test: every public TF1 name (tf.compat.v1's namespaces on the installed
TensorFlow) is classified in the one generated table, nothing is classified that compat.v1 does
not have, the checked-in table is what the generator writes today, and each kind resolves to what
it promises (TF's own TF1 builder recorded in the graph, the compat.v1 object, a hand-written
name, or the error naming the TF2 replacement)."""
from __future__ import annotations

import importlib.util
import inspect
import types
from pathlib import Path

import pytest
import tensorflow as tf

import tftrain_compat as shim
from tftrain_compat._src import namespace, tables, tf1_names, unsupported

V1 = tf.compat.v1
ROOT = Path(__file__).resolve().parents[1]
DEEP = ["tf", "tf.nn", "tf.math", "tf.image", "tf.losses", "tf.metrics", "tf.sparse",
        "tf.strings", "tf.random", "tf.linalg", "tf.initializers", "tf.errors", "tf.dtypes",
        "tf.io", "tf.saved_model"]
KINDS = {"shim", "op", "alias", "namespace", "module", "unsupported"}


def _at(root, path: str):
    for part in path.split(".")[1:]:
        root = getattr(root, part)
    return root


def _v1_names(path: str) -> set[str]:
    return {n for n in dir(_at(V1, path)) if not n.startswith("_")}


def _generator():
    spec = importlib.util.spec_from_file_location("gen_tf1_names", ROOT / "tools" / "gen_tf1_names.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The table is generated from one release's tf.compat.v1 (tf1_names.TF_VERSION); on the other
# releases setup.cfg admits (tools/version_matrix.sh), compat.v1 lacks the names later releases
# added, so there the checks cover the names the running release has.
SAME_TF = tf.__version__ == tf1_names.TF_VERSION


@pytest.mark.skipif(not SAME_TF, reason=f"the table is generated from TensorFlow "
                    f"{tf1_names.TF_VERSION}'s compat.v1, this is {tf.__version__}")
def test_checked_in_table_is_what_the_generator_writes():
    gen = _generator()
    assert gen.DEEP == DEEP
    text = (ROOT / "tftrain_compat" / "_src" / "tf1_names.py").read_text()
    assert text == gen.render(), "stale table: run python tools/gen_tf1_names.py"
    assert tf1_names.TF_VERSION == tf.__version__


@pytest.mark.parametrize("path", DEEP)
def test_every_tf1_name_classified_and_nothing_else(path):
    classified = set(namespace.names_under(path))
    tf1 = _v1_names(path)
    assert sorted(tf1 - classified) == []   # every compat.v1 public name is classified
    if SAME_TF:
        assert sorted(classified - tf1) == []   # nothing classified that compat.v1 lacks
    assert {tf1_names.NAMES[f"{path}.{n}"] for n in classified} <= KINDS


def test_only_the_classified_namespaces_are_in_the_table():
    paths = {n.rpartition(".")[0] for n in tf1_names.NAMES}
    assert paths == set(DEEP)


def _resolve(path: str, name: str):
    try:
        return getattr(_at(shim, path), name), None
    except AttributeError as err:
        return None, err


@pytest.mark.parametrize("path", DEEP)
def test_each_kind_resolves_as_it_promises(path):
    v1_ns = _at(V1, path)
    bad = []
    for name in namespace.names_under(path):
        if not SAME_TF and not hasattr(v1_ns, name):
            continue  # a name a later release added (see SAME_TF)
        full = f"{path}.{name}"
        kind = tf1_names.NAMES[full]
        value, err = _resolve(path, name)
        want = getattr(v1_ns, name)
        if kind == "unsupported":
            ok = (err is not None and "does not provide" in str(err)
                  and tables.UNSUPPORTED.get(full, "") in str(err)
                  and unsupported.unsupported_error(full) is not None)
        elif err is not None:
            ok = False
        elif kind == "op":
            ok = getattr(value, "__tf2_function__", None) is want
        elif kind == "alias":
            ok = value is want
        elif kind == "shim":
            ok = name in namespace.provided(path)
        else:  # namespace / module
            ok = isinstance(value, types.ModuleType)
        if not ok:
            bad.append((full, kind, err))
    assert bad == []


def test_every_unsupported_name_has_a_replacement_text():
    for full, kind in tf1_names.NAMES.items():
        if kind == "unsupported":
            err = unsupported.unsupported_error(full)
            assert err is not None, full
            assert "- help: use " in str(err) and len(str(err).split("- help: use ")[1]) > 12


def test_replacements_only_for_unsupported_names():
    for full in tf1_names.REPLACEMENTS:
        assert tf1_names.NAMES[full] == "unsupported"
    for full, text in tables.HAND_WRITTEN.items():
        kind = tf1_names.NAMES.get(full)
        assert kind in (None, "unsupported"), f"{full} is listed unsupported but is {kind}"


def _params(fn):
    if inspect.isclass(fn):  # a metaclass may hide the constructor's own parameters
        return [p.name for p in inspect.signature(fn.__init__).parameters.values()][1:]
    return [p.name for p in inspect.signature(fn).parameters.values()]


# Hand-written names whose signature deliberately differs from compat.v1's on TF 2.21.
_SIGNATURE_EXCEPTIONS = {
    "tf.nn.softmax_cross_entropy_with_logits", "tf.nn.sparse_softmax_cross_entropy_with_logits",
    "tf.nn.sigmoid_cross_entropy_with_logits",  # TF1's leading `_sentinel` (dropped by 2.21)
}


@pytest.mark.parametrize("full", sorted(tf1_names.CHANGED_MEANING))
def test_changed_meaning_names_keep_tf1_meaning(full):
    """Where TF2's namesake differs, the shim's name is compat.v1's own builder or object, a
    hand-written function with compat.v1's parameters, or refused with a replacement."""
    path, _, name = full.rpartition(".")
    want = getattr(_at(V1, path), name)
    tf2 = _at(tf, path)
    assert getattr(tf2, name) is not want
    kind = tf1_names.NAMES[full]
    value, err = _resolve(path, name)
    if kind == "unsupported":
        assert err is not None
        return
    assert err is None
    if kind == "op":
        assert value.__tf2_function__ is want
    elif kind == "alias":
        assert value is want
    else:
        assert kind == "shim"
        got_params = _params(value)
        want_params = _params(want)
        if full in _SIGNATURE_EXCEPTIONS:
            got_params = [p for p in got_params if p != "_sentinel"]
        assert got_params[:len(want_params)] == want_params or set(want_params) <= set(got_params)


def test_tf1_names_resolve_to_compat_v1_builders_recording_in_the_graph(fresh_graph):
    y = shim.log1p(shim.constant([0.0, 1.0]))
    assert isinstance(y, shim.Tensor) and y.graph is fresh_graph
    assert shim.nn.xw_plus_b.__tf2_function__ is V1.nn.xw_plus_b
    assert shim.where.__tf2_function__ is V1.where
    assert shim.image.resize.__tf2_function__ is V1.image.resize
    assert shim.losses.huber_loss.__tf2_function__ is V1.losses.huber_loss


def test_a_tf2_only_name_still_falls_back_to_tf2(fresh_graph):
    name = next(n for n in sorted(dir(tf)) if not n.startswith("_") and n not in _v1_names("tf")
                and callable(getattr(tf, n)) and not inspect.isclass(getattr(tf, n)))
    fn = getattr(shim, name)
    assert fn.__tf2_function__ is getattr(tf, name)


def test_unknown_names_raise_the_not_provided_error():
    with pytest.raises(AttributeError, match="not provided by tftrain_compat"):
        shim.no_such_tf1_name
    with pytest.raises(AttributeError, match="not provided by tftrain_compat"):
        shim.metrics.no_such_metric
    with pytest.raises(AttributeError, match="help: use tf.data.Dataset"):
        shim.PriorityQueue.__name__ and shim.QueueBase
    with pytest.raises(AttributeError, match="help: use the script without this call"):
        shim.disable_eager_execution


@pytest.mark.parametrize("path", DEEP)
def test_dir_lists_the_tf1_names(path):
    assert set(namespace.names_under(path)) <= set(dir(_at(shim, path)))


def test_readme_counts_match_the_table():
    readme = (ROOT / "README.md").read_text()
    for path in DEEP:
        names = namespace.names_under(path)
        n_unsupported = sum(tf1_names.NAMES[f"{path}.{n}"] == "unsupported" for n in names)
        row = f"| `{path}` | {len(names)} | {len(names) - n_unsupported} | {n_unsupported} |"
        assert row in readme, row
