"""Technical appendix 1 in the steering pack: main providers per CCG, main CCGs per provider."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from voting.domain.activity import ccgs, ccgs_for_provider, classify_provider, providers, providers_for_ccg
from voting.exports.steering.table import Table
from voting.services.activity import event_flows


def gather_activity(event_id: int) -> dict[str, Any]:
    """Both views for every CCG and provider in the event's activity data (empty when none loaded)."""
    flows = event_flows(event_id)
    by_ccg = []
    for code, name in ccgs(flows):
        view = providers_for_ccg(flows, code, 4)
        if view is not None:
            by_ccg.append(
                {
                    "code": code,
                    "name": name,
                    "headers": list(view.headers),
                    "rows": [r.cells() for r in view.rows],
                }
            )
    by_provider = []
    for code, name in providers(flows):
        view = ccgs_for_provider(flows, code, 5)
        relationship = classify_provider(flows, code)
        if view is not None:
            by_provider.append(
                {
                    "code": code,
                    "name": name,
                    "relationship": relationship.kind if relationship else "none",
                    "reason": relationship.reason if relationship else "",
                    "headers": list(view.headers),
                    "rows": [r.cells() for r in view.rows],
                }
            )
    return {"by_ccg": by_ccg, "by_provider": by_provider}


def activity_tables(pack: Mapping[str, Any]) -> list[Table]:
    """Two sheets: every CCG's main providers, every provider's main CCGs (with its relationship)."""
    activity = pack.get("activity") or {"by_ccg": [], "by_provider": []}
    tables = []
    if activity["by_ccg"]:
        headers = ["CCG", *activity["by_ccg"][0]["headers"]]
        rows = [[view["name"], *cells] for view in activity["by_ccg"] for cells in view["rows"]]
        tables.append(
            Table("Activity by CCG", "Main providers for each CCG (technical appendix 1)", headers, rows)
        )
    if activity["by_provider"]:
        headers = ["Provider", "Relationship", *activity["by_provider"][0]["headers"]]
        rows = [
            [view["name"], view["relationship"] if i == 0 else "", *cells]
            for view in activity["by_provider"]
            for i, cells in enumerate(view["rows"])
        ]
        tables.append(
            Table(
                "Activity by provider",
                "Main commissioning CCGs for each provider (technical appendix 1)",
                headers,
                rows,
            )
        )
    return tables
