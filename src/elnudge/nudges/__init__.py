"""Nudges: what was shown to a session, how the visitor reacted, and what it led to."""
