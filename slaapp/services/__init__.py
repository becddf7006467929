"""Whole operations that the CLI, the app and the service call."""
