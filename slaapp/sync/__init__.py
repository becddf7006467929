"""CRM connectors, field and stage mapping, and the incremental sync service."""
