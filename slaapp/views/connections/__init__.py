"""The Connections screen: CRM sources, mappings and their syncs."""
