"""The package's layout is the pipeline: a stage imports only from below it.

Stages meet in build.py, check.py, clips.py and importer/; the crossings
named in docs/architecture.md are the only others allowed.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "podcast"
STAGES = ("show", "captions", "audio", "transcribe", "assets", "feed", "site", "publish")
# captions/ (transcript formats) is below every stage that reads or writes them, so no
# stage imports the optional transcribe/ extra to read a transcript.
BELOW = ("errors", "fsutil", "progress", "model", "show", "captions")
CROSSINGS = {
    ("publish", "podcast.feed.reader"), ("publish", "podcast.feed.protect"),
}
FACES = ("cli", "serve")  # imported by nothing but __main__ (python -m podcast)


def _imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "podcast":
                found += [f"podcast.{a.name}" for a in node.names]
            elif node.module.startswith("podcast."):
                found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("podcast.")]
    return found


def _part(module: str) -> str:
    return module.split(".")[1] if "." in module else ""


def test_stages_import_only_from_below():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        stage = rel.parts[0].removesuffix(".py")
        for module in _imports(path):
            target = _part(module)
            if target in FACES and stage not in FACES + ("__main__",):
                wrong.append(f"{rel} imports {module}: nothing imports the faces")
            elif stage in STAGES and target in STAGES + ("build", "check", "clips", "importer"):
                if target != stage and target not in BELOW and (stage, module) not in CROSSINGS:
                    wrong.append(f"{rel} imports {module}")
    assert wrong == []


def test_the_checker_sees_a_wrong_import(tmp_path):
    """The test above would fail: an upward import is found."""
    bad = tmp_path / "bad.py"
    bad.write_text("from podcast.publish.plan import make_plan\nimport podcast.site.env\n")
    assert _imports(bad) == ["podcast.publish.plan", "podcast.site.env"]
    assert [_part(m) for m in _imports(bad)] == ["publish", "site"]
