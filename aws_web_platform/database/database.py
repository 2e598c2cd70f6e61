"""PostgresDatabase: RDS PostgreSQL with read replicas, tuned parameters and RDS Proxy pooling.

* Primary (Multi-AZ when asked) and read replicas in other AZs, in the isolated data subnets,
  never publicly accessible, gp3 storage with an autoscaling ceiling, encrypted with the data
  key, TLS forced (``rds.force_ssl``), IAM database authentication on.
* A parameter group with the spec's tuning derived from the instance class's memory
  (:mod:`aws_web_platform.database.tuning`), pg_stat_statements and a slow-query log.
* Backups for the configured days (spec: 30) with point-in-time recovery, non-overlapping backup
  and maintenance windows, tags copied to snapshots; in protected stacks deletion protection, a
  final snapshot and retained automated backups.
* Performance Insights (data key), Enhanced Monitoring at 15 s, postgresql and upgrade logs in
  CloudWatch log groups created beforehand so their retention and key are ours.
* RDS Proxy in front of the primary: TLS required, authenticating the runtime roles with their
  Secrets Manager secrets through a role that can read only those secrets (never the master's).
* A generated password and secret per database role (:mod:`aws_web_platform.database.roles`):
  the migration role, one runtime login per workload class, monitoring and backup. The roles
  themselves are created inside the database by
  :class:`~aws_web_platform.k8s.database_roles.DatabaseRoles`, with :attr:`role_plan` and
  :attr:`role_secrets`.
* A security group with no ingress: :meth:`PostgresDatabase.allow_from` opens 5432 to one group.

The master password is generated (pulumi-random) and kept in a Secrets Manager secret under the
secrets key, not managed by RDS (``manage_master_user_password``): AWS cannot create read
replicas of an instance whose master password RDS manages in Secrets Manager (RDS User Guide,
"Limitations for Secrets Manager integration with Amazon RDS"). Bump ``passwordVersion`` to
rotate it.
"""

from __future__ import annotations

from typing import Annotated

import pulumi
import pulumi_aws as aws
import pulumi_random as random
from pydantic import Field, StringConstraints

from aws_web_platform.core.aws_context import aws_context
from aws_web_platform.core.fields import InputStr, InputStrs, Wiring, compose
from aws_web_platform.core.iam import grant, kms_use_statement, label_of, service_trust_policy
from aws_web_platform.core.security_groups import SecurityGroupSource, allow_ingress, resolve_source
from aws_web_platform.database.config import DatabaseConfig
from aws_web_platform.database.roles import RolePlan, runtime_classes
from aws_web_platform.database.tuning import INSTANCE_CLASSES, PostgresSettings, rds_parameters
from aws_web_platform.secrets.secret import Secret, SecretArgs

PORT = 5432
LOG_EXPORTS = ("postgresql", "upgrade")


class PostgresDatabaseWiring(Wiring):
    """What :class:`PostgresDatabase` is wired to besides its settings."""

    vpc_id: InputStr = Field(
        description="VPC id (str or Output) for the security groups. Required."
    )
    subnet_ids: InputStrs = Field(
        description="Isolated data-tier subnet ids (list or Output of list), one per AZ. Required."
    )
    availability_zones: list[str] = Field(
        description="The AZs of those subnets, in order: replicas are spread over them."
    )
    identifier: str = Field(
        pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$",
        max_length=52,
        description="RDS identifier of the primary (replicas add -replica-N). Fixed, not "
        "autonamed, so the log groups can exist before the instance.",
    )
    storage_kms_key_arn: InputStr = Field(
        description="Key (ARN) encrypting storage, snapshots and Performance Insights. Required."
    )
    secrets_kms_key_arn: InputStr = Field(
        description="Key (ARN) encrypting the credential secrets."
    )
    logs_kms_key_arn: InputStr | None = Field(
        default=None, description="Key (ARN) encrypting the log groups. Default: CloudWatch's own."
    )
    aws_endpoints_security_group_id: InputStr | None = Field(
        default=None,
        description="Security group of the VPC's interface endpoints: the proxy may reach "
        "Secrets Manager through it (443). Default None: no such rule, for VPCs whose data "
        "subnets reach AWS otherwise.",
    )
    secret_name_prefix: str = Field(
        description="Prefix of the credential secrets' names (<prefix>/database/master, /app)."
    )
    backup_tags: dict[str, str] = Field(
        default_factory=dict,
        description="Tags on the primary only, e.g. the AWS Backup selection tag (replicas hold "
        "nothing the primary does not). Default none.",
    )
    runtime_classes: tuple[
        Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]{0,9}$")], ...
    ] = Field(
        default=("api", "worker"),
        min_length=1,
        description="Workload classes that use the database: each gets a runtime login "
        "(<appUsername>_<class>) and its secret. At least one (the proxy authenticates "
        "them). Default api and worker.",
    )
    password_version: int = Field(
        default=1,
        ge=1,
        description="Bump to generate new passwords for every database role (rotation; the "
        "role bootstrap applies them). Default 1.",
    )
    protect: bool = Field(
        default=True,
        description="Deletion protection, final snapshot, retained backups and Pulumi protect "
        "on the primary. Default true.",
    )


class PostgresDatabaseArgs(DatabaseConfig, PostgresDatabaseWiring):
    """Arguments of :class:`PostgresDatabase`: its settings (``DatabaseConfig``) and its wiring
    (``PostgresDatabaseWiring``), every field flat."""

    @classmethod
    def from_config(
        cls, config: DatabaseConfig, wiring: PostgresDatabaseWiring
    ) -> PostgresDatabaseArgs:
        """The Args of a stack file's settings and the platform's wiring."""
        return compose(cls, config, wiring)


class PostgresDatabase(pulumi.ComponentResource):
    """RDS PostgreSQL: primary, read replicas, tuned parameters, proxy, secrets, monitoring."""

    primary: aws.rds.Instance
    replicas: list[aws.rds.Instance]
    proxy: aws.rds.Proxy | None
    security_group: aws.ec2.SecurityGroup
    proxy_security_group: aws.ec2.SecurityGroup | None
    settings: PostgresSettings
    memory_gib: float
    """Memory of the instance class: what the freeable-memory alarm takes its share of."""
    subnet_group_name: pulumi.Output[str]
    identifier: str
    replica_identifiers: list[str]
    parameter_group_name: pulumi.Output[str]
    port: int
    writer_endpoint: pulumi.Output[str]
    reader_endpoints: list[pulumi.Output[str]]
    proxy_endpoint: pulumi.Output[str] | None
    app_endpoint: pulumi.Output[str]
    master_secret: Secret
    migration_secret: Secret
    runtime_secrets: dict[str, Secret]
    """The runtime login's secret of each workload class (``api``, ``worker``)."""
    monitoring_secret: Secret
    backup_secret: Secret
    role_plan: RolePlan
    role_secrets: dict[str, Secret]
    """Every login role's secret, by role name: what the role bootstrap reads besides the
    master's."""
    security_group_id: pulumi.Output[str]
    password_version: int
    """The passwords' version: the role bootstrap runs again when it changes."""

    def __init__(
        self, name: str, args: PostgresDatabaseArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:database:PostgresDatabase", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.port = PORT
        self.password_version = args.password_version
        self.settings = args.tuning()
        self.memory_gib = INSTANCE_CLASSES[args.instance_class].memory_gib
        major = args.engine_version.split(".")[0]

        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=args.vpc_id,
            description="PostgreSQL: no ingress unless opened with allow_from",
            tags={"Name": f"{args.identifier}-postgres"},
            opts=child,
        )
        self.security_group_id = self.security_group.id
        subnet_group = aws.rds.SubnetGroup(
            f"{name}-subnets",
            subnet_ids=args.subnet_ids,
            description=f"Isolated data subnets of {args.identifier}",
            opts=child,
        )
        parameter_group = aws.rds.ParameterGroup(
            f"{name}-params",
            family=f"postgres{major}",
            description=f"Tuning of {args.identifier} for {args.instance_class}",
            parameters=[
                aws.rds.ParameterGroupParameterArgs(
                    name=p.name, value=p.value, apply_method=p.apply_method
                )
                for p in rds_parameters(self.settings)
            ],
            opts=child,
        )
        self.subnet_group_name = subnet_group.name
        self.parameter_group_name = parameter_group.name
        monitoring_role_arn, monitoring_ready = self._monitoring_role(name, args)

        master_password = random.RandomPassword(
            f"{name}-master-password",
            length=40,
            special=False,  # RDS refuses / " @ and spaces; 40 alphanumerics are ~238 bits
            keepers={"version": str(args.password_version)},
            opts=child,
        )
        primary_logs = self._log_groups(f"{name}-primary", args.identifier, args)
        self.primary = aws.rds.Instance(
            f"{name}-primary",
            identifier=args.identifier,
            engine="postgres",
            engine_version=args.engine_version,
            instance_class=args.instance_class,
            allocated_storage=args.allocated_storage_gb,
            max_allocated_storage=args.max_allocated_storage_gb,
            storage_type="gp3",
            storage_encrypted=True,
            kms_key_id=args.storage_kms_key_arn,
            db_name=args.database_name,
            username=args.master_username,
            password=master_password.result,
            multi_az=args.multi_az,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[self.security_group.id],
            parameter_group_name=parameter_group.name,
            publicly_accessible=False,
            iam_database_authentication_enabled=True,
            ca_cert_identifier="rds-ca-rsa2048-g1",
            backup_retention_period=args.backup_retention_days,
            backup_window=args.backup_window,
            maintenance_window=args.maintenance_window,
            copy_tags_to_snapshot=True,
            deletion_protection=args.protect,
            skip_final_snapshot=not args.protect,
            final_snapshot_identifier=f"{args.identifier}-final" if args.protect else None,
            delete_automated_backups=not args.protect,
            auto_minor_version_upgrade=True,
            allow_major_version_upgrade=False,
            apply_immediately=args.apply_immediately,
            performance_insights_enabled=True,
            performance_insights_kms_key_id=args.storage_kms_key_arn,
            performance_insights_retention_period=args.performance_insights_retention_days,
            monitoring_interval=args.monitoring_interval_seconds,
            monitoring_role_arn=monitoring_role_arn,
            enabled_cloudwatch_logs_exports=list(LOG_EXPORTS),
            port=PORT,
            tags=args.backup_tags or None,
            # RDS checks the monitoring role's permissions when it creates the instance.
            opts=pulumi.ResourceOptions(
                parent=self, protect=args.protect, depends_on=primary_logs + monitoring_ready
            ),
        )
        self.writer_endpoint = self.primary.address

        self.replicas = []
        self.identifier = args.identifier
        self.replica_identifiers = [
            f"{args.identifier}-replica-{index}" for index in range(1, args.read_replicas + 1)
        ]
        for index, identifier in enumerate(self.replica_identifiers, start=1):
            zone = args.availability_zones[index % len(args.availability_zones)]
            logs = self._log_groups(f"{name}-replica-{index}", identifier, args)
            self.replicas.append(
                aws.rds.Instance(
                    f"{name}-replica-{index}",
                    identifier=identifier,
                    replicate_source_db=self.primary.identifier,
                    instance_class=args.instance_class,
                    availability_zone=zone,
                    storage_type="gp3",
                    max_allocated_storage=args.max_allocated_storage_gb,
                    vpc_security_group_ids=[self.security_group.id],
                    parameter_group_name=parameter_group.name,
                    publicly_accessible=False,
                    iam_database_authentication_enabled=True,
                    ca_cert_identifier="rds-ca-rsa2048-g1",
                    copy_tags_to_snapshot=True,
                    skip_final_snapshot=True,  # a replica holds no data of its own
                    auto_minor_version_upgrade=True,
                    apply_immediately=args.apply_immediately,
                    performance_insights_enabled=True,
                    performance_insights_kms_key_id=args.storage_kms_key_arn,
                    performance_insights_retention_period=args.performance_insights_retention_days,
                    monitoring_interval=args.monitoring_interval_seconds,
                    monitoring_role_arn=monitoring_role_arn,
                    enabled_cloudwatch_logs_exports=list(LOG_EXPORTS),
                    port=PORT,
                    opts=pulumi.ResourceOptions(parent=self, depends_on=logs + monitoring_ready),
                )
            )
        self.reader_endpoints = [r.address for r in self.replicas]

        # Credentials only: endpoints are outputs and app configuration. A host in the secret
        # would make its value (which the proxy reads at creation) wait for the instance.
        self.master_secret = self._credentials_secret(
            f"{name}-master-secret",
            secret_name=f"{args.secret_name_prefix}/database/master",
            description="PostgreSQL master user (the role bootstrap, break-glass administration)",
            username=args.master_username,
            password=master_password.result,
            args=args,
        )
        self.role_plan = RolePlan(
            database=args.database_name,
            master=args.master_username,
            migrator=args.migration_username,
            runtime_group=args.app_username,
            runtime_classes=runtime_classes(args.runtime_classes),
            monitoring=args.monitoring_username,
            backup=args.backup_username,
            extensions=tuple(args.extensions),
        )
        plan = self.role_plan
        purposes = {
            plan.migrator: ("migrator", "PostgreSQL migration role (DDL, owns the schema)"),
            plan.monitoring: ("monitoring", "PostgreSQL role of the metrics exporter (pg_monitor)"),
            plan.backup: ("backup", "PostgreSQL role of the daily dump (pg_read_all_data)"),
            **{
                plan.runtime_login(c): (
                    f"runtime-{c}",
                    f"PostgreSQL runtime role of the {c} workloads (rows only)",
                )
                for c in plan.runtime_classes
            },
        }
        self.role_secrets = {}
        for login in plan.logins:
            role, description = purposes[login.name]
            password = random.RandomPassword(
                f"{name}-{role}-password",
                length=40,
                special=False,
                keepers={"version": str(args.password_version)},
                opts=child,
            )
            self.role_secrets[login.name] = self._credentials_secret(
                f"{name}-{role}-secret",
                secret_name=f"{args.secret_name_prefix}/database/{login.name}",
                description=description,
                username=login.name,
                password=password.result,
                args=args,
            )
        self.migration_secret = self.role_secrets[plan.migrator]
        self.monitoring_secret = self.role_secrets[plan.monitoring]
        self.backup_secret = self.role_secrets[plan.backup]
        self.runtime_secrets = {
            c: self.role_secrets[plan.runtime_login(c)] for c in plan.runtime_classes
        }
        self.proxy = None
        self.proxy_security_group = None
        self.proxy_endpoint = None
        if args.proxy.enabled:
            self.proxy = self._proxy(name, args)
            self.proxy_endpoint = self.proxy.endpoint
        self.app_endpoint = self.proxy_endpoint or self.writer_endpoint

        self.register_outputs(
            {
                "writer_endpoint": self.writer_endpoint,
                "reader_endpoints": self.reader_endpoints,
                "proxy_endpoint": self.proxy_endpoint,
                "app_endpoint": self.app_endpoint,
                "port": self.port,
                "master_secret_arn": self.master_secret.arn,
                "role_secret_arns": {r: s.arn for r, s in self.role_secrets.items()},
                "security_group_id": self.security_group_id,
            }
        )

    @property
    def app_secret(self) -> Secret:
        """Deprecated (0.2): the apps' one login became a runtime login per workload class;
        use :attr:`runtime_secrets`. This returns the first class's."""
        import warnings

        warnings.warn(
            "PostgresDatabase.app_secret is deprecated: use runtime_secrets[<class>]",
            DeprecationWarning,
            stacklevel=2,
        )
        return next(iter(self.runtime_secrets.values()))

    # --- intent -------------------------------------------------------------------------------

    def allow_from(
        self, source: SecurityGroupSource, label: str | None = None
    ) -> list[aws.vpc.SecurityGroupIngressRule]:
        """Open PostgreSQL (5432 on the database and, with a proxy, on the proxy) to one group.

        ``source`` is a security group or its id; ``label`` names the rules (default: the
        group's logical name) and must be stable.
        """
        source_id, label = resolve_source(source, label)
        targets = [("", self.security_group)]
        if self.proxy_security_group is not None:
            targets.append(("proxy-", self.proxy_security_group))
        return [
            allow_ingress(
                self,
                f"{label_of(self)}-{prefix}from-{label}",
                group=group,
                source_id=source_id,
                port=PORT,
                description=f"PostgreSQL from {label}",
            )
            for prefix, group in targets
        ]

    # --- parts --------------------------------------------------------------------------------

    def _monitoring_role(
        self, name: str, args: PostgresDatabaseArgs
    ) -> tuple[pulumi.Output[str] | None, list[pulumi.Resource]]:
        """The role Enhanced Monitoring publishes OS metrics with (none when it is off), and
        what the instances must wait for before they can use it."""
        if args.monitoring_interval_seconds == 0:
            return None, []
        partition, account = aws_context(self).partition, aws_context(self).account_id
        role = aws.iam.Role(
            f"{name}-monitoring-role",
            assume_role_policy=service_trust_policy(
                "monitoring.rds.amazonaws.com",
                {"StringEquals": {"aws:SourceAccount": account}},
            ),
            description=f"Enhanced Monitoring of {args.identifier}",
            opts=pulumi.ResourceOptions(parent=self),
        )
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-monitoring-policy",
            role=role.name,
            policy_arn=f"arn:{partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
            opts=pulumi.ResourceOptions(parent=self),
        )
        return role.arn, [attachment]

    def _log_groups(
        self, name: str, identifier: str, args: PostgresDatabaseArgs
    ) -> list[pulumi.Resource]:
        """The exported logs' groups, made before the instance so RDS does not create them
        (it would, without retention and with the default key)."""
        return [
            aws.cloudwatch.LogGroup(
                f"{name}-{log}-logs",
                name=f"/aws/rds/instance/{identifier}/{log}",
                retention_in_days=args.log_retention_days,
                kms_key_id=args.logs_kms_key_arn,
                opts=pulumi.ResourceOptions(parent=self),
            )
            for log in LOG_EXPORTS
        ]

    def _credentials_secret(
        self,
        name: str,
        *,
        secret_name: str,
        description: str,
        username: str,
        password: pulumi.Output[str],
        args: PostgresDatabaseArgs,
    ) -> Secret:
        """A secret in the shape RDS Proxy and the apps read: username, password, dbname ..."""
        value = pulumi.Output.json_dumps(
            {
                "engine": "postgres",
                "username": username,
                "password": password,
                "port": PORT,
                "dbname": args.database_name,
            }
        )
        return Secret(
            name,
            SecretArgs(
                secret_name=secret_name,
                description=description,
                value=value,
                kms_key_arn=args.secrets_kms_key_arn,
                recovery_window_days=30 if args.protect else 0,
                protect=args.protect,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _proxy(self, name: str, args: PostgresDatabaseArgs) -> aws.rds.Proxy:
        """RDS Proxy in front of the primary, its security group, role, pool and target."""
        child = pulumi.ResourceOptions(parent=self)
        proxy_group = aws.ec2.SecurityGroup(
            f"{name}-proxy-sg",
            vpc_id=args.vpc_id,
            description="RDS Proxy: no ingress unless opened with allow_from; egress to the DB",
            tags={"Name": f"{args.identifier}-proxy"},
            opts=child,
        )
        self.proxy_security_group = proxy_group
        allow_ingress(
            self,
            f"{name}-from-proxy",
            group=self.security_group,
            source_id=proxy_group.id,
            port=PORT,
            description="PostgreSQL from RDS Proxy",
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-proxy-to-db",
            security_group_id=proxy_group.id,
            referenced_security_group_id=self.security_group.id,
            ip_protocol="tcp",
            from_port=PORT,
            to_port=PORT,
            description="RDS Proxy to PostgreSQL",
            opts=child,
        )
        if args.aws_endpoints_security_group_id is not None:
            # The proxy fetches its secrets from Secrets Manager; from the isolated data subnets
            # the only way there is the VPC's interface endpoint.
            aws.vpc.SecurityGroupEgressRule(
                f"{name}-proxy-to-secretsmanager",
                security_group_id=proxy_group.id,
                referenced_security_group_id=args.aws_endpoints_security_group_id,
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                description="RDS Proxy to the Secrets Manager interface endpoint",
                opts=child,
            )
        account = aws_context(self).account_id
        role = aws.iam.Role(
            f"{name}-proxy-role",
            assume_role_policy=service_trust_policy(
                "rds.amazonaws.com", {"StringEquals": {"aws:SourceAccount": account}}
            ),
            description=f"RDS Proxy of {args.identifier}: reads its credential secrets",
            opts=child,
        )
        region = aws_context(self).region
        # The runtime logins only: migrations, the exporter and the dump go to the writer, and the
        # master's secret is read by the role bootstrap alone.
        secrets = list(self.runtime_secrets.values())
        read_secrets = grant(
            f"{name}-proxy-read-secrets",
            role,
            [
                {
                    "Effect": "Allow",
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": [s.arn for s in secrets],
                },
                kms_use_statement(
                    args.secrets_kms_key_arn, "secretsmanager", region, ["kms:Decrypt"]
                ),
            ],
            parent=self,
        )
        proxy = aws.rds.Proxy(
            f"{name}-proxy",
            engine_family="POSTGRESQL",
            require_tls=True,
            idle_client_timeout=args.proxy.idle_client_timeout_seconds,
            role_arn=role.arn,
            vpc_subnet_ids=args.subnet_ids,
            vpc_security_group_ids=[proxy_group.id],
            debug_logging=False,  # it would log SQL statements, data included
            auths=[
                aws.rds.ProxyAuthArgs(
                    auth_scheme="SECRETS",
                    secret_arn=secret.arn,
                    client_password_auth_type="POSTGRES_SCRAM_SHA_256",
                    iam_auth="DISABLED",
                    description=secret.secret_name,
                )
                for secret in secrets
            ],
            # The proxy reads its secrets on creation: their values must exist and the role must
            # already be allowed to read them.
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[read_secrets, *(s.version for s in secrets)]
            ),
        )
        pool = aws.rds.ProxyDefaultTargetGroup(
            f"{name}-proxy-pool",
            db_proxy_name=proxy.name,
            connection_pool_config=aws.rds.ProxyDefaultTargetGroupConnectionPoolConfigArgs(
                max_connections_percent=args.proxy.max_connections_percent,
                max_idle_connections_percent=args.proxy.max_idle_connections_percent,
                connection_borrow_timeout=args.proxy.borrow_timeout_seconds,
            ),
            opts=child,
        )
        aws.rds.ProxyTarget(
            f"{name}-proxy-target",
            db_proxy_name=proxy.name,
            target_group_name=pool.name,
            db_instance_identifier=self.primary.identifier,
            opts=child,
        )
        return proxy
