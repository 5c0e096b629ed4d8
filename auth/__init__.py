"""Accounts and permissions: login and logout, the login throttle, API tokens, role checks."""
