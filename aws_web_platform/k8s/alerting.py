"""Where Prometheus' alerts go: Alertmanager's routes and receivers, and the platform's own rules.

kube-prometheus-stack ships Alertmanager routing every alert to a receiver named ``null``: the
chart's rules (crash loops, volumes filling, targets down, the Watchdog heartbeat) fire and
nobody hears them. The platform routes them to its SNS alert topics instead, the same topics the
CloudWatch alarms notify (e-mail, and Slack through AWS Chatbot):

* ``critical`` to the critical topic, ``warning`` to the warning topic, ``info`` nowhere (the
  chart's info alerts, such as CPU throttling, are for dashboards);
* the ``Watchdog``, an alert that always fires while the pipeline works, to a heartbeat topic
  every few minutes: a CloudWatch alarm on that topic's publish count pages when the heartbeat
  stops, that is when Prometheus, Alertmanager or their credentials are broken;
* the chart's inhibit rules kept (a critical alert mutes the warning of the same name).

Alertmanager publishes with AWS SigV4 through the default AWS credential chain (Alertmanager's
notify/sns, aws-sdk-go-v2 config.LoadDefaultConfig, which reads the EKS Pod Identity agent's
container credentials), as its own service account bound to a role allowed only to publish
there. Plain functions, so the rendered configuration is tested without Pulumi.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
from pydantic import BaseModel, ConfigDict, Field

from aws_web_platform.core.fields import InputStr

#: Alertmanager's service account (fixed, so its Pod Identity association can name it).
ALERTMANAGER_SERVICE_ACCOUNT = "alertmanager"
#: How often the Watchdog reaches the heartbeat topic; the heartbeat alarm allows for three.
HEARTBEAT_MINUTES = 5
#: SNS refuses a subject over 100 characters: the subject is cut to 99.
_SUBJECT = (
    '{{ printf "%.99s" (printf "[%s] %s: %s" (.Status | toUpper) '
    "(.CommonLabels.severity | toUpper) .CommonLabels.alertname) }}"
)
#: The chart's inhibit rules (kube-prometheus-stack values.yaml, alertmanager.config).
_INHIBIT_RULES: list[dict[str, Any]] = [
    {
        "source_matchers": ["severity = critical"],
        "target_matchers": ["severity =~ warning|info"],
        "equal": ["namespace", "alertname"],
    },
    {
        "source_matchers": ["severity = warning"],
        "target_matchers": ["severity = info"],
        "equal": ["namespace", "alertname"],
    },
    {
        "source_matchers": ["alertname = InfoInhibitor"],
        "target_matchers": ["severity = info"],
        "equal": ["namespace"],
    },
    {"target_matchers": ["alertname = InfoInhibitor"]},
]


class AlertRouting(BaseModel):
    """The SNS topics Alertmanager publishes to, in the stack's region."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    warning_topic_arn: InputStr = Field(description="Topic of warning alerts.")
    critical_topic_arn: InputStr = Field(description="Topic of critical alerts.")
    heartbeat_topic_arn: InputStr = Field(
        description="Topic the Watchdog heartbeat is published to (nobody subscribed; an alarm "
        "watches its publish count)."
    )
    region: str = Field(description="Region of the topics (SigV4 signs for it).")


def _receiver(
    name: str, topic_arn: pulumi.Input[str], region: str, *, resolved: bool
) -> dict[str, Any]:
    """A receiver publishing to one SNS topic, signed for its region."""
    sns = {
        "topic_arn": topic_arn,
        "sigv4": {"region": region},
        "subject": _SUBJECT,
        "send_resolved": resolved,
        "attributes": {"source": "alertmanager"},
    }
    return {"name": name, "sns_configs": [sns]}


def alertmanager_config(routing: AlertRouting) -> dict[str, Any]:
    """Alertmanager's configuration (kube-prometheus-stack ``alertmanager.config``)."""
    region = routing.region
    return {
        "global": {"resolve_timeout": "5m"},
        "inhibit_rules": _INHIBIT_RULES,
        "route": {
            "receiver": "warning",
            "group_by": ["namespace", "alertname"],
            "group_wait": "30s",
            "group_interval": "5m",
            "repeat_interval": "4h",
            "routes": [
                {
                    "receiver": "heartbeat",
                    "matchers": ['alertname = "Watchdog"'],
                    "group_wait": "0s",
                    "group_interval": "1m",
                    "repeat_interval": f"{HEARTBEAT_MINUTES}m",
                },
                {"receiver": "null", "matchers": ['alertname = "InfoInhibitor"']},
                {"receiver": "null", "matchers": ['severity = "info"']},
                {"receiver": "critical", "matchers": ['severity = "critical"']},
                {"receiver": "warning", "matchers": ['severity = "warning"']},
            ],
        },
        "receivers": [
            {"name": "null"},
            _receiver("critical", routing.critical_topic_arn, region, resolved=True),
            _receiver("warning", routing.warning_topic_arn, region, resolved=True),
            _receiver("heartbeat", routing.heartbeat_topic_arn, region, resolved=False),
        ],
        "templates": ["/etc/alertmanager/config/*.tmpl"],
    }


def workload_rules(namespaces: Sequence[str]) -> dict[str, Any]:
    """The platform's own Prometheus rules (``additionalPrometheusRulesMap``).

    ``WorkloadHasNoAvailablePod`` pages for a Deployment of the app namespaces that should run
    pods and has none available for 10 minutes. It is what the CloudWatch ``pods_not_ready``
    alarm cannot say: that alarm sees no data both when nothing runs and when nothing should
    (a first deploy, a workload scaled to zero), so it stays quiet on missing data.
    """
    selector = "|".join(sorted(namespaces))
    deployments = f'namespace=~"{selector}"'
    return {
        "platform-workloads": {
            "groups": [
                {
                    "name": "platform-workloads",
                    "rules": [
                        {
                            "alert": "WorkloadHasNoAvailablePod",
                            "expr": (
                                f"kube_deployment_spec_replicas{{{deployments}}} > 0 "
                                "and on (namespace, deployment) "
                                f"kube_deployment_status_replicas_available{{{deployments}}} == 0"
                            ),
                            "for": "10m",
                            "labels": {"severity": "critical"},
                            "annotations": {
                                "summary": "{{ $labels.namespace }}/{{ $labels.deployment }} "
                                "has no available pod",
                                "description": "The Deployment should run pods and none has "
                                "been available for 10 minutes: nothing serves it.",
                            },
                        }
                    ],
                }
            ]
        }
    }
