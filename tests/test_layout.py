"""The package's layout is the pipeline, and its pieces stay small.

- A stage imports only from below it: stages meet in build.py, check.py,
  clips.py and importer/; the crossings named in docs/architecture.md are the only
  others allowed; nothing imports the faces (cli, serve).
- No two modules import each other, directly or round a loop. Imports inside
  functions count as much as those at the top (deferring an import hides a
  cycle from Python, not from the reader); imports under ``if TYPE_CHECKING:``
  do not (they never run).
- No module over 450 lines; no function over 80 lines outside tests.

Each rule is a function over a package folder, and each is shown to fire on
a small package made in tmp_path. ``KNOWN_DEBT`` lists what other slices of
issue 18 are still shrinking; it can only shrink: an entry that no longer
offends fails the test.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "podcast"
OUTSIDE_TESTS = (PACKAGE, REPO / "benchmarks", REPO / "scripts")
STAGES = ("show", "captions", "audio", "transcribe", "assets", "feed", "site", "publish")
# captions/ (transcript formats) is below every stage that reads or writes them, so no
# stage imports the optional transcribe/ extra to read a transcript.
BELOW = ("errors", "fsutil", "progress", "model", "show", "captions")
MEETINGS = ("build", "check", "clips", "importer")
CROSSINGS = {
    ("publish", "podcast.feed.reader"), ("publish", "podcast.feed.protect"),
    ("audio", "podcast.transcribe"),  # the automatic cutter asks for the words (fillers)
}
FACES = ("cli", "serve")  # imported by nothing but __main__ (python -m podcast)
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 80

KNOWN_DEBT: set[str] = set()  # empty: every rule holds today; an entry must still offend


@dataclass(frozen=True)
class Import:
    module: str  # the module imported (a package's __init__ as the package's name)
    line: int
    deferred: bool  # inside a function


def modules(package: Path) -> dict[str, Path]:
    """Dotted name -> file, for every module of the package folder."""
    out = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imports(path: Path, known: dict[str, Path], top: str = "podcast") -> list[Import]:
    """The package's own modules that ``path`` imports, at the top or in functions."""
    found: list[Import] = []

    def add(node: ast.AST, names: list[str], deferred: bool) -> None:
        found.extend(Import(n, node.lineno, deferred) for n in names)

    def visit(node: ast.AST, deferred: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue  # type-only: never runs
            inner = deferred or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                   ast.Lambda))
            if isinstance(child, ast.ImportFrom) and child.level == 0 and child.module \
                    and child.module.split(".")[0] == top:
                # `from podcast.show import schema`: the submodule when there is one
                add(child, [f"{child.module}.{a.name}" if f"{child.module}.{a.name}" in known
                            else child.module for a in child.names], inner)
            elif isinstance(child, ast.Import):
                add(child, [a.name for a in child.names if a.name.split(".")[0] == top], inner)
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def layer_violations(package: Path) -> list[str]:
    """Imports of a stage from above or beside it, and of the faces."""
    known = modules(package)
    wrong = []
    for path in known.values():
        rel = path.relative_to(package)
        stage = rel.parts[0].removesuffix(".py")
        for imp in imports(path, known):
            module = imp.module
            target = module.split(".")[1] if "." in module else ""
            if target in FACES and stage not in FACES + ("__main__",):
                wrong.append(f"{rel}:{imp.line} imports {module}: nothing imports the faces")
            elif stage in STAGES and target in STAGES + MEETINGS and target != stage \
                    and target not in BELOW and (stage, module) not in CROSSINGS:
                wrong.append(f"{rel}:{imp.line} imports {module}: {stage} is below {target}")
    return wrong


def cycles(package: Path) -> list[str]:
    """Each set of modules that import each other round a loop, as one line."""
    known = modules(package)
    graph = {name: sorted({i.module for i in imports(path, known)} & known.keys() - {name})
             for name, path in known.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def strongly_connected(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                strongly_connected(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            members = []
            while not members or members[-1] != node:
                members.append(stack.pop())
            if len(members) > 1:
                found.append("cycle: " + " <-> ".join(sorted(members)))

    for node in graph:
        if node not in index:
            strongly_connected(node)
    return sorted(found)


def size_violations(*folders: Path) -> list[str]:
    """Modules over MAX_MODULE_LINES and functions over MAX_FUNCTION_LINES."""
    wrong = []
    for folder in folders:
        for path in sorted(folder.rglob("*.py")):
            rel = path.relative_to(folder.parent).as_posix()
            text = path.read_text(encoding="utf-8")
            if len(text.splitlines()) > MAX_MODULE_LINES:
                wrong.append(f"module: {rel}")
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                        node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES:
                    wrong.append(f"function: {rel}:{node.name}")
    return sorted(wrong)


# ---- the rules on the package -------------------------------------------------------

def test_stages_import_only_from_below():
    assert layer_violations(PACKAGE) == []


def test_no_module_imports_another_that_imports_it():
    assert set(cycles(PACKAGE)) - KNOWN_DEBT == set()


def test_no_module_or_function_too_long():
    assert set(size_violations(*OUTSIDE_TESTS)) - KNOWN_DEBT == set()


def test_known_debt_only_shrinks():
    """Every entry of KNOWN_DEBT still offends: a fixed one must leave the list."""
    offending = set(cycles(PACKAGE)) | set(size_violations(*OUTSIDE_TESTS))
    assert KNOWN_DEBT - offending == set()


# ---- each rule fires: a small package that breaks them ---------------------------

def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "podcast" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "podcast"


def test_the_rules_fire_on_a_package_that_breaks_them(tmp_path: Path):
    long_body = "".join(f"    x{i} = {i}\n" for i in range(79))
    package = _write(tmp_path, {
        "__init__.py": "",
        "errors.py": "class E(Exception):\n    pass\n",
        "show/__init__.py": "",
        # a stage importing one above it (the show is below the feed), at the top
        "show/config.py": "from podcast.errors import E\nfrom podcast.feed.writer import w\n",
        "feed/__init__.py": "",
        # ... and one inside a function, and a stage importing the CLI
        "feed/writer.py": "def w():\n    from podcast.publish import plan\n"
                          "    import podcast.cli\n    from podcast.show import config\n",
        "publish/__init__.py": "",
        # a cycle at module level, and one made by an import in a function
        "publish/plan.py": "from podcast.publish.apply import a\n",
        "publish/apply.py": "from podcast.publish import plan\n",
        "publish/lock.py": "def take():\n    from podcast.publish.tree import t\n",
        "publish/tree.py": "from podcast.publish.lock import take\n",
        # a type-only import makes no cycle
        "publish/client.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                             "    from podcast.publish.report import r\n",
        "publish/report.py": "from podcast.publish.client import c\n",
        "cli.py": "from podcast.feed.writer import w\n",
        # 80 lines of function and 450 of module are allowed; one more is not
        "fits.py": "def f():\n" + long_body + "\n" * (450 - 80),
        "long.py": "def f():\n" + long_body + "    x = 0\n" + "\n" * (450 - 80),
    })
    assert sorted(layer_violations(package)) == [
        "feed/writer.py:2 imports podcast.publish.plan: feed is below publish",
        "feed/writer.py:3 imports podcast.cli: nothing imports the faces",
        "show/config.py:2 imports podcast.feed.writer: show is below feed",
    ]
    assert cycles(package) == [
        "cycle: podcast.cli <-> podcast.feed.writer <-> podcast.show.config",
        "cycle: podcast.publish.apply <-> podcast.publish.plan",
        "cycle: podcast.publish.lock <-> podcast.publish.tree",
    ]
    assert size_violations(package) == ["function: podcast/long.py:f",
                                        "module: podcast/long.py"]
