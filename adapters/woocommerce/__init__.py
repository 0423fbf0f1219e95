"""WooCommerce REST API v3 (``/wp-json/wc/v3``): the adapter and a local simulator for tests."""
