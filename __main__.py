"""The platform program: stack file -> StackConfig -> Platform -> stack outputs.

Configuration is validated first, so a bad stack file stops here before any resource exists.
"""

import pulumi

from aws_web_platform.platform.platform import Platform
from aws_web_platform.stack.loading import load_app_secret_values, load_stack_config

config = load_stack_config()
platform = Platform("platform", config, app_secret_values=load_app_secret_values(config))
for key, value in platform.stack_outputs().items():
    pulumi.export(key, value)
