"""EKS: the cluster, node groups, managed add-ons, capacity checks, CI preview access."""
