"""The store's knowledge for the chat: FAQ entries and policies, and the catalogue (products)."""
