"""Readers that turn files into engine inputs: event logs, wide exports, mappings, matrices."""
