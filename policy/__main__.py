"""The policy pack the Pulumi CLI runs: ``pulumi preview --policy-pack policy``.

The CLI executes this directory (``python -m pulumi.policy <engine> policy``), which puts
``policy/`` first on ``sys.path``; the rules are therefore imported as the top-level module
``platform_policies``, and the pack needs nothing from the rest of the repository. Constructing
the PolicyPack serves the policies to the engine until the CLI stops it.
"""

from platform_policies import POLICIES
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack("platform-policies", enforcement_level=EnforcementLevel.MANDATORY, policies=POLICIES)
