"""The URN snapshot: every resource's URN in the offline plan of each program, sorted.

A URN is a resource's identity in the state: a changed type token, logical name or parent makes
Pulumi delete the old resource and create a new one. ``tests/snapshots/urns-<program>.txt``
holds the sorted URNs of each plan (the platform's stack files, the bootstrap project's and the
examples'); ``tests/platform/test_urn_snapshot.py`` fails when a plan's URNs
differ from its snapshot, so every rename shows up in review as a diff of that file, and a
resource that holds data gets an ``aliases=`` entry before the snapshot is rewritten.

    python -m tools.urns            # check: exit 1 and a diff when a plan's URNs changed
    python -m tools.urns --write    # rewrite the snapshots after an intended change
"""

from __future__ import annotations

import argparse
import difflib
import sys
from dataclasses import dataclass
from pathlib import Path

from tools.plan import PROJECT_ROOT, run_stack, stack_names

SNAPSHOTS = PROJECT_ROOT / "tests" / "snapshots"


@dataclass(frozen=True)
class Program:
    """One program's stack whose URNs are snapshotted."""

    label: str
    root: Path
    stack: str

    @property
    def snapshot(self) -> Path:
        return SNAPSHOTS / f"urns-{self.label}.txt"


def programs(root: Path = PROJECT_ROOT) -> list[Program]:
    """Every stack file of the platform, of the bootstrap project and of each example."""
    found = [Program(stack, root, stack) for stack in stack_names(root)]
    others = [
        root / "bootstrap",
        *sorted(p.parent for p in (root / "examples").glob("*/Pulumi.yaml")),
    ]
    for project in others:
        found += [
            Program(f"{project.name}-{stack}", project, stack) for stack in stack_names(project)
        ]
    return found


def urns(program: Program) -> list[str]:
    """The sorted URNs of the program's offline plan (it must plan without error)."""
    recording = run_stack(program.stack, program.root, raise_errors=True)
    return sorted(resource.urn for resource in recording.resources)


def diff(program: Program, current: list[str]) -> list[str]:
    """The unified diff from the snapshot to ``current`` (empty when they agree)."""
    expected = program.snapshot.read_text().splitlines() if program.snapshot.exists() else []
    return list(
        difflib.unified_diff(
            expected, current, str(program.snapshot), f"plan of {program.label}", lineterm=""
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.urns", description=__doc__)
    parser.add_argument("--write", action="store_true", help="rewrite the snapshots")
    options = parser.parse_args(argv)
    changed = 0
    for program in programs():
        current = urns(program)
        if options.write:
            program.snapshot.parent.mkdir(parents=True, exist_ok=True)
            program.snapshot.write_text("\n".join(current) + "\n")
            print(f"wrote {program.snapshot} ({len(current)} URNs)")
            continue
        lines = diff(program, current)
        if lines:
            changed += 1
            print("\n".join(lines))
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
