"""The import hook serving ``tensorflow.examples.tutorials.mnist.input_data``: every name in its
table, every import form, one module object, and nothing TF ships (or anything else) shadowed."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import tensorflow

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mnist_helpers import REPO  # noqa: E402

from tftrain_compat._src import import_hook  # noqa: E402

LEAF = "tensorflow.examples.tutorials.mnist.input_data"


def served_modules() -> dict[str, object]:
    return {name: module for name, module in sys.modules.items()
            if name.startswith(("tensorflow.examples", "tensorflow.contrib"))}


@pytest.fixture
def fresh() -> Iterator[None]:
    """Forget every ``tensorflow.examples*`` module before and after the test (and tf's attribute)."""
    def forget() -> None:
        for name in served_modules():
            del sys.modules[name]
        vars(tensorflow).pop("examples", None)
        vars(tensorflow).pop("contrib", None)

    import_hook.install()
    path = list(tensorflow.__path__)
    forget()
    yield
    forget()
    tensorflow.__path__[:] = path


def target(name: str) -> object:
    return importlib.import_module(import_hook.SERVED[name])


def test_table_lists_exactly_the_tutorial_modules() -> None:
    assert import_hook.SERVED == {
        "tensorflow.examples": "tftrain_compat.examples",
        "tensorflow.examples.tutorials": "tftrain_compat.examples.tutorials",
        "tensorflow.examples.tutorials.mnist": "tftrain_compat.examples.tutorials.mnist",
        LEAF: "tftrain_compat.examples.tutorials.mnist.input_data",
        "tensorflow.examples.tutorials.mnist.mnist": "tftrain_compat.examples.tutorials.mnist.mnist",
        "tensorflow.contrib": "tftrain_compat.contrib",
        "tensorflow.contrib.rnn": "tftrain_compat.contrib.rnn",
        "tensorflow.contrib.layers": "tftrain_compat.contrib.layers",
        "tensorflow.contrib.framework": "tftrain_compat.contrib.framework",
    }


@pytest.mark.parametrize("name", sorted(import_hook.SERVED))
def test_each_served_name(fresh: None, name: str) -> None:
    module = importlib.import_module(name)
    assert sys.modules[name] is module
    if name not in import_hook._PACKAGES:  # a leaf module: the very tftrain_compat module
        assert module is target(name) and module.__spec__.name == import_hook.SERVED[name]
    else:
        # A package alias: its own name, an empty __path__ (so PathFinder cannot load a second copy
        # of a submodule), and the attributes of the package it stands for.
        assert module.__name__ == name and module.__path__ == [] and module.__doc__ == target(name).__doc__
        assert module.__spec__.loader is import_hook.install()


FORMS = {
    "from-import": "from tensorflow.examples.tutorials.mnist import input_data as result",
    "import-as": "import tensorflow.examples.tutorials.mnist.input_data as result",
    "dotted": "import tensorflow.examples.tutorials.mnist.input_data\n"
              "result = tensorflow.examples.tutorials.mnist.input_data",
    "package-attribute": "from tensorflow.examples.tutorials import mnist\nresult = mnist.input_data",
    "import_module": "import importlib\nresult = importlib.import_module(%r)" % LEAF,
    "__import__": "result = __import__(%r, fromlist=['read_data_sets'])" % LEAF,
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_import_form_gives_the_one_module(fresh: None, form: str) -> None:
    namespace: dict[str, object] = {}
    exec(FORMS[form], namespace)
    real = target(LEAF)
    assert namespace["result"] is real and sys.modules[LEAF] is real
    copies = {id(m) for m in list(sys.modules.values()) if getattr(m, "__file__", None) == real.__file__}
    assert copies == {id(real)}
    assert real.read_data_sets.__module__ == "tftrain_compat._src.mnist"


@pytest.mark.parametrize("name", ["tensorflow.examples.nonexistent", "tensorflow.examples.tutorials.mnist.fully_connected_feed",
                                  "tensorflow.examples.tutorials.cifar10", "tensorflow.nonexistent",
                                  "tensorflow.contrib.learn", "tensorflow.contrib.slim"])
def test_names_outside_the_table_stay_missing(fresh: None, name: str) -> None:
    assert import_hook.install().find_spec(name, None) is None
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(name)


def write_tree(root: Path, files: list[str]) -> None:
    for rel in files:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("REAL = %r\n" % rel)


def test_a_real_tensorflow_examples_wins(fresh: None, tmp_path: Path) -> None:
    write_tree(tmp_path, ["tensorflow/examples/__init__.py", "tensorflow/examples/tutorials/__init__.py",
                          "tensorflow/examples/tutorials/mnist/__init__.py",
                          "tensorflow/examples/tutorials/mnist/input_data.py"])
    tensorflow.__path__.append(str(tmp_path / "tensorflow"))
    from tensorflow.examples.tutorials.mnist import input_data

    assert input_data.REAL == "tensorflow/examples/tutorials/mnist/input_data.py"
    assert sys.modules["tensorflow.examples"].REAL == "tensorflow/examples/__init__.py"


def test_only_missing_levels_are_served(fresh: None, tmp_path: Path) -> None:
    write_tree(tmp_path, ["tensorflow/examples/__init__.py", "tensorflow/examples/saved_model/__init__.py"])
    tensorflow.__path__.append(str(tmp_path / "tensorflow"))
    from tensorflow.examples.tutorials.mnist import input_data

    assert sys.modules["tensorflow.examples"].REAL == "tensorflow/examples/__init__.py"  # the real one
    assert sys.modules["tensorflow.examples.tutorials"].__path__ == []  # served below it
    assert input_data is target(LEAF)
    assert importlib.import_module("tensorflow.examples.saved_model").REAL


SCRIPT = textwrap.dedent("""
    import importlib, sys
    # an installed package has put its start-up hook in every interpreter: start without it
    sys.meta_path[:] = [f for f in sys.meta_path
                        if not getattr(f, "_tftrain_compat_startup_hook", False)]
    import tensorflow
    try:
        import tensorflow.examples.tutorials.mnist.input_data
    except ModuleNotFoundError:
        print("MISSING BEFORE")
    sys.modules.pop("tensorflow.examples", None)
    from tftrain_compat._src import import_hook
    import_hook.uninstall()  # start from no hook, whatever importing the package did
    before = list(sys.meta_path)
    finder = import_hook.install()
    assert import_hook.install() is finder
    assert sys.meta_path == before + [finder], sys.meta_path
    from tensorflow.examples.tutorials.mnist import input_data
    import tftrain_compat.examples.tutorials.mnist.input_data as real
    assert input_data is real is sys.modules["tensorflow.examples.tutorials.mnist.input_data"]
    data = input_data.read_data_sets(sys.argv[1], one_hot=True)
    print("SHAPES", data.train.images.shape, data.train.labels.shape, data.test.images.shape)
    from tensorflow.contrib import rnn
    import tftrain_compat.contrib.rnn as real_rnn
    assert rnn is real_rnn and rnn.BasicLSTMCell is real_rnn.BasicLSTMCell
    for name in ("tensorflow.examples.foo", "tensorflow.foo", "tftrain_compat.nonexistent"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            print("MISSING", name)
""")


def test_fresh_process_legacy_import(tmp_path: Path) -> None:
    from mnist_helpers import shared_mnist

    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
               TF_CPP_MIN_LOG_LEVEL="3", TFTRAIN_COMPAT_MNIST_OFFLINE="1")
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(shared_mnist())], env=env, cwd=str(tmp_path),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line for line in result.stdout.splitlines() if not line.startswith("Extracting")]
    assert lines == ["MISSING BEFORE", "SHAPES (3000, 784) (3000, 10) (2000, 784)",
                     "MISSING tensorflow.examples.foo", "MISSING tensorflow.foo", "MISSING tftrain_compat.nonexistent"]
