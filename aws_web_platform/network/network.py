"""Network: the VPC every other component lives in.

Three subnet tiers per AZ (public, private, isolated data) carved by the fixed grid of
:mod:`aws_web_platform.network.layout`; NAT per the stack's strategy; an S3 gateway endpoint and
interface endpoints so AWS traffic stays private; flow logs; the default security group emptied.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from pydantic import Field

from aws_web_platform.core.aws_context import aws_context
from aws_web_platform.core.fields import Wiring, compose
from aws_web_platform.network.config import NetworkConfig
from aws_web_platform.network.layout import SubnetTier, subnet_cidr

# Subnet tags the AWS Load Balancer Controller uses to discover where to put load balancers.
_ELB_ROLE_TAGS: dict[SubnetTier, dict[str, str]] = {
    SubnetTier.PUBLIC: {"kubernetes.io/role/elb": "1"},
    SubnetTier.PRIVATE: {"kubernetes.io/role/internal-elb": "1"},
    SubnetTier.DATA: {},
}


class NetworkWiring(Wiring):
    """What :class:`Network` is wired to besides its settings."""

    name_tag: str | None = Field(
        default=None,
        description="Prefix of the Name tag of every child (e.g. 'platform-prod'). Default: the "
        "component's name. Kept apart from logical names, so renaming never replaces a resource.",
    )
    flow_logs_kms_key_arn: str | pulumi.Output[str] | None = Field(
        default=None,
        description="KMS key ARN that encrypts the flow-log group. Default None: CloudWatch's "
        "own encryption at rest; pass the stack's logs key to control access with key policy.",
    )


class NetworkArgs(NetworkConfig, NetworkWiring):
    """Arguments of :class:`Network`: its settings (``NetworkConfig``) and its wiring
    (``NetworkWiring``), every field flat."""

    @classmethod
    def from_config(cls, config: NetworkConfig, wiring: NetworkWiring) -> NetworkArgs:
        """The Args of a stack file's settings and the platform's wiring."""
        return compose(cls, config, wiring)


class Network(pulumi.ComponentResource):
    """A VPC over 2..3 AZs with public, private and isolated data subnets.

    Egress: the public tier routes to the internet gateway; the private tier to NAT per the
    ``nat_strategy``; the data tier has no route out of the VPC at all.
    """

    vpc: aws.ec2.Vpc
    vpc_id: pulumi.Output[str]
    vpc_cidr: str
    availability_zones: list[str]
    subnets: dict[SubnetTier, dict[str, aws.ec2.Subnet]]
    public_subnet_ids: pulumi.Output[list[str]]
    private_subnet_ids: pulumi.Output[list[str]]
    data_subnet_ids: pulumi.Output[list[str]]
    route_table_ids: dict[SubnetTier, pulumi.Output[list[str]]]
    nat_gateway_ids: pulumi.Output[list[str]]
    nat_public_ips: pulumi.Output[list[str]]
    endpoint_security_group_id: pulumi.Output[str]
    flow_log_group_name: pulumi.Output[str]
    tier_cidrs: dict[SubnetTier, list[str]]
    """Per tier, the subnets' CIDRs in AZ order: what NetworkPolicies admit from or open to."""

    def __init__(
        self,
        name: str,
        args: NetworkArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("platform:network:Network", name, None, opts)
        args = args or NetworkArgs()
        tag = args.name_tag or name
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOptions(parent=self)

        self.vpc_cidr = str(args.cidr)
        self.availability_zones = self._pick_zones(args.az_count, invoke)
        self.tier_cidrs = {
            tier: [
                str(subnet_cidr(args.cidr, tier, index))
                for index in range(len(self.availability_zones))
            ]
            for tier in SubnetTier
        }
        region = aws_context(self).region

        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=self.vpc_cidr,
            enable_dns_support=True,  # required by private DNS of interface endpoints
            enable_dns_hostnames=True,  # required by EKS nodes and RDS endpoints
            tags={"Name": f"{tag}-vpc"},
            opts=child,
        )
        self.vpc_id = self.vpc.id

        # Adopting the default security group strips its allow-all rules: anything launched
        # without an explicit group is then isolated instead of open to the whole VPC.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=self.vpc.id,
            tags={"Name": f"{tag}-default-unused"},
            opts=child,
        )

        igw = aws.ec2.InternetGateway(
            f"{name}-igw", vpc_id=self.vpc.id, tags={"Name": f"{tag}-igw"}, opts=child
        )

        self.subnets = {tier: {} for tier in SubnetTier}
        tables: dict[SubnetTier, dict[str, aws.ec2.RouteTable]] = {tier: {} for tier in SubnetTier}
        for tier in SubnetTier:
            for index, zone in enumerate(self.availability_zones):
                subnet = aws.ec2.Subnet(
                    f"{name}-{tier.value}-{zone}",
                    vpc_id=self.vpc.id,
                    availability_zone=zone,
                    cidr_block=self.tier_cidrs[tier][index],
                    map_public_ip_on_launch=False,  # nothing here needs a public IP on launch
                    tags={"Name": f"{tag}-{tier.value}-{zone}", "Tier": tier.value}
                    | _ELB_ROLE_TAGS[tier],
                    opts=child,
                )
                table = aws.ec2.RouteTable(
                    f"{name}-{tier.value}-{zone}-rt",
                    vpc_id=self.vpc.id,
                    tags={"Name": f"{tag}-{tier.value}-{zone}", "Tier": tier.value},
                    opts=child,
                )
                aws.ec2.RouteTableAssociation(
                    f"{name}-{tier.value}-{zone}-rta",
                    subnet_id=subnet.id,
                    route_table_id=table.id,
                    opts=child,
                )
                self.subnets[tier][zone] = subnet
                tables[tier][zone] = table

        for zone, table in tables[SubnetTier.PUBLIC].items():
            aws.ec2.Route(
                f"{name}-public-{zone}-internet",
                route_table_id=table.id,
                destination_cidr_block="0.0.0.0/0",
                gateway_id=igw.id,
                opts=child,
            )

        nat_by_zone = self._nat_gateways(name, tag, args, igw)
        for zone, table in tables[SubnetTier.PRIVATE].items():
            nat = nat_by_zone.get(zone) or next(iter(nat_by_zone.values()), None)
            if nat is None:
                continue  # natStrategy none: private subnets reach AWS through endpoints only
            aws.ec2.Route(
                f"{name}-private-{zone}-nat",
                route_table_id=table.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nat.id,
                opts=child,
            )
        # The data tier gets no route at all: RDS and ElastiCache answer inside the VPC only.

        # S3 through a gateway endpoint: free, and image layers from ECR (stored in S3) do not
        # pay NAT data charges. Attached to the private tier, where the nodes are.
        aws.ec2.VpcEndpoint(
            f"{name}-s3-endpoint",
            vpc_id=self.vpc.id,
            service_name=f"com.amazonaws.{region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[t.id for t in tables[SubnetTier.PRIVATE].values()],
            tags={"Name": f"{tag}-s3"},
            opts=child,
        )
        self.endpoint_security_group_id = self._interface_endpoints(name, tag, args, region)

        self.flow_log_group_name = self._flow_logs(name, tag, args, region)

        self.public_subnet_ids = self._ids(self.subnets[SubnetTier.PUBLIC])
        self.private_subnet_ids = self._ids(self.subnets[SubnetTier.PRIVATE])
        self.data_subnet_ids = self._ids(self.subnets[SubnetTier.DATA])
        self.route_table_ids = {tier: self._ids(tables[tier]) for tier in SubnetTier}
        self.nat_gateway_ids = pulumi.Output.all(*[n.id for n in nat_by_zone.values()])
        self.nat_public_ips = pulumi.Output.all(*[n.public_ip for n in nat_by_zone.values()])

        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "vpc_cidr": self.vpc_cidr,
                "availability_zones": self.availability_zones,
                "public_subnet_ids": self.public_subnet_ids,
                "private_subnet_ids": self.private_subnet_ids,
                "data_subnet_ids": self.data_subnet_ids,
                "route_table_ids": {t.value: ids for t, ids in self.route_table_ids.items()},
                "nat_gateway_ids": self.nat_gateway_ids,
                "nat_public_ips": self.nat_public_ips,
                "endpoint_security_group_id": self.endpoint_security_group_id,
                "flow_log_group_name": self.flow_log_group_name,
            }
        )

    def subnet_ids(self, tier: SubnetTier) -> pulumi.Output[list[str]]:
        """The ids of the subnets of ``tier``, in AZ order."""
        return self._ids(self.subnets[tier])

    # ---------------------------------------------------------------------------------------

    @staticmethod
    def _pick_zones(count: int, invoke: pulumi.InvokeOptions) -> list[str]:
        """The region's first ``count`` standard AZs, sorted by name.

        Sorted names keep each AZ's index (and so its subnets' CIDRs) stable as the count grows.
        Local and Wavelength zones (opt-in) are excluded: they lack most instance types.
        """
        zones = aws.get_availability_zones(
            state="available",
            filters=[{"name": "opt-in-status", "values": ["opt-in-not-required"]}],
            opts=invoke,
        )
        names = sorted(zones.names)
        if len(names) < count:
            raise ValueError(
                f"network.azCount is {count} but the region offers only {len(names)} available "
                f"AZs ({', '.join(names)}); lower azCount"
            )
        return names[:count]

    def _nat_gateways(
        self, name: str, tag: str, args: NetworkArgs, igw: aws.ec2.InternetGateway
    ) -> dict[str, aws.ec2.NatGateway]:
        """NAT gateways by AZ: one per AZ (per_az), one in the first AZ (single), or none.

        Keyed by AZ so that switching single -> per_az keeps the first NAT and its public IP.
        """
        if args.nat_strategy == "none":
            return {}
        zones = (
            self.availability_zones
            if args.nat_strategy == "per_az"
            else self.availability_zones[:1]
        )
        # EIPs and NAT gateways need the internet gateway attached first.
        needs_igw = pulumi.ResourceOptions(parent=self, depends_on=[igw])
        gateways: dict[str, aws.ec2.NatGateway] = {}
        for zone in zones:
            eip = aws.ec2.Eip(
                f"{name}-nat-{zone}-eip",
                domain="vpc",
                tags={"Name": f"{tag}-nat-{zone}"},
                opts=needs_igw,
            )
            gateways[zone] = aws.ec2.NatGateway(
                f"{name}-nat-{zone}",
                allocation_id=eip.allocation_id,
                subnet_id=self.subnets[SubnetTier.PUBLIC][zone].id,
                connectivity_type="public",
                tags={"Name": f"{tag}-nat-{zone}"},
                opts=needs_igw,
            )
        return gateways

    def _interface_endpoints(
        self, name: str, tag: str, args: NetworkArgs, region: str
    ) -> pulumi.Output[str]:
        """Interface endpoints in every private subnet behind one group open to the VPC on 443."""
        child = pulumi.ResourceOptions(parent=self)
        group = aws.ec2.SecurityGroup(
            f"{name}-endpoints-sg",
            vpc_id=self.vpc.id,
            description="Interface VPC endpoints: HTTPS from inside the VPC only",
            tags={"Name": f"{tag}-endpoints"},
            opts=child,
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-endpoints-https-from-vpc",
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4=self.vpc_cidr,
            description="HTTPS to AWS APIs from anything in the VPC",
            opts=child,
        )
        private_subnets = [s.id for s in self.subnets[SubnetTier.PRIVATE].values()]
        for service in args.interface_endpoints:
            aws.ec2.VpcEndpoint(
                f"{name}-{service.replace('.', '-')}-endpoint",
                vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,  # SDKs reach the endpoint under the usual AWS names
                subnet_ids=private_subnets,
                security_group_ids=[group.id],
                tags={"Name": f"{tag}-{service}"},
                opts=child,
            )
        return group.id

    def _flow_logs(self, name: str, tag: str, args: NetworkArgs, region: str) -> pulumi.Output[str]:
        """Flow logs of the whole VPC to CloudWatch, through a role that can write only there."""
        child = pulumi.ResourceOptions(parent=self)
        group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            name_prefix=f"/aws/vpc/{tag}/flow-logs-",
            retention_in_days=args.flow_logs.retention_days,
            kms_key_id=args.flow_logs_kms_key_arn,
            opts=child,
        )
        context = aws_context(self)
        # Only VPC flow logs of this account and region may assume the role (confused deputy).
        trust = pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                        "Condition": {
                            "StringEquals": {"aws:SourceAccount": context.account_id},
                            "ArnLike": {
                                "aws:SourceArn": pulumi.Output.format(
                                    "arn:{0}:ec2:{1}:{2}:vpc-flow-log/*",
                                    context.partition,
                                    region,
                                    context.account_id,
                                )
                            },
                        },
                    }
                ],
            }
        )
        role = aws.iam.Role(
            f"{name}-flow-logs-role",
            assume_role_policy=trust,
            description=f"VPC flow logs of {tag} write to their log group",
            opts=child,
        )
        policy = aws.iam.RolePolicy(
            f"{name}-flow-logs-write",
            role=role.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "WriteThisGroupOnly",
                            "Effect": "Allow",
                            "Action": [
                                "logs:CreateLogStream",
                                "logs:PutLogEvents",
                                "logs:DescribeLogStreams",
                            ],
                            "Resource": [group.arn, pulumi.Output.concat(group.arn, ":*")],
                        },
                        {
                            # The service checks the group exists before delivering; this call
                            # has no narrower resource than the account's log groups.
                            "Sid": "FindTheGroup",
                            "Effect": "Allow",
                            "Action": "logs:DescribeLogGroups",
                            "Resource": pulumi.Output.format(
                                "arn:{0}:logs:{1}:{2}:log-group:*",
                                context.partition,
                                region,
                                context.account_id,
                            ),
                        },
                    ],
                }
            ),
            opts=child,
        )
        aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=self.vpc.id,
            traffic_type=args.flow_logs.traffic_type,
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=args.flow_logs.max_aggregation_interval,
            tags={"Name": f"{tag}-flow-log"},
            # Delivery starts at once: the role must already be allowed to write.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        return group.name

    @staticmethod
    def _ids(
        resources: dict[str, aws.ec2.Subnet] | dict[str, aws.ec2.RouteTable],
    ) -> pulumi.Output[list[str]]:
        return pulumi.Output.all(*[r.id for r in resources.values()])
