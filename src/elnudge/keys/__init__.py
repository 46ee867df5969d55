"""API keys: secret `sk_` keys for the REST API, public `pk_` keys for the storefront relay."""
