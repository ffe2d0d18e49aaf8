"""Test support shared by every module: the bitwise assertion and the oracle runners.

- ``assert_bitwise_equal(got, want)``: the one comparison of shim results with TF1's (nested
  dicts / lists / tuples / namedtuples of arrays and Python values; same keys, lengths, dtypes,
  shapes, bitwise-equal values, NaN equal to NaN). A failure lists every path that differs with
  the largest difference.
- ``run_python(args, ...)``: ``python ARGS`` in a fresh process; its stdout, or a failure that
  shows the exit status and both streams' tails.
- ``tf1_graph()``: the oracle's graph context: a fresh ``tf.Graph()`` in which
  ``tf.cond`` / ``tf.while_loop`` build TF 1.x's Switch/Merge/Enter/Exit nodes
  (``tf.compat.v1.disable_control_flow_v2()``, restored on exit), as TF 1.x built them; that
  decides every later random op's seed (TF1's op seed is the graph's op count at creation).
- ``TF1_SCRIPT_RUNNER`` / ``run_tf1_script``: a script run unchanged on the oracle (its
  ``import tensorflow`` gets ``tf.compat.v1``, inside ``tf.Graph().as_default()`` so eager stays
  on, with TF 1.x's control flow); with ``legacy_keras=True`` under ``TF_USE_LEGACY_KERAS=1`` (tf-keras' legacy layers and rnn
  cells, which compat.v1 needs once Keras 3 is in).
- ``LegacyOracle``: ONE long-lived tf.compat.v1 + tf-keras-legacy subprocess per test module
  serving program runs: ``oracle.run("module:function", case)`` imports ``function`` from a module
  under ``tests/`` and returns what ``function(tf.compat.v1, case)`` returned inside a fresh
  ``tf.Graph().as_default()`` (cases and results travel pickled). The program's exception comes
  back as ``OracleError`` with TF1's class name and text. ``TF_USE_LEGACY_KERAS=1`` must be set
  before TensorFlow is imported, which would break Keras 3 in the test process itself.
"""
from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent


# ----- the bitwise assertion --------------------------------------------------------------------
def _differences(got: Any, want: Any, path: str, out: list[str]) -> None:
    if isinstance(want, Mapping):
        if not isinstance(got, Mapping) or set(got) != set(want):
            keys = sorted(map(str, got)) if isinstance(got, Mapping) else type(got).__name__
            out.append(f"{path or '/'}: keys {keys} vs {sorted(map(str, want))}")
            return
        for key in want:
            _differences(got[key], want[key], f"{path}/{key}", out)
    elif isinstance(want, (list, tuple)):
        fields = getattr(type(want), "_fields", None)  # a namedtuple (SparseTensorValue...)
        if fields is not None and getattr(type(got), "_fields", None) != fields:
            out.append(f"{path or '/'}: {type(got).__name__} vs {type(want).__name__}")
            return
        if not isinstance(got, (list, tuple)) or len(got) != len(want):
            size = len(got) if isinstance(got, (list, tuple)) else type(got).__name__
            out.append(f"{path or '/'}: length {size} vs {len(want)}")
            return
        for i, (a, b) in enumerate(zip(got, want)):
            _differences(a, b, f"{path}[{i}]", out)
    elif isinstance(want, (np.ndarray, np.generic)) or isinstance(got, (np.ndarray, np.generic)):
        a, b = np.asarray(got), np.asarray(want)
        if a.dtype != b.dtype or a.shape != b.shape:
            out.append(f"{path or '/'}: {a.dtype}{a.shape} vs {b.dtype}{b.shape}")
        elif not np.array_equal(a, b, equal_nan=b.dtype.kind in "fc"):
            if b.dtype.kind in "fc":
                diff = float(np.nanmax(np.abs(a.astype(np.complex128) - b)))
                out.append(f"{path or '/'}: max |diff| {diff:.3g}")
            else:
                out.append(f"{path or '/'}: {a!r} vs {b!r}")
    elif isinstance(want, float) and isinstance(got, float) and np.isnan(want):
        if not np.isnan(got):
            out.append(f"{path or '/'}: {got!r} vs nan")
    elif got != want:
        out.append(f"{path or '/'}: {got!r} vs {want!r}")


def assert_bitwise_equal(got: Any, want: Any, what: str = "the shim") -> None:
    """``got`` equals the reference ``want`` bit for bit, in structure, dtype and shape."""
    bad: list[str] = []
    _differences(got, want, "", bad)
    assert not bad, f"{what} differs from TF1:\n  " + "\n  ".join(bad[:40])


# ----- processes --------------------------------------------------------------------------------
def free_ports(n: int) -> list[int]:
    """``n`` distinct free loopback ports (held open together while chosen, then released)."""
    import socket
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def python_env(**extra: str) -> dict[str, str]:
    """The environment of a test's child Python: quiet TF, no bytecode, CPU only."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONDONTWRITEBYTECODE="1",
               CUDA_VISIBLE_DEVICES="")
    env.update(extra)
    return env


def run_python(args: Sequence[str], cwd: Path | str | None = None, timeout: float = 600,
               env: Mapping[str, str] | None = None, **extra_env: str) -> str:
    """Runs ``python ARGS`` in a fresh process; returns its stdout (fails on exit != 0)."""
    full = dict(env) if env is not None else python_env()
    full.update(extra_env)
    proc = subprocess.run([sys.executable, *map(str, args)], cwd=cwd, env=full,
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, (
        f"exit status {proc.returncode}\n--- stdout ---\n{proc.stdout[-4000:]}\n"
        f"--- stderr ---\n{proc.stderr[-4000:]}")
    return proc.stdout


class ProcessGroup:
    """Named child processes of one test, each logging stdout+stderr to ``folder/NAME.log``;
    ``stop()`` (call it in a ``finally``) kills whatever still runs."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}

    def launch(self, name: str, cmd: Sequence[str], env: Mapping[str, str]) -> None:
        log = self.logs[name] = self.folder / f"{name}.log"
        with open(log, "wb") as out:
            self.procs[name] = subprocess.Popen(list(cmd), stdout=out, stderr=subprocess.STDOUT,
                                                env=dict(env), cwd=self.folder)

    def text(self, name: str) -> str:
        return self.logs[name].read_text(errors="replace")

    def wait_exit(self, name: str, timeout: float) -> int:
        """The exit status; a failure showing the log if it still runs after ``timeout`` s."""
        try:
            return self.procs[name].wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{name} still running after {timeout} s (a hang):\n"
                                 f"{self.text(name)[-3000:]}") from None

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
        for proc in self.procs.values():
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:  # pragma: no cover - a process that ignores KILL
                pass


def import_line_copy(script: Path, folder: Path) -> Path:
    """A copy of ``script`` in ``folder`` whose ``import tensorflow as tf`` became
    ``import tftrain_compat as tf`` (the one-line port)."""
    copy = folder / f"{script.stem}_direct.py"
    copy.write_text(script.read_text().replace("import tensorflow as tf",
                                               "import tftrain_compat as tf"))
    return copy


# A script run unchanged on the oracle: `import tensorflow as tf` gives tf.compat.v1.
TF1_SCRIPT_RUNNER = """
import runpy, sys
import tensorflow as tf
v1 = tf.compat.v1
v1.disable_control_flow_v2()
sys.modules["tensorflow"] = v1
path = sys.argv[1]
sys.argv = sys.argv[1:]
with v1.Graph().as_default():
    runpy.run_path(path, run_name="__main__")
"""


def run_tf1_script(script: Path | str, args: Sequence[str] = (), cwd: Path | str | None = None,
                   legacy_keras: bool = False, timeout: float = 600, **extra_env: str) -> str:
    """The script's stdout on the oracle (tf.compat.v1; tf-keras' legacy layers if asked)."""
    if legacy_keras:
        extra_env["TF_USE_LEGACY_KERAS"] = "1"
    return run_python(["-c", TF1_SCRIPT_RUNNER, str(script), *args], cwd=cwd, timeout=timeout,
                      **extra_env)


def run_shim_script(script: Path | str, args: Sequence[str] = (), cwd: Path | str | None = None,
                    timeout: float = 600, **extra_env: str) -> str:
    """The script's stdout unchanged through ``python -m tftrain_compat run``."""
    return run_python(["-m", "tftrain_compat", "run", str(script), *args], cwd=cwd,
                      timeout=timeout, **extra_env)


# ----- the long-lived legacy-Keras oracle ------------------------------------------------------
_SERVER = r"""
import importlib, json, pickle, sys, traceback
import tensorflow as tf
import tf_keras  # noqa: F401  (legacy layers back tf.compat.v1's layers and rnn cells)
tf.compat.v1.disable_control_flow_v2()  # TF 1.x's cond/while nodes, as TF 1.x built them
print("ready", flush=True)
for line in sys.stdin:
    req = json.loads(line)
    module, fn = req["program"].split(":")
    with open(req["case"], "rb") as f:
        case = pickle.load(f)
    try:
        func = getattr(importlib.import_module(module), fn)
        with tf.Graph().as_default():
            result = func(tf.compat.v1, case)
        reply = {"ok": True}
    except Exception as e:  # the program's own error goes back to the test
        result = None
        reply = {"ok": False, "type": type(e).__name__, "message": str(e),
                 "traceback": traceback.format_exc()}
    with open(req["out"], "wb") as f:
        pickle.dump(result, f)
    print(json.dumps(reply), flush=True)
"""


class OracleError(Exception):
    """TF1 raised while running the program; ``type_name`` is TF1's exception class name."""

    def __init__(self, type_name: str, message: str, tb: str) -> None:
        super().__init__(f"{type_name}: {message}\n{tb}")
        self.type_name = type_name
        self.message = message


class LegacyOracle:
    """One tf.compat.v1 + tf-keras-legacy subprocess serving program runs (see the module doc)."""

    def __init__(self, timeout: float = 900) -> None:
        env = python_env(TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3",
                         PYTHONWARNINGS="ignore",
                         PYTHONPATH=os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]))
        self._timeout = timeout
        self._dir = tempfile.TemporaryDirectory(prefix="legacy_oracle_")
        self._n = 0
        self._proc = subprocess.Popen([sys.executable, "-c", _SERVER], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                      text=True, env=env, cwd=str(TESTS))
        line = self._proc.stdout.readline()
        if line.strip() != "ready":
            self.close()
            raise RuntimeError(f"oracle subprocess failed to start: {line!r}")

    def run(self, program: str, case: Any) -> Any:
        """What ``program`` ("module:function") returns for ``case`` under tf.compat.v1."""
        import json
        self._n += 1
        src = os.path.join(self._dir.name, f"c{self._n}.pkl")
        out = os.path.join(self._dir.name, f"r{self._n}.pkl")
        with open(src, "wb") as f:
            pickle.dump(case, f)
        self._proc.stdin.write(json.dumps({"program": program, "case": src, "out": out}) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError("oracle subprocess died")
        reply = json.loads(line)
        with open(out, "rb") as f:
            result = pickle.load(f)
        os.remove(src)
        os.remove(out)
        if not reply["ok"]:
            raise OracleError(reply["type"], reply["message"], reply["traceback"])
        return result

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:  # pragma: no cover
                self._proc.kill()
                self._proc.wait()
        self._dir.cleanup()

    def __enter__(self) -> "LegacyOracle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


# ----- one program under both namespaces -------------------------------------------------------
@contextlib.contextmanager
def tf1_graph() -> Iterator[Any]:
    """A fresh ``tf.Graph()`` as default, built with TF 1.x's control flow (see the module doc);
    the process's control-flow setting is restored on exit."""
    import tensorflow as tf
    was_v2 = tf.compat.v1.control_flow_v2_enabled()
    tf.compat.v1.disable_control_flow_v2()
    try:
        with tf.Graph().as_default() as graph:
            yield graph
    finally:
        if was_v2:
            tf.compat.v1.enable_control_flow_v2()


def _graph_of(t: Any) -> Any:
    """A fresh default-graph context of namespace ``t`` (the shim's, or TF1's ``tf1_graph``)."""
    import tftrain_compat as shim
    return shim.Graph().as_default() if t is shim else tf1_graph()


def both(fn: Callable[[Any], Any]) -> tuple[Any, Any]:
    """``fn(t)`` in a fresh default graph of ``tftrain_compat`` and of ``tf.compat.v1`` (a
    ``tf.Graph()`` context, so eager stays on in the test process): (the shim's, TF1's)."""
    import tensorflow as tf

    import tftrain_compat as shim
    results = []
    for t in (tf.compat.v1, shim):  # TF1 first, as the tests were written
        with _graph_of(t):
            results.append(fn(t))
    return results[1], results[0]


def run_in_session(t: Any, fetches: Any, feeds: Any = None,
                   inits: Sequence[str] = ("global",)) -> Any:
    """``fetches`` run once in a new ``t.Session()`` after the named initializers."""
    with t.Session() as sess:
        ops = [getattr(t, f"{kind}_variables_initializer")() for kind in inits]
        if ops:
            sess.run(ops)
        return sess.run(fetches, feeds)


def raised(t: Any, fn: Callable[[Any], Any]) -> tuple[type, str]:
    """The class and text of what ``fn(t)`` raises in a fresh graph of namespace ``t``."""
    with _graph_of(t):
        try:
            fn(t)
        except Exception as err:  # noqa: BLE001 - the caller compares classes
            return type(err), str(err)
    raise AssertionError(f"{fn} raised nothing under {t.__name__}")
