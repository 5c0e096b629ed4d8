"""Factories, fakes and helpers the tests share (the fixtures are in tests/conftest.py)."""
