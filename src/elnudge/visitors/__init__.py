"""Who is visiting: browser, OS and device from the User-Agent, and whether it is a bot."""

from elnudge.visitors.context import VisitorContext, visitor_context

__all__ = ["VisitorContext", "visitor_context"]
