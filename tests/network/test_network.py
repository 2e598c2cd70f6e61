"""Specification of the Network component, one test per promised behaviour."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import pytest

from aws_web_platform.network.layout import SubnetTier, subnet_cidr
from aws_web_platform.network.network import Network, NetworkArgs
from aws_web_platform.offline import Recording, run
from tests.conftest import BASE_CONFIG, RunProgram, with_aws

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE = "aws:ec2/route:Route"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
NAT = "aws:ec2/natGateway:NatGateway"
EIP = "aws:ec2/eip:Eip"
IGW = "aws:ec2/internetGateway:InternetGateway"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"

ZONES_3 = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]


def network(run_program: RunProgram, **args: Any) -> Recording:
    return run_program(with_aws(lambda opts: Network("net", NetworkArgs(**args), opts)))


def by_id(rec: Recording, type_: str) -> dict[str, str]:
    """Logical names of the resources of a type, by their mock id."""
    return {r.id or "": r.name for r in rec.all_of(type_)}


def routes_of(rec: Recording, table_name: str) -> list[dict]:
    table_id = rec.find(ROUTE_TABLE, table_name).id
    return [r.inputs for r in rec.all_of(ROUTE) if r["routeTableId"] == table_id]


@pytest.fixture(scope="module")
def prod_like() -> Recording:
    """The Network with every default (the production values), run once for the module."""
    return run(with_aws(lambda opts: Network("net", NetworkArgs(), opts)), config=BASE_CONFIG)


# --- VPC and zones ---------------------------------------------------------------------------


def test_vpc_uses_the_configured_cidr_with_dns_support_and_hostnames(
    run_program: RunProgram,
) -> None:
    rec = network(run_program, cidr="10.42.0.0/16")
    vpc = rec.find(VPC, "net-vpc")
    assert vpc["cidrBlock"] == "10.42.0.0/16"
    assert vpc["enableDnsSupport"] is True
    assert vpc["enableDnsHostnames"] is True


def test_zones_are_looked_up_at_run_time_excluding_opt_in_zones(prod_like: Recording) -> None:
    calls = [args for token, args in prod_like.invokes if token.endswith("getAvailabilityZones")]
    assert calls, "the AZs must come from the region, not from a hand-written list"
    assert calls[0]["state"] == "available"
    assert {"name": "opt-in-status", "values": ["opt-in-not-required"]} in calls[0]["filters"]


def test_default_spreads_over_the_first_three_zones_sorted_by_name(run_program: RunProgram) -> None:
    rec = run_program(
        with_aws(lambda opts: Network("net", NetworkArgs(), opts)),
        zones=["eu-west-1c", "eu-west-1a", "eu-west-1d", "eu-west-1b"],
    )
    zones = {s["availabilityZone"] for s in rec.all_of(SUBNET)}
    assert zones == set(ZONES_3)


def test_two_zones_when_az_count_is_two(run_program: RunProgram) -> None:
    rec = network(run_program, az_count=2)
    assert {s["availabilityZone"] for s in rec.all_of(SUBNET)} == {"eu-west-1a", "eu-west-1b"}


def test_asking_for_more_zones_than_the_region_has_fails_clearly(run_program: RunProgram) -> None:
    rec = run_program(
        with_aws(lambda opts: Network("net", NetworkArgs(az_count=3), opts)),
        zones=["eu-west-1a", "eu-west-1b"],
        raise_errors=False,
    )
    assert "azCount is 3 but the region offers only 2" in str(rec.error)


# --- Subnets ---------------------------------------------------------------------------------


def test_three_tiers_per_zone_with_cidrs_from_the_grid(prod_like: Recording) -> None:
    subnets = prod_like.all_of(SUBNET)
    assert len(subnets) == 9
    for tier in SubnetTier:
        for index, zone in enumerate(ZONES_3):
            subnet = prod_like.find(SUBNET, f"net-{tier.value}-{zone}")
            assert subnet["cidrBlock"] == str(subnet_cidr("10.0.0.0/16", tier, index))
            assert subnet["availabilityZone"] == zone
            assert subnet["tags"]["Tier"] == tier.value


def test_private_subnets_are_at_least_a_19_each_on_a_16(prod_like: Recording) -> None:
    for zone in ZONES_3:
        cidr = ipaddress.ip_network(prod_like.find(SUBNET, f"net-private-{zone}")["cidrBlock"])
        assert cidr.prefixlen <= 19


def test_subnets_are_tagged_for_load_balancer_discovery(prod_like: Recording) -> None:
    for zone in ZONES_3:
        public = prod_like.find(SUBNET, f"net-public-{zone}")["tags"]
        private = prod_like.find(SUBNET, f"net-private-{zone}")["tags"]
        data = prod_like.find(SUBNET, f"net-data-{zone}")["tags"]
        assert public["kubernetes.io/role/elb"] == "1"
        assert private["kubernetes.io/role/internal-elb"] == "1"
        assert not any(key.startswith("kubernetes.io/role") for key in data)


def test_no_subnet_gives_instances_a_public_ip(prod_like: Recording) -> None:
    assert all(s["mapPublicIpOnLaunch"] is False for s in prod_like.all_of(SUBNET))


def test_adding_a_zone_keeps_every_existing_subnet_and_its_cidr(run_program: RunProgram) -> None:
    two = {s.name: s["cidrBlock"] for s in network(run_program, az_count=2).all_of(SUBNET)}
    three = {s.name: s["cidrBlock"] for s in network(run_program, az_count=3).all_of(SUBNET)}
    assert {name: three[name] for name in two} == two
    assert len(three) == len(two) + 3


# --- Routing ---------------------------------------------------------------------------------


def test_one_route_table_per_tier_and_zone_each_subnet_associated_with_its_own(
    prod_like: Recording,
) -> None:
    assert len(prod_like.all_of(ROUTE_TABLE)) == 9
    subnets = by_id(prod_like, SUBNET)
    tables = by_id(prod_like, ROUTE_TABLE)
    pairs = {
        (subnets[a["subnetId"]], tables[a["routeTableId"]]) for a in prod_like.all_of(ASSOCIATION)
    }
    assert pairs == {
        (f"net-{t.value}-{z}", f"net-{t.value}-{z}-rt") for t in SubnetTier for z in ZONES_3
    }


def test_public_route_tables_send_the_internet_to_the_internet_gateway(
    prod_like: Recording,
) -> None:
    igw_id = prod_like.find(IGW, "net-igw").id
    for zone in ZONES_3:
        routes = routes_of(prod_like, f"net-public-{zone}-rt")
        assert routes == [
            {
                "routeTableId": routes[0]["routeTableId"],
                "destinationCidrBlock": "0.0.0.0/0",
                "gatewayId": igw_id,
            }
        ]


def test_prod_puts_one_nat_per_zone_each_private_table_using_its_own_zone(
    prod_like: Recording,
) -> None:
    nats = prod_like.all_of(NAT)
    assert [n.name for n in nats] == [f"net-nat-{z}" for z in ZONES_3]
    assert len(prod_like.all_of(EIP)) == 3
    public_subnets = by_id(prod_like, SUBNET)
    for zone in ZONES_3:
        nat = prod_like.find(NAT, f"net-nat-{zone}")
        assert public_subnets[nat["subnetId"]] == f"net-public-{zone}"
        assert nat["allocationId"] == prod_like.find(EIP, f"net-nat-{zone}-eip").id
        [route] = routes_of(prod_like, f"net-private-{zone}-rt")
        assert route["destinationCidrBlock"] == "0.0.0.0/0"
        assert route["natGatewayId"] == nat.id


def test_single_nat_serves_every_private_table(run_program: RunProgram) -> None:
    rec = network(run_program, nat_strategy="single")
    [nat] = rec.all_of(NAT)
    assert nat.name == "net-nat-eu-west-1a"
    for zone in ZONES_3:
        [route] = routes_of(rec, f"net-private-{zone}-rt")
        assert route["natGatewayId"] == nat.id


def test_switching_single_to_per_az_keeps_the_first_nat(run_program: RunProgram) -> None:
    single = {n.name for n in network(run_program, nat_strategy="single").all_of(NAT)}
    per_az = {n.name for n in network(run_program, nat_strategy="per_az").all_of(NAT)}
    assert single < per_az


def test_no_nat_means_no_nat_no_eip_and_no_default_route_for_private_subnets(
    run_program: RunProgram,
) -> None:
    endpoints = ("ec2", "ecr.api", "ecr.dkr", "eks-auth", "elasticloadbalancing", "logs", "sts")
    rec = network(run_program, nat_strategy="none", interface_endpoints=endpoints)
    assert rec.all_of(NAT) == [] and rec.all_of(EIP) == []
    for zone in ZONES_3:
        assert routes_of(rec, f"net-private-{zone}-rt") == []


def test_nat_gateways_wait_for_the_internet_gateway(prod_like: Recording) -> None:
    igw_urn = prod_like.find(IGW, "net-igw").urn
    for resource in prod_like.all_of(NAT) + prod_like.all_of(EIP):
        assert igw_urn in resource.depends_on


def test_data_subnets_have_no_internet_route(prod_like: Recording) -> None:
    for zone in ZONES_3:
        assert routes_of(prod_like, f"net-data-{zone}-rt") == []
    data_tables = {prod_like.find(ROUTE_TABLE, f"net-data-{z}-rt").id for z in ZONES_3}
    for endpoint in prod_like.all_of(ENDPOINT):
        assert not data_tables & set(endpoint.get("routeTableIds", []))


# --- Endpoints -------------------------------------------------------------------------------


def test_s3_gateway_endpoint_serves_the_private_route_tables(prod_like: Recording) -> None:
    s3 = prod_like.find(ENDPOINT, "net-s3-endpoint")
    assert s3["serviceName"] == "com.amazonaws.eu-west-1.s3"
    assert s3["vpcEndpointType"] == "Gateway"
    private_tables = {prod_like.find(ROUTE_TABLE, f"net-private-{z}-rt").id for z in ZONES_3}
    assert set(s3["routeTableIds"]) == private_tables


def test_interface_endpoints_from_config_with_private_dns_in_private_subnets(
    run_program: RunProgram,
) -> None:
    rec = network(run_program, interface_endpoints=("ecr.api", "sts", "kms"))
    interface = [e for e in rec.all_of(ENDPOINT) if e["vpcEndpointType"] == "Interface"]
    assert sorted(e["serviceName"] for e in interface) == [
        "com.amazonaws.eu-west-1.ecr.api",
        "com.amazonaws.eu-west-1.kms",
        "com.amazonaws.eu-west-1.sts",
    ]
    private_subnets = {rec.find(SUBNET, f"net-private-{z}").id for z in ZONES_3}
    group_id = rec.find(SECURITY_GROUP, "net-endpoints-sg").id
    for endpoint in interface:
        assert endpoint["privateDnsEnabled"] is True
        assert set(endpoint["subnetIds"]) == private_subnets
        assert endpoint["securityGroupIds"] == [group_id]


def test_default_interface_endpoints_cover_images_credentials_logs_secrets_and_ssm(
    prod_like: Recording,
) -> None:
    services = {
        e["serviceName"].removeprefix("com.amazonaws.eu-west-1.")
        for e in prod_like.all_of(ENDPOINT)
        if e["vpcEndpointType"] == "Interface"
    }
    assert {"ecr.api", "ecr.dkr", "sts", "logs", "secretsmanager", "ssm"} <= services


def test_endpoint_security_group_allows_only_https_from_the_vpc(prod_like: Recording) -> None:
    group = prod_like.find(SECURITY_GROUP, "net-endpoints-sg")
    assert "ingress" not in group.inputs and "egress" not in group.inputs
    rules = [r for r in prod_like.all_of(INGRESS) if r["securityGroupId"] == group.id]
    assert [(r["ipProtocol"], r["fromPort"], r["toPort"], r["cidrIpv4"]) for r in rules] == [
        ("tcp", 443, 443, "10.0.0.0/16")
    ]


# --- Flow logs, default security group ------------------------------------------------------


def test_flow_logs_capture_all_vpc_traffic_into_cloudwatch(prod_like: Recording) -> None:
    [flow_log] = prod_like.all_of(FLOW_LOG)
    group = prod_like.find(LOG_GROUP, "net-flow-logs")
    assert flow_log["vpcId"] == prod_like.find(VPC, "net-vpc").id
    assert flow_log["trafficType"] == "ALL"
    assert flow_log["logDestinationType"] == "cloud-watch-logs"
    assert flow_log["logDestination"] == group.outputs["arn"]
    assert flow_log["maxAggregationInterval"] == 60
    assert flow_log["iamRoleArn"] == prod_like.find(ROLE, "net-flow-logs-role").outputs["arn"]


def test_flow_log_retention_and_scope_follow_config(run_program: RunProgram) -> None:
    rec = network(run_program, flow_logs={"retention_days": 7, "traffic_type": "REJECT"})
    assert rec.find(LOG_GROUP, "net-flow-logs")["retentionInDays"] == 7
    assert rec.find(FLOW_LOG, "net-flow-log")["trafficType"] == "REJECT"


def test_flow_log_group_is_encrypted_with_the_given_key(run_program: RunProgram) -> None:
    key = "arn:aws:kms:eu-west-1:123456789012:key/abc"
    rec = network(run_program, flow_logs_kms_key_arn=key)
    assert rec.find(LOG_GROUP, "net-flow-logs")["kmsKeyId"] == key


def test_flow_log_role_is_assumable_only_by_this_accounts_flow_logs(prod_like: Recording) -> None:
    trust = json.loads(prod_like.find(ROLE, "net-flow-logs-role")["assumeRolePolicy"])
    [statement] = trust["Statement"]
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    assert statement["Condition"]["ArnLike"] == {
        "aws:SourceArn": "arn:aws:ec2:eu-west-1:123456789012:vpc-flow-log/*"
    }


def test_flow_log_role_can_write_only_to_its_log_group(prod_like: Recording) -> None:
    policy = json.loads(prod_like.find(ROLE_POLICY, "net-flow-logs-write")["policy"])
    group_arn = prod_like.find(LOG_GROUP, "net-flow-logs").outputs["arn"]
    write, describe = policy["Statement"]
    assert set(write["Action"]) == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "logs:DescribeLogStreams",
    }
    assert write["Resource"] == [group_arn, f"{group_arn}:*"]
    assert describe["Action"] == "logs:DescribeLogGroups"
    assert describe["Resource"] == "arn:aws:logs:eu-west-1:123456789012:log-group:*"
    assert not any(s.get("Resource") == "*" for s in policy["Statement"])


def test_flow_log_waits_for_its_write_permission(prod_like: Recording) -> None:
    policy = prod_like.find(ROLE_POLICY, "net-flow-logs-write")
    assert policy.urn in prod_like.find(FLOW_LOG, "net-flow-log").depends_on


def test_default_security_group_is_adopted_and_stripped_of_all_rules(prod_like: Recording) -> None:
    default = prod_like.find(DEFAULT_SG, "net-default-sg")
    assert default["vpcId"] == prod_like.find(VPC, "net-vpc").id
    assert not default.get("ingress") and not default.get("egress")


# --- Naming and outputs ----------------------------------------------------------------------


def test_name_tags_use_the_name_tag_prefix_not_the_logical_name(run_program: RunProgram) -> None:
    rec = network(run_program, name_tag="shop-prod")
    assert rec.find(VPC, "net-vpc")["tags"]["Name"] == "shop-prod-vpc"
    assert rec.find(SUBNET, "net-data-eu-west-1b")["tags"]["Name"] == "shop-prod-data-eu-west-1b"


def test_every_child_is_parented_to_the_component(prod_like: Recording) -> None:
    component = prod_like.find("platform:network:Network", "net")
    children = [r for r in prod_like.resources if r.name.startswith("net-")]
    assert children and all(r.parent == component.urn for r in children)


def test_outputs_are_registered_with_ids_per_tier(prod_like: Recording) -> None:
    component = prod_like.find("platform:network:Network", "net")
    assert component.registered_outputs
    out = component.outputs
    assert out["vpc_id"] == prod_like.find(VPC, "net-vpc").id
    assert out["vpc_cidr"] == "10.0.0.0/16"
    assert out["availability_zones"] == ZONES_3
    for tier in SubnetTier:
        ids = [prod_like.find(SUBNET, f"net-{tier.value}-{z}").id for z in ZONES_3]
        assert out[f"{tier.value}_subnet_ids"] == ids
        tables = [prod_like.find(ROUTE_TABLE, f"net-{tier.value}-{z}-rt").id for z in ZONES_3]
        assert out["route_table_ids"][tier.value] == tables
    assert out["nat_gateway_ids"] == [n.id for n in prod_like.all_of(NAT)]
    assert out["nat_public_ips"] == [n.outputs["publicIp"] for n in prod_like.all_of(NAT)]
    assert (
        out["endpoint_security_group_id"] == prod_like.find(SECURITY_GROUP, "net-endpoints-sg").id
    )
    assert out["flow_log_group_name"] == prod_like.find(LOG_GROUP, "net-flow-logs").outputs["name"]
