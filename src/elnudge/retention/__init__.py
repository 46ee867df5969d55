"""Storage retention: the purge job (PRODUCT.md §3)."""
