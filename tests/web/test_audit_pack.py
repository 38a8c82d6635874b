"""`voting audit verify --pack FILE`: a steering pack the app produced is checked offline against
its own sealed audit records; a changed matrix cell, audit record or audit line is named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.unit.test_steering_fixtures import run_all_stages
from voting.cli import main


@pytest.fixture
def pack(app: Flask, facilitator: FlaskClient) -> dict[str, Any]:
    """The JSON steering pack of the finished Annex 2 event, as the console downloads it."""
    ids = run_all_stages(app)
    response = facilitator.get(f"/events/{ids['id']}/steering-pack.json")
    assert response.status_code == 200
    return json.loads(response.get_data())


def check(runner: Any, tmp_path: Path, pack: dict[str, Any]) -> Any:
    path = tmp_path / "steering-pack.json"
    path.write_text(json.dumps(pack, ensure_ascii=False, indent=2), encoding="utf-8")
    return runner.invoke(main, ["audit", "verify", "--pack", str(path)])


def test_a_real_pack_is_intact(runner: Any, tmp_path: Path, pack: dict[str, Any]) -> None:
    result = check(runner, tmp_path, pack)
    assert result.exit_code == 0, result.output
    assert "The indicative matrix (version 1) is the one frozen in action record" in result.output
    assert (
        "The indicative matrix (version 1) is what the pack's vote records count to, cell by cell."
        in result.output
    )
    assert "The confirmed matrix (version 1) is the one frozen in action record" in result.output
    assert f"chain to the head it prints ({pack['audit_head']})" in result.output


def test_a_changed_matrix_cell_is_named(runner: Any, tmp_path: Path, pack: dict[str, Any]) -> None:
    cells = pack["confirmed"]["rows"][2]["cells"]
    cells[0] = "5" if cells[0] != "5" else "4"
    result = check(runner, tmp_path, pack)
    assert result.exit_code == 1
    assert "FAILED: The confirmed matrix (version 1) differs from the matrix that was frozen" in result.output


def test_a_changed_audit_record_is_named(runner: Any, tmp_path: Path, pack: dict[str, Any]) -> None:
    position, link = next((n, x) for n, x in enumerate(pack["audit_chain"], 1) if x["kind"] == "vote")
    link["record"]["new"] = link["record"]["new"] % 5 + 1
    result = check(runner, tmp_path, pack)
    assert result.exit_code == 1
    assert (
        f"FAILED: The pack's audit record {position} (vote record {link['record']['id']}) does not match its seal"
        in result.output
    )


def test_a_changed_printed_audit_line_is_named(runner: Any, tmp_path: Path, pack: dict[str, Any]) -> None:
    line = next(x for x in pack["audit"] if x["action"] == "amend")
    line["detail"] = line["detail"].replace("-> 1", "-> 4")
    result = check(runner, tmp_path, pack)
    assert result.exit_code == 1 and "is not what its sealed action record" in result.output


def test_a_rehashed_pack_without_the_key_is_not_passed(
    runner: Any, tmp_path: Path, pack: dict[str, Any]
) -> None:
    """Changing a record and re-hashing the pack's chain (no key) to a new printed head still fails."""
    import hashlib

    prev = "0" * 64
    for link in pack["audit_chain"]:
        if link["kind"] == "vote" and link["record"]["new"] is not None:
            link["record"]["new"] = 1
        body = json.dumps(link["record"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        link["hash"] = prev = hashlib.sha256(f"{prev}|{link['kind']}|{body}".encode()).hexdigest()
    pack["audit_head"] = prev
    result = check(runner, tmp_path, pack)
    assert result.exit_code != 0 and "The pack is intact" not in result.output


def test_a_file_that_is_not_a_pack(runner: Any, tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text("[1, 2]")
    result = runner.invoke(main, ["audit", "verify", "--pack", str(path)])
    assert result.exit_code == 1 and "This file is not a steering pack in JSON" in result.output


def test_a_changed_indicative_cell_is_recounted(runner: Any, tmp_path: Path, pack: dict[str, Any]) -> None:
    row = pack["indicative"]["rows"][0]
    column = next(n for n, cell in enumerate(row["cells"]) if cell.isdigit())
    was = row["cells"][column]
    row["cells"][column] = "5" if was != "5" else "4"
    code = pack["indicative"]["columns"][column]["code"]
    result = check(runner, tmp_path, pack)
    assert result.exit_code == 1
    assert (
        f"Cell {row['code']} / contract {code} reads {row['cells'][column]}, but the pack's vote records "
        f"up to its freeze count {was}." in result.output
    )


def test_records_resealed_by_the_key_holder_must_still_count_to_the_matrix(
    app: Flask, runner: Any, tmp_path: Path, pack: dict[str, Any]
) -> None:
    """Even with the key, changing a vote record before the freeze shows: the matrix no longer counts."""
    from voting.audit import GENESIS, link_hash

    key = app.config["AUDIT_KEY"]
    votes = [x for x in pack["audit_chain"] if x["kind"] == "vote" and x["record"]["new"] is not None]
    target = votes[-1]  # the last vote before the freeze: nothing later replaces it
    target["record"]["new"] = target["record"]["new"] % 5 + 1
    prev = GENESIS
    for link in pack["audit_chain"]:
        link["hash"] = prev = link_hash(prev, link["kind"], link["record"], key)
    pack["audit_head"] = prev
    # ... and the printed log is made to agree, so only the count can tell.
    ordered = sorted(
        pack["audit_chain"], key=lambda x: (x["record"]["at"], x["kind"] == "vote", x["record"]["id"])
    )
    line = pack["audit"][ordered.index(target)]
    old = "-" if target["record"]["old"] is None else target["record"]["old"]
    line["detail"] = f"contract {target['contract']}: {old} -> {target['record']['new']}"
    result = check(runner, tmp_path, pack)
    assert result.exit_code == 1, result.output
    assert (
        "FAILED: The indicative matrix (version 1) is not what its vote records count to. Cell"
        in result.output
    )
    assert "Audit line" not in result.output and "seal" not in result.output
