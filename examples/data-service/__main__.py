"""Example: a small service's data tier from the platform's components, on their own.

A VPC (Network), a PostgreSQL database (PostgresDatabase) and an encrypted bucket (Bucket), with
one KMS key, an app role that may use both, and the wiring a platform engineer writes by hand:
explicit provider with default tags, intent methods for access. The repository's test suite runs
this program through the offline plan and the policy pack (tests/library/test_examples.py).

    cd examples/data-service && pulumi up --stack demo
    python -m tools.plan --root examples/data-service --stack demo     (offline, from the repo)
"""

import json

import pulumi
import pulumi_aws as aws
import pulumi_random as random
from pydantic import Field

from aws_web_platform import (
    Bucket,
    BucketArgs,
    EncryptionKey,
    EncryptionKeyArgs,
    Network,
    NetworkArgs,
    NetworkWiring,
    PostgresDatabase,
    PostgresDatabaseArgs,
    PostgresDatabaseWiring,
)
from aws_web_platform.core.fields import ConfigModel, TagValue
from aws_web_platform.database.config import DatabaseConfig
from aws_web_platform.network.config import NetworkConfig
from aws_web_platform.stack.loading import load_config_model


class ServiceConfig(ConfigModel):
    """The example's stack config (``data-service:*`` keys)."""

    owner: TagValue = Field(description="Team owning the service (Owner tag). Required.")
    cost_center: TagValue = Field(description="Cost center billed (CostCenter tag). Required.")
    network: NetworkConfig = Field(default=NetworkConfig(), description="The VPC.")
    database: DatabaseConfig = Field(default=DatabaseConfig(), description="PostgreSQL.")
    protect_data: bool = Field(
        default=True,
        description="Protect the key, database and bucket from deletion. Same key as the "
        "platform's (protectData), so the policy pack's config follows it.",
    )


config = load_config_model(ServiceConfig)
project, stack = pulumi.get_project(), pulumi.get_stack()
region = pulumi.Config("aws").require("region")
slug = f"{project}-{stack}"

aws_provider = aws.Provider(
    "aws",
    region=region,
    default_tags=aws.ProviderDefaultTagsArgs(
        tags={
            "Project": project,
            "Environment": stack,
            "ManagedBy": "pulumi",
            "Owner": config.owner,
            "CostCenter": config.cost_center,
        }
    ),
)
# The database generates its passwords with pulumi-random: that provider is explicit too.
random_provider = random.Provider("random")
opts = pulumi.ResourceOptions(providers={"aws": aws_provider, "random": random_provider})

key = EncryptionKey(
    "data",
    EncryptionKeyArgs(
        description=f"{slug}: database, secrets, bucket and logs",
        services=("rds", "secretsmanager", "s3", "logs"),
        alias=f"alias/{slug}/data",
        protect=config.protect_data,
    ),
    opts=opts,
)

network = Network(
    "network",
    NetworkArgs.from_config(
        config.network, NetworkWiring(name_tag=slug, flow_logs_kms_key_arn=key.arn)
    ),
    opts=opts,
)

database = PostgresDatabase(
    "db",
    PostgresDatabaseArgs.from_config(
        config.database,
        PostgresDatabaseWiring(
            vpc_id=network.vpc_id,
            subnet_ids=network.data_subnet_ids,
            availability_zones=network.availability_zones,
            identifier=f"{slug}-postgres",
            storage_kms_key_arn=key.arn,
            secrets_kms_key_arn=key.arn,
            logs_kms_key_arn=key.arn,
            aws_endpoints_security_group_id=network.endpoint_security_group_id,
            secret_name_prefix=slug,
            # One class of clients: the service logs in as app_reports.
            runtime_classes=("reports",),
            protect=config.protect_data,
        ),
    ),
    opts=opts,
)
# The roles inside PostgreSQL (database.role_plan) are created by whatever reaches the data
# subnets: the platform runs DatabaseRoles in its cluster; without one, run
# render_roles_sql(database.role_plan) as the master from a host in the VPC.

reports = Bucket("reports", BucketArgs(kms_key_arn=key.arn, protect=config.protect_data), opts=opts)

# The service itself (on ECS, EKS or EC2: not this example's business) gets a role and a
# security group; the components open exactly what it needs.
app_security_group = aws.ec2.SecurityGroup(
    "app-sg",
    vpc_id=network.vpc_id,
    description="The reporting service's tasks",
    opts=opts,
)
app_role = aws.iam.Role(
    "app-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
    opts=opts,
)
database.allow_from(app_security_group, label="app")
reports.grant_read_write(app_role, prefix="reports/")

pulumi.export("vpcId", network.vpc_id)
pulumi.export("databaseEndpoint", database.app_endpoint)
pulumi.export("databaseRuntimeSecretArn", database.runtime_secrets["reports"].arn)
pulumi.export("reportsBucket", reports.name)
pulumi.export("appRoleArn", app_role.arn)
