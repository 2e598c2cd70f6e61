"""JSON schemas of the custom resources the platform creates, for the fields it uses.

kubernetes-validate ships the built-in kinds only. These follow the CRDs of the versions the
add-ons pin (AWS Load Balancer Controller TargetGroupBinding v1beta1, checked against its
``config/crd/bases/elbv2.k8s.aws_targetgroupbindings.yaml``; External Secrets v1; the
PrometheusRule of kube-prometheus-stack 85.2.0, ``charts/crds/crds/crd-prometheusrules.yaml``):
each object's
required fields, enums where the CRD has them, and closed property lists at the levels the
platform writes, so a misspelt field fails as it would against the CRD's schema. They are
stricter than the CRDs where the platform always sets a field (a TargetGroupBinding's ARN, an
ExternalSecret's store and target).
"""

from __future__ import annotations

from typing import Any

_STRING = {"type": "string", "minLength": 1}
_LABELS = {"type": "object", "additionalProperties": {"type": "string"}}
_METADATA = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": _STRING,
        "namespace": _STRING,
        "labels": _LABELS,
        "annotations": _LABELS,
    },
    "additionalProperties": False,
}


def _resource(api_version: str, kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "apiVersion": {"const": api_version},
            "kind": {"const": kind},
            "metadata": _METADATA,
            "spec": spec,
        },
        "additionalProperties": False,
    }


TARGET_GROUP_BINDING = _resource(
    "elbv2.k8s.aws/v1beta1",
    "TargetGroupBinding",
    {
        "type": "object",
        "required": ["serviceRef", "targetGroupARN"],
        "properties": {
            "targetGroupARN": {
                "type": "string",
                "pattern": r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup/",
            },
            "targetType": {"enum": ["instance", "ip"]},
            "serviceRef": {
                "type": "object",
                "required": ["name", "port"],
                "properties": {
                    "name": _STRING,
                    "port": {"type": ["integer", "string"]},
                },
                "additionalProperties": False,
            },
            "targetGroupName": _STRING,
            "targetGroupProtocol": {
                "enum": ["HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP", "QUIC", "TCP_QUIC"]
            },
            "ipAddressType": {"enum": ["ipv4", "ipv6"]},
            "multiClusterTargetGroup": {"type": "boolean"},
            "vpcID": _STRING,
            "networking": {"type": "object"},
            "nodeSelector": {"type": "object"},
        },
        "additionalProperties": False,
    },
)

_REMOTE_REF = {
    "type": "object",
    "required": ["key"],
    "properties": {
        "key": _STRING,
        "property": _STRING,
        "version": _STRING,
        "conversionStrategy": {"enum": ["Default", "Unicode"]},
        "decodingStrategy": {"enum": ["Auto", "Base64", "Base64URL", "None"]},
        "metadataPolicy": {"enum": ["None", "Fetch"]},
    },
    "additionalProperties": False,
}

EXTERNAL_SECRET = _resource(
    "external-secrets.io/v1",
    "ExternalSecret",
    {
        "type": "object",
        "required": ["secretStoreRef", "target", "data"],
        "properties": {
            "refreshInterval": {"type": "string", "pattern": r"^\d+[smh]$"},
            "secretStoreRef": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": _STRING,
                    "kind": {"enum": ["SecretStore", "ClusterSecretStore"]},
                },
                "additionalProperties": False,
            },
            "target": {
                "type": "object",
                "properties": {
                    "name": _STRING,
                    "creationPolicy": {"enum": ["Owner", "Orphan", "Merge", "None"]},
                    "deletionPolicy": {"enum": ["Delete", "Merge", "Retain"]},
                    "immutable": {"type": "boolean"},
                    "template": {
                        "type": "object",
                        "properties": {
                            "type": _STRING,
                            "engineVersion": {"enum": ["v2"]},
                            "mergePolicy": {"enum": ["Replace", "Merge"]},
                            "metadata": {
                                "type": "object",
                                "properties": {"labels": _LABELS, "annotations": _LABELS},
                                "additionalProperties": False,
                            },
                            "data": {"type": "object", "additionalProperties": {"type": "string"}},
                        },
                        "additionalProperties": False,
                    },
                },
                "additionalProperties": False,
            },
            "data": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["secretKey", "remoteRef"],
                    "properties": {
                        "secretKey": {"type": "string", "pattern": r"^[-._a-zA-Z0-9]+$"},
                        "remoteRef": _REMOTE_REF,
                    },
                    "additionalProperties": False,
                },
            },
        },
        "additionalProperties": False,
    },
)

CLUSTER_SECRET_STORE = _resource(
    "external-secrets.io/v1",
    "ClusterSecretStore",
    {
        "type": "object",
        "required": ["provider"],
        "properties": {
            "provider": {
                "type": "object",
                "minProperties": 1,
                "maxProperties": 1,
                "properties": {
                    "aws": {
                        "type": "object",
                        "required": ["service"],
                        "properties": {
                            "service": {"enum": ["SecretsManager", "ParameterStore"]},
                            "region": _STRING,
                            "role": _STRING,
                        },
                        "additionalProperties": False,
                    }
                },
                "additionalProperties": False,
            },
            "conditions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "namespaces": {"type": "array", "items": _STRING},
                        "namespaceRegexes": {"type": "array", "items": _STRING},
                        "namespaceSelector": {"type": "object"},
                    },
                    "additionalProperties": False,
                },
            },
        },
        "additionalProperties": False,
    },
)

#: Schema of each custom resource type the platform registers, by Pulumi type token.
_DURATION = {
    "type": "string",
    "pattern": r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?"
    r"(([0-9]+)ms)?)$",
}
PROMETHEUS_RULE = _resource(
    "monitoring.coreos.com/v1",
    "PrometheusRule",
    {
        "type": "object",
        "required": ["groups"],
        "properties": {
            "groups": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["name", "rules"],
                    "properties": {
                        "name": _STRING,
                        "interval": _DURATION,
                        "rules": {
                            "type": "array",
                            "minItems": 1,
                            "items": {
                                "type": "object",
                                "required": ["expr"],
                                "properties": {
                                    "alert": _STRING,
                                    "record": _STRING,
                                    "expr": _STRING,
                                    "for": _DURATION,
                                    "keep_firing_for": _DURATION,
                                    "labels": _LABELS,
                                    "annotations": _LABELS,
                                },
                                "additionalProperties": False,
                            },
                        },
                    },
                    "additionalProperties": False,
                },
            }
        },
        "additionalProperties": False,
    },
)

CRD_SCHEMAS: dict[str, dict[str, Any]] = {
    "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding": TARGET_GROUP_BINDING,
    "kubernetes:monitoring.coreos.com/v1:PrometheusRule": PROMETHEUS_RULE,
    "kubernetes:external-secrets.io/v1:ExternalSecret": EXTERNAL_SECRET,
    "kubernetes:external-secrets.io/v1:ClusterSecretStore": CLUSTER_SECRET_STORE,
}
