"""Import-line mode whatever the import order: the ``.pth`` start-up hook installed with the package.

Fresh processes. The hook's effect is first checked by processing the repository's
``tftrain_compat_hook.pth`` exactly as ``site`` does for site-packages (``site.addsitedir``),
against the same process without it; then the package is really installed into a temporary
virtual environment, editable and normal, and a tutorial script whose first line imports
``tensorflow.examples.tutorials.mnist`` runs there with no network (``unshare -n`` where
available) and no ../shared.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

PROBE = textwrap.dedent('''
    import json, sys, importlib
    out = {"tf_at_startup": "tensorflow" in sys.modules,
           "finders": [type(f).__name__ for f in sys.meta_path]}
    import tensorflow
    import tensorflow.python.framework.ops as ops
    out["files"] = [tensorflow.__file__, ops.__file__, tensorflow.keras.__name__]
    out["tftrain_compat_imported"] = "tftrain_compat" in sys.modules  # nothing above loads it
    # contrib first: a tensorflow.examples name (even a missing one) loads the shim, which serves contrib
    for name in ("tensorflow.contrib", "tensorflow.contrib.rnn",
                 "tensorflow.examples.nonexistent", "tensorflow.examples.tutorials.cifar10", "tensorflow.nonexistent"):
        try:
            importlib.import_module(name)
            out[name] = "imported"
        except ModuleNotFoundError:
            out[name] = "ModuleNotFoundError"
    try:
        from tensorflow.examples.tutorials.mnist import input_data
        out["input_data"] = input_data.read_data_sets.__module__
    except ModuleNotFoundError as err:
        out["input_data"] = str(err)
    print("PROBE" + json.dumps(out))
''')


def _probe(with_hook: bool, tmp_path: Path) -> dict:
    site_dir = tmp_path / "site"
    site_dir.mkdir(exist_ok=True)
    shutil.copy(REPO / "tftrain_compat_hook.pth", site_dir)
    # An installed package has put the hook in every interpreter already: start without it.
    start = ("import sys; sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, "
             "'_tftrain_compat_startup_hook', False)]\n")
    if with_hook:
        start += f"import site; site.addsitedir({str(site_dir)!r})\n"
    env = dict(os.environ, PYTHONPATH=str(REPO), TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run([sys.executable, "-c", start + PROBE], capture_output=True, text=True,
                            env=env, cwd=str(tmp_path), timeout=300)
    assert result.returncode == 0, result.stderr
    line = [l for l in result.stdout.splitlines() if l.startswith("PROBE")][0]
    return json.loads(line[len("PROBE"):])


def test_hook_serves_the_tutorials_and_changes_nothing_else(tmp_path: Path) -> None:
    without, hooked = _probe(False, tmp_path), _probe(True, tmp_path)
    assert without["input_data"] == "No module named 'tensorflow.examples'"  # the problem
    assert hooked["input_data"] == "tftrain_compat._src.mnist"                 # solved
    assert hooked["tf_at_startup"] is False                 # the hook imports no TensorFlow
    assert hooked["finders"] == without["finders"] + ["StartupFinder"]  # appended, last
    for key in ("files", "tensorflow.examples.nonexistent", "tensorflow.examples.tutorials.cifar10",
                "tensorflow.nonexistent", "tensorflow.contrib", "tensorflow.contrib.rnn"):
        assert hooked[key] == without[key], key
    # tensorflow.contrib is served only once the shim is imported: TF2 code probing for it
    # in a process that never imports tftrain_compat still finds no TF1.
    assert hooked["tensorflow.contrib"] == hooked["tensorflow.contrib.rnn"] == "ModuleNotFoundError"
    assert hooked["tftrain_compat_imported"] is False       # loaded only for a served name


ORDER_SCRIPT = '''
from tensorflow.examples.tutorials.mnist import input_data   # first, before the shim
import tftrain_compat as tf
import os, sys
mnist = input_data.read_data_sets("MNIST_data", one_hot=True)
x = tf.placeholder(tf.float32, [None, 784])
w = tf.Variable(tf.zeros([784, 10]))
acc = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(tf.matmul(x, w), 1), 1), tf.float32))
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(mnist.train.num_examples, mnist.test.num_examples, tf.__file__.startswith(sys.prefix))
'''


def _no_network() -> list[str]:
    """A command prefix that runs without network access, where the machine allows it."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode == 0:
        return [unshare, "-rn"]
    return []


_SKIPPED = shutil.ignore_patterns(".git", "build", "*.egg-info", "__pycache__", ".pytest_cache",
                                  ".hypothesis", ".mypy_cache", "MNIST_data")


def _not_sources(folder: str, names: list[str]) -> set[str]:
    """What the build copy leaves out: build outputs, caches, and virtual environments (CI's
    ``.venv``, the version matrix's ``.matrix/tf-*``: gigabytes each)."""
    return set(_SKIPPED(folder, names)) | {
        n for n in names if n == ".matrix" or os.path.isfile(os.path.join(folder, n, "pyvenv.cfg"))}


def test_installed_editable_and_normal(tmp_path: Path) -> None:
    """A real install in a fresh virtual environment (TensorFlow and the build tools reached
    through a .pth to this interpreter's site-packages, since there is no network)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    (purelib / "zz_outer_site_packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = tmp_path / "work"   # no ../shared here, and nothing but the script
    work.mkdir()
    (work / "tutorial.py").write_text(ORDER_SCRIPT, encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME") and not k.startswith("TFTRAIN_COMPAT_MNIST_")}
    env.update(TF_CPP_MIN_LOG_LEVEL="3", TFTRAIN_COMPAT_MNIST_SOURCE="sample",
               TFTRAIN_COMPAT_MNIST_OFFLINE="1", PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    build_copy = tmp_path / "clone"  # build from a copy: the build leaves build/ and egg-info
    shutil.copytree(REPO, build_copy, ignore=_not_sources)
    for mode in (["-e"], []):
        install = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps",
                                  "--no-build-isolation", *mode, str(build_copy)],
                                 capture_output=True, text=True, env=env, timeout=600)
        assert install.returncode == 0, install.stderr[-3000:]
        assert (purelib / "tftrain_compat_hook.pth").is_file(), mode
        shutil.rmtree(work / "MNIST_data", ignore_errors=True)
        result = subprocess.run([*_no_network(), str(python), "tutorial.py"], capture_output=True,
                                text=True, env=env, cwd=str(work), timeout=300)
        assert result.returncode == 0, (mode, result.stderr[-3000:])
        assert result.stdout.splitlines()[-1] == ("1000 1000 " + str(not mode)), mode
        subprocess.run([str(python), "-m", "pip", "uninstall", "-q", "-y", "tftrain_compat"],
                       capture_output=True, env=env, timeout=300, check=True)
        assert not (purelib / "tftrain_compat_hook.pth").exists()  # uninstall removes the hook
