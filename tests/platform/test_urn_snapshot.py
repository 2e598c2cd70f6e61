"""Every resource keeps its URN: the plans' URNs equal the committed snapshot.

A changed type token, logical name or parent replaces the resource on the next ``pulumi up``
(delete and create: data lost for a database or a bucket). An intended rename changes
``tests/snapshots/urns-<program>.txt`` in the same commit (``python -m tools.urns --write``),
with an ``aliases=`` option on every renamed resource that holds data.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from aws_web_platform.offline import Recording
from tools.plan import PROJECT_ROOT, run_stack
from tools.urns import Program, diff, programs

PROGRAMS = programs()


def test_every_stack_file_and_example_has_a_snapshot() -> None:
    labels = {program.label for program in PROGRAMS}
    assert {"dev", "prod", "data-service-demo", "bootstrap-dev", "bootstrap-prod"} <= labels
    for program in PROGRAMS:
        assert program.snapshot.exists(), (
            f"no snapshot for {program.label}: python -m tools.urns --write"
        )


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.label)
def test_the_plan_keeps_every_urn_of_its_snapshot(
    program: Program, stack_run: Callable[[str], Recording]
) -> None:
    if program.root == PROJECT_ROOT:
        recording = stack_run(program.stack)  # the session's shared run of the stack
    else:
        recording = run_stack(program.stack, program.root, raise_errors=True)
    lines = diff(program, sorted(r.urn for r in recording.resources))
    assert not lines, (
        "URNs changed (a renamed resource is replaced on the next up): add aliases= to "
        "resources that hold data, then `python -m tools.urns --write`\n" + "\n".join(lines)
    )
