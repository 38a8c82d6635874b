"""Anonymous means anonymous: nothing a viewer can record, in any order, tells who answered what."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.realtime.conftest import collect, settle

Factory = Callable[..., Any]
OPTIONS = ("Yes", "No", "Unsure")
ORDER = ("00Q", "00R", "00S")  # the order the CCGs answer in, which the viewer watches
ANSWERS = {"00Q": "Yes", "00R": "No", "00S": "Yes"}
ANSWERS_IN_ORDER = tuple(ANSWERS[org] for org in ORDER)


def polls_in(payload: Any, poll_id: int) -> Iterator[dict[str, Any]]:
    """Every copy of the poll found anywhere in a payload (a push, an API answer, a pack)."""
    if isinstance(payload, dict):
        if payload.get("id") == poll_id and "question" in payload:
            yield payload
        for value in payload.values():
            yield from polls_in(value, poll_id)
    elif isinstance(payload, list):
        for value in payload:
            yield from polls_in(value, poll_id)


def consistent(assignment: tuple[str, ...], seen: dict[str, int]) -> bool:
    """Whether the CCGs answering `assignment` (in ORDER) could have produced a recorded count.

    A recorded count of n answers is the first n CCGs' answers: the viewer knows who had answered.
    """
    answered = sum(seen.values())
    return Counter(assignment[:answered]) == Counter({k: v for k, v in seen.items() if v})


def test_recording_every_result_while_3_ccgs_answer_in_turn_attributes_no_answer(
    app: Flask,
    client: FlaskClient,
    api: Factory,
    api_headers: dict[str, str],
    connect: Factory,
    new_event: Factory,
    delegate: Factory,
) -> None:
    """The differencing attack: a viewer records every result the API and the live pushes (console,
    projector, a phone) show after each of 3 CCGs answers an anonymous poll in turn, then the closed
    result and the steering pack. Before, the counts after each answer gave away each CCG's answer
    (3 of 3). Now: while open only the number of answers shows, never per CCG, and the closed counts
    (2 Yes, 1 No) fit each CCG having answered Yes and having answered No."""
    event_id = new_event()
    tokens = {org: delegate(event_id, org, f"{org} lead")["token"] for org in ORDER}
    poll = api(
        "post",
        f"/events/{event_id}/polls",
        json={"kind": "yes_no_unsure", "question": "Ready?", "anonymous": True},
    )
    poll_id = poll["id"]
    api("post", f"/events/{event_id}/polls/{poll_id}/open")
    settle(app)
    sockets = [connect("console", event_id), connect("projector", event_id)]
    sockets.append(connect("delegate", join_token=tokens["00Q"]))
    recorded: list[dict[str, Any]] = []

    def record_everything() -> None:
        recorded.extend(polls_in(api("get", f"/events/{event_id}/polls/{poll_id}"), poll_id))
        for socket in sockets:
            for message in collect(socket, app.extensions["voting_publisher"].interval * 4):
                recorded.extend(polls_in(message["args"], poll_id))

    record_everything()
    for org in ORDER:
        answer = client.post(
            f"/api/v1/polls/{poll_id}/answer",
            json={"answer": ANSWERS[org], "vote_id": f"anon-{org}-0001"},
            headers={"Authorization": f"Bearer {tokens[org]}"},
        )
        assert answer.status_code == 200, answer.get_json()
        record_everything()
    api("post", f"/events/{event_id}/polls/{poll_id}/close")
    record_everything()
    pack = client.get(f"/api/v1/events/{event_id}/steering-pack.json", headers=api_headers)
    assert pack.status_code == 200
    recorded.extend(polls_in(pack.get_json(), poll_id))

    with_results = [p["results"] for p in recorded if p.get("results")]
    assert len(with_results) >= 8  # the viewer did see results: after each answer, on each channel
    counts = [r["overall"] for r in with_results if r["overall"] is not None]

    # The attack: every assignment of answers to the CCGs that fits every count recorded.
    fits = [
        assignment
        for assignment in itertools.product(OPTIONS, repeat=len(ORDER))
        if all(consistent(assignment, seen) for seen in counts)
    ]
    assert ANSWERS_IN_ORDER in fits
    for index, org in enumerate(ORDER):
        possible = {assignment[index] for assignment in fits}
        assert len(possible) > 1, f"{org}'s answer ({possible}) can be told from what the viewer saw"

    assert sorted({r["total"] for r in with_results}) == [0, 1, 2, 3]  # how many answered shows live,
    assert counts and all(c == {"Yes": 2, "No": 1, "Unsure": 0} for c in counts)  # the counts once,
    for results in with_results:  # and nothing per CCG
        assert results["by_org"] == {} and results["answered_by_org"] == {}
        assert results.get("position_by_org", {}) == {}

    refused = client.post(f"/api/v1/events/{event_id}/polls/{poll_id}/open", headers=api_headers)
    assert refused.status_code == 409
    assert "can't be opened again once it has closed" in refused.get_json()["error"]
