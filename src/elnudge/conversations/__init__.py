"""Conversations: the chat panel's transcripts, stored with their sessions (docs/api.md)."""
