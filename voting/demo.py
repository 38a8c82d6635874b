"""Build the demo: the Annex 2 example (20 CCGs A-U without F, 20 contract groupings) in a fresh SQLite file."""

from __future__ import annotations

import secrets
from pathlib import Path

from voting import create_app
from voting.activity_demo import load_demo_activity
from voting.demo_data import annex2_votes, contracts_csv, organisations_csv
from voting.services import auth, contracts, delegates, events, imports, votes


def build_demo(database: Path, base_url: str, password: str, with_votes: bool = False) -> str:
    """Create the demo database and return what to print: URLs, the password, delegate links."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "PUBLIC_BASE_URL": base_url})
    with app.app_context():
        auth.set_password(password)
        event = events.create_event("North East CCG engagement event (demo)")
        imports.import_organisations(event, organisations_csv())
        _count, problems = imports.import_contracts(event, contracts_csv())
        if problems:
            raise RuntimeError(f"demo data did not import: {problems}")
        load_demo_activity(event)  # technical appendix 1: Alpha CCG 99X, Oscar NHS FT RZX, ...
        links = {}
        for organisation in contracts.organisations_of(event):
            delegate, token = delegates.create_delegate(event, organisation.code, f"{organisation.name} lead")
            links[organisation.code] = (delegate, f"{base_url}/j/{token}")
        if with_votes:
            contracts.open_contracts(event)
            for org, contract, level in annex2_votes():
                votes.cast_vote(links[org][0], contract, level, secrets.token_urlsafe(12))
            contracts.close_contracts(event)
        lines = [
            "",
            f"Demo event: {event.name} (join code {event.join_code})",
            f"Facilitator console: {base_url}/events/{event.id}",
            f"Facilitator password: {password}",
            f"Projector:           {base_url}/events/{event.id}/projector",
            f"Delegates join with: {base_url}/e/{event.join_code}",
            f"Activity explorer:   {base_url}/events/{event.id}/activity",
            "Three delegate links (print the rest from the console's QR sheet):",
        ]
        for code in list(links)[:3]:
            delegate, link = links[code]
            lines.append(f"  {delegate.name}: {link}")
        return "\n".join(lines) + "\n"
