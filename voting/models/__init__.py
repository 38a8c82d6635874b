"""SQLAlchemy tables. No behaviour beyond invariants: services do the work."""

from voting.models.auth import ApiToken, FacilitatorAccount
from voting.models.delegate import Delegate
from voting.models.event import Contract, Event, Holding, Neighbour, Organisation
from voting.models.log import ActionLog
from voting.models.vote import Resolution, Vote, VoteAudit

__all__ = [
    "ActionLog",
    "ApiToken",
    "Contract",
    "Delegate",
    "Event",
    "FacilitatorAccount",
    "Holding",
    "Neighbour",
    "Organisation",
    "Resolution",
    "Vote",
    "VoteAudit",
]
