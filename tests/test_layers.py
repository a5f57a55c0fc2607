"""The layers point one way: model <- core <- presentation <- CLI. A test, so that they stay that way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "kurskcli"
MODEL = {"model", "dates", "text", "exits", "vocab", "schema"}
CORE = {
    "bundled",
    "decoding",
    "env",
    "data",
    "reading",
    "dataset",
    "streaming",
    "locate",
    "query",
    "searcher",
    "check",
    "store",
    "layout",
    "tables",
    "cache",
    "index",
    "files",
    "inputs",
}
PRESENTATION = {"output", "render", "render_records", "export", "annotations", "cite", "picture"}
CLI = {"cli", "present", "commands", "errors", "complete", "spec", "__main__"}
LAYERS = {**dict.fromkeys(MODEL, 0), **dict.fromkeys(CORE, 1), **dict.fromkeys(PRESENTATION, 2)}
LAYERS.update(dict.fromkeys(CLI, 3))


def imported(path: Path) -> set[str]:
    """Every kurskcli module a file imports, at the top, inside functions or for type checking alone."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kurskcli"):
            parts = node.module.split(".")
            if len(parts) > 1:
                out.add(parts[1])
            else:
                out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name.split(".")[1] for a in node.names if a.name.startswith("kurskcli."))
    return out


def test_every_module_has_a_layer() -> None:
    modules = {p.stem for p in SRC.glob("*.py") if p.stem != "__init__"} | {"commands", "data"}
    assert modules == set(LAYERS)


@pytest.mark.parametrize("module", sorted(MODEL | CORE | PRESENTATION))
def test_no_module_imports_from_a_layer_above_its_own(module: str) -> None:
    path = SRC / f"{module}.py" if (SRC / f"{module}.py").exists() else SRC / module / "__init__.py"
    above = {m for m in imported(path) if m in LAYERS and LAYERS[m] > LAYERS[module]}
    assert not above, f"{module} imports {sorted(above)}"


def _runtime_nodes(tree: ast.Module) -> list[ast.AST]:
    """Every node except those under ``if TYPE_CHECKING:`` (imports for annotations only)."""
    out: list[ast.AST] = []
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            todo.extend(node.orelse)
            continue
        out.append(node)
        todo.extend(ast.iter_child_nodes(node))
    return out


def test_only_the_cli_layer_imports_typer_and_only_the_terminal_renderers_rich() -> None:
    for path in SRC.rglob("*.py"):
        layer = path.parent.name if path.parent != SRC else path.stem
        nodes = _runtime_nodes(ast.parse(path.read_text("utf-8")))
        names = {a.name.split(".")[0] for n in nodes if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module.split(".")[0] for n in nodes if isinstance(n, ast.ImportFrom) and n.module}
        if "typer" in names:
            assert layer in ("cli", "commands"), path
        if "rich" in names:
            assert layer in ("render", "render_records"), path


def test_no_two_modules_import_each_other_even_inside_functions() -> None:
    """Imports point one way: no module reaches itself through what it imports, lazily or not."""
    modules = {p.stem: p for p in SRC.glob("*.py") if p.stem != "__init__"}
    graph = {name: imported(path) & set(modules) - {name} for name, path in modules.items()}

    def reaches(start: str, goal: str) -> bool:
        todo, seen = list(graph[start]), set()
        while todo:
            name = todo.pop()
            if name == goal:
                return True
            if name not in seen:
                seen.add(name)
                todo.extend(graph[name])
        return False

    cycles = sorted((a, b) for a in graph for b in graph[a] if reaches(b, a))
    assert cycles == []


def test_no_module_is_longer_than_700_lines() -> None:
    lengths = {p.relative_to(SRC).as_posix(): len(p.read_text("utf-8").splitlines()) for p in SRC.rglob("*.py")}
    assert lengths and {name: n for name, n in lengths.items() if n > 700} == {}
