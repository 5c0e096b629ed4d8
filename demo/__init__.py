"""The demo: accounts, a synthetic roster and a campaign in progress, for `make run` and the tests."""
