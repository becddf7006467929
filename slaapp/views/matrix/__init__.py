"""The SLA matrix screen: the visual editor, calendars, segments, publish and history."""
