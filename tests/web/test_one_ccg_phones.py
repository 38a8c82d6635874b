"""One CCG, one position on the phones: Stage 4 ballots of two delegates of one CCG."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.web.test_phone_stages import annex2, page, phone_for, post, stage_4  # noqa: F401 (fixtures)
from voting.extensions import db
from voting.models import Delegate, Event
from voting.services import delegates, stage4
from voting.services.screens import console_state
from voting.services.snapshots import delegate_ballot

SPLIT = (
    "Your CCG is split (No/Yes): its delegates are tied, so it counts as neither yes nor no until they agree."
)


def test_two_delegates_of_one_ccg_voting_yes_and_no_make_it_split_everywhere(
    app: Flask,
    stage_4: dict[str, Any],  # noqa: F811 (the fixture imported above)
) -> None:
    """Framework Annex 2, Stage 2: "The CCG then voted" - the CCG is the voter, so when its two
    delegates vote Yes and No the CCG is split: both phones say so, and the decision counts it as
    neither yes nor no (before, the second ballot silently replaced the first, and the first phone
    still said "Your CCG's vote: Yes" while the server counted No)."""
    with app.app_context():
        event = db.session.get(Event, stage_4["event"])
        _second, second_token = delegates.create_delegate(event, "B", "B second")
    first = phone_for(app, stage_4["tokens"]["B"])
    after = post(first, "/vote/arrangement", key=stage_4["key"], topic="coordinator", ballot="yes")
    assert "Your vote: Yes." in after and "Your CCG's vote: Yes." in after

    answer = app.test_client().post(
        f"/api/v1/arrangements/{stage_4['key']}/ballot",
        json={"topic": "coordinator", "ballot": "no"},
        headers={"Authorization": f"Bearer {second_token}"},
    )
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["your_vote"] == "no"
    assert body["ccg"] == {"ballot": ["no", "yes"], "split": True, "text": SPLIT}
    assert "Not counted as yes or no: B is split (its delegates are tied)." in body["reason"]
    assert body["reason"].startswith("Not passed: quorum not met (0 of 7 voted, 4 needed).")

    first_page = page(first)
    assert "Your vote: Yes." in first_page and SPLIT in first_page
    assert "Your CCG's vote: Yes." not in first_page
    second_page = page(phone_for(app, second_token))
    assert "Your vote: No." in second_page and SPLIT in second_page

    with app.app_context():
        event = db.session.get(Event, stage_4["event"])
        decision = stage4.decision(stage4.arrangement(event, stage_4["key"]), "coordinator")
        assert (decision.counts.voted, decision.counts.yes, decision.counts.no) == (0, 0, 0)
        # What the phones of B are pushed, and what the console shows, say the same.
        org = db.session.get(Delegate, _second.id).organisation
        shown = delegate_ballot(event, org)["stage4"]["arrangements"]
        pushed = next(a for a in shown if a["key"] == stage_4["key"])["decisions"]["coordinator"]
        assert pushed["positions"]["B"] == {"ballot": ["no", "yes"], "split": True, "text": SPLIT}
        console = next(
            a for a in console_state(event)["stage4"]["arrangements"] if a["key"] == stage_4["key"]
        )
        assert console["decisions"]["coordinator"]["positions"]["B"]["split"] is True
        assert "B is split" in console["decisions"]["coordinator"]["reason"]

        # The second delegate is removed: their ballot stops counting and B votes Yes again.
        delegates.revoke(db.session.get(Delegate, _second.id))
    assert "Your CCG's vote: Yes." in page(first)
