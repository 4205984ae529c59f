"""The package reads like the pipeline (docs/architecture.md): every module belongs to a stage,
imports point one way (a stage imports only the ground and the stages before it) and no two
modules import each other, directly or round a longer loop. Plain `ast` over importer/: every
import counts, at module level or inside a function."""
from __future__ import annotations

import ast
from pathlib import Path

import importer

ROOT = Path(importer.__file__).parent

# Each stage, and the stages it may import (besides itself). The order is the pipeline's.
GROUND = {"importer", "importer.entities", "importer.model", "importer.errors",
          "importer.rules", "importer.humane", "importer.csvtext",
          "importer.filenames"}
ALLOWED = {
    "ground": set(),
    "settings": {"ground"},
    "reading": {"ground", "settings"},
    "sandbox": {"ground"},
    "checks": {"ground", "reading", "sandbox"},  # configuration arrives as values: no settings
    "erp": {"ground", "settings"},
    "journal": {"ground", "reading", "checks"},
    "workbooks": {"ground", "reading", "checks", "journal"},
    "runs": {"ground", "settings", "reading", "sandbox", "checks", "erp", "journal",
             "workbooks"},
    "web": {"ground", "settings", "reading", "sandbox", "checks", "journal", "workbooks",
            "runs"},
    "cli": {"ground", "settings", "reading", "sandbox", "checks", "erp", "journal",
            "workbooks", "runs", "web"},
    "main": {"cli"},
}
MAX_LINES = 450
MAX_TOP_LEVEL = 10


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def stage(module: str) -> str:
    if module in GROUND:
        return "ground"
    if module == "importer.__main__":
        return "main"
    return module.split(".")[1]


def imports(module: str, path: Path, known: set[str]) -> set[str]:
    """The importer modules this one imports (a name imported from a package that is itself a
    module counts as that module)."""
    found = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                     for a in node.names]
        else:
            continue
        found.update(n for n in names if n in known and n != module)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {m: imports(m, p, set(mods)) for m, p in mods.items()}


def test_every_module_belongs_to_a_stage():
    unknown = sorted(m for m in modules() if stage(m) not in ALLOWED)
    assert not unknown, f"modules outside every stage (add them to a package): {unknown}"


def test_imports_point_one_way():
    wrong = []
    for module, targets in graph().items():
        mine = stage(module)
        for target in sorted(targets):
            theirs = stage(target)
            if theirs != mine and theirs not in ALLOWED[mine]:
                wrong.append(f"{module} ({mine}) imports {target} ({theirs})")
    assert not wrong, "imports against the pipeline:\n" + "\n".join(wrong)


def test_no_import_cycle():
    edges = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    assert not cycles, f"import cycles: {cycles}"


def test_modules_stay_small():
    big = {m: n for m, p in modules().items()
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not big, f"modules over {MAX_LINES} lines (split them by responsibility): {big}"


def test_few_modules_at_the_top():
    top = sorted(p.name for p in ROOT.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL, f"{len(top)} modules directly in importer/: {top}"


def test_every_package_says_what_it_owns():
    silent = [str(p.relative_to(ROOT)) for p in ROOT.rglob("__init__.py")
              if not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))]
    assert not silent, f"packages without a docstring: {silent}"


def test_the_checker_sees_a_cycle_and_a_backward_import(tmp_path):
    """The checks above can fail: a made-up pair of modules importing each other is a cycle."""
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("from importer.checks import b\n")
    b.write_text("import importer.checks.a\n")
    known = {"importer.checks.a", "importer.checks.b", "importer.checks"}
    assert imports("importer.checks.a", a, known) == {"importer.checks.b"}
    assert imports("importer.checks.b", b, known) == {"importer.checks.a"}
    assert stage("importer.checks.a") == "checks" and "runs" not in ALLOWED["checks"]
