"""What the command line does for a newcomer and for a whole program under ``run``.

Fresh processes throughout. ``--help``/``--version`` are proven not to import TensorFlow by
putting a ``tensorflow`` package that refuses to import first on the path (no timing asserted).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("TF_CPP_MIN_LOG_LEVEL", "PYTHONDONTWRITEBYTECODE")}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def _cli(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tftrain_compat", *args], cwd=str(cwd), env=env,
                          capture_output=True, text=True, timeout=300)


def _write(path: Path, source: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def no_tensorflow(tmp_path: Path) -> dict[str, str]:
    """An environment where importing tensorflow fails loudly."""
    _write(tmp_path / "poison" / "tensorflow" / "__init__.py",
           "raise ImportError('TensorFlow was imported')\n")
    return _env(PYTHONPATH=os.pathsep.join([str(tmp_path / "poison"), str(REPO)]))


@pytest.mark.parametrize("args, status, stream, text", [
    (["--help"], 0, "stdout", "usage: python -m tftrain_compat"),
    (["run", "--help"], 0, "stdout", "usage: python -m tftrain_compat run"),
    (["--version"], 0, "stdout", "tftrain_compat "),
    (["bogus"], 2, "stderr", "invalid choice: 'bogus'"),
    ([], 2, "stderr", "the following arguments are required: command"),
])
def test_answers_without_importing_tensorflow(tmp_path: Path, no_tensorflow, args, status,
                                              stream, text) -> None:
    result = _cli(args, tmp_path, no_tensorflow)
    assert result.returncode == status, result.stderr
    assert text in getattr(result, stream)
    assert "TensorFlow was imported" not in result.stderr


def test_version_is_the_packages_own(tmp_path: Path, no_tensorflow) -> None:
    from importlib import metadata

    from tftrain_compat._version import __version__
    result = _cli(["--version"], tmp_path, no_tensorflow)
    assert result.stdout.strip() == (f"tftrain_compat {__version__} "
                                     f"(TensorFlow {metadata.version('tensorflow')} installed)")


def test_the_poisoned_path_really_blocks_tensorflow(tmp_path: Path, no_tensorflow) -> None:
    """The fixture can fail: a command that needs TF does import it and fails."""
    script = _write(tmp_path / "s.py", "import tensorflow as tf\n")
    result = _cli(["run", str(script)], tmp_path, no_tensorflow)
    assert result.returncode != 0 and "TensorFlow was imported" in result.stderr


QUIET_SCRIPT = """
import sys
import tensorflow as tf
x = tf.constant(2.0) * 3
with tf.Session() as sess:
    print(sess.run(x))
print("to stderr", file=sys.stderr)
"""


def test_run_hides_tensorflows_banner_unless_asked(tmp_path: Path) -> None:
    script = _write(tmp_path / "quiet.py", QUIET_SCRIPT)
    quiet = _cli(["run", str(script)], tmp_path, _env())
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == "6.0\n"
    assert quiet.stderr == "to stderr\n"  # nothing else: no C++ lines, no cuInit error
    loud = _cli(["run", str(script)], tmp_path, _env(TF_CPP_MIN_LOG_LEVEL="0"))
    assert loud.returncode == 0 and loud.stdout == "6.0\n"
    # the user's choice wins: TF's C++ lines come through (their format differs by release)
    assert re.search(r"^(?:[IW]\d{4} \d\d:|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IW] )",
                     loud.stderr, re.MULTILINE), loud.stderr


def test_helper_modules_beside_the_script_get_the_shim(tmp_path: Path) -> None:
    """``import mnist_inference`` next to the script builds in the shim's graph; other libraries
    keep TensorFlow 2, and nothing rewritten is cached as bytecode."""
    proj = tmp_path / "proj"
    _write(proj / "mnist_inference.py", """
        import tensorflow as tf
        def inference(x):
            w = tf.get_variable("w", [3, 2], initializer=tf.constant_initializer(0.5))
            return tf.matmul(x, w)
    """)
    _write(proj / "pkg" / "__init__.py", "")
    _write(proj / "pkg" / "layers.py", """
        from tensorflow import nn
        import tensorflow as tf
        def act(x):
            return nn.relu(x - tf.constant(1.0))
    """)
    _write(tmp_path / "lib" / "otherlib.py", """
        import tensorflow as tf
        NAME = tf.__name__
    """)
    script = _write(proj / "train.py", """
        import tensorflow as tf
        import mnist_inference
        from pkg import layers
        import otherlib
        x = tf.placeholder(tf.float32, [None, 3])
        y = layers.act(mnist_inference.inference(x))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(y, {x: [[1.0, 2.0, 3.0]]}).tolist())
        print(mnist_inference.tf.__name__, layers.tf.__name__, otherlib.NAME)
    """)
    env = _env(PYTHONPATH=os.pathsep.join([str(REPO), str(tmp_path / "lib")]))
    result = _cli(["run", str(script)], tmp_path, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[[2.0, 2.0]]", "tftrain_compat tftrain_compat tensorflow"]
    assert not list(proj.rglob("__pycache__"))  # the rewritten helpers left no .pyc behind
    assert list((tmp_path / "lib").rglob("*.pyc"))  # the other library was imported normally


def test_tensorflow_python_ops_under_run(tmp_path: Path) -> None:
    """``ops.reset_default_graph()`` from ``tensorflow.python.framework`` resets the shim's graph
    (TF1: a fresh graph, so names start again at ``v``); other tensorflow.python modules stay TF's."""
    script = _write(tmp_path / "cookbook.py", """
        import tensorflow as tf
        from tensorflow.python.framework import ops
        from tensorflow.python.framework import dtypes
        from tensorflow.python.platform import gfile
        import tensorflow.python.framework.ops as ops2
        names = []
        for _ in range(2):
            ops.reset_default_graph()
            names.append(tf.Variable(1.0, name="v").name)
        assert ops.get_default_graph() is tf.get_default_graph() is ops2.get_default_graph()
        print(names, dtypes.float32 is tf.float32, gfile.Exists(__file__), dtypes.__name__)
    """)
    result = _cli(["run", str(script)], tmp_path, _env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['v:0', 'v:0'] True True tensorflow.python.framework.dtypes"
