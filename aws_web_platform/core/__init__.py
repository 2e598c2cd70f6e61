"""Shared building blocks: field types, IAM documents, security-group rules, time windows."""
