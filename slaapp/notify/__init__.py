"""Alert channels (desktop toast, email, Slack, webhook) and the delivery policy."""
