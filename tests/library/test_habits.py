"""The project's habits hold: hooks that lint like CI, a changelog entry for the version."""

from __future__ import annotations

import tomllib

import yaml

from tools.plan import PROJECT_ROOT


def test_the_pre_commit_hooks_run_the_linters_of_make_test_from_the_projects_venv() -> None:
    config = yaml.safe_load((PROJECT_ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert set(hooks) == {"ruff", "ruff-format", "pyright", "actionlint"}
    for hook in hooks.values():
        executable = hook["entry"].split()[0]
        assert executable.startswith(".venv/bin/"), hook["id"]
        assert (PROJECT_ROOT / executable).exists(), f"{executable} is not installed by make"


def test_the_changelog_has_an_entry_for_the_packages_version() -> None:
    version = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["version"]
    changelog = (PROJECT_ROOT / "CHANGELOG.md").read_text()
    assert f"\n## {version} " in changelog or f"\n## {version}\n" in changelog
