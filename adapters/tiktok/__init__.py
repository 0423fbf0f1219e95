"""TikTok Shop Partner API (also Tokopedia shops): the adapter and a local simulator for tests."""
