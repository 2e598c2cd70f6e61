"""The documentation that is generated or promised stays true."""

from __future__ import annotations

import re

from tools.docs import COMPONENTS_TARGET, TARGET, render, render_components
from tools.plan import PROJECT_ROOT


def test_config_reference_is_generated_from_the_models() -> None:
    assert TARGET.read_text() == render(), "docs/config.md is stale: run `make docs`"


def test_component_reference_is_generated_from_the_args_models() -> None:
    assert COMPONENTS_TARGET.read_text() == render_components(), (
        "docs/components.md is stale: run `make docs`"
    )


def test_readme_has_exactly_two_setup_commands_plan_and_test() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    setup = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^\s*(make \w+)", setup, flags=re.M)
    assert commands == ["make plan", "make test"]


def test_ci_runs_the_readme_test_command_and_nothing_else() -> None:
    script = (PROJECT_ROOT / ".ci" / "run").read_text()
    commands = [
        line.strip()
        for line in script.splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "set ", "cd "))
    ]
    assert commands == ["exec make test"]
