"""The stack's public Route 53 zone."""
