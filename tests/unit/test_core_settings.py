"""The core reads no global settings: what a rule needs comes in from the edges (bot/runtime.py,
actions/server.py, bot/cli, the channels and the dashboard), so a Settings passed in is never
half ignored. The core may name Settings in type hints (under TYPE_CHECKING), nothing more."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.core.conversation import branding
from bot.core.conversation.branding import Branding, BrandingNotInstalled, install_branding
from bot.core.conversation.messages import say
from bot.core.db import Database, DatabaseNotInstalled, install_database

CORE = PROJECT_ROOT / "bot" / "core"


def _type_checking_blocks(tree: ast.Module) -> set[ast.AST]:
    inside: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            inside.update(child for statement in node.body for child in ast.walk(statement))
    return inside


def _settings_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = _type_checking_blocks(tree)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Name)
            and node.id == "get_settings"
            or isinstance(node, ast.alias)
            and node.name == "get_settings"
        ):
            found.append(f"{path.name}:{node.lineno if hasattr(node, 'lineno') else '?'} get_settings")
        elif (
            isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bot.config") and node not in type_only
        ):
            found.append(f"{path.name}:{node.lineno} imports bot.config outside TYPE_CHECKING")
        elif (
            isinstance(node, ast.Import)
            and any(a.name.startswith("bot.config") for a in node.names)
            and node not in type_only
        ):
            found.append(f"{path.name}:{node.lineno} imports bot.config outside TYPE_CHECKING")
    return found


@pytest.mark.parametrize("path", sorted(CORE.rglob("*.py")), ids=lambda p: str(p.relative_to(CORE)))
def test_no_core_module_reads_the_settings(path: Path) -> None:
    assert _settings_uses(path) == []


def test_the_check_sees_a_settings_read(tmp_path: Path) -> None:
    module = tmp_path / "rule.py"
    module.write_text("from bot.config import get_settings\n\ndef tz():\n    return get_settings().tz\n")
    assert len(_settings_uses(module)) == 3  # the import, the name imported, the call


def test_say_fails_loudly_in_a_process_that_installed_no_branding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(branding, "_installed", None)
    with pytest.raises(BrandingNotInstalled):
        say("greet", "zh")


def test_say_fills_in_the_installed_branding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(branding, "_installed", None)
    install_branding(Branding("某某热力", "Some Heating", "042", "0000-99999", "110"))
    assert "某某热力" in say("greet", "zh") and "042" in say("greet", "zh")
    assert "Some Heating" in say("greet", "en")


def test_a_session_without_an_installed_database_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.core import db

    monkeypatch.setattr(db, "_installed", None)
    with pytest.raises(DatabaseNotInstalled), db.session_scope():
        pass


def test_installing_the_same_database_again_keeps_its_engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bot.core import db

    monkeypatch.setattr(db, "_installed", None)
    url = f"sqlite:///{tmp_path / 'one.db'}"
    first = install_database(url)
    assert install_database(url) is first
    assert isinstance(install_database(f"sqlite:///{tmp_path / 'two.db'}"), Database)
    assert db.installed_database() is not first
