"""`python -m bench.serve_floor --port P --workers N`: the floor server (bench/floor.py) under
uvicorn exactly as `elnudge serve` runs elNudge: httptools with TCP_NODELAY, uvloop, no access
log, N worker processes, each listening on a socket of its own (elnudge/web/serving.py).

A module of its own, and light: uvicorn's spawned workers import the main module before they
answer the supervisor's health check, and one that imported the app took longer than its 5 s
timeout on the loaded bench machine (the workers were killed and restarted in a loop).
"""

from __future__ import annotations

import argparse

from elnudge.web import serving
from elnudge.web.protocol import NoDelayProtocol

HTTP_PROTOCOL = f"{NoDelayProtocol.__module__}:{NoDelayProtocol.__qualname__}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    serving.run(
        "bench.floor:app_from_environment",
        factory=True,
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        http=HTTP_PROTOCOL,
        loop="uvloop",
        access_log=False,
    )


if __name__ == "__main__":
    main()
