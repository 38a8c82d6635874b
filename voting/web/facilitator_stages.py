"""Console actions for polls, facilitation controls, interests and the stage pipeline (Stages 1-4)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from voting.domain.states import PollState
from voting.errors import Refusal
from voting.extensions import db
from voting.models import Event, StageVersion
from voting.services import delegates, facilitation, interests, polls, stage3, stage4, stages, votes
from voting.web.common import event_or_404, facilitator_required
from voting.web.facilitator import bp


def _act(
    event: Event, anchor: str, call: Callable[[], Any], done: str | Callable[[Any], str]
) -> BaseResponse:
    """Run a console action: a flash with the outcome (or the refusal), then back to the console."""
    try:
        result = call()
        flash(done(result) if callable(done) else done, "success")
    except Refusal as error:
        flash(error.message, "error")
    return redirect(url_for("facilitator.console", event_id=event.id, _anchor=anchor))


@bp.post("/events/<int:event_id>/stage")
@facilitator_required
def move_stage(event_id: int) -> BaseResponse:
    """Move the event to the next stage, or back."""
    event = event_or_404(event_id)
    target = request.form.get("stage", "")
    stage = int(target) if target.isdigit() else 0

    def describe(result: dict[str, Any]) -> str:
        frozen = result["frozen"]
        kept = f" The {frozen['kind']} result was frozen as version {frozen['number']}." if frozen else ""
        return f"The event is now at stage {result['stage']}: {stages.STAGES[result['stage']]}{kept}"

    return _act(event, "stage", lambda: stages.move_to(event, stage), describe)


@bp.get("/events/<int:event_id>/versions/<int:version_id>")
@facilitator_required
def show_version(event_id: int, version_id: int) -> str:
    """A frozen version, as it was frozen."""
    event = event_or_404(event_id)
    version = db.session.scalar(
        select(StageVersion).where(StageVersion.id == version_id, StageVersion.event_id == event.id)
    )
    if version is None:
        from flask import abort

        abort(404, description="There is no such version in this event.")
    return render_template(
        "facilitator/version.html",
        event=event,
        version=version,
        summary=stages.version_summary(version),
        payload=json.loads(version.payload),
    )


@bp.post("/events/<int:event_id>/polls")
@facilitator_required
def create_poll(event_id: int) -> BaseResponse:
    """Create a poll from the console form (options one per line)."""
    event = event_or_404(event_id)
    form = request.form
    options = [line.strip() for line in form.get("options", "").splitlines() if line.strip()]
    return _act(
        event,
        "polls",
        lambda: polls.create_poll(
            event, form.get("kind", ""), form.get("question", ""), options, form.get("anonymous") == "on"
        ),
        "Poll created. Open it when you are ready.",
    )


@bp.post("/events/<int:event_id>/polls/<int:poll_id>/countdown")
@facilitator_required
def poll_countdown(event_id: int, poll_id: int) -> BaseResponse:
    """Close a poll by itself after the given seconds."""
    event = event_or_404(event_id)
    seconds = request.form.get("seconds", "")
    return _act(
        event,
        "polls",
        lambda: polls.start_countdown(polls.event_poll(event, poll_id), seconds),
        f"The poll closes in {seconds} seconds.",
    )


@bp.post("/events/<int:event_id>/polls/<int:poll_id>/<any(open, close, hide, reveal):action>")
@facilitator_required
def poll_action(event_id: int, poll_id: int, action: str) -> BaseResponse:
    """Open, close, hide or reveal a poll."""
    event = event_or_404(event_id)

    def run() -> None:
        poll = polls.event_poll(event, poll_id)
        if action in ("open", "close"):
            polls.set_status(poll, PollState.OPEN if action == "open" else PollState.CLOSED)
        else:
            polls.set_hidden(poll, action == "hide")

    words = {
        "open": "Poll opened.",
        "close": "Poll closed.",
        "hide": "Poll results hidden.",
        "reveal": "Poll results revealed.",
    }
    return _act(event, "polls", run, words[action])


@bp.post("/events/<int:event_id>/controls")
@facilitator_required
def controls(event_id: int) -> BaseResponse:
    """Hide or reveal results, start a countdown, reset or re-run the chosen contracts."""
    event = event_or_404(event_id)
    action = request.form.get("action", "")
    codes = request.form.getlist("contract") or None
    if action == "hide":
        return _act(
            event,
            "voting",
            lambda: facilitation.set_results_hidden(event, codes, True),
            "Results hidden from the projector.",
        )
    if action == "reveal":
        return _act(
            event, "voting", lambda: facilitation.set_results_hidden(event, codes, False), "Results revealed."
        )
    if action == "countdown":
        seconds = request.form.get("seconds", "")
        return _act(
            event,
            "voting",
            lambda: facilitation.start_countdown(event, codes, seconds),
            lambda done: f"Voting on {', '.join(done)} closes in {seconds} seconds.",
        )
    chosen = codes or []
    if len(chosen) != 1:
        flash("Choose exactly one contract to reset or re-run.", "error")
        return redirect(url_for("facilitator.console", event_id=event.id, _anchor="voting"))
    if action == "reset":
        return _act(
            event,
            "voting",
            lambda: facilitation.reset_contract(event, chosen[0]),
            lambda n: (
                f"Contract {chosen[0]} reset: {n} vote{'' if n == 1 else 's'} removed"
                " (each removal is in the audit log)."
            ),
        )
    if action == "rerun":
        return _act(
            event,
            "voting",
            lambda: stage3.rerun(event, chosen[0]),
            f"Contract {chosen[0]} is open for a new vote.",
        )
    flash("Choose an action.", "error")
    return redirect(url_for("facilitator.console", event_id=event.id, _anchor="voting"))


@bp.post("/events/<int:event_id>/proxy-vote")
@facilitator_required
def proxy_vote(event_id: int) -> BaseResponse:
    """Record a vote for a delegate without a phone (audited as entered by the facilitator)."""
    event = event_or_404(event_id)
    form = request.form
    raw = form.get("delegate", "")
    delegate = delegates.event_delegate(event.id, int(raw)) if raw.isdigit() else None
    if delegate is None:
        flash("Choose a delegate of this event.", "error")
        return redirect(url_for("facilitator.console", event_id=event.id, _anchor="proxy"))
    return _act(
        event,
        "proxy",
        lambda: votes.cast_vote(
            delegate,
            form.get("contract", ""),
            form.get("level"),
            secrets.token_urlsafe(16),
            entered_by="facilitator",
        ),
        lambda r: f"Recorded for {delegate.name}: contract {r.contract}, level {r.level}.",
    )


@bp.post("/events/<int:event_id>/settings")
@facilitator_required
def settings(event_id: int) -> BaseResponse:
    """Whether declared delegates' votes count in that contract's result."""
    event = event_or_404(event_id)
    exclude = request.form.get("exclude_declared") == "on"
    return _act(
        event,
        "interests",
        lambda: interests.set_exclude_declared(event, exclude),
        "Declared delegates' votes are now left out of those contracts' results."
        if exclude
        else "Declared delegates' votes now count.",
    )


@bp.post("/events/<int:event_id>/arrangements/edit")
@facilitator_required
def edit_arrangements(event_id: int) -> BaseResponse:
    """Move a CCG between groups, merge two groups or split one."""
    event = event_or_404(event_id)
    form = request.form
    operation = form.get("operation", "")
    arguments: dict[str, Any] = {
        "move": {
            "contract": form.get("contract", ""),
            "organisation": form.get("organisation", ""),
            "to": form.get("to") or None,
        },
        "merge": {"key": form.get("key", ""), "other": form.get("other", "")},
        "split": {
            "key": form.get("key", ""),
            "members": [m.strip() for m in form.get("members", "").replace(";", ",").split(",") if m.strip()],
        },
    }.get(operation, {})
    return _act(event, "stage4", lambda: stage4.edit(event, operation, **arguments), "Arrangements updated.")


@bp.post("/events/<int:event_id>/arrangements/<key>")
@facilitator_required
def update_arrangement(event_id: int, key: str) -> BaseResponse:
    """Co-ordinator, model, decision rule, quorum, disagreement clause and cost method of one arrangement."""
    event = event_or_404(event_id)
    form = request.form
    fields: dict[str, Any] = {
        name: form[name]
        for name in (
            "coordinator",
            "model",
            "rule_kind",
            "rule_threshold",
            "quorum",
            "on_disagreement",
            "cost_method",
        )
        if name in form
    }
    if "rule_kind" in form:
        fields["rule_at_least"] = form.get("rule_at_least") == "on"
        fields["majority_binds_all"] = form.get("majority_binds_all") == "on"
    return _act(
        event, f"arrangement-{key}", lambda: stage4.update(event, key, fields), f"Arrangement {key} updated."
    )


@bp.post("/events/<int:event_id>/arrangements/<key>/contribution")
@facilitator_required
def contribution(event_id: int, key: str) -> BaseResponse:
    """Record a member's contribution and, for custom splits, its percentage."""
    event = event_or_404(event_id)
    form = request.form
    return _act(
        event,
        f"arrangement-{key}",
        lambda: stage4.contribute(
            event,
            key,
            form.get("organisation", ""),
            form.get("role", ""),
            form.get("days", ""),
            form.get("notes", ""),
            form.get("percent", ""),
        ),
        "Contribution recorded.",
    )


@bp.post("/events/<int:event_id>/finalise")
@facilitator_required
def finalise(event_id: int) -> BaseResponse:
    """Freeze the arrangements when nothing is orphaned."""
    event = event_or_404(event_id)
    return _act(
        event,
        "stage4",
        lambda: stages.finalise(event),
        lambda v: f"Arrangements finalised as version {v.number}.",
    )
