"""How long a first ``pulumi up`` of a stack takes: the critical path through its resources.

Pulumi creates resources in parallel (``pulumi up --parallel`` defaults to unbounded), each as
soon as everything it depends on exists. The time of a first deploy is therefore not the sum of
the create times (a meaningless "serial" figure this module never prints) but the longest chain
of dependencies, weighted by how long each resource typically takes to create: an EKS cluster
after its subnets and key, the node groups after it, the add-ons after them, and so on.

The graph comes from the offline plan's :class:`~aws_web_platform.offline.Recording`, so it is
exactly
the one the engine would get:

* one node per cloud resource (custom resources other than providers);
* an edge from each URN in ``Registered.depends_on`` (the SDK's ``dependencies``: explicit
  ``depends_on`` plus every property dependency). The Python SDK already replaces a local
  component by its custom children there (``pulumi/runtime/rpc.py::_add_dependency``); a component
  URN that still arrives (a remote component) stands for all of its custom descendants;
* the SDK waits for a resource's parent before registering it, so a component's own dependencies
  hold back every resource inside it, and a custom parent comes before its children;
* providers take no time but pass their dependencies on: a Kubernetes resource waits, through its
  provider, for the cluster and node groups the provider's kubeconfig comes from.

Durations are the typical create times of :data:`TYPICAL_CREATE` (docs/plan-estimates.md lists
them with their sources). ``customTimeouts`` are deliberately ignored: they are upper bounds the
provider gives up at (a 45-minute certificate validation usually takes two or three), not
estimates. Resources created inside an ``apply`` callback hide their dependencies from the
engine and from this estimate alike.

    from tools.deploy_time import critical_path, render
    print(render(critical_path(run_stack("prod"))))
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from aws_web_platform.offline import Recording, Registered


@dataclass(frozen=True)
class Typical:
    """A typical create duration and where the figure comes from."""

    seconds: float
    basis: str


_R53_PROPAGATION = (
    "AWS Route 53 Developer Guide: changes 'generally propagate to all Route 53 name servers "
    "within 60 seconds'; the provider waits for INSYNC"
)

# Keys: a type token; ``<type>[<variant>]`` for a variant of it (see ``variant_of``); ``<pkg>:*``
# for a package's default; ``*`` for everything else. Figures marked "typical, observed" are the
# durations commonly seen in deploy logs, not a documented AWS figure: no AWS document states a
# create time for them, only states the resource passes through while being created.
TYPICAL_CREATE: dict[str, Typical] = {
    # --- Compute -------------------------------------------------------------------------
    "aws:eks/cluster:Cluster": Typical(
        600,
        "AWS EKS API reference (CreateCluster): 'in most cases, it takes several minutes'; "
        "aws/containers-roadmap#1227 tracked an average of 15 min while AWS cut it; "
        "8-12 min typical, observed",
    ),
    "aws:eks/nodeGroup:NodeGroup": Typical(
        240, "EC2 launch, bootstrap and join until ACTIVE: 3-5 min typical, observed"
    ),
    "aws:eks/addon:Addon": Typical(
        90, "until ACTIVE, needs schedulable nodes: 1-2 min typical, observed"
    ),
    # --- Network -------------------------------------------------------------------------
    "aws:ec2/natGateway:NatGateway": Typical(
        120,
        "pending until available: 1-2 min typical, observed (the AWS CLI waiter "
        "nat-gateway-available allows 40 x 15 s, an upper bound)",
    ),
    "aws:ec2/vpcEndpoint:VpcEndpoint[Interface]": Typical(
        90, "interface endpoint ENIs, pending until available: 1-2 min typical, observed"
    ),
    "aws:ec2/vpcEndpoint:VpcEndpoint": Typical(10, "gateway endpoint: route table entries only"),
    # --- Data ----------------------------------------------------------------------------
    "aws:rds/instance:Instance": Typical(
        600, "single-AZ, creating until available: 8-12 min typical, observed"
    ),
    "aws:rds/instance:Instance[multi-az]": Typical(
        900, "Multi-AZ adds the synchronous standby: 12-18 min typical, observed"
    ),
    "aws:rds/instance:Instance[replica]": Typical(
        900,
        "AWS RDS User Guide: creating a read replica takes a DB snapshot of the source, then "
        "starts replication; 10-20 min typical, observed",
    ),
    "aws:rds/proxy:Proxy": Typical(300, "creating until available: 3-6 min typical, observed"),
    "aws:rds/proxyTarget:ProxyTarget": Typical(
        30, "target registration; the proxy's health checks continue afterwards"
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": Typical(
        720, "creating until available, longer with Multi-AZ replicas: 10-15 min typical, observed"
    ),
    "aws:kms/key:Key": Typical(15, "API call plus the provider's propagation wait"),
    # --- Edge ----------------------------------------------------------------------------
    "aws:cloudfront/distribution:Distribution": Typical(
        360,
        "the provider waits for InProgress -> Deployed (waitForDeployment defaults to true); "
        "AWS CloudFront Developer Guide (older edition): propagation 'can take 15 minutes'; "
        "3-8 min typical, observed",
    ),
    "aws:acm/certificateValidation:CertificateValidation": Typical(
        180,
        "ACM checks the Route 53 CNAME; ACM's API reference: it retries for 72 hours (an upper "
        "bound); 2-5 min typical, observed",
    ),
    "aws:lb/loadBalancer:LoadBalancer": Typical(
        180,
        "ELB API reference: state provisioning until active, which the provider waits for; "
        "2-4 min typical, observed",
    ),
    "aws:wafv2/webAcl:WebAcl": Typical(30, "API call; tens of seconds typical, observed"),
    "aws:route53/zone:Zone": Typical(45, _R53_PROPAGATION),
    "aws:route53/record:Record": Typical(45, _R53_PROPAGATION),
    # --- Identity ------------------------------------------------------------------------
    "aws:iam/role:Role": Typical(
        10, "API call plus the provider's retries for IAM eventual consistency"
    ),
    # --- Kubernetes ----------------------------------------------------------------------
    "kubernetes:helm.sh/v3:Release": Typical(
        120, "the chart's workloads until ready (the release waits): 1-3 min typical, observed"
    ),
    "kubernetes:helm.sh/v3:Release[kube-prometheus-stack]": Typical(
        240, "CRDs, operator, Prometheus, Grafana and exporters: 3-5 min typical, observed"
    ),
    "kubernetes:apps/v1:Deployment": Typical(
        90, "Pulumi waits for the rollout: image pull plus readiness, 1-2 min typical, observed"
    ),
    "kubernetes:batch/v1:Job": Typical(
        90, "Pulumi waits for completion (a migration): 1-2 min typical, observed"
    ),
    "kubernetes:*": Typical(3, "API server call; no readiness to wait for"),
    # --- Defaults ------------------------------------------------------------------------
    "random:*": Typical(0, "computed by the provider locally, no cloud call"),
    "docker:index/image:Image": Typical(
        240,
        "docker build of an app image and its push to ECR (platform:registry.images.<app>.build): "
        "a few minutes for a Node.js image with cached layers, typical, observed",
    ),
    "*": Typical(5, "a control-plane API call without a wait: seconds"),
}

#: The shared classes of :data:`CREATE_CLASS_OF`: keys of :data:`TYPICAL_CREATE`.
API_CALL = "*"
KUBERNETES_OBJECT = "kubernetes:*"
LOCAL = "random:*"

#: Resource types whose create time is a class shared with others: a plain control-plane call
#: (``*``), a Kubernetes object with nothing to wait for (``kubernetes:*``), something computed
#: locally (``random:*``). Every type the stacks register is a key of :data:`TYPICAL_CREATE` or
#: listed here (the offline catalogue test holds them to it): a new type cannot silently take the
#: default.
CREATE_CLASS_OF: dict[str, str] = {
    "aws:acm/certificate:Certificate": API_CALL,
    "aws:backup/plan:Plan": API_CALL,
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": API_CALL,
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": API_CALL,
    "aws:backup/selection:Selection": API_CALL,
    "aws:backup/vault:Vault": API_CALL,
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": API_CALL,
    "aws:backup/vaultNotifications:VaultNotifications": API_CALL,
    "aws:backup/vaultPolicy:VaultPolicy": API_CALL,
    "aws:budgets/budget:Budget": API_CALL,
    "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration": API_CALL,
    "aws:cloudfront/cachePolicy:CachePolicy": API_CALL,
    "aws:cloudfront/function:Function": API_CALL,
    "aws:cloudfront/monitoringSubscription:MonitoringSubscription": API_CALL,
    "aws:cloudfront/originAccessControl:OriginAccessControl": API_CALL,
    "aws:cloudfront/originRequestPolicy:OriginRequestPolicy": API_CALL,
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": API_CALL,
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": API_CALL,
    "aws:cloudwatch/dashboard:Dashboard": API_CALL,
    "aws:cloudwatch/logDelivery:LogDelivery": API_CALL,
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": API_CALL,
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": API_CALL,
    "aws:cloudwatch/logGroup:LogGroup": API_CALL,
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": API_CALL,
    "aws:cloudwatch/metricAlarm:MetricAlarm": API_CALL,
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": API_CALL,
    "aws:ec2/eip:Eip": API_CALL,
    "aws:ec2/flowLog:FlowLog": API_CALL,
    "aws:ec2/internetGateway:InternetGateway": API_CALL,
    "aws:ec2/launchTemplate:LaunchTemplate": API_CALL,
    "aws:ec2/route:Route": API_CALL,
    "aws:ec2/routeTable:RouteTable": API_CALL,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": API_CALL,
    "aws:ec2/securityGroup:SecurityGroup": API_CALL,
    "aws:ec2/subnet:Subnet": API_CALL,
    "aws:ec2/vpc:Vpc": API_CALL,
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": API_CALL,
    "aws:ecr/repository:Repository": API_CALL,
    "aws:eks/accessEntry:AccessEntry": API_CALL,
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": API_CALL,
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": API_CALL,
    "aws:elasticache/parameterGroup:ParameterGroup": API_CALL,
    "aws:elasticache/subnetGroup:SubnetGroup": API_CALL,
    "aws:iam/instanceProfile:InstanceProfile": API_CALL,
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": API_CALL,
    "aws:iam/policy:Policy": API_CALL,
    "aws:iam/rolePolicy:RolePolicy": API_CALL,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": API_CALL,
    "aws:kms/alias:Alias": API_CALL,
    "aws:lb/listener:Listener": API_CALL,
    "aws:lb/listenerRule:ListenerRule": API_CALL,
    "aws:lb/targetGroup:TargetGroup": API_CALL,
    "aws:rds/parameterGroup:ParameterGroup": API_CALL,
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": API_CALL,
    "aws:rds/subnetGroup:SubnetGroup": API_CALL,
    "aws:s3/bucket:Bucket": API_CALL,
    "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration": API_CALL,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": API_CALL,
    "aws:s3/bucketLogging:BucketLogging": API_CALL,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": API_CALL,
    "aws:s3/bucketPolicy:BucketPolicy": API_CALL,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": API_CALL,
    (
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    ): API_CALL,
    "aws:s3/bucketVersioning:BucketVersioning": API_CALL,
    "aws:secretsmanager/secret:Secret": API_CALL,
    "aws:secretsmanager/secretVersion:SecretVersion": API_CALL,
    "aws:sns/topic:Topic": API_CALL,
    "aws:sns/topicPolicy:TopicPolicy": API_CALL,
    "aws:sns/topicSubscription:TopicSubscription": API_CALL,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": API_CALL,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": API_CALL,
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": API_CALL,
    "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy": KUBERNETES_OBJECT,
    (
        "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding"
    ): KUBERNETES_OBJECT,
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": KUBERNETES_OBJECT,
    # Created and left: Pulumi does not wait for a CronJob's runs.
    "kubernetes:batch/v1:CronJob": KUBERNETES_OBJECT,
    "kubernetes:core/v1:ConfigMap": KUBERNETES_OBJECT,
    "kubernetes:core/v1:LimitRange": KUBERNETES_OBJECT,
    "kubernetes:core/v1:Namespace": KUBERNETES_OBJECT,
    "kubernetes:core/v1:ResourceQuota": KUBERNETES_OBJECT,
    "kubernetes:core/v1:Secret": KUBERNETES_OBJECT,
    "kubernetes:core/v1:Service": KUBERNETES_OBJECT,
    "kubernetes:core/v1:ServiceAccount": KUBERNETES_OBJECT,
    "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding": KUBERNETES_OBJECT,
    "kubernetes:external-secrets.io/v1:ClusterSecretStore": KUBERNETES_OBJECT,
    "kubernetes:external-secrets.io/v1:ExternalSecret": KUBERNETES_OBJECT,
    "kubernetes:monitoring.coreos.com/v1:PrometheusRule": KUBERNETES_OBJECT,
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": KUBERNETES_OBJECT,
    "kubernetes:policy/v1:PodDisruptionBudget": KUBERNETES_OBJECT,
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole": KUBERNETES_OBJECT,
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": KUBERNETES_OBJECT,
    "kubernetes:storage.k8s.io/v1:StorageClass": KUBERNETES_OBJECT,
    "random:index/randomPassword:RandomPassword": LOCAL,
}

_RDS_INSTANCE = "aws:rds/instance:Instance"
_VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
_HELM_RELEASE = "kubernetes:helm.sh/v3:Release"


def variant_of(resource: Registered) -> str | None:
    """The variant of a type whose create time depends on its inputs, if any."""
    if resource.type == _RDS_INSTANCE:
        if resource.get("replicateSourceDb"):
            return "replica"
        if resource.get("multiAz"):
            return "multi-az"
    elif resource.type == _VPC_ENDPOINT:
        return str(resource.get("vpcEndpointType") or "Gateway")
    elif resource.type == _HELM_RELEASE:
        chart = resource.get("chart")
        return str(chart) if chart else None
    return None


def typical_seconds(
    resource: Registered, durations: Mapping[str, float] | None = None
) -> tuple[str, float]:
    """The table key that applies to ``resource`` and its duration in seconds.

    Lookup order: ``<type>[<variant>]``, ``<type>``, ``<package>:*``, ``*``; ``durations``
    (seconds by the same keys) overrides the table.
    """
    table = {key: typical.seconds for key, typical in TYPICAL_CREATE.items()}
    table.update(durations or {})
    variant = variant_of(resource)
    keys = [f"{resource.type}[{variant}]"] if variant else []
    keys += [resource.type, CREATE_CLASS_OF.get(resource.type, ""), f"{resource.package}:*", "*"]
    for key in keys:
        if key in table:
            return key, float(table[key])
    raise AssertionError("unreachable: '*' is always in the table")


def create_class(type_: str) -> str | None:
    """The explicit create-time entry of a resource type (its own key of
    :data:`TYPICAL_CREATE`, or its class), or None when only a default would apply."""
    if any(key.split("[", 1)[0] == type_ for key in TYPICAL_CREATE):
        return type_
    return CREATE_CLASS_OF.get(type_)


# --------------------------------------------------------------------------------------------
# The pure core
# --------------------------------------------------------------------------------------------


class DependencyCycleError(ValueError):
    """The graph has a cycle, so no order of creation exists."""

    def __init__(self, cycle: list[str]) -> None:
        self.cycle = cycle
        super().__init__("dependency cycle: " + " -> ".join(cycle))


def longest_path(
    nodes: Mapping[str, float], edges: Iterable[tuple[str, str]]
) -> tuple[float, list[str]]:
    """The heaviest path of a DAG: its total weight and its nodes, first to last.

    ``nodes`` maps a node to its weight (a duration); an edge ``(a, b)`` means ``b`` starts after
    ``a`` finishes. Ties are broken by node name so the answer is deterministic. Raises
    :class:`DependencyCycleError` naming one cycle, or ``ValueError`` for an edge to an unknown
    node.
    """
    successors: dict[str, set[str]] = {node: set() for node in nodes}
    predecessors: dict[str, set[str]] = {node: set() for node in nodes}
    for before, after in edges:
        unknown = [n for n in (before, after) if n not in nodes]
        if unknown:
            raise ValueError(f"edge {before!r} -> {after!r} names unknown nodes: {unknown}")
        successors[before].add(after)
        predecessors[after].add(before)

    # Kahn's algorithm, smallest name first, so ties resolve the same way on every run.
    waiting = {node: len(preds) for node, preds in predecessors.items()}
    ready = [node for node, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    finish: dict[str, float] = {}
    via: dict[str, str | None] = {}
    while ready:
        node = heapq.heappop(ready)
        best = max(sorted(predecessors[node]), key=lambda p: finish[p], default=None)
        finish[node] = nodes[node] + (finish[best] if best is not None else 0.0)
        via[node] = best
        for successor in successors[node]:
            waiting[successor] -= 1
            if waiting[successor] == 0:
                heapq.heappush(ready, successor)
    if len(finish) < len(nodes):
        raise DependencyCycleError(_a_cycle({n for n in nodes if n not in finish}, successors))
    if not finish:
        return 0.0, []

    last: str | None = max(sorted(finish), key=lambda n: finish[n])
    total = finish[last]
    path: list[str] = []
    while last is not None:
        path.append(last)
        last = via[last]
    return total, path[::-1]


def _a_cycle(stuck: set[str], successors: Mapping[str, set[str]]) -> list[str]:
    """One cycle among the nodes Kahn's algorithm could not order, closed (first == last).

    A node left over either sits on a cycle or downstream of one. Pruning the nodes with no
    way forward inside the leftovers keeps only nodes that can walk on forever, so a walk from
    any of them repeats a node, closing a cycle.
    """
    remaining = set(stuck)
    pruned = True
    while pruned:
        dead_ends = {node for node in remaining if not successors[node] & remaining}
        remaining -= dead_ends
        pruned = bool(dead_ends)
    node = min(remaining)
    seen: dict[str, int] = {}
    walk: list[str] = []
    while node not in seen:
        seen[node] = len(walk)
        walk.append(node)
        node = min(successors[node] & remaining)
    return [*walk[seen[node] :], node]


# --------------------------------------------------------------------------------------------
# The resource graph of a recording
# --------------------------------------------------------------------------------------------


def dependency_edges(recording: Recording) -> set[tuple[str, str]]:
    """``(dependency, dependent)`` URN pairs between the cloud resources of ``recording``.

    What a resource waits for before the engine creates it: its own ``depends_on``, the
    ``depends_on`` of every component it sits in, its nearest custom ancestor, and, through its
    provider, what that provider waits for. Component URNs are expanded to their custom
    descendants; providers are passed through, never endpoints.
    """
    by_urn = {r.urn: r for r in recording.resources}
    children: dict[str, list[Registered]] = {}
    for resource in recording.resources:
        if resource.parent:
            children.setdefault(resource.parent, []).append(resource)

    def custom_descendants(component: Registered) -> list[Registered]:
        found: list[Registered] = []
        frontier = list(children.get(component.urn, []))
        while frontier:
            node = frontier.pop()
            if node.custom:
                found.append(node)
            frontier.extend(children.get(node.urn, []))
        return found

    def expand(urn: str) -> list[Registered]:
        target = by_urn.get(urn)
        if target is None:
            return []  # e.g. a resource outside the recording; nothing to wait for here
        return [target] if target.custom else custom_descendants(target)

    def raw_waits(resource: Registered) -> list[Registered]:
        waits = [d for urn in resource.depends_on for d in expand(urn)]
        parent = by_urn.get(resource.parent) if resource.parent else None
        while parent is not None:
            if parent.custom:
                waits.append(parent)
                break  # the custom parent itself waited for everything further up
            waits.extend(d for urn in parent.depends_on for d in expand(urn))
            parent = by_urn.get(parent.parent) if parent.parent else None
        provider = _provider_of(resource, by_urn)
        if provider is not None:
            waits.append(provider)
        return waits

    through_provider: dict[str, set[str]] = {}

    def waits_of(resource: Registered, visiting: frozenset[str] = frozenset()) -> set[str]:
        """Cloud-resource URNs ``resource`` waits for, providers replaced by their own waits."""
        found: set[str] = set()
        for dependency in raw_waits(resource):
            if dependency.urn == resource.urn:
                continue  # a component's own descendant: the SDK would deadlock, not wait
            if dependency.is_provider:
                if dependency.urn in visiting:
                    continue
                if dependency.urn not in through_provider:
                    through_provider[dependency.urn] = waits_of(
                        dependency, visiting | {dependency.urn}
                    )
                found |= through_provider[dependency.urn]
            else:
                found.add(dependency.urn)
        return found

    return {
        (dependency, resource.urn)
        for resource in recording.cloud_resources()
        for dependency in waits_of(resource)
    }


def _provider_of(resource: Registered, by_urn: Mapping[str, Registered]) -> Registered | None:
    if not resource.custom or not resource.provider:
        return None
    return by_urn.get(resource.provider.rsplit("::", 1)[0])  # a reference is "<urn>::<id>"


# --------------------------------------------------------------------------------------------
# The estimate
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One resource on the critical path, with when it starts and finishes (seconds)."""

    urn: str
    type: str
    name: str
    seconds: float
    start: float
    finish: float
    key: str
    """The :data:`TYPICAL_CREATE` key its duration came from."""


@dataclass(frozen=True)
class DeployEstimate:
    """A first deploy's duration: the critical path, assuming unlimited parallelism."""

    total_seconds: float
    steps: tuple[Step, ...]
    resource_count: int
    """Cloud resources in the graph (the path is one chain through them)."""

    @property
    def minutes(self) -> float:
        return self.total_seconds / 60


def critical_path(
    recording: Recording, *, durations: Mapping[str, float] | None = None
) -> DeployEstimate:
    """The longest chain of dependencies through ``recording``'s cloud resources.

    ``durations`` overrides :data:`TYPICAL_CREATE` by key (seconds). Raises
    :class:`DependencyCycleError` naming the resources of a cycle.
    """
    cloud = {r.urn: r for r in recording.cloud_resources()}
    weights = {urn: typical_seconds(r, durations) for urn, r in cloud.items()}
    try:
        total, path = longest_path(
            {urn: seconds for urn, (_, seconds) in weights.items()}, dependency_edges(recording)
        )
    except DependencyCycleError as error:
        names = [f"{cloud[u].type} {cloud[u].name}" for u in error.cycle]
        raise DependencyCycleError(names) from None
    steps: list[Step] = []
    clock = 0.0
    for urn in path:
        key, seconds = weights[urn]
        resource = cloud[urn]
        steps.append(Step(urn, resource.type, resource.name, seconds, clock, clock + seconds, key))
        clock += seconds
    return DeployEstimate(total, tuple(steps), len(cloud))


def render(estimate: DeployEstimate) -> str:
    """The estimate as text: the total, then each resource on the path with its timing."""
    count = len(estimate.steps)
    lines = [
        f"Estimated first deploy: ~{_rounded(estimate.total_seconds)} (critical path of "
        f"{count} resource{'s' if count != 1 else ''} out of {estimate.resource_count}; typical "
        "create times, unlimited parallelism as `pulumi up` defaults to)",
    ]
    if estimate.steps:
        lines.append(f"  {'start':>7}  {'finish':>7}  {'takes':>7}  resource")
    for step in estimate.steps:
        lines.append(
            f"  {_clock(step.start):>7}  {_clock(step.finish):>7}  {_duration(step.seconds):>7}"
            f"  {step.type}  {step.name}"
        )
    return "\n".join(lines)


def table_markdown() -> str:
    """:data:`TYPICAL_CREATE` as a Markdown table (docs/plan-estimates.md embeds it)."""
    lines = ["| resource (type[variant]) | typical create | source or reasoning |", "|---|---|---|"]
    for key, typical in TYPICAL_CREATE.items():
        lines.append(f"| `{key}` | {_duration(typical.seconds)} | {typical.basis} |")
    return "\n".join(lines)


def _rounded(seconds: float) -> str:
    return f"{round(seconds)} s" if seconds < 90 else f"{round(seconds / 60)} min"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:g} s"
    minutes = seconds / 60
    return f"{minutes:g} min" if minutes == int(minutes) else f"{minutes:.1f} min"


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"
