"""Desktop toasts with buttons: D-Bus (Linux) or desktop-notifier (macOS, Windows), the tray, in-window."""
