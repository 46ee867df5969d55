"""elNudge: a self-hostable conversion engine for online stores."""

__version__ = "0.1.0"
