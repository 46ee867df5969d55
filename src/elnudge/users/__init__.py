"""Dashboard users: accounts, the sites each may see, and signed-in browser sessions."""
