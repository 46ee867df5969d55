"""`web/serving.py`: the socket that uvicorn's supervisor hands its workers arrives in each as a
socket of its own on the same address (the CLI's tests run `elnudge serve --workers 2`)."""

from __future__ import annotations

import pickle
import socket
from multiprocessing.reduction import ForkingPickler

import pytest

from elnudge.web import serving

pytestmark = pytest.mark.skipif(
    not serving.REUSE_PORT, reason="a socket per worker needs Linux's SO_REUSEPORT"
)


def test_a_worker_gets_its_own_socket_on_the_parents_address() -> None:
    # Pickled as uvicorn's supervisor passes sockets to the workers it spawns.
    with (
        serving.WorkerSocket.bound("127.0.0.1", 0) as parent,
        pickle.loads(ForkingPickler.dumps(parent)) as own,
    ):
        assert own.getsockname() == parent.getsockname()
        assert own.fileno() != parent.fileno()
        assert own.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
        own.listen()  # as uvicorn does in the worker


def test_a_port_in_use_is_refused() -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        with pytest.raises(OSError):
            serving.WorkerSocket.bound("127.0.0.1", other.getsockname()[1])
