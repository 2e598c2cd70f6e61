"""Redis/Valkey on ElastiCache: TLS, AUTH, failover."""
