"""The merchant's dashboard at /dashboard/: server-rendered pages over the same services as
the API (docs/dashboard.md)."""

from elnudge.dashboard.app import create_dashboard

__all__ = ["create_dashboard"]
