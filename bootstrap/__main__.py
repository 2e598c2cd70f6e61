"""Bootstrap of one AWS account for CI: GitHub OIDC provider, preview role, deploy role.

Configuration is validated first (``platform-bootstrap:*`` keys, model
:class:`aws_web_platform.bootstrap.config.BootstrapConfig`): a bad value stops here,
naming the key path, the value and what is allowed, before any resource exists.

    cd bootstrap && pulumi stack select dev && pulumi up     (administrator credentials)
"""

import pulumi
import pulumi_aws as aws

from aws_web_platform.bootstrap.ci_access import CiAccess, CiAccessArgs, CiAccessWiring
from aws_web_platform.bootstrap.config import BootstrapConfig
from aws_web_platform.stack.loading import load_config_model

config = load_config_model(BootstrapConfig)
stack = pulumi.get_stack()
region = pulumi.Config("aws").require("region")

provider = aws.Provider(
    "aws",
    region=region,
    default_tags=aws.ProviderDefaultTagsArgs(tags=config.common_tags(stack)),
    allowed_account_ids=list(config.allowed_account_ids) or None,
)
access = CiAccess(
    "ci",
    CiAccessArgs.from_config(config.ci, CiAccessWiring(name_prefix=config.name_prefix(stack))),
    opts=pulumi.ResourceOptions(provider=provider),
)

# Set these as GitHub variables (docs/delivery.md): the preview role at repository level, the
# deploy role in the environment(s) it trusts.
pulumi.export("oidcProviderArn", access.provider_arn)
pulumi.export("previewRoleArn", access.preview_role_arn)
pulumi.export("deployRoleArn", access.deploy_role_arn)
pulumi.export("deployEnvironments", list(config.ci.deploy_environments))
