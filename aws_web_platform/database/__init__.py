"""PostgreSQL on RDS: primary, replicas, tuning, proxy, credentials."""
