"""SQLAlchemy tables. No behaviour beyond invariants: services do the work."""

from voting.models.activity import ActivityFlow
from voting.models.auth import ApiToken, FacilitatorAccount
from voting.models.delegate import Delegate
from voting.models.event import Contract, Event, Holding, Neighbour, Organisation
from voting.models.log import ActionLog
from voting.models.poll import Poll, PollAnswer, PollParticipation, PollTally
from voting.models.stage import Confirmation, Declaration, StageVersion
from voting.models.vote import Resolution, Vote, VoteAudit

__all__ = [
    "ActionLog",
    "ActivityFlow",
    "ApiToken",
    "Confirmation",
    "Declaration",
    "Contract",
    "Delegate",
    "Event",
    "FacilitatorAccount",
    "Holding",
    "Neighbour",
    "Organisation",
    "Poll",
    "PollAnswer",
    "PollParticipation",
    "PollTally",
    "Resolution",
    "StageVersion",
    "Vote",
    "VoteAudit",
]
