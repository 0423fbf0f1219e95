"""Shopify Admin GraphQL API (reference §5): a seller's own Shopify store."""
