"""The documentation that is generated or promised stays true."""

from __future__ import annotations

import re
from collections.abc import Callable

from aws_web_platform.offline import Recording
from tools.docs import (
    COMPONENTS_TARGET,
    README,
    TARGET,
    WORKLOADS,
    environment_table,
    readme_blocks,
    render,
    render_components,
    render_readme,
)
from tools.plan import PROJECT_ROOT, stack_names

StackRun = Callable[[str], Recording]


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


def test_readme_architecture_and_stack_table_are_generated_from_the_plans(
    stack_run: StackRun,
) -> None:
    recordings = {stack: stack_run(stack) for stack in stack_names()}
    readme = README.read_text()
    assert readme == render_readme(readme, readme_blocks(recordings)), (
        "README.md's generated blocks are stale: run `make docs`"
    )
    assert "```mermaid" in readme and "Network: platform-network" in readme


def test_the_app_environment_table_is_generated_from_the_contract() -> None:
    text = WORKLOADS.read_text()
    assert text == render_readme(text, {"environment": environment_table()}), (
        "docs/workloads.md's environment table is stale: run `make docs`"
    )
    assert "| `DATABASE_URL` | secret | `database: true` |" in text
