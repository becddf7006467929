"""slaapp: handoff SLA monitor for revenue teams."""

__version__ = "0.1.0"
