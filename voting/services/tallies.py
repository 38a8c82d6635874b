"""Live vote tallies per event, kept in memory and brought up to date from the vote audit.

Every change to a vote - cast, changed, or removed by a reset, in any process - appends a
`vote_audit` row in the same transaction. A tally remembers the last audit row it has folded in and,
when a screen snapshot is built, reads only the rows after it, so a push costs O(CCGs x contracts)
for the matrix plus O(votes since the last push), never O(votes cast).

Because the audit is the change feed, a tally is right whichever process took the vote, with no
invalidation messages: several processes sharing the database each keep their own. It is rebuilt
from the `vote` table when the process first needs it and whenever it cannot vouch for itself: the
last row it folded in is gone (another database), or a row's old level is not what the tally holds
(something changed a vote without telling it). Ids are handed out under one write lock - SQLite's
own, or on PostgreSQL the advisory lock every write transaction takes first (`db_setup`), released
only once its commit is visible - so they become visible in id order and `id > last` never skips a
row (a rolled-back id is a gap, never a late arrival). A database written without that lock would
need another watermark: `exact()` says which databases have it, and elsewhere every snapshot counts
from the `vote` table. A tally is only brought forward from a read transaction (`db_setup.reading`),
which cannot see anything that might still roll back.

Which votes count (declared interests left out) and how a split was settled are read afresh for
every snapshot; they are small.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import bindparam, select

from voting.db_setup import reading
from voting.domain.aggregation import Position, Settlement, combine_votes, fingerprint
from voting.extensions import db
from voting.models import Contract, Delegate, Event, Resolution, Vote, VoteAudit
from voting.models.delegate import REVOKED
from voting.services.interests import declared_pairs

Cell = tuple[int, int]  # (contract id, organisation id)
KEEP_AHEAD = 3  # reads that may find the kept tally ahead of them before it is replaced

_TAIL = (
    select(VoteAudit.id, VoteAudit.contract_id, VoteAudit.delegate_id, Delegate.organisation_id)
    .add_columns(VoteAudit.old_level, VoteAudit.new_level)
    .join(Delegate, Delegate.id == VoteAudit.delegate_id)
    .where(VoteAudit.event_id == bindparam("event"), VoteAudit.id >= bindparam("last"))
    .order_by(VoteAudit.id)
)


@dataclass
class Tally:
    """One event's votes as counts: per (contract, CCG) cell and per contract, by level."""

    event_id: int
    audit_id: int = 0  # the last vote_audit row folded in (0: none)
    # Every current vote: (contract, delegate) -> (organisation, level).
    votes: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    excluded: frozenset[tuple[int, int]] = frozenset()  # (delegate, contract) left out of results
    revoked: frozenset[int] = frozenset()  # removed delegates: none of their votes count
    cells: dict[Cell, Counter[int]] = field(default_factory=dict)  # counted levels per cell
    # Counted votes per cell by delegate: what a split's settlement is checked against.
    voters: dict[Cell, dict[int, int]] = field(default_factory=dict)
    contract_votes: dict[int, Counter[int]] = field(default_factory=dict)  # counted levels per contract
    rule: str = ""
    resolutions: dict[Cell, Settlement] = field(default_factory=dict)
    positions: dict[Cell, Position] = field(default_factory=dict)  # cells with counted votes only
    labels: dict[Cell, str] = field(default_factory=dict)  # each position's matrix text ("2", "2/3")
    splits: set[Cell] = field(default_factory=set)  # cells whose CCG is split
    stale: set[Cell] = field(default_factory=set)  # cells whose position must be worked out again
    refused: int = 0  # reads in a row that found this tally ahead of what they could see

    def _count(self, contract_id: int, delegate_id: int, org_id: int, level: int, step: int) -> None:
        if (delegate_id, contract_id) in self.excluded or delegate_id in self.revoked:
            return
        cell = (contract_id, org_id)
        self.cells.setdefault(cell, Counter())[level] += step
        if step > 0:
            self.voters.setdefault(cell, {})[delegate_id] = level
        else:
            self.voters.get(cell, {}).pop(delegate_id, None)
        self.contract_votes.setdefault(contract_id, Counter())[level] += step
        self.stale.add(cell)

    def set_vote(self, contract_id: int, delegate_id: int, org_id: int, level: int | None) -> None:
        """Apply one vote's new level (None: removed)."""
        key = (contract_id, delegate_id)
        before = self.votes.pop(key, None)
        if before is not None:
            self._count(contract_id, delegate_id, before[0], before[1], -1)
        if level is not None:
            self.votes[key] = (org_id, level)
            self._count(contract_id, delegate_id, org_id, level, +1)

    def level_of(self, contract_id: int, delegate_id: int) -> int | None:
        held = self.votes.get((contract_id, delegate_id))
        return None if held is None else held[1]

    def recount(self, excluded: frozenset[tuple[int, int]], revoked: frozenset[int]) -> None:
        """Count every vote again, leaving out `excluded` and `revoked` (interests or delegates changed)."""
        self.excluded, self.revoked = excluded, revoked
        self.cells, self.contract_votes, self.voters = {}, {}, {}
        self._forget_positions()
        for (contract_id, delegate_id), (org_id, level) in self.votes.items():
            self._count(contract_id, delegate_id, org_id, level, +1)

    def _forget_positions(self) -> None:
        self.positions, self.labels, self.splits = {}, {}, set()
        self.stale = set(self.cells)

    def _place(self, cell: Cell, position: Position | None) -> None:
        self.positions.pop(cell, None)
        self.labels.pop(cell, None)
        self.splits.discard(cell)
        if position is None:
            return
        self.positions[cell], self.labels[cell] = position, position.label
        if position.is_split:
            self.splits.add(cell)

    def settle(self, rule: str, resolutions: dict[Cell, Settlement]) -> None:
        """Work out the positions of the cells that changed (every cell, if the rule did)."""
        if rule != self.rule:
            self.rule = rule
            self._forget_positions()
        for cell, _level in set(resolutions.items()) ^ set(self.resolutions.items()):
            self.stale.add(cell)
        self.resolutions = resolutions
        for cell in self.stale:
            counts = self.cells.get(cell)
            if counts is None or not any(counts.values()):
                self._place(cell, None)
            else:
                key = fingerprint(self.voters.get(cell, {}))
                self._place(cell, combine_votes(counts.elements(), rule, resolutions.get(cell), key))
        self.stale = set()

    def counts(self) -> Counts:
        """A copy of the settled counts that later votes cannot change under its reader."""
        return Counts(
            positions=dict(self.positions),
            labels=dict(self.labels),
            splits=frozenset(self.splits),
            contract_votes={contract: Counter(c) for contract, c in self.contract_votes.items()},
        )


@dataclass(frozen=True)
class Counts:
    """An event's settled counts at one moment: what a snapshot is built from."""

    positions: dict[Cell, Position]  # cells with counted votes only
    labels: dict[Cell, str]  # each position's matrix text ("2", "2/3")
    splits: frozenset[Cell]
    contract_votes: dict[int, Counter[int]]  # per contract: counted delegate votes at each level

    def level_counts(self, contract_id: int) -> dict[int, int]:
        """Counted delegate votes on a contract per level (1..5, zeros included)."""
        counts = self.contract_votes.get(contract_id, Counter())
        return {level: counts[level] for level in range(1, 6)}


class _Tallies:
    def __init__(self) -> None:
        self.by_event: dict[int, Tally] = {}
        self.lock = threading.Lock()


def _store() -> _Tallies:
    return current_app.extensions.setdefault("voting_tallies", _Tallies())  # type: ignore[no-any-return]


def exact() -> bool:
    """Whether the audit ids on this database appear in commit order (see the module docstring)."""
    return db.session.get_bind().dialect.name in ("sqlite", "postgresql")


def build(event: Event) -> Tally:
    """A tally from scratch: every current vote of the event, in the caller's transaction."""
    last = db.session.scalar(
        select(VoteAudit.id).where(VoteAudit.event_id == event.id).order_by(VoteAudit.id.desc()).limit(1)
    )
    tally = Tally(event.id, audit_id=last or 0)
    tally.excluded = _excluded(event)
    tally.revoked = revoked_delegates(event.id)
    for contract_id, delegate_id, org_id, level in db.session.execute(
        select(Vote.contract_id, Vote.delegate_id, Vote.organisation_id, Vote.level).where(
            Vote.event_id == event.id
        )
    ):
        tally.set_vote(contract_id, delegate_id, org_id, level)
    return tally


def _catch_up(tally: Tally) -> bool:
    """Fold in the audit rows after the last one; False when the tally cannot vouch for itself."""
    rows = db.session.execute(_TAIL, {"event": tally.event_id, "last": tally.audit_id}).all()
    if tally.audit_id and (not rows or rows[0][0] != tally.audit_id):
        return False  # the last row folded in is not there: another database, or a deleted event
    for audit_id, contract_id, delegate_id, org_id, old_level, new_level in rows:
        if audit_id == tally.audit_id:
            continue
        if tally.level_of(contract_id, delegate_id) != old_level:
            return False
        tally.set_vote(contract_id, delegate_id, org_id, new_level)
        tally.audit_id = audit_id
    return True


def _excluded(event: Event) -> frozenset[tuple[int, int]]:
    return frozenset(declared_pairs(event.id)) if event.exclude_declared else frozenset()


def revoked_delegates(event_id: int) -> frozenset[int]:
    """Delegates the facilitator removed: none of their votes, answers or ballots count."""
    return frozenset(
        db.session.scalars(
            select(Delegate.id).where(Delegate.event_id == event_id, Delegate.status == REVOKED)
        )
    )


def resolutions(event_id: int) -> dict[Cell, Settlement]:
    """Every settled split of the event, with the tie each one settled."""
    rows = db.session.execute(
        select(Resolution.contract_id, Resolution.organisation_id, Resolution.level, Resolution.votes)
        .join(Contract, Contract.id == Resolution.contract_id)
        .where(Contract.event_id == event_id)
    )
    return {(contract_id, org_id): Settlement(level, votes) for contract_id, org_id, level, votes in rows}


def current(event: Event) -> Counts:
    """The event's settled counts as of the caller's transaction (the tally is kept for next time)."""
    if not (exact() and reading()):
        # It may yet roll back what it sees (or ids may commit out of order): count from scratch.
        return _settled(build(event), event).counts()
    store = _store()
    with store.lock:
        kept = store.by_event.get(event.id)
        if kept is not None and _catch_up(kept):
            kept.refused = 0
            return _settled(kept, event).counts()
        tally = build(event)
        if kept is None or tally.audit_id >= kept.audit_id or kept.refused >= KEEP_AHEAD:
            store.by_event[event.id] = tally
        else:
            # The kept tally is ahead of this caller's snapshot (another reader, with a newer one,
            # brought it forward): count this older snapshot on its own and keep the newer tally.
            # A tally that stays "ahead" of several reads in a row is wrong instead (another
            # database, a deleted event), and the next rebuild replaces it.
            kept.refused += 1
        return _settled(tally, event).counts()


def _settled(tally: Tally, event: Event) -> Tally:
    excluded, revoked = _excluded(event), revoked_delegates(event.id)
    if excluded != tally.excluded or revoked != tally.revoked:
        tally.recount(excluded, revoked)
    tally.settle(event.rule, resolutions(event.id))
    return tally


def forget(event_id: int | None = None) -> None:
    """Drop the kept tally of one event (or all): the next snapshot rebuilds it from the database."""
    store = _store()
    with store.lock:
        if event_id is None:
            store.by_event.clear()
        else:
            store.by_event.pop(event_id, None)
