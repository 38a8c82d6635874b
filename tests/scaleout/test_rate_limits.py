"""Rate limits hold across processes: two `voting serve` processes count in the same Redis.

A load balancer sends a phone's requests to either process, so a limit counted in each process
alone lets a delegate vote twice as often as VOTE_LIMIT says (and each further process adds as much
again). With the counts in Redis, the votes split between A and B meet the limit at the same total.
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from tests.scaleout.conftest import Cluster, Event, vote
from voting.config import Config

LIMIT, WINDOW = (int(part) for part in Config.VOTE_LIMIT.split()[::2])  # "60 per 10 seconds"
SENT = LIMIT + 20  # more than the limit, fewer than twice it: one process alone would refuse none


def test_a_delegates_vote_limit_holds_across_two_processes(cluster: Cluster) -> None:
    a, b = cluster.start("a"), cluster.start("b")
    event = Event(a, ["00Q", "00Q"], open_contracts=("1", "3"))
    ann, bo = event.phones

    def send(n: int) -> tuple[int, str]:
        server, contract = (a, b)[n % 2], ("1", "3")[n // 2 % 2]  # alternately A and B
        answer = vote(server, ann, contract, n % 5 + 1, f"ann-{n:04d}-{uuid.uuid4().hex}")
        return answer.status_code, answer.text

    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(send, range(SENT)))
    took = time.monotonic() - started
    assert took < WINDOW, f"the votes took {took:.1f} s, longer than the {WINDOW} s window counted"

    statuses = [status for status, _text in answers]
    assert statuses.count(200) == LIMIT, answers  # the same total as on one process ...
    assert statuses.count(429) == SENT - LIMIT, answers  # ... whichever process had each vote
    refused = next(text for status, text in answers if status == 429)
    assert "Too many votes too quickly. Wait a few seconds" in refused
    stored = cluster.sql(
        "SELECT count(*) FROM vote_audit JOIN delegate ON delegate.id = vote_audit.delegate_id"
        " WHERE delegate.name = 'P0'"
    )
    assert stored[0][0] == LIMIT  # every acknowledged vote stored, nothing refused was

    # Per delegate, not per address: another delegate on the same address votes on both processes.
    assert vote(a, bo, "1", 2).status_code == 200
    assert vote(b, bo, "3", 2).status_code == 200
