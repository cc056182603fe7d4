"""The Bot Framework stays at the edge: only the adapter and the activity handler import
botbuilder (or its connector and msrest), so a move to another SDK touches those two."""
from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"
EDGE = {"teams/adapter.py", "teams/auth.py", "teams/dedupe.py", "teams/handler.py"}
SDK = ("botbuilder", "botframework", "msrest")


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_only_the_adapter_and_the_handler_import_the_bot_framework():
    users = {p.relative_to(BOT).as_posix() for p in BOT.rglob("*.py")
             if any(n.split(".")[0] in SDK for n in imported(p))}
    assert users == EDGE


def test_the_adapter_takes_nothing_from_the_handler():
    assert "bot.teams.handler" not in imported(BOT / "teams" / "adapter.py")
