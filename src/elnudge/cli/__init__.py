"""The `elnudge` command."""

from elnudge.cli.main import app


def main() -> None:
    app()


__all__ = ["app", "main"]
