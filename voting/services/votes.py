"""Casting a vote: the one path from a phone (or the facilitator) to the matrix.

The hottest path in the app, so it is written in SQLAlchemy Core with statements built once: a
single query reads the delegate, the contract, the holding, the current vote and the head of the
audit chain; then the audit record is appended (its unique (delegate, vote_id) is the final word on
duplicates), linked into the event's hash chain and the vote written. Votes that arrive together
share one write transaction and one commit (services.group_commit), each in its own savepoint; the
answer waits for that commit (synchronous=FULL). Loading and flushing ORM objects did the same with
five more round trips and a unit of work, at about three times the cost.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, and_, bindparam, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from voting.audit import GENESIS, append_link
from voting.domain.levels import parse_level
from voting.domain.states import vote_refusal
from voting.errors import Conflict, Invalid, NotAllowed, Refusal, Unauthorised, Unavailable
from voting.extensions import db
from voting.models import Contract, Delegate, Holding, Vote, VoteAudit
from voting.models.base import utcnow
from voting.models.chain import AuditLink
from voting.models.delegate import ACTIVE, PENDING
from voting.realtime.publish import publisher
from voting.services.group_commit import group_commit
from voting.services.voters import Voter

log = logging.getLogger(__name__)

VOTE_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
ROUND = re.compile(r"^[0-9]{1,9}$")
RETRIES = 5  # times a vote is read again after another writer got in first (PostgreSQL)
NOT_VALID = "Your voting link is not valid. Please scan your QR code again."


@dataclass(frozen=True)
class VoteResult:
    contract: str
    level: int
    duplicate: bool  # True when this vote_id had already been recorded
    # Where its record stands in the event's audit chain: the phone compares it with a snapshot's
    # `as_of` (services.phones.chain_position) to tell which of the two is newer.
    seq: int = 0


# Everything the decision needs, read inside the write transaction so nothing can change under it:
# the delegate, the contract of their event with this code, their CCG's holding, their current vote,
# and the head of the event's audit chain that the new record will be linked to.
_LINKS = AuditLink.__table__.alias("newest")
_CHAIN_HEAD = (
    select(func.max(_LINKS.c.seq))
    .where(_LINKS.c.event_id == Delegate.event_id)
    .correlate(Delegate)
    .scalar_subquery()
)
_STANDING = (
    select(
        Delegate.status.label("delegate_status"),
        Delegate.token_hash,
        Delegate.event_id,
        Delegate.organisation_id,
        Contract.id.label("contract_id"),
        Contract.name.label("contract_name"),
        Contract.status.label("contract_status"),
        Contract.closes_at,
        Contract.closed_at,
        Contract.vote_round.label("contract_round"),
        Holding.contract_id.label("held"),
        Vote.level.label("current_level"),
        AuditLink.seq.label("chain_seq"),
        AuditLink.hash.label("chain_hash"),
    )
    .select_from(Delegate)
    .outerjoin(Contract, and_(Contract.event_id == Delegate.event_id, Contract.code == bindparam("code")))
    .outerjoin(
        Holding,
        and_(Holding.contract_id == Contract.id, Holding.organisation_id == Delegate.organisation_id),
    )
    .outerjoin(Vote, and_(Vote.contract_id == Contract.id, Vote.delegate_id == Delegate.id))
    .outerjoin(AuditLink, and_(AuditLink.event_id == Delegate.event_id, AuditLink.seq == _CHAIN_HEAD))
    .where(Delegate.id == bindparam("delegate"))
)
_RECORDED = (
    select(
        Contract.code,
        Contract.vote_round.label("contract_round"),
        VoteAudit.new_level,
        VoteAudit.vote_round,
        AuditLink.seq,
    )
    .select_from(VoteAudit)
    .outerjoin(Contract, Contract.id == VoteAudit.contract_id)
    .outerjoin(AuditLink, and_(AuditLink.kind == "vote", AuditLink.record_id == VoteAudit.id))
    .where(VoteAudit.delegate_id == bindparam("delegate"), VoteAudit.vote_id == bindparam("vote_id"))
)
# Plain table statements, compiled once: the values come as parameters with each execution.
_AUDIT = insert(VoteAudit.__table__)
_NEW_VOTE = insert(Vote.__table__)
_VOTE_TABLE = Vote.__table__
_CHANGE_VOTE = (
    update(_VOTE_TABLE)
    .where(
        _VOTE_TABLE.c.contract_id == bindparam("of_contract"),
        _VOTE_TABLE.c.delegate_id == bindparam("of_delegate"),
    )
    .values(level=bindparam("new_level"), updated_at=bindparam("at"))
)


def _refuse_if_cannot_vote(standing: Row[Any] | None, voter: Voter) -> None:
    if standing is None or (voter.token_hash is not None and standing.token_hash != voter.token_hash):
        raise Unauthorised(NOT_VALID)  # no such delegate, or the facilitator reissued the link
    if standing.delegate_status == PENDING:
        raise NotAllowed("The facilitator has not admitted you yet. Please wait a moment.")
    if standing.delegate_status != ACTIVE:
        raise NotAllowed("This voting link has been withdrawn. Please ask the facilitator for help.")


def restarted(code: str) -> Refusal:
    """The refusal of a vote made before the contract's vote was reset (or re-run)."""
    return Conflict(
        f"Voting on contract {code} was restarted after you sent this vote, so it was not counted. "
        "Please vote again.",
    )


def _contract_refusal(standing: Row[Any], code: str, sent_round: int | None = None) -> Refusal | None:
    if standing.contract_id is None:
        return Invalid(f"There is no contract {code} in this event.")
    if standing.held is None:
        return Invalid(
            f"Your CCG does not hold contract {code} ({standing.contract_name}), so it is not voting on it.",
        )
    if sent_round is not None and sent_round != standing.contract_round:
        return restarted(code)  # made on a phone that showed an earlier round of this vote
    # Open, unless the countdown has passed (the timer may not have flipped the status yet).
    return vote_refusal(code, standing.contract_status, standing.closes_at, standing.closed_at, utcnow())


def _already_recorded(
    connection: Connection, voter_id: int, vote_id: str, code: str, level: int
) -> VoteResult | None:
    recorded = connection.execute(_RECORDED, {"delegate": voter_id, "vote_id": vote_id}).first()
    if recorded is None:
        return None
    if recorded.code != code or recorded.new_level != level:
        raise Conflict("This vote was already sent with a different choice. Please vote again.")
    if recorded.vote_round != recorded.contract_round:
        raise restarted(code)  # counted once, then removed by a reset: it does not count now
    return VoteResult(contract=code, level=level, duplicate=True, seq=recorded.seq or 0)


def _record(
    connection: Connection, standing: Row[Any], voter_id: int, vote_id: str, level: int, entered_by: str
) -> int:
    """Append the audit record and its chain link, then write the vote (in the caller's transaction).
    Returns the link's seq."""
    values = {
        "event_id": standing.event_id,
        "contract_id": standing.contract_id,
        "delegate_id": voter_id,
        "vote_id": vote_id,
        "old_level": standing.current_level,
        "new_level": level,
        "entered_by": entered_by,
        "at": utcnow(),
        "vote_round": standing.contract_round,
    }
    audit_id = connection.execute(_AUDIT, values).inserted_primary_key[0]  # type: ignore[index]
    head = (standing.chain_seq, standing.chain_hash) if standing.chain_seq else (0, GENESIS)
    record = VoteAudit(id=audit_id, **values)  # transient, never added: the chain reads its fields
    seq, _hash = append_link(connection, record, head)
    if standing.current_level is None:
        connection.execute(
            _NEW_VOTE,
            {
                "event_id": standing.event_id,
                "contract_id": standing.contract_id,
                "delegate_id": voter_id,
                "organisation_id": standing.organisation_id,
                "level": level,
                "updated_at": values["at"],
            },
        )
    else:
        connection.execute(
            _CHANGE_VOTE,
            {
                "of_contract": standing.contract_id,
                "of_delegate": voter_id,
                "new_level": level,
                "at": values["at"],
            },
        )
    return seq


def _decide_and_record(
    connection: Connection,
    voter: Voter,
    code: str,
    level: int,
    vote_id: str,
    entered_by: str,
    sent_round: int | None = None,
) -> tuple[VoteResult, int]:
    """In the caller's transaction: refuse, answer a resend as it was answered, or record the vote.

    Every statement runs inside a savepoint: a failure of any of them (a refusal, a clash, a
    cancelled query, a statement or lock timeout on PostgreSQL) undoes this vote's rows only, and
    leaves the transaction it shares with other votes able to commit theirs.
    """
    for _attempt in range(RETRIES):
        try:
            with connection.begin_nested():
                standing = connection.execute(_STANDING, {"delegate": voter.id, "code": code}).first()
                _refuse_if_cannot_vote(standing, voter)
                assert standing is not None
                refusal = _contract_refusal(standing, code, sent_round)
                if refusal is not None:
                    # A resend of a vote recorded before the contract closed is answered as it was then.
                    duplicate = _already_recorded(connection, voter.id, vote_id, code, level)
                    if duplicate is None:
                        raise refusal
                    return duplicate, standing.event_id
                seq = _record(connection, standing, voter.id, vote_id, level, entered_by)
        except IntegrityError:
            # This vote_id is already recorded (a resend, two tabs, a concurrent copy): answer as it
            # was answered. Otherwise another process took the same audit-chain position or wrote
            # this delegate's first vote first: read the standing again and write on top of it.
            with connection.begin_nested():
                duplicate = _already_recorded(connection, voter.id, vote_id, code, level)
            if duplicate is not None:
                return duplicate, standing.event_id
            continue
        return VoteResult(contract=code, level=level, duplicate=False, seq=seq), standing.event_id
    raise Unavailable("Your vote could not be saved just now. It is kept and will be sent again.")


def cast_vote(
    delegate: Delegate | Voter,
    contract_code: object,
    raw_level: object,
    vote_id: object,
    entered_by: str = "delegate",
    sent_round: object = None,
) -> VoteResult:
    """Record a delegate's level on an open contract, once per vote_id, committed before returning.

    `sent_round` is the contract's round the phone showed when the level was tapped (None: not
    said); a vote made in an earlier round is refused, so a reset is never undone by a resend.
    """
    if not isinstance(vote_id, str) or not VOTE_ID.fullmatch(vote_id):
        raise Invalid("The vote could not be read (missing or malformed vote id). Please try again.")
    code = str(contract_code or "").strip()
    level = parse_level(raw_level)
    if level is None:
        raise Invalid("Choose one of the five levels, 1 to 5.")
    made_in = _round_of(sent_round)
    voter = delegate if isinstance(delegate, Voter) else Voter(delegate.id)
    result, event_id = group_commit().run(
        lambda connection: _decide_and_record(connection, voter, code, level, vote_id, entered_by, made_in)
    )
    if not result.duplicate:
        log.info("vote recorded: event %s contract %s delegate %s", event_id, code, voter.id)
        publisher.votes_changed(event_id)
    return result


def _round_of(sent_round: object) -> int | None:
    if sent_round is None or sent_round == "":
        return None
    text = str(sent_round).strip()
    if isinstance(sent_round, bool) or not ROUND.fullmatch(text):
        raise Invalid("The vote could not be read (malformed round). Please try again.")
    return int(text)


def own_votes(delegate: Delegate) -> dict[str, int]:
    """The delegate's current level per contract code."""
    rows = db.session.execute(
        select(Contract.code, Vote.level)
        .join(Vote, Vote.contract_id == Contract.id)
        .where(Vote.delegate_id == delegate.id)
    )
    return {code: level for code, level in rows}
