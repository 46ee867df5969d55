"""Sites (stores) and their plans."""
