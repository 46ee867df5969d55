"""HTTP plumbing shared by every area: runtime, auth, rate limits, errors, request ids."""
