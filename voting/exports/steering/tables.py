"""The steering pack as tables, in sheet order; XLSX, CSV and the report all read these."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from voting.domain.matrix import Column, Matrix, Row
from voting.exports.steering.table import Cell, Table
from voting.exports.steering.tables_stage4 import collaborations_table, contributions_table
from voting.exports.steering.text import KIND_TITLES, percent, version_text, when, yes_no

POLL_KINDS = {"yes_no_unsure": "Yes / No / Unsure", "choice": "Single choice", "scale": "Scale 1 to 5"}


def pack_matrix(matrix: Mapping[str, Any]) -> Matrix:
    """A frozen matrix payload as the domain Matrix the existing matrix writers take."""
    columns = tuple(Column(c["code"], c["name"]) for c in matrix["columns"])
    rows = tuple(Row(r["code"], r["name"]) for r in matrix["rows"])
    cells = {
        (row["code"], column.code): cell
        for row in matrix["rows"]
        for column, cell in zip(columns, row["cells"], strict=True)
    }
    return Matrix(rows=rows, columns=columns, cells=cells)


def about_table(pack: Mapping[str, Any]) -> Table:
    """The event, the versions, when the pack was made, the method note and the contracts."""
    event = pack["event"]
    rows: list[list[Cell]] = [
        ["Event", event["name"]],
        ["Event id", event["id"]],
        ["Join code", event["join_code"]],
        ["Stage when generated", event["stage"]],
        ["Generated", when(pack["generated_at"])],
        ["Generated (UTC, ISO 8601)", pack["generated_at"]],
        ["Audit chain head (voting audit verify)", pack["audit_head"]],
    ]
    for version in pack["versions"]:
        text = version_text(version)
        rows.append([version["title"], f"{text}: {version['note']}" if version.get("note") else text])
    rows.append(["Method", pack["method"]["note"]])
    rows.extend(
        [f"Stage {s['number']}", f"{s['question']} - {s['result']}"] for s in pack["method"]["stages"]
    )
    rows.append(
        ["Declared interests", "Declared delegates' votes are left out of that contract's result"]
        if event["exclude_declared"]
        else ["Declared interests", "Declared delegates' votes are counted"]
    )
    rows.extend(["Note", note] for note in pack["notes"])
    matrix = pack["confirmed"] or pack["indicative"]
    rows.extend([f"Contract {c['code']}", c["name"]] for c in (matrix["columns"] if matrix else []))
    return Table("About", "About this steering pack", ["Item", "Value"], rows)


def matrix_table(pack: Mapping[str, Any], kind: str) -> Table:
    """The indicative or confirmed matrix sheet (the matrix itself is written by the matrix writers)."""
    version = next(v for v in pack["versions"] if v["kind"] == kind)
    matrix = pack[kind]
    name = KIND_TITLES[kind]
    if matrix is None:
        note = f": {version['note']}" if version.get("note") else ""
        return Table(name, f"{name} {version['status']}{note}.", [])
    caption = version_text(version)
    if kind == "confirmed":
        caption += f", built from indicative matrix v{matrix['indicative_version']}"
    return Table(name, caption, [], matrix=pack_matrix(matrix))


def changes_table(pack: Mapping[str, Any]) -> Table:
    """Every cell that changed between the indicative and the confirmed matrix, with the reason."""
    headers = ["CCG code", "CCG", "Contract", "Contract name", "Indicative", "Confirmed", "How", "Reason"]
    confirmed = pack["confirmed"]
    if confirmed is None:
        caption = "No confirmed matrix yet: it is frozen when the event moves from stage 3 to stage 4."
    else:
        caption = (
            f"Changes from indicative matrix v{confirmed['indicative_version']} to confirmed matrix "
            f"v{confirmed['version']}: {len(pack['changes'])}"
        )
    rows = [
        [c["organisation"], c["organisation_name"], c["contract"], c["contract_name"]]
        + [c["from"] or "(empty)", c["to"] or "(empty)", c["how"], c["reason"]]
        for c in pack["changes"]
    ]
    return Table("Changes", caption, headers, rows)


def interests_table(pack: Mapping[str, Any]) -> Table:
    """Declared interests, and whether declared delegates' votes count."""
    excluded = pack["event"]["exclude_declared"]
    caption = f"Declared interests: {len(pack['interests'])}. " + (
        "Declared delegates' votes are left out of that contract's result."
        if excluded
        else "Declared delegates' votes are counted."
    )
    headers = ["Delegate", "CCG", "Contract", "Interest", "Declared at"]
    rows = [
        [d["delegate"], d["organisation"], d["contract"], d["interest"], d["at"]] for d in pack["interests"]
    ]
    return Table("Interests", caption, headers, rows)


def _by_org(results: Mapping[str, Any], option: str) -> str:
    return "; ".join(
        f"{org}: {counts[option]}" for org, counts in sorted(results["by_org"].items()) if counts.get(option)
    )


def _ccg_answers(results: Mapping[str, Any]) -> str:
    """Each CCG's answer (its delegates' plurality, "split" on a tie), or why an anonymous poll shows none."""
    if results.get("withheld"):
        return str(results["withheld"])
    positions = results.get("position_by_org", {})
    answers = "; ".join(
        f"{org}: {'split ' if '/' in answer else ''}{answer}" for org, answer in sorted(positions.items())
    )
    return f"CCG answers - {answers}" if answers else ""


def polls_table(pack: Mapping[str, Any]) -> Table:
    """One row per poll answer with counts overall and per CCG, then a total row per poll."""
    headers = ["Poll", "Question", "Kind", "Anonymous", "Status", "Answer", "Count", "Share (%)", "By CCG"]
    rows: list[list[Cell]] = []
    for poll in pack["polls"]:
        results = poll["results"]
        total = results["total"]
        start = [poll["id"], poll["question"], POLL_KINDS.get(poll["kind"], poll["kind"])]
        start += [yes_no(poll["anonymous"]), poll["status"]]
        for option in poll["options"] if results["overall"] is not None else ():
            count = results["overall"].get(option, 0)
            share = percent(count / total) if total else None
            by_org = "" if poll["anonymous"] else _by_org(results, option)
            rows.append([*start, option, count, share, by_org])
        mean = f", mean {results['mean']:.2f}" if results["mean"] is not None else ""
        rows.append([*start, f"All answers{mean}", total, None, _ccg_answers(results)])
    return Table("Polls", f"Polls: {len(pack['polls'])}", headers, rows)


def audit_table(pack: Mapping[str, Any]) -> Table:
    """The audit log: facilitator actions and every vote, oldest first."""
    headers = ["Time", "Time (UTC, ISO 8601)", "Actor", "Action", "Detail"]
    rows = [
        [when(e["at"], seconds=True), e["at"], e["actor"], e["action"], e["detail"]] for e in pack["audit"]
    ]
    return Table("Audit log", f"Audit log: {len(rows)} entries, oldest first", headers, rows)


def activity_tables(pack: Mapping[str, Any]) -> list[Table]:
    """Technical appendix 1 views (none when no activity data was loaded)."""
    from voting.exports.steering.activity import activity_tables as build

    return build(pack)


def all_tables(pack: Mapping[str, Any]) -> list[Table]:
    """Every table of the pack, in sheet order."""
    return [
        about_table(pack),
        matrix_table(pack, "indicative"),
        matrix_table(pack, "confirmed"),
        changes_table(pack),
        collaborations_table(pack["arrangements"]),
        contributions_table(pack["arrangements"]),
        interests_table(pack),
        polls_table(pack),
        *activity_tables(pack),
        audit_table(pack),
    ]
