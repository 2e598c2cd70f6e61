"""CI's access to an AWS account: GitHub OIDC provider, preview and deploy roles."""
