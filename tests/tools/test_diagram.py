"""Architecture diagrams (tools/diagram.py): Mermaid and Graphviz from the resource graph."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest

from aws_web_platform.offline import Recording
from tests.conftest import RunProgram, with_aws
from tools import diagram
from tools.diagram import (
    DiagramWarning,
    dot,
    dot_quote,
    find_renderer,
    mermaid,
    mermaid_escape,
    write_diagrams,
)

# GitHub renders Mermaid up to 500 edges and 50,000 characters; a readable picture is far less.
NODE_LIMIT = 100


class Net(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions) -> None:
        super().__init__("test:index:Net", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        vpc = aws.ec2.Vpc(f"{name}-vpc", cidr_block="10.0.0.0/16", opts=child)
        self.subnets = [
            aws.ec2.Subnet(f"{name}-{zone}", vpc_id=vpc.id, cidr_block=cidr, opts=child)
            for zone, cidr in [("a", "10.0.0.0/24"), ("b", "10.0.1.0/24")]
        ]
        aws.ec2.RouteTable(f"{name}-routes", vpc_id=vpc.id, opts=child)
        self.register_outputs({})


class Db(pulumi.ComponentResource):
    def __init__(self, name: str, net: Net, opts: pulumi.ResourceOptions) -> None:
        super().__init__("test:index:Db", name, None, opts)
        aws.rds.Instance(
            f"{name}-instance",
            instance_class="db.t4g.micro",
            engine="postgres",
            allocated_storage=20,
            db_subnet_group_name=net.subnets[0].id,  # a property dependency on the network
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})


@pytest.fixture
def small(run_program: RunProgram) -> Recording:
    """A network component and a database component that depends on it."""

    def build(opts: pulumi.ResourceOptions) -> None:
        Db("db", Net("net", opts), opts)

    return run_program(with_aws(build))


def test_mermaid_has_a_subgraph_per_component_a_node_per_type_and_edges_between_them(
    small: Recording,
) -> None:
    text = mermaid(small, title="small")
    assert text.startswith('---\ntitle: "small"\n---\nflowchart LR\n')
    expected = [
        '  subgraph gDb["Db: db"]',
        '    nDbRdsInstance["rds Instance"]',
        "  end",
        '  subgraph gNet["Net: net"]',
        '    nNetEc2Vpc["ec2 Vpc"]',
        '    nNetEc2Subnet["ec2 Subnet (2)"]',
        '    nNetMore["1 more: ec2"]',
        "  end",
        "  gNet --> gDb",
    ]
    assert text.splitlines()[4:] == expected


def test_providers_are_not_drawn(small: Recording) -> None:
    assert "provider" not in mermaid(small, title="small").lower()


def test_sibling_components_of_one_type_share_a_box_with_their_count(
    run_program: RunProgram,
) -> None:
    def build(opts: pulumi.ResourceOptions) -> None:
        Net("blue", opts)
        Net("green", opts)

    text = mermaid(run_program(with_aws(build)), title="two")
    assert '  subgraph gNet["Net (2)"]' in text
    assert '    nNetEc2Subnet["ec2 Subnet (4)"]' in text
    assert text.count("subgraph") == 1


def test_labels_are_escaped_and_ids_stay_alphanumeric(run_program: RunProgram) -> None:
    name = 'net "quoted" <b> #1'

    def build(opts: pulumi.ResourceOptions) -> None:
        Net(name, opts)

    text = mermaid(run_program(with_aws(build)), title='the "x" stack')
    assert 'title: "the \\"x\\" stack"' in text
    assert '["Net: net #quot;quoted#quot; #lt;b#gt; #35;1"]' in text
    ids = re.findall(r"^\s*(?:subgraph )?(\w+)\[", text, flags=re.MULTILINE)
    assert ids and all(re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", i) for i in ids)


def test_mermaid_escape_replaces_what_would_end_or_mark_up_a_label() -> None:
    assert mermaid_escape('a "b" <c>\n#d') == "a #quot;b#quot; #lt;c#gt; #35;d"


def test_dot_quote_escapes_backslashes_and_quotes() -> None:
    assert dot_quote('a "b" \\ c') == '"a \\"b\\" \\\\ c"'


def test_dot_has_a_node_per_component_listing_its_types_and_the_edges(small: Recording) -> None:
    text = dot(small, title="small")
    assert text.startswith('digraph "small" {')
    assert '  gNet [label="Net: net\\nec2 Vpc\\lec2 Subnet (2)\\l1 more: ec2\\l"];' in text
    assert '  gDb [label="Db: db\\nrds Instance\\l"];' in text
    assert "  gNet -> gDb;" in text
    assert text.rstrip().endswith("}")


def test_the_dev_diagram_stays_small_enough_to_read_and_render(
    stack_run: Callable[[str], Recording],
) -> None:
    text = mermaid(stack_run("dev"), title="dev")
    nodes = re.findall(r'^    \w+\["', text, flags=re.MULTILINE)
    edges = re.findall(r"^  \w+ --> \w+$", text, flags=re.MULTILINE)
    assert 10 < len(nodes) < NODE_LIMIT
    assert 0 < len(edges) < NODE_LIMIT
    assert len(text) < 20_000
    for box in ("Network: platform-network", "Cluster: platform-cluster", "Edge: platform-edge"):
        assert f'["{box}"]' in text
    assert "  gNetwork --> gCluster" in text


def test_write_diagrams_writes_mermaid_and_images_with_the_venv_renderer(
    small: Recording, tmp_path: Path
) -> None:
    assert find_renderer() is not None, "graphviz-pure is a dev dependency in the venv"
    written = write_diagrams(small, tmp_path, stack="small")
    assert [p.name for p in written] == ["small.mmd", "small.svg", "small.png"]
    assert (tmp_path / "small.mmd").read_text() == mermaid(small, title="small stack architecture")
    assert "<svg" in (tmp_path / "small.svg").read_text()
    assert (tmp_path / "small.png").read_bytes().startswith(b"\x89PNG")


def test_without_a_renderer_only_the_mermaid_text_is_written(
    small: Recording, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(diagram, "find_renderer", lambda: None)
    assert write_diagrams(small, tmp_path, stack="small") == [tmp_path / "small.mmd"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.mmd"]


def test_a_failing_renderer_warns_and_keeps_the_mermaid_text(
    small: Recording, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(diagram, "find_renderer", lambda: Path("/bin/false"))
    with pytest.warns(DiagramWarning, match="could not render small.svg"):
        written = write_diagrams(small, tmp_path, stack="small")
    assert written == [tmp_path / "small.mmd"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.mmd"]


def test_the_renderer_is_found_next_to_the_interpreter_when_not_on_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", "")
    assert find_renderer() == Path(sys.executable).parent / "graphviz-pure"
