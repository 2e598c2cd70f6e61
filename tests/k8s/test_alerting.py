"""Alertmanager's configuration and the platform's rules, checked by Alertmanager's and
Prometheus' own validators (amtool, promtool: Debian's prometheus-alertmanager and prometheus)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from aws_web_platform.k8s.alerting import (
    HEARTBEAT_MINUTES,
    AlertRouting,
    alertmanager_config,
    workload_rules,
)

ROUTING = AlertRouting(
    warning_topic_arn="arn:aws:sns:eu-west-1:123456789012:shop-prod-alerts-warning",
    critical_topic_arn="arn:aws:sns:eu-west-1:123456789012:shop-prod-alerts-critical",
    heartbeat_topic_arn="arn:aws:sns:eu-west-1:123456789012:shop-prod-alerts-heartbeat",
    region="eu-west-1",
)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: .ci/servers installs it (Debian's packages)")
    return path


def _check(
    tool: str, args: list[str], document: object, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "document.yml"
    path.write_text(yaml.safe_dump(document))
    command = [_tool(tool), *args, str(path)]
    return subprocess.run(command, check=False, capture_output=True, text=True)


def _receiver_of(config: dict, labels: dict[str, str]) -> str:
    """The receiver Alertmanager's routing tree picks for an alert with these labels."""
    route = config["route"]
    for child in route["routes"]:
        matches = True
        for matcher in child["matchers"]:
            name, value = (part.strip() for part in matcher.split("=", 1))
            matches &= labels.get(name) == value.strip('"')
        if matches:
            return child["receiver"]
    return route["receiver"]


def test_alertmanager_accepts_the_configuration(tmp_path: Path) -> None:
    result = _check("amtool", ["check-config"], alertmanager_config(ROUTING), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_alertmanager_refuses_a_route_to_a_receiver_that_does_not_exist(tmp_path: Path) -> None:
    config = alertmanager_config(ROUTING)
    config["route"]["routes"][3]["receiver"] = "pager"
    result = _check("amtool", ["check-config"], config, tmp_path)
    assert result.returncode != 0


def test_critical_and_warning_alerts_reach_their_topics_and_info_nowhere() -> None:
    config = alertmanager_config(ROUTING)
    receivers = {r["name"]: r for r in config["receivers"]}
    assert _receiver_of(config, {"alertname": "KubePodCrashLooping", "severity": "critical"}) == (
        "critical"
    )
    assert (
        _receiver_of(config, {"alertname": "KubePersistentVolumeFillingUp", "severity": "warning"})
        == "warning"
    )
    assert _receiver_of(config, {"alertname": "CPUThrottlingHigh", "severity": "info"}) == "null"
    assert receivers["critical"]["sns_configs"][0]["topic_arn"] == ROUTING.critical_topic_arn
    assert receivers["warning"]["sns_configs"][0]["topic_arn"] == ROUTING.warning_topic_arn
    for name in ("critical", "warning", "heartbeat"):
        (sns,) = receivers[name]["sns_configs"]
        assert sns["sigv4"] == {"region": "eu-west-1"}  # the default credential chain: Pod Identity
    assert (
        config["route"]["receiver"] != "null"
    )  # an alert of no known severity still reaches someone


def test_the_watchdog_beats_on_the_heartbeat_topic_every_few_minutes() -> None:
    config = alertmanager_config(ROUTING)
    assert _receiver_of(config, {"alertname": "Watchdog", "severity": "none"}) == "heartbeat"
    (route,) = [r for r in config["route"]["routes"] if r["receiver"] == "heartbeat"]
    assert route["repeat_interval"] == f"{HEARTBEAT_MINUTES}m"
    (sns,) = next(r for r in config["receivers"] if r["name"] == "heartbeat")["sns_configs"]
    assert sns["topic_arn"] == ROUTING.heartbeat_topic_arn and sns["send_resolved"] is False


def test_the_subject_is_cut_to_what_sns_accepts() -> None:
    (sns,) = next(r for r in alertmanager_config(ROUTING)["receivers"] if r["name"] == "critical")[
        "sns_configs"
    ]
    assert sns["subject"].startswith('{{ printf "%.99s"')


def test_prometheus_accepts_the_platforms_rules(tmp_path: Path) -> None:
    (rule_file,) = workload_rules(["app"]).values()
    result = _check("promtool", ["check", "rules"], rule_file, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    (rule,) = rule_file["groups"][0]["rules"]
    assert rule["labels"] == {"severity": "critical"} and 'namespace=~"app"' in rule["expr"]


def test_prometheus_refuses_a_broken_rule(tmp_path: Path) -> None:
    (rule_file,) = workload_rules(["app"]).values()
    rule_file["groups"][0]["rules"][0]["expr"] += " and ("
    assert _check("promtool", ["check", "rules"], rule_file, tmp_path).returncode != 0
