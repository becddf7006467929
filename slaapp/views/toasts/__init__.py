"""Desktop toasts: D-Bus notifications with actions, tray balloons, the in-window banner."""
