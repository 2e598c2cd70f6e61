"""IAM permissions of the platform add-ons, each as narrow as the add-on allows.

* AWS Load Balancer Controller: the permissions its project publishes
  (``docs/install/iam_policy.json`` of kubernetes-sigs/aws-load-balancer-controller, v2.8+ with
  the v3 additions: IPAM pools, route tables, listener attributes, capacity reservations, rule
  priorities), expressed here by purpose. Changing resources is limited, as upstream does, to
  those tagged ``elbv2.k8s.aws/cluster``; registering targets is allowed on any target group
  because TargetGroupBinding registers pods into target groups created outside Kubernetes.
* cluster-autoscaler: describe everything, but change only Auto Scaling groups tagged as this
  cluster's (EKS managed node groups carry ``k8s.io/cluster-autoscaler/<cluster>``).
* external-dns: change records of the stack's hosted zone only.
* External Secrets: the controller may only assume the roles of its secret stores; each store's
  role reads exactly the secrets its namespaces need (never the database master secret) and
  decrypts them through Secrets Manager only.
"""

from __future__ import annotations

from typing import Any

import pulumi

Statement = dict[str, Any]

_LB_DESCRIBE = [
    "ec2:DescribeAccountAttributes",
    "ec2:DescribeAddresses",
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeInternetGateways",
    "ec2:DescribeVpcs",
    "ec2:DescribeVpcPeeringConnections",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeInstances",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeTags",
    "ec2:DescribeRouteTables",
    "ec2:DescribeIpamPools",
    "ec2:DescribeCoipPools",
    "ec2:GetCoipPoolUsage",
    "ec2:GetSecurityGroupsForVpc",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeListenerAttributes",
    "elasticloadbalancing:DescribeListenerCertificates",
    "elasticloadbalancing:DescribeSSLPolicies",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTargetHealth",
    "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:DescribeTrustStores",
    "elasticloadbalancing:DescribeCapacityReservation",
]
_LB_INTEGRATIONS = [
    "cognito-idp:DescribeUserPoolClient",
    "acm:ListCertificates",
    "acm:DescribeCertificate",
    "iam:ListServerCertificates",
    "iam:GetServerCertificate",
    "waf-regional:GetWebACL",
    "waf-regional:GetWebACLForResource",
    "waf-regional:AssociateWebACL",
    "waf-regional:DisassociateWebACL",
    "wafv2:GetWebACL",
    "wafv2:GetWebACLForResource",
    "wafv2:AssociateWebACL",
    "wafv2:DisassociateWebACL",
    "shield:GetSubscriptionState",
    "shield:DescribeProtection",
    "shield:CreateProtection",
    "shield:DeleteProtection",
]
_LB_MODIFY_OWN = [
    "elasticloadbalancing:ModifyLoadBalancerAttributes",
    "elasticloadbalancing:SetIpAddressType",
    "elasticloadbalancing:SetSecurityGroups",
    "elasticloadbalancing:SetSubnets",
    "elasticloadbalancing:DeleteLoadBalancer",
    "elasticloadbalancing:ModifyTargetGroup",
    "elasticloadbalancing:ModifyTargetGroupAttributes",
    "elasticloadbalancing:DeleteTargetGroup",
    "elasticloadbalancing:ModifyListenerAttributes",
    "elasticloadbalancing:ModifyCapacityReservation",
    "elasticloadbalancing:ModifyIpPools",
]
_CLUSTER_TAG = "elbv2.k8s.aws/cluster"


def load_balancer_controller_policy(partition: str) -> list[Statement]:
    """The controller's published permissions, grouped by what they are for."""
    elb = f"arn:{partition}:elasticloadbalancing:*:*"
    load_balancers_and_groups = [
        f"{elb}:targetgroup/*/*",
        f"{elb}:loadbalancer/net/*/*",
        f"{elb}:loadbalancer/app/*/*",
    ]
    security_groups = f"arn:{partition}:ec2:*:*:security-group/*"
    return [
        {
            "Sid": "ServiceLinkedRoleForElb",
            "Effect": "Allow",
            "Action": "iam:CreateServiceLinkedRole",
            "Resource": "*",
            "Condition": {
                "StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}
            },
        },
        {"Sid": "Describe", "Effect": "Allow", "Action": _LB_DESCRIBE, "Resource": "*"},
        {"Sid": "Integrations", "Effect": "Allow", "Action": _LB_INTEGRATIONS, "Resource": "*"},
        {
            "Sid": "ManageIngressRules",
            "Effect": "Allow",
            "Action": ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
            "Resource": "*",
        },
        {
            "Sid": "CreateSecurityGroups",
            "Effect": "Allow",
            "Action": "ec2:CreateSecurityGroup",
            "Resource": "*",
        },
        {
            "Sid": "TagNewSecurityGroups",
            "Effect": "Allow",
            "Action": "ec2:CreateTags",
            "Resource": security_groups,
            "Condition": {
                "StringEquals": {"ec2:CreateAction": "CreateSecurityGroup"},
                "Null": {f"aws:RequestTag/{_CLUSTER_TAG}": "false"},
            },
        },
        {
            "Sid": "RetagOwnSecurityGroups",
            "Effect": "Allow",
            "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
            "Resource": security_groups,
            "Condition": {
                "Null": {
                    f"aws:RequestTag/{_CLUSTER_TAG}": "true",
                    f"aws:ResourceTag/{_CLUSTER_TAG}": "false",
                }
            },
        },
        {
            "Sid": "ManageOwnSecurityGroups",
            "Effect": "Allow",
            "Action": [
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupIngress",
                "ec2:DeleteSecurityGroup",
            ],
            "Resource": "*",
            "Condition": {"Null": {f"aws:ResourceTag/{_CLUSTER_TAG}": "false"}},
        },
        {
            "Sid": "CreateTaggedLoadBalancers",
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:CreateLoadBalancer",
                "elasticloadbalancing:CreateTargetGroup",
            ],
            "Resource": "*",
            "Condition": {"Null": {f"aws:RequestTag/{_CLUSTER_TAG}": "false"}},
        },
        {
            "Sid": "ManageListenersAndRules",
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:CreateListener",
                "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:CreateRule",
                "elasticloadbalancing:DeleteRule",
            ],
            "Resource": "*",
        },
        {
            "Sid": "RetagOwnLoadBalancers",
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            "Resource": load_balancers_and_groups,
            "Condition": {
                "Null": {
                    f"aws:RequestTag/{_CLUSTER_TAG}": "true",
                    f"aws:ResourceTag/{_CLUSTER_TAG}": "false",
                }
            },
        },
        {
            "Sid": "TagListenersAndRules",
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            "Resource": [
                f"{elb}:listener/net/*/*/*",
                f"{elb}:listener/app/*/*/*",
                f"{elb}:listener-rule/net/*/*/*",
                f"{elb}:listener-rule/app/*/*/*",
            ],
        },
        {
            "Sid": "ModifyOwnLoadBalancers",
            "Effect": "Allow",
            "Action": _LB_MODIFY_OWN,
            "Resource": "*",
            "Condition": {"Null": {f"aws:ResourceTag/{_CLUSTER_TAG}": "false"}},
        },
        {
            "Sid": "TagOnCreate",
            "Effect": "Allow",
            "Action": "elasticloadbalancing:AddTags",
            "Resource": load_balancers_and_groups,
            "Condition": {
                "StringEquals": {
                    "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"]
                },
                "Null": {f"aws:RequestTag/{_CLUSTER_TAG}": "false"},
            },
        },
        {
            "Sid": "RegisterTargets",
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:RegisterTargets",
                "elasticloadbalancing:DeregisterTargets",
            ],
            "Resource": f"{elb}:targetgroup/*/*",
        },
        {
            "Sid": "ModifyListenersAndRules",
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:SetWebAcl",
                "elasticloadbalancing:ModifyListener",
                "elasticloadbalancing:AddListenerCertificates",
                "elasticloadbalancing:RemoveListenerCertificates",
                "elasticloadbalancing:ModifyRule",
                "elasticloadbalancing:SetRulePriorities",
            ],
            "Resource": "*",
        },
    ]


def cluster_autoscaler_policy(cluster_name: str) -> list[Statement]:
    """Describe freely; resize or terminate only this cluster's node groups."""
    return [
        {
            "Sid": "Describe",
            "Effect": "Allow",
            "Action": [
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:DescribeAutoScalingInstances",
                "autoscaling:DescribeLaunchConfigurations",
                "autoscaling:DescribeScalingActivities",
                "autoscaling:DescribeTags",
                "ec2:DescribeImages",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplateVersions",
                "ec2:GetInstanceTypesFromInstanceRequirements",
                "eks:DescribeNodegroup",
            ],
            "Resource": "*",
        },
        {
            "Sid": "ScaleThisClustersGroups",
            "Effect": "Allow",
            "Action": [
                "autoscaling:SetDesiredCapacity",
                "autoscaling:TerminateInstanceInAutoScalingGroup",
            ],
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster_name}": "owned"
                }
            },
        },
    ]


def external_dns_policy(zone_arn: Any) -> list[Statement]:
    """Change records in one hosted zone; list zones and records to find it."""
    return [
        {
            "Sid": "ChangeThisZone",
            "Effect": "Allow",
            "Action": "route53:ChangeResourceRecordSets",
            "Resource": zone_arn,
        },
        {
            "Sid": "FindZonesAndRecords",
            "Effect": "Allow",
            "Action": [
                "route53:ListHostedZones",
                "route53:ListResourceRecordSets",
                "route53:ListTagsForResource",
                "route53:ListTagsForResources",
            ],
            "Resource": "*",
        },
    ]


def secret_arn_pattern(partition: str, region: str, account: str, name: str) -> str:
    """The ARN of the secret called ``name``: Secrets Manager adds a 6-character suffix."""
    return f"arn:{partition}:secretsmanager:{region}:{account}:secret:{name}-??????"


def secret_store_policy(
    *, secret_arns: list[str], kms_key_arn: pulumi.Input[str], region: str
) -> list[Statement]:
    """Read exactly these secrets and decrypt them through Secrets Manager."""
    return [
        {
            "Sid": "ReadTheseSecrets",
            "Effect": "Allow",
            "Action": [
                "secretsmanager:GetSecretValue",
                "secretsmanager:DescribeSecret",
                "secretsmanager:ListSecretVersionIds",
            ],
            "Resource": sorted(secret_arns),
        },
        {
            "Sid": "DecryptThroughSecretsManager",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": kms_key_arn,
            "Condition": {
                "StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}
            },
        },
    ]


def assume_roles_policy(role_arns: list[Any]) -> list[Statement]:
    """Assume these roles, and nothing else."""
    return [
        {
            "Sid": "AssumeStoreRoles",
            "Effect": "Allow",
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Resource": role_arns,
        }
    ]
