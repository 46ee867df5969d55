"""Running the `elnudge` data commands as a user would: a subprocess with the API's address
and key in the environment."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from elnudge import Client
from tests.client.conftest import iso, shopper_sessions
from tests.client.servers import ELNUDGE


@dataclass(frozen=True)
class Store:
    """A site on a live server, filled with sessions, and the window that holds them all."""

    base_url: str
    key: str
    sessions: int
    window: tuple[str, str]

    def env(self) -> dict[str, str]:
        return {**os.environ, "ELNUDGE_API_URL": self.base_url, "ELNUDGE_API_KEY": self.key}

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [ELNUDGE, *args], env=self.env(), capture_output=True, text=True, timeout=300
        )
        if check:
            assert result.returncode == 0, result.stderr
        return result

    def popen(self, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [ELNUDGE, *args], env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )

    def export_args(self, kind: str, file_format: str, output: Path, *extra: str) -> list[str]:
        since, until = self.window
        return [
            "export", kind, "--from", since, "--to", until,
            "--format", file_format, "--output", str(output), *extra,
        ]  # fmt: skip


def fill_store(base_url: str, key: str, sessions: int, **events: Any) -> Store:
    """`sessions` one-page sessions ending now, sent in batches of 1,000 through the client."""
    now = datetime.now(UTC).replace(microsecond=0)
    shoppers = shopper_sessions(now, sessions)
    with Client(key, base_url=base_url) as client:
        for start in range(0, sessions, 1000):
            client.events.send(shoppers[start : start + 1000])
    window = (iso(now - timedelta(days=2)), iso(now + timedelta(minutes=1)))
    return Store(base_url, key, sessions, window)
