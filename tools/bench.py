"""How long the offline plan takes, against the floor no plan can go below.

The floor is the time a fresh interpreter takes to import just the third-party modules a plan
loads (the Pulumi SDKs' submodules, pydantic, the policy SDK and gRPC beneath them): the SDKs
load lazily, so a bare ``import pulumi_aws`` is not the floor, the ~1,400 submodules a prod plan
touches are. Everything above the floor is this project's own work (the program, the offline
engine, cost, deploy time, policy), which is what ``make bench`` watches.

Each figure is the best of ``--runs`` fresh processes (the least disturbed by other load on the
machine), after one warm-up run that leaves Python's bytecode caches written where they can be.

    python -m tools.bench            # dev and prod plans, the floor, their ratios
    python -m tools.bench --runs 5 --stack prod
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from tools.plan import PROJECT_ROOT

#: The prod plan's target: within this multiple of the floor.
TARGET_RATIO = 1.5
#: Top-level packages that are this project's own code, not part of the floor.
OWN_PACKAGES = frozenset({"aws_web_platform", "components", "tools", "policy", "__main__"})

_RECORD_MODULES = """
import contextlib, io, json, sys
from tools import plan
with contextlib.redirect_stdout(io.StringIO()):
    plan.main(["--stack", sys.argv[1]])
files = {n: getattr(m, "__file__", None) for n, m in sorted(sys.modules.items())}
with open(sys.argv[2], "w") as out:
    json.dump(files, out)
"""


def third_party(modules: dict[str, str | None]) -> list[str]:
    """The modules of installed distributions (site-packages), not the standard library's and
    not this project's (which an editable install may also put on the path)."""
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    return [
        name
        for name, path in modules.items()
        if path
        and name.split(".")[0] not in OWN_PACKAGES
        and Path(path).resolve().is_relative_to(site)
    ]


def plan_modules(stack: str) -> dict[str, str | None]:
    """Every module a plan of ``stack`` has loaded when it ends, with its file (recorded in a
    fresh process)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(
            [sys.executable, "-c", _RECORD_MODULES, stack, out.name],
            cwd=PROJECT_ROOT,
            check=True,
        )
        return json.loads(Path(out.name).read_text())


def best_of(runs: int, command: list[str]) -> float:
    """The shortest wall time of ``runs`` runs of ``command`` (output discarded)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per figure")
    parser.add_argument(
        "--stack", action="append", help="stack to time (repeatable; default dev and prod)"
    )
    options = parser.parse_args(argv)
    stacks = options.stack or ["dev", "prod"]
    plan = [sys.executable, "-m", "tools.plan", "--stack"]

    # Warm-up, and the modules of the largest plan: the floor is what the biggest plan imports.
    floor_modules = third_party(plan_modules(stacks[-1]))

    def importer(collector: bool) -> list[str]:
        # Imports only, then leave without tearing the modules down again (as the plan's
        # command line does once its output is written).
        return [
            sys.executable,
            "-c",
            "import gc, importlib, json, os, sys\n"
            f"{'' if collector else 'gc.disable()'}\n"
            "for name in json.loads(sys.argv[1]):\n"
            "    importlib.import_module(name)\n"
            "os._exit(0)\n",
            json.dumps(floor_modules),
        ]

    floor = best_of(options.runs, importer(collector=True))
    # The plan pauses the cyclic collector while it runs (and imports): the same imports so.
    paused = best_of(options.runs, importer(collector=False))
    print(
        f"floor: {floor:5.2f} s  (a fresh interpreter importing the {len(floor_modules)} "
        f"third-party modules the {stacks[-1]} plan loads; {paused:.2f} s with the cyclic "
        "collector paused, as the plan runs)"
    )
    ratios = {}
    for stack in stacks:
        seconds = best_of(options.runs, [*plan, stack])
        ratios[stack] = seconds / floor
        print(
            f"{stack:>5}: {seconds:5.2f} s  = {ratios[stack]:.2f} x the floor "
            f"({seconds / paused:.2f} x the paused floor)"
        )
    cached = any(Path(sysconfig.get_paths()["purelib"]).glob("pulumi_aws/__pycache__/*.pyc"))
    print(
        f"best of {options.runs} fresh processes each; the SDKs' bytecode is "
        f"{'cached' if cached else 'compiled on every import (PYTHONDONTWRITEBYTECODE)'}"
    )
    worst = max(ratios.values())
    verdict = "meets" if worst <= TARGET_RATIO else "misses"
    print(
        f"target: every plan within {TARGET_RATIO} x the floor: {verdict} it ({worst:.2f} x); "
        f"against the paused floor {max(r * floor / paused for r in ratios.values()):.2f} x "
        "(the rest is the Pulumi SDK's own work per registered resource)"
    )
    if worst > TARGET_RATIO:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
