"""The command line: ``python -m tftrain_compat run|check SCRIPT`` (also ``tftrain-compat``).

``run SCRIPT [ARGS...]`` runs an unchanged TF1 script: its source is parsed with ``ast``, only the
import statements that name ``tensorflow`` are rewritten to the matching ``tftrain_compat``
module (where one exists; ``tensorflow.compat.v1`` stays as it is, and of ``tensorflow.python``
only the modules ``tftrain_compat.python`` writes are served, e.g. ``framework.ops``), and the
script's own modules beside it get the same rewrite (``_src/script_modules.py``); the tree is
compiled under the script's own filename, so line numbers and tracebacks are the user's. ``sys.modules['tensorflow']`` is never touched: TF's internals and every other
library keep the real TensorFlow.

``check SCRIPT...`` lists every ``tf.<dotted name>`` a script uses (attribute chains on its
TensorFlow aliases and names imported from TensorFlow modules) and says for each whether
tftrain_compat provides it, wraps it from TF2 through a namespace's fallback, or does not
provide it (with the TF2 replacement). It exits with status 1 when anything is unsupported.
"""
from __future__ import annotations

import argparse
import ast
import builtins
import dataclasses
import functools
import importlib
import importlib.util
import inspect
import os
import sys
import traceback
import types
from typing import Any, Iterable, Sequence

_TF = "tensorflow"
_COMPAT = "tftrain_compat"


# ----- which tftrain_compat module stands for a tensorflow module ------------------------------
@functools.lru_cache(maxsize=None)
def compat_module_for(tf_module: str) -> str | None:
    """``tensorflow[.X.Y]`` -> ``tftrain_compat[.X.Y]`` when that module exists, else None.

    Only real modules count: ``tensorflow.keras`` or ``tensorflow.compat.v1`` have no
    ``tftrain_compat`` counterpart and keep meaning TensorFlow 2's own module.
    """
    if tf_module != _TF and not tf_module.startswith(_TF + "."):
        return None
    name = _COMPAT + tf_module[len(_TF):]
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):  # a parent is not a package, or does not exist
        return None
    return name if spec is not None else None


# ----- run ---------------------------------------------------------------------------------
class _ImportRewriter(ast.NodeTransformer):
    """Rewrites ``import tensorflow...`` / ``from tensorflow... import`` to tftrain_compat."""

    def __init__(self) -> None:
        self.rewritten: list[int] = []  # line numbers of rewritten statements

    def visit_Import(self, node: ast.Import) -> Any:
        out: list[ast.stmt] = []
        pending: list[ast.alias] = []  # aliases left alone, kept together in order
        changed = False
        for alias in node.names:
            target = compat_module_for(alias.name)
            if target is None:
                pending.append(alias)
                continue
            changed = True
            if pending:
                out.append(ast.Import(names=pending))
                pending = []
            if alias.asname is not None:  # import tensorflow.contrib.layers as layers
                out.append(ast.Import(names=[ast.alias(name=target, asname=alias.asname)]))
            else:
                # `import tensorflow[.a.b]` binds the name `tensorflow` to the top package after
                # importing the submodule; do the same without binding `tftrain_compat`.
                if target != _COMPAT:
                    out.append(ast.Expr(ast.Call(func=ast.Name("__import__", ast.Load()),
                                                 args=[ast.Constant(target)], keywords=[])))
                out.append(ast.Import(names=[ast.alias(name=_COMPAT, asname=_TF)]))
        if not changed:
            return node
        if pending:
            out.append(ast.Import(names=pending))
        self.rewritten.append(node.lineno)
        return [ast.fix_missing_locations(ast.copy_location(stmt, node)) for stmt in out]

    def visit_ImportFrom(self, node: ast.ImportFrom) -> Any:
        if node.level or node.module is None:
            return node
        target = compat_module_for(node.module)
        if target is None:
            return node
        self.rewritten.append(node.lineno)
        new = ast.ImportFrom(module=target, names=node.names, level=0)
        return ast.fix_missing_locations(ast.copy_location(new, node))


def rewrite_source(source: str | bytes, filename: str) -> tuple[types.CodeType, list[int]]:
    """Parses ``source``, rewrites its TensorFlow imports and compiles it under ``filename``.

    Returns the code object and the line numbers of the rewritten import statements. Every
    other statement keeps its node and its line, so tracebacks point at the user's lines.
    """
    tree = ast.parse(source, filename=filename)
    rewriter = _ImportRewriter()
    tree = rewriter.visit(tree)
    # dont_inherit: this module's own `from __future__` flags must not leak into the script.
    code = compile(tree, filename, "exec", dont_inherit=True)
    return code, rewriter.rewritten


def run_script(script: str, args: Sequence[str] = ()) -> None:
    """Runs ``script`` as ``__main__`` with its TensorFlow imports served by tftrain_compat.

    ``sys.argv`` becomes ``[script, *args]`` and ``sys.path[0]`` the script's folder, as
    ``python SCRIPT`` would set them. Exceptions from the script propagate.
    """
    path = os.path.abspath(script)
    with open(path, "rb") as f:
        source = f.read()
    code, _ = rewrite_source(source, path)
    import tftrain_compat  # noqa: F401  (installs the tutorial import hook the script may use)
    from tftrain_compat._src import script_modules

    script_modules.install(os.path.dirname(path))  # the script's own helper modules get the shim

    main = types.ModuleType("__main__")
    main.__dict__.update(__file__=path, __builtins__=builtins, __cached__=None,
                         __loader__=None, __spec__=None, __package__=None)
    saved_main = sys.modules.get("__main__")
    sys.argv[:] = [script, *args]
    if sys.path:
        sys.path[0] = os.path.dirname(path)
    else:
        sys.path.insert(0, os.path.dirname(path))
    sys.modules["__main__"] = main  # so pickle and `import __main__` see the script
    try:
        exec(code, main.__dict__)
    finally:
        if saved_main is not None:
            sys.modules["__main__"] = saved_main


def _print_script_traceback(exc: BaseException, filename: str) -> None:
    """Prints ``exc``'s traceback from the script's first frame on (no CLI frames above it)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next
    traceback.print_exception(type(exc), exc, tb if tb is not None else exc.__traceback__)


# ----- check -------------------------------------------------------------------------------
SUPPORTED = "supported"
WRAPPED = "wrapped from TF2"
UNSUPPORTED = "unsupported"
REAL_TF = "TensorFlow 2 itself"  # an import `run` leaves alone (tensorflow.compat.v1, ...)


@dataclasses.dataclass
class NameUse:
    """One ``tf.<dotted name>`` a script uses, where it first appears, and its status."""

    name: str
    line: int
    status: str = ""
    detail: str = ""


def _tf_name(module: str) -> str:
    """``tensorflow.a.b`` -> ``tf.a.b``."""
    return "tf" + module[len(_TF):]


def _dotted(node: ast.AST) -> list[str] | None:
    """``a.b.c`` as ``['a', 'b', 'c']``; None when the chain does not start at a plain name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


class _NameCollector(ast.NodeVisitor):
    """Collects TensorFlow aliases from imports, then the dotted names used through them."""

    def __init__(self) -> None:
        self.aliases: dict[str, str] = {}   # local name -> "tf.x.y" it stands for
        self.real: set[str] = set()          # local names bound to modules `run` leaves alone
        self.uses: dict[str, NameUse] = {}

    def _use(self, name: str, line: int, status: str = "") -> None:
        if name not in self.uses:
            self.uses[name] = NameUse(name, line, status)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name != _TF and not alias.name.startswith(_TF + "."):
                continue
            served = compat_module_for(alias.name) is not None
            local = alias.asname or _TF
            stands_for = _tf_name(alias.name) if alias.asname else "tf"
            if alias.name != _TF:
                self._use(_tf_name(alias.name), node.lineno, "" if served else REAL_TF)
            if served:
                self.aliases[local] = stands_for
                self.real.discard(local)
            else:
                self.real.add(local)
                self.aliases.pop(local, None)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if node.level or (module != _TF and not module.startswith(_TF + ".")):
            return
        served = compat_module_for(module) is not None
        for alias in node.names:
            if alias.name == "*":  # names used unqualified afterwards are not traceable
                continue
            name = _tf_name(module) + "." + alias.name
            self._use(name, node.lineno, "" if served else REAL_TF)
            local = alias.asname or alias.name
            if served:
                self.aliases[local] = name
                self.real.discard(local)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        parts = _dotted(node)
        if parts is not None and parts[0] in self.aliases and parts[0] not in self.real:
            self._use(".".join([self.aliases[parts[0]], *parts[1:]]), node.lineno)
            return  # the inner chain is a prefix of this one
        self.generic_visit(node)


def _top_level_bindings(body: Iterable[ast.stmt]) -> Iterable[str]:
    """Names bound by module-level statements (descending into if/try/with, not into defs)."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield from ((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node.name
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                yield from (n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            for block in ("body", "orelse", "finalbody"):
                yield from _top_level_bindings(getattr(node, block, []))
            for handler in getattr(node, "handlers", []):
                yield from _top_level_bindings(handler.body)


@functools.lru_cache(maxsize=None)
def _explicit_names(module: types.ModuleType) -> frozenset[str]:
    """The names a tftrain_compat module binds in its own source (not through ``__getattr__``).

    Read from the source rather than ``vars(module)`` because the fallback caches what it wraps
    in the module's globals.
    """
    try:
        tree = ast.parse(inspect.getsource(module))
    except (OSError, TypeError):
        return frozenset(vars(module))
    return frozenset(_top_level_bindings(tree.body))


def _is_ours(obj: Any) -> bool:
    """A tftrain_compat module written here (not a WrappedModule standing for a TF2 module)."""
    from tftrain_compat._src.wrap import WrappedModule
    return (isinstance(obj, types.ModuleType) and not isinstance(obj, WrappedModule)
            and (obj.__name__ == _COMPAT or obj.__name__.startswith(_COMPAT + ".")))


def _through_fallback(obj: Any, part: str, child: Any) -> bool:
    """Whether ``obj.part`` (= ``child``) is served by a namespace's TF2 fallback rather than
    written here (a tftrain_compat submodule never is)."""
    from tftrain_compat._src.wrap import WrappedModule
    from tftrain_compat._src.namespace import Namespace, provided
    if _is_ours(child):
        return False
    if isinstance(obj, WrappedModule):
        return part not in obj._overrides
    if isinstance(obj, Namespace):  # tf.math, tf.metrics ...: hand-written names are the front's
        return part not in provided(obj._path)
    return (_is_ours(obj) and "__getattr__" in vars(obj)  # only a module-level __getattr__ falls back
            and part not in _explicit_names(obj))


def _child(obj: Any, part: str) -> Any:
    """``obj.part``, importing a tftrain_compat submodule first when ``part`` names one."""
    if _is_ours(obj) and hasattr(obj, "__path__"):
        full = obj.__name__ + "." + part
        try:
            found = importlib.util.find_spec(full) is not None
        except (ImportError, ValueError):
            found = False
        if found:
            return importlib.import_module(full)
    return getattr(obj, part)


def _replacement(name: str) -> str | None:
    """The TF2 replacement listed for ``name`` or for the module it lives in, if any."""
    from tftrain_compat._src.tables import UNSUPPORTED as table
    parts = name.split(".")
    for i in range(len(parts), 1, -1):
        prefix = ".".join(parts[:i])
        if prefix in table:
            return table[prefix]
    return None


def resolve(name: str) -> tuple[str, str]:
    """The status of ``tf.<dotted name>`` under tftrain_compat and a detail for the listing.

    A name listed in ``_src.tables.UNSUPPORTED`` (or under a listed module) is unsupported.
    Otherwise the attributes of ``tftrain_compat`` are walked one name at a time, catching
    AttributeError; a name is "wrapped from TF2" when some step of the walk went through a
    namespace's fallback to TensorFlow 2 instead of a name tftrain_compat defines.
    """
    replacement = _replacement(name)
    if replacement is not None:  # the table of unsupported names decides first
        return UNSUPPORTED, f"use {replacement}"
    obj: Any = importlib.import_module(_COMPAT)
    status, detail = SUPPORTED, ""
    path = "tf"
    for part in name.split(".")[1:]:
        path += "." + part
        try:
            child = _child(obj, part)
        except AttributeError:
            return UNSUPPORTED, (f"{path} is not provided by tftrain_compat and TensorFlow 2 "
                                 "has no such name to wrap")
        if status == SUPPORTED and _through_fallback(obj, part, child):
            status, detail = WRAPPED, f"TF2's {path}, recorded as a graph node when called"
            from tftrain_compat._src.tf1_names import NAMES
            if NAMES.get(path) == "op":
                detail = (f"TF's own TF1 builder tf.compat.v1{path[2:]}, recorded as a graph "
                          "node when called")
            if isinstance(child, types.ModuleType) and not hasattr(child, "_overrides"):
                detail = (f"TF2's own module {path}, passed through unwrapped: it does not "
                          "record graph nodes")
        obj = child
    return status, detail


def check_source(source: str | bytes, filename: str = "<script>") -> list[NameUse]:
    """Every TensorFlow name ``source`` uses, with its status, in order of first use."""
    collector = _NameCollector()
    collector.visit(ast.parse(source, filename=filename))
    uses = sorted(collector.uses.values(), key=lambda u: (u.line, u.name))
    for use in uses:
        if use.status == REAL_TF:
            replacement = _replacement(use.name)
            if replacement is not None:
                use.status, use.detail = UNSUPPORTED, f"use {replacement}"
            else:
                use.detail = "import left to TensorFlow 2 by `run` (not the shim's graph)"
            continue
        use.status, use.detail = resolve(use.name)
    return uses


def _print_report(script: str, uses: list[NameUse]) -> None:
    width = max([len(u.name) for u in uses] + [10])
    status_width = max(len(s) for s in (SUPPORTED, WRAPPED, UNSUPPORTED, REAL_TF))
    counts: dict[str, int] = {}
    print(f"{script}: {len(uses)} TensorFlow names")
    for use in uses:
        counts[use.status] = counts.get(use.status, 0) + 1
        line = f"  {use.status:<{status_width}}  {use.name:<{width}}  line {use.line}"
        if use.status != SUPPORTED and use.detail:
            line += f"  ({use.detail})"
        print(line)
    summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in (SUPPORTED, WRAPPED, UNSUPPORTED))
    if counts.get(REAL_TF):
        summary += f", {counts[REAL_TF]} left to {REAL_TF}"
    print(f"  -- {summary}")


# ----- entry point -------------------------------------------------------------------------
DEMO_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_data", "demo_mnist_softmax.py")


def run_demo(args: Sequence[str]) -> int:
    """``demo``: the packaged TF1 script through ``run``, in a temporary folder, on the sample."""
    import tempfile

    saved_cwd, saved_source = os.getcwd(), os.environ.get("TFTRAIN_COMPAT_MNIST_SOURCE")
    with tempfile.TemporaryDirectory(prefix="tftrain_compat_demo_") as folder:
        os.chdir(folder)  # MNIST_data/ is written there, not in the user's folder
        os.environ["TFTRAIN_COMPAT_MNIST_SOURCE"] = "sample"
        try:
            print(f"tftrain_compat demo: running {DEMO_SCRIPT} unchanged (as `run` would) on the "
                  "packaged 7,000-digit MNIST sample", flush=True)
            return _run_command(DEMO_SCRIPT, list(args))
        finally:
            os.chdir(saved_cwd)
            if saved_source is None:
                os.environ.pop("TFTRAIN_COMPAT_MNIST_SOURCE", None)
            else:
                os.environ["TFTRAIN_COMPAT_MNIST_SOURCE"] = saved_source


def version_text() -> str:
    """``tftrain_compat X (TensorFlow Y installed)``, read without importing TensorFlow."""
    from importlib import metadata

    from tftrain_compat._version import __version__
    try:
        tf_version = metadata.version("tensorflow")
    except metadata.PackageNotFoundError:
        tf_version = "not found"
    return f"tftrain_compat {__version__} (TensorFlow {tf_version} installed)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tftrain_compat",
        description="Run legacy TensorFlow 1.x scripts unchanged on TensorFlow 2. "
                    "TensorFlow's start-up lines are hidden unless TF_CPP_MIN_LOG_LEVEL is set "
                    "(e.g. TF_CPP_MIN_LOG_LEVEL=0 shows them all).")
    parser.add_argument("--version", action="version", version=version_text())
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run an unchanged TF1 script",
                         description="Run SCRIPT as `python SCRIPT ARGS...` would, with its "
                                     "tensorflow imports served by tftrain_compat.")
    run.add_argument("--replicas", type=_replica_count, metavar="N",
                     help="run each training Session.run data-parallel on N local devices "
                          "(GPUs if there are N, else N logical CPU devices)")
    run.add_argument("--multi-worker", action="store_true",
                     help="run each training Session.run data-parallel across the workers of "
                          "TF_CONFIG's cluster (MultiWorkerMirroredStrategy; start the same "
                          "command on every worker, each with its own TF_CONFIG task)")
    run.add_argument("script")
    run.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the script")
    demo = sub.add_parser("demo", help="run a TF1 tutorial script on the packaged MNIST sample "
                                       "(offline)",
                          description="Run the packaged TF1 softmax-regression script (" + DEMO_SCRIPT
                                      + ") unchanged through `run`, in a temporary folder, with "
                                        "$TFTRAIN_COMPAT_MNIST_SOURCE=sample: no network, no data "
                                        "files needed.")
    demo.add_argument("args", nargs=argparse.REMAINDER, help="flags for the script (--steps N)")
    check = sub.add_parser("check", help="list the TF1 names a script uses and their support",
                           description="List every tf.<name> the scripts use; exit status 1 "
                                       "when any is unsupported.")
    check.add_argument("scripts", nargs="+", metavar="SCRIPT")
    return parser


def _replica_count(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return int(text)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The parsed command line; exits (without importing TensorFlow) for --help, --version and usage errors."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["demo"] and argv[1:2] not in (["-h"], ["--help"]):
        # argparse's REMAINDER cannot start with an option (`demo --steps=50`): pass it as is.
        args = _parser().parse_args(["demo"])
        args.args = argv[1:]
        return args
    return _parser().parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """The ``tftrain-compat`` / ``python -m tftrain_compat`` entry point; returns the exit status."""
    args = parse_args(argv)
    if args.command == "demo":
        return run_demo(args.args)
    if args.command == "run":
        if not os.path.isfile(args.script):
            print(f"tftrain_compat run: can't open file {args.script!r}", file=sys.stderr)
            return 2
        return _run_command(args.script, args.args)
    return _check_command(args.scripts)


def _run_command(script: str, script_args: Sequence[str]) -> int:
    """``run``: the script's exit status (1 with the script's own traceback on an exception)."""
    path = os.path.abspath(script)
    try:
        run_script(script, script_args)
    except SyntaxError as err:
        if err.filename != path:  # raised while the script ran, not by parsing it
            _print_script_traceback(err, path)
        else:
            traceback.print_exception(type(err), err, None)
        return 1
    except Exception as exc:  # the script's own error: show the user's frames only
        _print_script_traceback(exc, path)
        return 1
    return 0


def _check_command(scripts: Sequence[str]) -> int:
    """``check``: 1 when any script uses an unsupported name, 2 when one cannot be read."""
    status = 0
    for script in scripts:
        try:
            with open(script, "rb") as f:
                uses = check_source(f.read(), script)
        except (OSError, SyntaxError) as err:
            print(f"tftrain_compat check: {script}: {err}", file=sys.stderr)
            status = max(status, 2)
            continue
        _print_report(script, uses)
        if any(u.status == UNSUPPORTED for u in uses):
            status = max(status, 1)
    return status
