"""What slaapp needs from the machine: one HTTP client (OS trust store, proxies), one secrets store."""
