"""The demo revenue org: its people and their customer journeys."""
