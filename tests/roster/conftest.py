"""Fixtures of the roster tests."""

import pytest

from roster import checking, import_check


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 7 rows, so that a few hundred rows make many chunks in flight."""
    monkeypatch.setattr(checking, "CHUNK_ROWS", 7)
    monkeypatch.setattr(import_check, "CHUNK_ROWS", 7)
