"""The command line: ``python -m tftrain_compat run|check``.

``run`` is exercised in fresh processes (it swaps ``__main__`` and ``sys.argv``); the import
rewriting and ``check``'s classification are also tested in-process through their functions.
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import shared_path
from tftrain_compat import cli

REPO = Path(__file__).resolve().parents[1]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, "-m", "tftrain_compat", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def _write(tmp_path: Path, name: str, source: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    return path


def _report(stdout: str) -> dict[str, str]:
    """``check``'s listing as {name: status}."""
    rows = {}
    for line in stdout.splitlines():
        for status in (cli.SUPPORTED, cli.WRAPPED, cli.UNSUPPORTED, cli.REAL_TF):
            prefix = "  " + status + " "
            if line.startswith(prefix):
                rows[line[len(prefix):].split()[0]] = status
    return rows


# ----- import rewriting ------------------------------------------------------------------------
def _rewritten(source: str) -> str:
    tree = ast.parse(textwrap.dedent(source))
    return ast.unparse(cli._ImportRewriter().visit(tree))


@pytest.mark.parametrize("source, expected", [
    ("import tensorflow as tf", "import tftrain_compat as tf"),
    ("import tensorflow", "import tftrain_compat as tensorflow"),
    ("from tensorflow import nn", "from tftrain_compat import nn"),
    ("from tensorflow.examples.tutorials.mnist import input_data",
     "from tftrain_compat.examples.tutorials.mnist import input_data"),
    ("import tensorflow.contrib.layers as layers", "import tftrain_compat.contrib.layers as layers"),
    ("import tensorflow.contrib.layers",
     "__import__('tftrain_compat.contrib.layers')\nimport tftrain_compat as tensorflow"),
    ("import os, tensorflow as tf, sys", "import os\nimport tftrain_compat as tf\nimport sys"),
    # No tftrain_compat counterpart: left to TensorFlow 2 itself.
    ("import tensorflow.compat.v1 as tf", "import tensorflow.compat.v1 as tf"),
    ("from tensorflow.python.framework import ops", "from tftrain_compat.python.framework import ops"),
    ("from tensorflow.python.client import device_lib", "from tensorflow.python.client import device_lib"),
    ("from tensorflow.keras import layers", "from tensorflow.keras import layers"),
    # Not TensorFlow at all.
    ("import tensorflow_datasets as tfds", "import tensorflow_datasets as tfds"),
    ("from . import tensorflow", "from . import tensorflow"),
])
def test_rewrites_only_tensorflow_imports_with_a_counterpart(source: str, expected: str) -> None:
    assert _rewritten(source) == expected


def test_rewrite_keeps_every_line_number() -> None:
    source = "import numpy as np\nimport tensorflow as tf, os\n\n\nx = tf.constant(1)\n"
    code, rewritten = cli.rewrite_source(source, "script.py")
    assert rewritten == [2]
    assert code.co_filename == "script.py"
    lines = sorted({line for _, _, line in code.co_lines() if line})
    assert lines == [1, 2, 5]


def test_rewrite_does_not_inherit_the_cli_future_flags() -> None:
    # cli.py has `from __future__ import annotations`; a script without it must not get it.
    code, _ = cli.rewrite_source("def f(x: int): pass\nANN = f.__annotations__\n", "s.py")
    namespace: dict = {}
    exec(code, namespace)
    assert namespace["ANN"] == {"x": int}


# ----- run -------------------------------------------------------------------------------------
def test_run_executes_a_tf1_script_unchanged(tmp_path: Path) -> None:
    script = _write(tmp_path, "tiny.py", """
        import os
        import sys
        import tensorflow as tf

        a = tf.placeholder(tf.float32, [None])
        b = tf.Variable(3.0)
        c = a * b
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print("value", sess.run(c, feed_dict={a: [1.0, 2.5]}).tolist())
        print("argv", sys.argv)
        print("path0", sys.path[0] == os.path.dirname(os.path.abspath(__file__)))
        print("name", __name__, "module", type(tf).__name__, tf.__name__)
        print("real tensorflow", sys.modules["tensorflow"].__name__,
              hasattr(sys.modules["tensorflow"], "placeholder"))
        """)
    original = script.read_bytes()
    proc = _cli("run", "tiny.py", "--flag", "7", "-v", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert "value [3.0, 7.5]" in out
    assert "argv ['tiny.py', '--flag', '7', '-v']" in out  # options after SCRIPT are the script's
    assert "path0 True" in out
    assert "name __main__ module module tftrain_compat" in out
    # The real TensorFlow stays in sys.modules (TF2 has no tf.placeholder).
    assert "real tensorflow tensorflow False" in out
    assert script.read_bytes() == original


def test_run_serves_the_tutorial_reader_and_submodule_imports(tmp_path: Path) -> None:
    _write(tmp_path, "imports.py", """
        import tensorflow
        import tensorflow.contrib.layers as layers
        from tensorflow import nn
        from tensorflow.examples.tutorials.mnist import input_data
        import tensorflow.compat.v1 as v1

        print(tensorflow.__name__, layers.__name__, nn.__name__, input_data.__name__)
        print(v1.__name__)
        """)
    proc = _cli("run", "imports.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "tftrain_compat tftrain_compat.contrib.layers tftrain_compat.nn "
        "tftrain_compat.examples.tutorials.mnist.input_data",
        "tensorflow.compat.v1",  # no counterpart: TensorFlow's own
    ]


def test_run_traceback_points_at_the_users_lines(tmp_path: Path) -> None:
    _write(tmp_path, "fails.py", """
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 2], name="x")


        def train():
            with tf.Session() as sess:
                sess.run(x * 2.0)  # x is not fed


        train()
        """)
    proc = _cli("run", "fails.py", cwd=tmp_path)
    assert proc.returncode == 1
    err = proc.stderr
    path = str(tmp_path / "fails.py")
    assert f'File "{path}", line 11, in <module>' in err
    assert f'File "{path}", line 8, in train' in err
    assert "sess.run(x * 2.0)  # x is not fed" in err  # the user's own source line
    assert "You must feed a value for placeholder tensor 'x'" in err
    assert "tftrain_compat/cli.py" not in err  # no frames of the command line above the script


def test_run_passes_the_scripts_exit_status(tmp_path: Path) -> None:
    _write(tmp_path, "exits.py", "import sys\nimport tensorflow as tf\nsys.exit(3)\n")
    assert _cli("run", "exits.py", cwd=tmp_path).returncode == 3


def test_run_syntax_error_names_the_script_line(tmp_path: Path) -> None:
    _write(tmp_path, "broken.py", "import tensorflow as tf\nx = tf.constant(1\n")
    proc = _cli("run", "broken.py", cwd=tmp_path)
    assert proc.returncode == 1
    assert f'File "{tmp_path / "broken.py"}", line 2' in proc.stderr
    assert "SyntaxError" in proc.stderr


def test_run_missing_script_is_an_error(tmp_path: Path) -> None:
    proc = _cli("run", "nope.py", cwd=tmp_path)
    assert proc.returncode == 2
    assert "nope.py" in proc.stderr


def test_main_returns_status_in_process(tmp_path: Path, capsys, monkeypatch) -> None:
    """``main()`` (the console script's entry point) runs a script in this process too."""
    script = _write(tmp_path, "inproc.py", """
        import tensorflow as tf
        print("sum", tf.Session().run(tf.reduce_sum(tf.constant([1, 2, 3]))))
        """)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    monkeypatch.setattr(sys, "path", list(sys.path))
    main_before = sys.modules["__main__"]
    assert cli.main(["run", str(script)]) == 0
    assert "sum 6" in capsys.readouterr().out
    assert sys.modules["__main__"] is main_before  # restored after the script


# ----- check -----------------------------------------------------------------------------------
@pytest.mark.parametrize("script", ["mnist_softmax_gd.py", "mnist_cnn_momentum.py"])
def test_check_legacy_scripts_all_supported(tmp_path: Path, script: str) -> None:
    path = shared_path("legacy_scripts", script)
    proc = _cli("check", str(path), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = _report(proc.stdout)
    assert rows["tf.placeholder"] == cli.SUPPORTED
    assert rows["tf.train." + ("GradientDescentOptimizer" if "softmax" in script
                               else "MomentumOptimizer")] == cli.SUPPORTED
    assert rows["tf.examples.tutorials.mnist.input_data"] == cli.SUPPORTED
    assert rows["tf.examples.tutorials.mnist.input_data.read_data_sets"] == cli.SUPPORTED
    assert rows["tf.matmul"] == cli.WRAPPED  # reached through the namespace's TF2 fallback
    assert cli.UNSUPPORTED not in rows.values()
    used = {n for n in rows}
    assert {"tf.Session", "tf.log", "tf.reduce_sum", "tf.argmax", "tf.equal"} <= used
    assert "0 unsupported" in proc.stdout


def test_check_flags_unsupported_names_and_exits_1(tmp_path: Path) -> None:
    _write(tmp_path, "old.py", """
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 3])
        h = tf.layers.separable_conv1d(x, 4, 2)
        sv = tf.train.Supervisor()
        """)
    proc = _cli("check", "old.py", cwd=tmp_path)
    assert proc.returncode == 1
    rows = _report(proc.stdout)
    assert rows == {"tf.float32": cli.SUPPORTED, "tf.placeholder": cli.SUPPORTED,
                    "tf.layers.separable_conv1d": cli.UNSUPPORTED,
                    "tf.train.Supervisor": cli.UNSUPPORTED}
    sv_line = next(line for line in proc.stdout.splitlines() if "tf.train.Supervisor" in line)
    assert "line 4" in sv_line and "a plain training loop" in sv_line
    sep_line = next(line for line in proc.stdout.splitlines()
                    if "tf.layers.separable_conv1d" in line)
    assert "line 3" in sep_line and "tf.keras.layers.SeparableConv1D" in sep_line


def test_check_classifies_import_forms_in_process() -> None:
    source = textwrap.dedent("""
        import tensorflow
        import tensorflow.contrib.layers as cl
        from tensorflow import nn as tnn, train
        from tensorflow.contrib.learn.python.learn.datasets import mnist
        import tensorflow.compat.v1 as v1
        tensorflow.reduce_mean(1)
        cl.l2_regularizer(0.1)
        tnn.relu(1); tnn.sigmoid(1)
        train.AdamOptimizer
        tensorflow.math.log; tensorflow.math.cumsum
        tensorflow.keras.layers.Dense
        tensorflow.no_such_function_anywhere
        v1.placeholder  # TF2's own compat.v1: not the shim's name, not listed
        from tensorflow import *  # names used unqualified later cannot be traced
        """)
    uses = {u.name: u for u in cli.check_source(source)}
    status = {name: u.status for name, u in uses.items()}
    assert status == {
        "tf.contrib.layers": cli.SUPPORTED,
        "tf.nn": cli.SUPPORTED,
        "tf.train": cli.SUPPORTED,
        "tf.contrib.learn.python.learn.datasets.mnist": cli.UNSUPPORTED,
        "tf.compat.v1": cli.REAL_TF,
        "tf.reduce_mean": cli.SUPPORTED,
        "tf.contrib.layers.l2_regularizer": cli.SUPPORTED,
        "tf.nn.relu": cli.SUPPORTED,
        "tf.nn.sigmoid": cli.WRAPPED,
        "tf.train.AdamOptimizer": cli.SUPPORTED,
        "tf.math.log": cli.SUPPORTED,
        "tf.math.cumsum": cli.WRAPPED,
        "tf.keras.layers.Dense": cli.WRAPPED,
        "tf.no_such_function_anywhere": cli.UNSUPPORTED,
    }
    assert "tf.keras" in uses["tf.keras.layers.Dense"].detail  # passed through unwrapped
    assert "tf.keras (TF2)" in uses["tf.contrib.learn.python.learn.datasets.mnist"].detail
    assert uses["tf.nn.sigmoid"].line == 9


def test_check_status_does_not_depend_on_what_was_used_before() -> None:
    """The fallback caches what it wraps in the namespace; `check` must still call it wrapped."""
    import tftrain_compat as tf
    tf.tile  # noqa: B018  (now cached in tftrain_compat's globals)
    assert cli.resolve("tf.tile")[0] == cli.WRAPPED
    assert cli.resolve("tf.placeholder")[0] == cli.SUPPORTED


def test_every_unsupported_table_entry_is_reported_unsupported() -> None:
    from tftrain_compat._src.tables import UNSUPPORTED
    for name, replacement in UNSUPPORTED.items():
        status, detail = cli.resolve(name)
        assert (status, detail) == (cli.UNSUPPORTED, f"use {replacement}"), name


def test_console_script_entry_point_is_main() -> None:
    text = (REPO / "setup.cfg").read_text()
    assert "tftrain-compat = tftrain_compat.cli:main" in text
    assert callable(cli.main)
