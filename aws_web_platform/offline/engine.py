"""A recording mock engine: run a Pulumi program in-process, without a cloud or the Pulumi CLI.

Used by the offline plan (``tools/plan.py``), by this project's tests, and by platform engineers
testing programs built from these components::

    from aws_web_platform.offline.engine import run
    rec = run(lambda: Network("net", NetworkArgs(az_count=2)), region="eu-west-1")
    assert len(rec.all_of("aws:ec2/natGateway:NatGateway")) == 2

What it adds to Pulumi's own mocks (``pulumi.runtime.set_mocks``):

* every registration is recorded with its type, name, parent, provider, inputs (with which of
  them are secret) and resource options (protect, ignoreChanges, aliases, dependsOn ...);
* outputs are realistic (ids, ARNs, endpoints, public IPs) and deterministic, derived from the
  logical name, so code that uses them is exercised and two runs are identical;
* the engine's own rules are enforced: a duplicate URN fails, as does a resource or invoke that
  would fall back to a default provider when the config disables default providers;
* an invoke the engine does not know fails loudly instead of returning an empty result.
"""

from __future__ import annotations

import hashlib
import json
import threading
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

ACCOUNT_ID = "123456789012"
PARTITION = "aws"


# --------------------------------------------------------------------------------------------
# What a run records
# --------------------------------------------------------------------------------------------


@dataclass
class Registered:
    """One resource registration, as the engine received it."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    provider: str | None
    inputs: dict[str, Any]
    secret_inputs: set[str]
    outputs: dict[str, Any]
    secret_outputs: set[str]
    id: str | None
    protect: bool
    retain_on_delete: bool
    delete_before_replace: bool
    ignore_changes: list[str]
    replace_on_changes: list[str]
    depends_on: list[str]
    aliases: list[str]
    additional_secret_outputs: list[str]
    import_id: str | None
    registered_outputs: bool = False
    """For a component: whether it called ``register_outputs`` (its outputs are then in
    ``outputs``)."""
    custom_timeouts: dict[str, str] = field(default_factory=dict)
    """The ``customTimeouts`` option: create/update/delete durations that were set."""

    @property
    def package(self) -> str:
        """``aws`` for ``aws:ec2/vpc:Vpc``; ``pulumi`` for providers and the stack."""
        return self.type.split(":", 1)[0]

    @property
    def is_provider(self) -> bool:
        return self.type.startswith("pulumi:providers:")

    def __getitem__(self, key: str) -> Any:
        """Shorthand for ``inputs[key]``."""
        return self.inputs[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.inputs.get(key, default)


@dataclass
class Recording:
    """Everything one program run registered, exported and invoked."""

    resources: list[Registered]
    outputs: dict[str, Any] = field(default_factory=dict)
    secret_outputs: set[str] = field(default_factory=set)
    invokes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    error: BaseException | None = None

    def find(self, type_: str, name: str) -> Registered:
        """The resource of that type and logical name; fails listing the names that exist."""
        for resource in self.resources:
            if resource.type == type_ and resource.name == name:
                return resource
        names = sorted(r.name for r in self.resources if r.type == type_)
        raise LookupError(f"no {type_} named {name!r}; registered: {names}")

    def all_of(self, type_: str) -> list[Registered]:
        """Every resource of that type, sorted by logical name."""
        return sorted((r for r in self.resources if r.type == type_), key=lambda r: r.name)

    def by_urn(self, urn: str) -> Registered:
        for resource in self.resources:
            if resource.urn == urn:
                return resource
        raise LookupError(f"no resource with URN {urn}")

    def children_of(self, parent: Registered) -> list[Registered]:
        return sorted(
            (r for r in self.resources if r.parent == parent.urn), key=lambda r: (r.type, r.name)
        )

    def descendants_of(self, ancestor: Registered) -> list[Registered]:
        found: list[Registered] = []
        frontier = [ancestor]
        while frontier:
            children = self.children_of(frontier.pop())
            found.extend(children)
            frontier.extend(children)
        return found

    def cloud_resources(self) -> list[Registered]:
        """Custom resources other than providers: what a deploy would create in the cloud."""
        return [r for r in self.resources if r.custom and not r.is_provider]

    def provider_of(self, resource: Registered) -> Registered | None:
        """The explicit provider resource a custom resource uses, if any."""
        if not resource.provider:
            return None
        return self.by_urn(resource.provider.rsplit("::", 1)[0])  # a reference is "<urn>::<id>"


def kubernetes_manifest(resource: Registered) -> dict[str, Any]:
    """The manifest a Kubernetes resource record stands for, as ``kubectl`` would send it.

    ``apiVersion`` comes from the type token (``kubernetes:apps/v1:Deployment`` -> ``apps/v1``,
    ``core/v1`` -> ``v1``), the name Pulumi gives an unnamed object from the recorded outputs,
    and numbers the engine carried as floats become integers again when they are whole.
    """
    if not resource.type.startswith("kubernetes:") or resource.type.startswith(
        "kubernetes:helm.sh/"
    ):
        raise ValueError(f"{resource.type} is not a Kubernetes object")
    _, group_version, kind = resource.type.split(":")
    api_version = group_version.removeprefix("core/")
    manifest = {key: _whole_numbers(value) for key, value in resource.inputs.items()}
    manifest |= {"apiVersion": api_version, "kind": kind}
    metadata = dict(manifest.get("metadata") or {})
    if "name" not in metadata:
        metadata["name"] = (resource.outputs.get("metadata") or {}).get("name", resource.name)
    manifest["metadata"] = metadata
    return manifest


def _whole_numbers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    return value


# --------------------------------------------------------------------------------------------
# Realistic, deterministic mock outputs
# --------------------------------------------------------------------------------------------


def _hex(seed: str, length: int) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def _ip(seed: str, prefix: str) -> str:
    return f"{prefix}.{int(_hex(seed, 2), 16) % 254 + 1}"


@dataclass
class _Ctx:
    type: str
    name: str
    inputs: dict[str, Any]
    region: str
    account: str

    @property
    def seed(self) -> str:
        return f"{self.type}/{self.name}"

    def physical_name(self) -> str:
        """The name AWS gets: the explicit one, or Pulumi's autoname (name + 7 hex chars)."""
        explicit = _plain(self.inputs.get("name"))
        if explicit:
            return str(explicit)
        prefix = _plain(self.inputs.get("namePrefix"))
        if prefix:
            return f"{prefix}{_hex(self.seed, 26)}"
        return f"{self.name}-{_hex(self.seed, 7)}"

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:{PARTITION}:{service}:{region}:{self.account}:{resource}"


_EC2_ID_PREFIX = {
    "Vpc": "vpc",
    "Subnet": "subnet",
    "RouteTable": "rtb",
    "RouteTableAssociation": "rtbassoc",
    "InternetGateway": "igw",
    "NatGateway": "nat",
    "Eip": "eipalloc",
    "SecurityGroup": "sg",
    "DefaultSecurityGroup": "sg",
    "VpcEndpoint": "vpce",
    "FlowLog": "fl",
    "LaunchTemplate": "lt",
    "Route": "r",
}


def _ec2(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    kind = ctx.type.rsplit(":", 1)[1]
    prefix = _EC2_ID_PREFIX.get(kind, kind.lower())
    id_ = f"{prefix}-{_hex(ctx.seed, 17)}"
    out: dict[str, Any] = {"arn": ctx.arn("ec2", f"{kind.lower()}/{id_}"), "ownerId": ctx.account}
    if kind == "Vpc":
        out |= {
            "defaultSecurityGroupId": f"sg-{_hex(ctx.seed + 'sg', 17)}",
            "mainRouteTableId": f"rtb-{_hex(ctx.seed + 'rtb', 17)}",
            "defaultNetworkAclId": f"acl-{_hex(ctx.seed + 'acl', 17)}",
        }
    elif kind == "Subnet":
        zone = str(_plain(ctx.inputs.get("availabilityZone")) or f"{ctx.region}a")
        out["availabilityZoneId"] = (
            f"{ctx.region[:2]}{ctx.region.split('-')[-1]}-az{ord(zone[-1]) - 96}"
        )
    elif kind == "Eip":
        out |= {"allocationId": id_, "publicIp": _ip(ctx.seed, "203.0.113")}
    elif kind == "NatGateway":
        out |= {
            "publicIp": _ip(ctx.seed, "198.51.100"),
            "privateIp": _ip(ctx.seed, "10.0.128"),
            "networkInterfaceId": f"eni-{_hex(ctx.seed, 17)}",
        }
    elif kind == "LaunchTemplate":
        out |= {"latestVersion": 1, "defaultVersion": 1}
    elif kind == "VpcEndpoint":
        service = str(_plain(ctx.inputs.get("serviceName")) or "")
        out |= {
            "networkInterfaceIds": [f"eni-{_hex(ctx.seed + str(i), 17)}" for i in range(3)],
            "dnsEntries": [
                {
                    "dnsName": f"{id_}.{service.rsplit('.', 1)[-1]}.{ctx.region}"
                    ".vpce.amazonaws.com",
                    "hostedZoneId": "Z" + _hex(ctx.seed, 13).upper(),
                }
            ],
            "prefixListId": f"pl-{_hex(ctx.seed, 8)}",
            "state": "available",
        }
    return id_, out


def _iam(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    kind = ctx.type.rsplit(":", 1)[1]
    name = ctx.physical_name()
    if kind == "Role":
        return name, {
            "name": name,
            "arn": ctx.arn("iam", f"role/{name}", regional=False),
            "uniqueId": "AROA" + _hex(ctx.seed, 17).upper(),
        }
    if kind == "Policy":
        arn = ctx.arn("iam", f"policy/{name}", regional=False)
        return arn, {"name": name, "arn": arn, "policyId": "ANPA" + _hex(ctx.seed, 17).upper()}
    if kind == "RolePolicy":
        role = _plain(ctx.inputs.get("role")) or "role"
        return f"{role}:{name}", {"name": name}
    if kind == "InstanceProfile":
        return name, {
            "name": name,
            "arn": ctx.arn("iam", f"instance-profile/{name}", regional=False),
        }
    if kind == "OpenIdConnectProvider":
        # Named after the issuer's host and path, as IAM names it: ARN and id are the same.
        issuer = str(_plain(ctx.inputs.get("url")) or name).removeprefix("https://")
        arn = ctx.arn("iam", f"oidc-provider/{issuer}", regional=False)
        return arn, {"arn": arn, "url": issuer}
    return name, {"name": name, "arn": ctx.arn("iam", f"{kind.lower()}/{name}", regional=False)}


def _log_group(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    name = ctx.physical_name()
    return name, {"name": name, "arn": ctx.arn("logs", f"log-group:{name}")}


def _kms_key(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    key_id = f"{_hex(ctx.seed, 8)}-{_hex(ctx.seed + '1', 4)}-{_hex(ctx.seed + '2', 4)}-" + (
        f"{_hex(ctx.seed + '3', 4)}-{_hex(ctx.seed + '4', 12)}"
    )
    return key_id, {"keyId": key_id, "arn": ctx.arn("kms", f"key/{key_id}")}


def _kms_alias(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    name = str(_plain(ctx.inputs.get("name")) or f"alias/{ctx.name}")
    return name, {"name": name, "arn": ctx.arn("kms", name)}


def _secret(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    # Secrets Manager appends 6 random characters to a secret's ARN.
    arn = ctx.arn("secretsmanager", f"secret:{ctx.physical_name()}-{_hex(ctx.seed, 6)}")
    return arn, {"arn": arn, "name": ctx.physical_name()}


def _secret_version(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    version = f"{_hex(ctx.seed, 8)}-{_hex(ctx.seed, 4)}"
    secret_id = _plain(ctx.inputs.get("secretId")) or ""
    return f"{secret_id}|{version}", {"arn": secret_id, "versionId": version}


def _rds(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    kind = ctx.type.rsplit(":", 1)[1]
    if kind == "Instance":
        identifier = str(_plain(ctx.inputs.get("identifier")) or ctx.physical_name())
        address = f"{identifier}.c{_hex(ctx.account, 11)}.{ctx.region}.rds.amazonaws.com"
        port = _plain(ctx.inputs.get("port")) or 5432
        return identifier, {
            "identifier": identifier,
            "arn": ctx.arn("rds", f"db:{identifier}"),
            "address": address,
            "endpoint": f"{address}:{port}",
            "port": port,
            "resourceId": "db-" + _hex(ctx.seed, 26).upper(),
            "hostedZoneId": "Z29XKXDKYMONMX",
            "status": "available",
        }
    if kind == "Proxy":
        name = ctx.physical_name()
        return name, {
            "name": name,
            "arn": ctx.arn("rds", f"db-proxy:prx-{_hex(ctx.seed, 17)}"),
            "endpoint": f"{name}.proxy-c{_hex(ctx.account, 11)}.{ctx.region}.rds.amazonaws.com",
        }
    if kind == "ProxyDefaultTargetGroup":
        proxy = _plain(ctx.inputs.get("dbProxyName")) or ""
        return str(proxy), {
            "name": "default",
            "arn": ctx.arn("rds", f"target-group:prx-tg-{_hex(ctx.seed, 17)}"),
        }
    name = ctx.physical_name()
    return name, {"name": name, "arn": ctx.arn("rds", f"{kind.lower()}:{name}")}


def _elasticache(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    kind = ctx.type.rsplit(":", 1)[1]
    if kind == "ReplicationGroup":
        group_id = str(_plain(ctx.inputs.get("replicationGroupId")) or ctx.physical_name())
        host = f"{group_id}.{_hex(ctx.seed, 6)}.{ctx.region[:2]}{ctx.region.split('-')[-1]}"
        suffix = f"{ctx.region}.cache.amazonaws.com"
        clustered = _plain(ctx.inputs.get("clusterMode")) == "enabled"
        out: dict[str, Any] = {
            "replicationGroupId": group_id,
            "arn": ctx.arn("elasticache", f"replicationgroup:{group_id}"),
        }
        if clustered:
            shards = int(_plain(ctx.inputs.get("numNodeGroups")) or 1)
            per_shard = 1 + int(_plain(ctx.inputs.get("replicasPerNodeGroup")) or 0)
            out["memberClusters"] = [
                f"{group_id}-{s:04d}-{n:03d}"
                for s in range(1, shards + 1)
                for n in range(1, per_shard + 1)
            ]
        else:
            nodes = int(_plain(ctx.inputs.get("numCacheClusters")) or 1)
            out["memberClusters"] = [f"{group_id}-{n:03d}" for n in range(1, nodes + 1)]
        if clustered:
            out["configurationEndpointAddress"] = f"clustercfg.{host}.{suffix}"
        else:
            out["primaryEndpointAddress"] = f"master.{host}.{suffix}"
            out["readerEndpointAddress"] = f"replica.{host}.{suffix}"
        return group_id, out
    name = ctx.physical_name()
    return name, {"name": name, "arn": ctx.arn("elasticache", f"{kind.lower()}:{name}")}


def _s3_bucket(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    name = str(_plain(ctx.inputs.get("bucket")) or ctx.physical_name().lower())
    return name, {
        "bucket": name,
        "arn": f"arn:{PARTITION}:s3:::{name}",
        "bucketDomainName": f"{name}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{name}.s3.{ctx.region}.amazonaws.com",
        "hostedZoneId": "Z1BKCTXD74EZPE",
        "region": ctx.region,
    }


def _ecr_repository(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    name = str(_plain(ctx.inputs.get("name")) or ctx.physical_name())
    return name, {
        "name": name,
        "arn": ctx.arn("ecr", f"repository/{name}"),
        "registryId": ctx.account,
        "repositoryUrl": f"{ctx.account}.dkr.ecr.{ctx.region}.amazonaws.com/{name}",
    }


def _docker_image(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    image_name = str(_plain(ctx.inputs.get("imageName")) or ctx.name)
    repository = image_name.rsplit(":", 1)[0]
    digest = "sha256:" + hashlib.sha256(ctx.seed.encode()).hexdigest()
    return f"{repository}@{digest}", {
        "imageName": image_name,
        "baseImageName": image_name,
        "repoDigest": f"{repository}@{digest}",
    }


def _random_password(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    length = int(_plain(ctx.inputs.get("length")) or 32)
    result = (hashlib.sha512(ctx.seed.encode()).hexdigest() * 4)[:length]
    return "none", {"result": result, "bcryptHash": "$2a$10$" + _hex(ctx.seed, 53)}


def _eks(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    kind = ctx.type.rsplit(":", 1)[1]
    cluster = str(_plain(ctx.inputs.get("clusterName")) or "")
    if kind == "Cluster":
        name = ctx.physical_name()
        vpc_config = _plain(ctx.inputs.get("vpcConfig")) or {}
        return name, {
            "name": name,
            "arn": ctx.arn("eks", f"cluster/{name}"),
            "endpoint": f"https://{_hex(ctx.seed, 32).upper()}.gr7.{ctx.region}.eks.amazonaws.com",
            "certificateAuthority": {"data": "bW9jay1jbHVzdGVyLWNh"},
            "identities": [
                {
                    "oidcs": [
                        {
                            "issuer": f"https://oidc.eks.{ctx.region}.amazonaws.com/id/"
                            f"{_hex(ctx.seed + 'oidc', 32).upper()}"
                        }
                    ]
                }
            ],
            "vpcConfig": {
                **vpc_config,
                "clusterSecurityGroupId": f"sg-{_hex(ctx.seed + 'cluster-sg', 17)}",
                "vpcId": f"vpc-{_hex(ctx.seed + 'vpc', 17)}",
            },
            "status": "ACTIVE",
            "platformVersion": "eks.1",
        }
    if kind == "NodeGroup":
        prefix = str(_plain(ctx.inputs.get("nodeGroupNamePrefix")) or f"{ctx.name}-")
        group = f"{prefix}{_hex(ctx.seed, 26)}"
        return f"{cluster}:{group}", {
            "nodeGroupName": group,
            "arn": ctx.arn("eks", f"nodegroup/{cluster}/{group}/{_hex(ctx.seed, 8)}"),
            "status": "ACTIVE",
            "resources": [{"autoscalingGroups": [{"name": f"eks-{group}"}]}],
        }
    if kind == "Addon":
        addon = str(_plain(ctx.inputs.get("addonName")) or ctx.name)
        return f"{cluster}:{addon}", {"arn": ctx.arn("eks", f"addon/{cluster}/{addon}/x")}
    if kind == "PodIdentityAssociation":
        association = f"a-{_hex(ctx.seed, 17)}"
        return f"{cluster},{association}", {
            "associationId": association,
            "associationArn": ctx.arn("eks", f"podidentityassociation/{cluster}/{association}"),
        }
    return f"{cluster}#{ctx.name}", {"accessEntryArn": ctx.arn("eks", f"access-entry/{cluster}")}


def _route53_zone(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    zone_id = "Z" + _hex(ctx.seed, 20).upper()
    return zone_id, {
        "zoneId": zone_id,
        "arn": f"arn:{PARTITION}:route53:::hostedzone/{zone_id}",
        "nameServers": [
            f"ns-{100 + i}.awsdns-{10 + i}.{tld}"
            for i, tld in enumerate(("com", "net", "org", "co.uk"))
        ],
    }


def _kubernetes(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    """Kubernetes objects come back as sent, with a uid; Helm releases as deployed."""
    metadata = dict(_plain(ctx.inputs.get("metadata")) or {})
    if ctx.type == "kubernetes:helm.sh/v3:Release":
        name = str(_plain(ctx.inputs.get("name")) or ctx.name)
        namespace = str(_plain(ctx.inputs.get("namespace")) or "default")
        return f"{namespace}/{name}", {
            "name": name,
            "status": {"status": "deployed", "name": name, "namespace": namespace, "revision": 1},
        }
    name = str(metadata.get("name") or ctx.name)
    metadata |= {"name": name, "uid": _hex(ctx.seed, 32)}
    namespace = metadata.get("namespace")
    return (f"{namespace}/{name}" if namespace else name), {"metadata": metadata}


def _provider(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    seed = _hex(ctx.seed, 32)
    return f"{seed[:8]}-{seed[8:12]}-{seed[12:16]}-{seed[16:20]}-{seed[20:32]}", {}


def _generic(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    package, module_type = ctx.type.split(":", 1)
    service = module_type.split("/", 1)[0].split(":", 1)[0]
    name = ctx.physical_name()
    out: dict[str, Any] = {"name": name}
    if package == "aws":
        out["arn"] = ctx.arn(service, f"{module_type.rsplit(':', 1)[1].lower()}/{name}")
    return f"{name}-id", out


def _uuid(seed: str) -> str:
    h = _hex(seed, 32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _acm_certificate(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    """A DNS-validated certificate: one validation record per name. ACM derives the record from
    the account and the name, so two certificates naming one domain share its record."""
    arn = ctx.arn("acm", f"certificate/{_uuid(ctx.seed)}")
    domain = str(_plain(ctx.inputs.get("domainName")) or "")
    names = [domain, *(_plain(ctx.inputs.get("subjectAlternativeNames")) or [])]
    options = []
    for name in dict.fromkeys(names):
        token = _hex(f"{ctx.account}/{name}", 32)
        options.append(
            {
                "domainName": name,
                "resourceRecordName": f"_{token}.{name.removeprefix('*.')}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{_hex(token, 32)}.{_hex(token, 10)}.acm-validations.aws.",
            }
        )
    return arn, {
        "arn": arn,
        "domainValidationOptions": options,
        "status": "PENDING_VALIDATION",
        "validationMethod": "DNS",
    }


def _route53_record(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    zone = _plain(ctx.inputs.get("zoneId")) or ""
    name = str(_plain(ctx.inputs.get("name")) or "").rstrip(".")
    kind = _plain(ctx.inputs.get("type")) or ""
    return f"{zone}_{name}_{kind}", {"fqdn": name}


#: Hosted zone of Application Load Balancers per region (for alias records).
_ALB_ZONES = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-central-1": "Z215JYRZR1TBD5",
    "sa-east-1": "Z2P70J7HTTTPLU",
}


def _lb(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    kind = ctx.type.rsplit(":", 1)[1]
    name = ctx.physical_name()
    if kind == "LoadBalancer":
        suffix = f"app/{name}/{_hex(ctx.seed, 16)}"
        arn = ctx.arn("elasticloadbalancing", f"loadbalancer/{suffix}")
        return arn, {
            "name": name,
            "arn": arn,
            "arnSuffix": suffix,
            "dnsName": f"{name}-{int(_hex(ctx.seed, 8), 16)}.{ctx.region}.elb.amazonaws.com",
            "zoneId": _ALB_ZONES.get(ctx.region, "Z" + _hex(ctx.region, 13).upper()),
        }
    if kind == "TargetGroup":
        suffix = f"targetgroup/{name}/{_hex(ctx.seed, 16)}"
        arn = ctx.arn("elasticloadbalancing", suffix)
        return arn, {"name": name, "arn": arn, "arnSuffix": suffix}
    resource = "listener" if kind == "Listener" else "listener-rule"
    arn = ctx.arn("elasticloadbalancing", f"{resource}/app/{_hex(ctx.seed, 16)}")
    return arn, {"arn": arn}


def _cloudfront(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    kind = ctx.type.rsplit(":", 1)[1]
    etag = "E" + _hex(ctx.seed + "etag", 13).upper()
    if kind == "Distribution":
        id_ = "E" + _hex(ctx.seed, 13).upper()
        return id_, {
            "arn": ctx.arn("cloudfront", f"distribution/{id_}", regional=False),
            "domainName": f"d{_hex(ctx.seed, 13)}.cloudfront.net",
            "hostedZoneId": "Z2FDTNDATAQYW2",
            "status": "Deployed",
            "etag": etag,
        }
    if kind == "Function":
        name = ctx.physical_name()
        arn = ctx.arn("cloudfront", f"function/{name}", regional=False)
        return name, {"name": name, "arn": arn, "etag": etag, "status": "DEPLOYED"}
    id_ = _uuid(ctx.seed)
    return id_, {
        "etag": etag,
        "arn": ctx.arn("cloudfront", f"{kind.lower()}/{id_}", regional=False),
    }


def _wafv2(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    kind = ctx.type.rsplit(":", 1)[1]
    if kind == "WebAclLoggingConfiguration":
        return str(_plain(ctx.inputs.get("resourceArn")) or ctx.name), {}
    id_ = _uuid(ctx.seed)
    scope = "global" if _plain(ctx.inputs.get("scope")) == "CLOUDFRONT" else "regional"
    name = ctx.physical_name()
    arn = ctx.arn("wafv2", f"{scope}/{kind.lower()}/{name}/{id_}")
    return id_, {"name": name, "arn": arn, "capacity": 700, "lockToken": _uuid(ctx.seed + "lock")}


def _log_delivery(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    kind = ctx.type.rsplit(":", 1)[1]
    if kind == "LogDelivery":
        id_ = _hex(ctx.seed, 16)
        return id_, {"arn": ctx.arn("logs", f"delivery:{id_}")}
    name = ctx.physical_name()
    resource = "delivery-source" if kind == "LogDeliverySource" else "delivery-destination"
    return name, {"name": name, "arn": ctx.arn("logs", f"{resource}:{name}")}


def _sns_topic(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    name = ctx.physical_name()
    arn = f"arn:aws:sns:{ctx.region}:{ctx.account}:{name}"
    return arn, {"name": name, "arn": arn}


_OUTPUTS: dict[str, Callable[[_Ctx], tuple[str, dict[str, Any]]]] = {
    "aws:sns/topic:Topic": _sns_topic,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:kms/key:Key": _kms_key,
    "aws:kms/alias:Alias": _kms_alias,
    "aws:secretsmanager/secret:Secret": _secret,
    "aws:secretsmanager/secretVersion:SecretVersion": _secret_version,
    "aws:s3/bucket:Bucket": _s3_bucket,
    "aws:ecr/repository:Repository": _ecr_repository,
    "docker:index/image:Image": _docker_image,
    "random:index/randomPassword:RandomPassword": _random_password,
    "aws:route53/zone:Zone": _route53_zone,
    "aws:route53/record:Record": _route53_record,
    "aws:acm/certificate:Certificate": _acm_certificate,
    "aws:acm/certificateValidation:CertificateValidation": lambda ctx: (
        str(_plain(ctx.inputs.get("certificateArn")) or ctx.name),
        {},
    ),
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": _log_delivery,
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": _log_delivery,
    "aws:cloudwatch/logDelivery:LogDelivery": _log_delivery,
}


def _outputs_for(ctx: _Ctx) -> tuple[str, dict[str, Any]]:
    if ctx.type in _OUTPUTS:
        return _OUTPUTS[ctx.type](ctx)
    if ctx.type.startswith("pulumi:providers:"):
        return _provider(ctx)
    if ctx.type.startswith("aws:ec2/"):
        return _ec2(ctx)
    if ctx.type.startswith("aws:iam/"):
        return _iam(ctx)
    if ctx.type.startswith("aws:rds/"):
        return _rds(ctx)
    if ctx.type.startswith("aws:elasticache/"):
        return _elasticache(ctx)
    if ctx.type.startswith("aws:eks/"):
        return _eks(ctx)
    if ctx.type.startswith("aws:lb/"):
        return _lb(ctx)
    if ctx.type.startswith("aws:cloudfront/"):
        return _cloudfront(ctx)
    if ctx.type.startswith("aws:wafv2/"):
        return _wafv2(ctx)
    if ctx.type.startswith("kubernetes:"):
        return _kubernetes(ctx)
    return _generic(ctx)


def _plain(value: Any) -> Any:
    """A value with the engine's secret wrapping removed."""
    return rpc.unwrap_rpc_secret(value)


def _unwrap(value: Any, path: str, secrets: set[str]) -> Any:
    """Remove secret wrappers everywhere in ``value``, noting the paths that were secret."""
    if rpc.is_rpc_secret(value):
        secrets.add(path or "<root>")
        return _unwrap(rpc.unwrap_rpc_secret(value), path, secrets)
    if isinstance(value, dict):
        return {k: _unwrap(v, f"{path}.{k}" if path else k, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v, f"{path}[{i}]", secrets) for i, v in enumerate(value)]
    return value


def _json_or_text(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class UnknownInvokeError(LookupError):
    """The program called a provider function the mock engine has no answer for."""


#: Managed CloudFront policies by name (their ids are the same in every account).
MANAGED_CACHE_POLICIES = {
    "Managed-CachingDisabled": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    "Managed-CachingOptimized": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    "Managed-CachingOptimizedForUncompressedObjects": "b2884449-e4de-46a7-ac36-70bc7f1ddd6d",
}
MANAGED_ORIGIN_REQUEST_POLICIES = {
    "Managed-AllViewer": "216adef6-5c7f-47e4-b989-5492eafa07d3",
    "Managed-AllViewerExceptHostHeader": "b689b0a8-53d0-40ab-baf2-68738e2966ac",
    "Managed-CORS-S3Origin": "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
}


class RealisticMocks(pulumi.runtime.Mocks):
    """Deterministic, realistic answers for resources and the invokes the platform uses.

    Resources and invokes answer in the region of the AWS provider they use (an explicit
    ``aws.Provider(region="us-east-1")`` gets us-east-1 ARNs), else in the run's region.
    """

    def __init__(
        self,
        region: str,
        *,
        account_id: str = ACCOUNT_ID,
        zones: Iterable[str] | None = None,
    ) -> None:
        self.region = region
        self.account_id = account_id
        self.zone_letters = [z[-1] for z in zones] if zones is not None else list("abcd")
        self.invokes: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()
        self._provider_regions: dict[str, str] = {}
        self._calls: dict[str, Callable[[dict[str, Any], str], dict[str, Any]]] = {
            "aws:index/getAvailabilityZones:getAvailabilityZones": self._zones,
            "aws:index/getRegion:getRegion": lambda _, region: {
                "region": region,
                "name": region,
                "id": region,
                "endpoint": f"ec2.{region}.amazonaws.com",
                "description": region,
            },
            "aws:index/getCallerIdentity:getCallerIdentity": lambda _, __: {
                "accountId": self.account_id,
                "arn": f"arn:{PARTITION}:iam::{self.account_id}:user/ci",
                "userId": "AIDA" + _hex(self.account_id, 17).upper(),
                "id": self.account_id,
            },
            "aws:elb/getServiceAccount:getServiceAccount": lambda _, region: {
                # The regional ELB account; the mock uses a fixed one for every region.
                "arn": f"arn:{PARTITION}:iam::156460612806:root",
                "id": "156460612806",
                "region": region,
            },
            "aws:ecr/getAuthorizationToken:getAuthorizationToken": lambda args, region: {
                "authorizationToken": "QVdTOm1vY2stZWNyLXRva2Vu",
                "userName": "AWS",
                "password": "mock-ecr-token",
                "proxyEndpoint": f"https://{self.account_id}.dkr.ecr.{region}.amazonaws.com",
                "registryId": args.get("registryId", self.account_id),
                "expiresAt": "2030-01-01T00:00:00Z",
                "id": region,
            },
            "aws:route53/getZone:getZone": self._zone,
            "aws:index/getPartition:getPartition": lambda _, __: {
                "partition": PARTITION,
                "dnsSuffix": "amazonaws.com",
                "reverseDnsPrefix": "com.amazonaws",
                "id": PARTITION,
            },
            "aws:ec2/getManagedPrefixList:getManagedPrefixList": self._prefix_list,
            "aws:cloudfront/getCachePolicy:getCachePolicy": lambda args, _: self._managed_policy(
                "cache policy", MANAGED_CACHE_POLICIES, args
            ),
            "aws:cloudfront/getOriginRequestPolicy:getOriginRequestPolicy": (
                lambda args, _: self._managed_policy(
                    "origin request policy", MANAGED_ORIGIN_REQUEST_POLICIES, args
                )
            ),
        }

    def region_of(self, provider_ref: str | None) -> str:
        """The region of the AWS provider behind a provider reference (``<urn>::<id>``)."""
        if not provider_ref:
            return self.region
        return self._provider_regions.get(provider_ref.rsplit("::", 1)[-1], self.region)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        if args.typ == "pulumi:providers:aws":
            region = str(_plain(args.inputs.get("region")) or self.region)
        else:
            region = self.region_of(args.provider)
        ctx = _Ctx(args.typ, args.name, args.inputs, region, self.account_id)
        id_, computed = _outputs_for(ctx)
        if args.typ == "pulumi:providers:aws" and id_:
            with self._lock:
                self._provider_regions[id_] = region
        return id_, {**args.inputs, **computed}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list[tuple[str, str]] | None]:
        handler = self._calls.get(args.token)
        with self._lock:
            self.invokes.append((args.token, dict(args.args)))
        if handler is None:
            known = ", ".join(sorted(self._calls))
            raise UnknownInvokeError(
                f"the mock engine has no answer for invoke {args.token}; teach "
                f"aws_web_platform/offline's RealisticMocks one. Known: {known}"
            )
        return handler(args.args, self.region_of(args.provider)), []

    def _zone(self, args: dict[str, Any], _region: str) -> dict[str, Any]:
        zone_id = "Z" + _hex(str(args.get("name")), 20).upper()
        return {
            "zoneId": zone_id,
            "id": zone_id,
            "name": args.get("name"),
            "arn": f"arn:{PARTITION}:route53:::hostedzone/{zone_id}",
            "nameServers": ["ns-1.awsdns-01.com"],
            "privateZone": False,
        }

    def _zones(self, args: dict[str, Any], region: str) -> dict[str, Any]:
        short = f"{region[:2]}{region.rsplit('-', 1)[-1]}"
        return {
            "names": [f"{region}{x}" for x in self.zone_letters],
            "zoneIds": [f"{short}-az{ord(x) - 96}" for x in self.zone_letters],
            "groupNames": [region] * len(self.zone_letters),
            "id": region,
            "region": region,
            "state": args.get("state"),
            "filters": args.get("filters"),
        }

    def _prefix_list(self, args: dict[str, Any], region: str) -> dict[str, Any]:
        """AWS-managed prefix lists, looked up by name (ids differ per region)."""
        name = str(args.get("name") or "")
        if not name.startswith("com.amazonaws."):
            raise UnknownInvokeError(f"no AWS-managed prefix list named {name!r}")
        id_ = f"pl-{_hex(region + name, 8)}"
        return {
            "id": id_,
            "name": name,
            "arn": f"arn:{PARTITION}:ec2:{region}:aws:prefix-list/{id_}",
            "addressFamily": "IPv4",
            "maxEntries": 55 if "cloudfront" in name else 10,
            "ownerId": "AWS",
            "version": 1,
            "entries": [],
            "tags": {},
        }

    @staticmethod
    def _managed_policy(kind: str, known: dict[str, str], args: dict[str, Any]) -> dict[str, Any]:
        name = str(args.get("name") or "")
        if name not in known:
            raise UnknownInvokeError(f"no managed CloudFront {kind} named {name!r}")
        return {"id": known[name], "name": name, "etag": "E" + _hex(name, 13).upper()}


# --------------------------------------------------------------------------------------------
# The monitor: records registrations and enforces the engine's rules
# --------------------------------------------------------------------------------------------


class EngineRuleError(RuntimeError):
    """The real engine would reject this program (duplicate URN, missing provider, ...)."""


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """Pulumi's mock monitor, recording every registration with its options."""

    def __init__(self, mocks: pulumi.runtime.Mocks, disabled_default_providers: set[str]) -> None:
        super().__init__(mocks)
        self.records: list[Registered] = []
        self._disabled = disabled_default_providers
        self._urns: set[str] = set()
        self._lock = threading.Lock()
        self.violations: list[str] = []

    def _violate(self, message: str) -> None:
        """Note a registration the engine would refuse; ``run`` raises them all at the end.

        Raising here, on the gRPC worker thread, would fail the program too, but through every
        output depending on the resource at once; collecting them gives one clear error.
        """
        with self._lock:
            self.violations.append(message)

    def _default_provider_disabled(self, package: str) -> bool:
        return "*" in self._disabled or package in self._disabled

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        urn = self.make_urn(request.parent, request.type, request.name)
        package = request.type.split(":", 1)[0]
        is_provider = request.type.startswith("pulumi:providers:")
        with self._lock:  # check and claim in one step: registrations run on many threads
            duplicate = urn in self._urns
            self._urns.add(urn)
        if duplicate:
            self._violate(f"Duplicate resource URN '{urn}'; try giving it a unique name")
        if (
            request.custom
            and not is_provider
            and not request.provider
            and self._default_provider_disabled(package)
        ):
            self._violate(
                f"{request.type} {request.name!r} would use the default {package} provider, "
                "which pulumi:disable-default-providers turns off: pass an explicit provider"
            )
        response = self._register(request, urn)
        secret_inputs: set[str] = set()
        inputs = _unwrap(rpc.deserialize_properties(request.object), "", secret_inputs)
        if is_provider and isinstance(inputs, dict):
            # Providers receive nested settings (defaultTags, assumeRole ...) as JSON text.
            inputs = {key: _json_or_text(value) for key, value in inputs.items()}
        secret_outputs: set[str] = set()
        outputs = _unwrap(rpc.deserialize_properties(response.object), "", secret_outputs)
        record = Registered(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            parent=request.parent or None,
            provider=request.provider or None,
            inputs=inputs if isinstance(inputs, dict) else {},
            secret_inputs=secret_inputs,
            outputs=outputs if isinstance(outputs, dict) else {},
            secret_outputs=secret_outputs,
            id=response.id or None,
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            delete_before_replace=bool(request.deleteBeforeReplace),
            ignore_changes=list(request.ignoreChanges),
            replace_on_changes=list(request.replaceOnChanges),
            depends_on=list(request.dependencies),
            aliases=[str(a) for a in request.aliases] + list(request.aliasURNs),
            additional_secret_outputs=list(request.additionalSecretOutputs),
            import_id=request.importId or None,
            custom_timeouts={
                kind: getattr(request.customTimeouts, kind)
                for kind in ("create", "update", "delete")
                if getattr(request.customTimeouts, kind)
            },
        )
        with self._lock:
            self.records.append(record)
        return response

    def _register(self, request: Any, urn: str) -> Any:
        """Pulumi's MockMonitor.RegisterResource, plus the engine's ``additionalSecretOutputs``:
        outputs a resource declares secret (a password's ``result``, a secret version's
        ``secretString``) come back secret, as they do from the real engine."""
        if request.type == "pulumi:pulumi:Stack":
            return resource_pb2.RegisterResourceResponse(urn=urn)
        _ensure_event_loop()
        inputs = rpc.deserialize_properties(request.object)
        id_, state = self.mocks.new_resource(
            pulumi.runtime.MockResourceArgs(
                typ=request.type,
                name=request.name,
                inputs=inputs,
                provider=request.provider,
                resource_id=request.importId,
                custom=request.custom or False,
            )
        )
        for key in request.additionalSecretOutputs:
            if key in state:
                state[key] = rpc.wrap_rpc_secret(state[key])
        state_proto = _sync_await(rpc.serialize_properties(state, {}))
        self.resources[urn] = pulumi_mocks.MockMonitor.ResourceRegistration(urn, id_ or "", state)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_ or "", object=state_proto)

    def RegisterResourceOutputs(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        """A component's ``register_outputs``: kept as that component's outputs."""
        secret_outputs: set[str] = set()
        outputs = _unwrap(rpc.deserialize_properties(request.outputs), "", secret_outputs)
        with self._lock:
            for record in self.records:
                if record.urn == request.urn and isinstance(outputs, dict):
                    record.outputs = outputs
                    record.secret_outputs = secret_outputs
                    record.registered_outputs = True
        return super().RegisterResourceOutputs(request)

    def Invoke(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        package = request.tok.split(":", 1)[0]
        if (
            not request.provider
            and package != "pulumi"
            and self._default_provider_disabled(package)
        ):
            raise EngineRuleError(
                f"invoke {request.tok} would use the default {package} provider, which "
                "pulumi:disable-default-providers turns off: pass parent= or provider="
            )
        return super().Invoke(request)


# --------------------------------------------------------------------------------------------
# Running a program
# --------------------------------------------------------------------------------------------


def run(
    program: Callable[[], Any],
    *,
    project: str = "platform",
    stack: str = "test",
    config: dict[str, str] | None = None,
    secret_keys: Iterable[str] = (),
    region: str = "eu-west-1",
    zones: Iterable[str] | None = None,
    raise_errors: bool = True,
) -> Recording:
    """Run ``program`` under the recording engine and return what it registered.

    ``config`` maps full keys (``platform:network``) to the strings the CLI would pass
    (structured values as JSON). With ``raise_errors=False`` an error in the program is kept in
    ``Recording.error`` with whatever was registered before it, instead of being raised.
    """
    config = dict(config or {})
    mocks = RealisticMocks(region, zones=zones)
    disabled = _disabled_default_providers(config.get("pulumi:disable-default-providers"))
    monitor = RecordingMonitor(mocks, disabled)

    pulumi_settings.ROOT.set(None)
    typing.cast(Any, pulumi_settings.SETTINGS).outputs.clear()
    set_all_config(config, list(secret_keys))
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=False, monitor=monitor)

    error: BaseException | None = None
    try:
        _sync_await(run_pulumi_func(program))
    except Exception as exc:  # noqa: BLE001 (kept or re-raised below)
        error = exc
    if error is None and monitor.violations:
        error = EngineRuleError("; ".join(monitor.violations))

    recording = Recording(resources=list(monitor.records), invokes=list(mocks.invokes), error=error)
    if error is None:
        recording.outputs, recording.secret_outputs = _stack_outputs()
    pulumi_settings.ROOT.set(None)
    if error is not None and raise_errors:
        raise error
    return recording


def _stack_outputs() -> tuple[dict[str, Any], set[str]]:
    root = pulumi_settings.get_root_resource()
    values: dict[str, Any] = {}
    secrets: set[str] = set()
    for key, value in (getattr(root, "outputs", None) or {}).items():
        output = pulumi.Output.from_input(value)
        values[key] = _sync_await(output.future())
        if _sync_await(output.is_secret()):
            secrets.add(key)
    return values, secrets


def _disabled_default_providers(raw: str | None) -> set[str]:
    if not raw:
        return set()
    try:
        value = json.loads(raw)
    except ValueError:
        value = [raw]
    return {str(v) for v in (value if isinstance(value, list) else [value])}
