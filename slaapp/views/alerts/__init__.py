"""The Alerts screen and the background alert scheduler."""
