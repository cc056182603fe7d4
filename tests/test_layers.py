"""The layers of the tree, checked in every module of every package (imports read with
ast at any depth, a function's too, relative ones resolved):

- dependencies point one way, `bot -> retrieval -> ingest`: ingest imports neither
  retrieval nor bot, retrieval does not import bot;
- the Bot Framework stays in `bot/teams/`: only its modules import botbuilder (or its
  connector and msrest), so a move to another SDK touches that room only;
- the conversation core knows no channel: outside `bot/teams/`, only the modules that
  wire the server together (WIRING) import from it;
- the adapter takes nothing from the activity handler.

`violations(root)` reads a tree; the tests run it over this one, and over a copy of it
with one violation planted, which it must name."""
from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The packages, each importing only those after it.
LAYERS = ("bot", "retrieval", "ingest")
SDK = ("botbuilder", "botframework", "msrest")
TEAMS = "bot.teams"
#: Outside bot.teams, the modules that put the Teams room into the server and the CLI.
WIRING = {"bot.app", "bot.app_keys", "bot.cli"}


def modules(root: Path) -> dict[str, Path]:
    """Every module of the packages under `root`, by its dotted name."""
    found = {}
    for package in LAYERS:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name: str, path: Path) -> list[tuple[ast.stmt, set[str]]]:
    """Each import statement of module `name` with the dotted names it imports (`from a.b
    import c` imports a.b and a.b.c)."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.append((node, {a.name for a in node.names}))
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found.append((node, {module} | {f"{module}.{a.name}" for a in node.names}))
    return found


def imported(name: str, path: Path) -> set[str]:
    return set().union(*(names for _, names in imports(name, path)))


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def broken_rules(module: str, name: str) -> list[str]:
    """Why `module` may not import `name` (none: it may)."""
    rules = []
    layer = LAYERS.index(module.split(".")[0])
    if any(within(name, upper) for upper in LAYERS[:layer]):
        rules.append(f"dependencies point one way, {' -> '.join(LAYERS)}")
    if name.split(".")[0] in SDK and not within(module, TEAMS):
        rules.append(f"only {TEAMS} imports the Bot Framework")
    if within(name, TEAMS) and not within(module, TEAMS) and module not in WIRING:
        rules.append(f"the conversation core takes nothing from {TEAMS}")
    if module == "bot.teams.adapter" and within(name, "bot.teams.handler"):
        rules.append("the adapter takes nothing from the handler")
    return rules


def violations(root: Path) -> list[str]:
    """Each import statement in the tree under `root` that breaks a rule, with the rule."""
    found = []
    for module, path in modules(root).items():
        for node, names in imports(module, path):
            rules = dict.fromkeys(rule for n in sorted(names) for rule in broken_rules(module, n))
            found += [f"{path.relative_to(root)}:{node.lineno}: {ast.unparse(node)}: {rule}"
                      for rule in rules]
    return found


def test_the_tree_keeps_its_layers():
    assert violations(ROOT) == []


def test_the_walk_reaches_every_room():
    """What the rules are checked against: each package and room, with the imports that
    matter in it (a walk that finds nothing would pass the test above)."""
    found = modules(ROOT)
    assert {"bot.teams.adapter", "bot.teams.handler", "bot.jobs.digest", "bot.conversation",
            "retrieval.search", "ingest.catalog"} <= set(found)
    sdk_users = {m for m, path in found.items()
                 if any(n.split(".")[0] in SDK for n in imported(m, path))}
    assert {"bot.teams.adapter", "bot.teams.auth", "bot.teams.handler"} <= sdk_users
    assert "ingest.catalog" in imported("retrieval.index", found["retrieval.index"])


LAYERED = "dependencies point one way, bot -> retrieval -> ingest"
#: A violation planted at the end of a module (new or not): where, the code, the rule.
PLANTED = {
    "ingest imports retrieval, in a function": (
        "ingest/planted.py", "def f():\n    from retrieval.search import Searcher", LAYERED),
    "retrieval imports bot, in a sub-package": (
        "retrieval/deep/planted.py", "import bot.cards", LAYERED),
    "ingest imports bot, relatively": ("ingest/planted.py", "from ..bot import cards", LAYERED),
    "a job imports botbuilder": (
        "bot/jobs/planted.py", "from botbuilder.core import TurnContext",
        "only bot.teams imports the Bot Framework"),
    "the conversation core imports the Teams room": (
        "bot/planted.py", "from bot.teams import handler",
        "the conversation core takes nothing from bot.teams"),
    "the adapter imports the handler, relatively": (
        "bot/teams/adapter.py", "from .handler import ReferatBot",
        "the adapter takes nothing from the handler"),
}


@pytest.mark.parametrize("plant", PLANTED.values(), ids=PLANTED.keys())
def test_a_planted_violation_is_named(tmp_path, plant):
    where, code, rule = plant
    for package in LAYERS:
        shutil.copytree(ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__", "data", "static"))
    planted = tmp_path / where
    planted.parent.mkdir(parents=True, exist_ok=True)
    with planted.open("a", encoding="utf-8") as f:
        f.write(code + "\n")
    line = len(planted.read_text(encoding="utf-8").splitlines())
    statement = code.splitlines()[-1].strip()
    assert violations(tmp_path) == [f"{where}:{line}: {statement}: {rule}"]
