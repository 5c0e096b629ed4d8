"""Settings and code lists: what can be configured, and the fixed lists users pick from."""
