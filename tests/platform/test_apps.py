"""Specification of the workloads (AppService) as each stack file deploys them.

Every test checks every workload of the stack (web, api, and the ai, pdf and email workers),
against the values of the stack's own config.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from aws_web_platform.k8s.config import WorkloadConfig
from aws_web_platform.k8s.environment import env_name
from aws_web_platform.network.layout import SubnetTier, plan_subnets
from aws_web_platform.offline import Recording
from aws_web_platform.stack.config import StackConfig
from tests.conftest import stack_config
from tools.plan import PROJECT_ROOT, load_stack_file, run_main

StackRun = Callable[[str], Recording]
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
SERVICE = "kubernetes:core/v1:Service"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret"
TGB = "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
JOB = "kubernetes:batch/v1:Job"


def workloads(stack: str) -> Iterator[tuple[str, WorkloadConfig, StackConfig]]:
    config = stack_config(stack)
    for name, workload in sorted(config.apps.workloads.items()):
        yield name, workload, config


def deployment(rec: Recording, app: str) -> Any:
    return rec.find(DEPLOYMENT, f"platform-app-{app}-deployment")


def pod(rec: Recording, app: str) -> dict[str, Any]:
    return deployment(rec, app)["spec"]["template"]["spec"]


def container(rec: Recording, app: str) -> dict[str, Any]:
    (only,) = pod(rec, app)["containers"]
    return only


def test_the_five_workloads_are_deployed(stack_run: StackRun, stack_name: str) -> None:
    rec = stack_run(stack_name)
    names = {d["metadata"]["name"] for d in rec.all_of(DEPLOYMENT)}
    assert names == {"web", "api", "ai", "pdf", "email"}
    assert {d["metadata"]["namespace"] for d in rec.all_of(DEPLOYMENT)} == {"app"}


# --- the pod ---------------------------------------------------------------------------------


def test_every_container_is_non_root_read_only_and_unprivileged(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    specs = [pod(rec, app) for app, _, _ in workloads(stack_name)]
    specs.append(rec.find(JOB, "platform-app-api-migrate")["spec"]["template"]["spec"])
    for spec in specs:
        assert spec["securityContext"] == {
            "runAsNonRoot": True,
            "runAsUser": 1001,
            "runAsGroup": 1001,
            "fsGroup": 1001,
            "seccompProfile": {"type": "RuntimeDefault"},
        }
        for each in spec["containers"]:
            security = each["securityContext"]
            assert security["runAsNonRoot"] is True and security["runAsUser"] == 1001
            assert security["readOnlyRootFilesystem"] is True
            assert security["allowPrivilegeEscalation"] is False
            assert security["privileged"] is False
            assert security["capabilities"] == {"drop": ["ALL"]}
            assert security["seccompProfile"] == {"type": "RuntimeDefault"}


def test_only_the_declared_paths_are_writable(stack_run: StackRun, stack_name: str) -> None:
    rec = stack_run(stack_name)
    for app, workload, _ in workloads(stack_name):
        mounts = {m["mountPath"]: m["name"] for m in container(rec, app)["volumeMounts"]}
        assert set(mounts) == set(workload.writable_paths), app
        volumes = {v["name"]: v for v in pod(rec, app)["volumes"]}
        assert set(volumes) == set(mounts.values())
        assert all(v["emptyDir"] == {"sizeLimit": "1Gi"} for v in volumes.values())
    assert "/app/.next/cache" in {m["mountPath"] for m in container(rec, "web")["volumeMounts"]}


def test_no_kubernetes_api_token_is_mounted(stack_run: StackRun, stack_name: str) -> None:
    rec = stack_run(stack_name)
    for app, _, _ in workloads(stack_name):
        assert pod(rec, app)["automountServiceAccountToken"] is False
        account = rec.find(SERVICE_ACCOUNT, f"platform-app-{app}-sa")
        assert account["automountServiceAccountToken"] is False
        assert pod(rec, app)["serviceAccountName"] == app


def test_requests_and_limits_come_from_the_config(stack_run: StackRun, stack_name: str) -> None:
    rec = stack_run(stack_name)
    for app, workload, _ in workloads(stack_name):
        assert container(rec, app)["resources"] == {
            "requests": {"cpu": workload.requests_cpu, "memory": workload.requests_memory},
            "limits": {"cpu": workload.limits_cpu, "memory": workload.limits_memory},
        }


def test_the_spec_sizes_are_the_prod_defaults() -> None:
    config = stack_config("prod").apps.workloads
    api, web = config["api"], config["web"]
    assert (api.limits_cpu, api.limits_memory) == ("2", "2Gi")
    assert api.autoscaling is not None
    assert (api.autoscaling.min_replicas, api.autoscaling.max_replicas) == (3, 20)
    assert api.autoscaling.target_cpu_percent == 70
    assert (web.limits_cpu, web.limits_memory) == ("1", "1Gi")
    assert web.autoscaling is not None and web.autoscaling.min_replicas == 4
    assert (web.port, api.port) == (3001, 3000)


def test_each_workload_runs_its_repositorys_release_image(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    images = rec.outputs["images"]
    for app, workload, config in workloads(stack_name):
        image = container(rec, app)["image"]
        assert image == images[workload.image], app
        assert image.endswith(f":{config.release}") or "@sha256:" in image


def test_probes_use_the_spec_paths_on_the_app_port(stack_run: StackRun, stack_name: str) -> None:
    rec = stack_run(stack_name)
    for app, workload, _ in workloads(stack_name):
        each = container(rec, app)
        assert each["ports"] == [
            {"name": "http", "containerPort": workload.port, "protocol": "TCP"}
        ]
        for probe, path in (
            ("startupProbe", "/health"),
            ("livenessProbe", "/health"),
            ("readinessProbe", "/ready"),
        ):
            assert each[probe]["httpGet"] == {"path": path, "port": workload.port}, (app, probe)
        # The startup probe covers slow starts; liveness then restarts a hung process.
        startup = each["startupProbe"]
        assert startup["periodSeconds"] * startup["failureThreshold"] >= 60


def test_a_stopping_pod_keeps_serving_then_shuts_down_gracefully(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    for app, workload, _ in workloads(stack_name):
        sleep = container(rec, app)["lifecycle"]["preStop"]["sleep"]["seconds"]
        grace = pod(rec, app)["terminationGracePeriodSeconds"]
        assert sleep == workload.pre_stop_sleep_seconds
        assert grace == workload.termination_grace_period_seconds > sleep


def test_rollouts_never_drop_a_serving_pod_and_fail_when_stalled(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    config = stack_config(stack_name).apps
    for app, _, _ in workloads(stack_name):
        spec = deployment(rec, app)["spec"]
        assert spec["strategy"] == {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxUnavailable": 0, "maxSurge": f"{config.max_surge_percent}%"},
        }
        assert spec["progressDeadlineSeconds"] == config.progress_deadline_seconds
        # A healthy rollout may take the deadline per surge batch (4 batches at 25 %).
        batches = -(-100 // config.max_surge_percent)
        rollout = f"{config.progress_deadline_seconds * batches}s"
        assert deployment(rec, app).custom_timeouts == {"create": rollout, "update": rollout}


def test_pods_spread_over_zones_and_nodes(stack_run: StackRun, stack_name: str) -> None:
    rec = stack_run(stack_name)
    for app, _, _ in workloads(stack_name):
        constraints = {c["topologyKey"]: c for c in pod(rec, app)["topologySpreadConstraints"]}
        assert set(constraints) == {"topology.kubernetes.io/zone", "kubernetes.io/hostname"}
        for constraint in constraints.values():
            # Best effort: cluster-autoscaler cannot grow a multi-AZ node group in one zone.
            assert constraint["whenUnsatisfiable"] == "ScheduleAnyway"
            assert constraint["maxSkew"] == 1
            assert constraint["matchLabelKeys"] == ["pod-template-hash"]
            assert constraint["labelSelector"] == {"matchLabels": {"app.kubernetes.io/name": app}}


def test_each_tier_runs_on_its_node_group_tolerating_its_taints(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    for app, workload, config in workloads(stack_name):
        group = config.cluster.node_groups[config.apps.placement[workload.tier]]
        spec = pod(rec, app)
        assert spec["nodeSelector"] == dict(group.labels), app
        tolerated = {(t["key"], t["value"]) for t in spec.get("tolerations") or []}
        assert tolerated == {(t.key, t.value) for t in group.taints}, app
    if stack_name == "prod":
        assert pod(rec, "pdf")["nodeSelector"] == {"platform.io/node-group": "workers"}
        assert pod(rec, "api")["nodeSelector"] == {"platform.io/node-group": "apps"}


def test_node_drains_take_one_pod_at_a_time(stack_run: StackRun, stack_name: str) -> None:
    rec = stack_run(stack_name)
    for app, _, _ in workloads(stack_name):
        spec = rec.find(PDB, f"platform-app-{app}-pdb")["spec"]
        assert spec["maxUnavailable"] == 1
        assert spec["selector"] == {"matchLabels": {"app.kubernetes.io/name": app}}
        assert spec["unhealthyPodEvictionPolicy"] == "AlwaysAllow"


def test_autoscalers_come_from_the_config_and_own_the_replica_count(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    for app, workload, _ in workloads(stack_name):
        assert workload.autoscaling is not None
        spec = rec.find(HPA, f"platform-app-{app}-hpa")["spec"]
        assert spec["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": app,
        }
        assert (spec["minReplicas"], spec["maxReplicas"]) == (
            workload.autoscaling.min_replicas,
            workload.autoscaling.max_replicas,
        )
        (metric,) = spec["metrics"]
        assert metric["resource"]["name"] == "cpu"
        assert metric["resource"]["target"] == {
            "type": "Utilization",
            "averageUtilization": workload.autoscaling.target_cpu_percent,
        }
        assert "replicas" not in deployment(rec, app)["spec"], app


def test_the_prod_api_scales_from_3_to_20_at_70_percent_cpu(stack_run: StackRun) -> None:
    spec = stack_run("prod").find(HPA, "platform-app-api-hpa")["spec"]
    assert (spec["minReplicas"], spec["maxReplicas"]) == (3, 20)
    assert spec["metrics"][0]["resource"]["target"]["averageUtilization"] == 70


# --- traffic ---------------------------------------------------------------------------------


def test_web_and_api_are_bound_to_the_edges_target_groups(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    groups = rec.outputs["targetGroupArns"]
    for app, workload, _ in workloads(stack_name):
        if workload.role == "worker":
            assert not [s for s in rec.all_of(SERVICE) if s.name == f"platform-app-{app}-service"]
            assert not [b for b in rec.all_of(TGB) if app in b.name]
            continue
        service = rec.find(SERVICE, f"platform-app-{app}-service")["spec"]
        assert service["type"] == "ClusterIP"
        assert service["selector"] == {"app.kubernetes.io/name": app}
        assert service["ports"] == [
            {"name": "http", "port": workload.port, "targetPort": workload.port, "protocol": "TCP"}
        ]
        binding = rec.find(TGB, f"platform-app-{app}-target-group-binding")["spec"]
        assert binding == {
            "serviceRef": {"name": app, "port": workload.port},
            "targetGroupARN": groups[workload.role],
            "targetType": "ip",
        }


def test_the_target_groups_send_to_the_apps_ports(stack_run: StackRun, stack_name: str) -> None:
    rec = stack_run(stack_name)
    for app, workload, _ in workloads(stack_name):
        if workload.role != "worker":
            group = rec.find("aws:lb/targetGroup:TargetGroup", f"platform-edge-{workload.role}")
            assert group["port"] == workload.port, app


# --- configuration and secrets ---------------------------------------------------------------


def config_map(rec: Recording, app: str) -> dict[str, str]:
    return rec.find(CONFIG_MAP, f"platform-app-{app}-config")["data"]


def test_configuration_comes_from_a_config_map_with_the_spec_environment(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    for app, workload, config in workloads(stack_name):
        data = config_map(rec, app)
        assert data["NODE_ENV"] == config.apps.node_env
        assert data["LOG_LEVEL"] == config.apps.log_level
        assert data["REDIS_PREFIX"] == config.apps.redis_prefix
        assert data["PORT"] == str(workload.port)
        assert data["VERSION"] == config.release
        assert data["PUBLIC_URL"] == f"https://{config.dns.domain}"
        assert ("DATABASE_HOST" in data) == workload.database, app
        assert ("REDIS_HOST" in data) == workload.cache, app
        for bucket in workload.buckets:
            assert data[f"S3_{bucket.upper()}_BUCKET"] == rec.outputs["bucketNames"][bucket]
        env_from = container(rec, app)["envFrom"]
        assert env_from[0] == {"configMapRef": {"name": f"platform-app-{app}-config"}}
        assert env_from[1] == {"secretRef": {"name": f"{app}-secrets"}}


def test_the_spec_environment_per_stack() -> None:
    prod, dev = stack_config("prod").apps, stack_config("dev").apps
    assert (prod.log_level, prod.redis_prefix) == ("info", "prod:")
    assert (dev.log_level, dev.redis_prefix) == ("debug", "dev:")


def test_the_api_queries_through_the_proxy_and_knows_the_replicas(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    data = config_map(rec, "api")
    assert data["DATABASE_HOST"] == rec.outputs["databaseProxyEndpoint"]
    assert data["DATABASE_READER_HOSTS"].split(",") == rec.outputs["databaseReaderEndpoints"]
    assert data["REDIS_HOST"] == rec.outputs["cachePrimaryEndpoint"]
    assert data["REDIS_TLS"] == "true"


def test_no_secret_is_in_a_config_map(stack_run: StackRun, stack_name: str) -> None:
    rec = stack_run(stack_name)
    secrets = {
        p.outputs["result"] for p in rec.all_of("random:index/randomPassword:RandomPassword")
    }
    secrets |= set(
        json.loads(
            load_stack_file(stack_name, PROJECT_ROOT).config["platform:appSecretValues"]
        ).values()
    )
    for config_map_record in rec.all_of(CONFIG_MAP):
        for key, value in config_map_record["data"].items():
            assert not any(secret in value for secret in secrets), (config_map_record.name, key)
            assert not any(word in key for word in ("PASSWORD", "SECRET", "TOKEN")), key


def test_secrets_are_materialised_by_external_secrets_from_secrets_manager(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    config = stack_config(stack_name)
    prefix = f"{config.slug}/app/"
    for app, workload, _ in workloads(stack_name):
        external = rec.find(EXTERNAL_SECRET, f"platform-app-{app}-secrets")
        spec = external["spec"]
        assert external["metadata"]["name"] == f"{app}-secrets"
        assert spec["secretStoreRef"] == {
            "name": "aws-secrets-manager",
            "kind": "ClusterSecretStore",
        }
        assert spec["target"]["name"] == f"{app}-secrets"
        remote = {d["secretKey"]: d["remoteRef"] for d in spec["data"]}
        for secret in workload.secrets:
            assert remote[secret] == {"key": f"{prefix}{secret}"}
        template = spec["target"]["template"]["data"]
        for secret in workload.secrets:
            assert template[env_name(secret)] == f"{{{{ .{secret} }}}}"
        assert ("DATABASE_URL" in template) == workload.database, app
        assert ("REDIS_URL" in template) == workload.cache, app
        if workload.database:
            # Its class's runtime role (app_api, app_worker): never the master, never another
            # class's.
            assert remote["dbPassword"] == {
                "key": f"{config.slug}/database/app_{workload.role}",
                "property": "password",
            }
            assert template["DATABASE_URL"].startswith(
                "postgresql://{{ .dbUsername }}:{{ .dbPassword }}@"
            )
            assert f"connection_limit={workload.database_pool_size}" in template["DATABASE_URL"]
            assert "sslmode=require" in template["DATABASE_URL"]
        if workload.cache:
            assert template["REDIS_URL"].startswith("rediss://:{{ .redisAuthToken }}@")


def test_each_workload_gets_only_its_own_app_secrets(stack_run: StackRun) -> None:
    rec = stack_run("prod")

    def keys(app: str) -> set[str]:
        spec = rec.find(EXTERNAL_SECRET, f"platform-app-{app}-secrets")["spec"]
        return {d["secretKey"] for d in spec["data"]}

    assert "stripeSecretKey" in keys("api") and "stripeSecretKey" not in keys("pdf")
    assert "smtpPassword" in keys("email") and "smtpPassword" not in keys("web")
    assert not {"dbPassword", "redisAuthToken"} & keys("web")  # only the API tier reaches data


# --- identity and access ---------------------------------------------------------------------


def test_each_service_account_has_its_own_pod_identity_role(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    associations = {
        (a["namespace"], a["serviceAccount"]): a["roleArn"]
        for a in rec.all_of("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    }
    roles = rec.outputs["appRoleArns"]
    for app, _, _ in workloads(stack_name):
        assert associations[("app", app)] == roles[app]
        association = next(
            a
            for a in rec.all_of("aws:eks/podIdentityAssociation:PodIdentityAssociation")
            if a["serviceAccount"] == app
        )
        assert association.urn in deployment(rec, app).depends_on
    assert len(set(roles.values())) == len(roles)


def test_bucket_access_is_granted_per_workload_through_the_intent_methods(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    role_names = {r.outputs["arn"]: r.outputs["name"] for r in rec.all_of("aws:iam/role:Role")}
    apps_by_role = {role_names[arn]: app for app, arn in rec.outputs["appRoleArns"].items()}
    granted: dict[str, set[str]] = {}
    for grant in rec.all_of("aws:iam/rolePolicy:RolePolicy"):
        app = apps_by_role.get(grant["role"])
        if app is not None:
            # Named <bucket>-<access>-<role> by Bucket.grant_*.
            granted.setdefault(app, set()).add(
                grant.name.removesuffix(f"-platform-cluster-app-{app}-role")
            )
    expected = {
        app: {
            f"platform-{bucket}-{access.replace('_', '-')}" for bucket, access in w.buckets.items()
        }
        for app, w, _ in workloads(stack_name)
        if w.buckets
    }
    assert granted == expected
    if stack_name == "prod":
        assert granted == {
            "api": {"platform-uploads-read-write", "platform-certificates-write"},
            "pdf": {"platform-certificates-write"},
        }


# --- network policies ------------------------------------------------------------------------


def policy(rec: Recording, app: str) -> dict[str, Any]:
    return rec.find(NETWORK_POLICY, f"platform-app-{app}-network-policy")["spec"]


def ports_to(rules: list[dict[str, Any]]) -> set[int]:
    return {p["port"] for rule in rules for p in rule.get("ports", [])}


def test_the_namespace_denies_everything_by_default_but_dns(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    deny = rec.find(NETWORK_POLICY, "platform-addons-app-namespace-default-deny")
    assert deny["metadata"]["namespace"] == "app"
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    dns = rec.find(NETWORK_POLICY, "platform-addons-app-namespace-allow-dns")["spec"]
    assert dns["policyTypes"] == ["Egress"]
    (rule,) = dns["egress"]
    assert rule["to"][0]["podSelector"] == {"matchLabels": {"k8s-app": "kube-dns"}}
    assert {(p["protocol"], p["port"]) for p in rule["ports"]} == {("UDP", 53), ("TCP", 53)}


def test_web_takes_the_alb_and_calls_only_the_api_and_https(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    spec = policy(rec, "web")
    assert spec["policyTypes"] == ["Ingress", "Egress"]
    public = [b["ipBlock"]["cidr"] for b in spec["ingress"][0]["from"]]
    layout = plan_subnets("10.20.0.0/16", 3, (SubnetTier.PUBLIC,))
    assert public == [str(layout[(SubnetTier.PUBLIC, i)]) for i in range(3)]
    assert ports_to(spec["ingress"]) == {3001}
    assert ports_to(spec["egress"]) == {443, 80, 3000}
    to_api = next(r for r in spec["egress"] if ports_to([r]) == {3000})
    assert to_api["to"] == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "api"}}}]


def test_the_api_takes_web_and_the_alb_and_reaches_the_data_tier(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    spec = policy(rec, "api")
    sources = [peer for rule in spec["ingress"] for peer in rule["from"]]
    assert {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "web"}}} in sources
    assert any("ipBlock" in peer for peer in sources)
    assert ports_to(spec["ingress"]) == {3000}
    assert ports_to(spec["egress"]) == {443, 80, 5432, 6379}


def test_workers_take_no_traffic_and_reach_only_data_and_https(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    for app, workload, _ in workloads(stack_name):
        if workload.role != "worker":
            continue
        spec = policy(rec, app)
        sources = [peer for rule in spec["ingress"] for peer in rule["from"]]
        # Only Prometheus, on the health/metrics port.
        assert sources == [
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
        ]
        assert ports_to(spec["egress"]) == {443, 80, 5432, 6379, *workload.egress_ports}


def test_data_is_reached_only_in_the_data_subnets(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    layout = plan_subnets("10.20.0.0/16", 3, (SubnetTier.DATA,))
    data_subnets = [str(layout[(SubnetTier.DATA, i)]) for i in range(3)]
    for app in ("api", "ai", "pdf", "email"):
        for rule in policy(rec, app)["egress"]:
            if ports_to([rule]) & {5432, 6379}:
                cidrs = [peer["ipBlock"]["cidr"] for peer in rule["to"]]
                assert cidrs == data_subnets
    assert not ports_to(policy(rec, "web")["egress"]) & {5432, 6379}


# --- releases --------------------------------------------------------------------------------


def test_migrations_run_once_per_image_before_the_database_users_roll(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    config = stack_config(stack_name)
    job = rec.find(JOB, "platform-app-api-migrate")
    name = job["metadata"]["name"]
    assert name.startswith("api-migrate-") and len(name) <= 63
    spec = job["spec"]
    (migrate,) = spec["template"]["spec"]["containers"]
    assert migrate["command"] == ["node_modules/.bin/prisma", "migrate", "deploy"]
    # npm and Prisma write under HOME: the writable /tmp, and no update checks.
    env = {e["name"]: e["value"] for e in migrate["env"]}
    assert env["HOME"] == "/tmp" and env["CHECKPOINT_DISABLE"] == "1"
    # The next `pulumi up` replaces a failed Job instead of awaiting it again.
    assert job["metadata"]["annotations"] == {"pulumi.com/replaceUnready": "true"}
    assert migrate["image"] == container(rec, "api")["image"]
    assert spec["template"]["spec"]["restartPolicy"] == "Never"
    assert spec["activeDeadlineSeconds"] == config.apps.migrations.timeout_seconds
    assert spec["backoffLimit"] == config.apps.migrations.backoff_limit
    assert job.delete_before_replace
    for app, workload, _ in workloads(stack_name):
        waits = job.urn in deployment(rec, app).depends_on
        assert waits == workload.database, app
    assert job.urn in deployment(rec, "api").depends_on


def run_with(stack: str, changes: dict[str, Any]) -> Recording:
    stack_file = load_stack_file(stack, PROJECT_ROOT)
    config = dict(stack_file.config) | changes
    return run_main(
        PROJECT_ROOT,
        project=stack_file.project,
        stack=stack,
        config=config,
        secret_keys=stack_file.secret_keys,
        region=stack_file.region,
        raise_errors=True,
    )


@pytest.fixture(scope="module")
def next_release() -> Recording:
    return run_with("prod", {"platform:release": "2026.12.0"})


def test_a_new_release_rolls_every_workload_and_runs_new_migrations(
    stack_run: StackRun, next_release: Recording
) -> None:
    current = stack_run("prod")
    for app in ("web", "api", "ai", "pdf", "email"):
        before, after = container(current, app)["image"], container(next_release, app)["image"]
        assert before != after and ":2026.12.0@sha256:" in after, app
        assert (
            deployment(next_release, app)["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"]
            == 0
        )
    old_job = current.find(JOB, "platform-app-api-migrate")["metadata"]["name"]
    new_job = next_release.find(JOB, "platform-app-api-migrate")["metadata"]["name"]
    assert old_job != new_job and "2026-12-0" in new_job


def test_without_autoscaling_the_deployment_keeps_its_replica_count() -> None:
    apps = {"workloads": {"email": {"autoscaling": None, "replicas": 3}}}
    rec = run_with("prod", {"platform:apps": json.dumps(apps)})
    assert deployment(rec, "email")["spec"]["replicas"] == 3
    assert not [h for h in rec.all_of(HPA) if h.name == "platform-app-email-hpa"]


def test_before_delegation_the_apps_run_without_target_group_bindings() -> None:
    dns = {"domain": "learning-platform.example.com", "delegated": False}
    rec = run_with("prod", {"platform:dns": json.dumps(dns)})
    assert rec.all_of(TGB) == []
    assert len(rec.all_of(DEPLOYMENT)) == 5
    assert config_map(rec, "web")["PUBLIC_URL"] == "https://learning-platform.example.com"


def test_every_workload_reaches_its_pod_identity_credentials(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    for app, _, _ in workloads(stack_name):
        rules = policy(rec, app)["egress"]
        agent = [r for r in rules if r["to"] == [{"ipBlock": {"cidr": "169.254.170.23/32"}}]]
        assert [ports_to(agent)] == [{80}], app


def test_the_email_worker_may_submit_mail_over_smtp(stack_run: StackRun) -> None:
    rules = policy(stack_run("prod"), "email")["egress"]
    internet = next(r for r in rules if r["to"] == [{"ipBlock": {"cidr": "0.0.0.0/0"}}])
    assert ports_to([internet]) == {443, 587, 465}
    others = next(r for r in policy(stack_run("prod"), "api")["egress"] if "0.0.0.0/0" in str(r))
    assert ports_to([others]) == {443}


def test_pods_behind_the_alb_get_its_readiness_gate(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    namespace = rec.find("kubernetes:core/v1:Namespace", "platform-addons-app-namespace-namespace")
    assert namespace["metadata"]["labels"]["elbv2.k8s.aws/pod-readiness-gate-inject"] == "enabled"
    for app in ("web", "api"):
        binding = rec.find(TGB, f"platform-app-{app}-target-group-binding")
        assert binding.urn in deployment(rec, app).depends_on  # the gate from the first pod on


def test_a_changed_secret_template_rolls_the_pods(stack_run: StackRun) -> None:
    current = stack_run("prod")
    annotation = "platform.io/secret-template"
    before = deployment(current, "api")["spec"]["template"]["metadata"]["annotations"][annotation]
    apps = {"workloads": {"api": {"secrets": ["jwtSecret"]}}}
    changed = run_with("prod", {"platform:apps": json.dumps(apps)})
    after = deployment(changed, "api")["spec"]["template"]["metadata"]["annotations"][annotation]
    assert before != after
    web = deployment(changed, "web")["spec"]["template"]["metadata"]["annotations"][annotation]
    assert (
        web == deployment(current, "web")["spec"]["template"]["metadata"]["annotations"][annotation]
    )


def test_pulumi_waits_for_external_secrets_to_write_each_secret(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    for app, _, _ in workloads(stack_name):
        external = rec.find(EXTERNAL_SECRET, f"platform-app-{app}-secrets")
        assert external["metadata"]["annotations"] == {"pulumi.com/waitFor": "condition=Ready"}
        labels = external["spec"]["target"]["template"]["metadata"]["labels"]
        assert "app.kubernetes.io/managed-by" not in labels  # External Secrets owns it


def test_replicas_are_reached_with_their_own_small_pools(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    template = rec.find(EXTERNAL_SECRET, "platform-app-api-secrets")["spec"]["target"]["template"]
    replicas = template["data"]["DATABASE_REPLICA_URLS"].split(",")
    assert len(replicas) == 2
    assert all("connection_limit=10&" in url for url in replicas)
    assert "connection_limit=50&" in template["data"]["DATABASE_URL"]


def test_home_is_the_writable_tmp(stack_run: StackRun, stack_name: str) -> None:
    rec = stack_run(stack_name)
    for app, _, _ in workloads(stack_name):
        assert config_map(rec, app)["HOME"] == "/tmp"
