"""bot/engine/rasa_patches.py's guards, on a stand-in module (no Rasa needed): a patch is applied
only to the Rasa version and the exact source it was written for, and only when selected."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from bot.engine import rasa_patches
from bot.engine.rasa_patches import Patch

STAND_IN = """
class Store:
    def save(self, events):
        return "saved one by one"

    @staticmethod
    def lookup(name):
        return "walked"


def helper():
    return 1
"""


@pytest.fixture
def stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    (tmp_path / "rasa_stand_in.py").write_text(STAND_IN)
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("rasa_stand_in", None)
    yield importlib.import_module("rasa_stand_in")
    sys.modules.pop("rasa_stand_in", None)


def patches(save_sha: str | None = None) -> list[Patch]:
    save_sha = save_sha or rasa_patches.source_sha256("rasa_stand_in:Store.save")
    return [
        Patch(
            "batch-save",
            ("rasa_stand_in:Store.save",),
            {
                "rasa_stand_in:Store.save": save_sha,
                "rasa_stand_in:helper": rasa_patches.source_sha256("rasa_stand_in:helper"),
            },
            lambda originals: [lambda self, events: "saved at once"],
        ),
        Patch(
            "lookup",
            ("rasa_stand_in:Store.lookup",),
            {"rasa_stand_in:Store.lookup": rasa_patches.source_sha256("rasa_stand_in:Store.lookup")},
            lambda originals: [staticmethod(lambda name: "remembered")],
        ),
    ]


def test_the_right_version_and_sources_get_every_patch(stand_in: ModuleType) -> None:
    outcome = rasa_patches.apply(patches(), version="3.6.21", environ={})
    assert outcome == {"batch-save": "applied", "lookup": "applied"}
    assert stand_in.Store().save([]) == "saved at once"
    assert stand_in.Store.lookup("slot") == "remembered"


def test_another_rasa_version_gets_none(stand_in: ModuleType, caplog: pytest.LogCaptureFixture) -> None:
    outcome = rasa_patches.apply(patches(), version="3.6.20", environ={})
    assert all(
        result.startswith("refused: written for Rasa 3.6.21, this is Rasa 3.6.20") for result in outcome.values()
    )
    assert stand_in.Store().save([]) == "saved one by one"
    assert stand_in.Store.lookup("slot") == "walked"
    assert "this is Rasa 3.6.20" in caplog.text  # logged, as a warning


def test_a_changed_function_refuses_its_patch_only(stand_in: ModuleType) -> None:
    outcome = rasa_patches.apply(patches(save_sha="0" * 64), version="3.6.21", environ={})
    assert outcome["batch-save"].startswith(
        "refused: rasa_stand_in:Store.save is not the code this patch was written for"
    )
    assert outcome["lookup"] == "applied"
    assert stand_in.Store().save([]) == "saved one by one"
    assert stand_in.Store.lookup("slot") == "remembered"


def test_a_patch_whose_target_is_gone_is_refused_not_raised(stand_in: ModuleType) -> None:
    broken = Patch("gone", ("rasa_stand_in:Store.gone",), {}, lambda originals: [None])
    assert rasa_patches.apply([broken], version="3.6.21", environ={})["gone"].startswith("refused: AttributeError")


def test_the_environment_selects_patches(stand_in: ModuleType) -> None:
    off = rasa_patches.apply(patches(), version="3.6.21", environ={rasa_patches.ENV: "none"})
    assert all(result.startswith("not selected") for result in off.values())
    assert stand_in.Store().save([]) == "saved one by one"
    one = rasa_patches.apply(patches(), version="3.6.21", environ={rasa_patches.ENV: "lookup"})
    assert one == {"batch-save": "not selected (HOTLINE_RASA_PATCHES=lookup)", "lookup": "applied"}
    assert stand_in.Store().save([]) == "saved one by one"


def test_settings_are_read_leniently() -> None:
    names = ["a", "b", "c"]
    assert rasa_patches.selected("", names) == (names, [])
    assert rasa_patches.selected(" ALL ", names) == (names, [])
    assert rasa_patches.selected("none", names) == ([], [])
    assert rasa_patches.selected("c, a,typo", names) == (["a", "c"], ["typo"])


def test_every_patch_names_what_it_replaces_and_guards_it() -> None:
    for patch in rasa_patches.PATCHES:
        assert patch.targets and patch.sources, patch.name
        assert all(len(digest) == 64 for digest in patch.sources.values()), patch.name
        # The replaced functions themselves are guarded (__init_subclass__ is added, not replaced).
        assert all(t in patch.sources or t.endswith("__init_subclass__") for t in patch.targets), patch.name
