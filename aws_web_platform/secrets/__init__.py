"""Secrets Manager secrets: one secret, and the apps' third-party keys."""
