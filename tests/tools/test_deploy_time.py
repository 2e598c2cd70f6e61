"""The first-deploy estimate (tools/deploy_time.py): the critical path through the resources."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from aws_web_platform.offline import Recording, Registered
from tests.conftest import RunProgram, with_aws
from tools.deploy_time import (
    TYPICAL_CREATE,
    DependencyCycleError,
    critical_path,
    dependency_edges,
    longest_path,
    render,
    table_markdown,
    typical_seconds,
)
from tools.plan import PROJECT_ROOT

CLUSTER = "aws:eks/cluster:Cluster"
RDS = "aws:rds/instance:Instance"
VPC = "aws:ec2/vpc:Vpc"


# --- The pure core on small known graphs ----------------------------------------------------


def test_a_chain_takes_the_sum_of_its_nodes_in_order() -> None:
    assert longest_path({"a": 1, "b": 2, "c": 3}, [("b", "c"), ("a", "b")]) == (6, ["a", "b", "c"])


def test_a_diamond_takes_its_slower_branch() -> None:
    nodes = {"a": 1, "fast": 2, "slow": 5, "d": 1}
    edges = [("a", "fast"), ("a", "slow"), ("fast", "d"), ("slow", "d")]
    assert longest_path(nodes, edges) == (7, ["a", "slow", "d"])


def test_disconnected_nodes_run_in_parallel_so_the_heaviest_alone_wins() -> None:
    assert longest_path({"a": 1, "b": 10, "c": 2}, [("a", "c")]) == (10, ["b"])


def test_an_empty_graph_takes_no_time() -> None:
    assert longest_path({}, []) == (0.0, [])


def test_a_cycle_is_an_error_naming_it() -> None:
    nodes = dict.fromkeys(["up", "a", "b", "c", "down"], 1.0)
    edges = [("up", "a"), ("a", "b"), ("b", "c"), ("c", "a"), ("c", "down")]
    with pytest.raises(DependencyCycleError, match="a -> b -> c -> a") as caught:
        longest_path(nodes, edges)
    assert caught.value.cycle == ["a", "b", "c", "a"]


def test_a_self_dependency_is_a_cycle() -> None:
    with pytest.raises(DependencyCycleError, match="x -> x"):
        longest_path({"x": 1}, [("x", "x")])


def test_an_edge_to_an_unknown_node_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown nodes: \\['ghost'\\]"):
        longest_path({"a": 1}, [("a", "ghost")])


# --- The graph of a recording -----------------------------------------------------------------


class Group(pulumi.ComponentResource):
    """A component holding a slow EKS cluster and a quick VPC."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions) -> None:
        super().__init__("test:index:Group", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.cluster = aws.eks.Cluster(
            f"{name}-cluster",
            role_arn="arn:role",
            vpc_config={"subnet_ids": ["subnet-1"]},
            opts=child,
        )
        self.vpc = aws.ec2.Vpc(f"{name}-vpc", cidr_block="10.0.0.0/16", opts=child)
        self.register_outputs({})


def _run(run_program: RunProgram, build: Callable[[pulumi.ResourceOptions], Any]) -> Recording:
    return run_program(with_aws(build))


def test_depending_on_a_component_waits_for_its_slowest_resource(
    run_program: RunProgram,
) -> None:
    def build(opts: pulumi.ResourceOptions) -> None:
        group = Group("group", opts)
        aws.s3.Bucket(
            "after",
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[group])),
        )

    rec = _run(run_program, build)
    after = rec.find("aws:s3/bucket:Bucket", "after")
    group = rec.find("test:index:Group", "group")
    # The Python SDK sends the component's custom children, not the component itself.
    assert group.urn not in after.depends_on
    assert rec.find(CLUSTER, "group-cluster").urn in after.depends_on
    estimate = critical_path(rec)
    assert [s.name for s in estimate.steps] == ["group-cluster", "after"]
    assert estimate.total_seconds == 600 + 5


def test_a_component_urn_in_depends_on_stands_for_all_its_custom_descendants() -> None:
    """What a remote component's dependents send: the component's URN itself."""
    stack = _record("urn:stack", "pulumi:pulumi:Stack", custom=False)
    group = _record("urn:group", "test:index:Group", custom=False, parent="urn:stack")
    inner = _record("urn:inner", "test:index:Inner", custom=False, parent="urn:group")
    cluster = _record("urn:cluster", CLUSTER, parent="urn:inner")
    vpc = _record("urn:vpc", VPC, parent="urn:group")
    after = _record("urn:after", VPC, parent="urn:stack", depends_on=["urn:group"])
    rec = Recording(resources=[stack, group, inner, cluster, vpc, after])
    assert dependency_edges(rec) == {("urn:cluster", "urn:after"), ("urn:vpc", "urn:after")}
    assert [s.urn for s in critical_path(rec).steps] == ["urn:cluster", "urn:after"]


def test_a_components_own_dependencies_hold_back_everything_inside_it(
    run_program: RunProgram,
) -> None:
    def build(opts: pulumi.ResourceOptions) -> None:
        first = aws.eks.Cluster(
            "first", role_arn="arn:role", vpc_config={"subnet_ids": ["subnet-1"]}, opts=opts
        )
        Group(
            "group", pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[first]))
        )

    rec = _run(run_program, build)
    assert rec.find(VPC, "group-vpc").depends_on == []  # the wait is the parent's, not its own
    edges = dependency_edges(rec)
    assert (rec.find(CLUSTER, "first").urn, rec.find(VPC, "group-vpc").urn) in edges
    assert critical_path(rec).total_seconds == 600 + 600


def test_a_resource_waits_for_what_its_provider_waits_for(run_program: RunProgram) -> None:
    def build(opts: pulumi.ResourceOptions) -> None:
        cluster = aws.eks.Cluster(
            "cluster", role_arn="arn:role", vpc_config={"subnet_ids": ["subnet-1"]}, opts=opts
        )
        late = aws.Provider("late", region=cluster.name.apply(lambda _: "eu-west-1"))
        aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16", opts=pulumi.ResourceOptions(provider=late))

    rec = _run(run_program, build)
    estimate = critical_path(rec)
    assert [s.name for s in estimate.steps] == ["cluster", "vpc"]
    assert all(not step.type.startswith("pulumi:providers:") for step in estimate.steps)


def test_a_custom_parent_comes_before_its_children() -> None:
    stack = _record("urn:stack", "pulumi:pulumi:Stack", custom=False)
    cluster = _record("urn:cluster", CLUSTER, parent="urn:stack")
    child = _record("urn:child", VPC, parent="urn:cluster")
    rec = Recording(resources=[stack, cluster, child])
    assert dependency_edges(rec) == {("urn:cluster", "urn:child")}


def test_a_cycle_between_resources_names_their_types_and_names() -> None:
    stack = _record("urn:stack", "pulumi:pulumi:Stack", custom=False)
    one = _record("urn:one", VPC, name="one", parent="urn:stack", depends_on=["urn:two"])
    two = _record("urn:two", VPC, name="two", parent="urn:stack", depends_on=["urn:one"])
    with pytest.raises(DependencyCycleError, match=f"{VPC} one -> {VPC} two -> {VPC} one"):
        critical_path(Recording(resources=[stack, one, two]))


def test_durations_override_the_typical_table(run_program: RunProgram) -> None:
    rec = _run(run_program, lambda opts: Group("group", opts))
    assert critical_path(rec).total_seconds == 600
    faster = critical_path(rec, durations={CLUSTER: 60, VPC: 90})
    assert faster.total_seconds == 90
    assert [s.name for s in faster.steps] == ["group-vpc"]


# --- The table -------------------------------------------------------------------------------


def test_a_read_replica_and_a_multi_az_primary_have_their_own_durations(
    stack_run: Callable[[str], Recording],
) -> None:
    prod = stack_run("prod")
    assert typical_seconds(prod.find(RDS, "platform-database-primary")) == (
        f"{RDS}[multi-az]",
        900,
    )
    assert typical_seconds(prod.find(RDS, "platform-database-replica-1"))[0] == f"{RDS}[replica]"
    assert typical_seconds(stack_run("dev").find(RDS, "platform-database-primary"))[0] == RDS


def test_custom_timeouts_are_upper_bounds_not_estimates(
    stack_run: Callable[[str], Recording],
) -> None:
    validation = stack_run("dev").find(
        "aws:acm/certificateValidation:CertificateValidation", "platform-edge-cdn-cert-validation"
    )
    assert validation.custom_timeouts == {"create": "45m"}
    assert typical_seconds(validation)[1] == 180


def test_unlisted_types_fall_back_to_their_package_then_the_default() -> None:
    assert typical_seconds(_record("u1", "kubernetes:core/v1:ConfigMap")) == ("kubernetes:*", 3)
    assert typical_seconds(_record("u2", "random:index/randomPassword:RandomPassword"))[1] == 0
    assert typical_seconds(_record("u3", "aws:sns/topic:Topic")) == ("*", 5)


def test_every_figure_states_its_source_or_reasoning() -> None:
    assert all(len(typical.basis) > 20 for typical in TYPICAL_CREATE.values())


def test_the_docs_list_the_table_as_the_code_has_it() -> None:
    assert table_markdown() in (PROJECT_ROOT / "docs" / "plan-estimates.md").read_text()


# --- The real stacks ---------------------------------------------------------------------------


def test_each_stack_path_starts_with_no_dependency_and_crosses_the_cluster_or_database(
    stack_name: str, stack_run: Callable[[str], Recording]
) -> None:
    rec = stack_run(stack_name)
    estimate = critical_path(rec)
    first = estimate.steps[0]
    assert not any(after == first.urn for _, after in dependency_edges(rec))
    assert {CLUSTER, RDS} & {step.type for step in estimate.steps}
    assert estimate.steps[-1].finish == estimate.total_seconds
    assert all(
        a.finish == b.start for a, b in zip(estimate.steps, estimate.steps[1:], strict=False)
    )


def test_dev_is_gated_by_the_cluster_then_its_nodes_addons_roles_and_migrations(
    stack_run: Callable[[str], Recording],
) -> None:
    steps = critical_path(stack_run("dev")).steps
    types = [step.type for step in steps]
    names = [step.name for step in steps]
    assert types.index(CLUSTER) < types.index("aws:eks/nodeGroup:NodeGroup")
    assert names.index("platform-database-roles-job") < names.index("platform-app-api-migrate")


def test_prod_is_gated_by_the_primary_database_then_a_read_replica(
    stack_run: Callable[[str], Recording],
) -> None:
    estimate = critical_path(stack_run("prod"))
    names = [step.name for step in estimate.steps]
    assert names.index("platform-database-primary") + 1 == names.index(
        "platform-database-replica-1"
    )
    assert 25 <= estimate.minutes <= 45


def test_render_states_the_total_the_assumption_and_each_resource_on_the_path(
    stack_run: Callable[[str], Recording],
) -> None:
    estimate = critical_path(stack_run("prod"))
    text = render(estimate)
    assert text.startswith(f"Estimated first deploy: ~{round(estimate.minutes)} min (critical path")
    assert "unlimited parallelism" in text
    assert "  0:20    15:20   15 min  aws:rds/instance:Instance  platform-database-primary" in text
    assert len(text.splitlines()) == 2 + len(estimate.steps)


# --- Helpers -----------------------------------------------------------------------------------


def _record(
    urn: str,
    type_: str,
    *,
    name: str | None = None,
    custom: bool = True,
    parent: str | None = None,
    depends_on: list[str] | None = None,
) -> Registered:
    return Registered(
        urn=urn,
        type=type_,
        name=name or urn,
        custom=custom,
        parent=parent,
        provider=None,
        inputs={},
        secret_inputs=set(),
        outputs={},
        secret_outputs=set(),
        id=None,
        protect=False,
        retain_on_delete=False,
        delete_before_replace=False,
        ignore_changes=[],
        replace_on_changes=[],
        depends_on=depends_on or [],
        aliases=[],
        additional_secret_outputs=[],
        import_id=None,
    )
