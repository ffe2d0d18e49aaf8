"""TF1's script environment: tf.app.run, tf.flags, tf.logging, tf.gfile, version names, ConfigProto.

The reference is tf.compat.v1, which still ships TF1's own flags / app / logging / gfile
modules: flags and app.run are compared in fresh processes (one script, run once with
``import tftrain_compat as tf`` and once with ``import tensorflow.compat.v1 as tf``; absl's flag
registry is process-global), logging and gfile in-process, call by call.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf2

import tftrain_compat as tf

REPO = Path(__file__).resolve().parents[1]
V1 = tf2.compat.v1

FLAGS_SCRIPT = '''
import sys
import {module} as tf

flags = tf.app.flags
flags.DEFINE_integer("steps", 10, "training steps")
flags.DEFINE_float("lr", 0.5, "learning rate")
flags.DEFINE_boolean("fake", False, "fake data")
tf.flags.DEFINE_string(flag_name="data_dir", default_value="/tmp/d", docstring="old names")
flags.DEFINE_list("layers", ["8", "4"], "sizes")
flags.DEFINE_enum("opt", "sgd", ["sgd", "adam"], "optimizer")
FLAGS = flags.FLAGS
mode = sys.argv[1]
del sys.argv[1]

def show(where):
    print(where, FLAGS.steps, repr(FLAGS.lr), FLAGS.fake, FLAGS.data_dir, FLAGS.layers, FLAGS.opt)

def main(argv):
    show("main")
    print("argv", argv[1:])
    return int(argv[-1]) if argv[-1].isdigit() else None

if mode == "lazy":            # a flag read before anything parsed: TF1 parsed sys.argv then
    show("lazy")
elif mode == "run":
    tf.app.run()
elif mode == "nomain":
    del main
    try:
        tf.app.run()
    except AttributeError as err:
        print("AttributeError")
    tf.app.run(main=lambda argv: print("lambda", argv[1:]) or 0, argv=["prog", "--steps=2", "x"])
'''


def _run_script(tmp_path: Path, module: str, args: list[str]) -> subprocess.CompletedProcess:
    path = tmp_path / f"flags_{module.replace('.', '_')}.py"
    path.write_text(FLAGS_SCRIPT.format(module=module), encoding="utf-8")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, str(path), *args], capture_output=True, text=True,
                          env=env, timeout=300, cwd=str(tmp_path))


def _last_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    return lines[-1] if lines else ""


@pytest.mark.parametrize("args", [
    ["run", "--steps", "7", "--lr=0.25", "--fake", "--layers=3,2,1", "--opt", "adam", "a", "5"],
    ["run", "--steps=3", "--unknown_flag=1", "--nofake", "pos"],   # unknown flags reach main
    ["lazy", "--steps=4", "--opt=adam"],
    ["lazy", "--steps=4", "--bogus=1"],                            # the lazy parse is a full parse
    ["nomain"],
])
def test_flags_and_app_run_match_tf1(tmp_path: Path, args: list[str]) -> None:
    ours = _run_script(tmp_path, "tftrain_compat", args)
    ref = _run_script(tmp_path, "tensorflow.compat.v1", args)
    assert ours.stdout == ref.stdout, (ours.stderr[-2000:], ref.stderr[-2000:])
    assert ours.returncode == ref.returncode, (ours.stderr[-2000:], ref.stderr[-2000:])
    if ref.returncode not in (0, 5):
        # The same error (absl's text names the flag and what was expected).
        assert _last_error_line(ours.stderr) == _last_error_line(ref.stderr)
    assert ref.stdout or ref.returncode  # the reference did something observable


def test_app_run_exit_status_is_mains_return_value(tmp_path: Path) -> None:
    result = _run_script(tmp_path, "tftrain_compat", ["run", "--steps=1", "5"])
    assert result.returncode == 5
    assert "argv ['5']" in result.stdout


# ----- logging -----------------------------------------------------------------------------
class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append((record.name, record.levelno, record.getMessage()))


def _log_sequence(mod) -> list[tuple[str, int, str]]:
    logger = logging.getLogger("tensorflow")
    handler = _Records()
    logger.addHandler(handler)
    saved = logger.level
    try:
        mod.set_verbosity(mod.DEBUG)
        verbosity = mod.get_verbosity()
        mod.debug("debug %s", "a")
        mod.info("info %d", 1)
        mod.warn("warn")
        mod.warning("warning %r", (1, 2))
        mod.error("error")
        mod.fatal("fatal")
        mod.log(mod.INFO, "log %s", "x")
        mod.vlog(mod.WARN, "vlog %s", "y")
        for i in range(7):
            mod.log_every_n(mod.INFO, "every %d", 3, i)
            mod.log_first_n(mod.INFO, "first %d", 2, i)
        mod.log_if(mod.INFO, "if %s", False, "no")
        mod.log_if(mod.INFO, "if %s", True, "yes")
        mod.set_verbosity(mod.ERROR)
        mod.info("hidden")
        mod.error("shown")
        handler.seen.append(("verbosity", verbosity, str(mod.get_verbosity())))
    finally:
        logger.setLevel(saved)
        logger.removeHandler(handler)
    return handler.seen


def test_logging_matches_tf1() -> None:
    ours, ref = _log_sequence(tf.logging), _log_sequence(V1.logging)
    assert ours == ref
    # TF1 counted by the first frame outside the calling file (here pytest's), so the two
    # call sites share one counter: "first 1" is not logged, "every 3" is.
    assert ("tensorflow", logging.INFO, "every 3") in ours
    assert ("tensorflow", logging.INFO, "first 1") not in ours
    for name in ("DEBUG", "INFO", "WARN", "ERROR", "FATAL"):
        assert getattr(tf.logging, name) == getattr(V1.logging, name)


def test_logging_prints_tf1s_line_format(tmp_path: Path) -> None:
    code = ("import tftrain_compat as tf\ntf.logging.set_verbosity(tf.logging.INFO)\n"
            "tf.logging.info('step %d', 3)\n")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(REPO))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                            timeout=300, cwd=str(tmp_path))
    assert "INFO:tensorflow:step 3" in result.stderr.splitlines()


# ----- gfile -------------------------------------------------------------------------------
def _gfile_sequence(g, root: Path) -> list:
    out: list = []

    def attempt(fn, *args, **kwargs):
        try:
            out.append(fn(*args, **kwargs))
        except Exception as err:  # the error class is part of the behaviour
            out.append(type(err).__name__)

    base = str(root)
    attempt(g.MakeDirs, base + "/a/b")
    attempt(g.MkDir, base + "/a")
    attempt(g.MkDir, base + "/c")
    with g.GFile(base + "/a/f.txt", "w") as f:
        f.write("hello\nworld\n")
    with g.Open(base + "/a/f.txt") as f:
        out.append(f.readlines())
    with g.FastGFile(base + "/a/f.txt", "rb") as f:
        out.append(f.read())
    attempt(g.Exists, base + "/a/f.txt")
    attempt(g.Exists, base + "/nope")
    attempt(g.IsDirectory, base + "/a")
    attempt(lambda p: sorted(g.ListDirectory(p)), base + "/a")
    attempt(g.ListDirectory, base + "/nope")
    attempt(g.Copy, base + "/a/f.txt", base + "/c/g.txt")
    attempt(g.Copy, base + "/a/f.txt", base + "/c/g.txt")
    attempt(g.Copy, base + "/a/f.txt", base + "/c/g.txt", overwrite=True)
    attempt(g.Rename, base + "/c/g.txt", base + "/a/f.txt")
    attempt(g.Rename, base + "/c/g.txt", base + "/c/h.txt")
    attempt(lambda p: sorted(x[len(base):] for x in g.Glob(p)), base + "/*/*.txt")
    attempt(lambda p: (g.Stat(p).length, g.Stat(p).is_directory), base + "/c/h.txt")
    attempt(g.Stat, base + "/nope")
    attempt(lambda p: [(d[len(base):], sorted(s), sorted(fs)) for d, s, fs in g.Walk(p)], base)
    attempt(lambda p: [d[len(base):] for d, _, _ in g.Walk(p, in_order=False)], base)
    attempt(g.Remove, base + "/c/h.txt")
    attempt(g.Remove, base + "/c/h.txt")
    attempt(g.DeleteRecursively, base + "/a")
    attempt(g.Exists, base + "/a")
    return out


def test_gfile_matches_tf1(tmp_path: Path) -> None:
    (tmp_path / "ours").mkdir()
    (tmp_path / "ref").mkdir()
    ours = _gfile_sequence(tf.gfile, tmp_path / "ours")
    ref = _gfile_sequence(V1.gfile, tmp_path / "ref")
    assert ours == ref
    assert "NotFoundError" in ref and "AlreadyExistsError" in ref


# ----- versions, protos, Session(config=) --------------------------------------------------
def test_version_names_are_tensorflows() -> None:
    for name in ("VERSION", "GIT_VERSION", "COMPILER_VERSION", "GRAPH_DEF_VERSION",
                 "GRAPH_DEF_VERSION_MIN_CONSUMER", "GRAPH_DEF_VERSION_MIN_PRODUCER"):
        assert getattr(tf, name) == getattr(V1, name), name
    assert tf.__version__ == V1.__version__ == tf2.__version__
    from tftrain_compat._version import __version__
    assert tf.compat_version == __version__ != tf.__version__


def test_config_protos_are_tf1s_classes() -> None:
    for name in ("ConfigProto", "GPUOptions", "GraphOptions", "OptimizerOptions", "RunOptions",
                 "RunMetadata"):
        assert getattr(tf, name) is getattr(V1, name), name
    config = tf.ConfigProto(allow_soft_placement=True, log_device_placement=False,
                            gpu_options=tf.GPUOptions(allow_growth=True))
    assert V1.ConfigProto.FromString(config.SerializeToString()) == config


def test_session_config_type_error_is_tf1s(fresh_graph) -> None:
    with pytest.raises(TypeError) as ours:
        tf.Session(config={"allow_soft_placement": True})
    with tf2.Graph().as_default():
        with pytest.raises(TypeError) as ref:
            V1.Session(config={"allow_soft_placement": True})
    assert str(ours.value) == str(ref.value)


def test_soft_placement_on_a_machine_without_that_device(fresh_graph) -> None:
    """``tf.device('/gpu:0')`` + allow_soft_placement=True runs (on the CPU here), as in TF1."""
    with tf.device("/gpu:0"):
        x = tf.constant([[1.0, 2.0]])
        y = tf.matmul(x, x, transpose_b=True)
    config = tf.ConfigProto(allow_soft_placement=True, intra_op_parallelism_threads=1,
                            inter_op_parallelism_threads=1)
    options = tf.RunOptions(trace_level=tf.RunOptions.NO_TRACE)
    with tf.Session(config=config) as sess:
        got = sess.run(y, options=options, run_metadata=tf.RunMetadata())
    with tf2.Graph().as_default():
        with tf2.device("/gpu:0"):
            rx = V1.constant([[1.0, 2.0]])
            ry = V1.matmul(rx, rx, transpose_b=True)
        with V1.Session(config=V1.ConfigProto(allow_soft_placement=True)) as sess:
            want = sess.run(ry)
    assert np.array_equal(got, want)


def test_thread_counts_that_tf2_cannot_change_now_are_warned(fresh_graph, caplog) -> None:
    current = tf2.config.threading.get_intra_op_parallelism_threads()
    wanted = current + 3
    with caplog.at_level(logging.WARNING, logger="tftrain_compat"):
        tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=wanted)).close()
    # The runtime has started in this process (the tests ran ops), so TF2 refuses the change.
    assert tf2.config.threading.get_intra_op_parallelism_threads() == current
    assert f"intra_op_parallelism_threads={wanted}) is not applied" in caplog.text


def test_now_provided_names_are_not_listed_unsupported() -> None:
    from tftrain_compat._src import unsupported
    for name in ("tf.app", "tf.flags", "tf.logging", "tf.gfile", "tf.ConfigProto"):
        assert unsupported.unsupported_error(name) is None
