"""The Settings screen: channels, alert policy and record links."""
