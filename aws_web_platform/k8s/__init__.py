"""What runs on the cluster: Helm add-ons, app namespaces and the app workloads."""
