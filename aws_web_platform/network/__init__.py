"""The VPC: subnet tiers over the AZs, NAT, interface endpoints, flow logs."""
