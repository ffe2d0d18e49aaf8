"""The package's dependency rule (docs/architecture.md): each ``_src`` module imports only modules
of lower layers, read from the source with ``ast`` (module-level and function-level imports alike).

Layers, bottom to top:
  0 leaves     tf_private, unsupported, idx, shapes, tf1_names, frames (TensorFlow and the stdlib only)
  1 graph      graph                                    (the backing tf.Graph, names, collections)
  2 handles    tensor                                   (Tensor / Operation / SparseTensor, call_in_graph)
  3 build      wrap, variables, random_seed             (the one wrapper, Variable)
  4 ops        ops_*, initializers, variable_scope, regularizers, losses
  5 runtime    fetches, lowering, session               (the only code that runs a graph)
  6 families   training/*, mnist*, import_hook, and every other module added later
A module may import its own layer only where the pair is listed in SAME_LAYER (no cycles).
Upward needs (Tensor.eval needs a Session) go through hooks the upper layer installs
(``tensor.install_hook``, ``graph.install_converters``).
"""
from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "tftrain_compat" / "_src"
LAYERS = {
    "tf_private": 0, "unsupported": 0, "idx": 0, "shapes": 0, "tf1_names": 0, "config_protos": 0,
    "errors": 0, "tables": 0, "frames": 0,
    "graph": 1,
    "tensor": 2,
    "wrap": 3, "variables": 3, "random_seed": 3,
    "ops_array": 4, "ops_clip": 4, "ops_graph": 4, "ops_math": 4, "ops_nn": 4, "ops_random": 4,
    "initializers": 4, "variable_scope": 4, "regularizers": 4, "losses": 4,
    "fetches": 5, "lowering": 5, "session": 5, "cluster": 5, "session_resources": 4,
    "random_bodies": 4, "random_kernels": 4,
}
FAMILY = 6
SAME_LAYER = {("unsupported", "tf1_names"), ("unsupported", "tables"), ("unsupported", "errors"),
              ("tables", "tf1_names"), ("variable_scope", "initializers"), ("ops_graph", "ops_math"),
              ("lowering", "fetches"), ("session", "fetches"), ("session", "lowering"), ("session", "cluster"),
              ("mnist", "mnist_sources"), ("losses", "ops_nn"), ("regularizers", "ops_math")}


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC).with_suffix("")
    return ".".join(rel.parts)


def _layer(name: str) -> int:
    return LAYERS.get(name, FAMILY)


def _imports(path: Path) -> set[str]:
    """The ``tftrain_compat._src`` modules that ``path`` imports, anywhere in the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "tftrain_compat._src":
                found.update(alias.name for alias in node.names)
            elif node.module.startswith("tftrain_compat._src."):
                found.add(node.module[len("tftrain_compat._src."):])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("tftrain_compat._src."):
                    found.add(alias.name[len("tftrain_compat._src."):])
    return found


def test_no_upward_or_cyclic_imports_in_src():
    modules = {_module_name(p): p for p in SRC.rglob("*.py") if p.name != "__init__.py"}
    assert len(modules) > 20
    problems = []
    graph: dict[str, set[str]] = {}
    for name, path in sorted(modules.items()):
        top = name.split(".")[0] if not name.startswith("training.") else name
        deps = {d for d in _imports(path) if d in modules or d.split(".")[0] in modules}
        graph[name] = deps
        for dep in sorted(deps):
            mine, theirs = _layer(top), _layer(dep)
            if theirs > mine or (theirs == mine and mine != FAMILY
                                 and (name, dep) not in SAME_LAYER):
                problems.append(f"{name} (layer {mine}) imports {dep} (layer {theirs})")
    assert not problems, "upward imports:\n" + "\n".join(problems)

    # and no cycles anywhere (the family layer included)
    state: dict[str, int] = {}

    def visit(n: str, trail: list[str]) -> None:
        if state.get(n) == 2:
            return
        assert state.get(n) != 1, "import cycle: " + " -> ".join(trail + [n])
        state[n] = 1
        for d in graph.get(n, ()):
            visit(d, trail + [n])
        state[n] = 2
    for n in graph:
        visit(n, [])


def test_the_rule_reads_function_level_imports_too(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from tftrain_compat._src import session as s\n")
    assert _imports(probe) == {"session"}
