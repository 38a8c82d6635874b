"""What the printable report shows, prepared from the pack for templates/steering/report.html."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from voting.domain.matrix import NA
from voting.exports.legend import EMPTY_LABEL, is_split, level_of
from voting.exports.steering.tables import (
    activity_tables,
    changes_table,
    interests_table,
    matrix_table,
    polls_table,
)
from voting.exports.steering.tables_stage4 import quorum_text
from voting.exports.steering.text import banner, version_text, when, yes_no

CSS_LEVEL = "level-{}"


def cell_class(value: str) -> str:
    """The CSS class of a matrix cell: level-1..level-5, na, split or empty."""
    level = level_of(value)
    if level is not None:
        return CSS_LEVEL.format(level)
    if value == NA:
        return "na"
    return "split" if is_split(value) else "empty"


def _matrix(pack: Mapping[str, Any], kind: str) -> dict[str, Any]:
    table = matrix_table(pack, kind)
    matrix = pack[kind]
    if matrix is None:
        return {"title": table.name, "caption": table.caption, "missing": True}
    codes = [column["code"] for column in matrix["columns"]]
    return {
        "title": table.name,
        "caption": table.caption,
        "missing": False,
        "columns": matrix["columns"],
        "rows": [
            {
                "name": row["name"],
                "cells": [
                    {"text": cell, "css": cell_class(cell), "contract": code}
                    for code, cell in zip(codes, row["cells"], strict=True)
                ],
            }
            for row in matrix["rows"]
        ],
    }


def _legend(pack: Mapping[str, Any]) -> dict[str, Any]:
    notes = [
        {
            "key": note["key"],
            "note": note["note"],
            "css": {"Split": "split", NA: "na"}.get(note["key"], "empty"),
        }
        for note in pack["legend"]
    ]
    levels = [{**level, "css": CSS_LEVEL.format(level["level"])} for level in pack["levels"]]
    return {"levels": levels, "notes": notes, "empty_label": EMPTY_LABEL}


def _decision(item: Mapping[str, Any], topic: str) -> str:
    found = item["decisions"].get(topic)
    return str(found["reason"]) if found else "No vote yet"


def _arrangement(item: Mapping[str, Any]) -> dict[str, Any]:
    rule = item["rule"]
    facts = [
        ("Co-ordinating commissioner", item["coordinator_label"]),
        ("Co-ordinator decision", _decision(item, "coordinator") if item["coordinator"] else ""),
        ("Model", item["model_title"]),
        ("Model decision", _decision(item, "model") if item["model"] else ""),
        ("Suggested model", f"{item['suggested_model_title']}: {item['model_reason']}"),
        ("Decision rule", rule["described"]),
        ("Quorum", quorum_text(str(rule["quorum"]))),
        ("Majority binds all", yes_no(rule["majority_binds_all"])),
        ("When a CCG disagrees or wants to leave", rule["on_disagreement"] or "Not agreed yet"),
        (
            "Shared costs",
            item["cost_method_label"] + (f" - {item['cost_problem']}" if item["cost_problem"] else ""),
        ),
    ]
    return {**item, "facts": [(term, text) for term, text in facts if text]}


def _arrangements(pack: Mapping[str, Any]) -> dict[str, Any] | None:
    arrangements = pack["arrangements"]
    if arrangements is None:
        return None
    groups: dict[str, dict[str, Any]] = {}
    for item in arrangements["items"]:
        group = groups.setdefault(
            item["contract"],
            {"contract": item["contract"], "name": item["contract_name"], "shared": [], "alone": []},
        )
        if len(item["members"]) > 1:
            group["shared"].append(_arrangement(item))
        else:
            group["alone"].append(item)
    return {
        "caption": (
            f"Arrangements v{arrangements['version']} (frozen {when(arrangements['frozen_at'])}), "
            f"built from confirmed matrix v{arrangements['confirmed_version']}"
        ),
        "contracts": list(groups.values()),
    }


def report_view(pack: Mapping[str, Any]) -> dict[str, Any]:
    """Everything the report template needs, as plain values."""
    return {
        "title": f"Steering pack - {pack['event']['name']}",
        "banner": banner(pack),
        "event": pack["event"],
        "generated": when(pack["generated_at"]),
        "generated_at": pack["generated_at"],
        "audit_head": pack["audit_head"],
        "versions": [version_text(v) + (f": {v['note']}" if v.get("note") else "") for v in pack["versions"]],
        "notes": pack["notes"],
        "method": pack["method"],
        "legend": _legend(pack),
        "matrices": [_matrix(pack, "indicative"), _matrix(pack, "confirmed")],
        "contracts": (pack["confirmed"] or pack["indicative"] or {"columns": []})["columns"],
        "changes": changes_table(pack),
        "arrangements": _arrangements(pack),
        "interests": interests_table(pack),
        "polls": polls_table(pack),
        "activity": activity_tables(pack),
        "audit_entries": len(pack["audit"]),
    }
