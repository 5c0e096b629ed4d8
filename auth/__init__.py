"""Accounts and permissions: login and logout, sessions, the login throttle, password rules, API tokens, role checks."""
