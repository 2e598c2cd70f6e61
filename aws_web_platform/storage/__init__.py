"""S3 buckets, private and encrypted, with grant intent methods."""
