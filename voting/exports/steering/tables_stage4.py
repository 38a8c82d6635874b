"""Steering pack tables for Stage 4: collaborations, and contributions with the cost split."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from voting.exports.steering.table import Table
from voting.exports.steering.text import percent, yes_no

NOT_FINALISED = "The arrangements are not frozen yet: they are frozen when the facilitator finalises stage 4."


def quorum_text(quorum: str) -> str:
    """ "4" -> "4 members", "1/2" -> "1/2 of the members"."""
    if quorum.isdigit():
        return f"{quorum} member{'' if quorum == '1' else 's'}"
    return f"{quorum} of the members"


def _decision(item: Mapping[str, Any], topic: str) -> str:
    proposal = item["coordinator"] if topic == "coordinator" else item["model"]
    if not proposal:
        return "Nothing proposed yet"
    found = item["decisions"].get(topic)
    return str(found["reason"]) if found else "No vote yet"


def _caption(arrangements: Mapping[str, Any] | None, what: str) -> str:
    if arrangements is None:
        return NOT_FINALISED
    return (
        f"{what} - arrangements v{arrangements['version']}, built from confirmed matrix "
        f"v{arrangements['confirmed_version']}"
    )


def collaborations_table(arrangements: Mapping[str, Any] | None) -> Table:
    """One row per collaboration: members, co-ordinator, model, decision rule and quorum."""
    headers = [
        "Arrangement",
        "Contract",
        "Contract name",
        "Level",
        "Configuration",
        "Members",
        "Co-ordinator",
        "Suggested co-ordinator",
        "Model",
        "Suggested model",
        "Why that model was suggested",
        "Decision rule",
        "Quorum",
        "Majority binds all",
        "When a CCG disagrees or wants to leave",
        "Co-ordinator decision",
        "Model decision",
    ]
    rows: list[list[Any]] = []
    for item in arrangements["items"] if arrangements else []:
        names = {m["organisation"]: m["name"] for m in item["members"]}
        rule = item["rule"]
        rows.append(
            [
                item["key"],
                item["contract"],
                item["contract_name"],
                item["level"],
                item["level_label"],
                "; ".join(m["name"] for m in item["members"]),
                item["coordinator_label"],
                names.get(item["suggested_coordinator"] or "", item["suggested_coordinator"] or ""),
                item["model_title"],
                item["suggested_model_title"],
                item["model_reason"],
                rule["described"],
                quorum_text(str(rule["quorum"])),
                yes_no(rule["majority_binds_all"]),
                rule["on_disagreement"] or "Not agreed yet",
                _decision(item, "coordinator"),
                _decision(item, "model"),
            ]
        )
    return Table("Collaborations", _caption(arrangements, "Collaborations"), headers, rows)


def contributions_table(arrangements: Mapping[str, Any] | None) -> Table:
    """One row per member of each collaboration: value share, cost share and contribution."""
    headers = [
        "Arrangement",
        "Contract",
        "CCG code",
        "CCG",
        "Contract value (GBP)",
        "Share of value (%)",
        "Cost split",
        "Share of shared costs (%)",
        "Contribution (expertise or capacity)",
        "Days or WTE",
        "Notes",
    ]
    rows: list[list[Any]] = []
    for item in arrangements["items"] if arrangements else []:
        method = item["cost_method_label"]
        if item["cost_problem"]:
            method = f"{method} - {item['cost_problem']}"
        for member in item["members"]:
            contribution = member["contribution"]
            rows.append(
                [
                    item["key"],
                    item["contract"],
                    member["organisation"],
                    member["name"],
                    member["value_gbp"],
                    percent(member["value_share"]),
                    method,
                    None if member["cost_percent"] is None else round(member["cost_percent"], 2),
                    contribution["role"],
                    contribution["days"],
                    contribution["notes"],
                ]
            )
    return Table(
        "Contributions and costs", _caption(arrangements, "Contributions and cost split"), headers, rows
    )
