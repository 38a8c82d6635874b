"""The load: an event with N phones, screens watching, and votes cast in a hall's patterns.

One `run_target()` call drives one server (the app or the reference) through setup, connections and
the chosen phases, and returns plain data for the report. Everything is bounded: every request has a
time-out, every phase has a cap, and the caller wraps the whole run in an overall time-out.

How "the projector shows vote k" is decided
-------------------------------------------
A projector push carries aggregates, not vote ids, so the benchmark makes every vote move one
aggregate by exactly one: each (phone, contract) pair - a "slot" - only ever goes up one level at a
time (none -> 1 -> 2 -> ... -> 5), and a slot never has two votes in flight. Then the projector's
progress P = sum over contracts and levels of level x delegate votes at that level (the app's
`contracts[i]["votes"]`; the reference pushes its row count) rises by exactly one per committed vote.
The benchmark numbers acknowledged votes 1, 2, 3 ... in the order their acknowledgements arrived and
takes vote k as shown by the first push that arrives after vote k was scheduled and has P >= k.
Since SQLite commits one at a time and the answer follows the commit, acknowledgement order is
commit order up to the few milliseconds responses take to come back, so this is the projector
latency of each vote to within those milliseconds (on PostgreSQL, with several processes, writes take
turns on one advisory lock, so the same holds). A vote that failed is never counted (its slot is
retired), so a failure never makes another vote look shown. The slot scheme caps how many votes an
event can take (5 per slot, 100 per phone); `sustained` is shortened, with a note, when it would
need more than that.
"""

from __future__ import annotations

import asyncio
import bisect
import collections
import contextlib
import itertools
import math
import os
import random
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import socketio
from yarl import URL

from bench_lib.probe import LoopProbe, summarize
from bench_lib.resources import ResourceSampler
from bench_lib.servers import Server
from bench_lib.stats import max_in_window, summarize_ms

CONTRACTS = [str(i) for i in range(1, 21)]
MAX_LEVEL = 5
PHONES_PER_ORG = 5
REQUEST_TIMEOUT = 30.0  # seconds, any single HTTP request
CATCH_UP_TIMEOUT = 20.0  # seconds the screens get to show the final count after a phase


@dataclass
class LoadConfig:
    phones: int = 100
    screens: int = 2  # projector + console (+ extra projectors/consoles, up to 20 in all)
    patterns: tuple[str, ...] = ("burst", "sustained", "ballot")
    burst_spread: float = 1.0
    rate: float = 300.0
    duration: float = 60.0
    ballot_spread: float = 2.0
    ballot_think: float = 0.2
    http_connections: int = 100
    connect_concurrency: int = 50
    phase_timeout: float = 300.0
    seed: int = 6


@dataclass
class Vote:
    phase: str
    phone: int
    contract: int  # index into CONTRACTS
    level: int
    scheduled: float  # perf_counter: when the phone "tapped" (latency is measured from here)
    sent: float = 0.0
    done: float | None = None
    ok: bool = False
    error: str | None = None


class Slots:
    """Each (phone, contract) slot only goes up one level at a time, with at most one vote in flight."""

    def __init__(self, phones: int) -> None:
        self.level = [[0] * len(CONTRACTS) for _ in range(phones)]
        self.busy: set[tuple[int, int]] = set()
        self.dead: set[tuple[int, int]] = set()

    def available(self, phone: int, contract: int, max_level: int = MAX_LEVEL) -> bool:
        key = (phone, contract)
        return key not in self.busy and key not in self.dead and self.level[phone][contract] < max_level

    def take(self, phone: int, contract: int) -> int:
        self.busy.add((phone, contract))
        return self.level[phone][contract] + 1

    def release(self, vote: Vote) -> None:
        key = (vote.phone, vote.contract)
        self.busy.discard(key)
        if vote.ok:
            self.level[vote.phone][vote.contract] = vote.level
        else:
            self.dead.add(key)  # unknown whether it counted: never vote on it again

    def capacity(self, max_level: int = MAX_LEVEL) -> int:
        return sum(
            max(0, max_level - level)
            for phone, levels in enumerate(self.level)
            for contract, level in enumerate(levels)
            if (phone, contract) not in self.dead
        )


class Screen:
    """A projector or console: records every push and the progress P it shows."""

    def __init__(self, index: int, audience: str) -> None:
        self.index = index
        self.audience = audience
        self.push_times: list[float] = []
        # When the server built each push (its "now", epoch seconds): the rate the server sends at,
        # which delivery delays cannot bunch up the way arrival times can.
        self.sent_times: list[float] = []
        self.progress_times: list[float] = []  # when P rose ...
        self.progress_values: list[int] = []  # ... to this
        self.total = 0
        self.seq = 0
        self.stale = 0
        self.connected = False
        self.error: str | None = None
        self.sio = socketio.AsyncClient(reconnection=False, handle_sigint=False)
        self.dropped = False
        self.closing = False
        self.sio.on("state", self._on_state)
        self.sio.on("vote", self._on_vote)
        self.sio.on("disconnect", self._on_disconnect)

    async def _on_disconnect(self, *_args: Any) -> None:
        if not self.closing:
            self.dropped = True

    def _advance(self, value: int) -> None:
        now = time.perf_counter()
        self.push_times.append(now)
        if value > self.total:
            self.total = value
            self.progress_times.append(now)
            self.progress_values.append(value)

    async def _on_state(self, payload: dict[str, Any]) -> None:
        sent = payload.get("now")
        if isinstance(sent, str):
            with contextlib.suppress(ValueError):
                self.sent_times.append(datetime.fromisoformat(sent).timestamp())
        seq = payload.get("seq") or 0
        if seq and seq <= self.seq:
            self.stale += 1  # older than what we have: the protocol says drop it
            self.push_times.append(time.perf_counter())
            return
        self.seq = seq
        value = 0
        for contract in payload.get("contracts", []):
            for level, count in (contract.get("votes") or {}).items():
                value += int(level) * int(count)
        self._advance(value)

    async def _on_vote(self, payload: dict[str, Any]) -> None:
        self._advance(int(payload.get("total", 0)))

    def shown_at(self, k: int, since: float) -> float | None:
        """When this screen first showed progress >= k in a push that arrived at or after `since`."""
        i = max(
            bisect.bisect_left(self.progress_values, k),
            bisect.bisect_left(self.progress_times, since),
        )
        if i < len(self.progress_times):
            return self.progress_times[i]
        # The push that got P to k may have come before `since`; the next push of any kind after
        # `since` shows it too (P never falls).
        if self.total >= k:
            j = bisect.bisect_left(self.push_times, since)
            if j < len(self.push_times):
                return self.push_times[j]
        return None


class Phone:
    """A delegate's phone: its own cookie jar, a personal-link visit, then a Socket.IO connection."""

    def __init__(self, index: int, token: str) -> None:
        self.index = index
        self.token = token
        self.push_times: list[float] = []
        self.connected = False
        self.dropped = False
        self.closing = False
        self.error: str | None = None
        self.session: aiohttp.ClientSession | None = None
        self.sio: socketio.AsyncClient | None = None

    async def connect(self, url: str) -> None:
        self.session = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # cookies from 127.0.0.1 (an IP address)
            timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT),
        )
        async with self.session.get(f"{url}/j/{self.token}", allow_redirects=False) as response:
            await response.read()
            if response.status >= 400:
                raise ConnectionRefusedError(f"personal link answered {response.status}")
        cookies = self.session.cookie_jar.filter_cookies(URL(url))
        cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())
        self.sio = socketio.AsyncClient(reconnection=False, handle_sigint=False, http_session=self.session)
        self.sio.on("ballot", self._on_ballot)
        self.sio.on("disconnect", self._on_disconnect)
        await self.sio.connect(
            url,
            auth={"audience": "delegate"},
            headers={"Cookie": cookie},
            transports=["websocket"],
            wait_timeout=REQUEST_TIMEOUT,
        )
        self.connected = True

    async def _on_ballot(self, _payload: Any) -> None:
        self.push_times.append(time.perf_counter())

    async def _on_disconnect(self, *_args: Any) -> None:
        if not self.closing:
            self.dropped = True

    async def close(self) -> None:
        self.closing = True
        if self.sio is not None and self.connected:
            with contextlib.suppress(Exception):  # closing down anyway
                await asyncio.wait_for(self.sio.disconnect(), 5)
        if self.session is not None:
            await self.session.close()


def listen_overflows() -> int | None:
    """The kernel's count of connections dropped because a listen queue was full (TcpExt
    ListenOverflows; this network namespace, so every server in it). A dropped SYN is retried by the
    client after 1 s, then 3 s, ... - a connection that is late by a second, not refused."""
    try:
        lines = Path("/proc/net/netstat").read_text().splitlines()
    except OSError:
        return None
    for names, values in zip(lines[::2], lines[1::2], strict=False):
        if names.startswith("TcpExt:"):
            table = dict(zip(names.split()[1:], values.split()[1:], strict=False))
            return int(table["ListenOverflows"]) if "ListenOverflows" in table else None
    return None


def machine_load() -> dict[str, float | None]:
    """How busy the whole machine is (other people's work competes with both servers): the 1-minute
    load average and the share of the last 10 s in which some task waited for a CPU (Linux PSI)."""
    pressure = None
    try:
        for line in Path("/proc/pressure/cpu").read_text().splitlines():
            if line.startswith("some "):
                pressure = float(dict(f.split("=") for f in line.split()[1:])["avg10"])
    except (OSError, KeyError, ValueError):
        pass
    return {"load_average_1m": round(os.getloadavg()[0], 2), "cpu_pressure_some_avg10": pressure}


def _delta(before: int | None, after: int | None) -> int | None:
    return None if before is None or after is None else after - before


def _reason(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    if isinstance(error, ConnectionRefusedError | aiohttp.ClientConnectorError):
        return f"refused: {text}"[:120]
    lowered = text.lower()
    if any(word in lowered for word in ("namespace", "refused", "rejected", "connection error")):
        return f"refused: {text}"[:120]
    return f"failed: {type(error).__name__}: {text}"[:120]


class Target:
    """One server under load: the setup it needs, the clients, the votes and the measurements."""

    def __init__(self, server: Server, config: LoadConfig, log: Any = print) -> None:
        self.server = server
        self.config = config
        self.log = log
        self.rng = random.Random(config.seed)
        self.tokens: list[str] = []
        self.event_id: int | None = None
        self.phones: list[Phone] = []
        self.screens: list[Screen] = []
        self.slots = Slots(config.phones)
        self.votes: list[Vote] = []
        self.acked = 0  # acknowledged votes so far (over every phase)
        self.http: aiohttp.ClientSession | None = None
        self.api: aiohttp.ClientSession | None = None
        self.http_probe: list[tuple[float, float]] = []  # (time.time(), seconds) GET probe path
        self.notes: list[str] = []
        self._serial = itertools.count(1)
        self._run_id = uuid.uuid4().hex[:8]

    # ---- setup -------------------------------------------------------------------------------

    async def setup(self) -> dict[str, Any]:
        started = time.perf_counter()
        self.api = aiohttp.ClientSession(
            headers={"Authorization": f"Bearer {self.server.token}"},
            timeout=aiohttp.ClientTimeout(total=120),
        )
        if self.server.kind != "reference":
            await self._setup_app()
        else:
            self.tokens = [f"reference-phone-{i:06d}" for i in range(self.config.phones)]
        return {"seconds": round(time.perf_counter() - started, 2), "event": self.event_id}

    async def _api(self, method: str, path: str, expect: int, **kwargs: Any) -> Any:
        assert self.api is not None
        async with self.api.request(method, f"{self.server.url}/api/v1{path}", **kwargs) as response:
            body = await response.json(content_type=None)
            if response.status != expect:
                raise RuntimeError(f"{method} {path} answered {response.status}: {str(body)[:500]}")
            return body

    async def _setup_app(self) -> None:
        n = self.config.phones
        orgs = [f"B{i:04d}" for i in range(1, math.ceil(n / PHONES_PER_ORG) + 1)]
        created = await self._api("POST", "/events", 201, json={"name": f"Benchmark {n} phones"})
        self.event_id = created["id"]
        csv_headers = {"Content-Type": "text/csv"}
        organisations = "code,name,neighbours\n" + "".join(f"{c},Benchmark {c} CCG,\n" for c in orgs)
        await self._api(
            "PUT",
            f"/events/{self.event_id}/organisations",
            200,
            data=organisations.encode(),
            headers=csv_headers,
        )
        rows = ["contract,contract_name,organisation,annual_value_gbp,activity"]
        for contract in CONTRACTS:
            for k, org in enumerate(orgs):
                rows.append(
                    f"{contract},Benchmark contract {contract},{org},{1_000_000 + 1000 * k},{100 + k}"
                )
        await self._api(
            "PUT",
            f"/events/{self.event_id}/contracts",
            200,
            data=("\n".join(rows) + "\n").encode(),
            headers=csv_headers,
        )
        self.tokens = [""] * n
        limit = asyncio.Semaphore(8)

        async def add(i: int) -> None:
            async with limit:
                made = await self._api(
                    "POST",
                    f"/events/{self.event_id}/delegates",
                    201,
                    json={"organisation": orgs[i // PHONES_PER_ORG], "name": f"Delegate {i + 1}"},
                )
                self.tokens[i] = made["token"]

        await asyncio.gather(*(add(i) for i in range(n)))
        for contract in CONTRACTS:
            await self._api("POST", f"/events/{self.event_id}/contracts/{contract}/open", 200)

    # ---- connections ---------------------------------------------------------------------------

    async def connect(self) -> dict[str, Any]:
        started = time.perf_counter()
        overflows_before = listen_overflows()
        reasons: collections.Counter[str] = collections.Counter()
        audiences = ["projector", "console"] + [
            "projector" if i % 2 == 0 else "console" for i in range(max(0, self.config.screens - 2))
        ]
        self.screens = [Screen(i, a) for i, a in enumerate(audiences[: max(1, self.config.screens)])]
        for screen in self.screens:
            try:
                await screen.sio.connect(
                    self.server.screen_url(screen.index),
                    auth={"audience": screen.audience, "event": self.event_id, "token": self.server.token},
                    transports=["websocket"],
                    wait_timeout=REQUEST_TIMEOUT,
                )
                screen.connected = True
            except Exception as error:
                screen.error = _reason(error)
                reasons[screen.error] += 1
        if not self.screens[0].connected:
            raise RuntimeError(f"the projector could not connect: {self.screens[0].error}")

        self.phones = [Phone(i, token) for i, token in enumerate(self.tokens)]
        limit = asyncio.Semaphore(self.config.connect_concurrency)

        async def join(phone: Phone) -> None:
            async with limit:
                try:
                    await asyncio.wait_for(
                        phone.connect(self.server.phone_url(phone.index)), REQUEST_TIMEOUT + 5
                    )
                except Exception as error:
                    phone.error = _reason(error)
                    reasons[phone.error] += 1

        await asyncio.gather(*(join(p) for p in self.phones))
        # Every phone's first ballot snapshot (app) follows its connection; give them a moment.
        await asyncio.sleep(0.5)
        refused = sum(n for reason, n in reasons.items() if reason.startswith("refused"))
        return {
            "phones": len(self.phones),
            "phones_connected": sum(p.connected for p in self.phones),
            "screens": len(self.screens),
            "screens_connected": sum(s.connected for s in self.screens),
            "refused": refused,
            "failed": sum(reasons.values()) - refused,
            "reasons": dict(reasons.most_common(10)),
            "connect_seconds": round(time.perf_counter() - started, 2),
            "listen_overflows": _delta(overflows_before, listen_overflows()),
        }

    async def close(self) -> dict[str, Any]:
        dropped = sum(p.dropped for p in self.phones)
        screens_dropped = sum(s.dropped for s in self.screens)
        for screen in self.screens:
            screen.closing = True
            if screen.connected:
                with contextlib.suppress(Exception):  # closing down anyway
                    await asyncio.wait_for(screen.sio.disconnect(), 5)
        closing = asyncio.Semaphore(100)

        async def close_one(phone: Phone) -> None:
            async with closing:
                await phone.close()

        await asyncio.gather(*(close_one(p) for p in self.phones))
        for session in (self.http, self.api):
            if session is not None:
                await session.close()
        return {"phones_dropped_during_run": dropped, "screens_dropped_during_run": screens_dropped}

    # ---- probes ----------------------------------------------------------------------------------

    async def http_probe_loop(self, interval: float = 0.1) -> None:
        """GET a tiny page every `interval` (from each process in turn): how long the server takes to
        answer anything at all."""
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=1), timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
        ) as session:
            for url in itertools.cycle(self.server.urls):
                started = time.perf_counter()
                try:
                    async with session.get(url + self.server.probe_path) as response:
                        await response.read()
                    self.http_probe.append((time.time(), time.perf_counter() - started))
                except (aiohttp.ClientError, TimeoutError):
                    self.http_probe.append((time.time(), time.perf_counter() - started))
                await asyncio.sleep(interval)

    # ---- votes -----------------------------------------------------------------------------------

    def _vote_session(self) -> aiohttp.ClientSession:
        if self.http is None:
            connector = aiohttp.TCPConnector(
                limit=self.config.http_connections,
                limit_per_host=self.config.http_connections,
                keepalive_timeout=60,
            )
            self.http = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT),
            )
        return self.http

    async def send(self, vote: Vote) -> None:
        """POST /api/v1/vote with the phone's own token; records the outcome on `vote`."""
        session = self._vote_session()
        body = {
            "contract": CONTRACTS[vote.contract],
            "level": vote.level,
            "vote_id": f"b{self._run_id}-{next(self._serial)}",
        }
        headers = {"Authorization": f"Bearer {self.tokens[vote.phone]}"}
        vote.sent = time.perf_counter()
        try:
            url = self.server.phone_url(vote.phone)
            async with session.post(f"{url}/api/v1/vote", json=body, headers=headers) as response:
                payload = await response.json(content_type=None)
                vote.done = time.perf_counter()
                if response.status == 200 and isinstance(payload, dict) and payload.get("ok"):
                    vote.ok = True
                else:
                    vote.error = f"HTTP {response.status}"
        except TimeoutError:
            vote.done = time.perf_counter()
            vote.error = "timeout"
        except (aiohttp.ClientError, ValueError) as error:
            vote.done = time.perf_counter()
            vote.error = type(error).__name__
        finally:
            self.slots.release(vote)
            if vote.ok:
                self.acked += 1

    def _new_vote(self, phase: str, phone: int, contract: int, scheduled: float) -> Vote:
        level = self.slots.take(phone, contract)
        vote = Vote(phase=phase, phone=phone, contract=contract, level=level, scheduled=scheduled)
        self.votes.append(vote)
        return vote

    async def _open_loop(self, phase: str, plan: list[tuple[float, int, int]]) -> int:
        """Fire votes at their planned offsets from now, whatever the server's pace (no waiting for
        answers, so a slow server cannot slow the arrivals). plan: (offset s, phone, preferred contract).
        Returns how many could not be sent because every slot was busy or used up."""
        t0 = time.perf_counter()
        tasks: list[asyncio.Task[None]] = []
        not_sent = 0
        for offset, phone, contract in plan:
            delay = t0 + offset - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            chosen = self._pick(phone, contract)
            if chosen is None:
                not_sent += 1
                continue
            vote = self._new_vote(phase, chosen[0], chosen[1], scheduled=t0 + offset)
            tasks.append(asyncio.create_task(self.send(vote)))
        if tasks:
            await asyncio.wait(tasks, timeout=REQUEST_TIMEOUT + 5)
        return not_sent

    def _pick(self, phone: int, contract: int, max_level: int = MAX_LEVEL) -> tuple[int, int] | None:
        if self.slots.available(phone, contract, max_level):
            return phone, contract
        for other in range(len(CONTRACTS)):
            if self.slots.available(phone, other, max_level):
                return phone, other
        return None

    async def burst(self) -> dict[str, Any]:
        """Every phone votes on contract 1 within `burst_spread` seconds (uniformly at random)."""
        spread = self.config.burst_spread
        plan = sorted((self.rng.uniform(0, spread), p, 0) for p in range(len(self.tokens)))
        not_sent = await self._open_loop("burst", plan)
        return {"offered_vps": round(len(plan) / spread, 1) if spread else None, "not_sent": not_sent}

    async def sustained(self, reserve_one_level: bool) -> dict[str, Any]:
        """`rate` votes a second for `duration` seconds, round the slots (contract by contract)."""
        rate, duration = self.config.rate, self.config.duration
        max_level = MAX_LEVEL - (1 if reserve_one_level else 0)
        wanted = int(rate * duration)
        capacity = self.slots.capacity(max_level)
        total = min(wanted, capacity)
        note = None
        if total < wanted:
            note = (
                f"sustained: {self.config.phones} phones can take only {capacity} more one-level votes; "
                f"ran {total / rate:.1f} s instead of {duration:g} s (use more phones for a longer run)"
            )
            self.notes.append(note)
        rotation = collections.deque((p, c) for c in range(len(CONTRACTS)) for p in range(len(self.tokens)))
        t0 = time.perf_counter()
        tasks: set[asyncio.Task[None]] = set()
        not_sent = 0
        for i in range(total):
            delay = t0 + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            chosen = None
            for _ in range(len(rotation)):
                phone, contract = rotation.popleft()
                if self.slots.level[phone][contract] >= max_level or (phone, contract) in self.slots.dead:
                    continue  # used up: drop it from the rotation
                rotation.append((phone, contract))
                if (phone, contract) not in self.slots.busy:
                    chosen = (phone, contract)
                    break
            if chosen is None:
                not_sent += 1
                continue
            vote = self._new_vote("sustained", chosen[0], chosen[1], scheduled=t0 + i / rate)
            task = asyncio.create_task(self.send(vote))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.wait(tasks, timeout=REQUEST_TIMEOUT + 5)
        return {
            "offered_vps": rate,
            "planned_seconds": round(total / rate, 1),
            "not_sent": not_sent,
            "note": note,
        }

    async def ballot(self) -> dict[str, Any]:
        """Each phone starts within `ballot_spread` s and votes contracts 1..20 one after another
        (each as soon as the previous is answered, plus `ballot_think` seconds)."""
        spread, think = self.config.ballot_spread, self.config.ballot_think
        skipped = 0

        async def one_phone(phone: int) -> None:
            nonlocal skipped
            await asyncio.sleep(self.rng.uniform(0, spread))
            for contract in range(len(CONTRACTS)):
                if not self.slots.available(phone, contract):
                    skipped += 1
                    continue
                vote = self._new_vote("ballot", phone, contract, scheduled=time.perf_counter())
                await self.send(vote)
                if think:
                    await asyncio.sleep(think)

        await asyncio.gather(*(one_phone(p) for p in range(len(self.tokens))))
        return {"offered_vps": None, "not_sent": skipped}

    # ---- a phase, measured -----------------------------------------------------------------------

    async def run_phase(
        self,
        name: str,
        sampler: ResourceSampler,
        probe: LoopProbe,
        reserve_one_level: bool = False,
        own: ResourceSampler | None = None,
    ) -> dict[str, Any]:
        first_vote = len(self.votes)
        acked_before = self.acked
        overflows_before = listen_overflows()
        wall_start, perf_start = time.time(), time.perf_counter()
        runner = {"burst": self.burst, "ballot": self.ballot}.get(name)
        coroutine = runner() if runner else self.sustained(reserve_one_level)
        try:
            extra = await asyncio.wait_for(coroutine, self.config.phase_timeout)
        except TimeoutError:
            extra = {"note": f"{name}: stopped at the {self.config.phase_timeout:g} s phase cap"}
            self.notes.append(extra["note"])
        votes_done = time.perf_counter()
        # Let the screens catch up: every screen should end up showing every acknowledged vote.
        deadline = votes_done + CATCH_UP_TIMEOUT
        connected = [s for s in self.screens if s.connected]
        while time.perf_counter() < deadline and any(s.total < self.acked for s in connected):
            await asyncio.sleep(0.02)
        caught_up = time.perf_counter()
        wall_end = time.time()
        votes = self.votes[first_vote:]
        report = self._phase_report(
            name,
            votes,
            acked_before,
            perf_start,
            votes_done,
            caught_up,
            wall_start,
            wall_end,
            sampler,
            probe,
            extra,
        )
        report["listen_overflows"] = _delta(overflows_before, listen_overflows())
        report["machine"] = machine_load()
        if own is not None:
            report["generator_cpu_percent_max"] = own.summary(wall_start, wall_end)["cpu_percent_max"]
        return report

    def _phase_report(
        self,
        name: str,
        votes: list[Vote],
        acked_before: int,
        perf_start: float,
        votes_done: float,
        caught_up: float,
        wall_start: float,
        wall_end: float,
        sampler: ResourceSampler,
        probe: LoopProbe,
        extra: dict[str, Any],
    ) -> dict[str, Any]:
        ok = sorted((v for v in votes if v.ok), key=lambda v: v.done or 0.0)
        errors = collections.Counter(v.error or "unfinished" for v in votes if not v.ok)
        projector = self.screens[0]
        shown: list[float] = []
        not_shown = 0
        for rank, vote in enumerate(ok, start=acked_before + 1):
            at = projector.shown_at(rank, vote.scheduled)
            if at is None:
                not_shown += 1
            else:
                shown.append(at - vote.scheduled)
        if ok:
            first = min(v.scheduled for v in votes)
            last = max(v.done or 0.0 for v in ok)
            throughput = round(len(ok) / (last - first), 1) if last > first else None
        else:
            throughput = None
        rates = []
        for screen in self.screens:
            window = [t for t in screen.push_times if perf_start <= t <= caught_up]
            rates.append(max_in_window(window, 1.0) if window else 0)
        to_wall = time.time() - time.perf_counter()  # perf_counter -> epoch seconds
        wall_from, wall_to = perf_start + to_wall, caught_up + to_wall
        sent_rates = [
            max_in_window([t for t in screen.sent_times if wall_from <= t <= wall_to], 1.0)
            if screen.sent_times
            else 0
            for screen in self.screens
        ]
        phone_pushes = sum(1 for p in self.phones for t in p.push_times if perf_start <= t <= caught_up)
        in_phase = [
            [s for s in sets if wall_start <= s[0] <= wall_end] for sets in self.server.probe_sample_sets()
        ]
        server_probe = sorted(s for sets in in_phase for s in sets)
        http_probe = [s[1] for s in self.http_probe if wall_start <= s[0] <= wall_end]
        resources = sampler.summary(wall_start, wall_end)
        connected = [s for s in self.screens if s.connected]
        report: dict[str, Any] = {
            "votes": len(votes),
            "acknowledged": len(ok),
            "errors": sum(errors.values()),
            "error_kinds": dict(errors.most_common(10)),
            "not_sent": extra.get("not_sent", 0),
            "ack_ms": summarize_ms(v.done - v.scheduled for v in ok if v.done is not None),
            "projector_ms": summarize_ms(shown),
            "not_shown": not_shown,
            "final_state_delivered": all(s.total >= self.acked for s in connected),
            "final_state_wait_s": round(caught_up - votes_done, 2),
            "throughput_vps": throughput,
            "offered_vps": extra.get("offered_vps"),
            "duration_s": round(votes_done - perf_start, 2),
            "server_cpu_percent_max": resources["cpu_percent_max"],
            "server_cpu_percent_mean": resources["cpu_percent_mean"],
            "server_rss_mb_max": resources["rss_mb_max"],
            "server_rss_mb_start": resources["rss_mb_start"],
            "server_rss_mb_end": resources["rss_mb_end"],
            "server_rss_mb_after_1_min": resources["rss_mb_after_1_min"],
            # Several processes (scale-out): the figures above are their sum, these each one's own.
            "server_processes": sampler.summary_per_process(wall_start, wall_end),
            "pushes_per_screen_max": max(rates) if rates else 0,
            "pushes_per_screen_sent_max": max(sent_rates) if sent_rates else 0,
            "screen_pushes": sum(
                1 for s in self.screens for t in s.push_times if perf_start <= t <= caught_up
            ),
            "phone_pushes": phone_pushes,
            "loop_probe": {
                "generator": probe.summary(wall_start, wall_end),
                "server": summarize(server_probe) if self.server.probed else None,
                "server_per_process": [summarize(sets) for sets in in_phase] if self.server.probed else None,
                "server_http_ms": summarize_ms(http_probe),
            },
        }
        if extra.get("note"):
            report["note"] = extra["note"]
        if extra.get("planned_seconds") is not None:
            report["planned_seconds"] = extra["planned_seconds"]
        return report


async def run_target(server: Server, config: LoadConfig, log: Any = print) -> dict[str, Any]:
    """Set up, connect, run every phase and measure; always closes its clients."""
    target = Target(server, config, log)
    probe = LoopProbe().start()
    sampler = ResourceSampler(server.pids).start()
    own = ResourceSampler(os.getpid()).start()  # the load generator itself (is it the bottleneck?)
    http_probe = asyncio.create_task(target.http_probe_loop())
    result: dict[str, Any] = {
        "server": {"kind": server.kind, "url": server.url, "urls": server.urls, **server.extra}
    }
    wall_start = time.time()
    try:
        log(f"[{server.kind}] setting up an event for {config.phones} phones ...")
        result["setup"] = await target.setup()
        log(f"[{server.kind}] connecting {config.phones} phones and {config.screens} screens ...")
        result["connections"] = await target.connect()
        log(f"[{server.kind}] connections: {result['connections']}")
        phases: dict[str, Any] = {}
        for i, name in enumerate(config.patterns):
            log(f"[{server.kind}] phase {name} ...")
            reserve = "ballot" in config.patterns[i + 1 :]
            phases[name] = await target.run_phase(name, sampler, probe, reserve_one_level=reserve, own=own)
            p = phases[name]
            log(
                f"[{server.kind}] {name}: {p['acknowledged']}/{p['votes']} acknowledged, "
                f"ack p99 {p['ack_ms']['p99']} ms, projector p99 {p['projector_ms']['p99']} ms"
            )
        result["phases"] = phases
    finally:
        http_probe.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await http_probe
        await sampler.stop()
        await own.stop()
        await probe.stop()
        result["closing"] = await target.close()
    wall_end = time.time()
    resources = sampler.summary(wall_start, wall_end)
    server_probe = server.probe_samples() if server.probed else []
    result["overall"] = {
        "votes": len(target.votes),
        "acknowledged": target.acked,
        # What each screen showed last (progress P: one per acknowledged vote, see the module doc).
        "screen_totals": [s.total for s in target.screens],
        "projector_total": target.screens[0].total if target.screens else None,
        "generator_cpu_percent_max": own.summary(wall_start, wall_end)["cpu_percent_max"],
        "server_cpu_percent_max": resources["cpu_percent_max"],
        "server_rss_mb_max": resources["rss_mb_max"],
        "server_processes": sampler.summary_per_process(wall_start, wall_end),
        "loop_probe": {
            "generator": probe.summary(),
            "server": summarize(server_probe) if server.probed else None,
            "server_http_ms": summarize_ms(s[1] for s in target.http_probe),
        },
    }
    result["notes"] = target.notes
    return result
