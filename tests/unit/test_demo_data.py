"""The demo event data reproduces the Annex 2 example matrix."""

from __future__ import annotations

import csv
import io

import pytest

from voting import demo_data
from voting.domain.levels import LEVELS

EXPECTED_CODES = list("ABCDEGHIJKLMNOPQRSTU")
CONTRACT_IDS = [str(n) for n in range(1, 21)]


def read_csv(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


@pytest.fixture(scope="module")
def orgs() -> list[dict[str, str]]:
    header, rows = read_csv(demo_data.organisations_csv())
    assert header == ["code", "name", "neighbours"]
    return rows


@pytest.fixture(scope="module")
def contracts() -> list[dict[str, str]]:
    header, rows = read_csv(demo_data.contracts_csv())
    assert header == ["contract", "contract_name", "organisation", "annual_value_gbp", "activity"]
    return rows


def test_twenty_organisations_named_as_annex2_without_f(orgs):
    assert [row["code"] for row in orgs] == EXPECTED_CODES
    assert "F" not in {row["code"] for row in orgs}
    assert [row["name"] for row in orgs] == [f"{code} CCG" for code in EXPECTED_CODES]


def test_neighbours_known_symmetric_and_nonempty(orgs):
    links = {row["code"]: row["neighbours"].split(";") for row in orgs}
    for code, others in links.items():
        assert 2 <= len(others) <= 4, code
        assert len(set(others)) == len(others)
        assert code not in others
        for other in others:
            assert other in links, (code, other)
            assert code in links[other], (code, other)


def test_neighbours_mostly_within_small_clusters(orgs):
    clusters = [set("ABCDEOU"), set("GHIJKPQ"), set("LMNRST")]
    cluster_of = {code: i for i, group in enumerate(clusters) for code in group}
    for row in orgs:
        others = row["neighbours"].split(";")
        inside = [o for o in others if cluster_of[o] == cluster_of[row["code"]]]
        assert len(inside) >= len(others) - 1, row


def test_holdings_equal_non_na_cells(contracts):
    held = {(row["organisation"], row["contract"]) for row in contracts}
    assert len(held) == len(contracts)
    expected = {
        (org, contract)
        for org, cells in demo_data.ANNEX2_MATRIX.items()
        for contract, cell in zip(CONTRACT_IDS, cells, strict=True)
        if cell != "NA"
    }
    assert held == expected
    assert ("J", "7") in held and ("P", "14") in held
    assert ("B", "6") not in held


def test_contract_rows_ordered_named_and_plausible(contracts):
    order = [row["contract"] for row in contracts]
    assert order == sorted(order, key=int)
    assert sorted(set(order), key=int) == CONTRACT_IDS
    names = {}
    for row in contracts:
        assert names.setdefault(row["contract"], row["contract_name"]) == row["contract_name"]
        value = int(row["annual_value_gbp"])
        assert 50_000 <= value <= 200_000_000
        assert row["activity"] == "" or int(row["activity"]) > 0
    assert len(set(names.values())) == 20
    acute = [int(r["annual_value_gbp"]) for r in contracts if r["contract_name"].startswith("Acute - ")]
    assert min(acute) >= 10_000_000


def test_csv_is_deterministic():
    assert demo_data.contracts_csv() == demo_data.contracts_csv()
    assert demo_data.organisations_csv() == demo_data.organisations_csv()


def test_matrix_shape():
    assert list(demo_data.ANNEX2_MATRIX) == EXPECTED_CODES
    for code, cells in demo_data.ANNEX2_MATRIX.items():
        assert len(cells) == 20, code
        assert all(cell in {"NA", ""} or int(cell) in LEVELS for cell in cells), code


# Rows copied from the Annex 2 text (tab-separated as printed).
ANNEX2_TEXT = {
    "A": "2\tNA\tNA\tNA\t4\t1\t1\t2\tNA\tNA\tNA\t4\t1\t1\t2\tNA\tNA\tNA\t4\t1",
    "C": "2\tNA\tNA\t3\t4\t1\t1\t2\tNA\tNA\t3\t4\t1\t1\t2\tNA\tNA\t3\t4\t1",
    "G": "NA\t2\tNA\t3\t4\t1\t1\tNA\t2\tNA\t3\t4\t1\t1\tNA\t2\tNA\t3\t4\t1",
    "J": "NA\t2\tNA\t3\t4\t1\t\tNA\t2\tNA\t3\t4\t1\t\tNA\t2\tNA\t3\t4\t1",
    "L": "NA\tNA\t2\t3\t4\tNA\tNA\tNA\tNA\t2\t3\t4\tNA\tNA\tNA\tNA\t2\t3\t4\tNA",
    "O": "2\tNA\tNA\tNA\t4\tNA\tNA\t2\tNA\tNA\tNA\t4\tNA\tNA\t2\tNA\tNA\tNA\t4\tNA",
    "P": "NA\t2\tNA\t3\t4\t1\t\tNA\t2\tNA\t3\t4\t1\t\tNA\t2\tNA\t3\t4\t1",
    "U": "2\tNA\tNA\tNA\t4\tNA\tNA\t2\tNA\tNA\tNA\t4\tNA\tNA\t2\tNA\tNA\tNA\t4\tNA",
}


@pytest.mark.parametrize("code", sorted(ANNEX2_TEXT))
def test_matrix_rows_match_document(code):
    assert demo_data.ANNEX2_MATRIX[code] == ANNEX2_TEXT[code].split("\t")


def test_j_and_p_hold_7_and_14_without_position():
    for code in ("J", "P"):
        cells = demo_data.ANNEX2_MATRIX[code]
        assert cells[6] == "" and cells[13] == ""
    empties = {
        (org, str(i + 1))
        for org, cells in demo_data.ANNEX2_MATRIX.items()
        for i, c in enumerate(cells)
        if c == ""
    }
    assert empties == {("J", "7"), ("J", "14"), ("P", "7"), ("P", "14")}


def test_column_patterns_repeat_as_printed():
    matrix = demo_data.ANNEX2_MATRIX
    for first, second, third in ((0, 7, 14), (1, 8, 15), (2, 9, 16), (3, 10, 17), (4, 11, 18), (5, 12, 19)):
        for cells in matrix.values():
            assert cells[first] == cells[second] == cells[third]
    assert {c for c, cells in matrix.items() if cells[0] == "2"} == set("ABCDEOU")
    assert {c for c, cells in matrix.items() if cells[1] == "2"} == set("GHIJKPQ")
    assert {c for c, cells in matrix.items() if cells[2] == "2"} == set("LMNRST")
    assert all(cells[4] == "4" for cells in matrix.values())


def test_annex2_votes_cover_all_numeric_cells():
    votes = demo_data.annex2_votes()
    assert len(votes) == len(set((org, contract) for org, contract, _ in votes))
    expected = {
        (org, contract, int(cell))
        for org, cells in demo_data.ANNEX2_MATRIX.items()
        for contract, cell in zip(CONTRACT_IDS, cells, strict=True)
        if cell not in ("NA", "")
    }
    assert set(votes) == expected
    assert len(votes) == 189
    assert ("J", "7") not in {(org, contract) for org, contract, _ in votes}
    assert all(isinstance(level, int) and level in LEVELS for _, _, level in votes)
