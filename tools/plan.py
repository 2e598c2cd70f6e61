"""Offline plan: what ``pulumi preview`` would show, without an AWS account or the Pulumi CLI.

Runs the real, unmodified ``__main__.py`` in-process under the recording mock engine of
:mod:`aws_web_platform.offline`, with the stack file's configuration loaded (``secure:`` values
replaced by placeholders and marked secret), then prints the resources as a tree grouped by
component, a count per type and the stack outputs with secrets masked, followed by what a
reviewer wants to know before a deploy:

* the estimated monthly cost per component and in total (:mod:`tools.cost`), compared with the
  stack's budget and the seed's AWS figure;
* the estimated first-deploy time: the critical path through the dependency graph
  (:mod:`tools.deploy_time`);
* the policy pack's result over every resource (:mod:`tools.policy`); a violation makes the
  exit status 1, as it fails ``pulumi preview --policy-pack policy``;
* with ``--diagrams DIR``, the architecture diagram (:mod:`tools.diagram`): Mermaid always, SVG
  and PNG when a Graphviz renderer is present.

A bad configuration exits with status 2 and the validation message, having registered no
resource.

    python -m tools.plan --stack dev
    python -m tools.plan --stack prod --json plan-prod.json --diagrams build/diagrams

Works for every ``Pulumi.<stack>.yaml`` in the project directory.
"""

from __future__ import annotations

import gc

if __name__ == "__main__":
    # The command line pauses the cyclic collector from its first import to its exit (it
    # leaves without tearing down, see exit_now): a plan allocates hundreds of thousands of
    # objects, and each full collection would walk all of them again.
    gc.disable()

import argparse  # after the collector is paused
import contextlib
import json
import os
import runpy
import sys
import traceback
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import yaml

from aws_web_platform.offline import ACCOUNT_ID, Recording, Registered, run
from aws_web_platform.secrets.config import APP_SECRET_VALUES_KEY, AppSecretsConfig
from aws_web_platform.stack.loading import ConfigError
from tools import cost, deploy_time, diagram, policy

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRET_MASK = "[secret]"


@dataclass(frozen=True)
class StackFile:
    """A stack's configuration as the Pulumi CLI would hand it to the program."""

    project: str
    stack: str
    config: dict[str, str]
    secret_keys: tuple[str, ...]
    placeholder_secrets: tuple[str, ...] = ()
    """App secrets the stack file does not set yet, planned with placeholder values."""

    @property
    def region(self) -> str:
        return self.config.get("aws:region", "us-east-1")


def stack_names(root: Path = PROJECT_ROOT) -> list[str]:
    """Every stack that has a ``Pulumi.<stack>.yaml`` in ``root``."""
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in root.glob("Pulumi.*.yaml"))


def load_stack_file(stack: str, root: Path = PROJECT_ROOT) -> StackFile:
    """Merge the project's config defaults (Pulumi.yaml) with the stack file's values.

    Values become the strings the CLI passes: scalars as text, objects and lists as JSON.
    ``secure:`` values cannot be decrypted here; they become placeholders and their keys are
    marked secret, exactly as the CLI marks them.
    """
    project_file = yaml.safe_load((root / "Pulumi.yaml").read_text()) or {}
    project = str(project_file["name"])
    path = root / f"Pulumi.{stack}.yaml"
    if not path.exists():
        known = ", ".join(stack_names(root)) or "none"
        raise FileNotFoundError(f"no stack file {path.name}; stacks here: {known}")
    stack_file = yaml.safe_load(path.read_text()) or {}

    raw: dict[str, Any] = {}
    for key, spec in (project_file.get("config") or {}).items():
        if isinstance(spec, dict) and ("value" in spec or "default" in spec):
            raw[_full_key(key, project)] = spec.get("value", spec.get("default"))
        elif not isinstance(spec, dict):
            raw[_full_key(key, project)] = spec
    for key, value in (stack_file.get("config") or {}).items():
        raw[_full_key(key, project)] = value

    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in raw.items():
        found: list[bool] = []
        plain = _replace_secure(value, key, found)
        config[key] = as_config_string(plain)
        if found:
            secret_keys.append(key)
    placeholders: tuple[str, ...] = ()
    if _reads_app_secrets(root):
        placeholders = _fill_missing_app_secrets(config, secret_keys, project)
    return StackFile(project, stack, config, tuple(sorted(secret_keys)), placeholders)


def _reads_app_secrets(root: Path) -> bool:
    """Whether the program is one that reads the platform's app secret values (the platform's
    own ``__main__.py`` does; a program composing a few components, like examples/, does not)."""
    program = root / "__main__.py"
    return program.exists() and "load_app_secret_values" in program.read_text()


def _fill_missing_app_secrets(
    config: dict[str, str], secret_keys: list[str], project: str
) -> tuple[str, ...]:
    """Placeholders for declared app secrets whose values the stack file does not hold.

    Values are set per stack with `pulumi config set --secret`, encrypted with that stack's
    key, so a fresh checkout has none; the plan still shows every resource. `pulumi up` itself
    refuses to run until they are set (tested). A value set in plaintext is left alone, for the
    program to refuse.
    """
    try:
        declared = json.loads(config.get(f"{project}:appSecrets", "{}"))
        names = AppSecretsConfig.model_validate(declared).names
    except (ValueError, TypeError):
        return ()  # the program reports the bad declaration itself
    key = f"{project}:{APP_SECRET_VALUES_KEY}"
    if key in config and key not in secret_keys:
        return ()
    try:
        values = json.loads(config.get(key, "{}"))
    except ValueError:
        return ()
    if not isinstance(values, dict):
        return ()
    missing = tuple(name for name in names if name not in values)
    if missing:
        values |= {name: f"plan-placeholder-secret-{name}" for name in missing}
        config[key] = json.dumps(values)
        if key not in secret_keys:
            secret_keys.append(key)
    return missing


def run_stack(stack: str, root: Path = PROJECT_ROOT, *, raise_errors: bool = False) -> Recording:
    """Run ``__main__.py`` of ``root`` for ``stack`` under the recording mock engine."""
    stack_file = load_stack_file(stack, root)
    return run_main(
        root,
        project=stack_file.project,
        stack=stack,
        config=stack_file.config,
        secret_keys=stack_file.secret_keys,
        region=stack_file.region,
        raise_errors=raise_errors,
    )


def run_main(
    root: Path,
    *,
    project: str,
    stack: str,
    config: dict[str, str],
    secret_keys: tuple[str, ...] = (),
    region: str = "us-east-1",
    raise_errors: bool = False,
    ecr_images: Mapping[str, Iterable[str]] | None = None,
) -> Recording:
    """Run the project's unmodified ``__main__.py`` with this config, as the CLI would
    (``ecr_images``: the tags ECR holds, see ``aws_web_platform.offline.run``)."""
    program = root / "__main__.py"

    def main() -> None:
        with _project_dir(root):
            runpy.run_path(str(program), run_name="__main__")

    return run(
        main,
        project=project,
        stack=stack,
        config=config,
        secret_keys=secret_keys,
        region=config.get("aws:region", region),
        raise_errors=raise_errors,
        ecr_images=ecr_images,
    )


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


def _release_line(recording: Recording) -> str:
    """What the plan deploys of the apps: the release and its images looked up in ECR, or
    the platform alone."""
    if "release" not in recording.outputs:
        return "Release: (the program exports none)"
    release = recording.outputs["release"]
    if release is None:
        return (
            "Release: none (platform:release unset): the platform without app workloads or "
            "migration Job"
        )
    checked = sorted(
        image
        for token, args in recording.invokes
        if token == "aws:ecr/getImage:getImage"
        for image in [f"{args['repositoryName']}:{args.get('imageTag')}"]
    )
    return f"Release: {release} (images looked up in ECR: {', '.join(checked) or 'none'})"


def render(recording: Recording, stack_file: StackFile) -> str:
    """The plan as text: resource tree, count per type, outputs."""
    cloud = recording.cloud_resources()
    lines = [
        f"Offline plan of stack '{stack_file.stack}' (project {stack_file.project}, region "
        f"{stack_file.region}, mock account {ACCOUNT_ID})",
        "",
        f"Resources: {len(recording.resources) - 1} to create "
        f"({len(cloud)} in the cloud, the rest components and providers)",
        _release_line(recording),
        "",
    ]
    roots = [r for r in recording.resources if r.parent is None]
    for root in roots:
        lines.extend(_tree(recording, root, "", True, is_root=True))
    lines += ["", "Count by type:"]
    counts = Counter(r.type for r in recording.resources if r.parent is not None)
    width = max((len(str(n)) for n in counts.values()), default=1)
    for type_, count in sorted(counts.items()):
        lines.append(f"  {count:>{width}}  {type_}")
    lines += ["", "Outputs:"]
    for key in sorted(recording.outputs):
        shown = (
            SECRET_MASK if key in recording.secret_outputs else json.dumps(recording.outputs[key])
        )
        lines.append(f"  {key}: {shown}")
    if stack_file.placeholder_secrets:
        names = ", ".join(stack_file.placeholder_secrets)
        lines += [
            "",
            f"Note: {len(stack_file.placeholder_secrets)} app secret values are not set in "
            f"Pulumi.{stack_file.stack}.yaml ({names}); this plan used placeholders.",
            f"`pulumi up` refuses to run until each is set: pulumi config set --secret --path "
            f"'{APP_SECRET_VALUES_KEY}.<name>' <value> --stack {stack_file.stack}",
        ]
    return "\n".join(lines)


@dataclass(frozen=True)
class Review:
    """What to know before deploying a stack, computed once from its plan and rendered as text
    (the terminal) or Markdown (the pull-request comment)."""

    estimate: cost.CostEstimate
    budget_usd: float | None
    deploy: deploy_time.DeployEstimate
    violations: list[policy.Violation]


def review(recording: Recording, stack_file: StackFile) -> Review:
    """The cost estimate, the stack's budget, the first-deploy critical path and the policy
    pack's violations."""
    return Review(
        estimate=cost.estimate(recording, region=stack_file.region),
        budget_usd=_budget_usd(recording),
        deploy=deploy_time.critical_path(recording),
        violations=policy.evaluate(recording, config=policy.config_for_stack(stack_file)),
    )


def render_review(result: Review, *, cost_details: bool = False) -> str:
    """The review as text: cost (against the budget and the seed's figure), first-deploy time,
    policy result. The caller decides the exit status from ``result.violations``."""
    estimate = result.estimate
    sections = [cost.render(estimate, anchor_usd=cost.SEED_ANCHOR_USD, details=cost_details)]
    if result.budget_usd:
        sections.append(
            f"Against this stack's monthly budget ({cost.usd(result.budget_usd)}, its AWS "
            f"Budgets alert): the estimate is {estimate.total_usd / result.budget_usd:.0%} of it."
        )
    sections.append(deploy_time.render(result.deploy))
    sections.append(policy.render(result.violations))
    return "\n\n".join(sections)


def render_markdown(recording: Recording, stack_file: StackFile, result: Review) -> str:
    """The plan's summary for a pull-request comment: counts, cost per component, the
    first-deploy critical path, the policy result and the architecture as Mermaid (which GitHub
    renders in comments)."""
    estimate, budget = result.estimate, result.budget_usd
    of_budget = (
        f" ({estimate.total_usd / budget:.0%} of its {cost.usd(budget)} budget)" if budget else ""
    )
    policy_text = policy.render(result.violations)
    cloud = len(recording.cloud_resources())
    lines = [
        f"### Offline plan of `{stack_file.stack}`",
        "",
        f"**{len(recording.resources) - 1} resources** ({cloud} in the cloud) · "
        f"**{cost.usd(estimate.total_usd)}/month** estimated{of_budget}; the seed's figure is "
        f"{cost.usd(cost.SEED_ANCHOR_USD)} · **first deploy ~{result.deploy.minutes:.0f} min** · "
        f"**{policy_text.splitlines()[0]}**",
        "",
    ]
    if result.violations:
        lines += ["```text", policy_text, "```", ""]
    lines += [
        "<details><summary>Cost by component</summary>",
        "",
        "| component | per month |",
        "|---|---:|",
        *(f"| {name} | {cost.usd(amount)} |" for name, amount in estimate.by_component().items()),
        f"| **total** | **{cost.usd(estimate.total_usd)}** |",
        "",
        "</details>",
        "",
        "<details><summary>First-deploy critical path</summary>",
        "",
        "```text",
        deploy_time.render(result.deploy),
        "```",
        "",
        "</details>",
        "",
        "```mermaid",
        diagram.mermaid(recording, title=f"{stack_file.stack} stack architecture").rstrip(),
        "```",
    ]
    return "\n".join(lines) + "\n"


def _budget_usd(recording: Recording) -> float | None:
    """The monthly limit of the stack's cost budget, if it has one."""
    budgets = recording.all_of("aws:budgets/budget:Budget")
    amounts = [float(b["limitAmount"]) for b in budgets if b.get("timeUnit") == "MONTHLY"]
    return sum(amounts) or None


def _tree(
    recording: Recording, node: Registered, prefix: str, last: bool, *, is_root: bool = False
) -> Iterator[str]:
    flags = []
    if node.protect:
        flags.append("protect")
    if node.retain_on_delete:
        flags.append("retainOnDelete")
    if node.ignore_changes:
        flags.append("ignoreChanges=" + ",".join(node.ignore_changes))
    suffix = f"  [{'; '.join(flags)}]" if flags else ""
    branch = "" if is_root else ("└─ " if last else "├─ ")
    yield f"{prefix}{branch}{node.type}  {node.name}{suffix}"
    children = recording.children_of(node)
    # Components first (they group), then resources, each sorted by type and name.
    children.sort(key=lambda r: (r.custom, r.type, r.name))
    extension = "" if is_root else ("   " if last else "│  ")
    for index, child in enumerate(children):
        yield from _tree(recording, child, prefix + extension, index == len(children) - 1)


def to_json(recording: Recording, stack_file: StackFile) -> dict[str, Any]:
    """The full resource list with inputs (secrets masked), for tools and reviewers."""
    return {
        "project": stack_file.project,
        "stack": stack_file.stack,
        "region": stack_file.region,
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "parent": r.parent,
                "custom": r.custom,
                "provider": r.provider,
                "protect": r.protect,
                "retainOnDelete": r.retain_on_delete,
                "ignoreChanges": r.ignore_changes,
                "dependsOn": r.depends_on,
                "inputs": mask_secrets(r.inputs, r.secret_inputs),
            }
            for r in sorted(recording.resources, key=lambda r: r.urn)
        ],
        "outputs": {
            key: SECRET_MASK if key in recording.secret_outputs else value
            for key, value in sorted(recording.outputs.items())
        },
    }


def mask_secrets(value: Any, secret_paths: set[str], path: str = "") -> Any:
    """``value`` with every secret path (as recorded by the engine) replaced by a mask."""
    if (path or "<root>") in secret_paths:
        return SECRET_MASK
    if isinstance(value, dict):
        return {
            k: mask_secrets(v, secret_paths, f"{path}.{k}" if path else k) for k, v in value.items()
        }
    if isinstance(value, list):
        return [mask_secrets(v, secret_paths, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.plan", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--stack", required=True, help="stack name: Pulumi.<stack>.yaml")
    parser.add_argument("--json", metavar="FILE", help="also write the full resource list here")
    parser.add_argument(
        "--diagrams",
        metavar="DIR",
        help="write the architecture diagram here (<stack>.mmd; .svg/.png with Graphviz)",
    )
    parser.add_argument(
        "--markdown",
        metavar="FILE",
        help="also write a Markdown summary with the Mermaid diagram (the pull-request comment)",
    )
    parser.add_argument(
        "--cost-details",
        action="store_true",
        help="print every charge and usage assumption of the cost estimate",
    )
    parser.add_argument("--root", default=str(PROJECT_ROOT), help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    root = Path(options.root).resolve()

    try:
        stack_file = load_stack_file(options.stack, root)
    except (FileNotFoundError, yaml.YAMLError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    recording = run_stack(options.stack, root)
    if isinstance(recording.error, ConfigError):
        print(str(recording.error), file=sys.stderr)
        registered = len(recording.cloud_resources())
        print(f"({registered} resources registered)", file=sys.stderr)
        return 2
    if recording.error is not None:
        traceback.print_exception(recording.error, file=sys.stderr)
        return 1
    print(render(recording, stack_file))
    result = review(recording, stack_file)
    print("\n" + render_review(result, cost_details=options.cost_details))
    if options.diagrams:
        written = diagram.write_diagrams(recording, Path(options.diagrams), stack=options.stack)
        print("\nArchitecture diagram: " + ", ".join(str(path) for path in written))
    if options.markdown:
        Path(options.markdown).write_text(render_markdown(recording, stack_file, result))
        print(f"\nWrote {options.markdown}")
    if options.json:
        Path(options.json).write_text(
            json.dumps(to_json(recording, stack_file), indent=2, default=str) + "\n"
        )
        print(f"\nWrote {options.json}")
    return 1 if result.violations else 0


def _full_key(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _replace_secure(value: Any, path: str, found: list[bool]) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            found.append(True)
            return f"plan-placeholder-secret-{path.replace(':', '-').replace('.', '-')}"
        return {k: _replace_secure(v, f"{path}.{k}", found) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_secure(v, f"{path}[{i}]", found) for i, v in enumerate(value)]
    return value


def as_config_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


@contextlib.contextmanager
def _project_dir(root: Path) -> Iterator[None]:
    """Run as Pulumi does: from the project directory, with it importable."""
    previous = Path.cwd()
    sys.path.insert(0, str(root))
    os.chdir(root)
    try:
        yield
    finally:
        os.chdir(previous)
        with contextlib.suppress(ValueError):
            sys.path.remove(str(root))


def exit_now(code: int) -> NoReturn:
    """Leave at once, output flushed: the plan is written, and tearing down the ~1,600 SDK
    modules and half a million objects a plan leaves behind would take longer than a small
    stack's whole plan. Nothing else runs at exit (the engine's threads are idle)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    exit_now(main())
