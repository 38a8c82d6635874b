"""SQLAlchemy tables. No behaviour beyond invariants: services do the work."""

from voting.models.activity import ActivityFlow
from voting.models.arrangement import Arrangement, ArrangementBallot, ArrangementMember
from voting.models.auth import ApiToken, FacilitatorAccount, FacilitatorSession
from voting.models.chain import AuditLink
from voting.models.delegate import Delegate
from voting.models.event import Contract, Event, Holding, Neighbour, Organisation
from voting.models.log import ActionLog
from voting.models.poll import Poll, PollAnswer, PollReceipt, PollTally
from voting.models.stage import Confirmation, Declaration, StageVersion
from voting.models.vote import Resolution, Vote, VoteAudit

__all__ = [
    "ActionLog",
    "Arrangement",
    "ArrangementBallot",
    "ArrangementMember",
    "ActivityFlow",
    "ApiToken",
    "AuditLink",
    "Confirmation",
    "Declaration",
    "Contract",
    "Delegate",
    "Event",
    "FacilitatorAccount",
    "FacilitatorSession",
    "Holding",
    "Neighbour",
    "Organisation",
    "Poll",
    "PollAnswer",
    "PollReceipt",
    "PollTally",
    "Resolution",
    "StageVersion",
    "Vote",
    "VoteAudit",
]
