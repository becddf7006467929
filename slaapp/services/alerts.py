"""Stored alerts as the screens and the CLI see them: history rows, actions and their states."""

from slaapp.models.alerts import ALERT_STATES, ActionView, AlertView

__all__ = ["ALERT_STATES", "ActionView", "AlertView"]
