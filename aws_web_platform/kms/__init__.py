"""Customer-managed KMS keys, one per data domain."""
