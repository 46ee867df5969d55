"""Which session keeps a nudge: a nudge id belongs to one session of one mode.

Every session a batch touches claims the nudges its events show. The session that already
stored a nudge's show keeps it; a nudge new to the database goes to its earliest show in the
batch. A show anywhere else is an error of those events — whatever their order in the batch,
so no batch can take a nudge (and its influenced conversion) from the session that showed it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from elnudge.events import repository
from elnudge.sessions.sessionize import Member


class NudgeConflict(Exception):
    """Events that show a nudge id already shown in another session; `indices` are batch indices."""

    def __init__(self, indices: list[int]) -> None:
        super().__init__(f"nudge shown in another session (events {indices})")
        self.indices = indices


@dataclass(frozen=True, slots=True)
class Claim:
    """A session of this batch that shows a nudge: its shows in the batch's events (stored
    or new), its row, and whether the session's show of it is stored already."""

    session_id: str
    shows: list[Member]
    row: dict[str, Any]
    stored: bool

    def first_show(self) -> tuple[int, str, str, str, str]:
        return min(member.sort_key() for member in self.shows)


def _winner(claims: list[Claim]) -> Claim:
    """The claim that keeps a nudge: the one whose show is stored already, else the earliest
    show (ties by the event's own sort key, so arrival order never matters)."""
    stored = [claim for claim in claims if claim.stored]
    return stored[0] if stored else min(claims, key=Claim.first_show)


class NudgeClaims:
    """Every claim of a batch, by nudge id."""

    def __init__(self) -> None:
        self._claims: dict[str, list[Claim]] = defaultdict(list)

    def add(self, nudge_id: str, claim: Claim) -> None:
        self._claims[nudge_id].append(claim)

    def settle(
        self,
        connection: Connection,
        site_id: str,
        mode: str,
        refreshed: Collection[str],
        batch_index: dict[str, int],
    ) -> list[dict[str, Any]]:
        """The nudge rows to write, one per nudge; NudgeConflict (with the batch indices of the
        losing shows) when any show belongs elsewhere. `refreshed` are the sessions this batch
        rewrites (their nudge rows are replaced)."""
        owners = repository.nudge_owners(connection, site_id, mode, list(self._claims))
        rows: list[dict[str, Any]] = []
        conflicts: list[str] = []
        for nudge_id, claims in self._claims.items():
            owner = owners.get(nudge_id)
            winner = None if owner is not None and owner not in refreshed else _winner(claims)
            for claim in claims:
                if claim is winner:
                    rows.append(claim.row)
                else:
                    conflicts.extend(m.event_id for m in claim.shows if m.session_id is None)
        if conflicts:
            raise NudgeConflict(sorted(batch_index[event_id] for event_id in conflicts))
        return rows
