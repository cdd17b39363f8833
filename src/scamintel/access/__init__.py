"""Who may do what: organisations, roles and API keys."""
