"""AWS Backup: vaults, the daily plan, off-site copy, restore testing."""
