"""Lazada Open Platform: the adapter and a local simulator of the API for tests."""
