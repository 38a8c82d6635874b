"""Two `voting serve` processes on one PostgreSQL and one Redis, as behind a load balancer."""

from __future__ import annotations

import uuid
from collections import Counter
from functools import partial

from tests.scaleout.conftest import Cluster, Event, Screen, levels, run_all, vote

ORGS = ("00Q", "00R", "00S")  # all three hold contract 3


def test_every_vote_cast_on_one_process_reaches_a_projector_on_the_other(cluster: Cluster) -> None:
    a, b = cluster.start("a"), cluster.start("b")
    event = Event(a, [ORGS[n % 3] for n in range(15)], open_contracts=("3",))
    projector = Screen(b, event)
    try:
        projector.shows(lambda s: s.votes("3") == levels({}))
        expected: Counter[str] = Counter()
        for n, token in enumerate(event.phones):
            level = n % 5 + 1
            answer = vote(a, token, "3", level)
            assert answer.status_code == 200, answer.text
            expected[str(level)] += 1
            want = levels(expected)
            projector.shows(lambda s, want=want: s.votes("3") == want)  # this very vote, on B's screen
        shown = projector.shown()
        assert shown is not None
        row = next(r for r in shown["matrix"]["rows"] if r["code"] == "00Q")
        assert row["cells"][shown["matrix"]["columns"].index("3")] != ""  # the matrix filled in too
    finally:
        projector.close()


def test_votes_on_both_processes_at_once_are_counted_once(cluster: Cluster) -> None:
    a, b = cluster.start("a"), cluster.start("b")
    phones = 200
    event = Event(a, [ORGS[n % 3] for n in range(phones)], open_contracts=("3",))
    screens = [Screen(a, event), Screen(b, event), Screen(b, event, "console")]
    try:
        jobs, sent = [], []
        for n, token in enumerate(event.phones):
            vote_id, level = uuid.uuid4().hex, n % 5 + 1
            first, other = (a, b) if n % 2 else (b, a)
            sent.append((n, vote_id, level))
            jobs.append(partial(vote, first, token, "3", level, vote_id))
            if n < 30:  # the phone resent it (lost answer) and the balancer sent the copy elsewhere
                jobs.append(partial(vote, other, token, "3", level, vote_id))
        answers = run_all(jobs)

        assert [r.status_code for r in answers] == [200] * len(jobs), [
            r.text for r in answers if r.ok is False
        ]
        fresh = Counter(
            vote_id for vote_id, r in zip(_ids(jobs), answers, strict=True) if not r.json()["duplicate"]
        )
        assert (
            sorted(fresh.values()) == [1] * phones
        )  # every vote recorded exactly once, copies answered as such
        expected = levels(Counter(str(level) for _n, _id, level in sent))

        # What is stored: one vote per phone, one audit record per vote, the hash chain unbroken.
        assert cluster.sql("SELECT count(*) FROM vote")[0][0] == phones
        assert cluster.sql("SELECT count(*) FROM vote_audit")[0][0] == phones
        stored = dict(cluster.sql("SELECT level::text, count(*) FROM vote GROUP BY level"))
        assert levels(stored) == expected
        assert "intact" in a.cli("audit", "verify", "--event", str(event.id))

        # What every screen ends on, whichever process it is connected to.
        for screen in screens:
            screen.shows(lambda s: s.votes("3") == expected)
    finally:
        for screen in screens:
            screen.close()


def _ids(jobs: list[partial[object]]) -> list[str]:
    return [job.args[-1] for job in jobs]
