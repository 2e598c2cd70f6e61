"""The stack file's configuration: StackConfig, loading and validation messages."""
