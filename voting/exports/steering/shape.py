"""Pure reshaping of frozen stage payloads for the steering pack: changes, arrangements, polls."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from voting.domain.levels import LEVELS
from voting.domain.suggestions import MODELS
from voting.exports.steering.text import COST_METHODS, CSS_LABEL, NOT_AGREED

AMENDED = "Amended by the CCG at stage 3"
RERUN = "Changed by a re-run vote at stage 3"
NO_REASON = "No reason recorded: the contract was voted on again at stage 3."


def cells_of(matrix: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    """(organisation code, contract code) -> cell, from a frozen matrix payload."""
    codes = [column["code"] for column in matrix["columns"]]
    return {
        (row["code"], code): cell
        for row in matrix["rows"]
        for code, cell in zip(codes, row["cells"], strict=True)
    }


def matrix_changes(indicative: Mapping[str, Any], confirmed: Mapping[str, Any]) -> list[dict[str, str]]:
    """Every cell that differs between the two matrices, in matrix order, with how and why it changed."""
    before, after = cells_of(indicative), cells_of(confirmed)
    reasons = {(c["organisation"], c["contract"]): c for c in confirmed.get("changes", [])}
    org_names = {row["code"]: row["name"] for row in confirmed["rows"]}
    contract_names = {column["code"]: column["name"] for column in confirmed["columns"]}
    result = []
    for row in confirmed["rows"]:
        for column in confirmed["columns"]:
            key = (row["code"], column["code"])
            if before.get(key, "") == after[key]:
                continue
            amended = reasons.get(key)
            result.append(
                {
                    "organisation": key[0],
                    "organisation_name": org_names[key[0]],
                    "contract": key[1],
                    "contract_name": contract_names[key[1]],
                    "from": before.get(key, ""),
                    "to": after[key],
                    "how": AMENDED if amended else RERUN,
                    "reason": amended["reason"] if amended else NO_REASON,
                }
            )
    return result


def _coordinator_label(code: str, names: Mapping[str, str]) -> str:
    if code == "CSS":
        return CSS_LABEL
    return names.get(code, code) if code else NOT_AGREED


def _model_title(model_id: str | None) -> str:
    if not model_id:
        return ""
    model = MODELS.get(model_id)
    return f"{model.number}. {model.title}" if model else model_id


def arrangement_entry(
    raw: Mapping[str, Any], org_names: Mapping[str, str], contract_names: Mapping[str, str]
) -> dict[str, Any]:
    """One frozen arrangement with names, level, model titles and the cost method spelt out."""
    members = [
        {**member, "name": org_names.get(member["organisation"], member["organisation"])}
        for member in raw["members"]
    ]
    model = MODELS.get(raw.get("model") or "")
    return {
        "key": raw["key"],
        "contract": raw["contract"],
        "contract_name": contract_names.get(raw["contract"], ""),
        "level": raw["level"],
        "level_label": LEVELS.get(raw["level"], ""),
        "members": members,
        "coordinator": raw["coordinator"],
        "coordinator_label": _coordinator_label(raw["coordinator"], org_names),
        "suggested_coordinator": raw.get("suggested_coordinator"),
        "model": raw["model"],
        "model_title": _model_title(raw["model"]) or NOT_AGREED,
        "model_description": model.description if model else "",
        "suggested_model": raw.get("suggested_model"),
        "suggested_model_title": _model_title(raw.get("suggested_model")),
        "model_reason": raw.get("model_reason", ""),
        "rule": dict(raw["rule"]),
        "decisions": dict(raw.get("decisions", {})),
        "cost_method": raw["cost_method"],
        "cost_method_label": COST_METHODS.get(raw["cost_method"], raw["cost_method"]),
        "cost_problem": raw.get("cost_problem", ""),
    }


def poll_entry(state: Mapping[str, Any], created_at: str | None, closed_at: str | None) -> dict[str, Any]:
    """A poll with its results, as the pack keeps it."""
    results = state.get("results", {})
    return {
        "id": state["id"],
        "question": state["question"],
        "kind": state["kind"],
        "options": list(state["options"]),
        "anonymous": state["anonymous"],
        "status": state["status"],
        "created_at": created_at,
        "closed_at": closed_at,
        "results": {
            "overall": None if results.get("overall") is None else dict(results["overall"]),
            "total": results.get("total", 0),
            "mean": results.get("mean"),
            "by_org": {org: dict(counts) for org, counts in results.get("by_org", {}).items()},
            "position_by_org": dict(results.get("position_by_org", {})),
            "answered_by_org": dict(results.get("answered_by_org", {})),
            "withheld": results.get("withheld", ""),
        },
    }
