"""Password hashes: argon2id from argon2-cffi, with its maintained defaults (RFC 9106's
second recommended profile: 64 MiB, 3 passes), so a stolen database costs an attacker memory
and time for every guess."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
# Verified when the email is unknown, so an unknown account takes as long as a wrong password
# and timing cannot tell which emails have accounts.
_DECOY = _HASHER.hash("not the password of anyone")
MIN_LENGTH = 10
MAX_LENGTH = 1024  # hashing is deliberately slow: an unbounded password is a free DoS


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches `stored_hash`; None (no such user) checks a decoy."""
    try:
        return _HASHER.verify(stored_hash or _DECOY, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False
