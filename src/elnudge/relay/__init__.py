"""The storefront SDK's endpoint, `POST /v1/relay`: public key, best effort, CORS-open."""
