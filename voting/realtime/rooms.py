"""Room names, built in one place so no push can go to a room of the wrong event."""


def screen(event_id: int, audience: str) -> str:
    """Projector or console screens of one event."""
    if audience not in ("projector", "console"):
        raise ValueError(audience)
    return f"event:{event_id}:{audience}"


def organisation(event_id: int, organisation_id: int) -> str:
    """Every admitted phone of one CCG at one event."""
    return f"event:{event_id}:org:{organisation_id}"


def delegate(event_id: int, delegate_id: int) -> str:
    """Every connection of one delegate (several tabs or devices)."""
    return f"event:{event_id}:delegate:{delegate_id}"


FACILITATORS = "facilitators"  # every facilitator screen, closed when the password changes


def facilitator_session(signed_in: str) -> str:
    """The screens opened under one facilitator sign-in, closed when it signs out."""
    return f"facilitator-session:{signed_in}"


def api_token(token_id: int) -> str:
    """The screens opened with one facilitator API token, closed when it is revoked."""
    return f"api-token:{token_id}"
