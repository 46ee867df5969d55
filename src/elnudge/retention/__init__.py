"""Storage retention: the purge job (docs/api.md, Plans and windows)."""
