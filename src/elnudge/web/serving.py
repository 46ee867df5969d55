"""uvicorn with several workers, each listening on a socket of its own.

uvicorn's workers share one listening socket, and the first worker awake takes every
connection waiting on it, so a burst of new connections lands mostly on one worker. Measured
with `hey -c 10` at 300 req/s on `GET /v1/sessions?limit=200` (2 workers): the ten connections
split 6/4, 8/2 and 9/1 in three runs, and p99 grew with the split, 16 → 23 → 28 ms, while the
other worker idled (bench/RESULTS.md, "Connections spread over the workers").

On Linux each worker here opens a socket of its own on the same address (`SO_REUSEPORT`), and
the kernel hands each new connection to one of them by a hash of its addresses: a spread that
does not depend on which worker happens to be awake. uvicorn's supervisor is kept as it is
(restarts, signals, health checks); it passes its workers the parent's sockets by pickling them,
and `WorkerSocket` arrives in each worker as such a socket of its own. Elsewhere, or with one
worker, this is `uvicorn.run`.
"""

from __future__ import annotations

import logging
import socket
import sys
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

# uvicorn's exit status for a server that could not start (uvicorn.server.STARTUP_FAILURE).
STARTUP_FAILURE = 3
REUSE_PORT = sys.platform == "linux" and hasattr(socket, "SO_REUSEPORT")


def run(app: str, *, host: str, port: int, workers: int, **options: Any) -> None:
    """`uvicorn.run(app, host=…, port=…, workers=…, **options)`, with a listening socket per
    worker when there are several."""
    if workers == 1 or not REUSE_PORT:
        uvicorn.run(app, host=host, port=port, workers=workers, **options)
        return
    config = uvicorn.Config(app, host=host, port=port, workers=workers, **options)
    try:
        listener = WorkerSocket.bound(host, port)
    except OSError as error:  # as uvicorn reports a port it cannot bind
        logging.getLogger("uvicorn.error").error(error)
        sys.exit(STARTUP_FAILURE)
    with listener:
        Multiprocess(config, sockets=[listener]).run()


class WorkerSocket(socket.socket):
    """The address the workers listen on. The parent holds it bound (never listening), which
    keeps the port; unpickled in a worker, it is a new socket bound to the same address."""

    @classmethod
    def bound(cls, host: str, port: int) -> WorkerSocket:
        """Bound to (host, port), or OSError when the address is taken, by a server that
        shares its port (SO_REUSEPORT) or not."""
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # First without SO_REUSEPORT: with it, the bind would succeed beside another server
        # that listens with it (a second `elnudge serve` on the same port) and share its traffic.
        with socket.socket(family) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
            port = probe.getsockname()[1]  # port 0: the one the system picked
        listener = cls(family)
        _share_port(listener)
        listener.bind((host, port))
        return listener

    def __reduce__(self) -> tuple[Any, ...]:
        return _own_socket, (self.family, self.getsockname())


def _own_socket(family: int, address: tuple[Any, ...]) -> socket.socket:
    """A worker's socket on the parent's address (uvicorn makes it listen)."""
    own = socket.socket(family)
    _share_port(own)
    own.bind(address)
    return own


def _share_port(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
