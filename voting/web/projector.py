"""The projector: join QR and code, live counts for the open contract(s), the live matrix."""

from __future__ import annotations

from flask import Blueprint, render_template

from voting.exports import LEVEL_COLOURS
from voting.services.screens import console_state, projector_view
from voting.services.stages import STAGES
from voting.web.common import event_or_404, facilitator_required, public_url, qr_svg

bp = Blueprint("projector", __name__)


@bp.get("/events/<int:event_id>/projector")
@facilitator_required
def show(event_id: int) -> str:
    """Full-screen results, updated live over Socket.IO."""
    event = event_or_404(event_id)
    join_url = public_url("delegate.join", code=event.join_code)
    return render_template(
        "projector/show.html",
        event=event,
        state=projector_view(console_state(event)),
        join_url=join_url,
        qr=qr_svg(join_url),
        colours=LEVEL_COLOURS,
        stages=STAGES,
    )
