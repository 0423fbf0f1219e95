"""Shopee Open Platform v2: the adapter and a local simulator of the API for tests."""
